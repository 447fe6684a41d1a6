//! The base as lossless JSON: writing a snapshot and reading it back with every
//! record validated, and the counts of what the base holds.

use super::bulk::Batch;
use super::{ClientBase, Counts, MergeRecord};
use crate::activity::Activity;
use crate::client::Client;
use crate::deal::Deal;
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::schema::Schema;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

impl ClientBase {
    /// Counts of clients, deals, lines and activities.
    pub fn counts(&self) -> Counts {
        let companies = self.clients.values().filter(|c| c.is_company()).count();
        Counts {
            clients: self.clients.len(),
            persons: self.clients.len() - companies,
            companies,
            deals: self.deals.len(),
            open_deals: self
                .deals
                .values()
                .filter(|d| !d.status.is_closed())
                .count(),
            deal_lines: self.deals.values().map(|d| d.lines.len()).sum(),
            activities: self.activities.len(),
            open_tasks: self
                .activities
                .values()
                .filter(|a| a.is_open_task())
                .count(),
        }
    }

    /// Writes the whole base as JSON. [`ClientBase::read_json`] gives back an equal base.
    pub fn write_json<W: Write>(&self, writer: W) -> Result<()> {
        self.log_export("export_json", self.clients.len())?;
        let snapshot = SnapshotRef {
            format: FORMAT,
            version: VERSION,
            schema: &self.schema,
            next_ids: NextIds {
                client: self.next_client,
                deal: self.next_deal,
                activity: self.next_activity,
            },
            clients: self.clients.values().collect(),
            deals: self.deals.values().collect(),
            activities: self.activities.values().collect(),
            merges: &self.merges,
        };
        serde_json::to_writer(writer, &snapshot)?;
        Ok(())
    }

    /// The whole base as a JSON string.
    pub fn to_json(&self) -> Result<String> {
        let mut out = Vec::new();
        self.write_json(&mut out)?;
        String::from_utf8(out).map_err(|e| Error::new(ErrorKind::Json, e.to_string()))
    }

    /// Reads a base written by [`ClientBase::write_json`], validating every record.
    /// Errors name the record (`client 17`) and the field.
    pub fn read_json<R: Read>(mut reader: R) -> Result<ClientBase> {
        let mut json = Vec::new();
        reader.read_to_end(&mut json)?;
        ClientBase::from_snapshot(parse_snapshot(&json)?)
    }

    /// Reads a base from a JSON string.
    pub fn from_json(json: &str) -> Result<ClientBase> {
        ClientBase::from_snapshot(parse_snapshot(json.as_bytes())?)
    }

    pub(super) fn from_snapshot(snapshot: Snapshot) -> Result<ClientBase> {
        if snapshot.format != FORMAT {
            return Err(invalid(
                "format",
                format!("{:?} is not {FORMAT:?}", snapshot.format),
            ));
        }
        if snapshot.version != VERSION {
            return Err(invalid(
                "version",
                format!(
                    "version {} is not supported (this library reads {VERSION})",
                    snapshot.version
                ),
            ));
        }
        let mut base = ClientBase::new(snapshot.schema);
        // Checked on all cores; relations may point forward, so each record is
        // checked against the whole snapshot.
        base.add_batch(
            by_id(snapshot.clients, |c| c.id),
            by_id(snapshot.deals, |d| d.id),
            by_id(snapshot.activities, |a| a.id),
            Batch::Stored,
        )?;
        let max_plus_one = |max: Option<u64>| max.map_or(1, |m| m + 1);
        base.next_client = snapshot
            .next_ids
            .client
            .max(max_plus_one(base.clients.keys().next_back().map(|i| i.0)));
        base.next_deal = snapshot
            .next_ids
            .deal
            .max(max_plus_one(base.deals.keys().next_back().map(|i| i.0)));
        base.next_activity = snapshot.next_ids.activity.max(max_plus_one(
            base.activities.keys().next_back().map(|i| i.0),
        ));
        base.merges = snapshot.merges;
        Ok(base)
    }
}

/// Records with their ids, in id order.
fn by_id<K: Ord + Copy, T>(records: Vec<T>, id: impl Fn(&T) -> K) -> Vec<(K, T)> {
    let mut records: Vec<(K, T)> = records.into_iter().map(|r| (id(&r), r)).collect();
    records.sort_by_key(|(k, _)| *k);
    records
}

pub(super) const FORMAT: &str = "clientbase";
pub(super) const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct NextIds {
    pub(super) client: u64,
    pub(super) deal: u64,
    pub(super) activity: u64,
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'a str,
    version: u32,
    schema: &'a Schema,
    next_ids: NextIds,
    clients: Vec<&'a Client>,
    deals: Vec<&'a Deal>,
    activities: Vec<&'a Activity>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    merges: &'a [MergeRecord],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Snapshot {
    pub(super) format: String,
    pub(super) version: u32,
    #[serde(default)]
    pub(super) schema: Schema,
    #[serde(default)]
    pub(super) next_ids: NextIds,
    #[serde(default)]
    pub(super) clients: Vec<Client>,
    #[serde(default)]
    pub(super) deals: Vec<Deal>,
    #[serde(default)]
    pub(super) activities: Vec<Activity>,
    #[serde(default)]
    pub(super) merges: Vec<MergeRecord>,
}

/// The records of a snapshot read one by one, only to name the record of an
/// error the fast read found (other keys are left to that read).
#[derive(Deserialize)]
struct NamedRecords {
    #[serde(rename = "clients", default, deserialize_with = "records::clients")]
    _clients: Vec<Client>,
    #[serde(rename = "deals", default, deserialize_with = "records::deals")]
    _deals: Vec<Deal>,
    #[serde(
        rename = "activities",
        default,
        deserialize_with = "records::activities"
    )]
    _activities: Vec<Activity>,
}

/// Reads a snapshot straight into the records; when a record is wrong, reads
/// the text again record by record so that the error names it (`client 17`).
fn parse_snapshot(json: &[u8]) -> Result<Snapshot> {
    serde_json::from_slice(json).map_err(|err| {
        if !err.is_data() {
            return Error::from(err);
        }
        match serde_json::from_slice::<NamedRecords>(json) {
            Err(named) if named.is_data() => Error::from(named),
            _ => Error::from(err),
        }
    })
}

/// Lists of records whose errors name the record: `client 17` when the record's
/// `id` was read before the error, else its place in the list (`clients[3]`).
mod records {
    use crate::activity::Activity;
    use crate::client::Client;
    use crate::deal::Deal;
    use serde::de::{DeserializeOwned, Error as _, SeqAccess, Visitor};
    use serde::Deserializer;
    use std::fmt;
    use std::marker::PhantomData;

    struct Records<T> {
        list: &'static str,
        label: &'static str,
        record: PhantomData<T>,
    }

    impl<'de, T: DeserializeOwned> Visitor<'de> for Records<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of {}", self.list)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            loop {
                // Read through a `Value` only to name the record in an error.
                let value: Option<serde_json::Value> = seq.next_element()?;
                let Some(value) = value else {
                    return Ok(out);
                };
                let id = value.get("id").and_then(serde_json::Value::as_u64);
                match serde_json::from_value::<T>(value) {
                    Ok(record) => out.push(record),
                    Err(err) => {
                        let name = match id {
                            Some(id) if id > 0 => format!("{} {id}", self.label),
                            _ => format!("{}[{}]", self.list, out.len()),
                        };
                        return Err(A::Error::custom(format!("{name}: {err}")));
                    }
                }
            }
        }
    }

    fn read<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
        list: &'static str,
        label: &'static str,
    ) -> Result<Vec<T>, D::Error> {
        d.deserialize_seq(Records {
            list,
            label,
            record: PhantomData,
        })
    }

    pub(super) fn clients<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Client>, D::Error> {
        read(d, "clients", "client")
    }

    pub(super) fn deals<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Deal>, D::Error> {
        read(d, "deals", "deal")
    }

    pub(super) fn activities<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Activity>, D::Error> {
        read(d, "activities", "activity")
    }
}
