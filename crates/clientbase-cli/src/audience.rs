//! `clientbase audience` and `clientbase tasks`: who a campaign reaches on a
//! channel (with the clients left out, by reason), ad audiences with hashed
//! contacts, and call campaigns as tasks for managers, written as CSV.

use crate::output::{cell, int, read_base, write_table};
use crate::{CliError, CliResult};
use clientbase::audience::{
    AdParams, AdPlatform, Audience, AudienceChannel, AudienceParams, CallTasksParams, Distribute,
    Purpose, Reason,
};
use clientbase::table::{Table, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct AudienceArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// The channel: sms, email, calls, whatsapp, telegram, viber, max, vk, ok,
    /// voice_robot, ads.
    #[arg(long)]
    pub channel: String,
    /// The segment rule, in the text syntax or its JSON form (default: every client).
    #[arg(long)]
    pub segment: Option<String>,
    /// The campaign date consents count on (yyyy-mm-dd; default today).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// A service message (no marketing consent needed) instead of marketing.
    #[arg(long)]
    pub service: bool,
    /// Keep every member even when several share a contact.
    #[arg(long)]
    pub no_dedupe: bool,
    /// With `--channel ads`: write the platform's customer list instead, with
    /// hashed emails and phones (google, meta, yandex).
    #[arg(long)]
    pub platform: Option<String>,
    /// Where to write the audience (CSV: client, contact, field, owner; or the
    /// platform's hashed columns).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where to write the clients left out (CSV: client, reason, other).
    #[arg(long)]
    pub exclusions: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct TasksArgs {
    /// The base (JSON or a base file).
    #[arg(long)]
    pub base: PathBuf,
    /// The segment rule, in the text syntax or its JSON form (default: every client).
    #[arg(long)]
    pub segment: Option<String>,
    /// The campaign date (yyyy-mm-dd; default today).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The managers who take clients without their own, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub managers: Vec<String>,
    /// How they are shared out: load (fewest open tasks first) or round_robin.
    #[arg(long, default_value = "load")]
    pub distribute: String,
    /// The channel the clients are reached on (calls by default; `none` for
    /// tasks that need no contact, such as asking for a missing one).
    #[arg(long, default_value = "calls")]
    pub channel: String,
    /// A service call (no marketing consent needed) instead of marketing.
    #[arg(long)]
    pub service: bool,
    /// Days from the campaign date to the due date.
    #[arg(long, default_value_t = 3)]
    pub due_in_days: u32,
    /// The reason written on every task (default: from the client's purchases).
    #[arg(long)]
    pub reason: Option<String>,
    /// The script line (plain text, the same on every task).
    #[arg(long, default_value = "")]
    pub script: String,
    /// Where to write the tasks (CSV: client, name, manager, own_manager, due,
    /// contact, reason, script).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn rule_value(text: &Option<String>) -> CliResult<Option<serde_json::Value>> {
    Ok(match text {
        None => None,
        Some(t) if t.trim_start().starts_with('{') => Some(
            serde_json::from_str(t)
                .map_err(|e| CliError::input(format!("the segment's JSON form: {e}")))?,
        ),
        Some(t) => Some(serde_json::Value::String(t.clone())),
    })
}

fn from_name<T: serde::de::DeserializeOwned>(what: &str, name: &str) -> CliResult<T> {
    serde_json::from_value(serde_json::Value::String(name.trim().to_lowercase()))
        .map_err(|e| CliError::input(format!("{what} {name:?}: {e}")))
}

fn say_exclusions(audience: &Audience<'_>) {
    let summary = audience.summary();
    say!(
        "{} of {} clients of the segment reachable on {} ({}, as of {})",
        int(summary.audience as u64),
        int(summary.segment as u64),
        summary.channel,
        match summary.purpose {
            Purpose::Marketing => "marketing",
            Purpose::Service => "service",
        },
        summary.as_of
    );
    for reason in Reason::ALL {
        say!(
            "  left out, {:<18} {:>8}",
            reason.name(),
            int(summary.excluded.get(reason) as u64)
        );
    }
}

/// `clientbase audience`.
pub(crate) fn run(args: &AudienceArgs) -> CliResult {
    let channel: AudienceChannel = args
        .channel
        .parse()
        .map_err(|e: clientbase::Error| CliError::input(e.to_string()))?;
    let params = AudienceParams {
        segment: rule_value(&args.segment)?,
        channel: Some(channel),
        as_of: args.as_of,
        purpose: if args.service {
            Purpose::Service
        } else {
            Purpose::Marketing
        },
        dedupe: !args.no_dedupe,
        ..AudienceParams::default()
    };
    let platform: Option<AdPlatform> = match &args.platform {
        Some(name) if channel == AudienceChannel::Ads => Some(from_name("platform", name)?),
        Some(_) => return Err(CliError::input("--platform goes with --channel ads")),
        None => None,
    };
    let base = read_base(&args.base)?;
    let audience = Audience::build(&base, &params).map_err(|e| CliError::input(e.to_string()))?;
    say_exclusions(&audience);
    if let Some(path) = &args.out {
        let table = match platform {
            Some(platform) => clientbase::audience::ad_audience(
                &base,
                &AdParams {
                    platform: Some(platform),
                    segment: params.segment.clone(),
                    as_of: Some(audience.as_of),
                    dedupe: params.dedupe,
                    ..AdParams::default()
                },
            ),
            None => audience.members_table(),
        }
        .map_err(|e| CliError::failed(e.to_string()))?;
        write_table(&table, path, "members", cell)?;
    }
    if let Some(path) = &args.exclusions {
        let table = audience
            .exclusions_table()
            .map_err(|e| CliError::failed(e.to_string()))?;
        write_table(&table, path, "clients left out", cell)?;
    }
    Ok(())
}

fn tasks_by_manager(table: &Table) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    if let Some(column) = table.column("manager") {
        for i in 0..table.rows() {
            let name = match column.value(i) {
                Value::Text(t) => t.to_string(),
                _ => "(no manager)".to_string(),
            };
            *counts.entry(name).or_insert(0) += 1;
        }
    }
    counts
}

/// `clientbase tasks`.
pub(crate) fn tasks(args: &TasksArgs) -> CliResult {
    let channel = match args.channel.trim() {
        "none" | "" => None,
        name => Some(
            name.parse::<AudienceChannel>()
                .map_err(|e| CliError::input(e.to_string()))?,
        ),
    };
    let params = CallTasksParams {
        segment: rule_value(&args.segment)?,
        as_of: args.as_of,
        channel,
        purpose: if args.service {
            Purpose::Service
        } else {
            Purpose::Marketing
        },
        managers: args.managers.iter().map(|m| m.trim().to_string()).collect(),
        distribute: from_name::<Distribute>("distribute", &args.distribute)?,
        due_in_days: args.due_in_days,
        reason: args.reason.clone(),
        script: args.script.clone(),
        ..CallTasksParams::default()
    };
    let base = read_base(&args.base)?;
    let table = clientbase::audience::call_tasks(&base, &params)
        .map_err(|e| CliError::input(e.to_string()))?;
    say!("{} call tasks", int(table.rows() as u64));
    for (manager, n) in tasks_by_manager(&table) {
        say!("  {manager:<24} {:>8}", int(n as u64));
    }
    if let Some(path) = &args.out {
        write_table(&table, path, "tasks", cell)?;
    }
    Ok(())
}

/// The demo: an SMS audience of the base with the clients left out, and a
/// call campaign for clients who buy regularly, shared out by manager.
pub(crate) fn demo_section(demo: &mut crate::demo::Demo) -> CliResult {
    let base = &demo.base;
    let segment = "stage in (customer, loyal)";
    let params = AudienceParams {
        segment: Some(segment.into()),
        channel: Some(AudienceChannel::Sms),
        as_of: Some(demo.config.today),
        ..AudienceParams::default()
    };
    let audience = Audience::build(base, &params).map_err(|e| CliError::failed(e.to_string()))?;
    say!("  SMS audience of `{segment}`:");
    say_exclusions(&audience);
    let managers: Vec<String> = {
        let mut owners: Vec<&str> = base.clients().filter_map(|c| c.owner.as_deref()).collect();
        owners.sort_unstable();
        owners.dedup();
        owners.into_iter().take(4).map(str::to_string).collect()
    };
    let tasks = clientbase::audience::call_tasks(
        base,
        &CallTasksParams {
            segment: Some("stage = loyal and purchases >= 3".into()),
            as_of: Some(demo.config.today),
            managers,
            script: "Добрый день! Напоминаем о нашем предложении.".into(),
            ..CallTasksParams::default()
        },
    )
    .map_err(|e| CliError::failed(e.to_string()))?;
    say!();
    say!(
        "  Call campaign `stage = loyal and purchases >= 3`: {} tasks by manager",
        int(tasks.rows() as u64)
    );
    for (manager, n) in tasks_by_manager(&tasks) {
        say!("    {manager:<24} {:>8}", int(n as u64));
    }
    if let Some(Value::Text(reason)) = tasks.column("reason").map(|c| c.value(0)) {
        say!("    the first task's reason: {reason}");
    }
    Ok(())
}
