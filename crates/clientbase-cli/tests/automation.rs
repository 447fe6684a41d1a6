//! `clientbase due` and `clientbase route`, run as a user would, on a base
//! written by hand.

use clientbase::{Client, ClientBase, Schema};
use std::path::Path;

mod common;
use common::{clientbase, scratch};

/// Анна (Ольга's) has a phone only; Пётр (Борис's) an email only.
fn write_base(dir: &Path) -> String {
    let mut base = ClientBase::new(Schema::new());
    base.add_client(Client {
        owner: Some("Ольга".into()),
        ..Client::person("Иванова", "Анна", None).with_phone("+7 916 123-45-67")
    })
    .unwrap();
    base.add_client(Client {
        owner: Some("Борис".into()),
        ..Client::person("Петров", "Пётр", None).with_email("p@example.ru")
    })
    .unwrap();
    let path = dir.join("base.json");
    std::fs::write(&path, base.to_json().unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn due_writes_the_actions_and_records_them_once() {
    let dir = scratch("due");
    let base = write_base(&dir);
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"version": 1, "rules": [
            {"name": "ask_email", "kind": "missing_contact", "contact": "email"},
            {"name": "ask_phone", "kind": "missing_contact", "contact": "phone"}]}"#,
    )
    .unwrap();
    let out = dir.join("actions.csv");
    let args = [
        "due",
        "--base",
        &base,
        "--as-of",
        "2026-12-07",
        "--rules",
        rules.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let run = clientbase(&args);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", text(&run.stderr));
    assert!(stdout.contains("2 actions due"), "{stdout}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "key,rule,kind,action,client,name,deal,manager,due,occurs,reason,channel,contact,text"
    );
    assert_eq!(
        lines[1],
        "ask_email/client-1,ask_email,missing_contact,task,1,Иванова Анна,,Ольга,2026-12-07,,no email: ask the client for one,,,no email: ask the client for one"
    );
    assert!(
        lines[2].starts_with("ask_phone/client-2,ask_phone,"),
        "{csv}"
    );

    // Recorded in the base, then nothing is due again.
    let mut record = args.to_vec();
    record.push("--record");
    let run = clientbase(&record);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).contains("recorded 2 tasks"),
        "{}",
        text(&run.stdout)
    );
    let run = clientbase(&args);
    assert!(
        text(&run.stdout).contains("0 actions due"),
        "{}",
        text(&run.stdout)
    );
}

#[test]
fn route_tells_the_manager_and_why() {
    let dir = scratch("route");
    let base = write_base(&dir);
    let out = dir.join("route.json");
    let run = clientbase(&[
        "route",
        "--base",
        &base,
        "--lead",
        r#"{"name": "Анна Иванова", "phone": "8 916 123 45 67"}"#,
        "--managers",
        "Ольга,Борис",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains("manager: Ольга (rule own_manager)"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["client"], 1);
}

#[test]
fn bad_rules_fail_with_code_2() {
    let dir = scratch("due-bad");
    let base = write_base(&dir);
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"version": 1, "rules": [{"name": "b", "kind": "birthday", "colour": 1}]}"#,
    )
    .unwrap();
    let run = clientbase(&["due", "--base", &base, "--rules", rules.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("colour"),
        "{}",
        text(&run.stderr)
    );
    let run = clientbase(&["route", "--base", &base, "--lead", "{\"shoe\": 1}"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("shoe"), "{}", text(&run.stderr));
}
