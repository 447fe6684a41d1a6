//! `clientbase due` and `clientbase route`: the day's actions by automation
//! rules (written as CSV, optionally recorded in the base so they are never
//! given twice), and the manager an incoming lead goes to.

use crate::output::{cell, int, open_base_for_writing, read_base, write_base, write_table};
use crate::{CliError, CliResult};
use clientbase::automation::{AutomationRules, DueParams, Lead, RouteParams};
use clientbase::table::{Table, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct DueArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// The day (yyyy-mm-dd; default today in the time zone).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The time zone dates are read in (UTC, +03:00, Europe/Moscow).
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
    /// The rules (JSON file, `{"version": 1, "rules": [...]}`; default: the
    /// default set: next purchases, recurring deals, birthdays, missing
    /// phones and emails, deals stuck 30 days).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Keys of actions already done elsewhere, one per line.
    #[arg(long)]
    pub done: Option<PathBuf>,
    /// Where to write the actions (CSV: key, rule, kind, action, client, name,
    /// deal, manager, due, occurs, reason, channel, contact, text).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Record the actions in the base (tasks, messages sent) so that they are
    /// never given again; a JSON base is written back.
    #[arg(long)]
    pub record: bool,
}

#[derive(clap::Args)]
pub(crate) struct RouteArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// The routing params (JSON file: rules, managers with working hours,
    /// time_zone, distribute, ...); the lead may be in it or given with --lead.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// The lead as JSON: `{"name": "...", "phone": "...", "type": "order"}`.
    #[arg(long)]
    pub lead: Option<String>,
    /// The managers, comma separated, when the params file lists none (any hour).
    #[arg(long, value_delimiter = ',')]
    pub managers: Vec<String>,
    /// When it came in (RFC 3339, `2026-12-07T22:00:00+03:00`; default now).
    #[arg(long)]
    pub at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Where to write the report as JSON.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn read_json(path: &Path, what: &str) -> CliResult<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {what} {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::input(format!("{what} {}: {e}", path.display())))
}

fn by_column(table: &Table, name: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    if let Some(column) = table.column(name) {
        for i in 0..table.rows() {
            let key = match column.value(i) {
                Value::Text(t) => t.to_string(),
                _ => "(none)".to_string(),
            };
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    counts
}

fn say_actions(table: &Table, indent: &str) {
    for (rule, n) in by_column(table, "rule") {
        say!("{indent}{rule:<24} {:>8}", int(n as u64));
    }
    if let Some(Value::Text(reason)) = table.column("reason").map(|c| c.value(0)) {
        say!("{indent}the first: {reason}");
    }
}

/// `clientbase due`.
pub(crate) fn due(args: &DueArgs) -> CliResult {
    let rules = match &args.rules {
        Some(path) => Some(
            AutomationRules::from_value(&read_json(path, "the rules")?)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?,
        ),
        None => None,
    };
    let done = match &args.done {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    let params = DueParams {
        as_of: args.as_of,
        time_zone: args.time_zone.clone(),
        rules,
        done,
        ..DueParams::default()
    };
    let mut base = if args.record {
        open_base_for_writing(&args.base)?
    } else {
        read_base(&args.base)?
    };
    let table =
        clientbase::automation::due(&base, &params).map_err(|e| CliError::input(e.to_string()))?;
    say!("{} actions due", int(table.rows() as u64));
    say_actions(&table, "  ");
    if let Some(path) = &args.out {
        write_table(&table, path, "actions", cell)?;
    }
    if args.record {
        let added = clientbase::automation::add_due_tasks(&mut base, &params)
            .map_err(|e| CliError::failed(e.to_string()))?;
        write_base(&base, &args.base)?;
        say!(
            "recorded {} tasks and {} messages in {}",
            int(added.tasks as u64),
            int(added.messages as u64),
            args.base.display()
        );
    }
    Ok(())
}

/// `clientbase route`.
pub(crate) fn route(args: &RouteArgs) -> CliResult {
    let value = match &args.params {
        Some(path) => read_json(path, "the routing params")?,
        None => serde_json::json!({}),
    };
    let mut params: RouteParams = clientbase::capability::from_value("params", value)
        .map_err(|e| CliError::input(e.to_string()))?;
    if let Some(lead) = &args.lead {
        let value: serde_json::Value =
            serde_json::from_str(lead).map_err(|e| CliError::input(format!("--lead: {e}")))?;
        params.lead = clientbase::capability::from_value::<Lead>("lead", value)
            .map_err(|e| CliError::input(e.to_string()))?;
    }
    if params.managers.is_empty() {
        params.managers = args
            .managers
            .iter()
            .map(|name| clientbase::automation::ManagerShift {
                name: name.trim().to_string(),
                ..Default::default()
            })
            .collect();
    }
    if let Some(at) = args.at {
        params.at = Some(at.with_timezone(&chrono::Utc));
    }
    let base = read_base(&args.base)?;
    let report = clientbase::automation::route(&base, &params)
        .map_err(|e| CliError::input(e.to_string()))?;
    match &report.client {
        Some(id) => say!(
            "a known client: {id} ({:.3}), owner {}",
            report.probability.unwrap_or(0.0),
            report.client_owner.as_deref().unwrap_or("-")
        ),
        None => say!("a new lead"),
    }
    say!(
        "manager: {} (rule {}{})",
        report.manager.as_deref().unwrap_or("nobody"),
        report.rule,
        if report.after_hours {
            ", after hours"
        } else {
            ""
        }
    );
    say!("why: {}", report.reason);
    if let Some(path) = &args.out {
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::failed(e.to_string()))?;
        std::fs::write(path, json)
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

/// The demo: today's reminders by the default rules, and where a new lead
/// and a known client's request go.
pub(crate) fn demo_section(demo: &mut crate::demo::Demo) -> CliResult {
    let base = &demo.base;
    let params = DueParams {
        as_of: Some(demo.config.today),
        ..DueParams::default()
    };
    let started = std::time::Instant::now();
    let table =
        clientbase::automation::due(base, &params).map_err(|e| CliError::failed(e.to_string()))?;
    say!(
        "  {} actions due on {} by the default rules ({:.0} ms):",
        int(table.rows() as u64),
        demo.config.today,
        started.elapsed().as_secs_f64() * 1000.0
    );
    say_actions(&table, "    ");
    let known = base
        .clients()
        .find(|c| c.owner.is_some() && !c.phones.is_empty());
    let mut owners: Vec<&str> = base.clients().filter_map(|c| c.owner.as_deref()).collect();
    owners.sort_unstable();
    owners.dedup();
    owners.truncate(3);
    if let Some(own) = known.and_then(|c| c.owner.as_deref()) {
        if !owners.contains(&own) {
            owners.push(own);
        }
    }
    let managers: Vec<clientbase::automation::ManagerShift> = owners
        .into_iter()
        .map(|name| clientbase::automation::ManagerShift {
            name: name.to_string(),
            working_hours: Some("09:00-18:00".into()),
            ..Default::default()
        })
        .collect();
    let leads = [
        (
            "a new lead at 22:00",
            Lead {
                name: Some("Лидова Новела".into()),
                phone: Some("+7 999 000-00-00".into()),
                ..Lead::default()
            },
        ),
        (
            "a known client's request",
            Lead {
                name: known.map(|c| c.display_name()),
                phone: known.and_then(|c| c.phones.first()).map(|p| p.raw.clone()),
                ..Lead::default()
            },
        ),
    ];
    let at = demo.config.today.and_hms_opt(22, 0, 0).map(|t| t.and_utc());
    let index = clientbase::dedup::MatchIndex::build(base, Default::default())
        .map_err(|e| CliError::failed(e.to_string()))?;
    for (what, lead) in leads {
        let report = clientbase::automation::route_with_index(
            base,
            &index,
            &RouteParams {
                lead,
                managers: managers.clone(),
                at,
                ..RouteParams::default()
            },
        )
        .map_err(|e| CliError::failed(e.to_string()))?;
        say!(
            "  routing {what}: {} ({})",
            report.manager.as_deref().unwrap_or("nobody"),
            report.reason
        );
    }
    Ok(())
}
