//! `clientbase view`, run as a user would: a manager's table holds only their
//! clients with masked phones, a forbidden export fails with the reason, and
//! an allowed one is logged in the base file with the actor.

use clientbase::{Client, ClientBase, Phone, Schema};

mod common;
use common::{clientbase, scratch};

const POLICY: &str = r#"{"roles": {
    "manager": {"clients": "own", "contacts": "masked", "forbid_exports": ["csv"],
                "export_reason": "managers do not take the base home"},
    "head": {"clients": "all", "contacts": "full"}},
  "actors": {"anna": {"role": "manager", "owns": ["Анна"]}, "boss": {"role": "head"}}}"#;

#[test]
fn view_reads_as_the_actor_and_logs_exports() {
    let dir = scratch("view");
    let path = dir.join("base.cb");
    let _ = std::fs::remove_file(&path);
    let mut base = ClientBase::create(&path, Schema::new()).unwrap();
    for (surname, owner, phone) in [
        ("Смирнова", "Анна", "+79161234567"),
        ("Петров", "Борис", "+79167654321"),
    ] {
        let mut client = Client::person(surname, "Имя", None);
        client.owner = Some(owner.into());
        client.phones.push(Phone::raw(phone));
        base.add_client(client).unwrap();
    }
    drop(base);
    let policy = dir.join("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    let (base_arg, policy_arg) = (path.to_str().unwrap(), policy.to_str().unwrap());

    let args = |actor: &'static str, what: &'static str| {
        vec![
            "view", base_arg, what, "--actor", actor, "--policy", policy_arg,
        ]
    };
    let mut table = args("anna", "clients_table");
    table.extend([
        "--params",
        r#"{"fields": ["id", "surname", "phones_json"]}"#,
    ]);
    let out = clientbase(&table);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("id,surname,phones_json\n1,Смирнова,"),
        "{text}"
    );
    assert!(
        text.contains("+7 916 ***-**-67") && !text.contains("Петров"),
        "{text}"
    );
    assert!(!text.contains("1234567"), "{text}");

    let out = clientbase(&args("anna", "export_clients_csv"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("managers do not take the base home"), "{err}");

    let out = clientbase(&args("boss", "export_clients_csv"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Петров"));

    let out = clientbase(&args("stranger", "counts"));
    assert_eq!(out.status.code(), Some(2));

    let base = ClientBase::open(&path).unwrap();
    let log: Vec<(String, Option<u64>, Option<String>)> = base
        .changes(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|c| c.exported.is_some())
        .map(|c| (c.action, c.exported, c.actor))
        .collect();
    assert_eq!(
        log,
        vec![
            ("clients_table".into(), Some(1), Some("anna".into())),
            ("export_clients_csv".into(), Some(2), Some("boss".into())),
        ]
    );
}
