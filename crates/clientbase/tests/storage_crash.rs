//! Crash safety of a base kept in a file: a writer process is killed (SIGKILL)
//! at random moments, many times, and every reopened base must be valid and
//! hold every write the writer had acknowledged, that is every write whose
//! call had returned before the writer printed it.
//!
//! The writer is this test binary run again with `CB_CRASH_WRITER` set: the
//! `writer` test below does nothing in a normal run.
#![cfg(feature = "storage")]

use clientbase::{Client, ClientBase, ClientId, Currency, Deal, DealId, MergeRules, Money, Schema};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const WRITER: &str = "CB_CRASH_WRITER";
const MIGRATOR: &str = "CB_CRASH_MIGRATOR";

/// What the writer acknowledged, line by line on its standard output:
/// `client <id> <surname>`, `deal <id> <client>`, `stage <deal> <n>`,
/// `merge <survivor> <merged>`.
#[derive(Default)]
struct Acknowledged {
    clients: BTreeMap<u64, String>,
    deals: BTreeMap<u64, u64>,
    stages: BTreeMap<u64, u32>,
    merged: BTreeSet<u64>,
    survivors: BTreeSet<u64>,
}

impl Acknowledged {
    fn read(&mut self, line: &str) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let n = |i: usize| parts[i].parse::<u64>().unwrap();
        match parts.first() {
            Some(&"client") => {
                self.clients.insert(n(1), parts[2].to_string());
            }
            Some(&"deal") => {
                self.deals.insert(n(1), n(2));
            }
            Some(&"stage") => {
                self.stages.insert(n(1), n(2) as u32);
            }
            Some(&"merge") => {
                self.survivors.insert(n(1));
                self.merged.insert(n(2));
            }
            // The test harness's own lines ("running 1 test").
            _ => {}
        }
    }

    /// Checks that the reopened base holds every acknowledged write.
    fn check(&self, base: &ClientBase, round: usize) {
        // A merge may be committed and killed before it was printed.
        let merged: BTreeSet<u64> = base
            .merges()
            .iter()
            .flat_map(|m| m.merged.iter().map(|id| id.0))
            .collect();
        assert!(
            self.merged.is_subset(&merged),
            "round {round}: an acknowledged merge is not in the merge log"
        );
        let survivors: BTreeSet<u64> = base.merges().iter().map(|m| m.survivor.0).collect();
        for (id, surname) in &self.clients {
            let client = base.get_client(ClientId(*id));
            if merged.contains(id) {
                assert!(
                    client.is_none(),
                    "round {round}: merged client {id} is back"
                );
                continue;
            }
            let client = client.unwrap_or_else(|| panic!("round {round}: client {id} lost"));
            // A merge survivor may have taken the other surname.
            if !self.survivors.contains(id) && !survivors.contains(id) {
                assert!(
                    client.display_name().starts_with(surname.as_str()),
                    "round {round}: {} for {surname}",
                    client.display_name()
                );
            }
        }
        for (deal, client) in &self.deals {
            let stored = base
                .get_deal(DealId(*deal))
                .unwrap_or_else(|| panic!("round {round}: deal {deal} lost"));
            if !merged.contains(client) {
                assert_eq!(stored.client, ClientId(*client), "round {round}");
            }
        }
        for (deal, stage) in &self.stages {
            let stored = base.get_deal(DealId(*deal)).unwrap();
            let at: u32 = stored.stage.trim_start_matches("Этап ").parse().unwrap();
            // The next stage may have been committed without being printed.
            assert!(
                at == *stage || at == stage + 1,
                "round {round}: deal {deal} at stage {at}, acknowledged {stage}"
            );
        }
    }
}

/// The writer: opens (or creates) the base and writes until it is killed.
#[test]
fn writer() {
    let Ok(path) = std::env::var(WRITER) else {
        return;
    };
    let path = PathBuf::from(path);
    let mut base = if path.exists() {
        ClientBase::open(&path).unwrap()
    } else {
        ClientBase::create(&path, Schema::new()).unwrap()
    };
    base.set_actor(Some("writer"));
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut last: Option<(ClientId, DealId, u32)> = None;
    for i in 0u64.. {
        let surname = format!("Фамилия{i}");
        let id = base
            .add_client(Client::person(&surname, "Имя", None))
            .unwrap();
        writeln!(out, "client {} {surname}", id.0).unwrap();
        let deal = base
            .add_deal(Deal::new(
                id,
                Money::from_minor(100 * i as i64, Currency::RUB),
            ))
            .unwrap();
        writeln!(out, "deal {} {}", deal.0, id.0).unwrap();
        if let Some((previous, previous_deal, stage)) = last {
            let mut moved = base.deal(previous_deal).unwrap().clone();
            moved.stage = format!("Этап {}", stage + 1).into();
            base.update_deal(moved).unwrap();
            writeln!(out, "stage {} {}", previous_deal.0, stage + 1).unwrap();
            if i % 5 == 0 {
                base.merge_clients(id, &[previous], &MergeRules::default())
                    .unwrap();
                writeln!(out, "merge {} {}", id.0, previous.0).unwrap();
            }
        }
        out.flush().unwrap();
        last = Some((id, deal, 0));
    }
}

fn spawn_writer(path: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "writer", "--nocapture", "--test-threads=1", "-q"])
        .env(WRITER, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn killed_writers_lose_no_acknowledged_write() {
    if std::env::var(WRITER).is_ok() || std::env::var(MIGRATOR).is_ok() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("cb-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("base.cb");
    let mut acknowledged = Acknowledged::default();
    // A small deterministic generator of kill points (xorshift).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    let rounds = 25;
    for round in 0..rounds {
        let mut child = spawn_writer(&path);
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        // Let it acknowledge a random number of writes, then kill it a random
        // few microseconds later: mostly in the middle of a later write.
        let wanted = 1 + next(40);
        let mut seen = 0;
        while seen < wanted {
            match lines.next() {
                Some(Ok(line)) => {
                    acknowledged.read(&line);
                    seen += u64::from(!line.starts_with("running"));
                }
                _ => break,
            }
        }
        std::thread::sleep(Duration::from_micros(next(3000)));
        child.kill().unwrap();
        // Lines already written before the kill were acknowledged too.
        for line in lines.map_while(|l| l.ok()) {
            acknowledged.read(&line);
        }
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the writer was not killed"
        );

        let base = ClientBase::open(&path)
            .unwrap_or_else(|e| panic!("round {round}: the base does not reopen: {e}"));
        acknowledged.check(&base, round);
    }
    assert!(
        acknowledged.clients.len() > rounds,
        "the writers wrote: {}",
        acknowledged.clients.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes `base` as a file of format 1, as the clientbase of session 9 wrote
/// it: the same tables, one JSON document per record (the record's JSON of
/// `to_json`), the schema and counters in `meta`, and a `create` entry.
fn write_format_1(path: &Path, base: &ClientBase) {
    let snapshot: serde_json::Value = serde_json::from_str(&base.to_json().unwrap()).unwrap();
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA application_id = 1128415571; PRAGMA user_version = 1;
         CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE clients(id INTEGER PRIMARY KEY, data TEXT NOT NULL);
         CREATE TABLE deals(id INTEGER PRIMARY KEY, data TEXT NOT NULL);
         CREATE TABLE activities(id INTEGER PRIMARY KEY, data TEXT NOT NULL);
         CREATE TABLE merges(key INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL);
         CREATE TABLE changes(seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT,
             action TEXT NOT NULL, records TEXT NOT NULL, exported INTEGER);
         CREATE TABLE change_records(record TEXT NOT NULL, seq INTEGER NOT NULL,
             PRIMARY KEY (record, seq)) WITHOUT ROWID;",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    let ids = &snapshot["next_ids"];
    tx.execute(
        "INSERT INTO meta VALUES ('schema', ?1), ('next_ids', ?2)",
        [
            snapshot["schema"].to_string(),
            format!("[{},{},{}]", ids["client"], ids["deal"], ids["activity"]),
        ],
    )
    .unwrap();
    for table in ["clients", "deals", "activities"] {
        let mut insert = tx
            .prepare(&format!("INSERT INTO {table}(id, data) VALUES (?1, ?2)"))
            .unwrap();
        for record in snapshot[table].as_array().unwrap() {
            insert
                .execute(rusqlite::params![
                    record["id"].as_i64().unwrap(),
                    record.to_string()
                ])
                .unwrap();
        }
    }
    tx.execute(
        "INSERT INTO changes(at, action, records) VALUES ('2025-06-15T15:06:40Z', 'create', '[]')",
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
}

/// The migrator: opens a format-1 file (which migrates it) when run again
/// with `CB_CRASH_MIGRATOR` set; nothing in a normal run.
#[test]
fn migrator() {
    let Ok(path) = std::env::var(MIGRATOR) else {
        return;
    };
    println!("opening");
    let base = ClientBase::open(PathBuf::from(path)).unwrap();
    println!("migrated {}", base.counts().clients);
}

#[test]
fn killed_migrations_leave_a_file_that_opens_whole() {
    if std::env::var(WRITER).is_ok() || std::env::var(MIGRATOR).is_ok() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("cb-crash-migrate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let expected =
        clientbase::generator::generate(&clientbase::generator::GeneratorConfig::new(4000, 21))
            .unwrap()
            .base;
    let original = dir.join("format1.cb");
    write_format_1(&original, &expected);
    let format_of = |path: &Path| -> i64 {
        let conn =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(format_of(&original), 1);
    // How long a whole migration takes here, to kill the next ones part way.
    let timed = dir.join("timed.cb");
    std::fs::copy(&original, &timed).unwrap();
    let start = std::time::Instant::now();
    let run = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "migrator",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(MIGRATOR, &timed)
        .output()
        .unwrap();
    assert!(run.status.success());
    let whole = start.elapsed();
    assert_eq!(format_of(&timed), 2);
    let mut killed_before_the_end = 0;
    let rounds = 8;
    for round in 0..rounds {
        let path = dir.join(format!("round{round}.cb"));
        std::fs::copy(&original, &path).unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "migrator",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ])
            .env(MIGRATOR, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while let Some(Ok(line)) = lines.next() {
            if line == "opening" {
                break;
            }
        }
        // Spread over the time a whole migration took.
        std::thread::sleep(whole.mul_f64(f64::from(round) / f64::from(rounds)));
        child.kill().unwrap();
        let finished = lines
            .map_while(|l| l.ok())
            .any(|l| l.starts_with("migrated"));
        child.wait().unwrap();
        killed_before_the_end += usize::from(!finished);
        let format = format_of(&path);
        assert!(format == 1 || format == 2, "round {round}: format {format}");
        let base = ClientBase::open(&path)
            .unwrap_or_else(|e| panic!("round {round}: the base does not reopen: {e}"));
        assert!(base == expected, "round {round}: the reopened base differs");
        drop(base);
        assert_eq!(format_of(&path), 2, "round {round}");
    }
    assert!(
        killed_before_the_end > 0,
        "no migration was killed before it ended"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
