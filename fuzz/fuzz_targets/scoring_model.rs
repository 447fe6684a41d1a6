//! Scoring models on arbitrary input: any text read as the `score`
//! capability's params (a model with its rules, groups, decay and grades) is
//! scored or refused with an error, never a panic or a stack overflow. Run
//! with `cargo +nightly fuzz run scoring_model` from `fuzz/`.
#![no_main]

use clientbase::{Activity, Client, ClientBase, Schema};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(params) = serde_json::from_str::<serde_json::Value>(input) else {
        return;
    };
    let mut base = ClientBase::new(Schema::new());
    base.add_client(Client::person("Иванова", "Анна", None).with_email("anna@mail.ru"))
        .expect("a valid client");
    let visit: Activity =
        serde_json::from_str(r#"{"client": 1, "kind": "visit", "at": "2026-06-29T10:00:00Z"}"#)
            .expect("a valid activity");
    base.add_activity(visit).expect("a valid activity");
    for name in ["score", "score_explain", "behaviour_types"] {
        let _ = clientbase::capability::call_read(&base, name, params.clone());
    }
});
