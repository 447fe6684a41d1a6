//! Lead scoring, temperature, grades and behaviour types on bases built by
//! hand, with every expected figure worked out in the comments.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use clientbase::scoring::{
    behaviour_types, score, score_clients, score_explain, BehaviourParams, ScoreExplainParams,
    ScoreParams, ScoringModel,
};
use clientbase::segment::{compile, Options, Rule};
use clientbase::table::Value;
use clientbase::{
    Activity, ActivityKind, Client, ClientBase, ClientId, Currency, Deal, DealStatus, Direction,
    Discount, ErrorKind, Money, ProductLine, Quantity, Schema, Temperature,
};
use serde_json::json;
use std::collections::BTreeMap;

const AS_OF: &str = "2026-06-30";

fn as_of() -> NaiveDate {
    AS_OF.parse().unwrap()
}

fn days_ago(days: u64) -> chrono::DateTime<Utc> {
    let day = as_of().checked_sub_days(Days::new(days)).unwrap();
    Utc.from_utc_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
}

fn in_days(days: u64) -> chrono::DateTime<Utc> {
    let day = as_of().checked_add_days(Days::new(days)).unwrap();
    Utc.from_utc_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

fn won(client: ClientId, amount: &str, days: u64) -> Deal {
    Deal {
        status: DealStatus::Won,
        closed_at: Some(days_ago(days)),
        ..Deal::new(client, rub(amount))
    }
}

fn visit(base: &mut ClientBase, client: ClientId, at: chrono::DateTime<Utc>) {
    base.add_activity(Activity::new(client, ActivityKind::Visit, at))
        .unwrap();
}

fn model(value: serde_json::Value) -> ScoringModel {
    serde_json::from_value(value).unwrap()
}

fn params(model: ScoringModel) -> ScoreParams {
    ScoreParams {
        model,
        as_of: Some(as_of()),
        breakdown: true,
        ..Default::default()
    }
}

fn only(base: &ClientBase, value: serde_json::Value) -> clientbase::scoring::Score {
    let mut scores = score_clients(base, &params(model(value))).unwrap();
    assert_eq!(scores.len(), 1);
    scores.remove(0)
}

#[test]
fn fit_rules_give_points_temperature_and_grade() {
    let mut base = ClientBase::new(Schema::new());
    let anna = base
        .add_client(Client {
            city: Some("Москва".into()),
            ..Client::person("Иванова", "Анна", None).with_email("anna@mail.ru")
        })
        .unwrap();
    let petr = base
        .add_client(Client::person("Петров", "Пётр", None))
        .unwrap();
    let firm = base
        .add_client(Client::company("ООО Ромашка", None))
        .unwrap();
    let m = model(json!({
        "rules": [
            {"name": "moscow", "when": "city = москва", "points": 30},
            {"name": "email", "when": "has email", "points": 35},
            {"name": "company", "when": "kind = company", "points": 45},
        ],
    }));
    let scores = score_clients(&base, &params(m)).unwrap();
    let by: BTreeMap<ClientId, _> = scores.into_iter().map(|s| (s.client, s)).collect();
    // Anna: 30 + 35 = 65, hot (from 60), fit grade A (from 60), no engagement: 4.
    assert_eq!(by[&anna].score, 65.0);
    assert_eq!(by[&anna].fit, 65.0);
    assert_eq!(by[&anna].engagement, 0.0);
    assert_eq!(by[&anna].temperature, Temperature::Hot);
    assert_eq!(by[&anna].grade, "A4");
    let names: Vec<&str> = by[&anna].rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["moscow", "email"]);
    // Petr: nothing, cold, D4.
    assert_eq!(by[&petr].score, 0.0);
    assert_eq!(by[&petr].temperature, Temperature::Cold);
    assert_eq!(by[&petr].grade, "D4");
    assert!(by[&petr].rules.is_empty());
    // The company: 45, warm (30..60), grade B (40..60).
    assert_eq!(by[&firm].score, 45.0);
    assert_eq!(by[&firm].temperature, Temperature::Warm);
    assert_eq!(by[&firm].grade, "B4");
}

#[test]
fn events_decay_by_full_periods_and_leave_the_window() {
    let mut base = ClientBase::new(Schema::new());
    let c = base
        .add_client(Client::person("Смирнова", "Ольга", None))
        .unwrap();
    for days in [0, 29, 30, 65] {
        visit(&mut base, c, days_ago(days));
    }
    // After the analysis date: never counted.
    visit(&mut base, c, in_days(1));
    let rules = json!([{"name": "visits", "events": "activities where kind = visit", "points": 4}]);
    // No decay, no window: 4 events (the future one is out) × 4.
    let s = only(&base, json!({"rules": rules}));
    assert_eq!((s.score, s.rules[0].matched), (16.0, 4));
    // 25 % per 30 days: ages 0 and 29 keep 4, 30 keeps 3, 65 (two periods) 4 × 0.5625 = 2.25.
    let s = only(
        &base,
        json!({"rules": rules, "decay": {"percent": 25, "every_days": 30}}),
    );
    assert_eq!(s.score, 13.25);
    assert_eq!(s.engagement, 13.25);
    // A 60-day window drops the visit of 65 days ago.
    let s = only(
        &base,
        json!({"rules": rules, "decay": {"percent": 25, "every_days": 30}, "window_days": 60}),
    );
    assert_eq!((s.score, s.rules[0].matched), (11.0, 3));
    // 100 % per day: only today's visit counts.
    let s = only(
        &base,
        json!({"rules": rules, "decay": {"percent": 100, "every_days": 1}}),
    );
    assert_eq!(s.score, 4.0);
}

#[test]
fn caps_of_rules_groups_and_the_total_and_negative_points() {
    let mut base = ClientBase::new(Schema::new());
    let c = base
        .add_client(Client {
            city: Some("Казань".into()),
            ..Client::person("Ким", "Юрий", None).with_email("kim@mail.ru")
        })
        .unwrap();
    for days in 0..5 {
        visit(&mut base, c, days_ago(days));
    }
    // 5 visits × 3 = 15, the rule's max 10.
    let s = only(
        &base,
        json!({"rules": [{"name": "visits", "events": "activities where kind = visit", "points": 3, "max": 10}]}),
    );
    assert_eq!(s.score, 10.0);
    // Two fit rules of 10 in a group capped at 15; the breakdown keeps each
    // rule's 10 and says the group gave 15 of 20.
    let s = only(
        &base,
        json!({
            "rules": [
                {"name": "city", "group": "profile", "when": "city is set", "points": 10},
                {"name": "email", "group": "profile", "when": "has email", "points": 10},
                {"name": "visits", "events": "activities where kind = visit", "points": 3},
            ],
            "groups": {"profile": {"cap": 15}},
        }),
    );
    assert_eq!((s.fit, s.engagement, s.score), (15.0, 15.0, 30.0));
    assert_eq!(s.limited.len(), 1);
    assert_eq!((s.limited[0].sum, s.limited[0].points), (20.0, 15.0));
    // The model's cap on the total.
    let s = only(
        &base,
        json!({"rules": [{"name": "visits", "events": "activities where kind = visit", "points": 30}], "cap": 100}),
    );
    assert_eq!(s.score, 100.0);
    // Negative points and a floor on their group: −25 × 2 floored at −30.
    let s = only(
        &base,
        json!({
            "rules": [
                {"name": "no_phone", "group": "penalties", "when": "not has phone", "points": -25},
                {"name": "kazan", "group": "penalties", "when": "city = Казань", "points": -25},
                {"name": "email", "when": "has email", "points": 40},
            ],
            "groups": {"penalties": {"floor": -30}},
        }),
    );
    assert_eq!((s.fit, s.score), (10.0, 10.0));
    assert_eq!(s.temperature, Temperature::Cold);
}

#[test]
fn points_per_amount_of_purchases_in_exact_money() {
    let mut base = ClientBase::new(Schema::new());
    let c = base
        .add_client(Client::person("Орлов", "Иван", None))
        .unwrap();
    base.add_deal(won(c, "25000", 10)).unwrap();
    base.add_deal(won(c, "9999.99", 20)).unwrap();
    base.add_deal(won(c, "10000", 30)).unwrap();
    // An open deal is not a purchase.
    base.add_deal(Deal {
        created_at: Some(days_ago(5)),
        ..Deal::new(c, rub("50000"))
    })
    .unwrap();
    // 2 + 0 + 1 full tens of thousands, 5 points each.
    let s = only(
        &base,
        json!({"rules": [{"name": "spend", "events": "purchases", "points": 5, "per": "10 000,00"}]}),
    );
    assert_eq!((s.score, s.rules[0].matched), (15.0, 3));
    // Deals of any status, filtered.
    let s = only(
        &base,
        json!({"rules": [{"name": "big", "events": "deals where amount >= 25000", "points": 7}]}),
    );
    assert_eq!(s.score, 14.0);
    // A week's window keeps the open deal of 5 days ago only.
    let s = only(
        &base,
        json!({"rules": [{"name": "big", "events": "deals where amount >= 25000", "points": 7}], "window_days": 7}),
    );
    assert_eq!(s.score, 7.0);
}

#[test]
fn engagement_of_the_default_kinds_of_events() {
    let mut base = ClientBase::new(Schema::new());
    let c = base
        .add_client(Client::person("Лебедева", "Ирина", None))
        .unwrap();
    let mut add = |kind: ActivityKind, direction: Option<Direction>, outcome: Option<&str>| {
        let mut a = Activity::new(c, kind, days_ago(1));
        a.direction = direction;
        a.outcome = outcome.map(str::to_string);
        base.add_activity(a).unwrap();
    };
    add(ActivityKind::Form, None, None);
    add(ActivityKind::Event, None, None);
    add(
        ActivityKind::Email,
        Some(Direction::Outbound),
        Some("opened"),
    );
    add(ActivityKind::Email, Some(Direction::Outbound), Some("sent"));
    add(ActivityKind::Call, Some(Direction::Inbound), None);
    add(ActivityKind::Call, Some(Direction::Outbound), None);
    // The default model: form 15, event 10, one mailing opened 2, one inbound
    // call 10; the outbound call and the unopened email give nothing. The
    // events are a day old: no decay within the first 30 days.
    let params = ScoreParams {
        as_of: Some(as_of()),
        breakdown: true,
        ..Default::default()
    };
    let s = score_clients(&base, &params).unwrap().remove(0);
    assert_eq!(s.engagement, 37.0);
    let got: BTreeMap<&str, f64> = s
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.points))
        .collect();
    let want: BTreeMap<&str, f64> = [
        ("forms", 15.0),
        ("events", 10.0),
        ("mailing_opens", 2.0),
        ("inbound_contacts", 10.0),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    assert_eq!(s.temperature, Temperature::Warm);
}

#[test]
fn the_table_and_its_breakdown_column() {
    let mut base = ClientBase::new(Schema::new());
    let a = base
        .add_client(Client::person("Акимов", "Олег", None).with_email("o@mail.ru"))
        .unwrap();
    let b = base
        .add_client(Client::person("Белов", "Юрий", None))
        .unwrap();
    let m = model(json!({"rules": [{"name": "email", "when": "has email", "points": 12}]}));
    let table = score(&base, &params(m)).unwrap();
    assert_eq!(table.rows(), 2);
    let client = table.column("client").unwrap();
    assert_eq!(client.value(0), Value::UInt64(a.get()));
    assert_eq!(client.value(1), Value::UInt64(b.get()));
    assert_eq!(
        table.column("score").unwrap().value(0),
        Value::Float64(12.0)
    );
    assert_eq!(
        table.column("temperature").unwrap().value(1),
        Value::Text("cold")
    );
    assert_eq!(table.column("grade").unwrap().value(0), Value::Text("D4"));
    assert_eq!(
        table.column("breakdown").unwrap().value(0),
        Value::Text(r#"{"email":12.0}"#)
    );
    assert_eq!(
        table.column("breakdown").unwrap().value(1),
        Value::Text("{}")
    );
}

#[test]
fn explain_shows_every_rule_and_why() {
    let mut base = ClientBase::new(Schema::new());
    let c = base
        .add_client(Client {
            city: Some("Тверь".into()),
            ..Client::person("Зуев", "Олег", None)
        })
        .unwrap();
    visit(&mut base, c, days_ago(3));
    let params = ScoreExplainParams {
        client: Some(c),
        model: model(json!({"rules": [
            {"name": "moscow", "when": "city = Москва and not has email", "points": 20},
            {"name": "visits", "events": "activities where kind = visit", "points": 3},
        ]})),
        as_of: Some(as_of()),
        ..Default::default()
    };
    let s = score_explain(&base, &params).unwrap();
    assert_eq!(s.score, 3.0);
    assert_eq!(
        s.rules.len(),
        2,
        "every rule, the ones that gave nothing too"
    );
    let why = s.rules[0].why.as_ref().unwrap();
    assert!(!why.held);
    assert_eq!(why.steps[0].value.as_deref(), Some("Тверь"));
    assert!(why.steps[1].held);
    assert_eq!((s.rules[1].points, s.rules[1].matched), (3.0, 1));
    let missing = ScoreExplainParams {
        client: Some(ClientId(999)),
        ..params.clone()
    };
    assert_eq!(
        score_explain(&base, &missing).unwrap_err().kind(),
        ErrorKind::UnknownId
    );
    let none = ScoreExplainParams {
        client: None,
        ..params
    };
    assert_eq!(
        score_explain(&base, &none).unwrap_err().field(),
        Some("client")
    );
}

fn model_error(value: serde_json::Value) -> clientbase::Error {
    let mut base = ClientBase::new(Schema::new());
    base.add_client(Client::person("Нет", "Ошибок", None))
        .unwrap();
    let params: ScoreParams =
        clientbase::capability::from_value("params", json!({"model": value, "as_of": AS_OF}))
            .unwrap_or_else(|e| panic!("the params themselves are valid JSON: {e}"));
    score(&base, &params).unwrap_err()
}

#[test]
fn bad_models_are_errors_naming_the_rule_and_field() {
    let visits = json!({"name": "visits", "events": "activities where kind = visit", "points": 3});
    let cases = [
        (
            json!({"rules": [{"name": "a", "when": "has email", "events": "purchases", "points": 1}]}),
            "model.rules[0]",
            "either `when`",
        ),
        (
            json!({"rules": [{"name": "a", "events": "activities", "points": 1, "per": "100"}]}),
            "model.rules[0].per",
            "deals, purchases or lines",
        ),
        (
            json!({"rules": [{"name": "a", "events": "purchases", "points": 1, "per": "0"}]}),
            "model.rules[0].per",
            "above zero",
        ),
        (
            json!({"rules": [{"name": "a", "when": "shoe_size > 40", "points": 1}]}),
            "model.rules[0].when.shoe_size",
            "not a client field",
        ),
        (
            json!({"rules": [{"name": "a", "events": "activities where kind = fax", "points": 1}]}),
            "model.rules[0].events.where.kind",
            "fax",
        ),
        (
            json!({"rules": [{"name": "a", "events": "activities whre kind = visit", "points": 1}]}),
            "model.rules[0].events",
            "line 1, column 12",
        ),
        (
            json!({"rules": [visits, {"name": "visits", "when": "true", "points": 1}]}),
            "model.rules[1].name",
            "two rules",
        ),
        (
            json!({"rules": [visits], "groups": {"profle": {"cap": 5}}}),
            "model.groups.profle",
            "no rule is in group",
        ),
        (
            json!({"rules": [
                {"name": "a", "group": "g", "when": "true", "points": 1},
                {"name": "b", "group": "g", "events": "purchases", "points": 1}]}),
            "model.rules[1].group",
            "mixes",
        ),
        (
            json!({"rules": [visits], "temperature": {"warm": 70, "hot": 60}}),
            "model.temperature",
            "cannot begin above hot",
        ),
        (
            json!({"rules": [visits], "decay": {"percent": 0, "every_days": 30}}),
            "model.decay.percent",
            "1 to 100",
        ),
        (
            json!({"rules": [visits], "grades": {"fit": [{"name": "A", "min": 10}, {"name": "B", "min": 20}, {"name": "C"}]}}),
            "model.grades.fit[1].min",
            "best first",
        ),
        (json!({"rules": []}), "model.rules", "at least one rule"),
        (
            json!({"rules": [visits], "version": 2}),
            "model.version",
            "version 2",
        ),
    ];
    for (value, field, reason) in cases {
        let err = model_error(value.clone());
        assert_eq!(err.field(), Some(field), "{value}: {err}");
        assert!(err.to_string().contains(reason), "{value}: {err}");
    }
    // A typo in a key of the model is refused, naming it.
    let err = clientbase::capability::call_read(
        &ClientBase::new(Schema::new()),
        "score",
        json!({"model": {"rules": [{"name": "a", "when": "true", "pionts": 1}]}}),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(err.to_string().contains("pionts"), "{err}");
    // Aggregates needing an amount do not run over activities.
    let err =
        model_error(json!({"rules": [{"name": "a", "when": "sum(activities) > 3", "points": 1}]}));
    assert!(err.to_string().contains("activities have none"), "{err}");
}

#[test]
fn activities_and_discounted_lines_in_segment_rules() {
    let mut base = ClientBase::new(Schema::new());
    let often = base
        .add_client(Client::person("Часто", "Заходит", None))
        .unwrap();
    let once = base
        .add_client(Client::person("Один", "Раз", None))
        .unwrap();
    for days in [1, 5, 40] {
        visit(&mut base, often, days_ago(days));
    }
    visit(&mut base, once, days_ago(2));
    let discounted = ProductLine {
        discount: Discount::PercentBp(1000),
        ..ProductLine::new("чай", Quantity::units(1), rub("100"))
    };
    base.add_deal(won(once, "90", 3).with_line(discounted))
        .unwrap();
    let run = |text: &str| {
        let rule = Rule::parse(text).unwrap();
        assert_eq!(Rule::parse(&rule.to_text()).unwrap(), rule);
        assert_eq!(Rule::from_json(&rule.to_json().unwrap()).unwrap(), rule);
        compile(&base, &rule, &Options::new(as_of()), &BTreeMap::new())
            .unwrap()
            .evaluate(&base)
            .unwrap()
    };
    assert_eq!(run("count(activities where kind = visit) >= 2"), [often]);
    assert_eq!(
        run("count(activities where kind = visit and date within last 30 days) >= 2"),
        [often]
    );
    assert_eq!(
        run("count(activities where kind = visit and date within last 3 days) = 1"),
        [often, once]
    );
    assert_eq!(run("last(activities) >= 2026-06-29"), [often]);
    assert_eq!(run("count(lines where discounted = true) = 1"), [once]);
}

#[test]
fn behaviour_types_first_match_wins() {
    let mut base = ClientBase::new(Schema::new());
    // Bought in 5 different months, the last 10 days ago: loyal.
    let loyal = base
        .add_client(Client::person("Верный", "Клиент", None))
        .unwrap();
    for month in 0..5 {
        base.add_deal(won(loyal, "1000", 10 + 31 * month)).unwrap();
    }
    // Three discounted lines, no full-price one: discount-driven.
    let bargain = base
        .add_client(Client::person("Скидочный", "Клиент", None))
        .unwrap();
    for days in [100, 200, 250] {
        let line = ProductLine {
            discount: Discount::PercentBp(2000),
            ..ProductLine::new("крем", Quantity::units(1), rub("1000"))
        };
        base.add_deal(won(bargain, "800", days).with_line(line))
            .unwrap();
    }
    // Three purchases in a week: impulsive.
    let impulse = base
        .add_client(Client::person("Порыв", "Клиент", None))
        .unwrap();
    for days in [5, 7, 9] {
        base.add_deal(won(impulse, "300", days)).unwrap();
    }
    // One purchase, no visits: purposeful.
    let purpose = base
        .add_client(Client::person("Цель", "Клиент", None))
        .unwrap();
    base.add_deal(won(purpose, "5000", 20)).unwrap();
    // Visits without buying: browsing.
    let browser = base
        .add_client(Client::person("Зритель", "Клиент", None))
        .unwrap();
    for days in [1, 2, 3, 4] {
        visit(&mut base, browser, days_ago(days));
    }
    // Nothing at all: no type.
    let nobody = base
        .add_client(Client::person("Никто", "Клиент", None))
        .unwrap();
    let params = BehaviourParams {
        as_of: Some(as_of()),
        ..Default::default()
    };
    let table = behaviour_types(&base, &params).unwrap();
    let ids = table.column("client").unwrap();
    let types = table.column("behaviour").unwrap();
    let got: BTreeMap<u64, Option<String>> = (0..table.rows())
        .map(|i| {
            let Value::UInt64(id) = ids.value(i) else {
                panic!()
            };
            let t = match types.value(i) {
                Value::Text(t) => Some(t.to_string()),
                _ => None,
            };
            (id, t)
        })
        .collect();
    let want = |c: ClientId, t: Option<&str>| assert_eq!(got[&c.get()].as_deref(), t, "client {c}");
    want(loyal, Some("loyal"));
    want(bargain, Some("discount_driven"));
    want(impulse, Some("impulsive"));
    want(purpose, Some("purposeful"));
    want(browser, Some("browsing"));
    want(nobody, None);
    // Order decides: with `purposeful` first, the loyal client is purposeful.
    let mut reordered = BehaviourParams::default();
    reordered.rules.swap(0, 3);
    reordered.as_of = Some(as_of());
    let table = behaviour_types(&base, &reordered).unwrap();
    assert_eq!(
        table.column("behaviour").unwrap().value(0),
        Value::Text("purposeful")
    );
    // Two types of one name are refused.
    let mut twice = BehaviourParams::default();
    twice.rules[1].name = "loyal".into();
    let err = behaviour_types(&base, &twice).unwrap_err();
    assert_eq!(err.field(), Some("rules[1].name"));
}

#[cfg(feature = "generator")]
#[test]
fn the_default_model_on_a_generated_base_adds_up() {
    let generated =
        clientbase::generator::generate(&clientbase::generator::GeneratorConfig::new(400, 7))
            .unwrap();
    let base = generated.base;
    let params = ScoreParams {
        as_of: Some(as_of()),
        breakdown: true,
        ..Default::default()
    };
    let scores = score_clients(&base, &params).unwrap();
    assert_eq!(scores.len(), base.clients().count());
    let model = ScoringModel::default();
    let mut temperatures = BTreeMap::new();
    for s in &scores {
        // Without limits hit, the rules' points add up to the score.
        if s.limited.is_empty() {
            let sum: f64 = s.rules.iter().map(|r| r.points).sum();
            assert!((sum - s.score).abs() < 0.011, "{s:?}");
        }
        assert!(s.fit <= 50.0 && s.engagement <= 100.0, "{s:?}");
        assert!((s.fit + s.engagement - s.score).abs() < 1e-9);
        let expected = if s.score >= model.temperature.hot as f64 {
            Temperature::Hot
        } else if s.score >= model.temperature.warm as f64 {
            Temperature::Warm
        } else {
            Temperature::Cold
        };
        assert_eq!(s.temperature, expected);
        *temperatures.entry(s.temperature.name()).or_insert(0) += 1;
    }
    // A generated base has clients of more than one temperature.
    assert!(temperatures.len() >= 2, "{temperatures:?}");
    // Scoring in parallel and one at a time agree.
    for s in scores.iter().step_by(37) {
        let one = score_explain(
            &base,
            &ScoreExplainParams {
                client: Some(s.client),
                as_of: Some(as_of()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!((one.score, one.grade.as_str()), (s.score, s.grade.as_str()));
    }
}
