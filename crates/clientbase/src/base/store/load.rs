//! Reading a base file of the current format into memory, fast.
//!
//! The rows are read from SQLite in id order into chunks (one buffer of bytes
//! per chunk, not one allocation per row) that are decoded on all cores while
//! the next ones are read; only a few chunks wait at a time, so their buffers
//! are reused rather than the whole table copied. Every record was checked
//! when it was written, so only what ties records together is checked again:
//! ids, the client of each deal and activity, the deal of each activity and of
//! a duplicate, and the relations between clients. The maps and indexes of the
//! base are then built in bulk from the sorted records, side by side.

use super::codec::{from_bytes, Stored};
use super::{file_error, sql_error};
use crate::activity::Activity;
use crate::base::clients::{check_relations, index_relations};
use crate::base::json::NextIds;
use crate::base::ClientBase;
use crate::client::Client;
use crate::deal::{Deal, DealStatus};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use crate::schema::Schema;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;

/// How many rows are read and decoded together.
const CHUNK_ROWS: usize = 8192;

/// Rows of one table: their ids, and their data one after the other.
struct Chunk {
    ids: Vec<i64>,
    ends: Vec<usize>,
    data: Vec<u8>,
}

impl Chunk {
    /// An empty chunk with room for `bytes` of data (the size of the last one).
    fn with_room_for(bytes: usize) -> Chunk {
        Chunk {
            ids: Vec::with_capacity(CHUNK_ROWS),
            ends: Vec::with_capacity(CHUNK_ROWS),
            data: Vec::with_capacity(bytes + bytes / 8),
        }
    }
}

/// The records of a base file with its schema and counters: a whole base.
pub(super) fn read_base(
    conn: &Connection,
    path: &Path,
    schema: Schema,
    next_ids: NextIds,
) -> Result<ClientBase> {
    // A sequential read needs no large page cache: the pages are read once.
    let sql = |e: rusqlite::Error| sql_error(path, e);
    let cache: i64 = conn
        .query_row("PRAGMA cache_size", [], |r| r.get(0))
        .map_err(sql)?;
    conn.execute_batch("PRAGMA cache_size = -4096;")
        .map_err(sql)?;
    let read = (|| -> Result<_> {
        Ok((
            read_table::<Client>(conn, path)?,
            read_table::<Deal>(conn, path)?,
            read_table::<Activity>(conn, path)?,
        ))
    })();
    conn.execute_batch(&format!("PRAGMA cache_size = {cache};"))
        .map_err(sql)?;
    let (clients, deals, activities) = read?;
    let clients: Vec<(ClientId, Client)> = with_ids(clients, ClientId, |c, id| c.id = id);
    let deals: Vec<(DealId, Deal)> = with_ids(deals, DealId, |d, id| d.id = id);
    let activities: Vec<(ActivityId, Activity)> =
        with_ids(activities, ActivityId, |a, id| a.id = id);
    check_references(&clients, &deals, &activities).map_err(|(e, r)| e.or_record(|| r))?;

    let mut base = ClientBase::new(schema);
    let max_plus_one = |max: Option<u64>| max.map_or(1, |m| m + 1);
    base.next_client = next_ids
        .client
        .max(max_plus_one(clients.last().map(|(id, _)| id.0)));
    base.next_deal = next_ids
        .deal
        .max(max_plus_one(deals.last().map(|(id, _)| id.0)));
    base.next_activity = next_ids
        .activity
        .max(max_plus_one(activities.last().map(|(id, _)| id.0)));
    let ClientBase {
        clients: client_map,
        deals: deal_map,
        activities: activity_map,
        deals_by_client,
        activities_by_client,
        activities_by_deal,
        relations_to,
        ..
    } = &mut base;
    // Each map is built from its sorted run in one pass with full nodes, the
    // three side by side with their indexes.
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for (_, client) in &clients {
                index_relations(relations_to, client);
            }
            *client_map = BTreeMap::from_iter(clients);
        });
        scope.spawn(|| {
            // A client's deals usually follow one another: one index entry per run.
            for run in deals.chunk_by(|(_, a), (_, b)| a.client == b.client) {
                deals_by_client
                    .entry(run[0].1.client)
                    .or_default()
                    .extend(run.iter().map(|(id, _)| *id));
            }
            *deal_map = BTreeMap::from_iter(deals);
        });
        for run in activities.chunk_by(|(_, a), (_, b)| a.client == b.client) {
            activities_by_client
                .entry(run[0].1.client)
                .or_default()
                .extend(run.iter().map(|(id, _)| *id));
        }
        for (id, activity) in &activities {
            if let Some(deal) = activity.deal {
                activities_by_deal.entry(deal).or_default().insert(*id);
            }
        }
        *activity_map = BTreeMap::from_iter(activities);
    });
    Ok(base)
}

/// What a scoped thread gave back; its panic goes on.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The records of a chunk with their ids, or the error of the first bad one.
type Decoded<R> = Result<Vec<(u64, R)>>;

/// Reads every record of kind `R` with its id, in id order: this thread
/// reads the rows in chunks, and one thread per core decodes them.
fn read_table<R: Stored + Send>(conn: &Connection, path: &Path) -> Result<Vec<(u64, R)>> {
    let decoders = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(usize, Chunk)>(decoders);
    let receiver = std::sync::Mutex::new(receiver);
    let (read, mut parts) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..decoders)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let next = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok((at, chunk)) = next else {
                            break;
                        };
                        out.push((at, decode::<R>(&chunk, path)));
                    }
                    out
                })
            })
            .collect();
        let mut at = 0;
        let read = read_chunks(conn, path, R::TABLE, |chunk| {
            at += 1;
            // Refused only when every decoder stopped, which they do not
            // before the sender is dropped.
            sender.send((at, chunk)).is_ok()
        });
        drop(sender);
        let parts: Vec<(usize, Decoded<R>)> = workers.into_iter().flat_map(joined).collect();
        (read, parts)
    });
    read?;
    parts.sort_by_key(|(at, _)| *at);
    let mut out = Vec::with_capacity(
        parts
            .iter()
            .map(|(_, p)| p.as_ref().map_or(0, Vec::len))
            .sum(),
    );
    for (_, part) in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// Reads every row of `table` in id order, in chunks given to `take` (which
/// says whether to go on).
fn read_chunks(
    conn: &Connection,
    path: &Path,
    table: &str,
    mut take: impl FnMut(Chunk) -> bool,
) -> Result<()> {
    let sql = |e: rusqlite::Error| sql_error(path, e);
    let mut stmt = conn
        .prepare(&format!("SELECT id, data FROM {table} ORDER BY id"))
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut full_size = 0;
    let mut chunk = Chunk::with_room_for(full_size);
    while let Some(row) = rows.next().map_err(sql)? {
        let id: i64 = row.get(0).map_err(sql)?;
        let data = row.get_ref(1).map_err(sql)?;
        let data = match data {
            rusqlite::types::ValueRef::Blob(bytes) => bytes,
            _ => {
                return Err(file_error(
                    path,
                    format!("row {id} of table {table} holds no record data"),
                ))
            }
        };
        chunk.ids.push(id);
        chunk.data.extend_from_slice(data);
        chunk.ends.push(chunk.data.len());
        if chunk.ids.len() == CHUNK_ROWS {
            let full = std::mem::replace(&mut chunk, Chunk::with_room_for(full_size));
            full_size = full.data.len();
            if !take(full) {
                return Ok(());
            }
        }
    }
    if !chunk.ids.is_empty() {
        take(chunk);
    }
    Ok(())
}

/// Decodes the records of a chunk, in order, with their ids; an error names
/// the record.
fn decode<R: Stored>(chunk: &Chunk, path: &Path) -> Result<Vec<(u64, R)>> {
    {
        let mut out = Vec::with_capacity(chunk.ids.len());
        let mut start = 0;
        for (id, end) in chunk.ids.iter().zip(&chunk.ends) {
            let named = |reason: String| {
                Error::new(
                    ErrorKind::Storage,
                    format!("cannot be read from {}: {reason}", path.display()),
                )
                .with_record(format!("{} {id}", R::LABEL))
            };
            let id = u64::try_from(*id)
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| named("ids start at 1".into()))?;
            let record = from_bytes::<R>(&chunk.data[start..*end]).map_err(named)?;
            out.push((id, record));
            start = *end;
        }
        Ok(out)
    }
}

/// The records with their ids set, as the typed ids.
fn with_ids<K: Copy, R>(
    records: Vec<(u64, R)>,
    key: impl Fn(u64) -> K,
    set: impl Fn(&mut R, K),
) -> Vec<(K, R)> {
    records
        .into_iter()
        .map(|(id, mut record)| {
            let id = key(id);
            set(&mut record, id);
            (id, record)
        })
        .collect()
}

/// Checks what ties the records together; the error comes with the record's name.
fn check_references(
    clients: &[(ClientId, Client)],
    deals: &[(DealId, Deal)],
    activities: &[(ActivityId, Activity)],
) -> std::result::Result<(), (Error, String)> {
    let client = |id: ClientId| {
        clients
            .binary_search_by_key(&id, |(k, _)| *k)
            .ok()
            .map(|at| &clients[at].1)
    };
    let deal_client = |id: DealId| {
        deals
            .binary_search_by_key(&id, |(k, _)| *k)
            .ok()
            .map(|at| deals[at].1.client)
    };
    let unknown = |what: String, field: &str| {
        Error::new(ErrorKind::UnknownId, format!("{what} does not exist")).with_field(field)
    };
    each(clients, |(id, c)| {
        check_relations(c, client).map_err(|e| (e, id.to_string()))
    })?;
    each(deals, |(id, deal)| {
        if client(deal.client).is_none() {
            return Err((unknown(deal.client.to_string(), "client"), id.to_string()));
        }
        match deal.status {
            DealStatus::DuplicateOf(original)
                if original == *id || deal_client(original).is_none() =>
            {
                Err((unknown(original.to_string(), "status"), id.to_string()))
            }
            _ => Ok(()),
        }
    })?;
    each(activities, |(id, activity)| {
        if client(activity.client).is_none() {
            return Err((
                unknown(activity.client.to_string(), "client"),
                id.to_string(),
            ));
        }
        match activity.deal.map(|d| (d, deal_client(d))) {
            Some((deal, None)) => Err((unknown(deal.to_string(), "deal"), id.to_string())),
            Some((deal, Some(owner))) if owner != activity.client => Err((
                Error::new(
                    ErrorKind::InvalidValue,
                    format!("{deal} belongs to {owner}, not {}", activity.client),
                )
                .with_field("deal"),
                id.to_string(),
            )),
            _ => Ok(()),
        }
    })
}

/// Runs `check` on every item, on all cores in chunks; the first error in order.
fn each<T: Sync>(
    items: &[T],
    check: impl Fn(&T) -> std::result::Result<(), (Error, String)> + Sync + Send,
) -> std::result::Result<(), (Error, String)> {
    let chunks: Vec<&[T]> = items.chunks(CHUNK_ROWS).collect();
    crate::batch::map_column_with_min(&chunks, 1, |chunk| chunk.iter().try_for_each(&check))
        .into_iter()
        .collect()
}
