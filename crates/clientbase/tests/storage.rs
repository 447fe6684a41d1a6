//! A base kept in a file: every write committed, read back equal, the change
//! log, backups, and clear errors for files that are not what they should be.
#![cfg(feature = "storage")]

use clientbase::generator::{generate, GeneratorConfig};
use clientbase::{
    Activity, ActivityKind, ChangesParams, Client, ClientBase, ClientId, ColumnMapping, CsvOptions,
    Currency, Deal, ErrorKind, MergeRules, Money, OpenOptions, RecordOp, Schema,
};
use std::path::{Path, PathBuf};

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cb-storage-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn schema() -> Schema {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

#[test]
fn every_kind_of_write_survives_a_reopen() {
    let dir = scratch("writes");
    let path = dir.join("base.cb");
    let mut base = ClientBase::create(&path, schema()).unwrap();
    assert_eq!(base.path(), Some(path.as_path()));
    let anna = base
        .add_client(Client::person("Иванова", "Анна", None).with_tag("vip"))
        .unwrap();
    let anna2 = base
        .add_client(Client::person("Иванова", "Анна", Some("Сергеевна")))
        .unwrap();
    let petr = base
        .add_client(Client::person("Петров", "Пётр", None))
        .unwrap();
    let deal = base.add_deal(Deal::new(anna2, rub("15 000"))).unwrap();
    let mut moved = base.deal(deal).unwrap().clone();
    moved.stage = "Переговоры".into();
    base.update_deal(moved).unwrap();
    base.add_activity(Activity::new(anna2, ActivityKind::Call, chrono::Utc::now()))
        .unwrap();
    base.declare_tag("gold").unwrap();
    let merge = base
        .merge_clients(anna, &[anna2], &MergeRules::default())
        .unwrap();
    let gone = base
        .add_client(Client::person("Врем", "Енный", None))
        .unwrap();
    base.remove_client(gone).unwrap();
    let in_memory = base.clone();
    assert!(in_memory.path().is_none(), "a clone is in memory only");
    drop(base);

    let mut base = ClientBase::open(&path).unwrap();
    assert!(
        base == in_memory,
        "the reopened base equals the one written"
    );
    assert_eq!(base.merges().len(), 1);
    // The merge can be undone after the reopen, and the undo is kept too.
    base.undo_merge(&merge).unwrap();
    assert!(base.get_client(anna2).is_some());
    let undone = base.clone();
    drop(base);
    let base = ClientBase::open(&path).unwrap();
    assert!(base == undone);
    assert!(base.schema().tags().any(|t| t == "gold"));
    assert!(base.get_client(petr).is_some());
    drop(base);
    // The schema alone, without reading the records.
    let schema = ClientBase::schema_in_file(&path).unwrap();
    assert!(schema.tags().any(|t| t == "gold"));
}

#[test]
fn the_change_log_says_who_changed_what() {
    let dir = scratch("log");
    let path = dir.join("base.cb");
    let mut base = ClientBase::create(&path, schema()).unwrap();
    base.set_actor(Some("manager 7"));
    let anna = base
        .add_client(Client::person("Иванова", "Анна", None))
        .unwrap();
    let deal = base.add_deal(Deal::new(anna, rub("1 000"))).unwrap();
    base.set_actor(Some("manager 9"));
    let mut moved = base.deal(deal).unwrap().clone();
    let stage_before = moved.stage.clone();
    moved.stage = "Переговоры".into();
    base.update_deal(moved).unwrap();
    // A refused write logs nothing.
    assert!(base
        .add_client(Client::person("Петров", "Пётр", None).with_tag("nope"))
        .is_err());

    let all = base.changes(&ChangesParams::default()).unwrap();
    let actions: Vec<&str> = all.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["create", "add_client", "add_deal", "update_deal"]);
    assert_eq!(all[1].actor.as_deref(), Some("manager 7"));
    assert_eq!(all[1].records[0].record, anna.to_string());
    assert_eq!(all[1].records[0].op, RecordOp::Added);
    let stage = &all[3].records[0].fields["stage"];
    assert_eq!(stage.before, serde_json::json!(stage_before));
    assert_eq!(stage.after, serde_json::json!("Переговоры"));
    assert_eq!(
        all[3].records[0].fields.len(),
        1,
        "{:?}",
        all[3].records[0].fields
    );

    let of_deal = base
        .changes(&ChangesParams {
            record: Some(deal.to_string()),
            ..ChangesParams::default()
        })
        .unwrap();
    assert_eq!(of_deal.len(), 2);
    let by_nine = base
        .changes(&ChangesParams {
            actor: Some("manager 9".into()),
            ..ChangesParams::default()
        })
        .unwrap();
    assert_eq!(by_nine.len(), 1);
    let next = base
        .changes(&ChangesParams {
            after_seq: Some(all[1].seq),
            limit: Some(1),
            ..ChangesParams::default()
        })
        .unwrap();
    assert_eq!(next[0].seq, all[2].seq);

    let err = ClientBase::new(Schema::new())
        .changes(&ChangesParams::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
}

#[test]
fn an_import_is_one_transaction_and_one_entry() {
    let dir = scratch("import");
    let path = dir.join("base.cb");
    let mut base = ClientBase::create(&path, schema()).unwrap();
    let mapping = ColumnMapping::from_pairs([("surname", "surname"), ("phone", "phone")]).unwrap();
    let rows: Vec<Vec<Option<String>>> = (0..2500)
        .map(|i| vec![Some(format!("Фамилия{i}")), Some(format!("8 916 {:07}", i))])
        .collect();
    let report = base
        .import_clients_rows(["surname", "phone"], rows, &mapping, &CsvOptions::default())
        .unwrap();
    assert_eq!(report.imported.len(), 2500);
    let log = base.changes(&ChangesParams::default()).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].action, "import_clients");
    assert_eq!(log[1].records.len(), 2500);
    assert!(!log[1].records[0].fields.is_empty());
    assert!(
        log[1].records[2499].fields.is_empty(),
        "past the first thousand: named only"
    );
    // The history of one client of the import finds the entry.
    let one = base
        .changes(&ChangesParams {
            record: Some(report.imported[2000].to_string()),
            ..ChangesParams::default()
        })
        .unwrap();
    assert_eq!(one.len(), 1);
    let before = base.clone();
    drop(base);
    assert!(ClientBase::open(&path).unwrap() == before);
}

#[test]
fn a_write_the_file_refuses_is_undone_in_memory() {
    let dir = scratch("refused");
    let path = dir.join("base.cb");
    let mut base = ClientBase::create(&path, schema()).unwrap();
    base.add_client(Client::person("Иванова", "Анна", None))
        .unwrap();
    let before = base.clone();
    // SQLite keys are signed: an id above i64::MAX cannot be stored.
    let mapping = ColumnMapping::from_pairs([("id", "id"), ("surname", "surname")]).unwrap();
    let rows = [
        vec![Some("5"), Some("Петров")],
        vec![Some("18446744073709551000"), Some("Сидоров")],
    ];
    let err = base
        .import_clients_rows(["id", "surname"], rows, &mapping, &CsvOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(err.to_string().contains("too large"), "{err}");
    assert!(
        base == before,
        "nothing of the refused import stays in memory"
    );
    // The base goes on working, and the file holds what memory holds.
    base.add_client(Client::person("Кузнецов", "Иван", None))
        .unwrap();
    let after = base.clone();
    drop(base);
    assert!(ClientBase::open(&path).unwrap() == after);
}

#[test]
fn a_generated_base_is_saved_backed_up_and_reopened_equal() {
    let dir = scratch("generated");
    let mut base = generate(&GeneratorConfig::new(300, 7)).unwrap().base;
    let in_memory = dir.join("memory-backup.cb");
    base.backup(&in_memory).unwrap();
    assert!(base.path().is_none(), "a backup does not attach the base");
    let path = dir.join("base.cb");
    base.save_as(&path).unwrap();
    let first = base.clients().next().unwrap().id;
    let mut client = base.client(first).unwrap().clone();
    client.tags.clear();
    base.update_client(client).unwrap();
    let live = dir.join("live-backup.cb");
    base.backup(&live).unwrap();
    let now = base.clone();
    drop(base);
    assert!(ClientBase::open(&path).unwrap() == now);
    assert!(ClientBase::open(&live).unwrap() == now);
    let older = ClientBase::open(&in_memory).unwrap();
    assert_eq!(older.counts(), now.counts());
    // Nothing is overwritten.
    let err = now.backup(&live).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = ClientBase::create(&path, Schema::new()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    // A new file is written under another name and put in place whole.
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn one_writer_at_a_time_and_read_only_opens() {
    let dir = scratch("lock");
    let path = dir.join("base.cb");
    let mut base = ClientBase::create(&path, schema()).unwrap();
    base.add_client(Client::person("Иванова", "Анна", None))
        .unwrap();
    let err = ClientBase::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("another program"), "{err}");
    drop(base);
    let options = OpenOptions {
        read_only: true,
        ..OpenOptions::default()
    };
    let mut reader = ClientBase::open_with(&path, &options).unwrap();
    assert_eq!(reader.counts().clients, 1);
    let err = reader
        .add_client(Client::person("Петров", "Пётр", None))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(reader.counts().clients, 1);
    drop(reader);

    // A closed base is still readable, refuses writes and frees the file.
    let mut base = ClientBase::open(&path).unwrap();
    base.close().unwrap();
    assert_eq!(base.counts().clients, 1);
    let err = base
        .add_client(Client::person("Петров", "Пётр", None))
        .unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    let again = ClientBase::open(&path).unwrap();
    assert_eq!(again.counts().clients, 1);

    // `create` in the options makes a missing file.
    let fresh = dir.join("fresh.cb");
    let options = OpenOptions {
        create: true,
        ..OpenOptions::default()
    };
    let base = ClientBase::open_with(&fresh, &options).unwrap();
    assert_eq!(base.counts().clients, 0);
    assert!(fresh.exists());
}

#[test]
fn files_that_are_not_bases_are_named_errors() {
    let dir = scratch("bad");
    let expect = |path: &Path, says: &str| {
        let err = ClientBase::open(path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
        assert_eq!(
            err.record(),
            Some(path.display().to_string().as_str()),
            "{err}"
        );
        assert!(err.to_string().contains(says), "{err}");
    };
    expect(&dir.join("missing.cb"), "no such file");

    let text = dir.join("text.cb");
    std::fs::write(&text, "фамилия;имя\nИванова;Анна\n".repeat(100)).unwrap();
    expect(&text, "not an SQLite database");

    let empty = dir.join("empty.cb");
    std::fs::write(&empty, "").unwrap();
    let err = ClientBase::open(&empty).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");

    let foreign = dir.join("foreign.db");
    drop(ClientBase::create(&foreign, Schema::new()).unwrap());
    set_pragma(&foreign, "application_id", 7);
    expect(&foreign, "another program");

    // A newer format and a damaged record, written by hand into real base files.
    let newer = dir.join("newer.cb");
    drop(ClientBase::create(&newer, Schema::new()).unwrap());
    set_pragma(&newer, "user_version", 99);
    expect(&newer, "newer clientbase");

    let damaged = dir.join("damaged.cb");
    let mut base = ClientBase::create(&damaged, Schema::new()).unwrap();
    let id = base
        .add_client(Client::person("Иванова", "Анна", None))
        .unwrap();
    drop(base);
    overwrite_record(&damaged, id);
    let err = ClientBase::open(&damaged).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(err.record(), Some(id.to_string().as_str()), "{err}");

    // Bytes cut off the end of a file.
    let cut = dir.join("cut.cb");
    let mut base = ClientBase::create(&cut, Schema::new()).unwrap();
    for i in 0..300 {
        base.add_client(Client::person(&format!("Ф{i}"), "И", None))
            .unwrap();
    }
    drop(base);
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let _ = std::fs::remove_file(cut.with_extension("cb-wal"));
    let err = ClientBase::open(&cut).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
}

/// Sets an SQLite header field of a closed file by writing its bytes (offsets
/// from the SQLite file format: user_version at 60, application_id at 68).
fn set_pragma(path: &Path, name: &str, value: u32) {
    let offset = match name {
        "user_version" => 60,
        "application_id" => 68,
        _ => unreachable!(),
    };
    checkpointed(path);
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset..offset + 4].copy_from_slice(&value.to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

/// Makes sure a closed base file holds everything (no WAL left beside it).
fn checkpointed(path: &Path) {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL is checkpointed on close"
    );
}

/// Breaks one client record in place (same length, so the page stays valid
/// SQLite): the first byte of its surname `Иванова` becomes 0xFF, which is not
/// UTF-8. In the record the surname follows a person's marker (0), the
/// present marker (1) and its length (14 bytes); the change log holds the name
/// too, in JSON.
fn overwrite_record(path: &Path, id: ClientId) {
    checkpointed(path);
    let mut bytes = std::fs::read(path).unwrap();
    let needle = [&[0u8, 1, 14][..], "Иванова".as_bytes()].concat();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("no record of {id} in the file"));
    bytes[at + 3] = 0xFF;
    std::fs::write(path, bytes).unwrap();
}

/// The file format in a base file's header.
fn format_of(path: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// `tests/fixtures/storage/format1.cb` is a genuine file of format 1 (one JSON
/// document per record), written by the clientbase of session 9 (the last to
/// write that format): the generator's 12 clients (seed 5) saved with
/// `save_as`, then two clients merged and one added, with the clock frozen at
/// 2025-06-15 15:06:40 UTC and the actor `fixture`. `format1.json` is the same
/// base's `to_json` at that moment.
#[test]
fn a_format_1_file_is_migrated_with_every_record() {
    let dir = scratch("format1");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/storage");
    let path = dir.join("format1.cb");
    std::fs::copy(fixtures.join("format1.cb"), &path).unwrap();
    let json = std::fs::read_to_string(fixtures.join("format1.json")).unwrap();
    let expected = ClientBase::from_json(&json).unwrap();
    assert_eq!(expected.counts().clients, 12);
    assert_eq!(expected.merges().len(), 1);
    assert_eq!(format_of(&path), 1);

    // Read-only: read as it is, not migrated.
    let options = OpenOptions {
        read_only: true,
        ..OpenOptions::default()
    };
    let read = ClientBase::open_with(&path, &options).unwrap();
    assert!(read == expected, "the format-1 file read back differs");
    drop(read);
    assert_eq!(format_of(&path), 1);

    // Opened for writing: migrated in place, every record kept.
    let mut base = ClientBase::open(&path).unwrap();
    assert!(base == expected, "the migrated base differs");
    let log = base.changes(&ChangesParams::default()).unwrap();
    let actions: Vec<&str> = log.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions.first(), Some(&"create"));
    assert_eq!(
        actions.last(),
        Some(&"migrate_format_1_to_2"),
        "{actions:?}"
    );
    let added = base
        .add_client(Client::person("Петров", "Пётр", None))
        .unwrap();
    let after = base.clone();
    drop(base);
    assert_eq!(format_of(&path), 2);
    let reopened = ClientBase::open(&path).unwrap();
    assert!(reopened == after, "the migrated file reopened differs");
    assert!(reopened.get_client(added).is_some());
    // Every record of the fixture, one by one (equality above covers them all;
    // this names the first one that would differ).
    for client in expected.clients() {
        assert_eq!(reopened.client(client.id).unwrap(), client);
    }
    for deal in expected.deals() {
        assert_eq!(reopened.deal(deal.id).unwrap(), deal);
    }
    assert_eq!(reopened.merges(), expected.merges());
    assert_eq!(reopened.counts().activities, expected.counts().activities);
    drop(reopened);

    // A newer format is still refused, a migrated file or not.
    set_pragma(&path, "user_version", 3);
    let err = ClientBase::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("newer clientbase"), "{err}");
}

#[test]
fn exports_and_backups_are_logged_with_the_actor_and_count() {
    let dir = scratch("exports");
    let path = dir.join("base.cb");
    let mut base = ClientBase::create(&path, schema()).unwrap();
    for i in 0..3 {
        base.add_client(Client::person(&format!("Ф{i}"), "И", None))
            .unwrap();
    }
    base.set_actor(Some("manager 7"));
    base.export_clients_csv(Vec::new()).unwrap();
    base.clients_table(None).unwrap();
    base.backup(dir.join("copy.cb")).unwrap();
    let exports: Vec<(String, Option<u64>, Option<String>)> = base
        .changes(&ChangesParams {
            actor: Some("manager 7".into()),
            ..ChangesParams::default()
        })
        .unwrap()
        .into_iter()
        .map(|c| (c.action, c.exported, c.actor))
        .collect();
    let who = Some("manager 7".to_string());
    assert_eq!(
        exports,
        [
            ("export_clients_csv".to_string(), Some(3), who.clone()),
            ("clients_table".to_string(), Some(3), who.clone()),
            ("backup".to_string(), Some(3), who),
        ]
    );
}
