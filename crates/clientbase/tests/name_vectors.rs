//! Runs `tests/vectors/names.json` (shared with the C and Python tests).

use clientbase::{name_key, Gender, PersonName};
use serde_json::Value;
use std::collections::BTreeMap;

type Row = BTreeMap<String, Value>;

fn field<'a>(row: &'a Row, name: &str) -> Option<&'a str> {
    row.get(name).and_then(Value::as_str)
}

#[test]
fn name_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/names.json"
    );
    let mut rows: Vec<Row> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("names.json")).expect("JSON");
    assert!(rows.remove(0).contains_key("meta"));
    assert!(rows.len() > 30);
    for row in &rows {
        let input = field(row, "input").unwrap_or_default();
        let name = PersonName::parse(input);
        let gender = name.gender().map(|g| match g {
            Gender::Male => "male",
            Gender::Female => "female",
        });
        let got = [
            ("surname", name.surname.clone()),
            ("given", name.given.clone()),
            ("patronymic", name.patronymic.clone()),
            ("gender", gender.map(str::to_string)),
            ("initials", Some(name.initials())),
            ("key", Some(name.key())),
            ("text_key", Some(name_key(input))),
        ];
        for (f, value) in got {
            assert_eq!(field(row, f), value.as_deref(), "{input:?}: {f}");
        }
    }
}
