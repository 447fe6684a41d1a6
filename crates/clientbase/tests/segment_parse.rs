//! Segment rules are user input: any text and any JSON is read within the
//! limits or refused with a message, never a panic; and every rule prints as
//! text that parses back to the same rule.

use chrono::NaiveDate;
use clientbase::segment::*;
use clientbase::{Channel, RelationKind};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "city",
            "rooms",
            "custom.floors",
            "rfm.segment",
            "and",
            "Has",
            "in",
            "этаж",
            "a.b",
            "",
            "2nd",
            "x y",
            "back`quote",
            "new\nline",
            "spouse",
        ])
        .prop_map(String::from),
        "\\PC{0,8}",
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "\\PC{0,8}".prop_map(Literal::Text),
        any::<i64>().prop_map(Literal::Integer),
        (any::<bool>(), 0u64..1_000_000_000, 1u32..6).prop_map(|(neg, whole, digits)| {
            let fraction = whole % 10u64.pow(digits);
            Literal::Decimal(format!(
                "{}{whole}.{fraction:0width$}",
                if neg { "-" } else { "" },
                width = digits as usize
            ))
        }),
        (0i32..3000, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| Literal::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())),
        any::<bool>().prop_map(Literal::Bool),
    ]
}

fn op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (name(), op(), literal()).prop_map(|(field, op, value)| Expr::Compare(Compare {
            field,
            op,
            value
        })),
        (name(), prop::collection::vec(literal(), 0..4))
            .prop_map(|(field, values)| Expr::In(InList { field, values })),
        (
            name(),
            any::<bool>(),
            prop::collection::vec(literal(), 0..4)
        )
            .prop_map(|(field, all, values)| Expr::Contains(Contains {
                field,
                mode: if all { Mode::All } else { Mode::Any },
                values
            })),
        name().prop_map(Expr::IsSet),
        (
            name(),
            prop::sample::select(vec![When::WithinLast, When::WithinNext, When::MoreThanAgo]),
            any::<u32>(),
            prop::sample::select(vec![Unit::Days, Unit::Weeks, Unit::Months, Unit::Years])
        )
            .prop_map(|(field, when, amount, unit)| Expr::Relative(Relative {
                field,
                when,
                amount,
                unit
            })),
        (name(), any::<bool>(), any::<i32>()).prop_map(|(field, year, offset)| {
            Expr::Calendar(Calendar {
                field,
                unit: if year { Period::Year } else { Period::Month },
                offset,
            })
        }),
        prop::sample::select(Channel::ALL.to_vec()).prop_map(Expr::Consent),
        prop::sample::select(ContactKind::ALL.to_vec()).prop_map(Expr::HasContact),
        (
            prop::option::of(prop::sample::select(vec![
                RelationKind::Spouse,
                RelationKind::ReferredBy,
                RelationKind::EmployeeOf
            ])),
            prop::option::of(name())
        )
            .prop_map(|(kind, segment)| Expr::Related(Related { kind, segment })),
        name().prop_map(Expr::Segment),
        Just(Expr::All(Vec::new())),
        Just(Expr::Any(Vec::new())),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::All),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Any),
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            (
                prop::sample::select(AggFunc::ALL.to_vec()),
                prop::sample::select(Source::ALL.to_vec()),
                prop::option::of(inner),
                op(),
                literal()
            )
                .prop_map(|(func, of, filter, op, value)| Expr::Aggregate(Aggregate {
                    func,
                    of,
                    filter: filter.map(Box::new),
                    op,
                    value
                })),
        ]
    })
}

/// Tokens of the syntax, to build texts that get past the first word.
const TOKENS: &[&str] = &[
    "and",
    "or",
    "not",
    "(",
    ")",
    ",",
    "=",
    "!=",
    "<=",
    ">",
    "in",
    "contains",
    "any",
    "all",
    "is",
    "set",
    "within",
    "last",
    "next",
    "more",
    "than",
    "ago",
    "days",
    "months",
    "this",
    "previous",
    "year",
    "month",
    "consent",
    "sms",
    "has",
    "email",
    "tag",
    "related",
    "spouse",
    "segment",
    "count",
    "sum(",
    "purchases",
    "lines",
    "where",
    "city",
    "rooms",
    "\"Москва\"",
    "«x»",
    "`a b`",
    "12",
    "-3",
    "99.90",
    "2024-02-29",
    "2023-02-29",
    "true",
    "false",
    "\"",
    "`",
    "\\",
    "-",
    ".",
    "!",
    "1.",
    "99999999999999999999",
    "\\u{41}",
];

/// Conditions that compile on [`base`], to reach evaluation.
const VALID: &[&str] = &[
    "city = москва",
    "rooms >= 2",
    "has tag vip",
    "consent sms",
    "not has email",
    "birthday is set",
    "days_to_birthday <= 7",
    "age > 1",
    "related spouse",
    "total_spent > 99.99",
    "last_purchase within last 2 years",
    "created more than 90 days ago",
    "months(lines where category = Книги and date in this year) >= 1",
    "count(deals where status = open) = 1",
    "sum(purchases) > 0",
    "first(deals) < 2030-01-01",
    "rfm.segment is set",
    "abc = A",
    "rfm.r in (1, 2, 3)",
    "stage = lead",
    "temperature >= warm",
    "in segment a",
    "related in segment a",
    "date in previous month",
    "kind = company",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec((prop::sample::select(VALID), any::<bool>()), 1..5).prop_map(|v| {
            v.into_iter()
                .map(|(c, or)| format!("{c} {}", if or { "or" } else { "and" }))
                .collect::<String>()
                + " true"
        }),
        "\\PC{0,60}",
        prop::collection::vec(prop::sample::select(TOKENS), 0..30).prop_map(|t| t.join(" ")),
        prop::collection::vec(prop::sample::select(TOKENS), 0..30).prop_map(|t| t.concat()),
    ]
}

/// A small base every rule can run on: a client with a birthday, a tag, a
/// custom field, a consent and purchases, and one without anything.
fn base() -> clientbase::ClientBase {
    use clientbase::*;
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema
        .declare_field(FieldDef::new("rooms", FieldType::Integer))
        .unwrap();
    let mut base = ClientBase::new(schema);
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let anna = base
        .add_client(
            Client {
                birthday: Some(day),
                city: Some("Москва".into()),
                ..Client::person("Иванова", "Анна", None)
            }
            .with_tag("vip")
            .with_field("rooms", FieldValue::Integer(2))
            .with_consent(Channel::Sms, Consent::given(day)),
        )
        .unwrap();
    base.add_client(
        Client::person("Петров", "Пётр", None).with_relation(RelationKind::Spouse, anna),
    )
    .unwrap();
    let rub = |s: &str| Money::parse(s, Currency::RUB).unwrap();
    base.add_deal(Deal {
        status: DealStatus::Won,
        closed_at: Some(chrono::Utc::now()),
        ..Deal::new(anna, rub("100")).with_line(
            ProductLine::new("Книга", Quantity::units(1), rub("100")).with_category("Книги"),
        )
    })
    .unwrap();
    base.add_deal(Deal::new(anna, rub("5"))).unwrap();
    base
}

fn json() -> impl Strategy<Value = Value> {
    const KEYS: &[&str] = &[
        "version",
        "rule",
        "all",
        "any",
        "not",
        "compare",
        "field",
        "op",
        "value",
        "in",
        "values",
        "contains",
        "mode",
        "is_set",
        "relative",
        "when",
        "amount",
        "unit",
        "calendar",
        "offset",
        "consent",
        "has_contact",
        "related",
        "kind",
        "segment",
        "aggregate",
        "func",
        "of",
        "where",
        "date",
        "decimal",
        "x",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (0u64..3).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "eq",
            "gt",
            "sms",
            "email",
            "days",
            "within_last",
            "sum",
            "purchases",
            "all",
            "2024-02-29",
            "12.50",
            "city",
            "spouse",
            "",
        ])
        .prop_map(|s| Value::String(s.into())),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|pairs| {
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

/// A one-item `all`/`any` prints as its item.
fn normalized(expr: &Expr) -> Expr {
    match expr {
        Expr::All(items) | Expr::Any(items) if items.len() == 1 => normalized(&items[0]),
        Expr::All(items) => Expr::All(items.iter().map(normalized).collect()),
        Expr::Any(items) => Expr::Any(items.iter().map(normalized).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(normalized(inner))),
        Expr::Aggregate(a) => Expr::Aggregate(Aggregate {
            filter: a.filter.as_ref().map(|f| Box::new(normalized(f))),
            ..a.clone()
        }),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn printed_rules_parse_back_the_same(rule in expr()) {
        let rule = Rule::new(rule);
        let text = rule.to_text();
        let again = Rule::parse(&text);
        prop_assert!(again.is_ok(), "{text}: {:?}", again);
        prop_assert_eq!(again.unwrap(), rule.clone(), "{}", text);
        let json = rule.to_json().unwrap();
        prop_assert_eq!(Rule::from_json(&json).unwrap(), rule);
    }

    #[test]
    fn any_text_is_read_or_refused(text in text()) {
        match Rule::parse(&text) {
            Ok(rule) => {
                let printed = rule.to_text();
                let again = Rule::parse(&printed);
                prop_assert!(again.is_ok(), "{text} printed as {printed}: {:?}", again);
                prop_assert_eq!(again.unwrap().rule, normalized(&rule.rule));
            }
            Err(err) => {
                prop_assert_eq!(err.field(), Some("rule"));
                prop_assert!(err.to_string().contains("line "), "{}", err);
            }
        }
    }

    #[test]
    fn any_rule_runs_or_is_refused_naming_a_field(text in text(), value in json()) {
        use clientbase::capability::call_read;
        let base = base();
        let segments = serde_json::json!({"a": text.clone(), "b": value.clone()});
        for (name, params) in [
            ("segment", serde_json::json!({"rule": text, "as_of": "2026-12-07"})),
            ("segment", serde_json::json!({"rule": value, "segments": segments})),
            ("segment_explain", serde_json::json!({"rule": text, "client": 1, "time_zone": "+03:00"})),
            ("segment_sizes", serde_json::json!({"segments": segments, "as_of": "2024-02-29"})),
            ("segment_parse", serde_json::json!({"rule": value})),
        ] {
            match call_read(&base, name, params.clone()) {
                Ok(output) => prop_assert!(output.to_json().is_ok()),
                Err(err) => prop_assert!(
                    err.field().is_some() || err.record().is_some(),
                    "{name} {params}: {err}"
                ),
            }
        }
    }

    #[test]
    fn any_json_is_read_or_refused(value in json()) {
        for candidate in [value.clone(), serde_json::json!({"version": 1, "rule": value})] {
            match Rule::from_value(&candidate) {
                Ok(rule) => {
                    let printed = rule.to_text();
                    let again = Rule::parse(&printed);
                    prop_assert!(again.is_ok(), "{candidate} printed as {printed}: {:?}", again);
                    prop_assert_eq!(again.unwrap().rule, normalized(&rule.rule));
                }
                Err(err) => {
                    prop_assert!(err.field().is_some(), "{candidate}: {err}");
                }
            }
            let _ = Rule::from_input(&candidate);
        }
    }
}
