//! `clientbase segment`: the clients of a base who meet a segment rule.

use crate::output::{create, int, read_base};
use crate::{CliError, CliResult};
use clientbase::segment::{compile, Options, Rule};
use clientbase::{Client, ClientBase, ClientId};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct SegmentArgs {
    /// The rule in the text syntax (`city = Москва and consent sms`).
    #[arg(
        long,
        conflicts_with = "rule_file",
        required_unless_present = "rule_file"
    )]
    pub rule: Option<String>,
    /// A file holding the rule: the text syntax, or its JSON form
    /// (`{"version": 1, "rule": ...}`).
    #[arg(long)]
    pub rule_file: Option<PathBuf>,
    /// Named segments the rule may use (`in segment "vip"`): a JSON file
    /// {"name": "rule text" or {JSON form}, ...}.
    #[arg(long)]
    pub segments: Option<PathBuf>,
    /// The analysis date relative conditions count from (yyyy-mm-dd; default today).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The time zone dates are read in (UTC, +03:00, Europe/Moscow).
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// Explain the rule for this client: each condition, whether it held, the client's value.
    #[arg(long)]
    pub explain: Option<u64>,
    /// Print the rule in the text syntax and its JSON form, and stop.
    #[arg(long)]
    pub parse_only: bool,
    /// Where to write the matching clients (CSV: id, name, city, phone, email).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How many matching clients to list (0: only the count).
    #[arg(long, default_value_t = 20)]
    pub show: usize,
    /// The base (JSON).
    pub base: PathBuf,
}

fn read(path: &Path) -> CliResult<String> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))
}

fn rule_of(text: &str) -> clientbase::Result<Rule> {
    if text.trim_start().starts_with('{') {
        Rule::from_json(text)
    } else {
        Rule::parse(text)
    }
}

fn first<'a>(values: impl Iterator<Item = &'a str>) -> &'a str {
    values.into_iter().next().unwrap_or("")
}

fn write_clients(base: &ClientBase, ids: &[ClientId], path: &Path) -> CliResult {
    let fail = |e: csv::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
    let mut out = csv::Writer::from_writer(create(path)?);
    out.write_record(["id", "name", "city", "phone", "email"])
        .map_err(fail)?;
    for &id in ids {
        let client: &Client = base
            .client(id)
            .map_err(|e| CliError::failed(e.to_string()))?;
        out.write_record([
            id.get().to_string().as_str(),
            &client.display_name(),
            client.city.as_deref().unwrap_or(""),
            first(
                client
                    .phones
                    .iter()
                    .map(|p| p.e164.as_deref().unwrap_or(&p.raw)),
            ),
            first(
                client
                    .emails
                    .iter()
                    .map(|e| e.normalized.as_deref().unwrap_or(&e.raw)),
            ),
        ])
        .map_err(fail)?;
    }
    out.flush()
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    say!(
        "{} clients written to {}",
        int(ids.len() as u64),
        path.display()
    );
    Ok(())
}

/// `clientbase segment`.
pub(crate) fn run(args: &SegmentArgs) -> CliResult {
    let text = match (&args.rule, &args.rule_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => read(path)?,
        (None, None) => return Err(CliError::input("give --rule or --rule-file")),
    };
    let rule = rule_of(&text).map_err(|e| CliError::input(format!("the rule: {e}")))?;
    if args.parse_only {
        say!("{}", rule.to_text());
        say!(
            "{}",
            rule.to_json()
                .map_err(|e| CliError::failed(e.to_string()))?
        );
        return Ok(());
    }
    let mut segments = BTreeMap::new();
    if let Some(path) = &args.segments {
        let values: BTreeMap<String, serde_json::Value> = serde_json::from_str(&read(path)?)
            .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
        for (name, value) in values {
            let rule = Rule::from_input(&value).map_err(|e| {
                CliError::input(format!("{}: segment {name:?}: {e}", path.display()))
            })?;
            segments.insert(name, rule);
        }
    }
    let base = read_base(&args.base)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let options = Options::new(as_of).in_time_zone(&args.time_zone);
    let compiled = compile(&base, &rule, &options, &segments)
        .map_err(|e| CliError::input(format!("the rule: {e}")))?;
    if let Some(id) = args.explain {
        let why = compiled
            .explain(&base, ClientId(id))
            .map_err(|e| CliError::input(e.to_string()))?;
        let json =
            serde_json::to_string_pretty(&why).map_err(|e| CliError::failed(e.to_string()))?;
        say!("{json}");
        return Ok(());
    }
    let ids = compiled
        .evaluate(&base)
        .map_err(|e| CliError::failed(e.to_string()))?;
    say!(
        "{} of {} clients match `{}` (as of {as_of})",
        int(ids.len() as u64),
        int(base.clients().len() as u64),
        rule.to_text()
    );
    for &id in ids.iter().take(args.show) {
        if let Some(client) = base.get_client(id) {
            say!("  {:>8}  {}", id.get(), client.display_name());
        }
    }
    if ids.len() > args.show && args.show > 0 {
        say!("  … and {} more", int((ids.len() - args.show) as u64));
    }
    if let Some(out) = &args.out {
        write_clients(&base, &ids, out)?;
    }
    Ok(())
}

/// The rules the demo shows, by name; the last uses the first.
const DEMO_SEGMENTS: &[(&str, &str)] = &[
    ("moscow", "city = Москва"),
    (
        "spent_100k_in_2_years",
        "sum(purchases where date within last 24 months) > 100000",
    ),
    ("open_deal", "count(deals where status = open) >= 1"),
    ("sms_without_email", "consent sms and not has email"),
    ("hot_leads", "stage = lead and temperature = hot"),
    (
        "moscow_champions",
        "in segment moscow and rfm.segment = Champions",
    ),
];

/// The demo's section: a few segments of the generated base with their sizes.
pub(crate) fn demo_section(demo: &mut crate::demo::Demo) -> CliResult {
    let base = &demo.base;
    let segments: BTreeMap<String, Rule> = DEMO_SEGMENTS
        .iter()
        .map(|(name, text)| Ok((name.to_string(), Rule::parse(text)?)))
        .collect::<clientbase::Result<_>>()
        .map_err(|e| CliError::failed(format!("segment: {e}")))?;
    let options = Options::new(demo.config.today);
    for (name, text) in DEMO_SEGMENTS {
        let ids = compile(base, &segments[*name], &options, &segments)
            .and_then(|c| c.evaluate(base))
            .map_err(|e| CliError::failed(format!("segment {name}: {e}")))?;
        say!("  {name:<22} {:>8} clients  {text}", int(ids.len() as u64));
    }
    Ok(())
}
