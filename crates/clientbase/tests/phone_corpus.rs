//! Runs every case of `tests/vectors/phones.json` (messy inputs with the output of
//! Google's libphonenumber, built by `tests/corpus/make_phone_corpus.py`).
#![cfg(feature = "intl-phones")]

use clientbase::{PhoneFormat, PhoneNormalizer};
use serde_json::Value;
use std::collections::BTreeMap;

fn cases() -> (BTreeMap<String, Value>, Vec<BTreeMap<String, Value>>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/phones.json"
    );
    let text = std::fs::read_to_string(path).expect("tests/vectors/phones.json");
    let mut rows: Vec<BTreeMap<String, Value>> = serde_json::from_str(&text).expect("JSON");
    let meta = rows.remove(0);
    assert!(meta.contains_key("meta"), "the first object is the header");
    (meta, rows)
}

fn field<'a>(row: &'a BTreeMap<String, Value>, name: &str) -> Option<&'a str> {
    row.get(name).and_then(Value::as_str)
}

/// What clientbase makes of one case, in the vector's terms.
fn actual(
    phones: &PhoneNormalizer,
    row: &BTreeMap<String, Value>,
) -> BTreeMap<&'static str, Option<String>> {
    let input = field(row, "input").unwrap_or_default();
    let mut out = BTreeMap::new();
    match phones.parse(input) {
        Ok(p) => {
            let ext = |base: String, label: &str| match p.extension() {
                Some(ext) => base
                    .strip_suffix(&format!(" {label} {ext}"))
                    .map(str::to_string),
                None => Some(base),
            };
            out.insert("valid", Some("true".to_string()));
            out.insert("e164", Some(p.e164().to_string()));
            out.insert("extension", p.extension().map(str::to_string));
            out.insert("type", Some(p.kind().name().to_string()));
            out.insert("region", Some(p.region().to_string()));
            out.insert("national", ext(p.format(PhoneFormat::National), "доб."));
            out.insert(
                "international",
                ext(p.format(PhoneFormat::International), "ext."),
            );
        }
        Err(_) => {
            out.insert("valid", Some("false".to_string()));
            for f in [
                "e164",
                "extension",
                "type",
                "region",
                "national",
                "international",
            ] {
                out.insert(f, None);
            }
        }
    }
    if row.contains_key("split") {
        let split: Vec<String> = phones
            .split_field(input)
            .iter()
            .map(|c| {
                phones
                    .parse(c.text)
                    .map_or_else(|_| "invalid".to_string(), |p| p.e164().to_string())
            })
            .collect();
        out.insert("split", Some(split.join(" ")));
    }
    out
}

#[test]
fn corpus_agrees_with_libphonenumber() {
    let (meta, rows) = cases();
    let phones = PhoneNormalizer::default();
    let mut failures = Vec::new();
    let mut differs = 0;
    for row in &rows {
        if row.contains_key("differs") {
            differs += 1;
        }
        let got = actual(&phones, row);
        let wrong: Vec<String> = got
            .iter()
            .filter(|(name, value)| field(row, name) != value.as_deref())
            .map(|(name, value)| {
                format!("{name}: expected {:?}, got {:?}", field(row, name), value)
            })
            .collect();
        if !wrong.is_empty() {
            failures.push(format!(
                "{:?}: {}",
                field(row, "input").unwrap_or_default(),
                wrong.join("; ")
            ));
        }
    }
    let agree = rows.len() - failures.len();
    eprintln!(
        "{agree} of {} cases agree ({:.3}%), {differs} of them deliberately differ from {}",
        rows.len(),
        100.0 * agree as f64 / rows.len() as f64,
        field(&meta, "reference").unwrap_or("the reference"),
    );
    assert!(
        rows.len() >= 10_000,
        "the corpus has tens of thousands of cases"
    );
    assert!(
        failures.is_empty(),
        "{} cases disagree:\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn batch_gives_the_same_results() {
    let (_, rows) = cases();
    let phones = PhoneNormalizer::default();
    let inputs: Vec<&str> = rows.iter().filter_map(|r| field(r, "input")).collect();
    let batch = phones.parse_batch(&inputs);
    for (input, result) in inputs.iter().zip(&batch) {
        assert_eq!(&phones.parse(input), result, "{input:?}");
    }
}
