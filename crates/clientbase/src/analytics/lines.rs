//! Deal lines as columns: the input of every sales figure.
//!
//! One entry per product line (a deal without product lines is one line of
//! its amount), with the deal's own fields (status, dates, currency, client,
//! manager, source, city, region) kept once per deal.

use crate::base::ClientBase;
use crate::capability::Rows;
use crate::deal::DealStatus;
use crate::error::{Error, ErrorKind, Result};
use crate::money::Currency;
use crate::table::{
    date_to_days, unknown_column, Column, ColumnData, Table, TableProblem, TextValues,
};
use crate::value::orders::{
    code_rows, code_texts, id_range, read_days_at, read_fixed, wrong_type, IdIndex, Kept,
};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Which columns of an input table hold the deal lines (under the key
/// `lines` of every sales-analytics capability). Called on a base, the
/// base's deals are read instead and these names are not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DealLineSource {
    /// The deal column (default `deal`): integer ids or text keys; the
    /// lines of one deal share it. Required.
    pub deal: String,
    /// The status column (default `status`): `open`, `won`, `lost` or their
    /// Russian names (as [`DealStatus`] reads them). Required.
    pub status: String,
    /// The amount column (default `amount`): the line's total in `currency`.
    /// Required.
    pub amount: String,
    /// The creation date column (default `created`); used when present.
    pub created: String,
    /// The close date column (default `closed`); used when present.
    pub closed: String,
    /// The client column (default `client`); used when present.
    pub client: String,
    /// The manager column (default `manager`); used when present.
    pub manager: String,
    /// The source column (default `source`); used when present.
    pub source: String,
    /// The city column (default `city`); used when present.
    pub city: String,
    /// The region column (default `region`); used when present.
    pub region: String,
    /// The product column (default `product`); used when present.
    pub product: String,
    /// The category column (default `category`); used when present.
    pub category: String,
    /// The currency of the amounts in an input table (default `RUB`).
    pub currency: Currency,
}

impl Default for DealLineSource {
    fn default() -> DealLineSource {
        DealLineSource {
            deal: "deal".into(),
            status: "status".into(),
            amount: "amount".into(),
            created: "created".into(),
            closed: "closed".into(),
            client: "client".into(),
            manager: "manager".into(),
            source: "source".into(),
            city: "city".into(),
            region: "region".into(),
            product: "product".into(),
            category: "category".into(),
            currency: Currency::RUB,
        }
    }
}

/// A deal's status as the figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Open,
    Won,
    Lost,
}

/// No day.
pub(crate) const NO_DAY: i32 = i32::MIN;

/// A text field kept once per deal: dictionary values and each deal's code
/// (empty text is "not given").
#[derive(Debug, Clone, Default)]
pub(crate) struct Attr {
    pub(crate) values: TextValues,
    pub(crate) codes: Vec<u32>,
}

impl Attr {
    fn push(&mut self, index: &mut FxHashMap<Box<str>, u32>, text: &str) {
        self.codes.push(code_of(&mut self.values, index, text));
    }
}

fn code_of(values: &mut TextValues, index: &mut FxHashMap<Box<str>, u32>, text: &str) -> u32 {
    match index.get(text) {
        Some(&code) => code,
        None => {
            let code = values.len() as u32;
            values.push(text);
            index.insert(text.into(), code);
            code
        }
    }
}

/// The deals' keys, in deal order.
#[derive(Debug, Clone)]
pub(crate) enum DealKeys {
    Ids(Vec<u64>),
    Signed(Vec<u64>),
    Texts(TextValues),
}

impl Default for DealKeys {
    fn default() -> DealKeys {
        DealKeys::Ids(Vec::new())
    }
}

impl DealKeys {
    pub(crate) fn len(&self) -> usize {
        match self {
            DealKeys::Ids(v) | DealKeys::Signed(v) => v.len(),
            DealKeys::Texts(t) => t.len(),
        }
    }

    /// Deal `d`'s key as text.
    pub(crate) fn text(&self, d: usize) -> String {
        match self {
            DealKeys::Ids(v) => v[d].to_string(),
            DealKeys::Signed(v) => (v[d] as i64).to_string(),
            DealKeys::Texts(t) => t.get(d).to_string(),
        }
    }
}

/// Deal lines in columns (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct DealLines {
    /// Each line's deal (an index into the per-deal vectors).
    pub(crate) line_deal: Vec<u32>,
    /// Each line's amount in minor units of its deal's currency.
    pub(crate) amount: Vec<i64>,
    /// Each line's product and category (empty text when none).
    pub(crate) product: Attr,
    pub(crate) category: Attr,
    /// Each deal's key: its id, or the table's key.
    pub(crate) deal_key: DealKeys,
    /// Whether the lines of each deal are next to each other.
    pub(crate) contiguous: bool,
    /// Each deal's status; `None` for a deal left out (reported).
    pub(crate) state: Vec<Option<State>>,
    /// Each deal's creation and close day (days since 1970-01-01) or [`NO_DAY`].
    pub(crate) created: Vec<i32>,
    pub(crate) closed: Vec<i32>,
    /// Each deal's currency, an index into `currencies`.
    pub(crate) currency: Vec<u8>,
    pub(crate) currencies: Vec<Currency>,
    pub(crate) client: Attr,
    pub(crate) manager: Attr,
    pub(crate) source: Attr,
    pub(crate) city: Attr,
    pub(crate) region: Attr,
    /// Lines and deals left out, and why.
    pub(crate) problems: Vec<TableProblem>,
}

fn problem(line: String, field: &str, reason: impl Into<String>) -> TableProblem {
    TableProblem {
        line,
        field: field.to_string(),
        reason: reason.into(),
    }
}

impl DealLines {
    /// How many deals.
    pub(crate) fn deals(&self) -> usize {
        self.state.len()
    }

    /// The day a deal counts on: its close day when closed, else its
    /// creation day.
    #[inline]
    pub(crate) fn day(&self, deal: usize) -> i32 {
        match self.state[deal] {
            Some(State::Open) | None => self.created[deal],
            Some(_) => self.closed[deal],
        }
    }

    /// Reads `rows`: a base's deals or an input table.
    pub(crate) fn read(
        rows: Rows<'_>,
        source: &DealLineSource,
        include_recurring: bool,
        by: super::By,
    ) -> Result<DealLines> {
        match rows {
            Rows::Base(base) => Ok(DealLines::from_base(base, include_recurring)),
            Rows::Table(table) => DealLines::from_table(table, source, by),
        }
    }

    /// A base's deals. A won or lost deal without a close date, an open one
    /// without a creation date and a deal whose line total cannot be computed
    /// are reported and left out; a deal closed as a duplicate is not a deal
    /// of its own and is left out without a word; recurring deals only with
    /// `include_recurring`.
    pub(crate) fn from_base(base: &ClientBase, include_recurring: bool) -> DealLines {
        let mut out = DealLines {
            deal_key: DealKeys::Ids(Vec::new()),
            contiguous: true,
            ..DealLines::default()
        };
        let mut currencies: FxHashMap<Currency, u8> = FxHashMap::default();
        let mut indexes: [FxHashMap<Box<str>, u32>; 7] = Default::default();
        for deal in base.deals() {
            let state = match deal.status {
                DealStatus::Open => State::Open,
                DealStatus::Won => State::Won,
                DealStatus::Lost => State::Lost,
                DealStatus::DuplicateOf(_) => continue,
            };
            if deal.recurrence.is_some() && !include_recurring {
                continue;
            }
            let at = format!("deal {}", deal.id.get());
            let created = deal.created_at.map(|t| date_to_days(t.date_naive()));
            let closed = deal.closed_at.map(|t| date_to_days(t.date_naive()));
            match (state, created, closed) {
                (State::Open, None, _) => {
                    out.problems
                        .push(problem(at, "created_at", "open without a creation date"));
                    continue;
                }
                (State::Won | State::Lost, _, None) => {
                    out.problems
                        .push(problem(at, "closed_at", "closed without a close date"));
                    continue;
                }
                _ => {}
            }
            let mut parts: Vec<(i64, &str, &str)> = Vec::new();
            if deal.lines.is_empty() {
                parts.push((deal.amount.minor(), "", ""));
            } else {
                let mut failed = None;
                for (n, line) in deal.lines.iter().enumerate() {
                    match line.total() {
                        Ok(total) => parts.push((
                            total.minor(),
                            &line.product,
                            line.category.as_deref().unwrap_or(""),
                        )),
                        Err(err) => {
                            failed = Some((n, err.reason().to_string()));
                            break;
                        }
                    }
                }
                if let Some((n, reason)) = failed {
                    out.problems
                        .push(problem(at, &format!("lines[{n}]"), reason));
                    continue;
                }
            }
            let code = out.state.len() as u32;
            if let DealKeys::Ids(ids) = &mut out.deal_key {
                ids.push(deal.id.get());
            }
            out.state.push(Some(state));
            out.created.push(created.unwrap_or(NO_DAY));
            out.closed.push(closed.unwrap_or(NO_DAY));
            let currency = deal.amount.currency();
            let next = currencies.len() as u8;
            let cur = *currencies.entry(currency).or_insert_with(|| {
                out.currencies.push(currency);
                next
            });
            out.currency.push(cur);
            let client = base.client(deal.client).ok();
            let [client_index, manager, source, city, region, product, category] = &mut indexes;
            out.client
                .push(client_index, &deal.client.get().to_string());
            out.manager
                .push(manager, deal.owner.as_deref().unwrap_or("").trim());
            out.source
                .push(source, deal.source.as_deref().unwrap_or("").trim());
            out.city.push(
                city,
                client.and_then(|c| c.city.as_deref()).unwrap_or("").trim(),
            );
            out.region.push(
                region,
                client
                    .and_then(|c| c.region.as_deref())
                    .unwrap_or("")
                    .trim(),
            );
            for (amount, name, cat) in parts {
                out.line_deal.push(code);
                out.amount.push(amount);
                out.product.push(product, name.trim());
                out.category.push(category, cat.trim());
            }
        }
        out
    }

    /// An input table of deal lines. A line whose deal is empty or whose
    /// amount cannot be read is reported and left out; a deal whose status
    /// cannot be read, a closed deal without a close date and an open one
    /// without a creation date are reported (at their first line) and left
    /// out. A deal's own fields are read from its first line. The product
    /// and category columns are read only when `by` slices by them.
    pub(crate) fn from_table(
        table: &Table,
        source: &DealLineSource,
        by: super::By,
    ) -> Result<DealLines> {
        let need = |name: &str| {
            table
                .column(name)
                .ok_or_else(|| unknown_column(name, table.column_names()).with_field(name))
        };
        let deal_col = need(&source.deal)?;
        let status_col = need(&source.status)?;
        let amount_col = need(&source.amount)?;
        let text_like = |c: &Column| {
            if matches!(
                c.data(),
                ColumnData::Text(_) | ColumnData::Int64(_) | ColumnData::UInt64(_)
            ) {
                Ok(())
            } else {
                Err(wrong_type(c, "text or integer codes"))
            }
        };
        let optional = |name: &str| table.column(name);
        text_like(deal_col)?;
        text_like(status_col)?;
        for name in [
            &source.client,
            &source.manager,
            &source.source,
            &source.city,
            &source.region,
            &source.product,
            &source.category,
        ] {
            if let Some(c) = optional(name) {
                text_like(c)?;
            }
        }
        let rows = table.rows();
        let line = |row: usize| (row + 1).to_string();
        let mut problems: Vec<(usize, TableProblem)> = Vec::new();

        // Lines left out: an empty deal or an amount that cannot be read.
        let digits = source.currency.minor_digits();
        let amounts = read_fixed(amount_col, digits)?;
        let mut bad: Vec<(usize, &str, String)> = amounts
            .bad
            .into_iter()
            .map(|(row, reason)| (row, source.amount.as_str(), reason))
            .collect();
        let validity = deal_col.validity();
        let empty_deal = |row: usize| {
            validity.is_some_and(|v| !v[row])
                || matches!(deal_col.data(), ColumnData::Text(t) if t.get(row).trim().is_empty())
        };
        if validity.is_some() || matches!(deal_col.data(), ColumnData::Text(_)) {
            for row in 0..rows {
                if empty_deal(row) {
                    bad.push((row, source.deal.as_str(), "empty".to_string()));
                }
            }
        }
        bad.sort_by_key(|(row, ..)| *row);
        bad.dedup_by_key(|(row, ..)| *row);
        let kept = if bad.is_empty() {
            Kept {
                mask: None,
                count: rows,
            }
        } else {
            let mut mask = vec![true; rows];
            for (row, field, reason) in bad {
                mask[row] = false;
                problems.push((row, problem(line(row), field, reason)));
            }
            let count = mask.iter().filter(|&&k| k).count();
            Kept {
                mask: Some(mask),
                count,
            }
        };
        // The input row of each kept line.
        let orig: Option<Vec<u32>> = kept
            .mask
            .as_ref()
            .map(|mask| (0..rows as u32).filter(|&r| mask[r as usize]).collect());
        let row_of = |l: usize| orig.as_ref().map_or(l, |o| o[l] as usize);

        let (line_deal, deal_key) = match deal_col.data() {
            ColumnData::Int64(v) => {
                let range = id_range(|r| v[r] as u64, rows, &kept);
                let (codes, keys) = code_rows(
                    rows,
                    &kept,
                    |r| v[r] as u64,
                    |n| IdIndex::for_range(range, n),
                );
                (codes, DealKeys::Signed(keys))
            }
            ColumnData::UInt64(v) => {
                let range = id_range(|r| v[r], rows, &kept);
                let (codes, keys) =
                    code_rows(rows, &kept, |r| v[r], |n| IdIndex::for_range(range, n));
                (codes, DealKeys::Ids(keys))
            }
            _ => {
                let coded = code_texts(deal_col, rows, &kept);
                (coded.codes, DealKeys::Texts(coded.values))
            }
        };
        let n = deal_key.len();
        let mut first = vec![u32::MAX; n];
        let mut contiguous = true;
        let mut previous = u32::MAX;
        for (l, &d) in line_deal.iter().enumerate() {
            let slot = &mut first[d as usize];
            if *slot == u32::MAX {
                *slot = l as u32;
            } else if d != previous {
                contiguous = false;
            }
            previous = d;
        }
        // The first lines' input rows, ascending (first lines come in deal order).
        let first_rows: Vec<u32> = first.iter().map(|&l| row_of(l as usize) as u32).collect();
        let mut mask = vec![false; rows];
        for &row in &first_rows {
            mask[row as usize] = true;
        }
        let firsts = Kept {
            mask: Some(mask),
            count: n,
        };
        let per_deal = |name: &str| -> Attr {
            match optional(name).filter(|_| !name.is_empty()) {
                // Coded over the first lines only, in row order = deal order.
                Some(c) => {
                    let coded = code_texts(c, rows, &firsts);
                    Attr {
                        values: coded.values,
                        codes: coded.codes,
                    }
                }
                None => Attr {
                    values: {
                        let mut v = TextValues::default();
                        v.push("");
                        v
                    },
                    codes: vec![0; n],
                },
            }
        };
        let status_codes = per_deal(&source.status);
        let statuses: Vec<std::result::Result<Option<State>, String>> = status_codes
            .values
            .iter()
            .map(|text| match text.parse::<DealStatus>() {
                Ok(DealStatus::Open) => Ok(Some(State::Open)),
                Ok(DealStatus::Won) => Ok(Some(State::Won)),
                Ok(DealStatus::Lost) => Ok(Some(State::Lost)),
                Ok(DealStatus::DuplicateOf(_)) => Ok(None),
                Err(err) => Err(err.reason().to_string()),
            })
            .collect();
        let days = |name: &str| -> Result<Vec<i32>> {
            let Some(c) = optional(name) else {
                return Ok(vec![NO_DAY; n]);
            };
            // Only the first lines' days are read: they are the deals'.
            let read = read_days_at(c, &first_rows, NO_DAY)?;
            match read.bad.into_iter().next() {
                Some((row, reason)) => Err(Error::new(ErrorKind::InvalidValue, reason)
                    .with_record(format!("line {}", row + 1))
                    .with_field(name.to_string())),
                None => Ok(read.values),
            }
        };
        let created = days(&source.created)?;
        let closed = days(&source.closed)?;
        let mut state = Vec::with_capacity(n);
        for d in 0..n {
            let row = first_rows[d] as usize;
            let s = match &statuses[status_codes.codes[d] as usize] {
                Ok(s) => *s,
                Err(reason) => {
                    problems.push((row, problem(line(row), &source.status, reason.clone())));
                    None
                }
            };
            let s = match s {
                Some(State::Open) if created[d] == NO_DAY => {
                    problems.push((
                        row,
                        problem(line(row), &source.created, "open without a creation date"),
                    ));
                    None
                }
                Some(State::Won | State::Lost) if closed[d] == NO_DAY => {
                    problems.push((
                        row,
                        problem(line(row), &source.closed, "closed without a close date"),
                    ));
                    None
                }
                s => s,
            };
            state.push(s);
        }
        let lines_of =
            |name: &str, wanted: bool| line_attr(optional(name).filter(|_| wanted), rows, &kept);
        let product = lines_of(&source.product, by == super::By::Product);
        let category = lines_of(&source.category, by == super::By::Category);
        problems.sort_by_key(|(row, _)| *row);
        Ok(DealLines {
            line_deal,
            amount: kept.select(amounts.values),
            product,
            category,
            contiguous,
            deal_key,
            state,
            created,
            closed,
            currency: vec![0; n],
            currencies: vec![source.currency],
            // Only the field the slices are by is read.
            client: per_deal(if by == super::By::Client {
                &source.client
            } else {
                ""
            }),
            manager: per_deal(if by == super::By::Manager {
                &source.manager
            } else {
                ""
            }),
            source: per_deal(if by == super::By::Source {
                &source.source
            } else {
                ""
            }),
            city: per_deal(if by == super::By::City {
                &source.city
            } else {
                ""
            }),
            region: per_deal(if by == super::By::Region {
                &source.region
            } else {
                ""
            }),
            problems: problems.into_iter().map(|(_, p)| p).collect(),
        })
    }
}

/// A per-line text column coded (or one empty value when absent).
fn line_attr(column: Option<&Column>, rows: usize, all: &Kept) -> Attr {
    match column {
        Some(c) => {
            let coded = code_texts(c, rows, all);
            Attr {
                values: coded.values,
                codes: coded.codes,
            }
        }
        None => {
            let mut values = TextValues::default();
            values.push("");
            Attr {
                values,
                codes: vec![0; all.count],
            }
        }
    }
}

/// Days of a period, inclusive; a missing end is open.
pub(crate) fn period_days(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (i32, i32) {
    (
        from.map_or(i32::MIN + 1, date_to_days),
        to.map_or(i32::MAX, date_to_days),
    )
}
