use super::*;
use crate::{
    Channel, Client, ClientBase, Consent, Currency, Deal, DealStatus, FieldDef, FieldType,
    FieldValue, Money, ProductLine, Quantity, RelationKind, Schema,
};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn round_trip(text: &str) -> Rule {
    let rule = Rule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let printed = rule.to_text();
    let again = Rule::parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
    assert_eq!(again, rule, "{text} printed as {printed}");
    let json = rule.to_json().unwrap();
    assert_eq!(Rule::from_json(&json).unwrap(), rule, "{json}");
    rule
}

#[test]
fn parses_and_prints_every_condition() {
    for text in [
        r#"city = "Москва""#,
        "rooms >= 2 and floors contains \"low\"",
        "stage in (lead, prospect) or temperature > warm",
        "not (a = 1 or b = 2) and c != 3",
        "birthday is set and email_note is not set",
        "last_purchase within last 90 days",
        "created more than 2 years ago",
        "contract_end within next 1 months",
        "date in previous year",
        "date in this month",
        "date in year -3",
        "consent sms and has email and has mobile",
        "tags contains any (\"vip\", \"b2b\") and tags contains all (\"a\")",
        "related spouse in segment vip and related and in segment \"Большие клиенты\"",
        "sum(purchases where date within last 24 months) > 100000",
        "months(lines where category = \"Книги\" and date in previous year) = 12",
        "count(deals where status = open and stage = \"Переговоры\") >= 1",
        "count(deals) = 0",
        "total_spent >= 99999.99 and last_purchase < 2024-02-29",
        "`этаж квартиры` = 2 and `and` = true",
        "true and false",
        "not not x = -5",
    ] {
        round_trip(text);
    }
}

#[test]
fn sugar_reads_as_the_canonical_form() {
    let sugar = Rule::parse("has tag vip and has any tags (a, b) and has all tag (c)").unwrap();
    let canonical = Rule::parse(
        r#"tags contains "vip" and tags contains any ("a", "b") and tags contains all ("c")"#,
    )
    .unwrap();
    assert_eq!(sugar, canonical);
    assert_eq!(
        Rule::parse("consent смс").unwrap().rule,
        Expr::Consent(Channel::Sms)
    );
    assert_eq!(
        Rule::parse("x = «ёлочки»").unwrap().to_text(),
        r#"x = "ёлочки""#
    );
    assert_eq!(
        Rule::parse("d within last 1 год").unwrap().to_text(),
        "d within last 1 years"
    );
}

#[test]
fn errors_point_at_the_position_and_say_what_was_expected() {
    let err = parse_expr("city = ").unwrap_err();
    assert_eq!((err.line, err.column), (1, 8));
    assert!(err.message.contains("expected a value"), "{err}");
    let err = parse_expr("city = \"x\"\n  and rooms 2").unwrap_err();
    assert_eq!((err.line, err.column), (2, 13), "{err}");
    assert!(err.message.contains("after the field `rooms`"), "{err}");
    let err = parse_expr("(a = 1").unwrap_err();
    assert!(err.message.contains("expected `)`"), "{err}");
    let err = parse_expr("stage in (lead, prospect").unwrap_err();
    assert_eq!(err.column, 25, "{err}");
    assert!(
        err.message
            .contains("expected `,` or `)`, found the end of the rule"),
        "{err}"
    );
    let err = parse_expr("a = \"open").unwrap_err();
    assert_eq!(err.column, 5, "{err}");
    let err = parse_expr("d = 2023-02-29").unwrap_err();
    assert!(err.message.contains("not a calendar date"), "{err}");
    let err = Rule::parse("a = 1 b").unwrap_err();
    assert_eq!(err.field(), Some("rule"));
    assert!(err.to_string().contains("line 1, column 7"), "{err}");
}

#[test]
fn limits_refuse_deep_and_large_rules_without_overflowing() {
    let deep = format!("{}a = 1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(Rule::parse(&deep).is_err());
    let nots = format!("{}a = 1", "not ".repeat(50_000));
    assert!(Rule::parse(&nots).is_err());
    let long = "a = 1 and ".repeat(10_000) + "a = 1";
    let err = Rule::parse(&long).unwrap_err();
    assert!(err.to_string().contains("longer than"), "{err}");
    let wide = "a = 1 or ".repeat(3_000) + "a = 1";
    let err = Rule::parse(&wide).unwrap_err();
    assert!(err.to_string().contains("more than"), "{err}");
    // JSON nested past serde_json's own limit and past ours.
    let mut json = String::from(r#"{"compare": {"field": "a", "op": "eq", "value": 1}}"#);
    for _ in 0..200 {
        json = format!(r#"{{"not": {json}}}"#);
    }
    let err = Rule::from_json(&format!(r#"{{"version": 1, "rule": {json}}}"#)).unwrap_err();
    assert_eq!(err.field(), Some("rule"), "{err}");
    let mut value = serde_json::json!({"compare": {"field": "a", "op": "eq", "value": 1}});
    for _ in 0..100 {
        value = serde_json::json!({ "not": value });
    }
    let err = Rule::from_value(&serde_json::json!({"version": 1, "rule": value})).unwrap_err();
    assert!(err.to_string().contains("deeper"), "{err}");
}

#[test]
fn json_form_is_typed_and_strict() {
    let rule = Rule::parse("total_spent > 99999.99 and birthday < 2000-01-01").unwrap();
    let json: serde_json::Value = serde_json::from_str(&rule.to_json().unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"version": 1, "rule": {"all": [
            {"compare": {"field": "total_spent", "op": "gt", "value": {"decimal": "99999.99"}}},
            {"compare": {"field": "birthday", "op": "lt", "value": {"date": "2000-01-01"}}},
        ]}})
    );
    let typo = Rule::from_value(&serde_json::json!({"version": 1, "rule": {"compare": {"field": "a", "op": "eq", "value": 1, "vaule": 2}}})).unwrap_err();
    assert!(typo.to_string().contains("vaule"), "{typo}");
    let float = Rule::from_value(&serde_json::json!({"version": 1, "rule": {"compare": {"field": "a", "op": "eq", "value": 1.5}}})).unwrap_err();
    assert!(float.to_string().contains("not exact"), "{float}");
    let version =
        Rule::from_value(&serde_json::json!({"version": 2, "rule": {"all": []}})).unwrap_err();
    assert_eq!(version.field(), Some("version"));
}

fn shop() -> (ClientBase, Vec<crate::ClientId>) {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema
        .declare_field(FieldDef::new("rooms", FieldType::Integer))
        .unwrap();
    schema
        .declare_field(FieldDef::new("visit", FieldType::Date))
        .unwrap();
    let mut base = ClientBase::new(schema);
    let anna = base
        .add_client(
            Client {
                city: Some("Москва".into()),
                birthday: Some(date("1992-02-29")),
                ..Client::person("Иванова", "Анна", None)
            }
            .with_tag("vip")
            .with_field("rooms", FieldValue::Integer(2))
            .with_consent(Channel::Sms, Consent::given(date("2024-01-01"))),
        )
        .unwrap();
    let petr = base
        .add_client(
            Client::person("Петров", "Пётр", None)
                .with_email("petr@example.ru")
                .with_relation(RelationKind::Spouse, anna),
        )
        .unwrap();
    let rub = |s: &str| Money::parse(s, Currency::RUB).unwrap();
    let won = |client, amount: &str, day: &str| Deal {
        status: DealStatus::Won,
        closed_at: Some(Utc.from_utc_datetime(&date(day).and_hms_opt(22, 0, 0).unwrap())),
        ..Deal::new(client, rub(amount))
    };
    base.add_deal(won(anna, "60000", "2024-05-31")).unwrap();
    base.add_deal(won(anna, "100000", "2023-01-10").with_line(
        ProductLine::new("Книга", Quantity::units(2), rub("50000")).with_category("Книги"),
    ))
    .unwrap();
    base.add_deal(Deal {
        stage: "Переговоры".into(),
        ..Deal::new(petr, rub("10"))
    })
    .unwrap();
    (base, vec![anna, petr])
}

fn run(base: &ClientBase, text: &str, as_of: &str) -> Vec<u64> {
    let rule = Rule::parse(text).unwrap();
    let compiled = compile(base, &rule, &Options::new(date(as_of)), &BTreeMap::new())
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    compiled
        .evaluate(base)
        .unwrap()
        .into_iter()
        .map(|id| id.get())
        .collect()
}

#[test]
fn evaluates_fields_tags_consents_and_aggregates() {
    let (base, _) = shop();
    let as_of = "2024-06-30";
    assert_eq!(run(&base, "city = \"МОСКВА\"", as_of), vec![1]);
    assert_eq!(
        run(&base, "name contains \"пётр\" and surname = ПЕТРОВ", as_of),
        vec![2]
    );
    assert_eq!(run(&base, "given = \"Петр\"", as_of), vec![2]);
    assert_eq!(run(&base, "city != \"Москва\"", as_of), Vec::<u64>::new());
    assert_eq!(run(&base, "not city = \"Москва\"", as_of), vec![2]);
    assert_eq!(run(&base, "rooms >= 2 and has tag vip", as_of), vec![1]);
    assert_eq!(run(&base, "consent sms", as_of), vec![1]);
    assert_eq!(run(&base, "not has email", as_of), vec![1]);
    assert_eq!(run(&base, "related spouse", as_of), vec![2]);
    assert_eq!(run(&base, "sum(purchases) > 159999.99", as_of), vec![1]);
    assert_eq!(
        run(
            &base,
            "sum(purchases where date within last 12 months) > 60000",
            as_of
        ),
        Vec::<u64>::new()
    );
    assert_eq!(
        run(&base, "sum(lines where category = книги) = 100000", as_of),
        vec![1]
    );
    assert_eq!(
        run(
            &base,
            "count(deals where status = open and stage = \"переговоры\") >= 1",
            as_of
        ),
        vec![2]
    );
    assert_eq!(run(&base, "last_purchase = 2024-05-31", as_of), vec![1]);
    assert_eq!(
        run(&base, "total_spent = 160000 and purchases = 2", as_of),
        vec![1]
    );
    // 22:00 UTC on 31 May is 1 June in Moscow.
    let rule = Rule::parse("last_purchase = 2024-06-01").unwrap();
    let options = Options::new(date(as_of)).in_time_zone("Europe/Moscow");
    let compiled = compile(&base, &rule, &options, &BTreeMap::new()).unwrap();
    assert_eq!(compiled.evaluate(&base).unwrap().len(), 1);
    // Missing values: no visit date, no comparison holds.
    assert_eq!(
        run(&base, "visit < 2100-01-01 or visit >= 1900-01-01", as_of),
        Vec::<u64>::new()
    );
    assert_eq!(run(&base, "visit is not set", as_of), vec![1, 2]);
}

#[test]
fn birthdays_and_ages_are_calendar_correct() {
    let (base, _) = shop();
    // Born 29 February 1992: in 2023 the birthday is 28 February.
    assert_eq!(run(&base, "days_to_birthday = 0", "2023-02-28"), vec![1]);
    assert_eq!(run(&base, "days_to_birthday <= 7", "2023-02-22"), vec![1]);
    assert_eq!(
        run(&base, "days_to_birthday <= 7", "2023-02-20"),
        Vec::<u64>::new()
    );
    assert_eq!(run(&base, "days_to_birthday = 0", "2024-02-29"), vec![1]);
    assert_eq!(run(&base, "age = 31", "2023-02-28"), vec![1]);
    assert_eq!(run(&base, "age = 30", "2023-02-27"), vec![1]);
    assert_eq!(
        run(&base, "birthday more than 18 years ago", "2023-02-27"),
        vec![1]
    );
    // A month before 31 March 2024 is 29 February.
    assert_eq!(
        compile::shift(date("2024-03-31"), 1, Unit::Months, true),
        Some(date("2024-02-29"))
    );
    assert_eq!(
        compile::shift(date("2024-02-29"), 1, Unit::Years, true),
        Some(date("2023-02-28"))
    );
    assert_eq!(
        compile::period(date("2024-01-15"), Period::Month, -1),
        Some((date("2023-12-01"), date("2023-12-31")))
    );
}

#[test]
fn compile_checks_types_fields_and_segments() {
    let (base, _) = shop();
    let options = Options::new(date("2024-06-30"));
    let none = BTreeMap::new();
    let err =
        |text: &str| compile(&base, &Rule::parse(text).unwrap(), &options, &none).unwrap_err();
    let e = err("birthday > 5");
    assert_eq!(e.kind(), crate::ErrorKind::FieldType);
    assert!(e.to_string().contains("`birthday` is a date"), "{e}");
    assert_eq!(err("rooms = \"two\"").kind(), crate::ErrorKind::FieldType);
    assert_eq!(err("nosuch = 1").kind(), crate::ErrorKind::UnknownField);
    assert_eq!(err("has tag gold").kind(), crate::ErrorKind::UnknownTag);
    assert_eq!(err("city > \"a\"").kind(), crate::ErrorKind::FieldType);
    assert_eq!(err("stage = sleeping").kind(), crate::ErrorKind::FieldType);
    assert_eq!(
        err("sum(deals) > 1.001").kind(),
        crate::ErrorKind::FieldType
    );
    assert!(err("count(deals where consent sms) > 0")
        .to_string()
        .contains("about a client"));
    assert!(err("in segment nope").to_string().contains("not defined"));

    let mut segments = BTreeMap::new();
    segments.insert("a".to_string(), Rule::parse("in segment b").unwrap());
    segments.insert(
        "b".to_string(),
        Rule::parse("city = x or in segment a").unwrap(),
    );
    let e = compile(
        &base,
        &Rule::parse("in segment a").unwrap(),
        &options,
        &segments,
    )
    .unwrap_err();
    assert!(e.to_string().contains("cycle: a -> b -> a"), "{e}");

    let mut segments = BTreeMap::new();
    segments.insert("moscow".to_string(), Rule::parse("city = Москва").unwrap());
    segments.insert(
        "wives".to_string(),
        Rule::parse("in segment moscow and has tag vip").unwrap(),
    );
    let compiled = compile(
        &base,
        &Rule::parse("related in segment wives").unwrap(),
        &options,
        &segments,
    )
    .unwrap();
    assert_eq!(compiled.segment_names(), vec!["moscow", "wives"]);
    assert_eq!(compiled.evaluate(&base).unwrap(), vec![crate::ClientId(2)]);
}

#[test]
fn explain_shows_what_held() {
    let (base, ids) = shop();
    let rule =
        Rule::parse("city = Москва and (rooms > 2 or consent sms) and sum(purchases) > 1000")
            .unwrap();
    let compiled = compile(
        &base,
        &rule,
        &Options::new(date("2024-06-30")),
        &BTreeMap::new(),
    )
    .unwrap();
    let why = compiled.explain(&base, ids[0]).unwrap();
    assert!(why.matched);
    assert_eq!(why.rule.steps.len(), 3);
    assert_eq!(why.rule.steps[0].value.as_deref(), Some("Москва"));
    assert!(!why.rule.steps[1].steps[0].held);
    assert_eq!(why.rule.steps[1].steps[0].value.as_deref(), Some("2"));
    assert_eq!(why.rule.steps[2].value.as_deref(), Some("160000.00"));
    let why = compiled.explain(&base, ids[1]).unwrap();
    assert!(!why.matched);
    assert_eq!(why.rule.steps[0].value, None);
    assert!(compiled.explain(&base, crate::ClientId(99)).is_err());
}

#[test]
fn time_zones() {
    use compile::time_zone;
    for (text, seconds) in [
        ("UTC", 0),
        ("+03:00", 3 * 3600),
        ("UTC+3", 3 * 3600),
        ("-0530", -(5 * 3600 + 30 * 60)),
        ("Asia/Yekaterinburg", 5 * 3600),
        ("europe/moscow", 3 * 3600),
    ] {
        assert_eq!(
            time_zone(text).unwrap().local_minus_utc(),
            seconds,
            "{text}"
        );
    }
    for bad in ["Mars/Olympus", "+25:00", "UTC+", "+3:75", ""] {
        if bad.is_empty() {
            continue;
        }
        assert_eq!(
            time_zone(bad).unwrap_err().field(),
            Some("time_zone"),
            "{bad}"
        );
    }
}

#[test]
fn rfm_and_abc_are_computed_once_for_the_base() {
    let (mut base, ids) = shop();
    let rub = |s: &str| Money::parse(s, Currency::RUB).unwrap();
    // Петров buys once, small, long ago.
    base.add_deal(Deal {
        status: DealStatus::Won,
        closed_at: Some(Utc.with_ymd_and_hms(2022, 1, 10, 12, 0, 0).unwrap()),
        ..Deal::new(ids[1], rub("100"))
    })
    .unwrap();
    let as_of = "2024-06-30";
    assert_eq!(run(&base, "abc = A", as_of), vec![1]);
    assert_eq!(run(&base, "abc = C", as_of), vec![2]);
    // Two clients score 1 and 3 on each measure (quantiles of two).
    assert_eq!(
        run(&base, "rfm.m = 3 and rfm.f = 3 and rfm.r = 3", as_of),
        vec![1]
    );
    assert_eq!(
        run(
            &base,
            "rfm.score = \"111\" and rfm.segment = Hibernating",
            as_of
        ),
        vec![2]
    );
    assert_eq!(run(&base, "rfm.r < 3", as_of), vec![2]);
    assert_eq!(run(&base, "rfm.segment is set", as_of), vec![1, 2]);
    let rule = Rule::parse("rfm.segment = \"Need Attention\"").unwrap();
    let compiled = compile(&base, &rule, &Options::new(date(as_of)), &BTreeMap::new()).unwrap();
    let why = compiled.explain(&base, ids[1]).unwrap();
    assert!(!why.matched);
    assert_eq!(why.rule.value.as_deref(), Some("Hibernating"));
    assert_eq!(compiled.evaluate(&base).unwrap(), vec![ids[0]]);
}

#[test]
fn computed_values_on_a_base_without_purchases_are_missing() {
    let mut base = ClientBase::new(Schema::new());
    base.add_client(Client::person("Петров", "Пётр", None))
        .unwrap();
    for text in ["abc = A", "rfm.r = 1", "clv > 0", "last_purchase is set"] {
        assert_eq!(run(&base, text, "2024-06-30"), Vec::<u64>::new(), "{text}");
    }
    assert_eq!(
        run(
            &base,
            "total_spent = 0 and purchases = 0 and clv is not set",
            "2024-06-30"
        ),
        vec![1]
    );
}

#[test]
fn lifetime_value_is_a_money_field() {
    let mut base = ClientBase::new(Schema::new());
    let rub = |minor: i64| Money::from_minor(minor, Currency::RUB);
    for c in 0..12u32 {
        let id = base
            .add_client(Client::person("Клиент", &c.to_string(), None))
            .unwrap();
        for k in 0..(1 + c % 4) {
            base.add_deal(Deal {
                status: DealStatus::Won,
                closed_at: Some(
                    Utc.with_ymd_and_hms(2023, 1 + (c + 3 * k) % 12, 1 + c, 12, 0, 0)
                        .unwrap(),
                ),
                ..Deal::new(id, rub(100_000 + 7_919 * i64::from(c * k + c)))
            })
            .unwrap();
        }
    }
    let all = run(&base, "clv is set or clv is not set", "2024-01-01");
    assert_eq!(all.len(), 12);
    // On so few histories BG/NBD gives no value: `clv` is missing for all
    // (and the rule still runs).
    let rule = Rule::parse("clv >= 0").unwrap();
    let compiled = compile(
        &base,
        &rule,
        &Options::new(date("2024-01-01")),
        &BTreeMap::new(),
    )
    .unwrap();
    let why = compiled.explain(&base, crate::ClientId(4)).unwrap();
    // The value, if fitted, is money with kopecks.
    if let Some(value) = &why.rule.value {
        assert!(value.contains('.'), "{value}");
    }
    assert!(compile(
        &base,
        &Rule::parse("clv > 1.001").unwrap(),
        &Options::new(date("2024-01-01")),
        &BTreeMap::new()
    )
    .is_err());
}
