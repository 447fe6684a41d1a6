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
    use super::due::parse_key;
    let names: std::collections::HashMap<&str, u32> = [("birthday", 0), ("stuck", 1)].into();
    let day = d(2024, 2, 29);
    let key = action_key("birthday", crate::ClientId(17), None, Some(day));
    assert_eq!(
        parse_key(&key, &names),
        Some((0, false, 17, crate::table::date_to_days(day)))
    );
    let key = action_key("stuck", crate::ClientId(1), Some(crate::DealId(9)), None);
    assert_eq!(parse_key(&key, &names), Some((1, true, 9, i32::MIN)));
    for bad in [
        "other/client-1",
        "birthday/client-x",
        "birthday/person-1",
        "birthday/client-1/2024-02-30",
        "birthday/client-1/24-2-3",
        "",
        "birthday",
    ] {
        assert_eq!(parse_key(bad, &names), None, "{bad}");
    }
}
