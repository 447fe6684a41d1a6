//! Call campaigns: a segment as tasks for managers.
//!
//! Each client of the segment reachable on the channel (by default: a phone
//! and a consent to calls) becomes one task. The client's own manager
//! (`owner`) takes it when they are in the pool (or there is no pool); the
//! others go to the pool's managers one after another (`round_robin`) or each
//! to the manager with the fewest open tasks, counting the base's open tasks
//! and the ones this campaign gave (`load`, the default).
//!
//! The reason on a task is, first found: the `reason` given; the product the
//! client is most overdue on by their own rhythm (`bought Корм для собак 41
//! days ago, usually every 30`, from [`crate::value::next_purchase`] on the
//! base's won deals); the same for all their purchases (`last bought 41 days
//! ago, usually every 30`); the segment (`in segment: <rule>`).
//!
//! Contacts without a normalized form are read from what was typed. The
//! script line is the plain text given, the same on every task. Lines
//! made for each client belong to a template renderer: the table carries what
//! one needs (name, manager, contact, reason) row by row.
//!
//! Tasks come back as a table ([`call_tasks`]) a host can show or import, or
//! are added to the base as [`Activity`] tasks ([`add_call_tasks`]): the
//! manager, the due date (00:00 UTC of the day), the text (the reason, then
//! the script line on its own line).

use super::build::{scope, Audience, Readers};
use super::{AudienceChannel, Purpose};
use crate::activity::{Activity, ActivityKind};
use crate::base::ClientBase;
use crate::capability::Rows;
use crate::client::Client;
use crate::error::{invalid, Result};
use crate::ids::{ActivityId, ClientId};
use crate::table::{Column, Table, Value};
use crate::value::{next_purchase, NextPurchaseParams};
use chrono::{NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How tasks without the client's own manager are shared out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribute {
    /// To the pool's managers in turn.
    RoundRobin,
    /// Each to the manager with the fewest open tasks (the default).
    #[default]
    Load,
}

/// Params of [`call_tasks`] and [`add_call_tasks`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallTasksParams {
    /// The segment rule, text or JSON (default `null`: every client).
    pub segment: Option<serde_json::Value>,
    /// Named segments the rule may refer to (default: none).
    pub segments: BTreeMap<String, serde_json::Value>,
    /// The campaign date (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`).
    pub time_zone: String,
    /// The channel the task reaches the client on (default `calls`: a phone
    /// and, for marketing, a consent to calls); `null` for tasks that need no
    /// contact (asking a client for a missing one): every client of the
    /// segment gets a task.
    pub channel: Option<AudienceChannel>,
    /// `marketing` (default) or `service` (no marketing consent needed).
    pub purpose: Purpose,
    /// One task per contact (default true), as in an audience.
    pub dedupe: bool,
    /// The pool of managers for clients without their own (default: none;
    /// such tasks are then left without a manager).
    pub managers: Vec<String>,
    /// Give a client's task to their own manager when they are in the pool
    /// or there is no pool (default true).
    pub own_manager: bool,
    /// `load` (default) or `round_robin`.
    pub distribute: Distribute,
    /// The task is due this many days after `as_of` (default 3, at most 365).
    pub due_in_days: u32,
    /// The reason written on every task (default `null`: from the client's
    /// purchases, else the segment).
    pub reason: Option<String>,
    /// The script line, plain text, the same on every task (default empty).
    pub script: String,
}

impl Default for CallTasksParams {
    fn default() -> CallTasksParams {
        CallTasksParams {
            segment: None,
            segments: BTreeMap::new(),
            as_of: None,
            time_zone: "UTC".into(),
            channel: Some(AudienceChannel::Calls),
            purpose: Purpose::Marketing,
            dedupe: true,
            managers: Vec::new(),
            own_manager: true,
            distribute: Distribute::Load,
            due_in_days: 3,
            reason: None,
            script: String::new(),
        }
    }
}

impl CallTasksParams {
    /// Checks the values; the error names the field.
    pub fn validate(&self) -> Result<()> {
        if self.due_in_days > 365 {
            return Err(invalid(
                "due_in_days",
                format!("{} is more than 365", self.due_in_days),
            ));
        }
        for (i, manager) in self.managers.iter().enumerate() {
            if manager.trim().is_empty() {
                return Err(invalid(format!("managers[{i}]"), "empty manager name"));
            }
            if self.managers[..i].contains(manager) {
                return Err(invalid(
                    format!("managers[{i}]"),
                    format!("{manager:?} is listed twice"),
                ));
            }
        }
        if self.reason.as_ref().is_some_and(|r| r.trim().is_empty()) {
            return Err(invalid(
                "reason",
                "an empty reason: leave it out to have one made",
            ));
        }
        if self.script.len() > 4000 || self.reason.as_ref().is_some_and(|r| r.len() > 4000) {
            return Err(invalid("script", "longer than 4000 bytes"));
        }
        Ok(())
    }
}

/// One task of a call campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTask {
    /// The client.
    pub client: ClientId,
    /// The client's name as shown in lists.
    pub name: String,
    /// The manager; `None` when the client has none and there is no pool.
    pub manager: Option<String>,
    /// Whether the manager is the client's own.
    pub own_manager: bool,
    /// When the task is due.
    pub due: NaiveDate,
    /// The contact to call (E.164), when the campaign has a channel.
    pub contact: Option<String>,
    /// Why the client is called.
    pub reason: String,
    /// The script line.
    pub script: String,
}

/// The tasks of a campaign, in client id order.
pub(crate) fn plan(
    base: &ClientBase,
    params: &CallTasksParams,
) -> Result<(Vec<CallTask>, NaiveDate)> {
    params.validate()?;
    let scope = scope(
        base,
        &params.segment,
        &params.segments,
        params.as_of,
        &params.time_zone,
    )?;
    let as_of = scope.as_of;
    let reached: Vec<(&Client, Option<String>)> = match params.channel {
        Some(channel) => Audience::of(
            &scope.clients,
            channel,
            params.purpose,
            as_of,
            params.dedupe,
            &Readers::new(true),
        )
        .members
        .into_iter()
        .map(|m| (m.client, Some(m.contact.into_owned())))
        .collect(),
        None => scope.clients.iter().map(|&c| (c, None)).collect(),
    };
    let managers = assign(base, params, reached.iter().map(|r| r.0));
    let reasons = match &params.reason {
        Some(_) => HashMap::new(),
        None => purchase_reasons(base, as_of, &reached),
    };
    let fallback = params.reason.clone().unwrap_or_else(|| match &scope.rule {
        Some(rule) => format!("in segment: {rule}"),
        None => "in the base".to_string(),
    });
    let due = as_of + chrono::Days::new(u64::from(params.due_in_days));
    let tasks = reached
        .into_iter()
        .zip(managers)
        .map(|((client, contact), (manager, own))| CallTask {
            client: client.id,
            name: client.display_name(),
            manager,
            own_manager: own,
            due,
            contact,
            reason: reasons
                .get(&client.id)
                .cloned()
                .unwrap_or_else(|| fallback.clone()),
            script: params.script.clone(),
        })
        .collect();
    Ok((tasks, as_of))
}

/// The manager of each client's task and whether it is the client's own.
fn assign<'a>(
    base: &ClientBase,
    params: &CallTasksParams,
    clients: impl Iterator<Item = &'a Client>,
) -> Vec<(Option<String>, bool)> {
    let pool = &params.managers;
    let mut load: Vec<usize> = vec![0; pool.len()];
    if params.distribute == Distribute::Load && !pool.is_empty() {
        let at: HashMap<&str, usize> = pool
            .iter()
            .enumerate()
            .map(|(i, m)| (m.as_str(), i))
            .collect();
        for task in base.activities().filter(|a| a.is_open_task()) {
            if let Some(&i) = task.manager.as_deref().and_then(|m| at.get(m)) {
                load[i] += 1;
            }
        }
    }
    let mut out: Vec<(Option<String>, bool)> = clients
        .map(|client| match &client.owner {
            Some(owner) if params.own_manager && (pool.is_empty() || pool.contains(owner)) => {
                if let Some(i) = pool.iter().position(|m| m == owner) {
                    load[i] += 1;
                }
                (Some(owner.clone()), true)
            }
            _ => (None, false),
        })
        .collect();
    if pool.is_empty() {
        return out;
    }
    let mut turn = 0;
    for slot in out.iter_mut().filter(|s| s.0.is_none()) {
        let i = match params.distribute {
            Distribute::RoundRobin => {
                let i = turn % pool.len();
                turn += 1;
                i
            }
            Distribute::Load => (0..pool.len()).min_by_key(|&i| (load[i], i)).unwrap_or(0),
        };
        load[i] += 1;
        slot.0 = Some(pool[i].clone());
    }
    out
}

/// For each client who has a purchase rhythm: the product most overdue by
/// it (or all their purchases together) in words.
fn purchase_reasons(
    base: &ClientBase,
    as_of: NaiveDate,
    clients: &[(&Client, Option<String>)],
) -> HashMap<ClientId, String> {
    let wanted: std::collections::HashSet<u64> = clients.iter().map(|c| c.0.id.get()).collect();
    let mut reasons: HashMap<ClientId, (i64, String)> = HashMap::new();
    for by_product in [true, false] {
        let params = NextPurchaseParams {
            by_product,
            as_of: Some(as_of),
            ..NextPurchaseParams::default()
        };
        // No won deals, or none with lines: no rhythm to tell.
        let Ok(table) = next_purchase(Rows::Base(base), &params) else {
            continue;
        };
        let (Some(client), Some(last), Some(expected)) = (
            table.column("client"),
            table.column("last_purchase"),
            table.column("expected_date"),
        ) else {
            continue;
        };
        let product = table.column("product");
        for i in 0..table.rows() {
            let (Value::UInt64(id), Value::Date(last), Value::Date(expected)) =
                (client.value(i), last.value(i), expected.value(i))
            else {
                continue;
            };
            if !wanted.contains(&id) {
                continue;
            }
            let every = (expected - last).num_days();
            let ago = (as_of - last).num_days();
            let overdue = ago - every;
            let text = match product.map(|p| p.value(i)) {
                Some(Value::Text(name)) => {
                    format!("bought {name} {ago} days ago, usually every {every}")
                }
                _ => format!("last bought {ago} days ago, usually every {every}"),
            };
            let entry = reasons.entry(ClientId(id));
            match entry {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    if by_product && overdue > e.get().0 {
                        e.insert((overdue, text));
                    }
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((overdue, text));
                }
            }
        }
    }
    reasons
        .into_iter()
        .map(|(id, (_, text))| (id, text))
        .collect()
}

fn tasks_table(tasks: &[CallTask]) -> Result<Table> {
    Table::with_rows(
        tasks.len(),
        vec![
            Column::from_uint64s("client", tasks.iter().map(|t| Some(t.client.get()))),
            Column::from_texts("name", tasks.iter().map(|t| Some(t.name.as_str()))),
            Column::from_texts("manager", tasks.iter().map(|t| t.manager.as_deref())),
            Column::from_bools("own_manager", tasks.iter().map(|t| Some(t.own_manager))),
            Column::from_dates("due", tasks.iter().map(|t| Some(t.due))),
            Column::from_texts("contact", tasks.iter().map(|t| t.contact.as_deref())),
            Column::from_texts("reason", tasks.iter().map(|t| Some(t.reason.as_str()))),
            Column::from_texts("script", tasks.iter().map(|t| Some(t.script.as_str()))),
        ],
    )
}

/// The call tasks of a campaign as a table, one row per client in id
/// order: `client` (uint64), `name`, `manager` (null when none), `own_manager`
/// (bool), `due` (date), `contact` (the number to call; null without a
/// channel), `reason`, `script`.
pub fn call_tasks(base: &ClientBase, params: &CallTasksParams) -> Result<Table> {
    tasks_table(&plan(base, params)?.0)
}

/// What [`add_call_tasks`] added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedTasks {
    /// How many tasks were added.
    pub added: usize,
    /// How many of them have no manager (no own manager and no pool).
    pub unassigned: usize,
    /// The new tasks' ids, in client id order.
    pub tasks: Vec<ActivityId>,
}

/// Adds the call tasks of a campaign to the base as [`Activity`] tasks,
/// created at 00:00 UTC of `as_of` and due at 00:00 UTC of their due day,
/// with the manager and the text (reason, then the script line), in one write.
pub fn add_call_tasks(base: &mut ClientBase, params: &CallTasksParams) -> Result<AddedTasks> {
    let (tasks, as_of) = plan(base, params)?;
    let midnight = |day: NaiveDate| Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN));
    base.journaled("add_call_tasks", |base| {
        let mut ids = Vec::with_capacity(tasks.len());
        for task in &tasks {
            let text = if task.script.is_empty() {
                task.reason.clone()
            } else {
                format!("{}\n{}", task.reason, task.script)
            };
            let activity = Activity {
                manager: task.manager.clone(),
                ..Activity::task(task.client, midnight(as_of), midnight(task.due), &text)
            };
            debug_assert_eq!(activity.kind, ActivityKind::Task);
            ids.push(base.add_activity(activity)?);
        }
        Ok(AddedTasks {
            added: ids.len(),
            unassigned: tasks.iter().filter(|t| t.manager.is_none()).count(),
            tasks: ids,
        })
    })
}
