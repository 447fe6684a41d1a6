//! `clientbase audience` and `clientbase tasks`, run as a user would, on a
//! base written by hand.

use clientbase::{Channel, Client, ClientBase, Consent, Schema};
use std::path::Path;

mod common;
use common::{clientbase, scratch};

/// Анна consented to SMS and calls and has her manager; Пётр gave no consent;
/// Сидор has no phone.
fn write_base(dir: &Path) -> String {
    let mut base = ClientBase::new(Schema::new());
    let day = "2026-01-10".parse().unwrap();
    base.add_client(Client {
        owner: Some("Ольга".into()),
        ..Client::person("Иванова", "Анна", None)
            .with_phone("+7 916 123-45-67")
            .with_email("anna@example.ru")
            .with_consent(Channel::Sms, Consent::given(day))
            .with_consent(Channel::Calls, Consent::given(day))
            .with_consent(Channel::Ads, Consent::given(day))
    })
    .unwrap();
    base.add_client(Client::person("Петров", "Пётр", None).with_phone("+7 916 000-00-02"))
        .unwrap();
    base.add_client(Client::person("Сидоров", "Сидор", None).with_email("s@example.ru"))
        .unwrap();
    let path = dir.join("base.json");
    std::fs::write(&path, base.to_json().unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn audience_writes_members_and_exclusions() {
    let dir = scratch("audience");
    let base = write_base(&dir);
    let out = dir.join("sms.csv");
    let left = dir.join("left.csv");
    let run = clientbase(&[
        "audience",
        "--base",
        &base,
        "--channel",
        "смс",
        "--as-of",
        "2026-06-30",
        "--out",
        out.to_str().unwrap(),
        "--exclusions",
        left.to_str().unwrap(),
    ]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains("1 of 3 clients of the segment reachable on sms"),
        "{stdout}"
    );
    assert!(stdout.contains("no_consent"), "{stdout}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        csv,
        "client,contact,field,owner\n1,+79161234567,phones[0],Ольга\n"
    );
    let csv = std::fs::read_to_string(&left).unwrap();
    assert_eq!(csv, "client,reason,other\n2,no_consent,\n3,no_contact,\n");

    // The ads audience as Meta's hashed list: nothing in the clear.
    let ads = dir.join("meta.csv");
    let run = clientbase(&[
        "audience",
        "--base",
        &base,
        "--channel",
        "ads",
        "--platform",
        "meta",
        "--as-of",
        "2026-06-30",
        "--out",
        ads.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let csv = std::fs::read_to_string(&ads).unwrap();
    assert!(csv.starts_with("email,phone\n"), "{csv}");
    assert!(
        csv.contains("1210f4f193f6032e91cd7117a785a1be09550d79076c4717cdae4c0c45691a30"),
        "{csv}"
    );
    assert!(!csv.contains("example.ru"), "{csv}");
}

#[test]
fn tasks_by_manager_as_csv() {
    let dir = scratch("tasks");
    let base = write_base(&dir);
    let out = dir.join("tasks.csv");
    let run = clientbase(&[
        "tasks",
        "--base",
        &base,
        "--segment",
        "has phone",
        "--service",
        "--managers",
        "Борис,Ольга",
        "--as-of",
        "2026-06-30",
        "--reason",
        "confirm the address",
        "--script",
        "Здравствуйте!",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", text(&run.stderr));
    assert!(stdout.contains("2 call tasks"), "{stdout}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        csv,
        "client,name,manager,own_manager,due,contact,reason,script\n\
         1,Иванова Анна,Ольга,true,2026-07-03,+79161234567,confirm the address,Здравствуйте!\n\
         2,Петров Пётр,Борис,false,2026-07-03,+79160000002,confirm the address,Здравствуйте!\n"
    );
}

#[test]
fn bad_input_fails_with_code_2() {
    let dir = scratch("audience-bad");
    let base = write_base(&dir);
    let run = clientbase(&["audience", "--base", &base, "--channel", "fax"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("fax"));
    let run = clientbase(&[
        "audience",
        "--base",
        &base,
        "--channel",
        "sms",
        "--segment",
        "city =",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("column"),
        "{}",
        text(&run.stderr)
    );
    let run = clientbase(&["tasks", "--base", &base, "--distribute", "random"]);
    assert_eq!(run.status.code(), Some(2));
}
