//! The change log of a base kept in a file: one entry per write, with the time,
//! the actor and what changed, field by field.

use super::journal::Pending;
use crate::base::ClientBase;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How many records of one write are logged field by field; the rest of a big
/// write (an import) are logged by name only.
pub(super) const DETAILED_RECORDS: usize = 1000;

/// One write in the change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The entry's number: entries are numbered 1, 2, … in the order they were made.
    pub seq: u64,
    /// When the write was made (the base's clock).
    pub at: DateTime<Utc>,
    /// Who made it, as the host named them with [`ClientBase::set_actor`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The write: `add_client`, `update_deal`, `merge_clients`, `undo_merge`,
    /// `import_clients`, `normalize_contacts`, `declare_tag`, …; or a copy of
    /// records leaving the base: `export_clients_csv`, `export_deals_csv`,
    /// `export_json`, `clients_table`, `deals_table`, `backup`; or
    /// `migrate_format_1_to_2` when a file of an older format was rewritten
    /// in the current one on open.
    pub action: String,
    /// The records it changed (none for an export).
    pub records: Vec<RecordChange>,
    /// For an export or a backup: how many records it held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported: Option<u64>,
}

/// What one write did to one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordChange {
    /// The record: `client 17`, `deal 3`, `activity 8`, or `schema`.
    pub record: String,
    /// Whether it was added, changed or removed.
    pub op: RecordOp,
    /// The fields that differ, each with its value before and after (`null` when
    /// absent). Empty for records past the first thousand of one write.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, FieldChange>,
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordOp {
    /// The record is new.
    Added,
    /// The record was there and is different now.
    Changed,
    /// The record is gone (removed, or merged into another).
    Removed,
}

/// A field's value before and after a write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// The value before (`null` when the field was empty or the record new).
    pub before: Value,
    /// The value after (`null` when the field is empty now or the record gone).
    pub after: Value,
}

/// Which entries of the change log to read ([`ClientBase::changes`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChangesParams {
    /// Only entries that changed this record (`client 17`, `deal 3`, `schema`).
    pub record: Option<String>,
    /// Only entries made by this actor.
    pub actor: Option<String>,
    /// Only entries made at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries numbered above this one (to read on from a previous call).
    pub after_seq: Option<u64>,
    /// At most this many entries, oldest first (all when absent).
    pub limit: Option<usize>,
}

/// An entry before it is numbered.
pub(super) struct ChangeEntry {
    pub(super) at: DateTime<Utc>,
    pub(super) actor: Option<String>,
    pub(super) action: String,
    pub(super) records: Vec<RecordChange>,
    pub(super) exported: Option<u64>,
}

/// What a write changed, record by record, from the before-images in `pending`
/// and the base as it is now. Records past the first [`DETAILED_RECORDS`] are
/// named without their fields.
pub(super) fn record_changes(base: &ClientBase, pending: &Pending) -> Result<Vec<RecordChange>> {
    let mut out = Vec::new();
    push_changes(&mut out, &pending.clients, |id| base.clients.get(id))?;
    push_changes(&mut out, &pending.deals, |id| base.deals.get(id))?;
    push_changes(&mut out, &pending.activities, |id| base.activities.get(id))?;
    if let Some(before) = &pending.schema {
        let fields = diff(
            Some(serde_json::to_value(before)?),
            Some(serde_json::to_value(&base.schema)?),
        );
        if !fields.is_empty() {
            out.push(RecordChange {
                record: "schema".into(),
                op: RecordOp::Changed,
                fields,
            });
        }
    }
    Ok(out)
}

fn push_changes<'a, K: std::fmt::Display + Ord, R: Serialize + PartialEq + 'a>(
    out: &mut Vec<RecordChange>,
    before: &BTreeMap<K, Option<R>>,
    now: impl Fn(&K) -> Option<&'a R>,
) -> Result<()> {
    for (id, before) in before {
        let after = now(id);
        let op = match (before, after) {
            (None, None) => continue,
            (None, Some(_)) => RecordOp::Added,
            (Some(_), None) => RecordOp::Removed,
            (Some(b), Some(a)) if b == a => continue,
            (Some(_), Some(_)) => RecordOp::Changed,
        };
        let fields = if out.len() < DETAILED_RECORDS {
            let image = |r: Option<&R>| r.map(serde_json::to_value).transpose();
            diff(image(before.as_ref())?, image(after)?)
        } else {
            BTreeMap::new()
        };
        out.push(RecordChange {
            record: id.to_string(),
            op,
            fields,
        });
    }
    Ok(())
}

/// The top-level fields whose values differ between two images of a record.
fn diff(before: Option<Value>, after: Option<Value>) -> BTreeMap<String, FieldChange> {
    let fields = |value: Option<Value>| match value {
        Some(Value::Object(map)) => map,
        Some(other) => Map::from_iter([("value".to_string(), other)]),
        None => Map::new(),
    };
    let mut before = fields(before);
    let mut after = fields(after);
    let mut names: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    names.sort();
    names.dedup();
    let mut out = BTreeMap::new();
    for name in names {
        let b = before.remove(&name).unwrap_or(Value::Null);
        let a = after.remove(&name).unwrap_or(Value::Null);
        // `updated_at` moves on every update; it is no change of its own.
        if b != a && !(name == "updated_at" && !b.is_null() && !a.is_null()) {
            out.insert(
                name,
                FieldChange {
                    before: b,
                    after: a,
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_the_fields_that_differ() {
        let d = diff(
            Some(json!({"id": 1, "surname": "Иванова", "phones": []})),
            Some(json!({"id": 1, "surname": "Петрова", "tags": ["vip"]})),
        );
        assert_eq!(d.keys().collect::<Vec<_>>(), ["phones", "surname", "tags"]);
        assert_eq!(d["surname"].before, json!("Иванова"));
        assert_eq!(d["tags"].before, Value::Null);
        let added = diff(None, Some(json!({"id": 2})));
        assert_eq!(added["id"].after, json!(2));
    }
}
