//! Properties of automation rules: any JSON read as rules gives a rule set
//! or an error, never a panic, and on random bases no action is ever given
//! for a client who fails the rule's condition.
#![cfg(feature = "generator")]

use chrono::{Days, NaiveDate};
use clientbase::automation::{due, route, AutomationRules, DueParams, RouteParams};
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::segment::{compile, Options, Rule};
use clientbase::table::Value;
use clientbase::{ClientBase, ClientId};
use proptest::prelude::*;
use serde_json::{json, Map};
use std::collections::BTreeSet;
use std::sync::OnceLock;

const CONDITIONS: &[&str] = &[
    "true",
    "stage = customer",
    "stage in (lead, prospect)",
    "has email",
    "not has phone",
    "kind = company",
    "city = \"Москва\"",
    "created more than 365 days ago",
    "purchases > 0",
];

const KINDS: &[&str] = &[
    "next_purchase",
    "recurring",
    "birthday",
    "stuck_in_stage",
    "missing_contact",
    "stage_entered",
    "anniversary",
];

const KEYS: &[&str] = &[
    "name",
    "kind",
    "when",
    "action",
    "channel",
    "text",
    "lead_days",
    "catch_up_days",
    "due_in_days",
    "pipeline",
    "stage",
    "max_days",
    "contact",
    "colour",
];

fn base() -> &'static ClientBase {
    static BASE: OnceLock<ClientBase> = OnceLock::new();
    BASE.get_or_init(|| generate(&GeneratorConfig::new(400, 5)).unwrap().base)
}

fn value_for(key: &str, pick: u8) -> serde_json::Value {
    match (key, pick % 4) {
        ("name", 0) => json!("rule"),
        ("name", 1) => json!("a b"),
        ("name", _) => json!(format!("r{pick}")),
        ("kind", _) => json!(KINDS[pick as usize % KINDS.len()]),
        ("when", 0) => json!("city = "),
        ("when", 1) => json!({"version": 1, "rule": {"bogus": 1}}),
        ("when", _) => json!(CONDITIONS[pick as usize % CONDITIONS.len()]),
        ("action", 0) => json!("notify_client"),
        ("action", 1) => json!("shout"),
        ("action", _) => json!("task"),
        ("channel", 0) => json!("sms"),
        ("channel", 1) => json!("email"),
        ("channel", _) => json!("fax"),
        ("text", 0) => json!("{{ client.name }}: {{ reason }}"),
        ("text", 1) => json!("{% for %}"),
        ("text", _) => json!(""),
        ("contact", 0) => json!("phone"),
        ("contact", 1) => json!("email"),
        ("contact", _) => json!("pigeon"),
        ("pipeline" | "stage", 0) => json!(""),
        ("pipeline" | "stage", _) => json!("new"),
        (_, 0) => json!(-1),
        (_, 1) => json!(u64::from(pick) * 1000),
        (_, 2) => json!("7"),
        _ => json!(u64::from(pick) % 40),
    }
}

fn rules_json(rules: &[Vec<(u8, u8)>], version: u8) -> serde_json::Value {
    let list: Vec<serde_json::Value> = rules
        .iter()
        .map(|fields| {
            let mut map = Map::new();
            for &(key, pick) in fields {
                let key = KEYS[key as usize % KEYS.len()];
                map.insert(key.to_string(), value_for(key, pick));
            }
            serde_json::Value::Object(map)
        })
        .collect();
    json!({"version": version % 3, "rules": list})
}

fn members(base: &ClientBase, when: &str, as_of: NaiveDate) -> BTreeSet<ClientId> {
    let rule = Rule::parse(when).unwrap();
    let compiled = compile(base, &rule, &Options::new(as_of), &Default::default()).unwrap();
    compiled.evaluate(base).unwrap().into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_text_as_rules_is_a_rule_set_or_an_error(text in ".{0,400}") {
        let _ = AutomationRules::from_json(&text);
    }

    #[test]
    fn any_json_rules_never_panic_and_valid_ones_run(
        rules in prop::collection::vec(prop::collection::vec((any::<u8>(), any::<u8>()), 0..8), 0..4),
        version in any::<u8>(),
        day in 0u64..2000,
    ) {
        let value = rules_json(&rules, version);
        let as_of = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Days::new(day);
        match AutomationRules::from_value(&value) {
            Ok(parsed) => {
                prop_assert!(parsed.validate().is_ok());
                let params = DueParams { as_of: Some(as_of), rules: Some(parsed), ..DueParams::default() };
                // A `when` may still fail against the base (a tag it lacks): an error, not a panic.
                if let Ok(table) = due(base(), &params) {
                    let keys = table.column("key").unwrap();
                    let mut seen = BTreeSet::new();
                    for i in 0..table.rows() {
                        let Value::Text(key) = keys.value(i) else { panic!("key") };
                        prop_assert!(seen.insert(key.to_string()), "key {} twice", key);
                    }
                }
            }
            Err(e) => prop_assert!(e.field().is_some() || !e.reason().is_empty()),
        }
        // The same JSON through the capability's params, and routing params, never panic.
        let _ = clientbase::capability::call_read(base(), "due", json!({"as_of": as_of.to_string(), "rules": value}));
        let _ = clientbase::capability::call_read(base(), "route", json!({"lead": {"name": "Иванов Иван", "phone": "+7 916 000 00 00"}, "rules": value}));
        let _ = route(base(), &RouteParams::default());
    }

    #[test]
    fn any_working_hours_are_read_or_refused_by_name(
        hours in "[0-9:\\- ]{0,14}|.{0,20}",
        start in 0u32..24, end in 0u32..24, minute in 0u32..60,
    ) {
        let managers = |hours: String| RouteParams {
            managers: vec![clientbase::automation::ManagerShift {
                name: "a".into(),
                working_hours: Some(hours),
                ..Default::default()
            }],
            ..RouteParams::default()
        };
        if let Err(e) = route(base(), &managers(hours)) {
            prop_assert_eq!(e.field(), Some("managers[0].working_hours"));
        }
        let written = format!("{start:02}:{minute:02}-{end:02}:00");
        let read = route(base(), &managers(written.clone()));
        prop_assert_eq!(read.is_ok(), start != end || minute != 0, "{}", written);
    }

    #[test]
    fn no_action_for_a_client_who_fails_the_condition(
        condition in 0usize..CONDITIONS.len(),
        negate in any::<bool>(),
        day in 0u64..1500,
    ) {
        let as_of = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + Days::new(day);
        let when = if negate {
            format!("not ({})", CONDITIONS[condition])
        } else {
            CONDITIONS[condition].to_string()
        };
        let mut rules = AutomationRules::default();
        for rule in &mut rules.rules {
            rule.when = Some(json!(when));
        }
        let params = DueParams { as_of: Some(as_of), rules: Some(rules), ..DueParams::default() };
        let table = due(base(), &params).unwrap();
        let allowed = members(base(), &when, as_of);
        let clients = table.column("client").unwrap();
        for i in 0..table.rows() {
            let Value::UInt64(id) = clients.value(i) else { panic!("client") };
            prop_assert!(allowed.contains(&ClientId(id)), "client {} fails {}", id, when);
        }
        // Without the condition there are at least as many actions.
        let all = due(base(), &DueParams { as_of: Some(as_of), ..DueParams::default() }).unwrap();
        prop_assert!(all.rows() >= table.rows());
        // Some client of a generated base always lacks an email or a phone.
        prop_assert!(all.rows() > 0);
    }
}
