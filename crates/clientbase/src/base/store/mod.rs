//! A base kept in a file: [`ClientBase::open`], [`ClientBase::create`],
//! [`ClientBase::save_as`], [`ClientBase::backup`] and the change log
//! ([`ClientBase::changes`]).
//!
//! The file is an SQLite database (WAL mode, bundled SQLite), so integrators
//! and analysts can read it with standard tools. What is where (file format 2):
//!
//! - `clients(id, data)`, `deals(id, client, data)`,
//!   `activities(id, client, deal, data)`: one row per record; `id`, the deal's
//!   and activity's `client` and the activity's `deal` are plain integer
//!   columns, `data` the whole record in a compact binary encoding (described
//!   in `store/codec.rs`; the JSON of a record is what [`ClientBase::write_json`]
//!   writes).
//! - `merges(key, data)`: the merge log, one JSON document per merge.
//! - `meta(key, value)`: `schema` (JSON) and `next_ids` (`[client, deal, activity]`).
//! - `changes` and `change_records`: the change log, and which entries touched
//!   which record.
//! - The SQLite header: `application_id` 0x43424153 ("CBAS") and
//!   `user_version` the file format.
//!
//! A file of a newer format is refused with a message saying so. A file of
//! format 1 (one JSON document per record) is read with every record checked
//! and, unless opened read-only, migrated to format 2 in one transaction (a
//! process killed part way leaves it at format 1, migrated at the next open).
//! Opening a current file checks what ties the records together (ids, the
//! clients and deals they refer to, relations); each record's own fields were
//! checked when it was written.
//!
//! The base works in memory as before; every write is also committed to the
//! file in one transaction before it returns, so a process killed at any moment
//! leaves a file that opens with every write that returned and nothing
//! half-written.
//!
//! ```
//! use clientbase::{ClientBase, Client, Schema};
//! let dir = std::env::temp_dir().join(format!("cb-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("base.cb");
//! # let _ = std::fs::remove_file(&path);
//! let mut base = ClientBase::create(&path, Schema::new())?;
//! base.set_actor(Some("manager 7"));
//! let anna = base.add_client(Client::person("Иванова", "Анна", None))?;
//! drop(base);
//!
//! let base = ClientBase::open(&path)?;
//! assert_eq!(base.client(anna)?.display_name(), "Иванова Анна");
//! let log = base.changes(&Default::default())?;
//! assert_eq!(log[0].action, "create"); // the first entry of every file
//! assert_eq!((log[1].action.as_str(), log[1].actor.as_deref()), ("add_client", Some("manager 7")));
//! # drop(base); std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod changes;
mod codec;
mod journal;
mod load;

pub use changes::{Change, ChangesParams, FieldChange, RecordChange, RecordOp};

use super::json::{NextIds, Snapshot};
use super::ClientBase;
use crate::activity::Activity;
use crate::base::MergeRecord;
use crate::client::Client;
use crate::deal::Deal;
use crate::error::{Error, ErrorKind, Result};
use crate::schema::Schema;
use changes::ChangeEntry;
use codec::Stored;
use journal::Pending;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The SQLite `application_id` of a base file ("CBAS").
const APPLICATION_ID: i64 = 0x4342_4153;
/// The file format this library writes; it reads this one and migrates older
/// ones. Format 1 kept each record as a JSON document; format 2 keeps it in
/// binary ([`codec`]), with the deal's client and the activity's client and
/// deal as plain columns.
const FORMAT_VERSION: i64 = 2;

/// The tables of the records (format 2).
const RECORD_TABLES: &str = "
CREATE TABLE clients(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE deals(id INTEGER PRIMARY KEY, client INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE activities(id INTEGER PRIMARY KEY, client INTEGER NOT NULL, deal INTEGER,
    data BLOB NOT NULL);
";

/// The name the change log of a base in memory goes by in errors.
const MEMORY_LOG: &str = "the change log in memory";

/// The change log in memory drops its oldest entries as it goes: their
/// records are found by their number.
const MEMORY_LOG_INDEX: &str = "CREATE INDEX change_records_seq ON change_records(seq);";

/// The other tables (the same in every format so far).
const TABLES: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE merges(key INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL);
CREATE TABLE changes(seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT,
    action TEXT NOT NULL, records TEXT NOT NULL, exported INTEGER);
CREATE TABLE change_records(record TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (record, seq)) WITHOUT ROWID;
";

/// How to open a base file ([`ClientBase::open_with`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenOptions {
    /// Create the file holding an empty base when it does not exist.
    pub create: bool,
    /// Open for reading only: every write is refused, and other programs may
    /// read the file at the same time.
    pub read_only: bool,
    /// Wait for the disk after every commit (SQLite `synchronous=FULL`), so that
    /// a write survives a power cut, not only a crash of the process. Slower.
    pub sync_every_commit: bool,
}

/// The file behind a base, and the write that is running.
pub(crate) struct Journal {
    /// The open file; `None` once the base was closed.
    conn: Mutex<Option<Connection>>,
    path: PathBuf,
    read_only: bool,
    depth: u32,
    pending: Pending,
    /// The `merges` table's key of each record of the merge log, in order.
    merge_keys: Vec<i64>,
    /// A write panicked part way: no more writes.
    broken: bool,
    /// `Some(limit)` for the change log of a base in memory
    /// ([`ClientBase::keep_change_log`]): an SQLite database in memory that
    /// holds the last `limit` entries of the log and no records.
    memory: Option<usize>,
}

/// The journal of a base kept in a file; a clone of the base is in memory only.
#[derive(Default)]
pub(crate) struct Attached(Option<Box<Journal>>);

impl Clone for Attached {
    fn clone(&self) -> Attached {
        Attached(None)
    }
}

impl Attached {
    pub(crate) fn get_mut(&mut self) -> Option<&mut Journal> {
        self.0.as_deref_mut()
    }

    fn get(&self) -> Option<&Journal> {
        self.0.as_deref()
    }
}

impl ClientBase {
    /// Opens the base kept in the file at `path`, reading every record and
    /// checking what ties them together (a file of format 1 is checked as
    /// [`ClientBase::read_json`] does, and migrated unless opened read-only).
    /// Every later write is committed to the file before it returns. A
    /// missing, foreign, corrupt or newer file is an [`ErrorKind::Storage`]
    /// error naming the file (a damaged record: naming the record).
    pub fn open(path: impl AsRef<Path>) -> Result<ClientBase> {
        ClientBase::open_with(path, &OpenOptions::default())
    }

    /// Opens a base file as `options` say.
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<ClientBase> {
        let path = path.as_ref();
        if !path.exists() {
            if options.create && !options.read_only {
                return ClientBase::create_with(path, Schema::new(), options);
            }
            return Err(file_error(path, "no such file"));
        }
        let conn = connect(path, options)?;
        let (schema, next_ids, version) = read_meta(&conn, path)?;
        let (merges, merge_keys) = read_merges(&conn, path)?;
        let mut base = if version < FORMAT_VERSION {
            let base = read_format_1(&conn, path, schema, next_ids, merges)?;
            if !options.read_only {
                base.migrate(&conn, path, version)?;
            }
            base
        } else {
            let mut base = load::read_base(&conn, path, schema, next_ids)?;
            base.merges = merges;
            base
        };
        base.journal = Attached(Some(Box::new(Journal {
            conn: Mutex::new(Some(conn)),
            path: path.to_path_buf(),
            read_only: options.read_only,
            depth: 0,
            pending: Pending::default(),
            merge_keys,
            broken: false,
            memory: None,
        })));
        Ok(base)
    }

    /// Rewrites the records of a file of an older format in the current one,
    /// in one transaction: a process killed part way leaves the file as it was,
    /// and the next open migrates it again.
    fn migrate(&self, conn: &Connection, path: &Path, from: i64) -> Result<()> {
        let sql = |e: rusqlite::Error| sql_error(path, e);
        let tx = conn.unchecked_transaction().map_err(sql)?;
        tx.execute_batch(&format!(
            "DROP TABLE clients; DROP TABLE deals; DROP TABLE activities; {RECORD_TABLES}
             PRAGMA user_version = {FORMAT_VERSION};"
        ))
        .map_err(sql)?;
        let mut writer = Tx { tx: &tx, path };
        self.write_record_rows(&writer)?;
        writer.log(&ChangeEntry {
            at: (self.clock)(),
            actor: self.actor.clone(),
            action: format!("migrate_format_{from}_to_{FORMAT_VERSION}"),
            records: Vec::new(),
            exported: None,
        })?;
        tx.commit().map_err(sql)
    }

    /// Writes every client, deal and activity into the (empty) record tables.
    fn write_record_rows(&self, writer: &Tx<'_>) -> Result<()> {
        write_all(writer, self.clients.iter().map(|(id, c)| (id.0, c)))?;
        write_all(writer, self.deals.iter().map(|(id, d)| (id.0, d)))?;
        write_all(writer, self.activities.iter().map(|(id, a)| (id.0, a)))
    }

    /// The schema of the base in the file at `path`, read without reading its
    /// records (the file is opened read-only).
    pub fn schema_in_file(path: impl AsRef<Path>) -> Result<Schema> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(file_error(path, "no such file"));
        }
        let options = OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        };
        Ok(read_meta(&connect(path, &options)?, path)?.0)
    }

    /// Creates a new file at `path` holding an empty base with `schema`, and
    /// opens it. An existing file is an error (nothing is overwritten).
    pub fn create(path: impl AsRef<Path>, schema: Schema) -> Result<ClientBase> {
        ClientBase::create_with(path.as_ref(), schema, &OpenOptions::default())
    }

    fn create_with(path: &Path, schema: Schema, options: &OpenOptions) -> Result<ClientBase> {
        let mut base = ClientBase::new(schema);
        base.attach_new_file(path, options.sync_every_commit)?;
        Ok(base)
    }

    /// Writes this base into a new file at `path` and keeps it there from now
    /// on: later writes are committed to that file (and no longer to the file
    /// the base came from, if any). An existing file is an error.
    pub fn save_as(&mut self, path: impl AsRef<Path>) -> Result<()> {
        self.attach_new_file(path.as_ref(), false)
    }

    /// Copies the base into a new file at `path` while it stays in use: a
    /// consistent copy of the file (SQLite's online backup) for a base kept in a
    /// file, a new base file for a base in memory. An existing file is an error.
    pub fn backup(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        self.log_export("backup", self.clients.len())?;
        let Some(journal) = self.journal.get().filter(|j| j.memory.is_none()) else {
            return self.write_new_file(path, false).map(drop);
        };
        let guard = journal.lock()?;
        let conn = guard.as_ref().ok_or_else(|| journal.closed())?;
        put_in_place(path, |partial| {
            let sql = |e: rusqlite::Error| sql_error(partial, e);
            let mut target = Connection::open(partial).map_err(sql)?;
            rusqlite::backup::Backup::new(conn, &mut target)
                .and_then(|b| b.run_to_completion(1024, std::time::Duration::ZERO, None))
                .map_err(sql)?;
            target.close().map_err(|(_, e)| sql(e))
        })
    }

    /// Closes the base file: every write is in it already; the file is folded
    /// into one (its WAL checkpointed) and released for other programs. The
    /// records stay readable in memory, and a write is refused from now on.
    /// Dropping the base closes it too. A base in memory has nothing to close.
    pub fn close(&mut self) -> Result<()> {
        let Some(journal) = self.journal.get_mut().filter(|j| j.memory.is_none()) else {
            return Ok(());
        };
        let path = journal.path.clone();
        let conn = journal
            .conn
            .get_mut()
            .map_err(|_| file_error(&path, "a write to the file panicked"))?
            .take();
        match conn {
            Some(conn) => conn.close().map_err(|(_, e)| sql_error(&path, e)),
            None => Ok(()),
        }
    }

    /// Logs records leaving a base kept in a file (an export or a backup) with
    /// the actor (the [`View`](crate::access::View)'s actor while a view's call
    /// runs, else the base's) and how many records it held, before they leave: if the entry
    /// cannot be written, the export is refused. A base in memory without a
    /// change log ([`ClientBase::keep_change_log`]), or a file opened
    /// read-only, logs nothing.
    pub(crate) fn log_export(&self, action: &str, exported: usize) -> Result<()> {
        let Some(journal) = self.journal.get() else {
            return Ok(());
        };
        if journal.read_only {
            return Ok(());
        }
        let mut guard = journal.lock()?;
        let conn = guard.as_mut().ok_or_else(|| journal.closed())?;
        let sql = |e: rusqlite::Error| sql_error(&journal.path, e);
        let tx = conn.transaction().map_err(sql)?;
        Tx {
            tx: &tx,
            path: &journal.path,
        }
        .log(&ChangeEntry {
            at: (self.clock)(),
            actor: crate::access::acting_actor().or_else(|| self.actor.clone()),
            action: action.to_string(),
            records: Vec::new(),
            exported: Some(exported as u64),
        })?;
        tx.commit().map_err(sql)
    }

    /// The file the base is kept in, or `None` for a base in memory.
    pub fn path(&self) -> Option<&Path> {
        self.journal
            .get()
            .filter(|j| j.memory.is_none())
            .map(|j| j.path.as_path())
    }

    /// Whether the base keeps a change log: a base kept in a file always
    /// does; a base in memory once [`ClientBase::keep_change_log`] was called.
    pub fn keeps_change_log(&self) -> bool {
        self.journal.get().is_some()
    }

    /// Keeps a change log for a base in memory, as a base file does
    /// ([`ClientBase::changes`]: every write with its time, actor and fields
    /// before and after; exports and backups; a client's history, the
    /// funnel's time in stage and stage actions read it), holding the last
    /// `limit` entries: the oldest go as new ones come. The log is in memory
    /// and starts empty; it is not saved with the base (the file of
    /// [`ClientBase::save_as`] starts a log of its own) nor copied to a clone.
    ///
    /// Called again, it changes the limit (dropping the oldest entries past
    /// it); `0` stops the log and forgets it. On a base kept in a file, whose
    /// whole log is in the file, it is an [`ErrorKind::Storage`] error. A
    /// write costs more with the log (each changed record is compared with
    /// what it was): a base that only imports and reads has no use for it.
    ///
    /// ```
    /// use clientbase::{ChangesParams, Client, ClientBase, Schema};
    /// let mut base = ClientBase::new(Schema::new());
    /// base.keep_change_log(1000)?;
    /// base.set_actor(Some("manager 7"));
    /// let anna = base.add_client(Client::person("Иванова", "Анна", None))?;
    /// let log = base.changes(&ChangesParams::default())?;
    /// assert_eq!((log[0].action.as_str(), log[0].actor.as_deref()), ("add_client", Some("manager 7")));
    /// assert_eq!(log[0].records[0].record, anna.to_string());
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn keep_change_log(&mut self, limit: usize) -> Result<()> {
        match self.journal.get_mut() {
            Some(journal) if journal.memory.is_none() => Err(journal
                .error("a base kept in a file keeps its whole change log in the file")
                .with_field("keep_change_log")),
            Some(_) if limit == 0 => {
                self.journal = Attached(None);
                Ok(())
            }
            Some(journal) => {
                journal.memory = Some(limit);
                journal.write(|tx, _| tx.prune(limit))
            }
            None if limit == 0 => Ok(()),
            None => {
                let path = PathBuf::from(MEMORY_LOG);
                let conn = Connection::open_in_memory().map_err(|e| sql_error(&path, e))?;
                conn.execute_batch(&format!("{TABLES}{MEMORY_LOG_INDEX}"))
                    .map_err(|e| sql_error(&path, e))?;
                self.journal = Attached(Some(Box::new(Journal {
                    conn: Mutex::new(Some(conn)),
                    path,
                    read_only: false,
                    depth: 0,
                    pending: Pending::default(),
                    merge_keys: Vec::new(),
                    broken: false,
                    memory: Some(limit),
                })));
                Ok(())
            }
        }
    }

    /// Entries of the change log, oldest first. A base kept in a file has a
    /// change log, and a base in memory once [`ClientBase::keep_change_log`]
    /// was called (its last entries); on another base in memory this is an
    /// [`ErrorKind::Storage`] error.
    pub fn changes(&self, params: &ChangesParams) -> Result<Vec<Change>> {
        let Some(journal) = self.journal.get() else {
            return Err(Error::new(
                ErrorKind::Storage,
                "the base is in memory and keeps no change log (call keep_change_log, or open \
                 or create a base file)",
            )
            .with_field("changes"));
        };
        journal.changes(params)
    }

    /// Writes every record into a new file and attaches the base to it.
    fn attach_new_file(&mut self, path: &Path, sync_every_commit: bool) -> Result<()> {
        let (conn, merge_keys) = self.write_new_file(path, sync_every_commit)?;
        self.journal = Attached(Some(Box::new(Journal {
            conn: Mutex::new(Some(conn)),
            path: path.to_path_buf(),
            read_only: false,
            depth: 0,
            pending: Pending::default(),
            merge_keys,
            broken: false,
            memory: None,
        })));
        Ok(())
    }

    /// Writes every record into a new file; gives its open connection and the
    /// keys of the merge log's rows.
    fn write_new_file(
        &self,
        path: &Path,
        sync_every_commit: bool,
    ) -> Result<(Connection, Vec<i64>)> {
        // Written without a journal: the file is not the base until it is whole.
        let merge_keys = put_in_place(path, |partial| self.write_records(partial))?;
        let options = OpenOptions {
            sync_every_commit,
            ..OpenOptions::default()
        };
        Ok((connect(path, &options)?, merge_keys))
    }

    /// Writes the tables and every record into the new file `partial` in one
    /// transaction; gives the keys of the merge log's rows.
    fn write_records(&self, partial: &Path) -> Result<Vec<i64>> {
        let sql = |e: rusqlite::Error| sql_error(partial, e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(partial, flags).map_err(sql)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;
             PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {FORMAT_VERSION};"
        ))
        .map_err(sql)?;
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(TABLES).map_err(sql)?;
        tx.execute_batch(RECORD_TABLES).map_err(sql)?;
        let mut writer = Tx {
            tx: &tx,
            path: partial,
        };
        writer.set_meta("schema", &serde_json::to_string(&self.schema)?)?;
        writer.set_meta(
            "next_ids",
            &serde_json::to_string(&[self.next_client, self.next_deal, self.next_activity])?,
        )?;
        self.write_record_rows(&writer)?;
        let mut merge_keys = Vec::with_capacity(self.merges.len());
        for merge in &self.merges {
            merge_keys.push(writer.push_merge(merge)?);
        }
        writer.log(&ChangeEntry {
            at: (self.clock)(),
            actor: self.actor.clone(),
            action: "create".into(),
            records: Vec::new(),
            exported: None,
        })?;
        tx.commit().map_err(sql)?;
        conn.execute_batch("PRAGMA journal_mode = WAL;")
            .map_err(sql)?;
        conn.close().map_err(|(_, e)| sql(e))?;
        Ok(merge_keys)
    }
}

impl Journal {
    /// The open file, or an error once the base was closed.
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Option<Connection>>> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| self.error("a write to the file panicked; open the file again"))?;
        if conn.is_none() {
            return Err(self.closed());
        }
        Ok(conn)
    }

    pub(super) fn closed(&self) -> Error {
        self.error("the base file was closed; open it again to read its log or change it")
    }

    /// An [`ErrorKind::Storage`] error about this file.
    pub(super) fn error(&self, reason: impl Into<String>) -> Error {
        file_error(&self.path, reason)
    }

    /// Runs `write` in one transaction and commits it.
    fn write(
        &mut self,
        write: impl FnOnce(&mut Tx<'_>, &mut Vec<i64>) -> Result<()>,
    ) -> Result<()> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| sql_error(&path, e);
        let closed = self.closed();
        let conn = self
            .conn
            .get_mut()
            .map_err(|_| file_error(&path, "a write to the file panicked; open it again"))?
            .as_mut()
            .ok_or(closed)?;
        let tx = conn.transaction().map_err(sql)?;
        let mut keys = self.merge_keys.clone();
        write(
            &mut Tx {
                tx: &tx,
                path: &path,
            },
            &mut keys,
        )?;
        tx.commit().map_err(sql)?;
        self.merge_keys = keys;
        Ok(())
    }

    fn changes(&self, params: &ChangesParams) -> Result<Vec<Change>> {
        let sql = |e: rusqlite::Error| sql_error(&self.path, e);
        let guard = self.lock()?;
        let conn = guard.as_ref().ok_or_else(|| self.closed())?;
        let mut query =
            String::from("SELECT seq, at, actor, action, records, exported FROM changes WHERE 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(record) = &params.record {
            query.push_str(" AND seq IN (SELECT seq FROM change_records WHERE record = ?)");
            args.push(record.clone().into());
        }
        if let Some(actor) = &params.actor {
            query.push_str(" AND actor = ?");
            args.push(actor.clone().into());
        }
        if let Some(since) = params.since {
            query.push_str(" AND at >= ?");
            args.push(stamp(since).into());
        }
        if let Some(after) = params.after_seq {
            query.push_str(" AND seq > ?");
            args.push(i64::try_from(after).unwrap_or(i64::MAX).into());
        }
        query.push_str(" ORDER BY seq");
        if let Some(limit) = params.limit {
            query.push_str(" LIMIT ?");
            args.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
        }
        let mut stmt = conn.prepare(&query).map_err(sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })
            .map_err(sql)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at, actor, action, records, exported) = row.map_err(sql)?;
            let what = format!("change {seq}");
            out.push(Change {
                seq: seq.unsigned_abs(),
                at: parse_json(&self.path, &what, &format!("\"{at}\""))?,
                actor,
                action,
                records: parse_json(&self.path, &what, &records)?,
                exported: exported.map(i64::unsigned_abs),
            });
        }
        Ok(out)
    }
}

/// Checks the file's kind and format version and reads the schema and the id
/// counters.
fn read_meta(conn: &Connection, path: &Path) -> Result<(Schema, NextIds, i64)> {
    let sql = |e: rusqlite::Error| sql_error(path, e);
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(sql)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    if app != APPLICATION_ID {
        return Err(file_error(
            path,
            "is an SQLite database of another program, not a clientbase base",
        ));
    }
    if version > FORMAT_VERSION {
        return Err(file_error(
            path,
            format!(
                "was written by a newer clientbase (file format {version}; this library \
                 reads formats up to {FORMAT_VERSION}): open it with a newer version"
            ),
        ));
    }
    if version < 1 {
        return Err(file_error(
            path,
            format!("has no clientbase file format (user_version {version})"),
        ));
    }
    let meta = |key: &str| -> Result<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sql)
    };
    let schema: Schema = match meta("schema")? {
        Some(json) => parse_json(path, "meta.schema", &json)?,
        None => Schema::new(),
    };
    let next_ids = match meta("next_ids")? {
        Some(json) => {
            let [client, deal, activity]: [u64; 3] = parse_json(path, "meta.next_ids", &json)?;
            NextIds {
                client,
                deal,
                activity,
            }
        }
        None => NextIds::default(),
    };
    Ok((schema, next_ids, version))
}

/// The writes of one transaction.
struct Tx<'a> {
    tx: &'a Transaction<'a>,
    path: &'a Path,
}

impl Tx<'_> {
    fn sql(&self, e: rusqlite::Error) -> Error {
        sql_error(self.path, e)
    }

    /// Stores the rows of records of kind `R` (their ids, binary data and key
    /// columns), or deletes a row whose data is `None`.
    fn put_rows<R: Stored>(&mut self, rows: &[(u64, Option<Row>)]) -> Result<()> {
        let sql = |e: rusqlite::Error| sql_error(self.path, e);
        let mut put = self.tx.prepare_cached(R::PUT).map_err(sql)?;
        let mut delete = self
            .tx
            .prepare_cached(&format!("DELETE FROM {} WHERE id = ?1", R::TABLE))
            .map_err(sql)?;
        for (id, row) in rows {
            let id = i64::try_from(*id).map_err(|_| self.error_id(*id))?;
            match row {
                Some(row) => bind_row::<R>(&mut put, id, row).map_err(sql)?,
                None => {
                    delete.execute([id]).map_err(sql)?;
                }
            }
        }
        Ok(())
    }

    fn error_id(&self, id: u64) -> Error {
        file_error(self.path, format!("id {id} is too large for the file"))
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![key, value]))
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    fn push_merge(&mut self, merge: &MergeRecord) -> Result<i64> {
        let json = serde_json::to_string(merge)?;
        self.tx
            .prepare_cached("INSERT INTO merges(data) VALUES (?1)")
            .and_then(|mut s| s.execute([json]))
            .map_err(|e| self.sql(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    fn remove_merge(&mut self, key: i64) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM merges WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Appends a change-log entry and indexes it by record.
    fn log(&mut self, entry: &ChangeEntry) -> Result<()> {
        let records = serde_json::to_string(&entry.records)?;
        self.tx
            .prepare_cached(
                "INSERT INTO changes(at, actor, action, records, exported)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    stamp(entry.at),
                    entry.actor,
                    entry.action,
                    records,
                    entry.exported.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
                ])
            })
            .map_err(|e| self.sql(e))?;
        let seq = self.tx.last_insert_rowid();
        let mut stmt = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO change_records(record, seq) VALUES (?1, ?2)")
            .map_err(|e| self.sql(e))?;
        for record in &entry.records {
            stmt.execute(params![record.record, seq])
                .map_err(|e| sql_error(self.path, e))?;
        }
        Ok(())
    }

    /// Drops the oldest change-log entries past the last `limit` (the log
    /// of a base in memory).
    fn prune(&mut self, limit: usize) -> Result<()> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        for table in ["changes", "change_records"] {
            self.tx
                .prepare_cached(&format!(
                    "DELETE FROM {table} WHERE seq <= (SELECT MAX(seq) FROM changes) - ?1"
                ))
                .and_then(|mut s| s.execute([limit]))
                .map_err(|e| self.sql(e))?;
        }
        Ok(())
    }
}

/// A record as stored: its binary data and the key columns of its table.
struct Row {
    data: Vec<u8>,
    keys: [Option<i64>; 2],
}

/// The row of a record.
fn row<R: Stored>(record: &R) -> Row {
    Row {
        data: codec::to_bytes(record),
        keys: record.keys(),
    }
}

/// Runs the prepared [`Stored::PUT`] of `R` for one row.
fn bind_row<R: Stored>(
    stmt: &mut rusqlite::CachedStatement<'_>,
    id: i64,
    row: &Row,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(1, id)?;
    stmt.raw_bind_parameter(2, row.data.as_slice())?;
    for (at, key) in row.keys.iter().take(R::KEYS).enumerate() {
        stmt.raw_bind_parameter(at + 3, key)?;
    }
    stmt.raw_execute().map(drop)
}

/// Writes every record of one kind, encoded on all cores.
fn write_all<'r, R: Stored + Sync + 'r>(
    tx: &Tx<'_>,
    records: impl Iterator<Item = (u64, &'r R)>,
) -> Result<()> {
    let records: Vec<(u64, &R)> = records.collect();
    let sql = |e: rusqlite::Error| tx.sql(e);
    let mut stmt = tx.tx.prepare_cached(R::PUT).map_err(sql)?;
    for chunk in records.chunks(8192) {
        let rows = crate::batch::map_column(chunk, |(id, record)| (*id, row(*record)));
        for (id, row) in &rows {
            let id = i64::try_from(*id).map_err(|_| tx.error_id(*id))?;
            bind_row::<R>(&mut stmt, id, row).map_err(sql)?;
        }
    }
    Ok(())
}

/// The merge log with the key of each of its rows.
fn read_merges(conn: &Connection, path: &Path) -> Result<(Vec<MergeRecord>, Vec<i64>)> {
    let sql = |e: rusqlite::Error| sql_error(path, e);
    let mut merge_keys = Vec::new();
    let mut merges = Vec::new();
    let mut stmt = conn
        .prepare("SELECT key, data FROM merges ORDER BY key")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(sql)?;
    for row in rows {
        let (key, json) = row.map_err(sql)?;
        merges.push(parse_json::<MergeRecord>(
            path,
            &format!("merge {key}"),
            &json,
        )?);
        merge_keys.push(key);
    }
    Ok((merges, merge_keys))
}

/// Reads the records of a format-1 file (one JSON document per record),
/// checking every one as [`ClientBase::read_json`] does.
fn read_format_1(
    conn: &Connection,
    path: &Path,
    schema: Schema,
    next_ids: NextIds,
    merges: Vec<MergeRecord>,
) -> Result<ClientBase> {
    let clients: Vec<Client> = read_json_records(conn, path, "clients", "client")?;
    let deals: Vec<Deal> = read_json_records(conn, path, "deals", "deal")?;
    let activities: Vec<Activity> = read_json_records(conn, path, "activities", "activity")?;
    ClientBase::from_snapshot(Snapshot {
        format: super::json::FORMAT.to_string(),
        version: super::json::VERSION,
        schema,
        next_ids,
        clients,
        deals,
        activities,
        merges,
    })
    .map_err(|e| e.or_record(|| path.display().to_string()))
}

/// Reads every JSON record of one kind (format 1), parsed on all cores; an
/// error names the record.
fn read_json_records<R: DeserializeOwned + Send>(
    conn: &Connection,
    path: &Path,
    table: &str,
    label: &str,
) -> Result<Vec<R>> {
    let sql = |e: rusqlite::Error| sql_error(path, e);
    let mut stmt = conn
        .prepare(&format!("SELECT id, data FROM {table} ORDER BY id"))
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(sql)?;
    let rows: Vec<(i64, String)> = rows.collect::<rusqlite::Result<_>>().map_err(sql)?;
    crate::batch::map_column(&rows, |(id, json)| {
        parse_json::<R>(path, &format!("{label} {id}"), json)
    })
    .into_iter()
    .collect()
}

/// Opens the SQLite file of a base with the pragmas a base uses.
fn connect(path: &Path, options: &OpenOptions) -> Result<Connection> {
    let sql = |e: rusqlite::Error| sql_error(path, e);
    let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    flags |= if options.read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    };
    let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
    // A base held by another program is refused at once, not after a wait.
    conn.busy_timeout(std::time::Duration::ZERO).map_err(sql)?;
    if options.read_only {
        conn.execute_batch("PRAGMA query_only = ON;").map_err(sql)?;
        return Ok(conn);
    }
    // One program writes a base at a time: its in-memory copy is the truth.
    conn.execute_batch(
        "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;
         PRAGMA cache_size = -65536;",
    )
    .map_err(sql)?;
    let sync = if options.sync_every_commit {
        "FULL"
    } else {
        "NORMAL"
    };
    conn.execute_batch(&format!("PRAGMA synchronous = {sync};"))
        .map_err(sql)?;
    // Take the lock now, so a second writer is refused at open, not at its
    // first write.
    conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
        .map_err(sql)?;
    Ok(conn)
}

/// Makes a new file at `path` by writing it whole under another name and then
/// putting it in place, synced: a crash leaves no half-written file under
/// `path`, and a file already there (or made meanwhile) is never replaced.
fn put_in_place<T>(path: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    refuse_existing(path)?;
    let partial = PathBuf::from(format!("{}.partial-{}", path.display(), std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let written = write(&partial).and_then(|out| {
        let io = |e: std::io::Error| file_error(path, e.to_string());
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        // A link, not a rename: it never replaces a file made meanwhile.
        std::fs::hard_link(&partial, path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                file_error(path, "already exists; nothing was overwritten")
            }
            _ => io(e),
        })?;
        Ok(out)
    });
    let _ = std::fs::remove_file(&partial);
    written
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(file_error(path, "already exists; nothing was overwritten"));
    }
    Ok(())
}

fn parse_json<T: DeserializeOwned>(path: &Path, record: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| {
        Error::new(
            ErrorKind::Storage,
            format!("cannot be read from {}: {e}", path.display()),
        )
        .with_record(record.to_string())
    })
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// An [`ErrorKind::Storage`] error naming the file.
fn file_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::Storage, reason).with_record(path.display().to_string())
}

fn sql_error(path: &Path, err: rusqlite::Error) -> Error {
    let reason = match &err {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            "is not a clientbase base (not an SQLite database)".to_string()
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseCorrupt => {
            format!("is damaged: {err}")
        }
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::DatabaseBusy
                || f.code == rusqlite::ErrorCode::DatabaseLocked =>
        {
            "is open for writing in another program".to_string()
        }
        _ => err.to_string(),
    };
    file_error(path, reason).with_source(err)
}
