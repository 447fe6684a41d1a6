//! Type checking a rule against a base's schema and resolving its segment
//! references, into a tree that evaluates without looking anything up by name.

use super::ast::*;
use crate::base::ClientBase;
use crate::client::{Channel, LifecycleStage, PartyKind, RelationKind, Temperature};
use crate::deal::DealStatus;
use crate::error::{Error, ErrorKind, Result};
use crate::money::{parse_fixed, Currency};
use crate::schema::{FieldType, Schema};
use chrono::{Datelike, Days, FixedOffset, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// When and where a rule is evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The analysis date relative conditions count from.
    pub as_of: NaiveDate,
    /// The time zone timestamps (deal close dates, creation stamps) are read
    /// in: `UTC` (default), an offset (`+03:00`, `UTC+3`) or a Russian zone
    /// name (`Europe/Moscow`, `Asia/Yekaterinburg`, ...; all fixed offsets).
    #[serde(default = "utc")]
    pub time_zone: String,
    /// The currency sums run in (default: the base's currency, else RUB).
    #[serde(default)]
    pub currency: Option<Currency>,
}

fn utc() -> String {
    "UTC".into()
}

impl Options {
    /// Options for `as_of` in UTC.
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            time_zone: utc(),
            currency: None,
        }
    }

    /// The same options in `time_zone`.
    pub fn in_time_zone(mut self, time_zone: &str) -> Options {
        self.time_zone = time_zone.to_string();
        self
    }
}

/// IANA zones of Russia and its neighbours, all without daylight saving time.
const ZONES: &[(&str, i32)] = &[
    ("Europe/Kaliningrad", 2),
    ("Europe/Moscow", 3),
    ("Europe/Minsk", 3),
    ("Europe/Simferopol", 3),
    ("Europe/Volgograd", 3),
    ("Europe/Kirov", 3),
    ("Europe/Samara", 4),
    ("Europe/Ulyanovsk", 4),
    ("Europe/Saratov", 4),
    ("Europe/Astrakhan", 4),
    ("Asia/Yerevan", 4),
    ("Asia/Baku", 4),
    ("Asia/Tbilisi", 4),
    ("Asia/Yekaterinburg", 5),
    ("Asia/Tashkent", 5),
    ("Asia/Almaty", 5),
    ("Asia/Omsk", 6),
    ("Asia/Bishkek", 6),
    ("Asia/Novosibirsk", 7),
    ("Asia/Barnaul", 7),
    ("Asia/Tomsk", 7),
    ("Asia/Novokuznetsk", 7),
    ("Asia/Krasnoyarsk", 7),
    ("Asia/Irkutsk", 8),
    ("Asia/Chita", 9),
    ("Asia/Yakutsk", 9),
    ("Asia/Vladivostok", 10),
    ("Asia/Magadan", 11),
    ("Asia/Sakhalin", 11),
    ("Asia/Srednekolymsk", 11),
    ("Asia/Kamchatka", 12),
    ("Asia/Anadyr", 12),
];

/// Reads a time zone: `UTC`, `Z`, `+03:00`, `-0530`, `UTC+3`, `GMT+03:00`, or
/// one of the fixed-offset zone names of [`ZONES`].
pub(crate) fn time_zone(text: &str) -> Result<FixedOffset> {
    let t = text.trim();
    let bad = || {
        Error::new(
            ErrorKind::InvalidValue,
            format!(
                "{t:?} is not a time zone: write UTC, an offset such as +03:00, or a zone such as Europe/Moscow"
            ),
        )
        .with_field("time_zone")
    };
    if let Some(&(_, hours)) = ZONES.iter().find(|(name, _)| name.eq_ignore_ascii_case(t)) {
        return FixedOffset::east_opt(hours * 3600).ok_or_else(bad);
    }
    let upper = t.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    if rest.is_empty() || rest == "Z" {
        return FixedOffset::east_opt(0).ok_or_else(bad);
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return Err(bad()),
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let valid = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !valid(hours) || !valid(minutes) {
        return Err(bad());
    }
    let (h, m): (i32, i32) = (
        hours.parse().map_err(|_| bad())?,
        minutes.parse().map_err(|_| bad())?,
    );
    if h > 14 || m > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Text,
    /// A one-of custom field: text from a list.
    Choice(Vec<String>),
    Int,
    /// Money in minor units of the currency.
    Money(Currency),
    /// A quantity in thousandths.
    Qty,
    Date,
    Bool,
    /// A set of texts (tags; a many-of field with its options).
    Set(Option<Vec<String>>),
    /// An enum, compared by its index.
    Enum(EnumKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnumKind {
    Kind,
    Stage,
    Temperature,
    Status,
}

impl Ty {
    fn describe(&self) -> String {
        match self {
            Ty::Text => "text".into(),
            Ty::Choice(options) => format!("one of {}", options.join(", ")),
            Ty::Int => "an integer".into(),
            Ty::Money(c) => format!("money in {c}"),
            Ty::Qty => "a quantity".into(),
            Ty::Date => "a date".into(),
            Ty::Bool => "a bool".into(),
            Ty::Set(_) => "a set of texts".into(),
            Ty::Enum(EnumKind::Kind) => "person or company".into(),
            Ty::Enum(EnumKind::Stage) => {
                "a lifecycle stage (lead, prospect, customer, loyal, churned)".into()
            }
            Ty::Enum(EnumKind::Temperature) => "a temperature (cold, warm, hot)".into(),
            Ty::Enum(EnumKind::Status) => "a deal status (open, won, lost, duplicate)".into(),
        }
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Get {
    // The client.
    Id,
    Kind,
    Name,
    Surname,
    Given,
    Patronymic,
    LegalName,
    TaxId,
    Birthday,
    City,
    Region,
    Address,
    Postcode,
    Employer,
    Owner,
    ClientSource,
    Behaviour,
    Created,
    Updated,
    Stage,
    Temperature,
    LoyaltyPercent,
    CanRefer,
    Tags,
    Custom(String),
    Age,
    DaysToBirthday,
    Purchases,
    TotalSpent,
    FirstPurchase,
    LastPurchase,
    RfmR,
    RfmF,
    RfmM,
    RfmScore,
    RfmSegment,
    Abc,
    Clv,
    // A deal or a line.
    DealId,
    Title,
    Pipeline,
    DealStage,
    Status,
    Amount,
    DealCreated,
    Closed,
    Date,
    DealOwner,
    DealSource,
    Recurring,
    Product,
    Category,
    Quantity,
    Discounted,
    // An activity (its date is `Date`).
    ActivityId,
    ActivityKind,
    ActivityDirection,
    Manager,
    Outcome,
    ActivityText,
    Due,
    Done,
    ActivityDeal,
}

/// A test of one value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    /// Compare with an integer (integers, money, quantities, enum indexes).
    Int(CmpOp, i64),
    /// Equal (or not) to a text, ignoring case; the text lowercased.
    Text(CmpOp, String),
    Date(CmpOp, NaiveDate),
    Bool(CmpOp, bool),
    IntIn(Vec<i64>),
    TextIn(Vec<String>),
    DateIn(Vec<NaiveDate>),
    BoolIn(Vec<bool>),
    /// A date in the inclusive range.
    Range(Option<NaiveDate>, Option<NaiveDate>),
    /// A set holding the values (any or all).
    SetHas(Vec<String>, Mode),
    /// A text holding the lowercased substrings (any or all).
    Substring(Vec<String>, Mode),
    IsSet,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: NodeKind,
    /// The condition in the text syntax, for explanations.
    pub label: String,
    /// How an explanation shows the value tested.
    pub show: Show,
}

/// How an explanation shows a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Show {
    Plain,
    /// Minor units with this many digits.
    Money(u32),
    /// Thousandths.
    Qty,
    Enum(EnumKind),
}

impl Show {
    fn of(ty: &Ty) -> Show {
        match ty {
            Ty::Money(currency) => Show::Money(currency.minor_digits()),
            Ty::Qty => Show::Qty,
            Ty::Enum(kind) => Show::Enum(*kind),
            _ => Show::Plain,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Test(Get, Test),
    Consent(Channel),
    Contact(ContactKind),
    Related(Option<RelationKind>, Option<usize>),
    Segment(usize),
    Aggregate {
        func: AggFunc,
        of: Source,
        filter: Option<Box<Node>>,
        test: Test,
    },
}

/// What an evaluation computes once for the whole base.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Needs {
    pub rfm: bool,
    pub abc: bool,
    pub clv: bool,
}

/// A rule checked against a base, ready to run over it any number of times.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub(crate) main: Node,
    /// The segments the rule refers to, each after the ones it refers to.
    pub(crate) segments: Vec<(String, Node)>,
    pub(crate) needs: Needs,
    pub(crate) as_of: NaiveDate,
    pub(crate) zone: FixedOffset,
    pub(crate) currency: Currency,
}

impl Compiled {
    /// The names of the segments the rule uses, directly or through others,
    /// each after the ones it uses.
    pub fn segment_names(&self) -> Vec<&str> {
        self.segments.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// Checks `rule` against `base`'s schema and resolves the segments it
/// refers to (by name in `segments`, which may refer to each other; a cycle
/// is an error naming it). Errors: an unknown field is
/// [`ErrorKind::UnknownField`], a value of the wrong type
/// [`ErrorKind::FieldType`], an unknown tag [`ErrorKind::UnknownTag`],
/// anything else [`ErrorKind::InvalidValue`]; each names the field (for a
/// named segment under `segments.<name>`).
pub fn compile(
    base: &ClientBase,
    rule: &Rule,
    options: &Options,
    segments: &BTreeMap<String, Rule>,
) -> Result<Compiled> {
    let zone = time_zone(&options.time_zone)?;
    let currency = options
        .currency
        .or(base.schema().currency())
        .unwrap_or(Currency::RUB);
    if segments.len() > limits::MAX_SEGMENTS {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!("more than {} segments", limits::MAX_SEGMENTS),
        )
        .with_field("segments"));
    }
    let mut compiler = Compiler {
        schema: base.schema(),
        as_of: options.as_of,
        currency,
        segment_index: HashMap::new(),
        needs: Needs::default(),
        nodes: 0,
    };
    let compiled_segments = compiler.segments(&rule.rule, segments)?;
    let main = compiler.expr(&rule.rule, Scope::Client)?;
    Ok(Compiled {
        main,
        segments: compiled_segments,
        needs: compiler.needs,
        as_of: options.as_of,
        zone,
        currency,
    })
}

/// A part of a rule set compiled together ([`compile_parts`]): a condition
/// on the client, or the rows of the client an event rule counts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PartSpec<'a> {
    Condition(&'a Expr),
    Rows(Source, Option<&'a Expr>),
}

/// A compiled [`PartSpec`].
#[derive(Debug, Clone)]
pub(crate) enum Part {
    Condition(Node),
    Rows(Source, Option<Node>),
}

/// Compiles several conditions and row filters against one base at once, so
/// that they share the named segments and the values computed once per
/// evaluation (RFM, ABC, lifetime value). The error of a part is in the
/// field `name(i)` gives.
pub(crate) fn compile_parts(
    base: &ClientBase,
    parts: &[PartSpec<'_>],
    name: impl Fn(usize) -> String,
    options: &Options,
    segments: &BTreeMap<String, Rule>,
) -> Result<(Compiled, Vec<Part>)> {
    // Row filters cannot refer to segments, so the conditions alone say
    // which segments are needed.
    let root = Expr::All(
        parts
            .iter()
            .filter_map(|p| match p {
                PartSpec::Condition(e) => Some((*e).clone()),
                PartSpec::Rows(..) => None,
            })
            .collect(),
    );
    // Checks the options and the number of segments; compiles nothing.
    let mut compiled = compile(base, &Rule::new(Expr::All(Vec::new())), options, segments)?;
    let mut compiler = Compiler {
        schema: base.schema(),
        as_of: options.as_of,
        currency: compiled.currency,
        segment_index: HashMap::new(),
        needs: Needs::default(),
        nodes: 0,
    };
    compiled.segments = compiler.segments(&root, segments)?;
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        // The limit on conditions is per part here, not over the whole set.
        compiler.nodes = 0;
        let compiled_part = match part {
            PartSpec::Condition(expr) => compiler.expr(expr, Scope::Client).map(Part::Condition),
            PartSpec::Rows(of, filter) => match filter {
                Some(f) => compiler
                    .expr(f, Scope::Row(*of))
                    .map(|node| Part::Rows(*of, Some(node)))
                    .map_err(|e| e.in_field("where")),
                None => Ok(Part::Rows(*of, None)),
            },
        };
        out.push(compiled_part.map_err(|e| e.in_field(name(i)))?);
    }
    compiled.needs = compiler.needs;
    Ok((compiled, out))
}

/// The segments referred to by `expr`, without recursion.
fn references(expr: &Expr) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Segment(name) => out.push(name.as_str()),
            Expr::Related(Related {
                segment: Some(name),
                ..
            }) => out.push(name.as_str()),
            _ => {}
        }
        stack.extend(e.children());
    }
    out
}

/// The segments `root` needs, dependencies first; an unknown segment or a
/// cycle is an error.
fn segment_order(root: &Expr, segments: &BTreeMap<String, Rule>) -> Result<Vec<String>> {
    #[derive(PartialEq)]
    enum State {
        Visiting,
        Done,
    }
    let unknown = |name: &str, at: &str| {
        let known: Vec<&str> = segments.keys().map(String::as_str).collect();
        Error::new(
            ErrorKind::InvalidValue,
            format!(
                "segment {name:?} is not defined (the segments given: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        )
        .with_field(at.to_string())
    };
    let mut state: HashMap<&str, State> = HashMap::new();
    let mut order = Vec::new();
    for start in references(root) {
        if state.contains_key(start) {
            continue;
        }
        let rule = segments.get(start).ok_or_else(|| unknown(start, "rule"))?;
        // (name, its references, next reference to visit)
        let mut stack: Vec<(&str, Vec<&str>, usize)> = vec![(start, references(&rule.rule), 0)];
        state.insert(start, State::Visiting);
        while let Some(top) = stack.last_mut() {
            let (name, refs, next) = (top.0, &top.1, top.2);
            if next == refs.len() {
                state.insert(name, State::Done);
                order.push(name.to_string());
                stack.pop();
                continue;
            }
            top.2 += 1;
            let child = refs[next];
            match state.get(child) {
                Some(State::Done) => {}
                Some(State::Visiting) => {
                    let from = stack.iter().position(|s| s.0 == child).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].iter().map(|s| s.0).collect();
                    cycle.push(child);
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "segments refer to each other in a cycle: {}",
                            cycle.join(" -> ")
                        ),
                    )
                    .with_field(format!("segments.{child}")));
                }
                None => {
                    let rule = segments
                        .get(child)
                        .ok_or_else(|| unknown(child, &format!("segments.{name}")))?;
                    state.insert(child, State::Visiting);
                    stack.push((child, references(&rule.rule), 0));
                }
            }
        }
    }
    Ok(order)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Scope {
    Client,
    Row(Source),
}

struct Compiler<'a> {
    schema: &'a Schema,
    as_of: NaiveDate,
    currency: Currency,
    segment_index: HashMap<String, usize>,
    needs: Needs,
    nodes: usize,
}

fn unknown_field(name: &str, scope: Scope) -> Error {
    let known = match scope {
        Scope::Client => "id, kind, name, surname, given, patronymic, legal_name, tax_id, birthday, city, region, address, postcode, employer, owner, source, behaviour, created, updated, stage, temperature, loyalty_percent, can_refer, tags, age, days_to_birthday, purchases, total_spent, first_purchase, last_purchase, rfm.r, rfm.f, rfm.m, rfm.score, rfm.segment, abc, clv, and the schema's custom fields",
        Scope::Row(Source::Lines) => "product, category, quantity, discounted, amount, id, title, pipeline, stage, status, created, closed, date, owner, source, recurring",
        Scope::Row(Source::Activities) => "id, kind, direction, manager, outcome, text, date, due, done, deal",
        Scope::Row(_) => "id, title, pipeline, stage, status, amount, created, closed, date, owner, source, recurring",
    };
    let what = match scope {
        Scope::Client => "a client field".to_string(),
        Scope::Row(source) => format!("a field of {}", source.name()),
    };
    Error::new(
        ErrorKind::UnknownField,
        format!("{name:?} is not {what} (there are {known})"),
    )
    .with_field(name.to_string())
}

fn wrong_type(field: &str, ty: &Ty, what: &str) -> Error {
    Error::new(
        ErrorKind::FieldType,
        format!("`{field}` is {}; {what}", ty.describe()),
    )
    .with_field(field.to_string())
}

fn describe_literal(value: &Literal) -> String {
    let mut out = String::new();
    super::print::literal(&mut out, value);
    match value {
        Literal::Text(_) => format!("the text {out}"),
        Literal::Integer(_) | Literal::Decimal(_) => format!("the number {out}"),
        Literal::Date(_) => format!("the date {out}"),
        Literal::Bool(_) => format!("the bool {out}"),
    }
}

impl Compiler<'_> {
    /// Compiles the named segments `root` needs, each after the ones it
    /// refers to.
    fn segments(
        &mut self,
        root: &Expr,
        segments: &BTreeMap<String, Rule>,
    ) -> Result<Vec<(String, Node)>> {
        let mut compiled = Vec::new();
        for name in segment_order(root, segments)? {
            let node = self
                .expr(&segments[&name].rule, Scope::Client)
                .map_err(|e| e.in_field(format!("segments.{name}")))?;
            self.segment_index.insert(name.clone(), compiled.len());
            compiled.push((name, node));
        }
        Ok(compiled)
    }

    fn field(&mut self, name: &str, scope: Scope) -> Result<(Get, Ty)> {
        let text = |g: Get| Ok((g, Ty::Text));
        if let Scope::Row(Source::Activities) = scope {
            return match name {
                "id" => Ok((Get::ActivityId, Ty::Int)),
                "kind" => Ok((
                    Get::ActivityKind,
                    Ty::Choice(
                        crate::activity::ActivityKind::ALL
                            .iter()
                            .map(|k| k.name().to_string())
                            .collect(),
                    ),
                )),
                "direction" => Ok((
                    Get::ActivityDirection,
                    Ty::Choice(vec!["inbound".into(), "outbound".into()]),
                )),
                "manager" => text(Get::Manager),
                "outcome" => text(Get::Outcome),
                "text" => text(Get::ActivityText),
                "date" | "at" => Ok((Get::Date, Ty::Date)),
                "due" => Ok((Get::Due, Ty::Date)),
                "done" => Ok((Get::Done, Ty::Bool)),
                "deal" => Ok((Get::ActivityDeal, Ty::Int)),
                _ => Err(unknown_field(name, scope)),
            };
        }
        if let Scope::Row(source) = scope {
            return match name {
                "id" => Ok((Get::DealId, Ty::Int)),
                "title" => text(Get::Title),
                "pipeline" => text(Get::Pipeline),
                "stage" => text(Get::DealStage),
                "status" => Ok((Get::Status, Ty::Enum(EnumKind::Status))),
                "amount" => Ok((Get::Amount, Ty::Money(self.currency))),
                "created" => Ok((Get::DealCreated, Ty::Date)),
                "closed" => Ok((Get::Closed, Ty::Date)),
                "date" => Ok((Get::Date, Ty::Date)),
                "owner" => text(Get::DealOwner),
                "source" => text(Get::DealSource),
                "recurring" => Ok((Get::Recurring, Ty::Bool)),
                "product" if source == Source::Lines => text(Get::Product),
                "category" if source == Source::Lines => text(Get::Category),
                "quantity" if source == Source::Lines => Ok((Get::Quantity, Ty::Qty)),
                "discounted" if source == Source::Lines => Ok((Get::Discounted, Ty::Bool)),
                _ => Err(unknown_field(name, scope)),
            };
        }
        let builtin = match name {
            "id" => Some((Get::Id, Ty::Int)),
            "kind" => Some((Get::Kind, Ty::Enum(EnumKind::Kind))),
            "name" => Some((Get::Name, Ty::Text)),
            "surname" => Some((Get::Surname, Ty::Text)),
            "given" => Some((Get::Given, Ty::Text)),
            "patronymic" => Some((Get::Patronymic, Ty::Text)),
            "legal_name" => Some((Get::LegalName, Ty::Text)),
            "tax_id" => Some((Get::TaxId, Ty::Text)),
            "birthday" => Some((Get::Birthday, Ty::Date)),
            "city" => Some((Get::City, Ty::Text)),
            "region" => Some((Get::Region, Ty::Text)),
            "address" => Some((Get::Address, Ty::Text)),
            "postcode" => Some((Get::Postcode, Ty::Text)),
            "employer" => Some((Get::Employer, Ty::Text)),
            "owner" => Some((Get::Owner, Ty::Text)),
            "source" => Some((Get::ClientSource, Ty::Text)),
            "behaviour" => Some((Get::Behaviour, Ty::Text)),
            "created" | "created_at" => Some((Get::Created, Ty::Date)),
            "updated" | "updated_at" => Some((Get::Updated, Ty::Date)),
            "stage" => Some((Get::Stage, Ty::Enum(EnumKind::Stage))),
            "temperature" => Some((Get::Temperature, Ty::Enum(EnumKind::Temperature))),
            "loyalty_percent" => Some((Get::LoyaltyPercent, Ty::Int)),
            "can_refer" => Some((Get::CanRefer, Ty::Bool)),
            "tags" => Some((Get::Tags, Ty::Set(None))),
            "age" => Some((Get::Age, Ty::Int)),
            "days_to_birthday" => Some((Get::DaysToBirthday, Ty::Int)),
            "purchases" => Some((Get::Purchases, Ty::Int)),
            "total_spent" => Some((Get::TotalSpent, Ty::Money(self.currency))),
            "first_purchase" => Some((Get::FirstPurchase, Ty::Date)),
            "last_purchase" => Some((Get::LastPurchase, Ty::Date)),
            "rfm.r" => Some((Get::RfmR, Ty::Int)),
            "rfm.f" => Some((Get::RfmF, Ty::Int)),
            "rfm.m" => Some((Get::RfmM, Ty::Int)),
            "rfm.score" => Some((Get::RfmScore, Ty::Text)),
            "rfm.segment" => Some((Get::RfmSegment, Ty::Text)),
            "abc" => Some((Get::Abc, Ty::Text)),
            "clv" => Some((Get::Clv, Ty::Money(self.currency))),
            _ => None,
        };
        if let Some((get, ty)) = builtin {
            if name.starts_with("rfm.") {
                self.needs.rfm = true;
            }
            if name == "abc" {
                self.needs.abc = true;
            }
            if name == "clv" {
                self.needs.clv = true;
            }
            return Ok((get, ty));
        }
        let custom = name.strip_prefix("custom.").unwrap_or(name);
        let def = self
            .schema
            .field(custom)
            .ok_or_else(|| unknown_field(name, scope))?;
        let ty = match &def.field_type {
            FieldType::Text => Ty::Text,
            FieldType::Integer => Ty::Int,
            FieldType::Money { currency } => Ty::Money(*currency),
            FieldType::Date => Ty::Date,
            FieldType::Bool => Ty::Bool,
            FieldType::OneOf { options } => Ty::Choice(options.clone()),
            FieldType::ManyOf { options } => Ty::Set(Some(options.clone())),
        };
        Ok((Get::Custom(custom.to_string()), ty))
    }

    fn count(&mut self, n: usize) -> Result<()> {
        self.nodes += n;
        if self.nodes > limits::MAX_NODES * 4 {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "the rule and its segments have more than {} conditions",
                    limits::MAX_NODES * 4
                ),
            )
            .with_field("rule"));
        }
        Ok(())
    }

    fn expr(&mut self, expr: &Expr, scope: Scope) -> Result<Node> {
        self.count(1)?;
        let label = super::print::print(expr);
        let mut show = Show::Plain;
        let client_only = |what: &str| -> Result<()> {
            match scope {
                Scope::Client => Ok(()),
                Scope::Row(source) => Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("{what} is about a client, not one of its {}", source.name()),
                )
                .with_field("where")),
            }
        };
        let kind = match expr {
            Expr::All(items) => NodeKind::All(
                items
                    .iter()
                    .map(|e| self.expr(e, scope))
                    .collect::<Result<_>>()?,
            ),
            Expr::Any(items) => NodeKind::Any(
                items
                    .iter()
                    .map(|e| self.expr(e, scope))
                    .collect::<Result<_>>()?,
            ),
            Expr::Not(inner) => NodeKind::Not(Box::new(self.expr(inner, scope)?)),
            Expr::Compare(c) => {
                let (get, ty) = self.field(&c.field, scope)?;
                let test = self.compare(&c.field, &ty, c.op, &c.value)?;
                show = Show::of(&ty);
                NodeKind::Test(get, test)
            }
            Expr::In(list) => {
                self.count(list.values.len())?;
                let (get, ty) = self.field(&list.field, scope)?;
                show = Show::of(&ty);
                NodeKind::Test(get, self.in_list(&list.field, &ty, &list.values)?)
            }
            Expr::Contains(c) => {
                self.count(c.values.len())?;
                let (get, ty) = self.field(&c.field, scope)?;
                let texts = c
                    .values
                    .iter()
                    .map(|v| match v {
                        Literal::Text(t) => Ok(t.clone()),
                        other => Err(wrong_type(
                            &c.field,
                            &ty,
                            &format!("`contains` takes text, not {}", describe_literal(other)),
                        )),
                    })
                    .collect::<Result<Vec<String>>>()?;
                let test = match &ty {
                    Ty::Set(options) => {
                        for t in &texts {
                            match options {
                                Some(options) if !options.contains(t) => {
                                    return Err(wrong_type(
                                        &c.field,
                                        &ty,
                                        &format!("{t:?} is not one of its options"),
                                    ))
                                }
                                None if get == Get::Tags && !self.schema.has_tag(t) => {
                                    return Err(Error::new(
                                        ErrorKind::UnknownTag,
                                        format!("{t:?} is not in the tag vocabulary"),
                                    )
                                    .with_field("tags"))
                                }
                                _ => {}
                            }
                        }
                        Test::SetHas(texts, c.mode)
                    }
                    Ty::Text | Ty::Choice(_) => {
                        Test::Substring(texts.iter().map(|t| folded(t)).collect(), c.mode)
                    }
                    _ => {
                        return Err(wrong_type(
                            &c.field,
                            &ty,
                            "`contains` needs a set or text field",
                        ))
                    }
                };
                NodeKind::Test(get, test)
            }
            Expr::IsSet(field) => {
                let (get, _) = self.field(field, scope)?;
                NodeKind::Test(get, Test::IsSet)
            }
            Expr::Relative(r) => {
                let (get, ty) = self.field(&r.field, scope)?;
                if ty != Ty::Date {
                    return Err(wrong_type(
                        &r.field,
                        &ty,
                        "`within` and `more than ... ago` need a date field",
                    ));
                }
                let shifted = |back: bool| -> Result<NaiveDate> {
                    shift(self.as_of, r.amount, r.unit, back).ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidValue,
                            format!(
                                "{} {} from {} is outside the calendar",
                                r.amount,
                                r.unit.name(),
                                self.as_of
                            ),
                        )
                        .with_field(r.field.clone())
                    })
                };
                let test = match r.when {
                    When::WithinLast => Test::Range(Some(shifted(true)?), Some(self.as_of)),
                    When::WithinNext => Test::Range(Some(self.as_of), Some(shifted(false)?)),
                    When::MoreThanAgo => Test::Range(None, shifted(true)?.pred_opt()),
                };
                NodeKind::Test(get, test)
            }
            Expr::Calendar(c) => {
                let (get, ty) = self.field(&c.field, scope)?;
                if ty != Ty::Date {
                    return Err(wrong_type(&c.field, &ty, "a period needs a date field"));
                }
                let (start, end) = period(self.as_of, c.unit, c.offset).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "the period {} from {} is outside the calendar",
                            c.offset, self.as_of
                        ),
                    )
                    .with_field(c.field.clone())
                })?;
                NodeKind::Test(get, Test::Range(Some(start), Some(end)))
            }
            Expr::Consent(channel) => {
                client_only("`consent`")?;
                NodeKind::Consent(*channel)
            }
            Expr::HasContact(kind) => {
                client_only("`has`")?;
                NodeKind::Contact(*kind)
            }
            Expr::Related(r) => {
                client_only("`related`")?;
                let segment = match &r.segment {
                    Some(name) => Some(self.segment(name)?),
                    None => None,
                };
                NodeKind::Related(r.kind, segment)
            }
            Expr::Segment(name) => {
                client_only("`in segment`")?;
                NodeKind::Segment(self.segment(name)?)
            }
            Expr::Aggregate(a) => {
                client_only("an aggregate")?;
                let filter = match &a.filter {
                    Some(f) => Some(Box::new(
                        self.expr(f, Scope::Row(a.of))
                            .map_err(|e| e.in_field("where"))?,
                    )),
                    None => None,
                };
                if a.of == Source::Activities
                    && matches!(a.func, AggFunc::Sum | AggFunc::Min | AggFunc::Max)
                {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!(
                            "`{}` needs an amount and activities have none (use count, months, days, first or last)",
                            a.func.name()
                        ),
                    )
                    .with_field(a.func.name()));
                }
                let ty = match a.func {
                    AggFunc::Count | AggFunc::Months | AggFunc::Days => Ty::Int,
                    AggFunc::Sum | AggFunc::Min | AggFunc::Max => Ty::Money(self.currency),
                    AggFunc::First | AggFunc::Last => Ty::Date,
                };
                let name = a.func.name();
                show = Show::of(&ty);
                let test = self.compare(name, &ty, a.op, &a.value)?;
                NodeKind::Aggregate {
                    func: a.func,
                    of: a.of,
                    filter,
                    test,
                }
            }
        };
        Ok(Node { kind, label, show })
    }

    fn segment(&self, name: &str) -> Result<usize> {
        self.segment_index.get(name).copied().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("segment {name:?} is not defined"),
            )
            .with_field("segments")
        })
    }

    /// The value as the field's type: an integer key (integers, money in
    /// minor units, quantities, enum indexes), a text, a date or a bool.
    fn key(&self, field: &str, ty: &Ty, value: &Literal) -> Result<Key> {
        let mismatch = || wrong_type(field, ty, &format!("{} is not", describe_literal(value)));
        match (ty, value) {
            (Ty::Text, Literal::Text(t)) => Ok(Key::Text(folded(t))),
            (Ty::Choice(options), Literal::Text(t)) => {
                if options.iter().any(|o| folded(o) == folded(t)) {
                    Ok(Key::Text(folded(t)))
                } else {
                    Err(wrong_type(field, ty, &format!("{t:?} is not one of them")))
                }
            }
            (Ty::Int, Literal::Integer(n)) => Ok(Key::Int(*n)),
            (Ty::Money(currency), Literal::Integer(_) | Literal::Decimal(_)) => {
                let text = match value {
                    Literal::Integer(n) => n.to_string(),
                    Literal::Decimal(d) => d.clone(),
                    _ => unreachable!("matched above"),
                };
                parse_fixed(&text, currency.minor_digits())
                    .map(Key::Int)
                    .map_err(|reason| wrong_type(field, ty, &format!("{text}: {reason}")))
            }
            (Ty::Qty, Literal::Integer(_) | Literal::Decimal(_)) => {
                let text = match value {
                    Literal::Integer(n) => n.to_string(),
                    Literal::Decimal(d) => d.clone(),
                    _ => unreachable!("matched above"),
                };
                parse_fixed(&text, 3)
                    .map(Key::Int)
                    .map_err(|reason| wrong_type(field, ty, &format!("{text}: {reason}")))
            }
            (Ty::Date, Literal::Date(d)) => Ok(Key::Date(*d)),
            (Ty::Bool, Literal::Bool(b)) => Ok(Key::Bool(*b)),
            (Ty::Enum(kind), Literal::Text(t)) => {
                let index = enum_index(*kind, t)
                    .ok_or_else(|| wrong_type(field, ty, &format!("{t:?} is not one")))?;
                Ok(Key::Int(index))
            }
            _ => Err(mismatch()),
        }
    }

    fn compare(&self, field: &str, ty: &Ty, op: CmpOp, value: &Literal) -> Result<Test> {
        let ordered = matches!(
            ty,
            Ty::Int | Ty::Money(_) | Ty::Qty | Ty::Date | Ty::Enum(EnumKind::Temperature)
        );
        if op.is_ordering() && !ordered {
            return Err(wrong_type(
                field,
                ty,
                &format!(
                    "`{}` needs a number, money, a date or a temperature",
                    op.symbol()
                ),
            ));
        }
        if let Ty::Set(_) = ty {
            return Err(wrong_type(field, ty, "compare a set with `contains`"));
        }
        Ok(match self.key(field, ty, value)? {
            Key::Int(n) => Test::Int(op, n),
            Key::Text(t) => Test::Text(op, t),
            Key::Date(d) => Test::Date(op, d),
            Key::Bool(b) => Test::Bool(op, b),
        })
    }

    fn in_list(&self, field: &str, ty: &Ty, values: &[Literal]) -> Result<Test> {
        if let Ty::Set(_) = ty {
            return Err(wrong_type(field, ty, "test a set with `contains any`"));
        }
        let keys = values
            .iter()
            .map(|v| self.key(field, ty, v))
            .collect::<Result<Vec<Key>>>()?;
        Ok(match ty {
            Ty::Text | Ty::Choice(_) => Test::TextIn(
                keys.into_iter()
                    .filter_map(|k| match k {
                        Key::Text(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Date => Test::DateIn(
                keys.into_iter()
                    .filter_map(|k| match k {
                        Key::Date(d) => Some(d),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Bool => Test::BoolIn(
                keys.into_iter()
                    .filter_map(|k| match k {
                        Key::Bool(b) => Some(b),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => Test::IntIn(
                keys.into_iter()
                    .filter_map(|k| match k {
                        Key::Int(n) => Some(n),
                        _ => None,
                    })
                    .collect(),
            ),
        })
    }
}

enum Key {
    Int(i64),
    Text(String),
    Date(NaiveDate),
    Bool(bool),
}

/// Characters as text comparisons see them: lowercase, `ё` as `е`.
pub(crate) fn fold(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase().map(|c| if c == 'ё' { 'е' } else { c })
}

/// `text` as text comparisons see it.
pub(crate) fn folded(text: &str) -> String {
    text.chars().flat_map(fold).collect()
}

/// The index an enum value is compared by: its position in the enum's order.
pub(crate) fn enum_index(kind: EnumKind, text: &str) -> Option<i64> {
    match kind {
        EnumKind::Kind => text.parse::<PartyKind>().ok().map(|k| match k {
            PartyKind::Person => 0,
            PartyKind::Company => 1,
        }),
        EnumKind::Stage => text
            .parse::<LifecycleStage>()
            .ok()
            .and_then(|s| LifecycleStage::ALL.iter().position(|x| *x == s))
            .map(|i| i as i64),
        EnumKind::Temperature => text
            .parse::<Temperature>()
            .ok()
            .and_then(|t| Temperature::ALL.iter().position(|x| *x == t))
            .map(|i| i as i64),
        EnumKind::Status => {
            let word = crate::words::keyword(text);
            if matches!(
                word.as_str(),
                "duplicate" | "duplicateof" | "дубликат" | "дубль"
            ) {
                return Some(3);
            }
            text.parse::<DealStatus>().ok().map(status_index)
        }
    }
}

pub(crate) fn status_index(status: DealStatus) -> i64 {
    match status {
        DealStatus::Open => 0,
        DealStatus::Won => 1,
        DealStatus::Lost => 2,
        DealStatus::DuplicateOf(_) => 3,
    }
}

/// `date` moved `amount` units back (or forward), calendar-correct.
pub(crate) fn shift(date: NaiveDate, amount: u32, unit: Unit, back: bool) -> Option<NaiveDate> {
    let months = |n: u32| {
        if back {
            date.checked_sub_months(Months::new(n))
        } else {
            date.checked_add_months(Months::new(n))
        }
    };
    let days = |n: u64| {
        if back {
            date.checked_sub_days(Days::new(n))
        } else {
            date.checked_add_days(Days::new(n))
        }
    };
    match unit {
        Unit::Days => days(u64::from(amount)),
        Unit::Weeks => days(u64::from(amount) * 7),
        Unit::Months => months(amount),
        Unit::Years => months(amount.checked_mul(12)?),
    }
}

/// The first and last day of the month or year `offset` periods from the
/// one holding `as_of`.
pub(crate) fn period(
    as_of: NaiveDate,
    unit: Period,
    offset: i32,
) -> Option<(NaiveDate, NaiveDate)> {
    match unit {
        Period::Year => {
            let year = as_of.year().checked_add(offset)?;
            Some((
                NaiveDate::from_ymd_opt(year, 1, 1)?,
                NaiveDate::from_ymd_opt(year, 12, 31)?,
            ))
        }
        Period::Month => {
            let index =
                i64::from(as_of.year()) * 12 + i64::from(as_of.month0()) + i64::from(offset);
            let year = i32::try_from(index.div_euclid(12)).ok()?;
            let month = index.rem_euclid(12) as u32 + 1;
            let start = NaiveDate::from_ymd_opt(year, month, 1)?;
            let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
            Some((start, end))
        }
    }
}
