//! `clientbase quality` and `clientbase analytics`, run as a user would, on a
//! base written by hand.

use chrono::{TimeZone, Utc};
use clientbase::{Client, ClientBase, Currency, Deal, DealStatus, Money, Schema};

mod common;
use common::{clientbase, scratch};

/// Two clients (one with an invalid phone); Оля won 1 500 ₽ in March 2024
/// (10 days), Петя lost a deal in April.
fn write_base(dir: &std::path::Path) -> String {
    let mut base = ClientBase::new(Schema::new());
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()));
    let anna = base
        .add_client(Client::person("Иванова", "Анна", None).with_phone("+7 916 123-45-67"))
        .unwrap();
    let petr = base
        .add_client(Client::person("Петров", "Пётр", None).with_phone("12"))
        .unwrap();
    let at = |m: u32, d: u32| Some(Utc.with_ymd_and_hms(2024, m, d, 10, 0, 0).unwrap());
    base.add_deal(Deal {
        status: DealStatus::Won,
        owner: Some("Оля".into()),
        created_at: at(3, 1),
        closed_at: at(3, 11),
        ..Deal::new(anna, Money::parse("1 500", Currency::RUB).unwrap())
    })
    .unwrap();
    base.add_deal(Deal {
        status: DealStatus::Lost,
        owner: Some("Петя".into()),
        created_at: at(4, 1),
        closed_at: at(4, 5),
        ..Deal::new(petr, Money::parse("700", Currency::RUB).unwrap())
    })
    .unwrap();
    let path = dir.join("base.json");
    std::fs::write(&path, base.to_json().unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn quality_prints_the_summary_and_writes_the_checklist() {
    let dir = scratch("quality");
    let base = write_base(&dir);
    let csv = dir.join("checklist.csv");
    let out = clientbase(&[
        "quality",
        "--base",
        &base,
        "--required",
        "email,city",
        "--checklist",
        csv.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("clients: 2"), "{stdout}");
    assert!(stdout.contains("phones: 2, invalid 1"), "{stdout}");
    assert!(
        stdout.contains("required fields (email, city): 0 clients"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 3, "{written}");
    assert!(
        lines[0].starts_with("client,name,missing,invalid"),
        "{written}"
    );
    assert!(
        lines[2].starts_with("2,Петров Пётр,email; city,\"phones[0]: 12: "),
        "{written}"
    );

    let out = clientbase(&["quality", "--base", &base, "--required", "emial"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("emial"));
}

#[test]
fn analytics_by_manager_over_a_period() {
    let dir = scratch("analytics");
    let base = write_base(&dir);
    let csv = dir.join("managers.csv");
    let out = clientbase(&[
        "analytics",
        "--base",
        &base,
        "--by",
        "manager",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--out",
        csv.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Оля"), "{stdout}");
    let written = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(
        lines[0],
        "manager,currency,revenue,deals,won,lost,open,won_rate,average_deal,cycle_mean_days,cycle_median_days,lines"
    );
    assert_eq!(lines[1], "Оля,RUB,1500.00,1,1,0,0,1,1500.00,10,10,1");
    assert_eq!(lines[2], "Петя,RUB,0.00,1,0,1,0,0,,,,1");

    // Only March: Петя's April deal is out.
    let out = clientbase(&[
        "analytics",
        "--base",
        &base,
        "--by",
        "month",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2024-03") && !stdout.contains("2024-04"),
        "{stdout}"
    );

    let out = clientbase(&[
        "analytics",
        "--base",
        &base,
        "--view",
        "funnel",
        "--stages",
        "default=new,won",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = clientbase(&["analytics", "--base", &base, "--by", "week"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("manager"));
}
