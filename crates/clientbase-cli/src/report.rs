//! `clientbase report` and `clientbase history`: the HTML report on a base,
//! and one client's history in time order.

use crate::output::{self, int, read_base};
use crate::{CliError, CliResult};
use chrono::NaiveDate;
use clientbase::history::{client_history, HistoryParams};
use clientbase::report::{report_html, ReportParams, ReportSection};
use clientbase::table::Value;
use clientbase::{ClientBase, ClientId, Table};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// Where to write the page.
    #[arg(long, default_value = "report.html")]
    pub out: PathBuf,
    /// The page's title.
    #[arg(long)]
    pub title: Option<String>,
    /// The day the report is as of (yyyy-mm-dd; default: the latest deal day).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// The first day of the period (default: twelve months up to the last day).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// The last day of the period (default: the as-of day).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// The sections, in order (quality, funnel, abc, rfm, monthly, managers);
    /// repeat or separate by commas.
    #[arg(long, value_delimiter = ',', value_enum)]
    pub sections: Vec<SectionArg>,
    /// The order of a pipeline's stages for the funnel, as
    /// `pipeline=stage1,stage2,...` (repeat for several pipelines).
    #[arg(long)]
    pub stages: Vec<String>,
    /// Fields every client should have, for the quality section.
    #[arg(long, value_delimiter = ',')]
    pub required: Vec<String>,
    /// Look for duplicates in the quality section (`true` or `false`).
    #[arg(long)]
    pub duplicates: Option<bool>,
}

/// A section of the report, as the command line names it.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum SectionArg {
    Quality,
    Funnel,
    Abc,
    Rfm,
    Monthly,
    Managers,
}

impl From<SectionArg> for ReportSection {
    fn from(s: SectionArg) -> ReportSection {
        match s {
            SectionArg::Quality => ReportSection::Quality,
            SectionArg::Funnel => ReportSection::Funnel,
            SectionArg::Abc => ReportSection::Abc,
            SectionArg::Rfm => ReportSection::Rfm,
            SectionArg::Monthly => ReportSection::Monthly,
            SectionArg::Managers => ReportSection::Managers,
        }
    }
}

#[derive(clap::Args)]
pub(crate) struct HistoryArgs {
    /// The base (JSON or a base file; a base file adds consent, contact and
    /// stage changes from its change log).
    #[arg(long)]
    pub base: PathBuf,
    /// The client's id.
    #[arg(long)]
    pub client: u64,
    /// Only events on or after this day (yyyy-mm-dd).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Only events on or before this day (yyyy-mm-dd).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Only these kinds of event (deal_won, activity, consent_withdrawn, ...);
    /// repeat or separate by commas.
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
    /// Write the history here as CSV instead of printing it.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `pipeline=stage1,stage2` specs as the funnel's stage orders.
pub(crate) fn stage_orders(specs: &[String]) -> CliResult<BTreeMap<String, Vec<String>>> {
    let mut stages = BTreeMap::new();
    for spec in specs {
        let (pipeline, list) = spec.split_once('=').ok_or_else(|| {
            CliError::input(format!("--stages {spec:?}: write pipeline=stage1,stage2"))
        })?;
        stages.insert(
            pipeline.trim().to_string(),
            list.split(',').map(|s| s.trim().to_string()).collect(),
        );
    }
    Ok(stages)
}

/// Writes the report of `base` to `path`; gives what the page covers.
pub(crate) fn write_report(
    base: &ClientBase,
    params: &ReportParams,
    path: &Path,
) -> CliResult<clientbase::report::Report> {
    let report = report_html(base, params).map_err(|e| CliError::input(e.to_string()))?;
    let mut out = output::create(path)?;
    out.write_all(report.html.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    Ok(report)
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "-".into(), |d| d.format("%d.%m.%Y").to_string())
}

pub(crate) fn report(args: &ReportArgs) -> CliResult {
    let base = read_base(&args.base)?;
    let mut params = ReportParams {
        as_of: args.as_of,
        from: args.from,
        to: args.to,
        stages: stage_orders(&args.stages)?,
        required: args.required.clone(),
        duplicates: args.duplicates,
        ..ReportParams::default()
    };
    if let Some(title) = &args.title {
        params.title = title.clone();
    }
    if !args.sections.is_empty() {
        params.sections = Some(args.sections.iter().map(|&s| s.into()).collect());
    }
    let report = write_report(&base, &params, &args.out)?;
    say!(
        "report written to {} ({} KB): as of {}, period {} to {}, sections {}",
        args.out.display(),
        int((report.html.len() as u64).div_ceil(1024)),
        day(report.as_of),
        day(report.from),
        day(report.to),
        report
            .sections
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn text(value: Value<'_>) -> String {
    match value {
        Value::Null => String::new(),
        Value::Text(t) => t.to_string(),
        Value::UInt64(u) => u.to_string(),
        Value::Timestamp(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        other => output::cell(other),
    }
}

/// The rows of a history, one line each.
pub(crate) fn print_history(table: &Table, indent: &str) {
    let col = |name: &str, i: usize| {
        table
            .column(name)
            .map_or(String::new(), |c| text(c.value(i)))
    };
    let width = (0..table.rows())
        .map(|i| col("kind", i).chars().count())
        .max()
        .unwrap_or(0);
    for i in 0..table.rows() {
        let detail = col("detail", i);
        let actor = col("actor", i);
        say!(
            "{indent}{}  {:width$}  {}{}{}",
            col("time", i),
            col("kind", i),
            col("what", i),
            if detail.is_empty() {
                String::new()
            } else {
                format!(": {detail}")
            },
            if actor.is_empty() {
                String::new()
            } else {
                format!(" [{actor}]")
            },
        );
    }
}

pub(crate) fn history(args: &HistoryArgs) -> CliResult {
    let base = read_base(&args.base)?;
    let params = HistoryParams {
        client: ClientId(args.client),
        from: args.from,
        to: args.to,
        kinds: (!args.kinds.is_empty()).then(|| args.kinds.clone()),
    };
    let table = client_history(&base, &params).map_err(|e| CliError::input(e.to_string()))?;
    match &args.out {
        Some(path) => output::write_table(&table, path, "events", text)?,
        None => {
            say!("{} events", int(table.rows() as u64));
            print_history(&table, "  ");
        }
    }
    Ok(())
}

/// The demo's last section: a client's history and the report on the base.
pub(crate) fn demo_section(demo: &mut crate::demo::Demo) -> CliResult {
    let failed = |e: clientbase::Error| CliError::failed(e.to_string());
    // The client with the most deals and activities has a history worth reading.
    let busiest = demo
        .base
        .clients()
        .map(|c| {
            let events = demo.base.deals_of(c.id).count() + demo.base.activities_of(c.id).count();
            (events, std::cmp::Reverse(c.id))
        })
        .max()
        .map(|(_, std::cmp::Reverse(id))| id);
    if let Some(id) = busiest {
        let table = client_history(
            &demo.base,
            &HistoryParams {
                client: id,
                ..HistoryParams::default()
            },
        )
        .map_err(failed)?;
        let name = demo.base.client(id).map_err(failed)?.display_name();
        say!(
            "  the history of {id} ({name}): {} events; the last ones:",
            int(table.rows() as u64)
        );
        let last = table.rows().saturating_sub(6);
        let tail = Table::new(
            table
                .columns()
                .iter()
                .map(|c| {
                    let mut b = clientbase::table::ColumnBuilder::new(c.name(), c.column_type(), 6);
                    for i in last..table.rows() {
                        let _ = b.push(c.value(i));
                    }
                    b.finish()
                })
                .collect(),
        )
        .map_err(failed)?;
        print_history(&tail, "    ");
    }
    let params = ReportParams {
        title: "Клиентская база: демо".into(),
        // The generator's stage orders, so that the demo's funnel shows conversion.
        stages: clientbase::generator::stage_orders(),
        ..ReportParams::default()
    };
    let path = demo.out_dir.join("report.html");
    let started = std::time::Instant::now();
    let report = write_report(&demo.base, &params, &path)?;
    say!(
        "  the report: {} ({} KB, {:.1} s), as of {}, period {} to {}",
        path.display(),
        int((report.html.len() as u64).div_ceil(1024)),
        started.elapsed().as_secs_f64(),
        day(report.as_of),
        day(report.from),
        day(report.to)
    );
    say!("  open it in a browser: file://{}", path.display());
    Ok(())
}
