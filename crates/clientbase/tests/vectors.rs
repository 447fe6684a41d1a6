//! Runs the shared vectors in `tests/vectors/base.json`; the C and Python test
//! suites run the same file, so the three layers give the same answers.

#![cfg(feature = "csv")]

use chrono::{TimeZone, Utc};
use clientbase::{
    Activity, ActivityId, Client, ClientBase, ClientId, ColumnMapping, CsvOptions, Deal, DealId,
    FieldDef, Result, Schema,
};
use serde::Serialize;
use std::collections::BTreeMap;

type Step = BTreeMap<String, String>;

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

fn parse_id(text: &str) -> u64 {
    text.parse().expect("vector ids are decimal numbers")
}

/// Runs one step, returning its output text.
fn run(base: &mut ClientBase, step: &Step) -> Result<String> {
    let input = step.get("input").map(String::as_str).unwrap_or("");
    Ok(match step["op"].as_str() {
        "new_base" => {
            let schema: Schema = serde_json::from_str(input)?;
            *base = ClientBase::new(schema);
            base.freeze_clock(Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()));
            String::new()
        }
        "declare_tag" => {
            base.declare_tag(input)?;
            String::new()
        }
        "declare_field" => {
            base.declare_field(serde_json::from_str::<FieldDef>(input)?)?;
            String::new()
        }
        "add_client" => base
            .add_client(serde_json::from_str::<Client>(input)?)?
            .get()
            .to_string(),
        "update_client" => {
            base.update_client(serde_json::from_str(input)?)?;
            String::new()
        }
        "get_client" => {
            let id = ClientId(parse_id(input));
            to_json(base.client(id)?)?
        }
        "add_deal" => base
            .add_deal(serde_json::from_str::<Deal>(input)?)?
            .get()
            .to_string(),
        "update_deal" => {
            base.update_deal(serde_json::from_str(input)?)?;
            String::new()
        }
        "get_deal" => {
            let id = DealId(parse_id(input));
            to_json(base.deal(id)?)?
        }
        "add_activity" => base
            .add_activity(serde_json::from_str::<Activity>(input)?)?
            .get()
            .to_string(),
        "update_activity" => {
            base.update_activity(serde_json::from_str(input)?)?;
            String::new()
        }
        "get_activity" => {
            let id = ActivityId(parse_id(input));
            to_json(base.activity(id)?)?
        }
        "import_clients_csv" => {
            let pairs: BTreeMap<String, String> = serde_json::from_str(&step["extra"])?;
            let mapping = ColumnMapping::from_pairs(pairs)?;
            let report =
                base.import_clients_csv(input.as_bytes(), &mapping, &CsvOptions::default())?;
            to_json(&report)?
        }
        "counts" => to_json(&base.counts())?,
        "export_json" => base.to_json()?,
        other => panic!("unknown vector op {other:?}"),
    })
}

#[test]
fn shared_base_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/base.json");
    let text = std::fs::read_to_string(path).expect("read base.json");
    let steps: Vec<Step> = serde_json::from_str(&text).expect("parse base.json");
    assert!(steps.len() > 40, "the vector file lost its steps");
    let mut base = ClientBase::default();
    let mut failures = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let label = format!("step {i} ({} / {})", step["case"], step["op"]);
        let (status, output) = match run(&mut base, step) {
            Ok(out) => ("ok".to_string(), out),
            Err(err) => (err.kind().name().to_string(), err.to_string()),
        };
        if status != step["status"] {
            failures.push(format!(
                "{label}: status {status} ({output}), expected {}",
                step["status"]
            ));
        } else if let Some(expected) = step.get("output") {
            if *expected != output {
                failures.push(format!(
                    "{label}:\n  got      {output}\n  expected {expected}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} steps failed:\n{}",
        failures.len(),
        steps.len(),
        failures.join("\n")
    );
}
