//! The shared capability vectors (`tests/vectors/capabilities.json`): every
//! case calls a capability by name through the generic entry points and
//! compares its output (or its error) with the file. A case on a base runs
//! with the base's clock frozen at the file's `now`. The C and Python runners
//! read the same file through their own generic entry points.
//!
//! `BLESS=1 cargo test --test capability_vectors` rewrites the `expected`
//! outputs from what the core gives now (review the diff before committing).

// The vectors read foreign numbers, which need the `intl-phones` feature.
#![cfg(feature = "intl-phones")]

use clientbase::capability::{call, call_write};
use clientbase::ClientBase;
use serde_json::{Map, Value};
use std::path::PathBuf;

fn vectors_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/capabilities.json")
}

/// Runs one case: the output as JSON data, or the error's kind name and message.
fn run(doc: &Value, case: &Map<String, Value>) -> Result<Value, (String, String)> {
    let bases = doc["bases"].as_object().expect("bases");
    let name = case["capability"].as_str().expect("capability is a string");
    let params = case["params"].clone();
    let result = match &case["input"] {
        Value::Null => call(name, params),
        Value::String(base_name) => {
            let snapshot = bases
                .get(base_name)
                .unwrap_or_else(|| panic!("no base named {base_name}"));
            let mut base = ClientBase::from_json(&snapshot.to_string())
                .unwrap_or_else(|err| panic!("base {base_name} does not load: {err}"));
            // Writes stamp the time: the file says which.
            let now: chrono::DateTime<chrono::Utc> = doc["now"]
                .as_str()
                .expect("now")
                .parse()
                .expect("now is RFC 3339");
            assert_eq!(
                Some(now.timestamp()),
                doc["now_unix"].as_i64(),
                "now_unix is now"
            );
            base.freeze_clock(Some(now));
            call_write(&mut base, name, params)
        }
        other => panic!("input must be null or a base's name, not {other}"),
    };
    match result {
        Ok(output) => {
            // The text C gets is the same data, compact, with keys sorted.
            let text = output.to_json().expect("output serializes");
            let data = output.into_json().expect("output as data");
            assert_eq!(text, serde_json::to_string(&data).unwrap());
            Ok(data)
        }
        Err(err) => Err((err.kind().name().to_string(), err.to_string())),
    }
}

#[test]
fn capability_vectors() {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path).expect("vectors file");
    let mut doc: Value = serde_json::from_str(&text).expect("vectors are JSON");
    let frozen = doc.clone();
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    let cases = doc["vectors"].as_array_mut().expect("vectors");
    assert!(cases.len() >= 20, "the file holds the vectors");
    for case in cases.iter_mut() {
        let case = case.as_object_mut().expect("a case is an object");
        let label = case["case"].as_str().unwrap_or("?").to_string();
        let got = run(&frozen, case);
        match (case.get("error"), got) {
            (Some(error), Err((kind, message))) => {
                let contains = error["contains"].as_str().unwrap_or("");
                if error["kind"] != kind.as_str() || !message.contains(contains) {
                    failures.push(format!(
                        "{label}: error {kind}: {message}; expected {error}"
                    ));
                }
            }
            (Some(error), Ok(output)) => {
                failures.push(format!("{label}: expected error {error}, got {output}"))
            }
            (None, Err((kind, message))) => {
                failures.push(format!("{label}: unexpected error {kind}: {message}"))
            }
            (None, Ok(output)) => {
                if bless {
                    case.insert("expected".into(), output);
                } else if case.get("expected") != Some(&output) {
                    failures.push(format!(
                        "{label}:\n  got      {output}\n  expected {}",
                        case.get("expected").unwrap_or(&Value::Null)
                    ));
                }
            }
        }
    }
    if bless {
        let mut out = serde_json::to_string_pretty(&doc).unwrap();
        out.push('\n');
        std::fs::write(&path, out).unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The C runner compares texts: the file must hold every expected output in
/// the form the core writes (sorted keys, serde's numbers), so that removing
/// the white space outside strings gives the output's text.
#[test]
fn expected_outputs_are_canonical() {
    let text = std::fs::read_to_string(vectors_path()).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let pretty = serde_json::to_string_pretty(&doc).unwrap();
    assert!(
        text.trim_end() == pretty,
        "tests/vectors/capabilities.json is not in canonical form: run BLESS=1"
    );
}
