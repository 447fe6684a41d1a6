//! Runs `tests/vectors/emails.json` (shared with the C and Python tests).

use clientbase::EmailNormalizer;
use serde_json::Value;
use std::collections::BTreeMap;

type Row = BTreeMap<String, Value>;

fn rows(name: &str) -> Vec<Row> {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("vector file");
    let mut rows: Vec<Row> = serde_json::from_str(&text).expect("JSON");
    assert!(rows.remove(0).contains_key("meta"));
    rows
}

fn field<'a>(row: &'a Row, name: &str) -> Option<&'a str> {
    row.get(name).and_then(Value::as_str)
}

#[test]
fn email_vectors() {
    let plain = EmailNormalizer::new();
    let rules = EmailNormalizer::new().with_provider_rules(true);
    let rows = rows("emails.json");
    assert!(rows.len() > 40);
    for row in &rows {
        let input = field(row, "input").unwrap_or_default();
        let mut got: BTreeMap<&str, Option<String>> = BTreeMap::new();
        match plain.parse(input) {
            Ok(e) => {
                got.insert("valid", Some("true".into()));
                got.insert("address", Some(e.address().into()));
                got.insert("key", Some(e.key().into()));
                got.insert(
                    "key_provider_rules",
                    rules.parse(input).ok().map(|e| e.key().to_string()),
                );
                got.insert("suggestion", e.suggestion().map(str::to_string));
                got.insert("problem", None);
                got.insert("reason", None);
            }
            Err(err) => {
                got.insert("valid", Some("false".into()));
                for f in ["address", "key", "key_provider_rules"] {
                    got.insert(f, None);
                }
                got.insert("suggestion", err.suggestion().map(str::to_string));
                got.insert("problem", Some(err.problem().name().into()));
                got.insert("reason", Some(err.reason().into()));
            }
        }
        for (name, value) in got {
            assert_eq!(field(row, name), value.as_deref(), "{input:?}: {name}");
        }
    }
}
