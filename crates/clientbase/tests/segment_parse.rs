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

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,60}",
        prop::collection::vec(prop::sample::select(TOKENS), 0..30).prop_map(|t| t.join(" ")),
        prop::collection::vec(prop::sample::select(TOKENS), 0..30).prop_map(|t| t.concat()),
    ]
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
