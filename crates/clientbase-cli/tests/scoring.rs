//! `clientbase score`, run as a user would, on a base written by hand.

use chrono::{TimeZone, Utc};
use clientbase::{Activity, ActivityKind, Client, ClientBase, Schema};
use std::path::Path;

mod common;
use common::{clientbase, scratch};

/// Anna in Moscow with two site visits and a form on 2026-06-29; Petr with nothing.
fn write_base(dir: &Path) -> String {
    let mut base = ClientBase::new(Schema::new());
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()));
    let anna = base
        .add_client(Client {
            city: Some("Москва".into()),
            ..Client::person("Иванова", "Анна", None)
        })
        .unwrap();
    base.add_client(Client::person("Петров", "Пётр", None))
        .unwrap();
    let at = Utc.with_ymd_and_hms(2026, 6, 29, 10, 0, 0).unwrap();
    for kind in [ActivityKind::Visit, ActivityKind::Visit, ActivityKind::Form] {
        base.add_activity(Activity::new(anna, kind, at)).unwrap();
    }
    let path = dir.join("base.json");
    std::fs::write(&path, base.to_json().unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn score_lists_writes_and_explains() {
    let dir = scratch("score");
    let base = write_base(&dir);
    let model = dir.join("model.json");
    std::fs::write(
        &model,
        r#"{"rules": [
            {"name": "moscow", "when": "city = Москва", "points": 20},
            {"name": "visits", "events": "activities where kind = visit", "points": 5},
            {"name": "forms", "events": "activities where kind = form", "points": 10}]}"#,
    )
    .unwrap();
    let out_csv = dir.join("scores.csv");
    let out = clientbase(&[
        "score",
        "--model",
        model.to_str().unwrap(),
        "--as-of",
        "2026-06-30",
        "--out",
        out_csv.to_str().unwrap(),
        &base,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("2 clients scored: cold 1, warm 1, hot 0"),
        "{text}"
    );
    assert!(text.contains("40.00  warm"), "{text}");
    assert!(text.contains("moscow +20, visits +10, forms +10"), "{text}");
    let csv = std::fs::read_to_string(&out_csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "client,name,score,fit,engagement,temperature,grade,breakdown"
    );
    assert_eq!(
        lines[1],
        "1,Иванова Анна,40,20,20,warm,C3,moscow +20; visits +10; forms +10"
    );
    assert_eq!(lines[2], "2,Петров Пётр,0,0,0,cold,D4,");

    let out = clientbase(&[
        "score",
        "--as-of",
        "2026-06-30",
        "--explain",
        "2",
        "--model",
        model.to_str().unwrap(),
        &base,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("\"condition\": \"city = \\\"Москва\\\"\""),
        "{text}"
    );

    // The default model, with behaviour types: Anna visited twice, bought nothing.
    let out = clientbase(&["score", "--as-of", "2026-06-30", "--behaviour", &base]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("behaviour types:"), "{text}");
    assert!(text.contains("(none)"), "{text}");
}

#[test]
fn a_bad_model_fails_with_code_2_naming_the_rule() {
    let dir = scratch("score-bad");
    let base = write_base(&dir);
    let model = dir.join("model.json");
    std::fs::write(
        &model,
        r#"{"rules": [{"name": "x", "events": "activities where kind = fax", "points": 1}]}"#,
    )
    .unwrap();
    let out = clientbase(&["score", "--model", model.to_str().unwrap(), &base]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("model.rules[0].events.where.kind"), "{err}");
    std::fs::write(
        &model,
        r#"{"rules": [{"name": "x", "when": "true", "pionts": 1}]}"#,
    )
    .unwrap();
    let out = clientbase(&["score", "--model", model.to_str().unwrap(), &base]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pionts"));
}
