//! A client's history: everything that happened to one client, in time order.
//!
//! [`client_history`] gathers, for one client, the events the base knows of
//! and gives them back as one [`Table`] in time order (ties keep a fixed
//! order: the client's own events, then deals by id, activities by id,
//! merges, then the change log by entry number):
//!
//! | kind | when | where from (`source`) |
//! | --- | --- | --- |
//! | `client_added` | the client's `created_at` | `client` |
//! | `deal_opened` | a deal's `created_at` | `deal` |
//! | `deal_won`, `deal_lost`, `deal_duplicate` | a closed deal's `closed_at` | `deal` |
//! | `activity` | an activity's `at` (calls, emails, meetings, tasks, …) | `activity` |
//! | `merge` | a merge into this client (or of it into another) | `merge` (the merge log) or `change_log` |
//! | `merge_undone` | a merge undone | `change_log` |
//! | `consent_given`, `consent_withdrawn` | the consent's own date | `client` or `change_log` |
//! | `contact_added`, `contact_removed` | the write that changed a phone, email or messenger | `change_log` |
//! | `stage_changed` | the write that moved the client's lifecycle stage | `change_log` |
//! | `deal_stage` | the write that moved a deal to another pipeline stage | `change_log` |
//!
//! **What a base in memory gives and what a base file adds.** Every base
//! gives the client's creation, its deals (opened, won, lost), its
//! activities, the merges of its merge log (the merges made and not undone)
//! and the consents *as they stand now* (each consent with the date it was
//! given or withdrawn). A base kept in a file ([`ClientBase::open`]) also
//! keeps a change log (so does a base in memory after
//! [`ClientBase::keep_change_log`], for its last entries), and the history
//! then adds what only the log knows:
//! every consent given or withdrawn before the current one, contact points
//! added and removed, lifecycle-stage and deal-stage moves, merges that were
//! undone and the undo itself, and who (the actor set with
//! [`ClientBase::set_actor`]) made each write.
//!
//! The records merged into the client are part of its history: their deals
//! and activities moved to it with the merge, and on a base file their own
//! change log entries are read too; the `client` column names the record an
//! event was recorded on. Asking for a record that was merged away gives the
//! history of the client it was merged into (following later merges too);
//! a client that was never in the base, or was removed, is an
//! [`ErrorKind::UnknownId`] error.
//!
//! ```
//! use clientbase::history::{client_history, HistoryParams};
//! use clientbase::{Client, ClientBase, ClientId, Currency, Deal, DealStatus, Money, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! base.freeze_clock(Some("2025-01-10T09:00:00Z".parse().unwrap()));
//! let olga = base.add_client(Client::person("Смирнова", "Ольга", None))?;
//! let mut deal = Deal::new(olga, Money::parse("4 990,00", Currency::RUB)?);
//! deal.status = DealStatus::Won;
//! deal.closed_at = Some("2025-02-01T12:00:00Z".parse().unwrap());
//! base.add_deal(deal)?;
//! let table = client_history(&base, &HistoryParams { client: olga, ..HistoryParams::default() })?;
//! let kinds: Vec<_> = table.column("kind").unwrap().values().collect();
//! assert_eq!(kinds.len(), 3); // client_added, deal_opened, deal_won
//! assert_eq!(kinds[2], clientbase::table::Value::Text("deal_won"));
//! # Ok::<(), clientbase::Error>(())
//! ```

use crate::access::ContactAccess;
use crate::activity::Activity;
use crate::base::{ClientBase, MergeRecord};
use crate::client::{Consent, ConsentState, Consents};
use crate::deal::{Deal, DealStatus};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use crate::table::{Column, Table};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// The kinds of event a history holds (the `kind` column), in the order
/// [`HistoryParams::kinds`] accepts them.
pub const HISTORY_KINDS: [&str; 14] = [
    "client_added",
    "deal_opened",
    "deal_won",
    "deal_lost",
    "deal_duplicate",
    "deal_stage",
    "activity",
    "merge",
    "merge_undone",
    "consent_given",
    "consent_withdrawn",
    "contact_added",
    "contact_removed",
    "stage_changed",
];

/// Params of [`client_history`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryParams {
    /// The client (required). A record merged into another leads to the
    /// history of the client it was merged into.
    pub client: ClientId,
    /// Only events on or after this day (UTC; default: from the first).
    pub from: Option<NaiveDate>,
    /// Only events on or before this day (UTC; default: to the last).
    pub to: Option<NaiveDate>,
    /// Only these kinds of event (default: all of [`HISTORY_KINDS`]).
    pub kinds: Option<Vec<String>>,
}

impl HistoryParams {
    fn validate(&self) -> Result<()> {
        if self.client.0 == 0 {
            return Err(invalid("client", "the client is required (an id from 1)"));
        }
        crate::analytics::check_period(self.from, self.to)?;
        for kind in self.kinds.iter().flatten() {
            if !HISTORY_KINDS.contains(&kind.as_str()) {
                return Err(invalid(
                    "kinds",
                    format!(
                        "{kind:?} is not a kind of event; kinds are {}",
                        HISTORY_KINDS.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// One event before it becomes a row.
#[derive(Debug, Clone)]
struct Event {
    time: DateTime<Utc>,
    kind: &'static str,
    what: String,
    detail: String,
    actor: Option<String>,
    client: ClientId,
    deal: Option<DealId>,
    source: &'static str,
}

/// The client's history in time order: one row per event with the columns
/// `time` (timestamp), `kind` (one of [`HISTORY_KINDS`]), `what` (the
/// subject: `deal 3 «Кухня»`, `call`, `phone +79161234567`, `consent sms`),
/// `detail`, `actor` (who: the deal's owner, the activity's manager, the
/// change log's actor; for the client's creation the actor who added it, else
/// its owner), `client` (the record it happened to: the client or
/// one merged into it), `deal` and `source` (`client`, `deal`, `activity`,
/// `merge` or `change_log`). See the [module docs](self) for what a base in
/// memory gives and what a base file adds.
pub fn client_history(base: &ClientBase, params: &HistoryParams) -> Result<Table> {
    history_with(base, params, ContactAccess::Full)
}

/// [`client_history`] with the contact points of the change log as `contacts`
/// shows them (masked, or their events left out when hidden): a role view's
/// history.
pub(crate) fn history_with(
    base: &ClientBase,
    params: &HistoryParams,
    contacts: ContactAccess,
) -> Result<Table> {
    params.validate()?;
    let client = resolve(base, params.client)?;
    let ids = merged_into(base.merges(), client);
    let mut events: Vec<Event> = Vec::new();
    let mut log = ChangeLog::of(base, &ids, contacts)?;
    for &id in &ids {
        // A record merged away is read as the merge found it.
        let record = base.get_client(id).or_else(|| {
            base.merges()
                .iter()
                .flat_map(|m| &m.before)
                .find(|c| c.id == id)
        });
        if let Some(c) = record {
            if let Some(at) = c.created_at {
                events.push(Event {
                    time: at,
                    kind: "client_added",
                    what: c.display_name(),
                    detail: c
                        .source
                        .clone()
                        .map(|s| format!("source {s}"))
                        .unwrap_or_default(),
                    actor: log.added_by(id).or_else(|| c.owner.clone()),
                    client: id,
                    deal: None,
                    source: "client",
                });
            }
        }
    }
    let mut deals: Vec<&Deal> = ids.iter().flat_map(|&id| base.deals_of(id)).collect();
    deals.sort_by_key(|d| d.id);
    // Deals and activities a merge moved here keep the record they were on.
    let mut deal_origin: HashMap<DealId, ClientId> = HashMap::new();
    let mut activity_origin: HashMap<ActivityId, ClientId> = HashMap::new();
    for m in base.merges() {
        if ids.contains(&m.survivor) {
            deal_origin.extend(m.deals.iter().copied());
            activity_origin.extend(m.activities.iter().copied());
        }
    }
    for deal in deals {
        let start = events.len();
        deal_events(deal, &mut events);
        if let Some(&origin) = deal_origin.get(&deal.id) {
            for e in &mut events[start..] {
                e.client = origin;
            }
        }
    }
    let mut activities: Vec<&Activity> =
        ids.iter().flat_map(|&id| base.activities_of(id)).collect();
    activities.sort_by_key(|a| a.id);
    for activity in activities {
        let mut event = activity_event(activity);
        if let Some(&origin) = activity_origin.get(&activity.id) {
            event.client = origin;
        }
        events.push(event);
    }
    let mut consents: Vec<(ClientId, String, Consent)> = Vec::new();
    for &id in &ids {
        if let Some(c) = base.get_client(id) {
            for (channel, consent) in consent_list(&c.consents) {
                consents.push((id, channel, consent));
            }
        }
    }
    log.events(&mut events, &mut consents);
    // The merge log's merges, unless the change log told of them already (a
    // base saved to a file after merging has them in the merge log only).
    for merge in base.merges() {
        let logged = events.iter().any(|e| {
            e.kind == "merge"
                && e.source == "change_log"
                && e.client == merge.survivor
                && (e.time - merge.at).num_seconds().abs() <= 5
        });
        if ids.contains(&merge.survivor) && !logged {
            events.push(merge_event(merge));
        }
    }
    let mut seen = BTreeSet::new();
    for (id, channel, consent) in consents {
        if !seen.insert((id, channel.clone(), consent.state.name(), consent.date)) {
            continue;
        }
        let actor = log.consent_actor(id, &channel, &consent);
        events.push(Event {
            time: consent.date.and_time(chrono::NaiveTime::MIN).and_utc(),
            kind: match consent.state {
                ConsentState::Given => "consent_given",
                ConsentState::Withdrawn => "consent_withdrawn",
            },
            what: format!("consent {channel}"),
            detail: format!("{} on {}", consent.state.name(), consent.date),
            actor,
            client: id,
            deal: None,
            source: if log.consent_logged(id, &channel, &consent) {
                "change_log"
            } else {
                "client"
            },
        });
    }
    // A stable sort keeps the order the events were gathered in for equal times.
    events.sort_by_key(|e| e.time);
    let kinds: Option<BTreeSet<&str>> = params
        .kinds
        .as_ref()
        .map(|k| k.iter().map(String::as_str).collect());
    events.retain(|e| {
        let day = e.time.date_naive();
        params.from.is_none_or(|f| day >= f)
            && params.to.is_none_or(|t| day <= t)
            && kinds.as_ref().is_none_or(|k| k.contains(e.kind))
    });
    Table::new(vec![
        Column::from_timestamps("time", events.iter().map(|e| Some(e.time))),
        Column::from_texts("kind", events.iter().map(|e| Some(e.kind))),
        Column::from_texts("what", events.iter().map(|e| Some(e.what.as_str()))),
        Column::from_texts(
            "detail",
            events
                .iter()
                .map(|e| (!e.detail.is_empty()).then_some(e.detail.as_str())),
        ),
        Column::from_texts("actor", events.iter().map(|e| e.actor.as_deref())),
        Column::from_uint64s("client", events.iter().map(|e| Some(e.client.0))),
        Column::from_uint64s("deal", events.iter().map(|e| e.deal.map(|d| d.0))),
        Column::from_texts("source", events.iter().map(|e| Some(e.source))),
    ])
}

/// The client a possibly merged-away id now is, or an error saying it is not there.
fn resolve(base: &ClientBase, id: ClientId) -> Result<ClientId> {
    let mut current = id;
    // Each step follows one merge; a chain is at most as long as the log.
    for _ in 0..=base.merges().len() {
        if base.get_client(current).is_some() {
            return Ok(current);
        }
        match base
            .merges()
            .iter()
            .rev()
            .find(|m| m.merged.contains(&current))
        {
            Some(m) => current = m.survivor,
            None => break,
        }
    }
    #[cfg_attr(not(feature = "storage"), allow(unused_mut))]
    let mut reason = format!("{id} is not in the base and was not merged into another client");
    #[cfg(feature = "storage")]
    if base.keeps_change_log() {
        let changes = base.changes(&crate::ChangesParams {
            record: Some(id.to_string()),
            ..crate::ChangesParams::default()
        })?;
        if let Some(c) = changes.iter().rev().find(|c| {
            c.records
                .iter()
                .any(|r| r.record == id.to_string() && r.op == crate::RecordOp::Removed)
        }) {
            reason = format!(
                "{id} was removed on {} ({}{})",
                c.at.format("%Y-%m-%d %H:%M:%S UTC"),
                c.action,
                c.actor
                    .as_deref()
                    .map(|a| format!(" by {a}"))
                    .unwrap_or_default()
            );
        }
    }
    Err(Error::new(ErrorKind::UnknownId, reason)
        .with_record(id.to_string())
        .with_field("client"))
}

/// The client and every record merged into it (and into those), in id order.
fn merged_into(merges: &[MergeRecord], client: ClientId) -> Vec<ClientId> {
    let mut ids = BTreeSet::from([client]);
    loop {
        let before = ids.len();
        for m in merges {
            if ids.contains(&m.survivor) {
                ids.extend(m.merged.iter().copied());
            }
        }
        if ids.len() == before {
            return ids.into_iter().collect();
        }
    }
}

fn deal_name(deal: &Deal) -> String {
    match &deal.title {
        Some(t) if !t.trim().is_empty() => format!("{} «{}»", deal.id, t.trim()),
        _ => deal.id.to_string(),
    }
}

fn deal_events(deal: &Deal, events: &mut Vec<Event>) {
    let event = |time, kind, detail: String| Event {
        time,
        kind,
        what: deal_name(deal),
        detail,
        actor: deal.owner.as_deref().map(str::to_string),
        client: deal.client,
        deal: Some(deal.id),
        source: "deal",
    };
    if let Some(at) = deal.created_at {
        events.push(event(
            at,
            "deal_opened",
            format!("{}, {} / {}", deal.amount, deal.pipeline, deal.stage),
        ));
    }
    if let Some(at) = deal.closed_at {
        let (kind, detail) = match deal.status {
            DealStatus::Won => ("deal_won", format!("won {}", deal.amount)),
            DealStatus::Lost => (
                "deal_lost",
                format!("lost {} at stage {}", deal.amount, deal.stage),
            ),
            DealStatus::DuplicateOf(other) => (
                "deal_duplicate",
                format!("closed as a duplicate of {other}"),
            ),
            DealStatus::Open => return,
        };
        events.push(event(at, kind, detail));
    }
}

fn activity_event(activity: &Activity) -> Event {
    let mut detail: Vec<String> = Vec::new();
    if let Some(d) = activity.direction {
        detail.push(format!("{d:?}").to_lowercase());
    }
    if let Some(o) = activity.outcome.as_deref().filter(|o| !o.trim().is_empty()) {
        detail.push(o.trim().to_string());
    }
    if let Some(t) = activity.text.as_deref().filter(|t| !t.trim().is_empty()) {
        detail.push(t.trim().to_string());
    }
    if let Some(due) = activity.due {
        detail.push(format!(
            "due {}{}",
            due.date_naive(),
            if activity.done { ", done" } else { "" }
        ));
    }
    Event {
        time: activity.at,
        kind: "activity",
        what: activity.kind.name().to_string(),
        detail: detail.join("; "),
        actor: activity.manager.clone(),
        client: activity.client,
        deal: activity.deal,
        source: "activity",
    }
}

fn list_ids(ids: &[ClientId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn merge_event(merge: &MergeRecord) -> Event {
    Event {
        time: merge.at,
        kind: "merge",
        what: format!("merge into {}", merge.survivor),
        detail: format!(
            "{} merged into {}; {} deals and {} activities moved",
            list_ids(&merge.merged),
            merge.survivor,
            merge.deals.len(),
            merge.activities.len()
        ),
        actor: None,
        client: merge.survivor,
        deal: None,
        source: "merge",
    }
}

/// Each consent of a client as it stands: personal data, then each channel.
fn consent_list(consents: &Consents) -> Vec<(String, Consent)> {
    consents
        .personal_data
        .iter()
        .map(|c| ("personal_data".to_string(), *c))
        .chain(
            consents
                .marketing
                .iter()
                .map(|(ch, c)| (ch.name().to_string(), *c)),
        )
        .collect()
}

#[cfg(feature = "storage")]
use log::ChangeLog;

#[cfg(feature = "storage")]
mod log {
    //! What the change log of a base file adds to a history.

    use super::{consent_list, list_ids, Event};
    use crate::access::ContactAccess;
    use crate::base::ClientBase;
    use crate::client::{Consent, Consents};
    use crate::error::Result;
    use crate::ids::{ClientId, DealId};
    use crate::{Change, ChangesParams, RecordOp};
    use serde_json::Value;
    use std::collections::{BTreeMap, BTreeSet};

    /// The change log entries about a client, its merged records and its deals.
    pub(super) struct ChangeLog {
        present: bool,
        entries: BTreeMap<u64, Change>,
        clients: Vec<ClientId>,
        deals: BTreeMap<DealId, ClientId>,
        /// Consents seen in the log: (client, channel, consent) → actor.
        consents: BTreeMap<(ClientId, String, String), Option<String>>,
    }

    fn consent_key(consent: &Consent) -> String {
        format!("{}@{}", consent.state.name(), consent.date)
    }

    impl ChangeLog {
        pub(super) fn of(
            base: &ClientBase,
            clients: &[ClientId],
            contacts: ContactAccess,
        ) -> Result<ChangeLog> {
            let mut log = ChangeLog {
                present: base.keeps_change_log(),
                entries: BTreeMap::new(),
                clients: clients.to_vec(),
                deals: BTreeMap::new(),
                consents: BTreeMap::new(),
            };
            if !log.present {
                return Ok(log);
            }
            let mut records: Vec<String> = clients.iter().map(ToString::to_string).collect();
            for &id in clients {
                for deal in base.deals_of(id) {
                    log.deals.insert(deal.id, deal.client);
                    records.push(deal.id.to_string());
                }
            }
            for record in records {
                let params = ChangesParams {
                    record: Some(record),
                    ..ChangesParams::default()
                };
                for mut change in base.changes(&params)? {
                    crate::access::mask_change(&mut change, contacts);
                    log.entries.insert(change.seq, change);
                }
            }
            Ok(log)
        }

        /// The actor of the entry that added the client, if logged.
        pub(super) fn added_by(&self, id: ClientId) -> Option<String> {
            let name = id.to_string();
            self.entries
                .values()
                .find(|c| {
                    c.records
                        .iter()
                        .any(|r| r.record == name && r.op == RecordOp::Added)
                })
                .and_then(|c| c.actor.clone())
        }

        pub(super) fn consent_logged(&self, id: ClientId, channel: &str, c: &Consent) -> bool {
            self.consents
                .contains_key(&(id, channel.to_string(), consent_key(c)))
        }

        pub(super) fn consent_actor(
            &self,
            id: ClientId,
            channel: &str,
            c: &Consent,
        ) -> Option<String> {
            self.consents
                .get(&(id, channel.to_string(), consent_key(c)))
                .cloned()
                .flatten()
        }

        /// Adds the log's events, and the consents it saw to `consents`.
        pub(super) fn events(
            &mut self,
            events: &mut Vec<Event>,
            consents: &mut Vec<(ClientId, String, Consent)>,
        ) {
            let mut seen_consents = Vec::new();
            for change in self.entries.values() {
                let removed: Vec<ClientId> = ids_with(change, RecordOp::Removed);
                let added: Vec<ClientId> = ids_with(change, RecordOp::Added);
                let ours = |id: &ClientId| self.clients.contains(id);
                let event = |kind, what: String, detail: String, client, deal| Event {
                    time: change.at,
                    kind,
                    what,
                    detail,
                    actor: change.actor.clone(),
                    client,
                    deal,
                    source: "change_log",
                };
                if change.action == "merge_clients" || change.action == "undo_merge" {
                    let (kind, moved, verb) = if change.action == "merge_clients" {
                        ("merge", &removed, "merged into")
                    } else {
                        ("merge_undone", &added, "taken back out of")
                    };
                    // The survivor changed more than its relations (the
                    // clients relinked to it changed only those).
                    let candidates: Vec<ClientId> = change
                        .records
                        .iter()
                        .filter(|r| r.op == RecordOp::Changed)
                        .filter(|r| r.fields.keys().any(|f| f != "relations"))
                        .filter_map(|r| parse_id(&r.record, "client ").map(ClientId))
                        .collect();
                    let survivor = candidates
                        .iter()
                        .find(|id| ours(id))
                        .or_else(|| candidates.first().filter(|_| moved.iter().any(ours)))
                        .copied();
                    if let Some(survivor) = survivor {
                        {
                            events.push(event(
                                kind,
                                format!("merge into {survivor}"),
                                format!("{} {verb} {survivor}", list_ids(moved)),
                                survivor,
                                None,
                            ));
                        }
                    }
                }
                for record in &change.records {
                    if let Some(id) = parse_id(&record.record, "client ") {
                        let id = ClientId(id);
                        // A new record's consents count; its contacts and
                        // stage are its creation, not a change.
                        if !ours(&id) || record.op == RecordOp::Removed {
                            continue;
                        }
                        let added = record.op == RecordOp::Added;
                        let by = if change.action.starts_with("update_") {
                            String::new()
                        } else {
                            format!(" ({})", change.action)
                        };
                        for (field, diff) in &record.fields {
                            match field.as_str() {
                                "phones" | "emails" | "messengers" if !added => {
                                    let before = contact_keys(field, &diff.before);
                                    let after = contact_keys(field, &diff.after);
                                    for k in after.difference(&before) {
                                        events.push(event(
                                            "contact_added",
                                            k.clone(),
                                            format!("added{by}"),
                                            id,
                                            None,
                                        ));
                                    }
                                    for k in before.difference(&after) {
                                        events.push(event(
                                            "contact_removed",
                                            k.clone(),
                                            format!("removed{by}"),
                                            id,
                                            None,
                                        ));
                                    }
                                }
                                "stage" if !added => events.push(event(
                                    "stage_changed",
                                    "lifecycle stage".into(),
                                    format!("{} → {}{by}", text(&diff.before), text(&diff.after)),
                                    id,
                                    None,
                                )),
                                "consents" => {
                                    let before = consents_of(&diff.before);
                                    for (channel, c) in consents_of(&diff.after) {
                                        if !before.contains(&(channel.clone(), c)) {
                                            seen_consents.push((
                                                id,
                                                channel,
                                                c,
                                                change.actor.clone(),
                                            ));
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                    } else if let Some(deal) = parse_id(&record.record, "deal ") {
                        let deal = DealId(deal);
                        let Some(&client) = self.deals.get(&deal) else {
                            continue;
                        };
                        if record.op != RecordOp::Changed {
                            continue;
                        }
                        if let Some(diff) = record.fields.get("stage") {
                            events.push(event(
                                "deal_stage",
                                deal.to_string(),
                                format!("{} → {}", text(&diff.before), text(&diff.after)),
                                client,
                                Some(deal),
                            ));
                        }
                    }
                }
            }
            for (id, channel, c, actor) in seen_consents {
                self.consents
                    .entry((id, channel.clone(), consent_key(&c)))
                    .or_insert(actor);
                consents.push((id, channel, c));
            }
            // Logged transitions first, in log order; the current state is then a repeat.
            consents
                .sort_by_key(|(id, channel, c)| (!self.consent_logged(*id, channel, c), c.date));
        }
    }

    fn parse_id(record: &str, prefix: &str) -> Option<u64> {
        record.strip_prefix(prefix)?.parse().ok()
    }

    fn ids_with(change: &Change, op: RecordOp) -> Vec<ClientId> {
        change
            .records
            .iter()
            .filter(|r| r.op == op)
            .filter_map(|r| parse_id(&r.record, "client ").map(ClientId))
            .collect()
    }

    fn text(value: &Value) -> String {
        match value {
            Value::Null => "none".into(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// The contact points of a `phones`, `emails` or `messengers` value, by
    /// their matching form (`phone +79161234567`, `email a@b.ru`, `telegram @x`).
    fn contact_keys(field: &str, value: &Value) -> BTreeSet<String> {
        let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
        items
            .iter()
            .map(|item| {
                let get = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or("");
                match field {
                    "phones" => {
                        let number = item
                            .get("e164")
                            .and_then(Value::as_str)
                            .unwrap_or_else(|| get("raw"));
                        format!("phone {number}")
                    }
                    "emails" => {
                        let address = item
                            .get("normalized")
                            .and_then(Value::as_str)
                            .unwrap_or_else(|| get("raw"));
                        format!("email {address}")
                    }
                    _ => {
                        let kind = match item.get("kind") {
                            Some(Value::String(s)) => s.clone(),
                            Some(other) => other.to_string(),
                            None => "messenger".into(),
                        };
                        format!("{kind} {}", get("id"))
                    }
                }
            })
            .collect()
    }

    fn consents_of(value: &Value) -> Vec<(String, Consent)> {
        serde_json::from_value::<Consents>(value.clone())
            .map(|c| consent_list(&c))
            .unwrap_or_default()
    }
}

/// A base in memory has no change log: nothing to add.
#[cfg(not(feature = "storage"))]
struct ChangeLog;

#[cfg(not(feature = "storage"))]
impl ChangeLog {
    fn of(_: &ClientBase, _: &[ClientId], _: ContactAccess) -> Result<ChangeLog> {
        Ok(ChangeLog)
    }
    fn added_by(&self, _: ClientId) -> Option<String> {
        None
    }
    fn consent_logged(&self, _: ClientId, _: &str, _: &Consent) -> bool {
        false
    }
    fn consent_actor(&self, _: ClientId, _: &str, _: &Consent) -> Option<String> {
        None
    }
    fn events(&mut self, _: &mut Vec<Event>, _: &mut Vec<(ClientId, String, Consent)>) {}
}
