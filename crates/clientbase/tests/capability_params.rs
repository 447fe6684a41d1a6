//! Params are user input: every capability, given arbitrary JSON as params,
//! answers with an output or an error and never panics, and the error names
//! a field. The base is the shared vectors' `shop` base, fresh for each case.

use clientbase::capability::{call_write, CAPABILITIES};
use clientbase::ClientBase;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn shop() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/capabilities.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["bases"]["shop"].to_string()
}

/// Keys the capabilities know, mixed with others, so that generated params
/// reach past the first unknown key.
const KEYS: &[&str] = &[
    "values",
    "region",
    "split",
    "provider_rules",
    "options",
    "not_duplicates",
    "client",
    "limit",
    "rules",
    "related",
    "survivor",
    "others",
    "record",
    "fields",
    "top_categories",
    "include_recurring",
    "phone_region",
    "email_provider_rules",
    "threshold",
    "model",
    "keys",
    "max_block",
    "default",
    "kind",
    "surname",
    "given",
    "phones",
    "raw",
    "window_days",
    "id",
    "left",
    "right",
    "x",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (0u64..6).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "RU",
            "KZ",
            "8 916 123-45-67",
            "most_recent",
            "person",
            "XX",
            ""
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<String, Value>>(),
                )
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_params_never_panic(
        which in 0..CAPABILITIES.len(),
        params in json_value(),
    ) {
        let snapshot = shop();
        let mut base = ClientBase::from_json(&snapshot).unwrap();
        let name = CAPABILITIES[which].name;
        match call_write(&mut base, name, params.clone()) {
            Ok(output) => {
                prop_assert!(output.to_json().is_ok());
            }
            Err(err) => {
                let text = err.to_string();
                prop_assert!(!text.is_empty());
                prop_assert!(
                    err.field().is_some() || err.record().is_some(),
                    "{name} {params}: the error names no field or record: {text}"
                );
            }
        }
    }
}
