//! Running a compiled rule over the base's columnar snapshot
//! ([`crate::columns::Columns`]).
//!
//! The compiled tree becomes a plan over columns: a text test is decided
//! once per distinct text of its column (a lookup table by text id), a date
//! test on day numbers, an aggregate scans the client's deal and line
//! columns between two offsets (deals, lines and activities alike).
//! Anything the plan does not cover (names, custom fields, ages, relations,
//! RFM and the other computed values, aggregates with a filter on such
//! fields or on an activity's text or deal) runs through
//! the record interpreter for that client, so the result is the
//! interpreter's by construction there and by test everywhere else
//! (`columnar_matches_records` in the segment tests).

use super::ast::{AggFunc, CmpOp, ContactKind, Mode, Source};
use super::compile::{Compiled, Get, Node, NodeKind, Test};
use super::eval::{check, map_indices, Shared, Val};
use crate::activity::ActivityKind;
use crate::base::ClientBase;
use crate::client::{Channel, Client};
use crate::columns::{local_day, Columns, TextColumn, NO_INT, NO_MONEY, NO_TEXT, NO_TIME};
use crate::error::Result;
use crate::ids::ClientId;
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;

/// A client column of integers (enum indexes too).
#[derive(Debug, Clone, Copy)]
enum IntCol {
    Id,
    Kind,
    Stage,
    Temperature,
    Loyalty,
    /// Won deals.
    Purchases,
    /// The sum of won deals in the evaluation's currency.
    TotalSpent,
}

/// A client column of dates.
#[derive(Debug, Clone, Copy)]
enum DayCol {
    Birthday,
    Created,
    Updated,
    FirstPurchase,
    LastPurchase,
}

/// A client column of texts.
#[derive(Debug, Clone, Copy)]
enum TextCol {
    City,
    Region,
    Owner,
    Source,
    Behaviour,
}

/// A date test on day numbers (from the common era).
#[derive(Debug, Clone)]
enum DayTest {
    Cmp(CmpOp, i64),
    In(Vec<i64>),
    Range(i64, i64),
    /// Any date passes (`is set`).
    Any,
    /// No date passes (a test of another type).
    None,
}

impl DayTest {
    fn of(test: &Test) -> DayTest {
        let day = |d: &NaiveDate| i64::from(d.num_days_from_ce());
        match test {
            Test::Date(op, d) => DayTest::Cmp(*op, day(d)),
            Test::DateIn(list) => DayTest::In(list.iter().map(day).collect()),
            Test::Range(lo, hi) => DayTest::Range(
                lo.as_ref().map_or(i64::MIN, day),
                hi.as_ref().map_or(i64::MAX, day),
            ),
            Test::IsSet => DayTest::Any,
            _ => DayTest::None,
        }
    }

    #[inline]
    fn holds(&self, day: i64) -> bool {
        match self {
            DayTest::Cmp(op, d) => op.holds(day.cmp(d)),
            DayTest::In(list) => list.contains(&day),
            DayTest::Range(lo, hi) => *lo <= day && day <= *hi,
            DayTest::Any => true,
            DayTest::None => false,
        }
    }
}

/// Whether a missing or present integer passes a test, as the interpreter
/// decides it.
#[inline]
fn int_holds(value: Option<i64>, test: &Test) -> bool {
    match (value, test) {
        (None, _) => false,
        (Some(v), Test::Int(op, n)) => op.holds(v.cmp(n)),
        (Some(v), test) => check(&Val::Int(v), test),
    }
}

/// For each text of a column, whether it passes `test`.
fn text_table(column: &TextColumn, test: &Test) -> Vec<bool> {
    column
        .dict
        .texts
        .iter()
        .map(|t| check(&Val::Text(Cow::Borrowed(t)), test))
        .collect()
}

#[inline]
fn text_holds(table: &[bool], id: u32) -> bool {
    id != NO_TEXT && table[id as usize]
}

/// A deal or line column a row filter reads.
#[derive(Debug, Clone)]
enum RowPlan {
    All(Vec<RowPlan>),
    Any(Vec<RowPlan>),
    Not(Box<RowPlan>),
    Int(RowInt, Test),
    Day(RowDay, DayTest),
    Bool(RowBool, Test),
    Text(RowText, Vec<bool>),
    /// An activity's id.
    ActId(Test),
    ActDay(ActDay, DayTest),
    ActDone(Test),
    /// An activity's kind: whether each of [`ActivityKind::ALL`] passes.
    ActKind(Vec<bool>),
    /// An activity's direction: whether inbound, outbound pass.
    ActDirection([bool; 2]),
    ActText(ActText, Vec<bool>),
}

#[derive(Debug, Clone, Copy)]
enum ActDay {
    At,
    Due,
}

#[derive(Debug, Clone, Copy)]
enum ActText {
    Manager,
    Outcome,
}

#[derive(Debug, Clone, Copy)]
enum RowInt {
    DealId,
    Status,
    Amount,
    Quantity,
}

#[derive(Debug, Clone, Copy)]
enum RowDay {
    Created,
    Closed,
    Date,
}

#[derive(Debug, Clone, Copy)]
enum RowBool {
    Recurring,
    Discounted,
}

#[derive(Debug, Clone, Copy)]
enum RowText {
    Pipeline,
    Stage,
    Owner,
    Source,
    Product,
    Category,
}

/// A compiled condition over the columns.
#[derive(Debug, Clone)]
enum Plan<'n> {
    All(Vec<Plan<'n>>),
    Any(Vec<Plan<'n>>),
    Not(Box<Plan<'n>>),
    Int(IntCol, Test),
    Day(DayCol, DayTest),
    CanRefer(Test),
    Text(TextCol, Vec<bool>),
    /// Tag ids (`None`: a tag no client has) and the mode.
    Tags(Vec<Option<u32>>, Mode),
    TagsSet,
    Consent(u8),
    Contact(u8),
    Segment(usize),
    Aggregate {
        func: AggFunc,
        of: Source,
        filter: Option<RowPlan>,
        test: Test,
        day_test: DayTest,
    },
    /// Run by the record interpreter.
    Records(&'n Node),
}

impl Plan<'_> {
    fn uses_records(&self) -> bool {
        match self {
            Plan::All(items) | Plan::Any(items) => items.iter().any(Plan::uses_records),
            Plan::Not(inner) => inner.uses_records(),
            Plan::Records(_) => true,
            _ => false,
        }
    }
}

struct Planner<'c> {
    columns: &'c Columns,
}

impl<'c> Planner<'c> {
    fn plan<'n>(&self, node: &'n Node) -> Plan<'n> {
        let c = &self.columns.clients;
        match &node.kind {
            NodeKind::All(items) => Plan::All(items.iter().map(|n| self.plan(n)).collect()),
            NodeKind::Any(items) => Plan::Any(items.iter().map(|n| self.plan(n)).collect()),
            NodeKind::Not(inner) => Plan::Not(Box::new(self.plan(inner))),
            NodeKind::Consent(channel) => {
                let bit = Channel::ALL.iter().position(|c| c == channel).unwrap_or(0);
                Plan::Consent(1 << bit)
            }
            NodeKind::Contact(kind) => Plan::Contact(match kind {
                ContactKind::Phone => crate::columns::PHONE,
                ContactKind::Mobile => crate::columns::MOBILE,
                ContactKind::Email => crate::columns::EMAIL,
                ContactKind::Messenger => crate::columns::MESSENGER,
            }),
            NodeKind::Segment(s) => Plan::Segment(*s),
            NodeKind::Test(get, test) => {
                let int = |col| Plan::Int(col, test.clone());
                let day = |col| Plan::Day(col, DayTest::of(test));
                let text = |col, column: &TextColumn| Plan::Text(col, text_table(column, test));
                match get {
                    Get::Id => int(IntCol::Id),
                    Get::Kind => int(IntCol::Kind),
                    Get::Stage => int(IntCol::Stage),
                    Get::Temperature => int(IntCol::Temperature),
                    Get::LoyaltyPercent => int(IntCol::Loyalty),
                    Get::Purchases => int(IntCol::Purchases),
                    Get::TotalSpent => int(IntCol::TotalSpent),
                    Get::Birthday => day(DayCol::Birthday),
                    Get::Created => day(DayCol::Created),
                    Get::Updated => day(DayCol::Updated),
                    Get::FirstPurchase => day(DayCol::FirstPurchase),
                    Get::LastPurchase => day(DayCol::LastPurchase),
                    Get::CanRefer => Plan::CanRefer(test.clone()),
                    Get::City => text(TextCol::City, &c.city),
                    Get::Region => text(TextCol::Region, &c.region),
                    Get::Owner => text(TextCol::Owner, &c.owner),
                    Get::ClientSource => text(TextCol::Source, &c.source),
                    Get::Behaviour => text(TextCol::Behaviour, &c.behaviour),
                    Get::Tags => match test {
                        Test::SetHas(values, mode) => {
                            Plan::Tags(values.iter().map(|v| c.tags.get(v)).collect(), *mode)
                        }
                        Test::IsSet => Plan::TagsSet,
                        _ => Plan::Records(node),
                    },
                    _ => Plan::Records(node),
                }
            }
            NodeKind::Aggregate {
                func,
                of,
                filter,
                test,
            } => {
                let filter = match filter {
                    Some(f) => match self.row(f, *of) {
                        Some(plan) => Some(plan),
                        None => return Plan::Records(node),
                    },
                    None => None,
                };
                Plan::Aggregate {
                    func: *func,
                    of: *of,
                    filter,
                    test: test.clone(),
                    day_test: DayTest::of(test),
                }
            }
            _ => Plan::Records(node),
        }
    }

    /// A row filter over the columns, if every field it reads is one.
    fn row(&self, node: &Node, of: Source) -> Option<RowPlan> {
        let d = &self.columns.deals;
        let l = &self.columns.lines;
        let a = &self.columns.activities;
        Some(match &node.kind {
            NodeKind::All(items) => RowPlan::All(
                items
                    .iter()
                    .map(|n| self.row(n, of))
                    .collect::<Option<_>>()?,
            ),
            NodeKind::Any(items) => RowPlan::Any(
                items
                    .iter()
                    .map(|n| self.row(n, of))
                    .collect::<Option<_>>()?,
            ),
            NodeKind::Not(inner) => RowPlan::Not(Box::new(self.row(inner, of)?)),
            NodeKind::Test(get, test) if of == Source::Activities => {
                let text = |t: &str| check(&Val::Text(Cow::Borrowed(t)), test);
                match get {
                    Get::ActivityId => RowPlan::ActId(test.clone()),
                    Get::Date => RowPlan::ActDay(ActDay::At, DayTest::of(test)),
                    Get::Due => RowPlan::ActDay(ActDay::Due, DayTest::of(test)),
                    Get::Done => RowPlan::ActDone(test.clone()),
                    Get::ActivityKind => {
                        RowPlan::ActKind(ActivityKind::ALL.iter().map(|k| text(k.name())).collect())
                    }
                    Get::ActivityDirection => {
                        RowPlan::ActDirection([text("inbound"), text("outbound")])
                    }
                    Get::Manager => {
                        RowPlan::ActText(ActText::Manager, text_table(&a.manager, test))
                    }
                    Get::Outcome => {
                        RowPlan::ActText(ActText::Outcome, text_table(&a.outcome, test))
                    }
                    _ => return None,
                }
            }
            NodeKind::Test(get, test) => {
                let int = |col| RowPlan::Int(col, test.clone());
                let day = |col| RowPlan::Day(col, DayTest::of(test));
                let text = |col, column: &TextColumn| RowPlan::Text(col, text_table(column, test));
                match get {
                    Get::DealId => int(RowInt::DealId),
                    Get::Status => int(RowInt::Status),
                    Get::Amount => int(RowInt::Amount),
                    Get::Quantity => int(RowInt::Quantity),
                    Get::DealCreated => day(RowDay::Created),
                    Get::Closed => day(RowDay::Closed),
                    Get::Date => day(RowDay::Date),
                    Get::Recurring => RowPlan::Bool(RowBool::Recurring, test.clone()),
                    Get::Discounted => RowPlan::Bool(RowBool::Discounted, test.clone()),
                    Get::Pipeline => text(RowText::Pipeline, &d.pipeline),
                    Get::DealStage => text(RowText::Stage, &d.stage),
                    Get::DealOwner => text(RowText::Owner, &d.owner),
                    Get::DealSource => text(RowText::Source, &d.source),
                    Get::Product => text(RowText::Product, &l.product),
                    Get::Category => text(RowText::Category, &l.category),
                    _ => return None,
                }
            }
            _ => return None,
        })
    }
}

/// Distinct day numbers or months, on the stack for a usual client.
struct Distinct {
    small: [i64; 32],
    len: usize,
    spill: Vec<i64>,
}

impl Distinct {
    fn new() -> Distinct {
        Distinct {
            small: [0; 32],
            len: 0,
            spill: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, value: i64) {
        if self.len < self.small.len() {
            self.small[self.len] = value;
            self.len += 1;
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.small);
            }
            self.spill.push(value);
        }
    }

    fn count(&mut self) -> i64 {
        let values: &mut [i64] = if self.spill.is_empty() {
            &mut self.small[..self.len]
        } else {
            &mut self.spill
        };
        values.sort_unstable();
        let mut count = 0i64;
        for (i, v) in values.iter().enumerate() {
            if i == 0 || values[i - 1] != *v {
                count += 1;
            }
        }
        count
    }
}

/// The month (`year * 12 + month0`) of a day number.
fn month_of(day: i64) -> i64 {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map_or(i64::MIN, |d| {
            i64::from(d.year()) * 12 + i64::from(d.month0())
        })
}

/// One evaluation over the columns.
struct Run<'a> {
    columns: &'a Columns,
    shared: &'a Shared<'a>,
    /// The clients by position, when some part runs through the records.
    records: Option<&'a [&'a Client]>,
    /// The time zone's offset in seconds.
    offset: i64,
    currency: crate::money::Currency,
}

/// A row: a deal (by position), its line (by position) if any, and whether
/// it is a line row; or an activity (by position).
#[derive(Clone, Copy)]
enum RowAt {
    Deal {
        deal: usize,
        line: Option<usize>,
        is_line: bool,
    },
    Activity(usize),
}

impl<'a> Run<'a> {
    #[inline]
    fn day(&self, seconds: i64) -> Option<i64> {
        (seconds != NO_TIME).then(|| local_day(seconds, self.offset))
    }

    fn won(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let d = &self.columns.deals;
        (d.offsets[i]..d.offsets[i + 1]).filter(move |&k| d.status[k] == 1)
    }

    fn int(&self, col: IntCol, i: usize) -> Option<i64> {
        let c = &self.columns.clients;
        let d = &self.columns.deals;
        match col {
            IntCol::Id => Some(i64::try_from(c.ids[i].get()).unwrap_or(i64::MAX)),
            IntCol::Kind => Some(i64::from(c.kind[i])),
            IntCol::Stage => Some(i64::from(c.stage[i])),
            IntCol::Temperature => {
                (c.temperature[i] != NO_INT).then(|| i64::from(c.temperature[i]))
            }
            IntCol::Loyalty => (c.loyalty[i] != NO_INT).then(|| i64::from(c.loyalty[i])),
            IntCol::Purchases => Some(self.won(i).count() as i64),
            IntCol::TotalSpent => Some(
                self.won(i)
                    .filter(|&k| d.currency[k] == self.currency)
                    .fold(0i64, |sum, k| sum.saturating_add(d.amount[k])),
            ),
        }
    }

    fn day_of(&self, col: DayCol, i: usize) -> Option<i64> {
        let c = &self.columns.clients;
        let d = &self.columns.deals;
        match col {
            DayCol::Birthday => (c.birthday[i] != i32::MIN).then(|| i64::from(c.birthday[i])),
            DayCol::Created => self.day(c.created[i]),
            DayCol::Updated => self.day(c.updated[i]),
            DayCol::FirstPurchase => self.won(i).filter_map(|k| self.day(d.closed[k])).min(),
            DayCol::LastPurchase => self.won(i).filter_map(|k| self.day(d.closed[k])).max(),
        }
    }

    fn holds(&self, plan: &Plan<'_>, i: usize) -> bool {
        let c = &self.columns.clients;
        match plan {
            Plan::All(items) => items.iter().all(|p| self.holds(p, i)),
            Plan::Any(items) => items.iter().any(|p| self.holds(p, i)),
            Plan::Not(inner) => !self.holds(inner, i),
            Plan::Int(col, test) => int_holds(self.int(*col, i), test),
            Plan::Day(col, test) => self.day_of(*col, i).is_some_and(|d| test.holds(d)),
            Plan::CanRefer(test) => check(&Val::Bool(c.can_refer[i]), test),
            Plan::Text(col, table) => {
                let column = match col {
                    TextCol::City => &c.city,
                    TextCol::Region => &c.region,
                    TextCol::Owner => &c.owner,
                    TextCol::Source => &c.source,
                    TextCol::Behaviour => &c.behaviour,
                };
                text_holds(table, column.ids[i])
            }
            Plan::Tags(wanted, mode) => {
                let tags = &c.tag_ids[c.tag_offsets[i]..c.tag_offsets[i + 1]];
                let has = |w: &Option<u32>| w.is_some_and(|w| tags.contains(&w));
                match mode {
                    Mode::Any => wanted.iter().any(has),
                    Mode::All => wanted.iter().all(has),
                }
            }
            Plan::TagsSet => c.tag_offsets[i] < c.tag_offsets[i + 1],
            Plan::Consent(bit) => c.consent[i] & bit != 0,
            Plan::Contact(bit) => c.contacts[i] & bit != 0,
            Plan::Segment(s) => self.shared.members[*s][i],
            Plan::Aggregate {
                func,
                of,
                filter,
                test,
                day_test,
            } => self.aggregate(i, *func, *of, filter.as_ref(), test, day_test),
            Plan::Records(node) => match self.records {
                Some(records) => self.shared.ctx(records[i]).holds(node, None),
                None => false,
            },
        }
    }

    fn rows(&self, i: usize, of: Source, mut each: impl FnMut(RowAt)) {
        let d = &self.columns.deals;
        let l = &self.columns.lines;
        if of == Source::Activities {
            let a = &self.columns.activities;
            for k in a.offsets[i]..a.offsets[i + 1] {
                each(RowAt::Activity(k));
            }
            return;
        }
        for deal in d.offsets[i]..d.offsets[i + 1] {
            match of {
                Source::Deals => each(RowAt::Deal {
                    deal,
                    line: None,
                    is_line: false,
                }),
                Source::Purchases if d.status[deal] == 1 => each(RowAt::Deal {
                    deal,
                    line: None,
                    is_line: false,
                }),
                Source::Lines if d.status[deal] == 1 => {
                    let (start, end) = (l.offsets[deal], l.offsets[deal + 1]);
                    if start == end {
                        each(RowAt::Deal {
                            deal,
                            line: None,
                            is_line: true,
                        });
                    }
                    for line in start..end {
                        each(RowAt::Deal {
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

    /// The row's amount in minor units of the evaluation's currency.
    #[inline]
    fn amount(&self, row: RowAt) -> Option<i64> {
        let d = &self.columns.deals;
        let l = &self.columns.lines;
        let (amount, currency) = match row {
            RowAt::Activity(_) => return None,
            RowAt::Deal {
                is_line: true,
                line: Some(line),
                ..
            } => {
                if l.total[line] == NO_MONEY {
                    return None;
                }
                (l.total[line], l.currency[line])
            }
            RowAt::Deal { deal, .. } => (d.amount[deal], d.currency[deal]),
        };
        (currency == self.currency).then_some(amount)
    }

    /// The row's date: the close date, else the creation date; an
    /// activity's date.
    #[inline]
    fn row_date(&self, row: RowAt) -> Option<i64> {
        let d = &self.columns.deals;
        let at = match row {
            RowAt::Activity(k) => self.columns.activities.at[k],
            RowAt::Deal { deal, .. } if d.closed[deal] != NO_TIME => d.closed[deal],
            RowAt::Deal { deal, .. } => d.created[deal],
        };
        self.day(at)
    }

    fn row_holds(&self, plan: &RowPlan, row: RowAt) -> bool {
        let d = &self.columns.deals;
        let l = &self.columns.lines;
        let a = &self.columns.activities;
        let (deal, line) = match row {
            RowAt::Deal { deal, line, .. } => (deal, line),
            RowAt::Activity(k) => {
                return match plan {
                    RowPlan::All(items) => items.iter().all(|p| self.row_holds(p, row)),
                    RowPlan::Any(items) => items.iter().any(|p| self.row_holds(p, row)),
                    RowPlan::Not(inner) => !self.row_holds(inner, row),
                    RowPlan::ActId(test) => {
                        int_holds(Some(i64::try_from(a.id[k]).unwrap_or(i64::MAX)), test)
                    }
                    RowPlan::ActDay(col, test) => {
                        let at = match col {
                            ActDay::At => a.at[k],
                            ActDay::Due => a.due[k],
                        };
                        self.day(at).is_some_and(|v| test.holds(v))
                    }
                    RowPlan::ActDone(test) => check(&Val::Bool(a.done[k]), test),
                    RowPlan::ActKind(table) => table[a.kind[k] as usize],
                    RowPlan::ActDirection(table) => match a.direction[k] {
                        crate::columns::INBOUND => table[0],
                        crate::columns::OUTBOUND => table[1],
                        _ => false,
                    },
                    RowPlan::ActText(col, table) => {
                        let column = match col {
                            ActText::Manager => &a.manager,
                            ActText::Outcome => &a.outcome,
                        };
                        text_holds(table, column.ids[k])
                    }
                    // Planned for deals and lines only.
                    _ => false,
                };
            }
        };
        match plan {
            RowPlan::All(items) => items.iter().all(|p| self.row_holds(p, row)),
            RowPlan::Any(items) => items.iter().any(|p| self.row_holds(p, row)),
            RowPlan::Not(inner) => !self.row_holds(inner, row),
            RowPlan::Int(col, test) => {
                let value = match col {
                    RowInt::DealId => Some(i64::try_from(d.id[deal]).unwrap_or(i64::MAX)),
                    RowInt::Status => Some(i64::from(d.status[deal])),
                    RowInt::Amount => self.amount(row),
                    RowInt::Quantity => Some(line.map_or(1000, |k| l.quantity[k])),
                };
                int_holds(value, test)
            }
            RowPlan::Day(col, test) => {
                let value = match col {
                    RowDay::Created => self.day(d.created[deal]),
                    RowDay::Closed => self.day(d.closed[deal]),
                    RowDay::Date => self.row_date(row),
                };
                value.is_some_and(|v| test.holds(v))
            }
            RowPlan::Bool(col, test) => {
                let value = match col {
                    RowBool::Recurring => d.recurring[deal],
                    RowBool::Discounted => line.is_some_and(|k| l.discounted[k]),
                };
                check(&Val::Bool(value), test)
            }
            RowPlan::Text(col, table) => {
                let id = match col {
                    RowText::Pipeline => d.pipeline.ids[deal],
                    RowText::Stage => d.stage.ids[deal],
                    RowText::Owner => d.owner.ids[deal],
                    RowText::Source => d.source.ids[deal],
                    RowText::Product => line.map_or(NO_TEXT, |k| l.product.ids[k]),
                    RowText::Category => line.map_or(NO_TEXT, |k| l.category.ids[k]),
                };
                text_holds(table, id)
            }
            // Planned for activities only.
            _ => false,
        }
    }

    fn aggregate(
        &self,
        i: usize,
        func: AggFunc,
        of: Source,
        filter: Option<&RowPlan>,
        test: &Test,
        day_test: &DayTest,
    ) -> bool {
        let mut count = 0i64;
        let mut sum = 0i64;
        let mut min: Option<i64> = None;
        let mut max: Option<i64> = None;
        let mut first: Option<i64> = None;
        let mut last: Option<i64> = None;
        let mut distinct = Distinct::new();
        self.rows(i, of, |row| {
            if filter.is_some_and(|f| !self.row_holds(f, row)) {
                return;
            }
            count += 1;
            match func {
                AggFunc::Sum | AggFunc::Min | AggFunc::Max => {
                    if let Some(amount) = self.amount(row) {
                        sum = sum.saturating_add(amount);
                        min = Some(min.map_or(amount, |m| m.min(amount)));
                        max = Some(max.map_or(amount, |m| m.max(amount)));
                    }
                }
                AggFunc::Months | AggFunc::Days | AggFunc::First | AggFunc::Last => {
                    if let Some(day) = self.row_date(row) {
                        first = Some(first.map_or(day, |f| f.min(day)));
                        last = Some(last.map_or(day, |l| l.max(day)));
                        match func {
                            AggFunc::Months => distinct.push(month_of(day)),
                            AggFunc::Days => distinct.push(day),
                            _ => {}
                        }
                    }
                }
                AggFunc::Count => {}
            }
        });
        match func {
            AggFunc::Count => int_holds(Some(count), test),
            AggFunc::Sum => int_holds(Some(sum), test),
            AggFunc::Min => int_holds(min, test),
            AggFunc::Max => int_holds(max, test),
            AggFunc::Months | AggFunc::Days => int_holds(Some(distinct.count()), test),
            AggFunc::First => first.is_some_and(|d| day_test.holds(d)),
            AggFunc::Last => last.is_some_and(|d| day_test.holds(d)),
        }
    }
}

impl Compiled {
    /// The ids of the clients who meet the rule, ascending, on all cores
    /// with the `parallel` feature; named segments are evaluated once each,
    /// RFM and ABC (when the rule uses them) once for the whole base. Runs
    /// over the base's columnar snapshot when it keeps one, or from the
    /// second evaluation after a write, which builds it
    /// ([`Columns::when_worth_it`]); the first runs on the records
    /// ([`Compiled::evaluate_records`]). The result is the same.
    pub fn evaluate(&self, base: &ClientBase) -> Result<Vec<ClientId>> {
        match Columns::when_worth_it(base) {
            Some(columns) => self.evaluate_columns(base, &columns),
            None => self.evaluate_records(base),
        }
    }

    /// [`Compiled::evaluate`] over a given snapshot of `base` (one
    /// [`Columns::build`] made of this very base).
    pub fn evaluate_columns(&self, base: &ClientBase, columns: &Columns) -> Result<Vec<ClientId>> {
        let hits = self.holds_columns(base, columns)?;
        Ok(columns
            .clients
            .ids
            .iter()
            .zip(hits)
            .filter(|(_, hit)| *hit)
            .map(|(id, _)| *id)
            .collect())
    }

    /// For each client of the snapshot (by position), whether it meets the rule.
    pub(crate) fn holds_columns(&self, base: &ClientBase, columns: &Columns) -> Result<Vec<bool>> {
        let planner = Planner { columns };
        let main = planner.plan(&self.main);
        let records = main.uses_records()
            || self
                .segments
                .iter()
                .any(|(_, n)| planner.plan(n).uses_records());
        let mut shared = Shared::new(base, self, Some(columns.clients.ids.clone()))?;
        let clients: Option<Vec<&Client>> = records.then(|| base.clients().collect());
        self.segment_members(&planner, columns, &mut shared, clients.as_deref());
        let run = Run {
            columns,
            shared: &shared,
            records: clients.as_deref(),
            offset: i64::from(self.zone.local_minus_utc()),
            currency: self.currency,
        };
        Ok(map_indices(columns.clients(), |i| run.holds(&main, i)))
    }
}

/// A compiled part ([`crate::segment::Part`]) over the columns.
enum PartPlan<'n> {
    Condition(Plan<'n>),
    /// Rows of a source and their filter over the columns.
    Rows(Source, Option<RowPlan>),
    /// Rows whose filter reads what the columns do not hold: through the
    /// record interpreter.
    RowsRecords(Source, Option<&'n Node>),
}

/// One row an event rule counts: its day number (from the common era) and,
/// when asked and the row is a deal or a line, its amount in minor units of
/// the evaluation's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventRow {
    pub day: Option<i64>,
    pub amount: Option<i64>,
}

/// Compiled parts evaluated for one client over the columns: what
/// [`crate::segment::PartView`] does over the records, with the same
/// results.
pub(crate) struct ColumnView<'a> {
    run: &'a Run<'a>,
    plans: &'a [PartPlan<'a>],
    i: usize,
}

impl ColumnView<'_> {
    /// Whether the condition of part `part` holds for the client (false for
    /// a part of rows).
    pub(crate) fn holds(&self, part: usize) -> bool {
        match &self.plans[part] {
            PartPlan::Condition(plan) => self.run.holds(plan, self.i),
            _ => false,
        }
    }

    /// Each row of part `part` that passes its filter (nothing for a
    /// condition), in the interpreter's order, with its amount when
    /// `amounts`.
    pub(crate) fn each_row(&self, part: usize, amounts: bool, mut each: impl FnMut(EventRow)) {
        let run = self.run;
        match &self.plans[part] {
            PartPlan::Condition(_) => {}
            PartPlan::Rows(of, filter) => run.rows(self.i, *of, |row| {
                if filter.as_ref().is_some_and(|f| !run.row_holds(f, row)) {
                    return;
                }
                let amount = match row {
                    RowAt::Deal { .. } if amounts => run.amount(row),
                    _ => None,
                };
                each(EventRow {
                    day: run.row_date(row),
                    amount,
                });
            }),
            PartPlan::RowsRecords(of, filter) => {
                let Some(records) = run.records else {
                    return;
                };
                let view = super::eval::PartView {
                    ctx: run.shared.ctx(records[self.i]),
                };
                view.each_row(*of, *filter, amounts, |facts| {
                    each(EventRow {
                        day: facts.date.map(|d| i64::from(d.num_days_from_ce())),
                        amount: facts.amount,
                    });
                });
            }
        }
    }
}

impl Compiled {
    /// The plans of the named segments and, for each, whether each client
    /// (by position) is in it, in `shared`.
    fn segment_members<'n>(
        &'n self,
        planner: &Planner<'_>,
        columns: &Columns,
        shared: &mut Shared<'_>,
        records: Option<&[&Client]>,
    ) {
        let n = columns.clients();
        let offset = i64::from(self.zone.local_minus_utc());
        let plans: Vec<Plan<'n>> = self.segments.iter().map(|(_, n)| planner.plan(n)).collect();
        for plan in &plans {
            let members = {
                let run = Run {
                    columns,
                    shared,
                    records,
                    offset,
                    currency: self.currency,
                };
                map_indices(n, |i| run.holds(plan, i))
            };
            shared.members.push(members);
        }
    }

    /// `each` for every client of the snapshot (on all cores with the
    /// `parallel` feature), in id order, with `parts` (compiled with this
    /// rule by [`crate::segment::compile_parts`]) evaluated over the columns.
    pub(crate) fn map_parts_columns<T: Send>(
        &self,
        base: &ClientBase,
        columns: &Columns,
        parts: &[super::compile::Part],
        each: impl Fn(ClientId, &ColumnView<'_>) -> T + Sync + Send,
    ) -> Result<Vec<T>> {
        use super::compile::Part;
        let planner = Planner { columns };
        let plans: Vec<PartPlan<'_>> = parts
            .iter()
            .map(|part| match part {
                Part::Condition(node) => PartPlan::Condition(planner.plan(node)),
                Part::Rows(of, None) => PartPlan::Rows(*of, None),
                Part::Rows(of, Some(filter)) => match planner.row(filter, *of) {
                    Some(plan) => PartPlan::Rows(*of, Some(plan)),
                    None => PartPlan::RowsRecords(*of, Some(filter)),
                },
            })
            .collect();
        let records = plans.iter().any(|p| match p {
            PartPlan::Condition(plan) => plan.uses_records(),
            PartPlan::Rows(..) => false,
            PartPlan::RowsRecords(..) => true,
        }) || self
            .segments
            .iter()
            .any(|(_, n)| planner.plan(n).uses_records());
        let clients: Option<Vec<&Client>> = records.then(|| base.clients().collect());
        let mut shared = Shared::new(base, self, Some(columns.clients.ids.clone()))?;
        self.segment_members(&planner, columns, &mut shared, clients.as_deref());
        let run = Run {
            columns,
            shared: &shared,
            records: clients.as_deref(),
            offset: i64::from(self.zone.local_minus_utc()),
            currency: self.currency,
        };
        let ids = &columns.clients.ids;
        Ok(map_indices(columns.clients(), |i| {
            let view = ColumnView {
                run: &run,
                plans: &plans,
                i,
            };
            each(ids[i], &view)
        }))
    }
}
