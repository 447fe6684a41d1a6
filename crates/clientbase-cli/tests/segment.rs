//! `clientbase segment`, run as a user would, on a base written by hand.

use chrono::{TimeZone, Utc};
use clientbase::{Channel, Client, ClientBase, Consent, Currency, Deal, DealStatus, Money, Schema};

mod common;
use common::{clientbase, scratch};

/// Three clients; the first bought for 150 000 ₽ in 2026 and consented to SMS.
fn write_base(dir: &std::path::Path) -> String {
    let mut base = ClientBase::new(Schema::new());
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()));
    let day = "2026-01-10".parse().unwrap();
    let anna = base
        .add_client(
            Client {
                city: Some("Москва".into()),
                ..Client::person("Иванова", "Анна", None)
            }
            .with_phone("+7 916 123-45-67")
            .with_consent(Channel::Sms, Consent::given(day)),
        )
        .unwrap();
    base.add_client(Client {
        city: Some("Москва".into()),
        ..Client::person("Петров", "Пётр", None)
    })
    .unwrap();
    base.add_client(Client::person("Сидоров", "Сидор", None))
        .unwrap();
    base.add_deal(Deal {
        status: DealStatus::Won,
        closed_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap()),
        ..Deal::new(anna, Money::parse("150 000", Currency::RUB).unwrap())
    })
    .unwrap();
    let path = dir.join("base.json");
    std::fs::write(&path, base.to_json().unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn segment_lists_writes_and_explains() {
    let dir = scratch("segment");
    let base = write_base(&dir);
    let csv = dir.join("vip.csv");
    let out = clientbase(&[
        "segment",
        "--rule",
        "city = москва and sum(purchases where date within last 24 months) > 100000",
        "--as-of",
        "2026-12-07",
        "--out",
        csv.to_str().unwrap(),
        &base,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("1 of 3 clients match"), "{text}");
    assert!(text.contains("       1  Иванова Анна"), "{text}");
    let written = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        written,
        "id,name,city,phone,email\n1,Иванова Анна,Москва,+7 916 123-45-67,\n"
    );

    // The rule from a file in its JSON form, with a named segment.
    let rule = dir.join("rule.json");
    std::fs::write(
        &rule,
        r#"{"version": 1, "rule": {"all": [{"segment": "moscow"}, {"not": {"consent": "sms"}}]}}"#,
    )
    .unwrap();
    let segments = dir.join("segments.json");
    std::fs::write(&segments, r#"{"moscow": "city = Москва"}"#).unwrap();
    let out = clientbase(&[
        "segment",
        "--rule-file",
        rule.to_str().unwrap(),
        "--segments",
        segments.to_str().unwrap(),
        &base,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("1 of 3 clients match `in segment moscow and not consent sms`"),
        "{text}"
    );
    assert!(text.contains("Петров Пётр"), "{text}");

    let out = clientbase(&[
        "segment",
        "--rule",
        "consent sms and city = Москва",
        "--explain",
        "2",
        &base,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("\"matched\": false"), "{text}");
    assert!(text.contains("\"condition\": \"consent sms\""), "{text}");
}

#[test]
fn a_bad_rule_fails_with_code_2_and_the_position() {
    let dir = scratch("segment-bad");
    let base = write_base(&dir);
    let out = clientbase(&["segment", "--rule", "city = ", &base]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, column 8: expected a value"), "{err}");
    let out = clientbase(&["segment", "--rule", "birthday > 5", &base]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`birthday` is a date"));
}
