//! `clientbase score`: lead scores of a base, their temperature and grade,
//! one client's breakdown, and behaviour types.

use crate::output::{create, int, read_base};
use crate::{CliError, CliResult};
use clientbase::scoring::{
    behaviour_types, score_clients, score_explain, BehaviourParams, Score, ScoreExplainParams,
    ScoreParams, ScoringModel,
};
use clientbase::table::Value;
use clientbase::{ClientBase, ClientId, Temperature};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct ScoreArgs {
    /// The scoring model (JSON: {"rules": [...], "decay": ..., ...}); the
    /// library's default model when not given.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// The analysis date (yyyy-mm-dd; default today).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The time zone dates are read in (UTC, +03:00, Europe/Moscow).
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Print one client's score with every rule's points and why, and stop.
    #[arg(long)]
    pub explain: Option<u64>,
    /// Also count the clients by behaviour type (the default types).
    #[arg(long)]
    pub behaviour: bool,
    /// Where to write every client's score (CSV: client, name, score, fit,
    /// engagement, temperature, grade, breakdown).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How many of the highest scores to list.
    #[arg(long, default_value_t = 10)]
    pub show: usize,
    /// The base (a base file or JSON).
    pub base: PathBuf,
}

fn model(path: &Path) -> CliResult<ScoringModel> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    clientbase::capability::from_value("model", value)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

fn write_scores(base: &ClientBase, scores: &[Score], path: &Path) -> CliResult {
    let fail = |e: csv::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
    let mut out = csv::Writer::from_writer(create(path)?);
    out.write_record([
        "client",
        "name",
        "score",
        "fit",
        "engagement",
        "temperature",
        "grade",
        "breakdown",
    ])
    .map_err(fail)?;
    for s in scores {
        let name = base
            .get_client(s.client)
            .map(|c| c.display_name())
            .unwrap_or_default();
        let breakdown: Vec<String> = s
            .rules
            .iter()
            .map(|r| format!("{} {:+}", r.name, r.points))
            .collect();
        out.write_record([
            s.client.get().to_string(),
            name,
            s.score.to_string(),
            s.fit.to_string(),
            s.engagement.to_string(),
            s.temperature.name().to_string(),
            s.grade.clone(),
            breakdown.join("; "),
        ])
        .map_err(fail)?;
    }
    out.flush()
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    say!(
        "{} scores written to {}",
        int(scores.len() as u64),
        path.display()
    );
    Ok(())
}

/// Prints the temperature counts and the best `show` scores with their points.
fn summary(base: &ClientBase, scores: &[Score], show: usize) {
    let mut by_temperature: BTreeMap<&str, u64> = BTreeMap::new();
    for s in scores {
        *by_temperature.entry(s.temperature.name()).or_default() += 1;
    }
    let counts: Vec<String> = Temperature::ALL
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t.name(),
                int(by_temperature.get(t.name()).copied().unwrap_or(0))
            )
        })
        .collect();
    say!(
        "{} clients scored: {}",
        int(scores.len() as u64),
        counts.join(", ")
    );
    let mut best: Vec<&Score> = scores.iter().collect();
    best.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.client.cmp(&b.client)));
    for s in best.into_iter().take(show) {
        let name = base
            .get_client(s.client)
            .map(|c| c.display_name())
            .unwrap_or_default();
        let points: Vec<String> = s
            .rules
            .iter()
            .map(|r| format!("{} {:+}", r.name, r.points))
            .collect();
        say!(
            "  {:>8}  {:>6.2}  {:<4} {:<3} {}  ({})",
            s.client.get(),
            s.score,
            s.temperature.name(),
            s.grade,
            name,
            points.join(", ")
        );
    }
}

/// `clientbase score`.
pub(crate) fn run(args: &ScoreArgs) -> CliResult {
    let model = match &args.model {
        Some(path) => model(path)?,
        None => ScoringModel::default(),
    };
    let base = read_base(&args.base)?;
    let as_of = Some(
        args.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    );
    if let Some(id) = args.explain {
        let params = ScoreExplainParams {
            client: Some(ClientId(id)),
            model,
            as_of,
            time_zone: args.time_zone.clone(),
            ..Default::default()
        };
        let score = score_explain(&base, &params).map_err(|e| CliError::input(e.to_string()))?;
        let json =
            serde_json::to_string_pretty(&score).map_err(|e| CliError::failed(e.to_string()))?;
        say!("{json}");
        return Ok(());
    }
    let params = ScoreParams {
        model,
        as_of,
        time_zone: args.time_zone.clone(),
        breakdown: true,
        ..Default::default()
    };
    let scores = score_clients(&base, &params).map_err(|e| CliError::input(e.to_string()))?;
    summary(&base, &scores, args.show);
    if args.behaviour {
        let params = BehaviourParams {
            as_of,
            time_zone: args.time_zone.clone(),
            ..Default::default()
        };
        let table = behaviour_types(&base, &params).map_err(|e| CliError::input(e.to_string()))?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        if let Some(column) = table.column("behaviour") {
            for i in 0..table.rows() {
                let name = match column.value(i) {
                    Value::Text(t) => t.to_string(),
                    _ => "(none)".to_string(),
                };
                *counts.entry(name).or_default() += 1;
            }
        }
        say!("behaviour types:");
        for (name, n) in counts {
            say!("  {name:<16} {:>8}", int(n));
        }
    }
    if let Some(out) = &args.out {
        write_scores(&base, &scores, out)?;
    }
    std::io::stdout().flush().ok();
    Ok(())
}

/// The demo's section: the default model on the generated base, and the
/// best-scored lead with its breakdown.
pub(crate) fn demo_section(demo: &mut crate::demo::Demo) -> CliResult {
    let base = &demo.base;
    let params = ScoreParams {
        as_of: Some(demo.config.today),
        breakdown: true,
        ..Default::default()
    };
    let scores =
        score_clients(base, &params).map_err(|e| CliError::failed(format!("score: {e}")))?;
    summary(base, &scores, 0);
    let lead = scores
        .iter()
        .filter(|s| {
            base.get_client(s.client)
                .is_some_and(|c| c.stage == clientbase::LifecycleStage::Lead)
        })
        .max_by(|a, b| a.score.total_cmp(&b.score).then(b.client.cmp(&a.client)));
    if let Some(lead) = lead {
        let name = base
            .get_client(lead.client)
            .map(|c| c.display_name())
            .unwrap_or_default();
        say!(
            "  the best-scored lead: {name} (client {}), {} points, {}, grade {}",
            lead.client.get(),
            lead.score,
            lead.temperature.name(),
            lead.grade
        );
        for r in &lead.rules {
            say!(
                "    {:<18} {:>+7.2}  ({} matched)",
                r.name,
                r.points,
                r.matched
            );
        }
        for g in &lead.limited {
            say!(
                "    group {:<12} {:>+7.2} capped to {:+}",
                g.group,
                g.sum,
                g.points
            );
        }
    }
    Ok(())
}
