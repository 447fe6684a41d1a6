//! Scoring models are user input: any model JSON and any rule text is read
//! or refused with a message naming a field, never a panic; and a valid
//! model's scores keep its caps and add up.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use clientbase::scoring::{score_clients, ScoreParams, ScoringModel};
use clientbase::{
    Activity, ActivityKind, Client, ClientBase, Currency, Deal, DealStatus, Direction, Money,
    Schema,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const AS_OF: &str = "2026-06-30";

fn base() -> ClientBase {
    let as_of: NaiveDate = AS_OF.parse().unwrap();
    let at = |days: u64| {
        let day = as_of.checked_sub_days(Days::new(days)).unwrap();
        Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap())
    };
    let mut base = ClientBase::new(Schema::new());
    for i in 0..12u64 {
        let mut client = Client::person("Клиентов", "Тест", None);
        if i % 2 == 0 {
            client = client.with_email(&format!("c{i}@mail.ru"));
        }
        if i % 3 == 0 {
            client.city = Some("Москва".into());
        }
        let id = base.add_client(client).unwrap();
        for k in 0..i {
            let kind = ActivityKind::ALL[(k as usize) % ActivityKind::ALL.len()];
            let mut a = Activity::new(id, kind, at(k * 17));
            if !matches!(kind, ActivityKind::Task | ActivityKind::Note) {
                a.direction = Some(if k % 2 == 0 {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                });
            }
            base.add_activity(a).unwrap();
        }
        for k in 0..(i % 4) {
            base.add_deal(Deal {
                status: if k % 2 == 0 {
                    DealStatus::Won
                } else {
                    DealStatus::Open
                },
                closed_at: (k % 2 == 0).then(|| at(k * 40)),
                ..Deal::new(
                    id,
                    Money::from_minor(100_000 * (k as i64 + 1), Currency::RUB),
                )
            })
            .unwrap();
        }
    }
    base
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "activities",
            "purchases",
            "deals",
            "lines",
            "where",
            "kind = visit",
            "kind = fax",
            "direction = inbound",
            "amount > 100",
            "discounted = true",
            "date within last 30 days",
            "and",
            "or",
            "not",
            "(",
            ")",
            "has email",
            "city = Москва",
            "sum(activities) > 1",
            "count(activities where kind = call) >= 1",
            "\"",
            "«",
            "",
        ])
        .prop_map(String::from),
        "\\PC{0,12}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..8).prop_map(|parts| parts.join(" "))
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-200i64..200).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(1.5)),
        Just(json!("10")),
        Just(Value::Null),
    ]
}

fn rule() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::sample::select(vec!["a", "b", "", "visits"])),
        prop::option::of(text()),
        prop::option::of(text()),
        number(),
        prop::option::of(prop_oneof![
            Just(json!("1000")),
            Just(json!("0")),
            Just(json!("-5")),
            Just(json!("abc")),
            "\\PC{0,6}".prop_map(Value::from),
        ]),
        prop::option::of(number()),
        prop::option::of(prop::sample::select(vec!["g", "h", "typo_key"])),
    )
        .prop_map(|(name, when, events, points, per, max, extra)| {
            let mut rule = serde_json::Map::new();
            if let Some(name) = name {
                rule.insert("name".into(), json!(name));
            }
            if let Some(when) = when {
                rule.insert("when".into(), json!(when));
            }
            if let Some(events) = events {
                rule.insert("events".into(), json!(events));
            }
            rule.insert("points".into(), points);
            if let Some(per) = per {
                rule.insert("per".into(), per);
            }
            if let Some(max) = max {
                rule.insert("max".into(), max);
            }
            if let Some(extra) = extra {
                // A group name, or a key no rule has.
                let key = if extra == "typo_key" {
                    "pionts"
                } else {
                    "group"
                };
                rule.insert(key.into(), json!(extra));
            }
            Value::Object(rule)
        })
}

fn model() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(rule(), 0..5),
        prop::option::of(prop::sample::select(vec!["g", "h", "x"])),
        prop::option::of(number()),
        prop::option::of((0u32..120, 0u32..40)),
        prop::option::of(0u32..400),
        prop::option::of((number(), number())),
    )
        .prop_map(|(rules, group, cap, decay, window, temperature)| {
            let mut m = serde_json::Map::new();
            m.insert("rules".into(), Value::Array(rules));
            if let Some(group) = group {
                m.insert("groups".into(), json!({group: {"cap": 10, "floor": -5}}));
            }
            if let Some(cap) = cap {
                m.insert("cap".into(), cap);
            }
            if let Some((percent, every)) = decay {
                m.insert(
                    "decay".into(),
                    json!({"percent": percent, "every_days": every}),
                );
            }
            if let Some(window) = window {
                m.insert("window_days".into(), json!(window));
            }
            if let Some((warm, hot)) = temperature {
                m.insert("temperature".into(), json!({"warm": warm, "hot": hot}));
            }
            Value::Object(m)
        })
}

fn valid_rule() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![
            ("when", "has email", false),
            ("when", "city = Москва", false),
            ("when", "count(activities where kind = visit) >= 1", false),
            ("events", "activities", false),
            ("events", "activities where direction = inbound", false),
            ("events", "purchases", true),
            ("events", "deals where amount > 1000", true),
        ]),
        -50i64..50,
        prop::option::of(0i64..40),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["fit", "act"])),
    )
        .prop_map(|((key, text, amounts), points, max, per, group)| {
            let mut rule = json!({key: text, "points": points});
            if let Some(max) = max {
                rule["max"] = json!(max);
            }
            if amounts && per {
                rule["per"] = json!("500");
            }
            if let Some(group) = group {
                // Fit and engagement rules keep to groups of their own.
                rule["group"] = json!(format!("{group}_{key}"));
            }
            rule
        })
}

fn valid_model() -> impl Strategy<Value = ScoringModel> {
    (
        prop::collection::vec(valid_rule(), 1..8),
        prop::option::of(-20i64..120),
        prop::option::of((1u32..=100, 1u32..60)),
        prop::option::of(1u32..400),
        prop::option::of((0i64..30, -30i64..0)),
    )
        .prop_map(|(mut rules, cap, decay, window, limits)| {
            let mut groups = serde_json::Map::new();
            for (i, rule) in rules.iter_mut().enumerate() {
                rule["name"] = json!(format!("r{i}"));
                if let (Some(g), Some((cap, floor))) = (rule.get("group"), limits) {
                    groups.insert(
                        g.as_str().unwrap().into(),
                        json!({"cap": cap, "floor": floor}),
                    );
                }
            }
            let mut m = json!({"rules": rules, "groups": groups});
            if let Some(cap) = cap {
                m["cap"] = json!(cap);
            }
            if let Some((percent, every_days)) = decay {
                m["decay"] = json!({"percent": percent, "every_days": every_days});
            }
            if let Some(window) = window {
                m["window_days"] = json!(window);
            }
            serde_json::from_value(m).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_model_scores_or_is_refused_naming_a_field(value in model()) {
        let base = base();
        let outcome = clientbase::capability::call_read(
            &base,
            "score",
            json!({"model": value.clone(), "as_of": AS_OF, "breakdown": true}),
        );
        match outcome {
            Err(err) => {
                prop_assert!(!err.to_string().is_empty());
                prop_assert!(
                    err.field().is_some() || err.kind() == clientbase::ErrorKind::Json,
                    "{err:?}"
                );
            }
            Ok(_) => {
                // A model the call took is a model the typed params take, and
                // its scores keep its limits.
                let model: ScoringModel = serde_json::from_value(value).unwrap();
                let params = ScoreParams {
                    model: model.clone(),
                    as_of: Some(AS_OF.parse().unwrap()),
                    breakdown: true,
                    ..Default::default()
                };
                for s in score_clients(&base, &params).unwrap() {
                    prop_assert!((s.fit + s.engagement - s.score).abs() < 1e-6
                        || model.cap.is_some_and(|c| s.score <= c as f64));
                    if let Some(cap) = model.cap {
                        prop_assert!(s.score <= cap as f64);
                    }
                    for r in &s.rules {
                        let rule = model.rules.iter().find(|x| x.name == r.name).unwrap();
                        if let Some(max) = rule.max {
                            prop_assert!(r.points.abs() <= max as f64 + 1e-9, "{r:?}");
                        }
                    }
                    for g in &s.limited {
                        let limits = &model.groups[&g.group];
                        prop_assert!(limits.cap.is_none_or(|c| g.points <= c as f64));
                        prop_assert!(limits.floor.is_none_or(|f| g.points >= f as f64));
                    }
                }
            }
        }
    }

    #[test]
    fn any_events_text_is_read_or_refused(text in text()) {
        let base = base();
        let model = json!({"rules": [{"name": "e", "events": text, "points": 1}]});
        if let Err(err) = clientbase::capability::call_read(&base, "score", json!({"model": model, "as_of": AS_OF})) {
            let field = err.field().unwrap_or_default().to_string();
            prop_assert!(field.starts_with("model.rules[0].events"), "{err:?}");
        }
    }

    #[test]
    fn valid_models_keep_their_limits_and_add_up(model in valid_model()) {
        let base = base();
        let params = ScoreParams {
            model: model.clone(),
            as_of: Some(AS_OF.parse().unwrap()),
            breakdown: true,
            ..Default::default()
        };
        let scores = score_clients(&base, &params).unwrap();
        prop_assert_eq!(scores.len(), 12);
        for s in scores {
            let total = s.fit + s.engagement;
            let capped = model.cap.map_or(total, |c| total.min(c as f64));
            prop_assert!((capped - s.score).abs() < 0.011, "{:?}", s);
            let mut by_group: std::collections::BTreeMap<&str, f64> = Default::default();
            let mut ungrouped = 0.0;
            for r in &s.rules {
                let rule = model.rules.iter().find(|x| x.name == r.name).unwrap();
                if let Some(max) = rule.max {
                    prop_assert!(r.points.abs() <= max as f64 + 1e-9, "{:?}", r);
                }
                match &rule.group {
                    Some(g) => *by_group.entry(g.as_str()).or_default() += r.points,
                    None => ungrouped += r.points,
                }
            }
            // The rules' points, with each group's limits applied, add up
            // to fit plus engagement.
            let mut sum = ungrouped;
            for (g, points) in by_group {
                let limits = model.groups.get(g).cloned().unwrap_or_default();
                let mut p = points;
                if let Some(c) = limits.cap { p = p.min(c as f64); }
                if let Some(f) = limits.floor { p = p.max(f as f64); }
                sum += p;
            }
            prop_assert!((sum - total).abs() < 0.05, "{} vs {}: {:?}", sum, total, s);
        }
    }
}
