//! The canonical form of a rule: typed, versioned, serde.
//!
//! Every expression is an externally tagged object with one key (`{"all":
//! [...]}`, `{"compare": {...}}`), so that a rule of any shape is read
//! without buffering and every mistake is named by its path. Unknown keys are
//! refused everywhere.

use crate::client::Channel;
use chrono::NaiveDate;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// The version of the JSON form this library writes and reads.
pub const VERSION: u32 = 1;

/// A segment rule in its canonical, stored form: `{"version": 1, "rule": ...}`.
///
/// Read it from JSON with [`Rule::from_json`] (or [`Rule::from_value`]) and
/// from the text syntax with [`Rule::parse`]; both check the size limits.
/// [`Rule::to_text`] prints the text syntax back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The version of the form (1).
    pub version: u32,
    /// The condition a client must meet.
    pub rule: Expr,
}

impl Rule {
    /// A rule of the current version.
    pub fn new(rule: Expr) -> Rule {
        Rule {
            version: VERSION,
            rule,
        }
    }
}

/// A condition, on a client (or, inside an aggregate's `where`, on a deal or
/// a product line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// Every condition holds (`a and b`); an empty list always holds (`true`).
    All(Vec<Expr>),
    /// At least one holds (`a or b`); an empty list never holds (`false`).
    Any(Vec<Expr>),
    /// The condition does not hold (`not a`).
    Not(Box<Expr>),
    /// A field compared with a value (`city = "Москва"`, `rooms >= 2`).
    Compare(Compare),
    /// A field equal to one of the values (`stage in (lead, prospect)`).
    In(InList),
    /// A set field (tags, a many-of custom field) holding values, or a text
    /// field holding a substring (`tags contains any ("vip", "b2b")`).
    Contains(Contains),
    /// The field has a value (`birthday is set`).
    IsSet(String),
    /// A date within a window around the analysis date
    /// (`last_purchase within last 90 days`, `created more than 2 years ago`).
    Relative(Relative),
    /// A date in a calendar month or year relative to the analysis date
    /// (`date in previous year`, `date in this month`).
    Calendar(Calendar),
    /// Marketing on the channel is allowed: the channel consent is given and
    /// personal-data processing not withdrawn (`consent sms`).
    Consent(Channel),
    /// The client has a contact point of this kind (`has email`).
    HasContact(ContactKind),
    /// The client has a relation (of a kind, to a client of a segment).
    Related(Related),
    /// The client is in another named segment (`in segment "vip"`).
    Segment(String),
    /// An aggregate over the client's deals, purchases or product lines
    /// compared with a value (`sum(purchases where date within last 24 months) > 100000`).
    Aggregate(Aggregate),
}

/// `field op value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    /// The field (`city`, `custom.rooms`, `rfm.segment`).
    pub field: String,
    /// The comparison.
    pub op: CmpOp,
    /// The value.
    pub value: Literal,
}

/// `field in (values)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InList {
    /// The field.
    pub field: String,
    /// The values, any of which matches.
    pub values: Vec<Literal>,
}

/// `field contains value`, `field contains any (values)`, `field contains all (values)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contains {
    /// The field: a set (tags, a many-of field) or text.
    pub field: String,
    /// Whether any (default) or all of the values must be held.
    #[serde(default)]
    pub mode: Mode,
    /// The values.
    pub values: Vec<Literal>,
}

/// Any or all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// At least one.
    #[default]
    Any,
    /// Every one.
    All,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written in the text syntax.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether the operator needs an ordered type.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }

    /// Whether `ordering` (left against right) satisfies the operator.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }
}

/// `field within last N units`, `field within next N units`, `field more than N units ago`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relative {
    /// A date field.
    pub field: String,
    /// Which window.
    pub when: When,
    /// How many units.
    pub amount: u32,
    /// Days, weeks, months or years.
    pub unit: Unit,
}

/// The window of a [`Relative`] condition, against the analysis date `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// `as_of - N <= date <= as_of`.
    WithinLast,
    /// `as_of <= date <= as_of + N`.
    WithinNext,
    /// `date < as_of - N`.
    MoreThanAgo,
}

/// A unit of calendar time. Months and years are calendar months and years:
/// a month before 31 March is 29 February in a leap year (the last day of the
/// shorter month), a year before 29 February 2024 is 28 February 2023.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Days.
    Days,
    /// Weeks of seven days.
    Weeks,
    /// Calendar months.
    Months,
    /// Calendar years.
    Years,
}

impl Unit {
    /// The unit's name in the text syntax.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Days => "days",
            Unit::Weeks => "weeks",
            Unit::Months => "months",
            Unit::Years => "years",
        }
    }

    /// The unit called `word` (`day`, `days`, `дней`, `месяца`, `лет`, ...).
    pub fn from_word(word: &str) -> Option<Unit> {
        match crate::words::keyword(word).as_str() {
            "day" | "days" | "день" | "дня" | "дней" => Some(Unit::Days),
            "week" | "weeks" | "неделя" | "недели" | "недель" | "неделю" => {
                Some(Unit::Weeks)
            }
            "month" | "months" | "месяц" | "месяца" | "месяцев" => {
                Some(Unit::Months)
            }
            "year" | "years" | "год" | "года" | "лет" => Some(Unit::Years),
            _ => None,
        }
    }
}

/// `field in this year`, `field in previous month`, `field in year -3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// A date field.
    pub field: String,
    /// Month or year.
    pub unit: Period,
    /// 0 the period holding the analysis date, -1 the one before, 1 the next.
    pub offset: i32,
}

/// A calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

/// A kind of contact point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// Any phone number.
    Phone,
    /// A phone normalized as mobile.
    Mobile,
    /// An email address.
    Email,
    /// A messenger or social account.
    Messenger,
}

impl ContactKind {
    /// Every kind.
    pub const ALL: [ContactKind; 4] = [
        ContactKind::Phone,
        ContactKind::Mobile,
        ContactKind::Email,
        ContactKind::Messenger,
    ];

    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            ContactKind::Phone => "phone",
            ContactKind::Mobile => "mobile",
            ContactKind::Email => "email",
            ContactKind::Messenger => "messenger",
        }
    }
}

/// `related [kind] [in segment name]`: a relation from the client, of the kind
/// (any kind when none), to a client of the segment (any client when none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// The relation kind, or any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::client::RelationKind>,
    /// The segment the related client must be in, or any client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
}

/// `func(source where filter) op value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    /// What is computed.
    pub func: AggFunc,
    /// Over which rows.
    pub of: Source,
    /// Which rows count (fields of the source); all when none.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub filter: Option<Box<Expr>>,
    /// The comparison.
    pub op: CmpOp,
    /// The value.
    pub value: Literal,
}

/// What an aggregate computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggFunc {
    /// How many rows (0 when none).
    Count,
    /// The sum of the amounts, exact (0 when none).
    Sum,
    /// The smallest amount (missing when none).
    Min,
    /// The largest amount (missing when none).
    Max,
    /// In how many distinct calendar months the rows fall (by `date`; 0 when none).
    Months,
    /// On how many distinct days (by `date`; 0 when none).
    Days,
    /// The earliest `date` (missing when none).
    First,
    /// The latest `date` (missing when none).
    Last,
}

impl AggFunc {
    /// Every function.
    pub const ALL: [AggFunc; 8] = [
        AggFunc::Count,
        AggFunc::Sum,
        AggFunc::Min,
        AggFunc::Max,
        AggFunc::Months,
        AggFunc::Days,
        AggFunc::First,
        AggFunc::Last,
    ];

    /// The function's name in the text syntax.
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Months => "months",
            AggFunc::Days => "days",
            AggFunc::First => "first",
            AggFunc::Last => "last",
        }
    }
}

/// The rows an aggregate runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Every deal of the client, any status.
    Deals,
    /// The client's won deals.
    Purchases,
    /// The product lines of the client's won deals; a won deal without lines
    /// is one line of its amount with no product or category.
    Lines,
    /// The client's activities: calls, emails, messages, meetings, tasks,
    /// notes, site visits, forms and events (`count`, `months`, `days`,
    /// `first` and `last` only: an activity has no amount).
    Activities,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 4] = [
        Source::Deals,
        Source::Purchases,
        Source::Lines,
        Source::Activities,
    ];

    /// The source's name in the text syntax.
    pub fn name(self) -> &'static str {
        match self {
            Source::Deals => "deals",
            Source::Purchases => "purchases",
            Source::Lines => "lines",
            Source::Activities => "activities",
        }
    }
}

/// A value in a rule. In JSON: a string is text, an integer an integer,
/// `true`/`false` a bool, `{"date": "2024-03-01"}` a date and
/// `{"decimal": "99999.99"}` an exact decimal (never a JSON float: `1.5` is
/// refused, since a float is not exact).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    /// Text (also the name of a choice, a stage, a status).
    Text(String),
    /// An integer (also an amount of money in whole units).
    Integer(i64),
    /// An exact decimal, as written: `-12.50`.
    Decimal(String),
    /// A date.
    Date(NaiveDate),
    /// A bool.
    Bool(bool),
}

/// Whether `text` is a decimal as rules write it: an optional `-`, digits, a
/// point and digits.
pub(crate) fn is_decimal(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    match body.split_once('.') {
        Some((whole, fraction)) => {
            !whole.is_empty()
                && !fraction.is_empty()
                && whole.len() <= 18
                && fraction.len() <= 18
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

impl Serialize for Literal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Literal::Text(text) => s.serialize_str(text),
            Literal::Integer(n) => s.serialize_i64(*n),
            Literal::Bool(b) => s.serialize_bool(*b),
            Literal::Decimal(text) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("decimal", text)?;
                map.end()
            }
            Literal::Date(date) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("date", &date.format("%Y-%m-%d").to_string())?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Literal, D::Error> {
        struct LiteralVisitor;

        impl<'de> Visitor<'de> for LiteralVisitor {
            type Value = Literal;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a value: text, an integer, true or false, {\"date\": \"yyyy-mm-dd\"} or {\"decimal\": \"12.50\"}",
                )
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Literal, E> {
                Ok(Literal::Bool(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Literal, E> {
                Ok(Literal::Integer(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Literal, E> {
                i64::try_from(v)
                    .map(Literal::Integer)
                    .map_err(|_| E::custom(format!("{v} is too large for an integer")))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Literal, E> {
                Err(E::custom(format!(
                    "{v} is a float, which is not exact: write {{\"decimal\": \"{v}\"}}"
                )))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Literal, E> {
                Ok(Literal::Text(v.to_string()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Literal, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(
                        "an empty object is not a value: write {\"date\": ...} or {\"decimal\": ...}",
                    ));
                };
                let text: String = match key.as_str() {
                    "date" | "decimal" => map.next_value()?,
                    other => return Err(de::Error::unknown_field(other, &["date", "decimal"])),
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "a typed value has one key, `{key}`; `{extra}` is one too many"
                    )));
                }
                let date_shaped = text.len() == 10
                    && text.bytes().enumerate().all(|(i, b)| {
                        if i == 4 || i == 7 {
                            b == b'-'
                        } else {
                            b.is_ascii_digit()
                        }
                    });
                if key == "date" && !date_shaped {
                    Err(de::Error::custom(format!(
                        "{text:?} is not a date (yyyy-mm-dd)"
                    )))
                } else if key == "date" {
                    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                        .map(Literal::Date)
                        .map_err(|_| {
                            de::Error::custom(format!("{text:?} is not a date (yyyy-mm-dd)"))
                        })
                } else if is_decimal(&text) {
                    Ok(Literal::Decimal(text))
                } else {
                    Err(de::Error::custom(format!(
                        "{text:?} is not a decimal (digits, a point and digits: \"99999.99\")"
                    )))
                }
            }
        }

        d.deserialize_any(LiteralVisitor)
    }
}

/// Size limits every rule is checked against, from text or JSON.
pub mod limits {
    /// The longest rule text, in bytes.
    pub const MAX_TEXT: usize = 64 * 1024;
    /// The deepest nesting of conditions (parentheses, `not`, an aggregate's `where`).
    pub const MAX_DEPTH: usize = 32;
    /// The most conditions and values in one rule.
    pub const MAX_NODES: usize = 2_000;
    /// The deepest JSON nesting the JSON form may have (each level of a rule
    /// takes at most two).
    pub const MAX_JSON_DEPTH: usize = 2 * MAX_DEPTH + 6;
    /// The most named segments in one evaluation.
    pub const MAX_SEGMENTS: usize = 256;
}

impl Expr {
    /// The direct sub-conditions.
    pub(crate) fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::All(items) | Expr::Any(items) => items.iter().collect(),
            Expr::Not(inner) => vec![inner],
            Expr::Aggregate(agg) => agg.filter.iter().map(|f| &**f).collect(),
            _ => Vec::new(),
        }
    }

    /// How many values this node holds besides its sub-conditions (counted
    /// against [`limits::MAX_NODES`]).
    fn values(&self) -> usize {
        match self {
            Expr::In(list) => list.values.len(),
            Expr::Contains(c) => c.values.len(),
            _ => 0,
        }
    }
}

/// Checks a rule against the depth and size limits without recursion.
pub(crate) fn check_limits(expr: &Expr) -> Result<(), String> {
    let mut stack: Vec<(&Expr, usize)> = vec![(expr, 1)];
    let mut nodes = 0usize;
    while let Some((node, depth)) = stack.pop() {
        if depth > limits::MAX_DEPTH {
            return Err(format!(
                "the rule nests deeper than {} levels",
                limits::MAX_DEPTH
            ));
        }
        nodes += 1 + node.values();
        if nodes > limits::MAX_NODES {
            return Err(format!(
                "the rule has more than {} conditions and values",
                limits::MAX_NODES
            ));
        }
        for child in node.children() {
            stack.push((child, depth + 1));
        }
    }
    Ok(())
}

/// Checks the nesting of JSON data without recursion.
pub(crate) fn check_json_depth(value: &serde_json::Value) -> Result<(), String> {
    let mut stack: Vec<(&serde_json::Value, usize)> = vec![(value, 1)];
    let mut count = 0usize;
    while let Some((node, depth)) = stack.pop() {
        if depth > limits::MAX_JSON_DEPTH {
            return Err(format!(
                "the JSON nests deeper than {} levels",
                limits::MAX_JSON_DEPTH
            ));
        }
        count += 1;
        if count > 8 * limits::MAX_NODES {
            return Err(format!(
                "the JSON has more than {} values",
                8 * limits::MAX_NODES
            ));
        }
        match node {
            serde_json::Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            serde_json::Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}
