//! What a write changed, kept while it runs and committed to the file in one
//! transaction when it ends.
//!
//! Every public write of [`ClientBase`] runs inside [`ClientBase::journaled`].
//! The places that change a map of records call a `touch_*` method first, which
//! keeps the record as it was before the write (its before-image). When the
//! outermost journaled write ends, [`ClientBase::flush`] stores every touched
//! record as it is now (or deletes it), the id counters, the schema and the
//! merge log, and appends one entry to the change log, all in one SQLite
//! transaction. If that transaction fails, the before-images are put back, so
//! the base in memory stays equal to the file and the write is refused. A base
//! in memory that keeps a change log ([`ClientBase::keep_change_log`]) goes the
//! same way, but its transaction only appends the entry (and drops the oldest).

use super::changes::{record_changes, ChangeEntry};
use super::codec::Stored;
use super::{Journal, Row};
use crate::activity::Activity;
use crate::base::{ClientBase, MergeRecord};
use crate::client::Client;
use crate::deal::Deal;
use crate::error::Result;
use crate::ids::{ActivityId, ClientId, DealId};
use crate::schema::Schema;
use std::collections::BTreeMap;

/// The before-images of one write.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) clients: BTreeMap<ClientId, Option<Client>>,
    pub(super) deals: BTreeMap<DealId, Option<Deal>>,
    pub(super) activities: BTreeMap<ActivityId, Option<Activity>>,
    /// The schema before the write, when the write changed it.
    pub(super) schema: Option<Schema>,
    /// Changes to the merge log, in the order they were made.
    pub(super) merges: Vec<MergeOp>,
    /// The id counters (client, deal, activity) before the write.
    pub(super) next_ids: [u64; 3],
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.clients.is_empty()
            && self.deals.is_empty()
            && self.activities.is_empty()
            && self.schema.is_none()
            && self.merges.is_empty()
    }
}

/// One change to the merge log.
pub(super) enum MergeOp {
    /// A record was pushed at the end.
    Pushed,
    /// The record at this position was removed.
    Removed(usize, Box<MergeRecord>),
}

impl ClientBase {
    /// Runs a write. On a base kept in a file, what it changed is committed in
    /// one transaction when the outermost write ends, with a change-log entry
    /// named `action`; a write that fails to commit is undone in memory too and
    /// its error returned. On a base in memory with a change log, only the
    /// entry is written; on one without, it only runs `write`.
    ///
    /// A write that returns an error has changed nothing (every write checks
    /// before it changes), except an import that stopped part way, whose
    /// imported rows are committed as they stay in memory.
    pub(crate) fn journaled<T>(
        &mut self,
        action: &str,
        write: impl FnOnce(&mut ClientBase) -> Result<T>,
    ) -> Result<T> {
        self.version = self.version.wrapping_add(1);
        let next_ids = self.next_ids();
        let Some(journal) = self.journal.get_mut() else {
            return write(self);
        };
        journal.check_writable()?;
        journal.depth += 1;
        if journal.depth == 1 {
            journal.pending = Pending {
                next_ids,
                ..Pending::default()
            };
        }
        // A write that panics part way leaves memory unknown: the file keeps
        // what was committed before it, and the base takes no more writes.
        let out = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(self))) {
            Ok(out) => out,
            Err(panic) => {
                if let Some(journal) = self.journal.get_mut() {
                    // A base in memory has no file to keep equal to memory:
                    // its log only misses the entry of this write.
                    journal.broken = journal.memory.is_none();
                    journal.depth = 0;
                    journal.pending = Pending::default();
                }
                std::panic::resume_unwind(panic);
            }
        };
        let Some(journal) = self.journal.get_mut() else {
            return out;
        };
        journal.depth -= 1;
        if journal.depth > 0 {
            return out;
        }
        let pending = std::mem::take(&mut journal.pending);
        if pending.is_empty() && self.next_ids() == pending.next_ids {
            return out;
        }
        match self.flush(action, &pending) {
            Ok(()) => out,
            Err(err) => {
                self.roll_back(pending);
                Err(err)
            }
        }
    }

    fn next_ids(&self) -> [u64; 3] {
        [self.next_client, self.next_deal, self.next_activity]
    }

    /// Keeps client `id` as it is before a write changes it.
    pub(in crate::base) fn touch_client(&mut self, id: ClientId) {
        self.columns.forget();
        if let Some(journal) = self.journal.get_mut() {
            keep(&mut journal.pending.clients, &self.clients, id);
        }
    }

    /// Keeps deal `id` as it is before a write changes it.
    pub(in crate::base) fn touch_deal(&mut self, id: DealId) {
        self.columns.forget();
        if let Some(journal) = self.journal.get_mut() {
            keep(&mut journal.pending.deals, &self.deals, id);
        }
    }

    /// Keeps activity `id` as it is before a write changes it.
    pub(in crate::base) fn touch_activity(&mut self, id: ActivityId) {
        self.columns.forget();
        if let Some(journal) = self.journal.get_mut() {
            keep(&mut journal.pending.activities, &self.activities, id);
        }
    }

    /// Keeps the schema as it is before a write changes it.
    pub(in crate::base) fn touch_schema(&mut self) {
        self.columns.forget();
        if let Some(journal) = self.journal.get_mut() {
            if journal.pending.schema.is_none() {
                journal.pending.schema = Some(self.schema.clone());
            }
        }
    }

    /// Notes a record pushed at the end of the merge log.
    pub(in crate::base) fn touch_merge_pushed(&mut self) {
        self.columns.forget();
        if let Some(journal) = self.journal.get_mut() {
            journal.pending.merges.push(MergeOp::Pushed);
        }
    }

    /// Keeps the merge record at `at` before a write removes it from the log.
    pub(in crate::base) fn touch_merge_removed(&mut self, at: usize) {
        self.columns.forget();
        if let (Some(journal), Some(record)) = (self.journal.get_mut(), self.merges.get(at)) {
            journal
                .pending
                .merges
                .push(MergeOp::Removed(at, Box::new(record.clone())));
        }
    }

    /// Commits what `pending` names, as the base holds it now, with a change-log
    /// entry.
    fn flush(&mut self, action: &str, pending: &Pending) -> Result<()> {
        let entry = ChangeEntry {
            at: (self.clock)(),
            actor: self.actor.clone(),
            action: action.to_string(),
            records: record_changes(self, pending)?,
            exported: None,
        };
        if let Some(limit) = self.journal.get_mut().and_then(|j| j.memory) {
            // The log of a base in memory: the entry alone.
            let Some(journal) = self.journal.get_mut() else {
                return Ok(());
            };
            return journal.write(|tx, _| {
                tx.log(&entry)?;
                tx.prune(limit)
            });
        }
        let next_ids = self.next_ids();
        // The records' rows, made on all cores for a big write (an import).
        let client_rows = rows(&pending.clients, |id| self.clients.get(id), |id| id.0)?;
        let deal_rows = rows(&pending.deals, |id| self.deals.get(id), |id| id.0)?;
        let activity_rows = rows(&pending.activities, |id| self.activities.get(id), |id| id.0)?;
        let ClientBase {
            journal,
            schema,
            merges,
            ..
        } = self;
        let Some(journal) = journal.get_mut() else {
            return Ok(());
        };
        journal.write(|tx, merge_keys| {
            tx.put_rows::<Client>(&client_rows)?;
            tx.put_rows::<Deal>(&deal_rows)?;
            tx.put_rows::<Activity>(&activity_rows)?;
            if pending.schema.is_some() {
                tx.set_meta("schema", &serde_json::to_string(&*schema)?)?;
            }
            if next_ids != pending.next_ids {
                tx.set_meta("next_ids", &serde_json::to_string(&next_ids)?)?;
            }
            // The merges pushed by this write are the last ones of the log.
            let mut pushed = merges.len();
            for op in pending.merges.iter().rev() {
                if let MergeOp::Pushed = op {
                    pushed -= 1;
                }
            }
            for op in &pending.merges {
                match op {
                    MergeOp::Pushed => {
                        let key = tx.push_merge(&merges[pushed])?;
                        merge_keys.push(key);
                        pushed += 1;
                    }
                    MergeOp::Removed(at, _) => {
                        let key = merge_keys.remove(*at);
                        tx.remove_merge(key)?;
                    }
                }
            }
            tx.log(&entry)
        })
    }

    /// Puts back the records, schema, counters and merge log a write changed.
    fn roll_back(&mut self, pending: Pending) {
        self.columns.forget();
        for (id, before) in pending.clients {
            if let Some(now) = self.clients.remove(&id) {
                self.unindex_relations(&now);
            }
            if let Some(before) = before {
                self.index_relations(&before);
                self.clients.insert(id, before);
            }
        }
        for (id, before) in pending.deals {
            if let Some(now) = self.deals.remove(&id) {
                if let Some(set) = self.deals_by_client.get_mut(&now.client) {
                    set.remove(&id);
                }
            }
            if let Some(before) = before {
                self.deals_by_client
                    .entry(before.client)
                    .or_default()
                    .insert(id);
                self.deals.insert(id, before);
            }
        }
        for (id, before) in pending.activities {
            if let Some(now) = self.activities.remove(&id) {
                self.unindex_activity(&now);
            }
            if let Some(before) = before {
                self.index_activity(&before);
                self.activities.insert(id, before);
            }
        }
        if let Some(schema) = pending.schema {
            self.schema = schema;
        }
        for op in pending.merges.into_iter().rev() {
            match op {
                MergeOp::Pushed => {
                    self.merges.pop();
                }
                MergeOp::Removed(at, record) => self.merges.insert(at, *record),
            }
        }
        [self.next_client, self.next_deal, self.next_activity] = pending.next_ids;
    }
}

/// Keeps the record `id` of `records` as it is now, unless this write kept it
/// already (the first image is the one before the write).
fn keep<K: Ord + Copy, R: Clone>(
    before: &mut BTreeMap<K, Option<R>>,
    records: &BTreeMap<K, R>,
    id: K,
) {
    before
        .entry(id)
        .or_insert_with(|| records.get(&id).cloned());
}

/// The ids of the records a write touched with their rows now (`None`: gone).
fn rows<'a, K: Sync, R: Stored + Sync + 'a>(
    touched: &BTreeMap<K, Option<R>>,
    now: impl Fn(&K) -> Option<&'a R> + Sync + Send,
    number: impl Fn(&K) -> u64 + Sync + Send,
) -> Result<Vec<(u64, Option<Row>)>> {
    let ids: Vec<&K> = touched.keys().collect();
    Ok(crate::batch::map_column(&ids, |id| {
        (number(id), now(id).map(super::row))
    }))
}

impl Journal {
    /// Refuses writes to a base opened read-only or closed.
    fn check_writable(&mut self) -> Result<()> {
        if self.read_only {
            return Err(self.error("the base was opened read-only"));
        }
        if self.broken {
            return Err(self.error(
                "a write panicked part way; open the file again (every write committed \
                 before it is there)",
            ));
        }
        if self.conn.get_mut().map_or(true, |c| c.is_none()) {
            return Err(self.closed());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Client, ClientBase, ErrorKind, Schema};

    #[test]
    fn a_write_that_panics_stops_further_writes() {
        let dir = std::env::temp_dir().join(format!("cb-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("base.cb");
        let mut base = ClientBase::create(&path, Schema::new()).unwrap();
        let kept = base
            .add_client(Client::person("Иванова", "Анна", None))
            .unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            base.journaled("broken_write", |b| -> crate::Result<()> {
                b.touch_client(kept);
                panic!("deliberate failure in a test")
            })
        }));
        assert!(panicked.is_err());
        let err = base
            .add_client(Client::person("Петров", "Пётр", None))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert!(err.to_string().contains("panicked"), "{err}");
        drop(base);
        // The file holds what was committed before.
        let base = ClientBase::open(&path).unwrap();
        assert!(base.get_client(kept).is_some());
        assert_eq!(base.counts().clients, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
