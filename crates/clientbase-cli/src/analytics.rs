//! `clientbase quality` and `clientbase analytics`: the quality report of a
//! base with its per-client checklist, and sales analytics over a period.

use crate::output::{int, percent, read_base, write_table};
use crate::{CliError, CliResult};
use clientbase::analytics::{
    funnel, manager_effectiveness, monthly_dynamics, sales_analytics, source_conversion,
    AnalyticsParams, By, FunnelParams, SourceParams,
};
use clientbase::capability::Rows;
use clientbase::quality::{quality_checklist, quality_report, QualityParams, QualityReport};
use clientbase::table::{format_decimal, Value};
use clientbase::Table;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct QualityArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// Fields every client should have, besides those the schema marks
    /// (`phone`, `email`, `city`, `custom.<name>`, ...); repeat or separate by commas.
    #[arg(long, value_delimiter = ',')]
    pub required: Vec<String>,
    /// Look for duplicates (`true` or `false`; default: for bases of up to 20 000 clients).
    #[arg(long)]
    pub duplicates: Option<bool>,
    /// Write the per-client checklist here (CSV: client, name, missing,
    /// invalid, not_normalized, no_contact, duplicate_of, outside_schema, items).
    #[arg(long)]
    pub checklist: Option<PathBuf>,
    /// In the checklist, only clients with at least one item.
    #[arg(long)]
    pub only_issues: bool,
    /// Print the whole report as JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// What `clientbase analytics` computes.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum View {
    /// Revenue, deals, won rate, average deal and sales cycle per slice (`--by`).
    Sales,
    /// Per manager, with activities per deal.
    Managers,
    /// Deals per pipeline stage and stage-to-stage conversion.
    Funnel,
    /// Lead source conversion to sales.
    Sources,
    /// Per month with the same month a year before.
    Months,
}

#[derive(clap::Args)]
pub(crate) struct AnalyticsArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// What to compute.
    #[arg(long, value_enum, default_value = "sales")]
    pub view: View,
    /// The slices of `--view sales`: none, client, manager, product, category,
    /// city, region, source or month.
    #[arg(long, default_value = "none")]
    pub by: String,
    /// The first day of the period (yyyy-mm-dd).
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// The last day of the period (yyyy-mm-dd).
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
    /// The order of a pipeline's stages for `--view funnel`, as
    /// `pipeline=stage1,stage2,...` (repeat for several pipelines).
    #[arg(long)]
    pub stages: Vec<String>,
    /// Write the table here as CSV; standard output gets the first rows.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How many rows to print.
    #[arg(long, default_value_t = 30)]
    pub show: usize,
}

fn cell(value: Value<'_>) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int64(i) => i.to_string(),
        Value::UInt64(u) => u.to_string(),
        Value::Float64(f) => {
            let text = format!("{f:.4}");
            let text = text.trim_end_matches('0');
            text.trim_end_matches('.').to_string()
        }
        Value::Text(t) => t.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Decimal { value, scale } => format_decimal(value, scale),
        Value::TextList(items) => items.join("; "),
        other => format!("{other:?}"),
    }
}

/// The first `show` rows of a table, columns aligned.
fn print_table(table: &Table, show: usize, indent: &str) {
    let rows = table.rows().min(show);
    let mut cells: Vec<Vec<String>> =
        vec![table.column_names().iter().map(|s| s.to_string()).collect()];
    for i in 0..rows {
        cells.push(table.columns().iter().map(|c| cell(c.value(i))).collect());
    }
    let widths: Vec<usize> = (0..table.columns().len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &cells {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(text, &w)| format!("{text:<w$}"))
            .collect();
        say!("{indent}{}", line.join("  ").trim_end());
    }
    if table.rows() > rows {
        say!(
            "{indent}... {} more rows",
            int((table.rows() - rows) as u64)
        );
    }
}

fn failed(e: clientbase::Error) -> CliError {
    CliError::input(e.to_string())
}

/// The report's summary lines.
fn summary(report: &QualityReport) -> Vec<String> {
    let n = report.clients as f64;
    let c = &report.contacts;
    let mut lines = vec![
        format!("clients: {}", int(report.clients)),
        format!(
            "required fields ({}): {} clients have them all ({})",
            if report.required.is_empty() {
                "none".to_string()
            } else {
                report.required.join(", ")
            },
            int(report.required_complete),
            percent(report.required_complete as f64, n)
        ),
        format!(
            "phones: {}, invalid {}, to normalize {}; emails: {}, invalid {}, to normalize {}",
            int(c.phones),
            int(c.phones_invalid),
            int(c.phones_not_normalized),
            int(c.emails),
            int(c.emails_invalid),
            int(c.emails_not_normalized)
        ),
        format!(
            "phone but no email: {}; email but no phone: {}; no contact: {}",
            int(c.phone_only),
            int(c.email_only),
            int(c.no_contact)
        ),
    ];
    let filled: Vec<String> = report
        .completeness
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.field,
                percent(f.filled as f64, f.applies_to as f64)
            )
        })
        .collect();
    lines.push(format!("completeness: {}", filled.join(", ")));
    let consents: Vec<String> = report
        .consents
        .iter()
        .map(|c| format!("{} {}", c.channel, percent(c.allowed as f64, n)))
        .collect();
    lines.push(format!("consent: {}", consents.join(", ")));
    match &report.duplicates {
        Some(d) => lines.push(format!(
            "duplicates: {} records in {} clusters ({} of the base); {} pairs to review",
            int(d.duplicates),
            int(d.clusters),
            percent(d.duplicates as f64, n),
            int(d.review.len() as u64 + d.review_more)
        )),
        None => lines.push("duplicates: not looked for (--duplicates true)".into()),
    }
    if !report.tags_outside_schema.is_empty() || !report.fields_outside_schema.is_empty() {
        let names: Vec<String> = report
            .tags_outside_schema
            .iter()
            .chain(&report.fields_outside_schema)
            .map(|o| format!("{} ({})", o.name, int(o.clients)))
            .collect();
        lines.push(format!("outside the schema: {}", names.join(", ")));
    }
    lines.push(format!(
        "clients with something to fix: {}",
        int(report.clients_with_issues)
    ));
    lines
}

/// `clientbase quality`.
pub(crate) fn quality(args: &QualityArgs) -> CliResult {
    let base = read_base(&args.base)?;
    let params = QualityParams {
        required: args.required.clone(),
        duplicates: args.duplicates,
        only_issues: args.only_issues,
        ..QualityParams::default()
    };
    let report = quality_report(&base, &params).map_err(failed)?;
    if args.json {
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::failed(e.to_string()))?;
        say!("{json}");
    } else {
        for line in summary(&report) {
            say!("{line}");
        }
    }
    if let Some(path) = &args.checklist {
        let table = quality_checklist(&base, &params).map_err(failed)?;
        write_table(&table, path, "rows", cell)?;
    }
    Ok(())
}

/// `clientbase analytics`.
pub(crate) fn analytics(args: &AnalyticsArgs) -> CliResult {
    let by: By =
        serde_json::from_value(serde_json::Value::String(args.by.clone())).map_err(|_| {
            CliError::input(format!(
                "--by {:?}: one of {}",
                args.by,
                By::ALL.map(By::name).join(", ")
            ))
        })?;
    let base = read_base(&args.base)?;
    let params = AnalyticsParams {
        by,
        from: args.from,
        to: args.to,
        ..AnalyticsParams::default()
    };
    let table = match args.view {
        View::Sales => sales_analytics(Rows::Base(&base), &params),
        View::Managers => manager_effectiveness(&base, &params),
        View::Months => monthly_dynamics(Rows::Base(&base), &params),
        View::Sources => source_conversion(
            &base,
            &SourceParams {
                from: args.from,
                to: args.to,
            },
        ),
        View::Funnel => {
            let stages = crate::report::stage_orders(&args.stages)?;
            funnel(
                &base,
                &FunnelParams {
                    from: args.from,
                    to: args.to,
                    stages,
                    ..FunnelParams::default()
                },
            )
        }
    }
    .map_err(failed)?;
    print_table(&table, args.show, "");
    for p in table.problems().iter().take(5) {
        say!("left out: {} {}: {}", p.line, p.field, p.reason);
    }
    if table.problems().len() > 5 {
        say!("left out: {} more", int(table.problems().len() as u64 - 5));
    }
    if let Some(path) = &args.out {
        write_table(&table, path, "rows", cell)?;
    }
    Ok(())
}

/// The demo's section: the quality summary and revenue by manager.
pub(crate) fn demo_section(demo: &mut crate::demo::Demo) -> CliResult {
    let report = quality_report(&demo.base, &QualityParams::default())
        .map_err(|e| CliError::failed(format!("quality: {e}")))?;
    for line in summary(&report) {
        say!("  {line}");
    }
    let params = AnalyticsParams {
        by: By::Manager,
        ..AnalyticsParams::default()
    };
    let table = sales_analytics(Rows::Base(&demo.base), &params)
        .map_err(|e| CliError::failed(format!("analytics: {e}")))?;
    let table = table
        .select(&[
            "manager",
            "currency",
            "revenue",
            "deals",
            "won_rate",
            "average_deal",
            "cycle_median_days",
        ])
        .map_err(|e| CliError::failed(e.to_string()))?;
    say!("  revenue by manager (won deals, all time):");
    print_table(&table, 10, "    ");
    Ok(())
}
