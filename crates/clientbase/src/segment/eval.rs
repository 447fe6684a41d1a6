//! Running a compiled rule over a base, and explaining it for one client.

use super::ast::{AggFunc, CmpOp, ContactKind, Mode, Source};
use super::compile::{status_index, Compiled, EnumKind, Get, Node, NodeKind, Show, Test};
use crate::activity::{Activity, Direction};
use crate::base::ClientBase;
use crate::capability::Rows;
use crate::client::{Client, LifecycleStage, Party, PhoneKind, Temperature};
use crate::deal::{Deal, DealStatus, Discount, ProductLine};
use crate::error::Result;
use crate::ids::ClientId;
use crate::money::Currency;
use crate::table::Value as Cell;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap};

/// A value read from a client, a deal or a line.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val<'a> {
    Missing,
    Text(Cow<'a, str>),
    /// Integers, money in minor units, quantities, enum indexes.
    Int(i64),
    Date(NaiveDate),
    Bool(bool),
    Set(&'a BTreeSet<String>),
}

impl Val<'_> {
    fn show(&self, show: Show) -> Option<String> {
        match self {
            Val::Missing => None,
            Val::Text(t) => Some(t.to_string()),
            Val::Int(n) => Some(match show {
                Show::Plain => n.to_string(),
                Show::Money(digits) => crate::table::format_decimal(i128::from(*n), digits as i8),
                Show::Qty => crate::table::format_decimal(i128::from(*n), 3),
                Show::Enum(kind) => enum_name(kind, *n).to_string(),
            }),
            Val::Date(d) => Some(d.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Set(s) => Some(s.iter().cloned().collect::<Vec<_>>().join(", ")),
        }
    }
}

fn enum_name(kind: EnumKind, index: i64) -> &'static str {
    let i = usize::try_from(index).unwrap_or(usize::MAX);
    let name = match kind {
        EnumKind::Kind => ["person", "company"].get(i).copied(),
        EnumKind::Stage => LifecycleStage::ALL.get(i).map(|s| s.name()),
        EnumKind::Temperature => Temperature::ALL.get(i).map(|t| t.name()),
        EnumKind::Status => ["open", "won", "lost", "duplicate"].get(i).copied(),
    };
    name.unwrap_or("?")
}

/// RFM scores and ABC class of one client, computed once per evaluation.
#[derive(Debug, Clone, Default)]
struct Value {
    r: Option<i64>,
    f: Option<i64>,
    m: Option<i64>,
    score: Option<String>,
    segment: Option<String>,
    abc: Option<String>,
    /// Lifetime value in minor units.
    clv: Option<i64>,
}

/// What one evaluation computes once for the whole base.
pub(super) struct Shared<'a> {
    base: &'a ClientBase,
    compiled: &'a Compiled,
    ids: Vec<ClientId>,
    values: HashMap<u64, Value>,
    /// For each segment, whether each client (by position) is in it.
    pub(super) members: Vec<Vec<bool>>,
}

fn text_of(cell: Cell<'_>) -> Option<String> {
    match cell {
        Cell::Text(t) => Some(t.to_string()),
        _ => None,
    }
}

fn int_of(cell: Cell<'_>) -> Option<i64> {
    match cell {
        Cell::Int64(n) => Some(n),
        Cell::UInt64(n) => i64::try_from(n).ok(),
        _ => None,
    }
}

impl<'a> Shared<'a> {
    pub(super) fn new(
        base: &'a ClientBase,
        compiled: &'a Compiled,
        ids: Option<Vec<ClientId>>,
    ) -> Result<Shared<'a>> {
        let mut values: HashMap<u64, Value> = HashMap::new();
        let source = crate::value::OrderSource {
            currency: compiled.currency,
            ..Default::default()
        };
        // With no purchase up to the analysis date every computed value is
        // missing; the calculations would refuse the empty history.
        let bought = base.deals().any(|d| {
            d.status == crate::deal::DealStatus::Won
                && d.recurrence.is_none()
                && d.amount.currency() == compiled.currency
                && d.closed_at
                    .is_some_and(|at| at.date_naive() <= compiled.as_of)
        });
        if compiled.needs.rfm && bought {
            let params = crate::value::RfmParams {
                orders: source.clone(),
                as_of: Some(compiled.as_of),
                ..Default::default()
            };
            let table = crate::value::rfm(Rows::Base(base), &params)?;
            let column = |name: &str| table.column(name);
            if let (Some(client), Some(r), Some(f), Some(m), Some(score), Some(segment)) = (
                column("client"),
                column("r"),
                column("f"),
                column("m"),
                column("rfm"),
                column("segment"),
            ) {
                for i in 0..table.rows() {
                    if let Cell::UInt64(id) = client.value(i) {
                        let v = values.entry(id).or_default();
                        v.r = int_of(r.value(i));
                        v.f = int_of(f.value(i));
                        v.m = int_of(m.value(i));
                        v.score = text_of(score.value(i));
                        v.segment = text_of(segment.value(i));
                    }
                }
            }
        }
        if compiled.needs.abc && bought {
            let params = crate::value::AbcParams {
                orders: crate::value::OrderSource {
                    to: Some(compiled.as_of),
                    ..source.clone()
                },
                ..Default::default()
            };
            let table = crate::value::abc(Rows::Base(base), &params)?;
            if let (Some(client), Some(class)) = (table.column("client"), table.column("class")) {
                for i in 0..table.rows() {
                    if let Cell::UInt64(id) = client.value(i) {
                        values.entry(id).or_default().abc = text_of(class.value(i));
                    }
                }
            }
        }
        if compiled.needs.clv && bought {
            let params = crate::value::ClvParams {
                orders: source,
                as_of: Some(compiled.as_of),
                ..Default::default()
            };
            let named = |e: crate::Error| {
                if e.field().is_none() {
                    e.with_field("clv")
                } else {
                    e
                }
            };
            let table = crate::value::clv(Rows::Base(base), &params).map_err(named)?;
            if let (Some(client), Some(clv)) = (table.column("client"), table.column("clv")) {
                let digits = i32::try_from(compiled.currency.minor_digits()).unwrap_or(2);
                for i in 0..table.rows() {
                    if let (Cell::UInt64(id), Cell::Decimal { value, scale }) =
                        (client.value(i), clv.value(i))
                    {
                        let shift = digits - i32::from(scale);
                        let minor = if shift >= 0 {
                            value.checked_mul(10i128.pow(shift.unsigned_abs()))
                        } else {
                            Some(value / 10i128.pow(shift.unsigned_abs()))
                        };
                        values.entry(id).or_default().clv =
                            minor.and_then(|m| i64::try_from(m).ok());
                    }
                }
            }
        }
        Ok(Shared {
            base,
            compiled,
            ids: ids.unwrap_or_else(|| base.clients().map(|c| c.id).collect()),
            values,
            members: Vec::new(),
        })
    }

    pub(super) fn ctx(&self, client: &'a Client) -> Ctx<'_> {
        Ctx {
            shared: self,
            client,
            deals: OnceCell::new(),
            activities: OnceCell::new(),
        }
    }
}

/// `each(i)` for `i` in `0..n`, on all cores with the `parallel` feature, in `i` order.
pub(super) fn map_indices<T: Send>(n: usize, each: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().with_min_len(256).map(each).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..n).map(each).collect()
    }
}

impl Compiled {
    /// The ids of the clients who meet the rule, ascending, by the record
    /// interpreter: each client's records followed one by one. The reference
    /// the columnar [`Compiled::evaluate`] is tested against; same result.
    pub fn evaluate_records(&self, base: &ClientBase) -> Result<Vec<ClientId>> {
        let shared = self.prepare(base)?;
        let clients: Vec<&Client> = base.clients().collect();
        let hits = map_indices(clients.len(), |i| {
            shared.ctx(clients[i]).holds(&self.main, None)
        });
        Ok(clients
            .iter()
            .zip(hits)
            .filter(|(_, hit)| *hit)
            .map(|(c, _)| c.id)
            .collect())
    }

    fn prepare<'a>(&'a self, base: &'a ClientBase) -> Result<Shared<'a>> {
        let mut shared = Shared::new(base, self, None)?;
        let clients: Vec<&Client> = base.clients().collect();
        for (_, node) in &self.segments {
            let members = map_indices(clients.len(), |i| shared.ctx(clients[i]).holds(node, None));
            shared.members.push(members);
        }
        Ok(shared)
    }

    /// For one client: whether it meets the rule and, condition by
    /// condition, which held and which did not, with the client's values.
    /// An unknown client is an [`ErrorKind::UnknownId`](crate::ErrorKind::UnknownId) error.
    pub fn explain(&self, base: &ClientBase, client: ClientId) -> Result<Explanation> {
        let record = base.client(client).map_err(|e| e.with_field("client"))?;
        let shared = self.prepare(base)?;
        let step = shared.ctx(record).explain(&self.main);
        Ok(Explanation {
            client,
            matched: step.held,
            rule: step,
        })
    }
}

/// One row an event rule counts: its date and, for deals and lines, its
/// amount in minor units of the evaluation's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowFacts {
    pub date: Option<NaiveDate>,
    pub amount: Option<i64>,
}

/// Evaluates compiled parts ([`super::compile::compile_parts`]) for one client.
pub(crate) struct PartView<'a> {
    pub(super) ctx: Ctx<'a>,
}

impl PartView<'_> {
    /// Whether a compiled condition holds for the client.
    pub(crate) fn holds(&self, node: &Node) -> bool {
        self.ctx.holds(node, None)
    }

    /// A compiled condition explained for the client.
    pub(crate) fn explain(&self, node: &Node) -> Step {
        self.ctx.explain(node)
    }

    /// Each row of `of` that passes `filter`, with its amount when `amounts`.
    pub(crate) fn each_row(
        &self,
        of: Source,
        filter: Option<&Node>,
        amounts: bool,
        mut each: impl FnMut(RowFacts),
    ) {
        self.ctx.rows(of, |row| {
            if filter.is_some_and(|f| !self.ctx.holds(f, Some(row))) {
                return;
            }
            let date = match self.ctx.row_value(&Get::Date, row) {
                Val::Date(d) => Some(d),
                _ => None,
            };
            let amount = match row {
                Row::Deal { .. } if amounts => match self.ctx.row_value(&Get::Amount, row) {
                    Val::Int(n) => Some(n),
                    _ => None,
                },
                _ => None,
            };
            each(RowFacts { date, amount });
        });
    }
}

impl Compiled {
    /// `each` for every client of the base (on all cores with the
    /// `parallel` feature), in id order, after the values computed once per
    /// evaluation.
    pub(crate) fn map_clients<T: Send>(
        &self,
        base: &ClientBase,
        each: impl Fn(&Client, &PartView<'_>) -> T + Sync + Send,
    ) -> Result<Vec<T>> {
        let shared = self.prepare(base)?;
        let clients: Vec<&Client> = base.clients().collect();
        Ok(map_indices(clients.len(), |i| {
            let view = PartView {
                ctx: shared.ctx(clients[i]),
            };
            each(clients[i], &view)
        }))
    }

    /// `each` for one client; an unknown client is an
    /// [`ErrorKind::UnknownId`](crate::ErrorKind::UnknownId) error.
    pub(crate) fn with_client<T>(
        &self,
        base: &ClientBase,
        client: ClientId,
        each: impl FnOnce(&Client, &PartView<'_>) -> T,
    ) -> Result<T> {
        let record = base.client(client).map_err(|e| e.with_field("client"))?;
        let shared = self.prepare(base)?;
        let view = PartView {
            ctx: shared.ctx(record),
        };
        Ok(each(record, &view))
    }
}

/// Why a client is in a segment or not: [`Compiled::explain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The client.
    pub client: ClientId,
    /// Whether the client meets the rule.
    pub matched: bool,
    /// The rule, condition by condition.
    pub rule: Step,
}

/// One condition of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The condition in the text syntax.
    pub condition: String,
    /// Whether it held for the client.
    pub held: bool,
    /// The client's value the condition tested (a field's value, an
    /// aggregate's result); none when missing or not a single value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The sub-conditions (of `and`, `or`, `not`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

/// A row of an aggregate: a deal, one line of a won deal (`line` is `None`
/// for a won deal without lines, which is one line of its amount), or an
/// activity.
#[derive(Clone, Copy)]
pub(super) enum Row<'a> {
    Deal {
        deal: &'a Deal,
        line: Option<&'a ProductLine>,
        is_line: bool,
    },
    Activity(&'a Activity),
}

pub(super) struct Ctx<'a> {
    shared: &'a Shared<'a>,
    client: &'a Client,
    /// The client's deals and activities, looked up in the base once per
    /// client however many conditions run over them.
    deals: OnceCell<Vec<&'a Deal>>,
    activities: OnceCell<Vec<&'a Activity>>,
}

fn local_date(at: Option<DateTime<Utc>>, zone: FixedOffset) -> Option<NaiveDate> {
    at.map(|t| t.with_timezone(&zone).date_naive())
}

/// The anniversary of `date` in `year`; 29 February falls on 28 February
/// in other years.
fn anniversary(date: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), date.day() - 1))
}

fn opt_text<T: AsRef<str>>(text: &Option<T>) -> Val<'_> {
    match text.as_ref().map(|t| t.as_ref().trim()) {
        Some(t) if !t.is_empty() => Val::Text(Cow::Borrowed(t)),
        _ => Val::Missing,
    }
}

fn opt_date(date: Option<NaiveDate>) -> Val<'static> {
    date.map_or(Val::Missing, Val::Date)
}

fn opt_int(n: Option<i64>) -> Val<'static> {
    n.map_or(Val::Missing, Val::Int)
}

/// Equal ignoring case and `ё`/`е`, `lower` already [`folded`](super::compile::folded).
fn text_eq(value: &str, lower: &str) -> bool {
    value
        .chars()
        .flat_map(super::compile::fold)
        .eq(lower.chars())
}

impl<'a> Ctx<'a> {
    fn zone(&self) -> FixedOffset {
        self.shared.compiled.zone
    }

    fn deals(&self) -> &[&'a Deal] {
        self.deals
            .get_or_init(|| self.shared.base.deals_of(self.client.id).collect())
    }

    fn activities(&self) -> &[&'a Activity] {
        self.activities
            .get_or_init(|| self.shared.base.activities_of(self.client.id).collect())
    }

    fn purchases(&self) -> impl Iterator<Item = &'a Deal> + '_ {
        self.deals()
            .iter()
            .copied()
            .filter(|d| d.status == DealStatus::Won)
    }

    fn currency(&self) -> Currency {
        self.shared.compiled.currency
    }

    fn value(&self) -> Option<&Value> {
        self.shared.values.get(&self.client.id.get())
    }

    fn get(&self, get: &Get, row: Option<Row<'a>>) -> Val<'a> {
        let c = self.client;
        let person = c.person_name();
        let zone = self.zone();
        let as_of = self.shared.compiled.as_of;
        match get {
            Get::Id => Val::Int(i64::try_from(c.id.get()).unwrap_or(i64::MAX)),
            Get::Kind => Val::Int(i64::from(c.is_company())),
            Get::Name => Val::Text(Cow::Owned(c.display_name())),
            Get::Surname => opt_text(&person.surname),
            Get::Given => opt_text(&person.given),
            Get::Patronymic => opt_text(&person.patronymic),
            Get::LegalName => match &c.party {
                Party::Company(company) => Val::Text(Cow::Borrowed(&company.legal_name)),
                Party::Person(_) => Val::Missing,
            },
            Get::TaxId => match &c.party {
                Party::Company(company) => opt_text(&company.tax_id),
                Party::Person(_) => Val::Missing,
            },
            Get::Birthday => opt_date(c.birthday),
            Get::City => opt_text(&c.city),
            Get::Region => opt_text(&c.region),
            Get::Address => opt_text(&c.address),
            Get::Postcode => opt_text(&c.postcode),
            Get::Employer => opt_text(&c.employer),
            Get::Owner => opt_text(&c.owner),
            Get::ClientSource => opt_text(&c.source),
            Get::Behaviour => opt_text(&c.behaviour),
            Get::Created => opt_date(local_date(c.created_at, zone)),
            Get::Updated => opt_date(local_date(c.updated_at, zone)),
            Get::Stage => Val::Int(
                LifecycleStage::ALL
                    .iter()
                    .position(|s| *s == c.stage)
                    .unwrap_or(0) as i64,
            ),
            Get::Temperature => opt_int(
                c.temperature
                    .and_then(|t| Temperature::ALL.iter().position(|x| *x == t))
                    .map(|i| i as i64),
            ),
            Get::LoyaltyPercent => opt_int(c.loyalty_percent.map(i64::from)),
            Get::CanRefer => Val::Bool(c.can_refer),
            Get::Tags => Val::Set(&c.tags),
            Get::Custom(name) => match c.custom.get(name) {
                None => Val::Missing,
                Some(value) => {
                    use crate::schema::FieldValue as F;
                    match value {
                        F::Text(t) | F::OneOf(t) if t.trim().is_empty() => Val::Missing,
                        F::Text(t) | F::OneOf(t) => Val::Text(Cow::Borrowed(t)),
                        F::Integer(n) => Val::Int(*n),
                        F::Money(m) => Val::Int(m.minor()),
                        F::Date(d) => Val::Date(*d),
                        F::Bool(b) => Val::Bool(*b),
                        F::ManyOf(set) => Val::Set(set),
                    }
                }
            },
            Get::Age => opt_int(c.birthday.and_then(|b| {
                let this_year = anniversary(b, as_of.year())?;
                let age = as_of.year() - b.year() - i32::from(as_of < this_year);
                (age >= 0).then_some(i64::from(age))
            })),
            Get::DaysToBirthday => opt_int(c.birthday.and_then(|b| {
                let mut next = anniversary(b, as_of.year())?;
                if next < as_of {
                    next = anniversary(b, as_of.year() + 1)?;
                }
                Some((next - as_of).num_days())
            })),
            Get::Purchases => Val::Int(self.purchases().count() as i64),
            Get::TotalSpent => Val::Int(
                self.purchases()
                    .filter(|d| d.amount.currency() == self.currency())
                    .fold(0i64, |sum, d| sum.saturating_add(d.amount.minor())),
            ),
            Get::FirstPurchase => opt_date(
                self.purchases()
                    .filter_map(|d| local_date(d.closed_at, zone))
                    .min(),
            ),
            Get::LastPurchase => opt_date(
                self.purchases()
                    .filter_map(|d| local_date(d.closed_at, zone))
                    .max(),
            ),
            Get::RfmR => opt_int(self.value().and_then(|v| v.r)),
            Get::RfmF => opt_int(self.value().and_then(|v| v.f)),
            Get::RfmM => opt_int(self.value().and_then(|v| v.m)),
            Get::RfmScore => self
                .value()
                .and_then(|v| v.score.clone())
                .map_or(Val::Missing, |s| Val::Text(Cow::Owned(s))),
            Get::RfmSegment => self
                .value()
                .and_then(|v| v.segment.clone())
                .map_or(Val::Missing, |s| Val::Text(Cow::Owned(s))),
            Get::Abc => self
                .value()
                .and_then(|v| v.abc.clone())
                .map_or(Val::Missing, |s| Val::Text(Cow::Owned(s))),
            Get::Clv => opt_int(self.value().and_then(|v| v.clv)),
            row_field => match row {
                Some(row) => self.row_value(row_field, row),
                None => Val::Missing,
            },
        }
    }

    fn row_value(&self, get: &Get, row: Row<'a>) -> Val<'a> {
        let (deal, line, is_line) = match row {
            Row::Deal {
                deal,
                line,
                is_line,
            } => (deal, line, is_line),
            Row::Activity(activity) => return self.activity_value(get, activity),
        };
        let zone = self.zone();
        match get {
            Get::DealId => Val::Int(i64::try_from(deal.id.get()).unwrap_or(i64::MAX)),
            Get::Title => opt_text(&deal.title),
            Get::Pipeline => Val::Text(Cow::Borrowed(&deal.pipeline)),
            Get::DealStage => Val::Text(Cow::Borrowed(&deal.stage)),
            Get::Status => Val::Int(status_index(deal.status)),
            Get::Amount => {
                let amount = match (is_line, line) {
                    (true, Some(line)) => match line.total() {
                        Ok(total) => total,
                        Err(_) => return Val::Missing,
                    },
                    _ => deal.amount,
                };
                if amount.currency() == self.currency() {
                    Val::Int(amount.minor())
                } else {
                    Val::Missing
                }
            }
            Get::DealCreated => opt_date(local_date(deal.created_at, zone)),
            Get::Closed => opt_date(local_date(deal.closed_at, zone)),
            Get::Date => opt_date(local_date(deal.closed_at.or(deal.created_at), zone)),
            Get::DealOwner => opt_text(&deal.owner),
            Get::DealSource => opt_text(&deal.source),
            Get::Recurring => Val::Bool(deal.recurrence.is_some()),
            Get::Product => match line {
                Some(line) => Val::Text(Cow::Borrowed(&line.product)),
                None => Val::Missing,
            },
            Get::Category => match line {
                Some(line) => opt_text(&line.category),
                None => Val::Missing,
            },
            Get::Quantity => match line {
                Some(line) => Val::Int(line.quantity.milli()),
                None => Val::Int(1000),
            },
            Get::Discounted => {
                Val::Bool(line.is_some_and(|l| !matches!(l.discount, Discount::None)))
            }
            _ => Val::Missing,
        }
    }

    fn activity_value(&self, get: &Get, activity: &'a Activity) -> Val<'a> {
        match get {
            Get::ActivityId => Val::Int(i64::try_from(activity.id.get()).unwrap_or(i64::MAX)),
            Get::ActivityKind => Val::Text(Cow::Borrowed(activity.kind.name())),
            Get::ActivityDirection => match activity.direction {
                Some(Direction::Inbound) => Val::Text(Cow::Borrowed("inbound")),
                Some(Direction::Outbound) => Val::Text(Cow::Borrowed("outbound")),
                None => Val::Missing,
            },
            Get::Manager => opt_text(&activity.manager),
            Get::Outcome => opt_text(&activity.outcome),
            Get::ActivityText => opt_text(&activity.text),
            Get::Date => opt_date(local_date(Some(activity.at), self.zone())),
            Get::Due => opt_date(local_date(activity.due, self.zone())),
            Get::Done => Val::Bool(activity.done),
            Get::ActivityDeal => opt_int(
                activity
                    .deal
                    .map(|d| i64::try_from(d.get()).unwrap_or(i64::MAX)),
            ),
            _ => Val::Missing,
        }
    }

    fn rows(&self, of: Source, mut each: impl FnMut(Row<'a>)) {
        if of == Source::Activities {
            for &activity in self.activities() {
                each(Row::Activity(activity));
            }
            return;
        }
        for &deal in self.deals() {
            match of {
                Source::Deals => each(Row::Deal {
                    deal,
                    line: None,
                    is_line: false,
                }),
                Source::Purchases if deal.status == DealStatus::Won => each(Row::Deal {
                    deal,
                    line: None,
                    is_line: false,
                }),
                Source::Lines if deal.status == DealStatus::Won => {
                    if deal.lines.is_empty() {
                        each(Row::Deal {
                            deal,
                            line: None,
                            is_line: true,
                        });
                    }
                    for line in &deal.lines {
                        each(Row::Deal {
                            deal,
                            line: Some(line),
                            is_line: true,
                        });
                    }
                }
                _ => {}
            }
        }
    }

    fn aggregate(&self, func: AggFunc, of: Source, filter: Option<&Node>) -> Val<'a> {
        let mut count = 0i64;
        let mut sum = 0i64;
        let mut min: Option<i64> = None;
        let mut max: Option<i64> = None;
        let mut dates: Vec<NaiveDate> = Vec::new();
        self.rows(of, |row| {
            if let Some(filter) = filter {
                if !self.holds(filter, Some(row)) {
                    return;
                }
            }
            count += 1;
            match func {
                AggFunc::Sum | AggFunc::Min | AggFunc::Max => {
                    if let Val::Int(amount) = self.row_value(&Get::Amount, row) {
                        sum = sum.saturating_add(amount);
                        min = Some(min.map_or(amount, |m| m.min(amount)));
                        max = Some(max.map_or(amount, |m| m.max(amount)));
                    }
                }
                AggFunc::Months | AggFunc::Days | AggFunc::First | AggFunc::Last => {
                    if let Val::Date(d) = self.row_value(&Get::Date, row) {
                        dates.push(d);
                    }
                }
                AggFunc::Count => {}
            }
        });
        match func {
            AggFunc::Count => Val::Int(count),
            AggFunc::Sum => Val::Int(sum),
            AggFunc::Min => opt_int(min),
            AggFunc::Max => opt_int(max),
            AggFunc::Months => {
                let mut months: Vec<(i32, u32)> =
                    dates.iter().map(|d| (d.year(), d.month())).collect();
                months.sort_unstable();
                months.dedup();
                Val::Int(months.len() as i64)
            }
            AggFunc::Days => {
                dates.sort_unstable();
                dates.dedup();
                Val::Int(dates.len() as i64)
            }
            AggFunc::First => opt_date(dates.iter().min().copied()),
            AggFunc::Last => opt_date(dates.iter().max().copied()),
        }
    }

    fn consent(&self, channel: crate::client::Channel) -> bool {
        self.client.consents.allows(channel)
    }

    fn contact(&self, kind: ContactKind) -> bool {
        let c = self.client;
        match kind {
            ContactKind::Phone => c.phones.iter().any(|p| !p.raw.trim().is_empty()),
            ContactKind::Mobile => c.phones.iter().any(|p| p.kind == Some(PhoneKind::Mobile)),
            ContactKind::Email => c.emails.iter().any(|e| !e.raw.trim().is_empty()),
            ContactKind::Messenger => !c.messengers.is_empty(),
        }
    }

    fn related(&self, kind: Option<crate::client::RelationKind>, segment: Option<usize>) -> bool {
        self.client.relations.iter().any(|r| {
            kind.is_none_or(|k| k == r.kind)
                && segment.is_none_or(|s| {
                    self.shared
                        .ids
                        .binary_search(&r.to)
                        .is_ok_and(|i| self.shared.members[s][i])
                })
        })
    }

    fn in_segment(&self, segment: usize) -> bool {
        self.shared
            .ids
            .binary_search(&self.client.id)
            .is_ok_and(|i| self.shared.members[segment][i])
    }

    /// Whether `node` holds (for the client, or for `row` of an aggregate).
    pub(super) fn holds(&self, node: &Node, row: Option<Row<'a>>) -> bool {
        match &node.kind {
            NodeKind::All(items) => items.iter().all(|n| self.holds(n, row)),
            NodeKind::Any(items) => items.iter().any(|n| self.holds(n, row)),
            NodeKind::Not(inner) => !self.holds(inner, row),
            NodeKind::Test(get, test) => check(&self.get(get, row), test),
            NodeKind::Consent(channel) => self.consent(*channel),
            NodeKind::Contact(kind) => self.contact(*kind),
            NodeKind::Related(kind, segment) => self.related(*kind, *segment),
            NodeKind::Segment(s) => self.in_segment(*s),
            NodeKind::Aggregate {
                func,
                of,
                filter,
                test,
            } => check(&self.aggregate(*func, *of, filter.as_deref()), test),
        }
    }

    fn explain(&self, node: &Node) -> Step {
        let (held, value, steps) = match &node.kind {
            NodeKind::All(items) | NodeKind::Any(items) => {
                let steps: Vec<Step> = items.iter().map(|n| self.explain(n)).collect();
                let held = if matches!(node.kind, NodeKind::All(_)) {
                    steps.iter().all(|s| s.held)
                } else {
                    steps.iter().any(|s| s.held)
                };
                (held, None, steps)
            }
            NodeKind::Not(inner) => {
                let step = self.explain(inner);
                (!step.held, None, vec![step])
            }
            NodeKind::Test(get, test) => {
                let value = self.get(get, None);
                (check(&value, test), value.show(node.show), Vec::new())
            }
            NodeKind::Aggregate {
                func,
                of,
                filter,
                test,
            } => {
                let value = self.aggregate(*func, *of, filter.as_deref());
                (check(&value, test), value.show(node.show), Vec::new())
            }
            NodeKind::Consent(channel) => {
                let consents = &self.client.consents;
                let value = match (consents.personal_data, consents.marketing.get(channel)) {
                    (Some(data), _) if !data.is_given() => {
                        Some(format!("personal data withdrawn {}", data.date))
                    }
                    (_, Some(consent)) => Some(format!("{} {}", consent.state, consent.date)),
                    (_, None) => None,
                };
                (self.consent(*channel), value, Vec::new())
            }
            _ => (self.holds(node, None), None, Vec::new()),
        };
        Step {
            condition: node.label.clone(),
            held,
            value,
            steps,
        }
    }
}

/// Whether `value` passes `test`; a missing value passes only nothing (not
/// even `!=`), except that it is what `is set` tests for.
pub(super) fn check(value: &Val<'_>, test: &Test) -> bool {
    match (value, test) {
        (Val::Missing, _) => false,
        (Val::Text(t), Test::IsSet) => !t.trim().is_empty(),
        (Val::Set(s), Test::IsSet) => !s.is_empty(),
        (_, Test::IsSet) => true,
        (Val::Int(v), Test::Int(op, n)) => op.holds(v.cmp(n)),
        (Val::Text(t), Test::Text(op, lower)) => match op {
            CmpOp::Eq => text_eq(t, lower),
            CmpOp::Ne => !text_eq(t, lower),
            _ => false,
        },
        (Val::Date(d), Test::Date(op, date)) => op.holds(d.cmp(date)),
        (Val::Bool(b), Test::Bool(op, want)) => op.holds(b.cmp(want)),
        (Val::Int(v), Test::IntIn(list)) => list.contains(v),
        (Val::Text(t), Test::TextIn(list)) => list.iter().any(|l| text_eq(t, l)),
        (Val::Date(d), Test::DateIn(list)) => list.contains(d),
        (Val::Bool(b), Test::BoolIn(list)) => list.contains(b),
        (Val::Date(d), Test::Range(lo, hi)) => {
            lo.is_none_or(|lo| *d >= lo) && hi.is_none_or(|hi| *d <= hi)
        }
        (Val::Set(s), Test::SetHas(values, mode)) => match mode {
            Mode::Any => values.iter().any(|v| s.contains(v)),
            Mode::All => values.iter().all(|v| s.contains(v)),
        },
        (Val::Text(t), Test::Substring(values, mode)) => {
            let lower = super::compile::folded(t);
            match mode {
                Mode::Any => values.iter().any(|v| lower.contains(v.as_str())),
                Mode::All => values.iter().all(|v| lower.contains(v.as_str())),
            }
        }
        _ => false,
    }
}
