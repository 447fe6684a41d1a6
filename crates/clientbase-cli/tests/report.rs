//! `clientbase report` and `clientbase history`, run as a user would.

use chrono::{TimeZone, Utc};
use clientbase::{Client, ClientBase, Currency, Deal, DealStatus, Money, Schema};

mod common;
use common::{clientbase, scratch};

/// Анна won 1 234 567,89 ₽ with «<b>Оля</b>» in March 2024 and had a call.
fn write_base(dir: &std::path::Path) -> String {
    let mut base = ClientBase::new(Schema::new());
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()));
    let anna = base
        .add_client(Client::person("Иванова", "Анна", None))
        .unwrap();
    let at = |m: u32, d: u32| Some(Utc.with_ymd_and_hms(2024, m, d, 10, 0, 0).unwrap());
    base.add_deal(Deal {
        status: DealStatus::Won,
        owner: Some("<b>Оля</b>".into()),
        created_at: at(3, 1),
        closed_at: at(3, 11),
        ..Deal::new(anna, Money::parse("1 234 567,89", Currency::RUB).unwrap())
    })
    .unwrap();
    let path = dir.join("base.json");
    std::fs::write(&path, base.to_json().unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn report_writes_one_page() {
    let dir = scratch("report");
    let base = write_base(&dir);
    let page = dir.join("report.html");
    let out = clientbase(&[
        "report",
        "--base",
        &base,
        "--out",
        page.to_str().unwrap(),
        "--title",
        "Итоги & планы",
        "--sections",
        "managers,monthly",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("report written to"), "{stdout}");
    assert!(
        stdout.contains("as of 11.03.2024, period 01.04.2023 to 11.03.2024"),
        "{stdout}"
    );
    assert!(stdout.contains("sections managers, monthly"), "{stdout}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<title>Итоги &amp; планы</title>"));
    assert!(html.contains("&lt;b&gt;Оля&lt;/b&gt;"));
    assert!(html.contains("1\u{a0}234\u{a0}567,89\u{a0}₽"));
    assert!(!html.contains("id=\"funnel\""));

    let out = clientbase(&[
        "report",
        "--base",
        &base,
        "--from",
        "2025-01-01",
        "--to",
        "2024-01-01",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("from"));
    let out = clientbase(&["report", "--base", &base, "--sections", "pie"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn history_prints_the_events_in_order() {
    let dir = scratch("history");
    let base = write_base(&dir);
    let out = clientbase(&["history", "--base", &base, "--client", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "3 events");
    assert!(
        lines[1].contains("2024-01-01 00:00  client_added"),
        "{stdout}"
    );
    assert!(lines[2].contains("deal_opened"), "{stdout}");
    assert!(lines[3].contains("deal_won"), "{stdout}");
    assert!(
        lines[3].contains("won 1234567.89 RUB [<b>Оля</b>]"),
        "{stdout}"
    );

    let csv = dir.join("history.csv");
    let out = clientbase(&[
        "history",
        "--base",
        &base,
        "--client",
        "1",
        "--kinds",
        "deal_won",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with("time,kind,what,detail,actor,client,deal,source"));

    let out = clientbase(&["history", "--base", &base, "--client", "7"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("client 7"));
    let out = clientbase(&[
        "history", "--base", &base, "--client", "1", "--kinds", "deals",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("deal_won"));
    let _ = std::fs::remove_dir_all(&dir);
}
