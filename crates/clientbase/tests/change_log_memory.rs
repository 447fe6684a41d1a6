//! The change log of a base in memory (`ClientBase::keep_change_log`): the
//! same entries a base file logs, the last `limit` of them, exports logged,
//! nothing of it on a clone, and refused on a base file.
#![cfg(feature = "storage")]

use clientbase::{ChangesParams, Client, ClientBase, ErrorKind, RecordOp, Schema};

fn add(base: &mut ClientBase, surname: &str) -> clientbase::ClientId {
    base.add_client(Client::person(surname, "Анна", None))
        .unwrap()
}

fn actions(base: &ClientBase) -> Vec<(u64, String)> {
    base.changes(&ChangesParams::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.seq, c.action))
        .collect()
}

/// The entries that changed client `id`.
fn of(base: &ClientBase, id: clientbase::ClientId) -> Vec<clientbase::Change> {
    base.changes(&ChangesParams {
        record: Some(id.to_string()),
        ..ChangesParams::default()
    })
    .unwrap()
}

#[test]
fn a_base_in_memory_keeps_no_log_until_asked() {
    let mut base = ClientBase::new(Schema::new());
    assert!(!base.keeps_change_log());
    add(&mut base, "Иванова");
    let err = base.changes(&ChangesParams::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("keep_change_log"), "{err}");
    base.keep_change_log(10).unwrap();
    assert!(base.keeps_change_log());
    assert_eq!(base.path(), None, "still a base in memory");
    // The log starts empty: the write before it is not in it.
    assert_eq!(actions(&base), []);
}

#[test]
fn the_log_holds_the_last_entries_with_their_fields() {
    let mut base = ClientBase::new(Schema::new());
    base.keep_change_log(3).unwrap();
    base.set_actor(Some("Оля"));
    let ids: Vec<_> = ["Агеева", "Белова", "Викторова", "Горина", "Дёмина"]
        .into_iter()
        .map(|s| add(&mut base, s))
        .collect();
    // Five writes, the last three kept, numbered as they came.
    let log = base.changes(&ChangesParams::default()).unwrap();
    assert_eq!(log.iter().map(|c| c.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert!(log.iter().all(|c| c.actor.as_deref() == Some("Оля")));
    assert_eq!(log[2].records[0].record, ids[4].to_string());
    assert_eq!(log[2].records[0].op, RecordOp::Added);
    // The first client's entry went with the oldest entries.
    assert!(of(&base, ids[0]).is_empty());
    assert_eq!(of(&base, ids[3]).len(), 1);

    // A change is logged field by field, before and after.
    let mut changed = base.client(ids[3]).unwrap().clone();
    changed.owner = Some("Петя".into());
    base.update_client(changed).unwrap();
    let last = base.changes(&ChangesParams::default()).unwrap();
    let entry = last.last().unwrap();
    assert_eq!((entry.seq, entry.action.as_str()), (6, "update_client"));
    let owner = &entry.records[0].fields["owner"];
    assert_eq!(owner.before, serde_json::Value::Null);
    assert_eq!(owner.after, serde_json::json!("Петя"));
    assert_eq!(of(&base, ids[3]).len(), 2);

    // A smaller limit drops the oldest now; 0 stops the log.
    base.keep_change_log(2).unwrap();
    assert_eq!(
        actions(&base),
        [
            (5, "add_client".to_string()),
            (6, "update_client".to_string())
        ]
    );
    base.keep_change_log(0).unwrap();
    assert!(!base.keeps_change_log());
    assert!(base.changes(&ChangesParams::default()).is_err());
}

#[test]
fn exports_are_logged_with_their_size() {
    let mut base = ClientBase::new(Schema::new());
    base.keep_change_log(100).unwrap();
    add(&mut base, "Иванова");
    add(&mut base, "Петрова");
    base.set_actor(Some("аналитик"));
    let json = base.to_json().unwrap();
    assert!(!json.is_empty());
    let log = base.changes(&ChangesParams::default()).unwrap();
    let export = log.last().unwrap();
    assert_eq!(export.action, "export_json");
    assert_eq!(export.exported, Some(2));
    assert_eq!(export.actor.as_deref(), Some("аналитик"));
    assert!(export.records.is_empty());
}

#[test]
fn a_write_refused_is_not_logged_and_a_clone_has_no_log() {
    let mut base = ClientBase::new(Schema::new());
    base.keep_change_log(100).unwrap();
    let id = add(&mut base, "Иванова");
    assert!(base
        .remove_client(clientbase::ClientId(id.0 + 100))
        .is_err());
    assert_eq!(actions(&base), [(1, "add_client".to_string())]);
    let copy = base.clone();
    assert!(!copy.keeps_change_log());
    assert_eq!(copy, base);
}

#[test]
fn a_backup_of_a_base_in_memory_is_a_base_file() {
    let dir = std::env::temp_dir().join(format!("cb-memlog-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut base = ClientBase::new(Schema::new());
    base.keep_change_log(100).unwrap();
    let id = add(&mut base, "Иванова");
    base.backup(dir.join("copy.cb")).unwrap();
    let copy = ClientBase::open(dir.join("copy.cb")).unwrap();
    assert_eq!(copy.client(id).unwrap().display_name(), "Иванова Анна");
    assert_eq!(actions(&base).last().unwrap().1, "backup");
    // Closing a base in memory keeps its log.
    base.close().unwrap();
    assert!(base.keeps_change_log());

    // A base file keeps its whole log in the file.
    let mut file = ClientBase::create(dir.join("base.cb"), Schema::new()).unwrap();
    let err = file.keep_change_log(10).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("whole change log"), "{err}");
    drop((file, copy));
    let _ = std::fs::remove_dir_all(&dir);
}
