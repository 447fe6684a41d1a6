use super::due::{birthday_in, BirthdayWindow};
use super::*;
use chrono::{Datelike, NaiveDate};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn the_default_set_is_valid_and_round_trips() {
    let rules = AutomationRules::default();
    rules.validate().unwrap();
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(AutomationRules::from_json(&json).unwrap(), rules);
    assert_eq!(rules.rules.len(), 6);
}

#[test]
fn errors_name_the_rule_and_the_key() {
    let err = |json: &str| AutomationRules::from_json(json).unwrap_err();
    let e = err(r#"{"version": 1, "rules": [{"name": "a", "kind": "birthday", "colour": 1}]}"#);
    assert_eq!(e.kind(), crate::ErrorKind::Json);
    assert!(e.to_string().contains("colour"), "{e}");
    let e = err(
        r#"{"version": 1, "rules": [{"name": "a", "kind": "birthday"}, {"name": "s", "kind": "stuck_in_stage"}]}"#,
    );
    assert_eq!(e.field(), Some("rules[1].max_days"));
    let e = err(r#"{"version": 1, "rules": [{"name": "a", "kind": "birthday", "max_days": 3}]}"#);
    assert_eq!(e.field(), Some("rules[0].max_days"));
    let e =
        err(r#"{"version": 1, "rules": [{"name": "a", "kind": "birthday", "when": "city = "}]}"#);
    assert_eq!(e.field(), Some("rules[0].when.rule"));
    let e = err(
        r#"{"version": 1, "rules": [{"name": "a", "kind": "birthday"}, {"name": "a", "kind": "recurring"}]}"#,
    );
    assert_eq!(e.field(), Some("rules[1].name"));
    let e = err(r#"{"version": 2, "rules": []}"#);
    assert_eq!(e.field(), Some("version"));
    let e = err(r#"{"version": 1, "rules": [{"name": "a b", "kind": "birthday"}]}"#);
    assert_eq!(e.field(), Some("rules[0].name"));
    let e = err(
        r#"{"version": 1, "rules": [{"name": "r", "kind": "stage_entered", "stage": "ready", "action": "notify_client"}]}"#,
    );
    assert_eq!(e.field(), Some("rules[0].text"));
    let e =
        err(r#"{"version": 1, "rules": [{"name": "r", "kind": "birthday", "channel": "sms"}]}"#);
    assert_eq!(e.field(), Some("rules[0].channel"));
}

#[test]
fn keys_are_read_back_from_the_last_line() {
    assert_eq!(
        key_of_text("call about food\n[next_purchase/client-3/2024-05-01]"),
        Some("next_purchase/client-3/2024-05-01")
    );
    assert_eq!(
        key_of_text("[ask_email/client-3]\n"),
        Some("ask_email/client-3")
    );
    assert_eq!(key_of_text("just a note [x]"), None);
    assert_eq!(key_of_text("[not a key]"), None);
    assert_eq!(key_of_text(""), None);
    assert_eq!(
        action_key("birthday", crate::ClientId(1), None, Some(d(2024, 2, 29))),
        "birthday/client-1/2024-02-29"
    );
    assert_eq!(
        action_key("stuck", crate::ClientId(1), Some(crate::DealId(7)), None),
        "stuck/deal-7"
    );
}

#[test]
fn february_29_falls_on_the_28th_in_other_years() {
    assert_eq!(birthday_in(d(2000, 2, 29), 2023), Some(d(2023, 2, 28)));
    assert_eq!(birthday_in(d(2000, 2, 29), 2024), Some(d(2024, 2, 29)));
    assert_eq!(birthday_in(d(1990, 12, 31), 2026), Some(d(2026, 12, 31)));
}

#[test]
fn the_birthday_window_agrees_with_the_dates() {
    for (lead, catch_up) in [(0, 0), (1, 3), (7, 7), (40, 0)] {
        let mut as_of = d(2023, 1, 1);
        while as_of < d(2029, 1, 1) {
            let window = BirthdayWindow::new(as_of, lead, catch_up);
            for born in [
                d(1990, 2, 28),
                d(2000, 2, 29),
                d(1985, 3, 1),
                d(1970, 12, 31),
                d(1999, 1, 1),
            ] {
                let mut expected: Vec<NaiveDate> = (as_of.year() - 1..=as_of.year() + 1)
                    .filter_map(|y| birthday_in(born, y))
                    .filter(|day| {
                        *day - chrono::Days::new(lead.into()) <= as_of
                            && as_of <= *day + chrono::Days::new(catch_up.into())
                    })
                    .collect();
                expected.sort();
                let mut got = window.of(born).to_vec();
                got.sort();
                assert_eq!(
                    got, expected,
                    "{born} on {as_of}, lead {lead}, catch-up {catch_up}"
                );
            }
            as_of = as_of.succ_opt().unwrap();
        }
    }
}

#[test]
fn keys_read_back_into_their_parts() {
    use super::done::parse_key;
    let day = d(2024, 2, 29);
    let key = action_key("birthday", crate::ClientId(17), None, Some(day));
    assert_eq!(
        parse_key(&key),
        Some(("birthday", false, 17, crate::table::date_to_days(day)))
    );
    let key = action_key("stuck", crate::ClientId(1), Some(crate::DealId(9)), None);
    assert_eq!(parse_key(&key), Some(("stuck", true, 9, i32::MIN)));
    for bad in [
        "birthday/client-x",
        "birthday/person-1",
        "birthday/client-1/2024-02-30",
        "birthday/client-1/24-2-3",
        "",
        "birthday",
    ] {
        assert_eq!(parse_key(bad), None, "{bad}");
    }
    // The index numbers the rules it meets and finds the keys added.
    let mut index = super::DoneIndex::default();
    index.add(&key);
    index.add("birthday/client-x");
    let stuck = index.rule("stuck").unwrap();
    assert!(index.contains(&(stuck, true, 9, i32::MIN)));
    assert!(!index.contains(&(stuck, false, 9, i32::MIN)));
    assert_eq!(index.rule("birthday"), None);
}

#[test]
fn numbers_and_dates_are_written_as_format_writes_them() {
    use super::due::{push_date, push_int, push_uint};
    for n in [0i64, 7, -7, 10, 99, -100, 123_456_789, i64::MAX, i64::MIN] {
        let mut out = String::from("x");
        push_int(&mut out, n);
        assert_eq!(out, format!("x{n}"));
    }
    for n in [0u64, 1, 9, 10, 18_446_744_073_709_551_615] {
        let mut out = String::new();
        push_uint(&mut out, n);
        assert_eq!(out, n.to_string());
    }
    for (y, m, d) in [
        (2026, 12, 7),
        (1, 1, 1),
        (999, 2, 28),
        (9999, 12, 31),
        (10_000, 1, 1),
        (-5, 3, 4),
        (0, 1, 1),
    ] {
        let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut out = String::new();
        push_date(&mut out, day);
        assert_eq!(out, day.to_string(), "{y}-{m}-{d}");
    }
}
