//! ABC and XYZ analysis: which clients or products bring the revenue, and
//! how steadily they buy or sell.
//!
//! **ABC** ranks the objects (clients, products or categories) by a measure
//! (revenue, margin, quantity or the number of order lines), largest first,
//! ties by key (ids ascending, texts by their bytes), and splits them by
//! thresholds (percent, `[80, 15, 5]` by default; `[75, 20, 5]` and any
//! other list summing to 100 work, classes named A, B, C, D, …):
//!
//! - mode `value` (default): an object's class is the first whose cumulative
//!   bound holds the cumulative share of the measure *up to and including*
//!   it, as the spreadsheet computation does (`cumulative ≤ 80 %` is A,
//!   `≤ 95 %` B, the rest C), compared exactly, so an object ending exactly
//!   on 80 % is A. The first object is always in the first class, even when
//!   it alone exceeds it (a dominant client is A, not B). Objects whose
//!   measure is zero or negative (returns beyond sales) are in the last class
//!   and do not count in the total.
//! - mode `objects`: by the share of objects instead: the first 80 % of the
//!   objects by rank are A (rank `i` of `n`, 1-based, is in the first class
//!   whose bound holds `i / n`), and so on.
//!
//! **XYZ** measures how regular an object's sales are: its sales are summed
//! per period (day, ISO week from Monday, month or quarter), from the period
//! of its first sale to the last period of the data (or of `orders.to`),
//! periods without sales counting as zero, and the coefficient of variation
//! (population standard deviation over the mean, in percent) classes it:
//! X up to 10 %, Y up to 25 %, Z above (the thresholds are params). An
//! object with fewer periods than `min_periods` (3 by default), or without
//! positive sales, has no class (null) and a reason.
//!
//! **ABC-XYZ** gives both classes per object and the cell (`AX` … `CZ`); the
//! 3×3 matrix of counts is a group-by of that table (the CLI prints it).

use super::orders::{group_by_code, key_ranks, map_indices, sort_distinct, Fields, Orders};
use super::{ClientKeys, OrderSource};
use crate::capability::Rows;
use crate::error::{Error, ErrorKind, Result};
use crate::table::{date_to_days, days_to_date, Column, ColumnData, Table, TextValues};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

/// What ABC and XYZ classify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbcBy {
    /// Clients (the default).
    Clients,
    /// Products (the order lines need a product column).
    Products,
    /// Product categories (the order lines need a category column).
    Categories,
}

/// What ABC ranks by and XYZ sums per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The line amounts (the default).
    Revenue,
    /// The line margins (`orders.margin` must name a column).
    Margin,
    /// The quantities (the order lines need a quantity column).
    Quantity,
    /// The number of order lines.
    Count,
}

/// How ABC splits the ranked objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbcMode {
    /// By the cumulative share of the measure (the default).
    Value,
    /// By the share of objects.
    Objects,
}

/// The length of an XYZ period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XyzPeriod {
    /// A day.
    Day,
    /// A week, Monday to Sunday.
    Week,
    /// A calendar month (the default).
    Month,
    /// A calendar quarter.
    Quarter,
}

/// Params of [`abc()`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbcParams {
    /// Where the order lines are and which count (see [`OrderSource`]).
    pub orders: OrderSource,
    /// What to classify (default `clients`).
    pub by: AbcBy,
    /// What to rank by (default `revenue`).
    pub measure: Measure,
    /// Each class's share in percent, first class first (default `[80, 15, 5]`);
    /// two to 26 positive numbers summing to 100.
    pub thresholds: Vec<f64>,
    /// Split by cumulative share of the measure (`value`, default) or of
    /// objects (`objects`).
    pub mode: AbcMode,
}

impl Default for AbcParams {
    fn default() -> AbcParams {
        AbcParams {
            orders: OrderSource::default(),
            by: AbcBy::Clients,
            measure: Measure::Revenue,
            thresholds: vec![80.0, 15.0, 5.0],
            mode: AbcMode::Value,
        }
    }
}

/// Params of [`xyz()`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct XyzParams {
    /// Where the order lines are and which count (see [`OrderSource`]).
    pub orders: OrderSource,
    /// What to classify (default `clients`).
    pub by: AbcBy,
    /// What to sum per period (default `revenue`).
    pub measure: Measure,
    /// The period (default `month`).
    pub period: XyzPeriod,
    /// The fewest periods, from the object's first sale, for a class
    /// (default 3; at least 2).
    pub min_periods: u32,
    /// The X and Y bounds of the coefficient of variation, in percent
    /// (default `[10, 25]`).
    pub thresholds: [f64; 2],
}

impl Default for XyzParams {
    fn default() -> XyzParams {
        XyzParams {
            orders: OrderSource::default(),
            by: AbcBy::Clients,
            measure: Measure::Revenue,
            period: XyzPeriod::Month,
            min_periods: 3,
            thresholds: [10.0, 25.0],
        }
    }
}

/// Params of [`abc_xyz()`]: ABC and XYZ on the same objects and measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbcXyzParams {
    /// Where the order lines are and which count (see [`OrderSource`]).
    pub orders: OrderSource,
    /// What to classify (default `clients`).
    pub by: AbcBy,
    /// What ABC ranks by and XYZ sums (default `revenue`).
    pub measure: Measure,
    /// ABC shares in percent (default `[80, 15, 5]`).
    pub thresholds: Vec<f64>,
    /// ABC mode (default `value`).
    pub mode: AbcMode,
    /// XYZ period (default `month`).
    pub period: XyzPeriod,
    /// XYZ fewest periods (default 3).
    pub min_periods: u32,
    /// XYZ bounds in percent (default `[10, 25]`).
    pub xyz_thresholds: [f64; 2],
}

impl Default for AbcXyzParams {
    fn default() -> AbcXyzParams {
        let abc = AbcParams::default();
        let xyz = XyzParams::default();
        AbcXyzParams {
            orders: abc.orders,
            by: abc.by,
            measure: abc.measure,
            thresholds: abc.thresholds,
            mode: abc.mode,
            period: xyz.period,
            min_periods: xyz.min_periods,
            xyz_thresholds: xyz.thresholds,
        }
    }
}

impl AbcXyzParams {
    fn parts(&self) -> (AbcParams, XyzParams) {
        (
            AbcParams {
                orders: self.orders.clone(),
                by: self.by,
                measure: self.measure,
                thresholds: self.thresholds.clone(),
                mode: self.mode,
            },
            XyzParams {
                orders: self.orders.clone(),
                by: self.by,
                measure: self.measure,
                period: self.period,
                min_periods: self.min_periods,
                thresholds: self.xyz_thresholds,
            },
        )
    }
}

/// The optional columns ABC or XYZ by `by` on `measure` reads.
fn fields(by: AbcBy, measure: Measure) -> Fields {
    Fields {
        days: true,
        product: by == AbcBy::Products,
        category: by == AbcBy::Categories,
        quantity: measure == Measure::Quantity,
    }
}

fn invalid(field: &str, reason: String) -> Error {
    Error::new(ErrorKind::InvalidValue, reason).with_field(field)
}

/// The cumulative class bounds in hundredths of a percent (the last is 10000).
fn bounds(thresholds: &[f64]) -> Result<Vec<i128>> {
    if !(2..=26).contains(&thresholds.len()) {
        return Err(invalid(
            "thresholds",
            format!(
                "thresholds: give 2 to 26 class shares, not {}",
                thresholds.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(thresholds.len());
    let mut sum = 0i128;
    for &t in thresholds {
        if !(t.is_finite() && t > 0.0) {
            return Err(invalid(
                "thresholds",
                format!("thresholds: {t} is not a positive percent"),
            ));
        }
        sum += (t * 100.0).round() as i128;
        out.push(sum);
    }
    if sum != 10_000 {
        return Err(invalid(
            "thresholds",
            format!(
                "thresholds: {} sum to {}, not 100",
                thresholds
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                sum as f64 / 100.0
            ),
        ));
    }
    Ok(out)
}

fn class_name(class: usize) -> String {
    char::from(b'A' + class as u8).to_string()
}

/// A text column of class letters.
fn class_column(
    name: &str,
    classes: impl ExactSizeIterator<Item = u8>,
    count: usize,
) -> Result<Column> {
    let names: Vec<String> = (0..count).map(class_name).collect();
    let mut text = TextValues::with_capacity(classes.len(), classes.len());
    for class in classes {
        text.push(&names[usize::from(class)]);
    }
    Column::new(name, ColumnData::Text(text), None)
}

/// The objects classified and each line's object.
struct Objects<'o> {
    codes: &'o [u32],
    count: usize,
    by: AbcBy,
    orders: &'o Orders,
}

impl<'o> Objects<'o> {
    fn of(orders: &'o Orders, by: AbcBy) -> Result<Objects<'o>> {
        let coded = |coded: Option<&'o super::Coded>, what: &str| {
            coded.ok_or_else(|| {
                invalid(
                    "by",
                    format!("by {what}s: the order lines have no {what} column"),
                )
            })
        };
        let (codes, count) = match by {
            AbcBy::Clients => (orders.client_codes(), orders.clients().len()),
            AbcBy::Products => {
                let c = coded(orders.products(), "product")?;
                (&c.codes[..], c.values.len())
            }
            AbcBy::Categories => {
                let c = coded(orders.categories(), "category")?;
                (&c.codes[..], c.values.len())
            }
        };
        Ok(Objects {
            codes,
            count,
            by,
            orders,
        })
    }

    fn name(&self) -> &'static str {
        match self.by {
            AbcBy::Clients => "client",
            AbcBy::Products => "product",
            AbcBy::Categories => "category",
        }
    }

    fn texts(&self) -> Option<&'o TextValues> {
        match self.by {
            AbcBy::Clients => None,
            AbcBy::Products => self.orders.products().map(|c| &c.values),
            AbcBy::Categories => self.orders.categories().map(|c| &c.values),
        }
    }

    fn ranks(&self) -> (Vec<u32>, Vec<u32>) {
        match self.texts() {
            None => key_ranks(self.orders.clients()),
            Some(texts) => key_ranks(&ClientKeys::Texts(texts.clone())),
        }
    }

    fn column(&self, rows: &[usize]) -> Column {
        match self.texts() {
            None => self.orders.clients().column_of(self.name(), rows),
            Some(texts) => {
                Column::from_texts(self.name(), rows.iter().map(|&i| Some(texts.get(i))))
            }
        }
    }
}

/// Each line's measure, and the scale of a decimal measure (`None`: a count).
fn line_values(
    orders: &Orders,
    measure: Measure,
) -> Result<(std::borrow::Cow<'_, [i64]>, Option<i8>)> {
    use std::borrow::Cow;
    let digits = orders.currency().minor_digits() as i8;
    Ok(match measure {
        Measure::Revenue => (Cow::Borrowed(orders.amounts()), Some(digits)),
        Measure::Margin => (
            Cow::Borrowed(orders.margins().ok_or_else(|| {
                invalid(
                    "measure",
                    "measure margin: name the margin column in orders.margin".into(),
                )
            })?),
            Some(digits),
        ),
        Measure::Quantity => (
            Cow::Borrowed(orders.quantities().ok_or_else(|| {
                invalid(
                    "measure",
                    "measure quantity: the order lines have no quantity column".into(),
                )
            })?),
            Some(3),
        ),
        Measure::Count => (Cow::Owned(vec![1; orders.len()]), None),
    })
}

/// Each object's total: on all cores with the `parallel` feature, one
/// partial total per thread added up at the end (integers: the same sums
/// whatever the thread count).
fn sum_by_code(codes: &[u32], values: &[i64], groups: usize) -> Vec<i128> {
    // Sums in i64 (half the memory to walk), again in i128 if one overflows.
    let sequential = |codes: &[u32], values: &[i64]| {
        let mut narrow = vec![0i64; groups];
        let mut overflow = false;
        for (&code, &v) in codes.iter().zip(values) {
            let total = &mut narrow[code as usize];
            let (sum, over) = total.overflowing_add(v);
            *total = sum;
            overflow |= over;
        }
        if !overflow {
            return narrow.into_iter().map(i128::from).collect();
        }
        let mut totals = vec![0i128; groups];
        for (&code, &v) in codes.iter().zip(values) {
            totals[code as usize] += i128::from(v);
        }
        totals
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let threads = rayon::current_num_threads();
        if threads > 1 && codes.len() >= 1 << 20 {
            let chunk = codes.len().div_ceil(threads);
            return codes
                .par_chunks(chunk)
                .zip(values.par_chunks(chunk))
                .map(|(c, v)| sequential(c, v))
                .reduce_with(|mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                })
                .unwrap_or_else(|| vec![0; groups]);
        }
    }
    sequential(codes, values)
}

/// ABC of order lines already read: the objects in rank order, and for
/// each rank its object's total, cumulative positive total and class.
struct AbcResult {
    /// Objects in rank order.
    order: Vec<u32>,
    /// The client ids in rank order, when the objects are clients with ids.
    ids: Option<Vec<u64>>,
    totals: Vec<i128>,
    classes: Vec<u8>,
    cumulative: Vec<i128>,
    positive_total: i128,
}

fn classify_abc(
    objects: &Objects<'_>,
    values: &[i64],
    bounds: &[i128],
    mode: AbcMode,
) -> AbcResult {
    let by_object = sum_by_code(objects.codes, values, objects.count);
    let positive_total: i128 = by_object.iter().filter(|&&t| t > 0).sum();
    let (order, ids, totals): (Vec<u32>, Option<Vec<u64>>, Vec<i128>) =
        match (objects.texts(), objects.orders.clients()) {
            // Integer ids are their own tie-breaker: one sort, whose keys
            // are then the columns in rank order.
            (None, ClientKeys::Ids(ids)) => {
                let mut keyed: Vec<(std::cmp::Reverse<i128>, u64, u32)> = by_object
                    .iter()
                    .zip(ids)
                    .enumerate()
                    .map(|(o, (&total, &id))| (std::cmp::Reverse(total), id, o as u32))
                    .collect();
                drop(by_object);
                sort_distinct(&mut keyed);
                let mut order = Vec::with_capacity(keyed.len());
                let mut ids = Vec::with_capacity(keyed.len());
                let mut totals = Vec::with_capacity(keyed.len());
                for (std::cmp::Reverse(total), id, o) in keyed {
                    order.push(o);
                    ids.push(id);
                    totals.push(total);
                }
                (order, Some(ids), totals)
            }
            _ => {
                let (ranks, by_rank) = objects.ranks();
                let mut keyed: Vec<(std::cmp::Reverse<i128>, u32)> = by_object
                    .iter()
                    .zip(&ranks)
                    .map(|(&total, &rank)| (std::cmp::Reverse(total), rank))
                    .collect();
                sort_distinct(&mut keyed);
                let (order, totals) = keyed
                    .into_iter()
                    .map(|(std::cmp::Reverse(total), rank)| (by_rank[rank as usize], total))
                    .unzip();
                (order, None, totals)
            }
        };
    ranked(order, ids, totals, positive_total, bounds, mode)
}

/// Classes of objects already in rank order with their totals.
fn ranked(
    order: Vec<u32>,
    ids: Option<Vec<u64>>,
    totals: Vec<i128>,
    positive_total: i128,
    bounds: &[i128],
    mode: AbcMode,
) -> AbcResult {
    let last = bounds.len() as u8 - 1;
    let n = order.len() as i128;
    let mut classes = Vec::with_capacity(order.len());
    let mut cumulative = Vec::with_capacity(order.len());
    let mut cum = 0i128;
    for (i, &total) in totals.iter().enumerate() {
        if total > 0 {
            cum += total;
        }
        cumulative.push(cum);
        let class = match mode {
            AbcMode::Value if total <= 0 => last,
            AbcMode::Value => bounds
                .iter()
                .position(|&b| cum * 10_000 <= b * positive_total)
                .unwrap_or(last as usize) as u8,
            AbcMode::Objects => bounds
                .iter()
                .position(|&b| (i as i128 + 1) * 10_000 <= b * n)
                .unwrap_or(last as usize) as u8,
        };
        // The largest object is in the first class even when it alone
        // exceeds that class's share.
        classes.push(if i == 0 && (total > 0 || mode == AbcMode::Objects) {
            0
        } else {
            class
        });
    }
    AbcResult {
        order,
        ids,
        totals,
        classes,
        cumulative,
        positive_total,
    }
}

impl AbcResult {
    /// The objects in rank order, as a column.
    fn object_column(&mut self, objects: &Objects<'_>) -> Column {
        match self.ids.take() {
            Some(ids) => Column::new(objects.name(), ColumnData::UInt64(ids.into()), None)
                .unwrap_or_else(|_| unreachable!("a column without validity")),
            None => {
                let rows: Vec<usize> = self.order.iter().map(|&o| o as usize).collect();
                objects.column(&rows)
            }
        }
    }
}

fn value_column(
    name: &str,
    values: impl Iterator<Item = i128>,
    scale: Option<i8>,
) -> Result<Column> {
    match scale {
        Some(scale) => Column::new(
            name,
            ColumnData::Decimal {
                values: values.collect(),
                scale,
            },
            None,
        ),
        None => Ok(Column::from_int64s(
            name,
            values.map(|v| Some(i64::try_from(v).unwrap_or(i64::MAX))),
        )),
    }
}

/// ABC classes: reads the order lines of `rows` and calls [`abc_of`].
pub fn abc(rows: Rows<'_>, params: &AbcParams) -> Result<Table> {
    bounds(&params.thresholds)?;
    // ABC needs no days: they are only checked.
    let fields = Fields {
        days: false,
        ..fields(params.by, params.measure)
    };
    if let Rows::Table(table) = rows {
        if let Some(table) = abc_of_dense_ids(table, params)? {
            return Ok(table);
        }
    }
    let orders = Orders::read_fields(rows, &params.orders, fields)?;
    abc_of(&orders, params)
}

/// ABC of clients by revenue in one pass over the columns, without reading
/// the lines into [`Orders`]: when the client ids are integers in a range not
/// much wider than the lines, every cell of the client, date and amount
/// columns is there and readable, and no period or margin is asked for. Each
/// client's total is summed straight into a slot of its id, on all cores.
/// `None` when the table is not of that kind (or a sum would overflow
/// `i64`): then the lines are read as usual, with the same result.
fn abc_of_dense_ids(table: &Table, params: &AbcParams) -> Result<Option<Table>> {
    let source = &params.orders;
    if params.by != AbcBy::Clients
        || params.measure != Measure::Revenue
        || source.from.is_some()
        || source.to.is_some()
        || source.margin.is_some()
    {
        return Ok(None);
    }
    let Some([client, date, amount]) = gapless_columns(table, source) else {
        return Ok(None);
    };
    if !matches!(date.data(), ColumnData::Date(_) | ColumnData::Timestamp(_)) {
        return Ok(None);
    }
    match client.data() {
        ColumnData::UInt64(v) => {
            let v: &[u64] = v;
            dense_sum(table.rows(), |row| v[row], amount, params)
        }
        // Non-negative int64 ids are the same numbers.
        ColumnData::Int64(v) if v.iter().all(|&i| i >= 0) => {
            let v: &[i64] = v;
            dense_sum(table.rows(), |row| v[row] as u64, amount, params)
        }
        _ => Ok(None),
    }
}

/// [`abc_of_dense_ids`] once the ids are readable by row: the amounts read
/// as the lines would read them (one that cannot be read sends the table the
/// usual way, which reports it). The common amount types are read by a
/// closure of their own, so that the pass over the lines makes no call per
/// line; the others go through the lines' reader.
fn dense_sum(
    rows: usize,
    id: impl Fn(usize) -> u64 + Sync,
    amount: &Column,
    params: &AbcParams,
) -> Result<Option<Table>> {
    let digits = params.orders.currency.minor_digits();
    let unit = 10_i64.pow(digits);
    match amount.data() {
        ColumnData::Float64(v) => {
            let v: &[f64] = v;
            dense_sum_with(
                rows,
                id,
                |row| super::orders::float_amount(v[row], unit).ok(),
                params,
            )
        }
        ColumnData::Int64(v) => {
            let v: &[i64] = v;
            dense_sum_with(rows, id, |row| v[row].checked_mul(unit), params)
        }
        ColumnData::Decimal { values, scale } if i64::from(*scale) == i64::from(digits) => {
            let v: &[i128] = values;
            dense_sum_with(rows, id, |row| i64::try_from(v[row]).ok(), params)
        }
        _ => {
            let Ok(read) = super::orders::fixed_reader(amount, digits) else {
                return Ok(None);
            };
            dense_sum_with(rows, id, |row| read(row).ok(), params)
        }
    }
}

/// The row ranges of the parts a pass over `rows` lines is cut into.
fn part_ranges(rows: usize) -> Vec<std::ops::Range<usize>> {
    let size = rows.div_ceil(super::orders::parts_for(rows)).max(1);
    (0..rows)
        .step_by(size)
        .map(|s| s..(s + size).min(rows))
        .collect()
}

/// The lowest of the ids of `rows` lines and the width of their range, when
/// it is not much wider than the lines (at most twice their number, or
/// 65,536) for a slot per id; found on all cores.
pub(super) fn id_range(rows: usize, id: impl Fn(usize) -> u64 + Sync) -> Option<(u64, usize)> {
    let (lo, hi) = over_parts(rows, |range| {
        range
            .map(&id)
            .fold((u64::MAX, 0), |(lo, hi), i| (lo.min(i), hi.max(i)))
    })
    .into_iter()
    .fold((u64::MAX, 0), |(lo, hi), (l, h)| (lo.min(l), hi.max(h)));
    // Compared before adding one: ids 0 and u64::MAX must not wrap around.
    let limit = rows.saturating_mul(2).clamp(1 << 16, 1 << 28) as u64;
    (rows > 0 && hi - lo < limit).then(|| (lo, (hi - lo) as usize + 1))
}

/// The client, date and amount columns `source` names, when the table has
/// all three without an empty cell (what the one-pass routes need).
pub(super) fn gapless_columns<'t>(
    table: &'t Table,
    source: &super::OrderSource,
) -> Option<[&'t Column; 3]> {
    let columns = [
        table.column(&source.client)?,
        table.column(&source.date)?,
        table.column(&source.amount)?,
    ];
    columns
        .iter()
        .all(|c| c.validity().is_none())
        .then_some(columns)
}

/// `each` over the parts of `rows` lines (on all cores with the `parallel`
/// feature), the results in part order.
pub(super) fn over_parts<R: Send>(
    rows: usize,
    each: impl Fn(std::ops::Range<usize>) -> R + Sync + Send,
) -> Vec<R> {
    let ranges = part_ranges(rows);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        ranges.into_par_iter().map(each).collect()
    }
    #[cfg(not(feature = "parallel"))]
    ranges.into_iter().map(each).collect()
}

/// [`dense_sum`] with the amount of each row read by `value` (`None`: the
/// table goes the usual way).
fn dense_sum_with(
    rows: usize,
    id: impl Fn(usize) -> u64 + Sync,
    value: impl Fn(usize) -> Option<i64> + Sync,
    params: &AbcParams,
) -> Result<Option<Table>> {
    let Some((lo, span)) = id_range(rows, &id) else {
        return Ok(None);
    };
    // Per part of the rows: a sum per id, and a bit per id of the ids seen
    // (a bit, so that the flags stay in cache beside the sums), added up after.
    let parts = over_parts(rows, |range| -> Option<(Vec<i64>, Vec<u64>)> {
        let mut sums = vec![0i64; span];
        let mut seen = vec![0u64; span.div_ceil(64)];
        for row in range {
            let slot = (id(row) - lo) as usize;
            sums[slot] = sums[slot].checked_add(value(row)?)?;
            seen[slot / 64] |= 1 << (slot % 64);
        }
        Some((sums, seen))
    });
    let Some(mut parts) = parts.into_iter().collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    let (mut sums, mut seen) = parts.swap_remove(0);
    for (s, f) in parts {
        for (total, add) in sums.iter_mut().zip(&s) {
            let Some(sum) = total.checked_add(*add) else {
                return Ok(None);
            };
            *total = sum;
        }
        for (word, add) in seen.iter_mut().zip(&f) {
            *word |= add;
        }
    }
    // Sorted by total (largest first), then id: both fit in 16 bytes here.
    let mut keyed: Vec<(std::cmp::Reverse<i64>, u64)> = (0..span)
        .filter(|&slot| seen[slot / 64] & (1 << (slot % 64)) != 0)
        .map(|slot| (std::cmp::Reverse(sums[slot]), lo + slot as u64))
        .collect();
    drop((sums, seen));
    sort_distinct(&mut keyed);
    let positive_total: i128 = keyed
        .iter()
        .map(|k| i128::from(k.0 .0))
        .filter(|&t| t > 0)
        .sum();
    let ids: Vec<u64> = keyed.iter().map(|k| k.1).collect();
    let totals: Vec<i128> = keyed.into_iter().map(|k| i128::from(k.0 .0)).collect();
    let order: Vec<u32> = (0..ids.len() as u32).collect();
    let bounds = bounds(&params.thresholds)?;
    let result = ranked(
        order,
        Some(ids),
        totals,
        positive_total,
        &bounds,
        params.mode,
    );
    let digits = params.orders.currency.minor_digits() as i8;
    abc_table(result, None, Some(digits), &bounds).map(Some)
}

/// ABC of order lines already read (`params.orders` is not read again).
///
/// One row per object, largest first: the object (`client`, `product` or
/// `category`), `value` (the measure's total: a decimal, or an int64 count),
/// `share` and `cumulative_share` (float64, 0 to 1, of the positive total),
/// `rank` (int64, from 1) and `class` (text, `A`…). The lines that could
/// not be read are its [`Table::problems`].
pub fn abc_of(orders: &Orders, params: &AbcParams) -> Result<Table> {
    let bounds = bounds(&params.thresholds)?;
    let objects = Objects::of(orders, params.by)?;
    let (values, scale) = line_values(orders, params.measure)?;
    let result = classify_abc(&objects, &values, &bounds, params.mode);
    Ok(abc_table(result, Some(&objects), scale, &bounds)?
        .with_problems(orders.problems().iter().cloned()))
}

/// The table of [`abc_of`]: the objects (their ids, or read from `objects`).
fn abc_table(
    mut result: AbcResult,
    objects: Option<&Objects<'_>>,
    scale: Option<i8>,
    bounds: &[i128],
) -> Result<Table> {
    let total = result.positive_total.max(1) as f64;
    let object = match (result.ids.take(), objects) {
        (Some(ids), objects) => Column::new(
            objects.map_or("client", |o| o.name()),
            ColumnData::UInt64(ids.into()),
            None,
        )?,
        (None, Some(objects)) => result.object_column(objects),
        (None, None) => {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "ABC objects come with their ids or with the lines they were read from",
            ))
        }
    };
    let share = Column::new(
        "share",
        ColumnData::Float64(
            result
                .totals
                .iter()
                .map(|&t| t.max(0) as f64 / total)
                .collect(),
        ),
        None,
    )?;
    let cumulative_share = Column::new(
        "cumulative_share",
        ColumnData::Float64(
            std::mem::take(&mut result.cumulative)
                .into_iter()
                .map(|c| c as f64 / total)
                .collect(),
        ),
        None,
    )?;
    // Decimal totals become the column as they are (no copy).
    let value = match scale {
        Some(scale) => Column::new(
            "value",
            ColumnData::Decimal {
                values: std::mem::take(&mut result.totals).into(),
                scale,
            },
            None,
        )?,
        None => value_column("value", result.totals.iter().copied(), None)?,
    };
    let columns = vec![
        object,
        value,
        share,
        cumulative_share,
        Column::new(
            "rank",
            ColumnData::Int64((1..=result.order.len() as i64).collect()),
            None,
        )?,
        class_column("class", result.classes.iter().copied(), bounds.len())?,
    ];
    Table::new(columns)
}

/// The period a day falls in, as a running index.
fn period_of(day: i32, period: XyzPeriod) -> i64 {
    match period {
        XyzPeriod::Day => i64::from(day),
        // 1970-01-01 was a Thursday: day -3 is a Monday.
        XyzPeriod::Week => i64::from(day + 3).div_euclid(7),
        XyzPeriod::Month | XyzPeriod::Quarter => {
            let date = days_to_date(day).unwrap_or_default();
            let month = i64::from(date.year()) * 12 + i64::from(date.month0());
            if period == XyzPeriod::Month {
                month
            } else {
                month.div_euclid(3)
            }
        }
    }
}

/// XYZ per object: periods, mean, coefficient of variation, class, reason.
struct XyzRow {
    periods: i64,
    mean: f64,
    cv: Option<f64>,
    class: Option<u8>,
    reason: Option<String>,
}

fn check_xyz(min_periods: u32, thresholds: [f64; 2]) -> Result<()> {
    if min_periods < 2 {
        return Err(invalid(
            "min_periods",
            format!("min_periods: {min_periods} is too few for a variation; give at least 2"),
        ));
    }
    if !(thresholds.iter().all(|t| t.is_finite() && *t >= 0.0) && thresholds[0] < thresholds[1]) {
        return Err(invalid(
            "thresholds",
            format!(
                "thresholds: [{}, {}] must be two ascending percents",
                thresholds[0], thresholds[1]
            ),
        ));
    }
    Ok(())
}

fn classify_xyz(
    orders: &Orders,
    objects: &Objects<'_>,
    values: &[i64],
    params: &XyzParams,
) -> Vec<XyzRow> {
    let period = params.period;
    let end_day = match params.orders.to {
        Some(to) => date_to_days(to),
        None => orders.day_range().map_or(0, |(_, last)| last),
    };
    let end = period_of(end_day, period);
    let (offsets, lines) = group_by_code(objects.codes, objects.count);
    let days = orders.days();
    let unit = match period {
        XyzPeriod::Day => "day",
        XyzPeriod::Week => "week",
        XyzPeriod::Month => "month",
        XyzPeriod::Quarter => "quarter",
    };
    map_indices(objects.count, |sums, o| {
        let mine = &lines[offsets[o]..offsets[o + 1]];
        let first = mine
            .iter()
            .map(|&l| period_of(days[l as usize], period))
            .min()
            .unwrap_or(end);
        let periods = (end - first + 1).max(1);
        sums.clear();
        sums.resize(periods as usize, 0);
        for &l in mine {
            let p = (period_of(days[l as usize], period) - first) as usize;
            if p < sums.len() {
                sums[p] = sums[p].saturating_add(values[l as usize]);
            }
        }
        let count = sums.len() as f64;
        let mean = sums.iter().map(|&s| s as f64).sum::<f64>() / count;
        let mut row = XyzRow {
            periods,
            mean,
            cv: None,
            class: None,
            reason: None,
        };
        if periods < i64::from(params.min_periods) {
            row.reason = Some(format!(
                "new: {periods} {unit}{} since the first sale, fewer than the {} needed",
                if periods == 1 { "" } else { "s" },
                params.min_periods
            ));
        } else if mean <= 0.0 {
            row.reason = Some("no positive sales".into());
        } else {
            let variance = sums.iter().map(|&s| (s as f64 - mean).powi(2)).sum::<f64>() / count;
            let cv = variance.sqrt() / mean * 100.0;
            row.cv = Some(cv);
            row.class = Some(if cv <= params.thresholds[0] {
                0
            } else if cv <= params.thresholds[1] {
                1
            } else {
                2
            });
        }
        row
    })
}

fn xyz_name(class: u8) -> &'static str {
    ["X", "Y", "Z"][usize::from(class)]
}

/// XYZ classes: reads the order lines of `rows` and calls [`xyz_of`].
pub fn xyz(rows: Rows<'_>, params: &XyzParams) -> Result<Table> {
    check_xyz(params.min_periods, params.thresholds)?;
    let orders = Orders::read_fields(rows, &params.orders, fields(params.by, params.measure))?;
    xyz_of(&orders, params)
}

/// XYZ of order lines already read (`params.orders.to`, when given, ends
/// the last period; the lines are not read again).
///
/// One row per object, in the order objects first appear: the object,
/// `periods` (int64: from its first sale's period to the last), `mean`
/// (float64, per period, in currency units for money), `cv` (float64,
/// percent, null without a class), `class` (`X`, `Y`, `Z` or null) and
/// `reason` (why there is no class, else null).
pub fn xyz_of(orders: &Orders, params: &XyzParams) -> Result<Table> {
    check_xyz(params.min_periods, params.thresholds)?;
    let objects = Objects::of(orders, params.by)?;
    let (values, scale) = line_values(orders, params.measure)?;
    let rows = classify_xyz(orders, &objects, &values, params);
    let unit = 10f64.powi(i32::from(scale.unwrap_or(0)));
    let order: Vec<usize> = (0..objects.count).collect();
    let columns = vec![
        objects.column(&order),
        Column::from_int64s("periods", rows.iter().map(|r| Some(r.periods))),
        Column::from_float64s("mean", rows.iter().map(|r| Some(r.mean / unit))),
        Column::from_float64s("cv", rows.iter().map(|r| r.cv)),
        Column::from_texts("class", rows.iter().map(|r| r.class.map(xyz_name))),
        Column::from_texts("reason", rows.iter().map(|r| r.reason.as_deref())),
    ];
    Ok(Table::new(columns)?.with_problems(orders.problems().iter().cloned()))
}

/// ABC and XYZ together: reads the order lines of `rows` and calls [`abc_xyz_of`].
pub fn abc_xyz(rows: Rows<'_>, params: &AbcXyzParams) -> Result<Table> {
    let (abc_params, xyz_params) = params.parts();
    bounds(&abc_params.thresholds)?;
    check_xyz(xyz_params.min_periods, xyz_params.thresholds)?;
    let orders = Orders::read_fields(rows, &params.orders, fields(params.by, params.measure))?;
    abc_xyz_of(&orders, params)
}

/// ABC and XYZ of order lines already read: one row per object in ABC rank
/// order: the object, `value`, `rank`, `abc` (`A`…), `cv`, `xyz` (`X`, `Y`,
/// `Z` or null), `cell` (`AX`…, null without an XYZ class) and `reason`
/// (why there is no XYZ class).
pub fn abc_xyz_of(orders: &Orders, params: &AbcXyzParams) -> Result<Table> {
    let (abc_params, xyz_params) = params.parts();
    let bounds = bounds(&abc_params.thresholds)?;
    check_xyz(xyz_params.min_periods, xyz_params.thresholds)?;
    let objects = Objects::of(orders, params.by)?;
    let (values, scale) = line_values(orders, params.measure)?;
    let mut abc = classify_abc(&objects, &values, &bounds, params.mode);
    let xyz = classify_xyz(orders, &objects, &values, &xyz_params);
    let rows: Vec<usize> = abc.order.iter().map(|&o| o as usize).collect();
    let cells: Vec<Option<String>> = rows
        .iter()
        .zip(&abc.classes)
        .map(|(&o, &class)| {
            xyz[o]
                .class
                .map(|x| format!("{}{}", class_name(usize::from(class)), xyz_name(x)))
        })
        .collect();
    let columns = vec![
        abc.object_column(&objects),
        value_column("value", abc.totals.iter().copied(), scale)?,
        Column::from_int64s("rank", (1..=rows.len() as i64).map(Some)),
        class_column("abc", abc.classes.iter().copied(), bounds.len())?,
        Column::from_float64s("cv", rows.iter().map(|&o| xyz[o].cv)),
        Column::from_texts("xyz", rows.iter().map(|&o| xyz[o].class.map(xyz_name))),
        Column::from_texts("cell", cells.iter().map(|c| c.as_deref())),
        Column::from_texts("reason", rows.iter().map(|&o| xyz[o].reason.as_deref())),
    ];
    Ok(Table::new(columns)?.with_problems(orders.problems().iter().cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_exact_and_checked() {
        assert_eq!(bounds(&[80.0, 15.0, 5.0]).unwrap(), vec![8000, 9500, 10000]);
        assert_eq!(bounds(&[75.0, 20.0, 5.0]).unwrap(), vec![7500, 9500, 10000]);
        assert!(bounds(&[80.0, 15.0])
            .unwrap_err()
            .to_string()
            .contains("sum to 95"));
        assert!(bounds(&[100.0]).is_err());
        assert!(bounds(&[f64::NAN, 100.0]).is_err());
    }

    #[test]
    fn zero_totals_are_in_the_last_class() {
        let orders = Orders::from_table(
            &Table::new(vec![
                Column::from_uint64s("client", [Some(1), Some(2)]),
                Column::from_texts("date", [Some("2024-01-01"); 2]),
                Column::from_texts("amount", [Some("0"), Some("-5")]),
            ])
            .unwrap(),
            &OrderSource::default(),
        )
        .unwrap();
        let table = abc_of(&orders, &AbcParams::default()).unwrap();
        let classes: Vec<_> = table.column("class").unwrap().values().collect();
        assert_eq!(
            classes,
            [
                crate::table::Value::Text("C"),
                crate::table::Value::Text("C")
            ]
        );
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn totals_do_not_depend_on_the_thread_count() {
        let lines: usize = (1 << 20) + 7;
        let codes: Vec<u32> = (0..lines).map(|i| (i * 7919 % 1000) as u32).collect();
        let values: Vec<i64> = (0..lines).map(|i| (i as i64 % 201) - 50).collect();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| sum_by_code(&codes, &values, 1000))
        };
        let one = run(1);
        assert_eq!(one, run(3));
        assert_eq!(
            one.iter().sum::<i128>(),
            values.iter().map(|&v| i128::from(v)).sum()
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        let monday = date_to_days(chrono::NaiveDate::from_ymd_opt(2024, 3, 4).unwrap());
        assert_eq!(
            period_of(monday, XyzPeriod::Week),
            period_of(monday + 6, XyzPeriod::Week)
        );
        assert_ne!(
            period_of(monday, XyzPeriod::Week),
            period_of(monday - 1, XyzPeriod::Week)
        );
        assert_eq!(
            period_of(monday, XyzPeriod::Quarter),
            period_of(monday - 63, XyzPeriod::Quarter)
        );
    }
}
