//! RFM: how recently, how often and how much each client bought, scored 1 to
//! 5 and named by a segment map.
//!
//! - **Recency** is the days from a client's last purchase to the analysis
//!   date (`as_of`), **frequency** the number of purchases (days with at
//!   least one order line: a day's lines are one purchase, as in
//!   [`Purchases`](crate::value::Purchases)), **monetary** the sum of the
//!   line amounts in the period (returns, as negative lines, net off).
//! - **Scores by quantiles** (the default): clients are ranked from worst to
//!   best on each measure (recency: the longest ago first; frequency and
//!   monetary: the smallest first), and the client at rank `i` (0-based) of
//!   `n` scores `1 + 5·i / n` (integer division): five groups as equal as
//!   `n` allows, 5 the best. **Ties are broken by the value, then by the
//!   client key** (ids ascending, texts by their bytes): of two clients
//!   with the same value the one with the smaller key ranks lower, so clients
//!   with equal values may straddle a score boundary, and the same data gives
//!   the same scores whatever the input order or thread count (pandas does
//!   the same with `rank(method="first")` after sorting by key).
//!   With fewer than five clients some scores are skipped (three clients
//!   score 1, 2 and 4).
//! - **Scores by bins**: four ascending edges per measure (see [`RfmBins`]).
//! - **Segments** come from the R and F scores through a segment map: an
//!   ordered list of rectangles on the 5×5 R×F grid, the first rectangle
//!   holding a cell naming it. The default is the common grid
//!   ([`DEFAULT_SEGMENTS`]); a map of your own is checked: a cell no segment
//!   covers, or a segment all of whose cells earlier segments take (it can
//!   never be reached), is an error naming them.

use super::orders::{key_ranks, map_indices, sort_distinct, Fields, Orders};
use super::OrderSource;
use crate::capability::Rows;
use crate::error::{Error, ErrorKind, Result};
use crate::table::{date_to_days, days_to_date, Column, ColumnData, Table, TextValues};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Params of [`rfm()`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RfmParams {
    /// Where the order lines are and which count (see [`OrderSource`]).
    pub orders: OrderSource,
    /// The analysis date recency is counted to (default: the day after the
    /// last order line in the period). Lines after it are left out.
    pub as_of: Option<NaiveDate>,
    /// How scores are given: `"quantiles"` (default) or
    /// `{"bins": {"recency": [...], "frequency": [...], "monetary": [...]}}`.
    pub scores: RfmScores,
    /// The segment map (default [`DEFAULT_SEGMENTS`], the common R×F grid).
    pub segments: Option<Vec<SegmentRule>>,
}

impl Default for RfmParams {
    fn default() -> RfmParams {
        RfmParams {
            orders: OrderSource::default(),
            as_of: None,
            scores: RfmScores::Quantiles,
            segments: None,
        }
    }
}

/// How R, F and M scores are given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmScores {
    /// By rank: five groups as equal as the client count allows.
    Quantiles,
    /// By fixed edges.
    Bins(RfmBins),
}

/// Fixed score edges: four ascending edges per measure give scores 1 to 5.
///
/// - recency: a client bought at most `recency[0]` days ago scores 5, at
///   most `recency[1]` days 4, …, more than `recency[3]` days 1;
/// - frequency: fewer than `frequency[0]` purchases scores 1, at least
///   `frequency[0]` 2, …, at least `frequency[3]` 5;
/// - monetary: likewise, in units of the currency (`[1000, 5000, 20000,
///   100000]` rubles).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmBins {
    /// Days, ascending.
    pub recency: Vec<u32>,
    /// Purchase counts, ascending.
    pub frequency: Vec<u64>,
    /// Amounts in currency units, ascending.
    pub monetary: Vec<f64>,
}

/// One segment of a segment map: the R×F cells `r[0]..=r[1]` by
/// `f[0]..=f[1]` named `segment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    /// The segment's name.
    pub segment: String,
    /// The lowest and highest R score.
    pub r: [u8; 2],
    /// The lowest and highest F score.
    pub f: [u8; 2],
}

/// The shipped segment map, the common R×F grid: `(segment, r range, f
/// range)`, every cell covered once.
///
/// | R \ F | 1 | 2 | 3 | 4 | 5 |
/// |---|---|---|---|---|---|
/// | 5 | New | Potential Loyalists | Potential Loyalists | Champions | Champions |
/// | 4 | Promising | Potential Loyalists | Potential Loyalists | Loyal | Loyal |
/// | 3 | About to Sleep | About to Sleep | Need Attention | Loyal | Loyal |
/// | 2 | Hibernating | Hibernating | At Risk | At Risk | Can't Lose Them |
/// | 1 | Hibernating | Hibernating | At Risk | At Risk | Can't Lose Them |
///
/// A map of your own may have a `Lost` cell (say R1 F1) before `Hibernating`.
pub const DEFAULT_SEGMENTS: &[(&str, [u8; 2], [u8; 2])] = &[
    ("Champions", [5, 5], [4, 5]),
    ("Loyal", [3, 4], [4, 5]),
    ("Potential Loyalists", [4, 5], [2, 3]),
    ("New", [5, 5], [1, 1]),
    ("Promising", [4, 4], [1, 1]),
    ("Need Attention", [3, 3], [3, 3]),
    ("About to Sleep", [3, 3], [1, 2]),
    ("At Risk", [1, 2], [3, 4]),
    ("Can't Lose Them", [1, 2], [5, 5]),
    ("Hibernating", [1, 2], [1, 2]),
];

/// The segment of each of the 25 R×F cells (`cells[(r - 1) * 5 + f - 1]`),
/// from `rules` checked.
fn segment_cells(rules: &[SegmentRule]) -> Result<Vec<usize>> {
    let bad =
        |reason: String| Err(Error::new(ErrorKind::InvalidValue, reason).with_field("segments"));
    let mut cells = [usize::MAX; 25];
    let mut unreachable = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        for (what, [lo, hi]) in [("r", rule.r), ("f", rule.f)] {
            if lo < 1 || hi > 5 || lo > hi {
                return bad(format!(
                    "segment {:?}: {what} [{lo}, {hi}] is not a range within 1..5, so it can never be reached",
                    rule.segment
                ));
            }
        }
        let mut reached = false;
        for r in rule.r[0]..=rule.r[1] {
            for f in rule.f[0]..=rule.f[1] {
                let cell = &mut cells[usize::from(r - 1) * 5 + usize::from(f - 1)];
                if *cell == usize::MAX {
                    *cell = i;
                    reached = true;
                }
            }
        }
        if !reached {
            unreachable.push(format!("{:?}", rule.segment));
        }
    }
    if !unreachable.is_empty() {
        return bad(format!(
            "segments {} can never be reached: earlier segments take all their cells",
            unreachable.join(", ")
        ));
    }
    let uncovered: Vec<String> = (0..25)
        .filter(|&c| cells[c] == usize::MAX)
        .map(|c| format!("R{}F{}", c / 5 + 1, c % 5 + 1))
        .collect();
    if !uncovered.is_empty() {
        return bad(format!(
            "cells {} are in no segment; every R×F cell needs one",
            uncovered.join(", ")
        ));
    }
    Ok(cells.to_vec())
}

fn default_rules() -> Vec<SegmentRule> {
    DEFAULT_SEGMENTS
        .iter()
        .map(|(segment, r, f)| SegmentRule {
            segment: segment.to_string(),
            r: *r,
            f: *f,
        })
        .collect()
}

impl RfmParams {
    /// Checks the bins and the segment map; gives the rules and each cell's rule.
    fn checked(&self) -> Result<(Vec<SegmentRule>, Vec<usize>)> {
        if let RfmScores::Bins(bins) = &self.scores {
            let bad = |which: &str, reason: &str| {
                Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("scores.bins.{which}: {reason}"),
                )
                .with_field(format!("scores.bins.{which}")))
            };
            let ascending = |v: &[f64]| v.windows(2).all(|w| w[0] < w[1]);
            for (which, edges) in [
                (
                    "recency",
                    bins.recency
                        .iter()
                        .map(|&d| f64::from(d))
                        .collect::<Vec<_>>(),
                ),
                (
                    "frequency",
                    bins.frequency.iter().map(|&d| d as f64).collect(),
                ),
                ("monetary", bins.monetary.clone()),
            ] {
                if edges.len() != 4 {
                    return bad(which, "give four edges for scores 1 to 5");
                }
                if !edges.iter().all(|e| e.is_finite()) || !ascending(&edges) {
                    return bad(which, "the edges must be finite and strictly ascending");
                }
            }
        }
        let rules = self.segments.clone().unwrap_or_else(default_rules);
        let cells = segment_cells(&rules)?;
        Ok((rules, cells))
    }
}

/// What RFM needs of one client: the last purchase day, the purchase days
/// counted so far, and the amount.
#[derive(Debug, Clone, Copy)]
struct Acc {
    last: i32,
    days: u32,
    sum: i64,
}

/// `(last day, purchase days, amount)` per client, lines after `limit` left
/// out; a client without a line up to `limit` has no purchase days.
///
/// Lines in date order (as exports and queries usually give them) take one
/// pass: a client's new purchase day is a day other than its last. Other
/// lines take a counting sort of each client's days, so that counting the
/// distinct days reads memory in order.
fn client_stats(orders: &Orders, limit: i32) -> Vec<(i32, u32, i64)> {
    let n = orders.clients().len();
    let codes = orders.client_codes();
    let days = orders.days();
    let amounts = orders.amounts();
    let mut acc = vec![
        Acc {
            last: i32::MIN,
            days: 0,
            sum: 0
        };
        n
    ];
    if days.is_sorted() {
        for ((&c, &day), &amount) in codes.iter().zip(days).zip(amounts) {
            if day > limit {
                break;
            }
            let a = &mut acc[c as usize];
            if a.last != day {
                a.days += 1;
                a.last = day;
            }
            a.sum = a.sum.saturating_add(amount);
        }
        return acc.into_iter().map(|a| (a.last, a.days, a.sum)).collect();
    }
    // Here `days` counts lines, until the distinct days replace it.
    for ((&c, &day), &amount) in codes.iter().zip(days).zip(amounts) {
        if day <= limit {
            let a = &mut acc[c as usize];
            a.days += 1;
            a.last = a.last.max(day);
            a.sum = a.sum.saturating_add(amount);
        }
    }
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0usize);
    for a in &acc {
        offsets.push(offsets[offsets.len() - 1] + a.days as usize);
    }
    let mut next = offsets[..n].to_vec();
    let mut grouped = vec![0i32; offsets[n]];
    for (&c, &day) in codes.iter().zip(days) {
        if day <= limit {
            let at = &mut next[c as usize];
            grouped[*at] = day;
            *at += 1;
        }
    }
    drop(next);
    map_indices(n, |scratch, c| {
        let mine = &grouped[offsets[c]..offsets[c + 1]];
        let frequency = if mine.is_sorted() {
            mine.windows(2).filter(|w| w[0] != w[1]).count() as u32 + u32::from(!mine.is_empty())
        } else {
            scratch.clear();
            scratch.extend(mine.iter().map(|&d| i64::from(d)));
            scratch.sort_unstable();
            scratch.windows(2).filter(|w| w[0] != w[1]).count() as u32 + 1
        };
        (acc[c].last, frequency, acc[c].sum)
    })
}

/// RFM scores and segments of every client with a purchase in the period:
/// reads the order lines of `rows` (`params.orders`) and calls [`rfm_of`].
///
/// ```
/// use clientbase::capability::Rows;
/// use clientbase::value::{rfm, RfmParams};
/// use clientbase::{Column, Table};
///
/// let orders = Table::new(vec![
///     Column::from_texts("client", ["А", "Б", "А"].map(Some)),
///     Column::from_texts("date", ["01.03.2024", "05.01.2024", "10.03.2024"].map(Some)),
///     Column::from_texts("amount", ["1 000,00", "500", "250,50"].map(Some)),
/// ])?;
/// let params = RfmParams { as_of: "2024-03-31".parse().ok(), ..RfmParams::default() };
/// let table = rfm(Rows::Table(&orders), &params)?;
/// assert_eq!(table.rows(), 2);
/// let recency = table.column("recency_days").unwrap();
/// assert_eq!(recency.value(0), clientbase::table::Value::Int64(21));
/// # Ok::<(), clientbase::Error>(())
/// ```
pub fn rfm(rows: Rows<'_>, params: &RfmParams) -> Result<Table> {
    params.checked()?;
    let mut source = params.orders.clone();
    if let Some(as_of) = params.as_of {
        source.to = Some(source.to.map_or(as_of, |to| to.min(as_of)));
    }
    if let Rows::Table(table) = rows {
        if let Some(table) = rfm_of_dense_ids(table, &source, params)? {
            return Ok(table);
        }
    }
    let orders = Orders::read_fields(rows, &source, Fields::NONE)?;
    rfm_of(&orders, params)
}

/// RFM of order lines already read; `params.orders` is not read again (its
/// period was applied when the lines were read), but lines after `as_of` are
/// still left out.
///
/// The table has one row per client, in the order clients first appear in
/// the lines: `client` (the key: `uint64` ids or `text`), `last_purchase`
/// (date), `recency_days`, `frequency` (int64), `monetary` (decimal with the
/// currency's digits), `r`, `f`, `m` (int64, 1 to 5), `rfm` (text, `"545"`)
/// and `segment` (text). The lines that could not be read are its
/// [`Table::problems`].
pub fn rfm_of(orders: &Orders, params: &RfmParams) -> Result<Table> {
    let limit = params.as_of.map_or(i32::MAX, date_to_days);
    let as_of = match params.as_of {
        Some(day) => date_to_days(day),
        None => orders.day_range().map_or(0, |(_, last)| last + 1),
    };
    let stats = client_stats(orders, limit);
    Ok(
        rfm_table(orders.clients(), &stats, as_of, orders.currency(), params)?
            .with_problems(orders.problems().iter().cloned()),
    )
}

/// RFM in one pass over the columns, without reading the lines into
/// [`Orders`]: when the client ids are integers in a range not much wider than
/// the lines, the date column holds dates in order (as exports list orders),
/// every client, date and amount cell is there and readable, and no margin is
/// named. Each client's last day, purchase days and total are kept in a slot
/// of its id, on all cores. `None` when the table is not of that kind (or a
/// total would overflow `i64`): then the lines are read as usual, with the
/// same result.
fn rfm_of_dense_ids(
    table: &Table,
    source: &OrderSource,
    params: &RfmParams,
) -> Result<Option<Table>> {
    if source.margin.is_some() {
        return Ok(None);
    }
    let Some([client, date, amount]) = super::abc::gapless_columns(table, source) else {
        return Ok(None);
    };
    let ColumnData::Date(days) = date.data() else {
        return Ok(None);
    };
    let days: &[i32] = days;
    if !days.is_sorted() {
        return Ok(None);
    }
    let digits = source.currency.minor_digits();
    let unit = 10_i64.pow(digits);
    let (from, to) = (
        source.from.map_or(i32::MIN, date_to_days),
        source.to.map_or(i32::MAX, date_to_days),
    );
    // The lines of the period are a run of the days in order.
    let rows = days.partition_point(|&d| d < from)..days.partition_point(|&d| d <= to);
    // The amounts as the lines read them, the common types without a call per line.
    macro_rules! with_amounts {
        ($id:expr) => {
            match amount.data() {
                ColumnData::Float64(v) => {
                    let v: &[f64] = v;
                    dense_stats(rows.clone(), $id, days, |row| {
                        super::orders::float_amount(v[row], unit).ok()
                    })
                }
                ColumnData::Int64(v) => {
                    let v: &[i64] = v;
                    dense_stats(rows.clone(), $id, days, |row| v[row].checked_mul(unit))
                }
                ColumnData::Decimal { values, scale } if i64::from(*scale) == i64::from(digits) => {
                    let v: &[i128] = values;
                    dense_stats(rows.clone(), $id, days, |row| i64::try_from(v[row]).ok())
                }
                _ => {
                    let Ok(read) = super::orders::fixed_reader(amount, digits) else {
                        return Ok(None);
                    };
                    dense_stats(rows.clone(), $id, days, |row| read(row).ok())
                }
            }
        };
    }
    let dense = match client.data() {
        ColumnData::UInt64(v) => {
            let v: &[u64] = v;
            with_amounts!(|row: usize| v[row])
        }
        // Non-negative int64 ids are the same numbers.
        ColumnData::Int64(v) if v.iter().all(|&i| i >= 0) => {
            let v: &[i64] = v;
            with_amounts!(|row: usize| v[row] as u64)
        }
        _ => None,
    };
    let Some((ids, stats)) = dense else {
        return Ok(None);
    };
    let as_of = match params.as_of {
        Some(day) => date_to_days(day),
        // `dense_stats` had lines, so the period is not empty.
        None => days[rows.end - 1] + 1,
    };
    rfm_table(
        &super::ClientKeys::Ids(ids),
        &stats,
        as_of,
        source.currency,
        params,
    )
    .map(Some)
}

/// Per client id seen, in the order of their first lines (as [`Orders`] codes
/// them), its last day, purchase days and total, over the lines `rows` (their
/// days in order), or `None` when there are none, the ids are too sparse, an
/// amount cannot be read or a total overflows.
#[allow(clippy::type_complexity)]
fn dense_stats(
    lines: std::ops::Range<usize>,
    id: impl Fn(usize) -> u64 + Sync,
    days: &[i32],
    value: impl Fn(usize) -> Option<i64> + Sync,
) -> Option<(Vec<u64>, Vec<(i32, u32, i64)>)> {
    let (first, rows) = (lines.start, lines.len());
    if rows == 0 || lines.end > u32::MAX as usize {
        return None;
    }
    let (lo, span) = super::abc::id_range(rows, |r| id(first + r))?;
    /// One part's figures per slot: first and last day (`i32::MIN`: no line),
    /// purchase days, total and first line.
    struct Part {
        first: Vec<i32>,
        last: Vec<i32>,
        days: Vec<u32>,
        sums: Vec<i64>,
        row: Vec<u32>,
    }
    let parts = super::abc::over_parts(rows, |range| -> Option<Part> {
        let mut p = Part {
            first: vec![i32::MIN; span],
            last: vec![i32::MIN; span],
            days: vec![0; span],
            sums: vec![0; span],
            row: vec![0; span],
        };
        let rows = range.start + first..range.end + first;
        for (row, &day) in rows.clone().zip(&days[rows]) {
            let slot = (id(row) - lo) as usize;
            if p.last[slot] != day {
                if p.last[slot] == i32::MIN {
                    p.first[slot] = day;
                    p.row[slot] = row as u32;
                }
                p.last[slot] = day;
                p.days[slot] += 1;
            }
            p.sums[slot] = p.sums[slot].checked_add(value(row)?)?;
        }
        Some(p)
    });
    let mut parts = parts
        .into_iter()
        .collect::<Option<Vec<Part>>>()?
        .into_iter();
    let mut acc = parts.next()?;
    // Parts in row order, so in day order: a client's purchase day that
    // spans two parts is counted once.
    for p in parts {
        for slot in 0..span {
            if p.last[slot] == i32::MIN {
                continue;
            }
            if acc.last[slot] == i32::MIN {
                acc.first[slot] = p.first[slot];
                acc.days[slot] = p.days[slot];
                acc.row[slot] = p.row[slot];
            } else {
                acc.days[slot] += p.days[slot] - u32::from(p.first[slot] == acc.last[slot]);
            }
            acc.last[slot] = p.last[slot];
            acc.sums[slot] = acc.sums[slot].checked_add(p.sums[slot])?;
        }
    }
    let mut order: Vec<(u32, u32)> = (0..span)
        .filter(|&slot| acc.last[slot] != i32::MIN)
        .map(|slot| (acc.row[slot], slot as u32))
        .collect();
    sort_distinct(&mut order);
    let ids = order.iter().map(|&(_, s)| lo + u64::from(s)).collect();
    let stats = order
        .iter()
        .map(|&(_, s)| {
            let s = s as usize;
            (acc.last[s], acc.days[s], acc.sums[s])
        })
        .collect();
    Some((ids, stats))
}

/// The RFM table of clients `keys` with their `(last day, purchase days,
/// total)`, a client without purchase days left out.
fn rfm_table(
    keys: &super::ClientKeys,
    stats: &[(i32, u32, i64)],
    as_of: i32,
    currency: crate::money::Currency,
    params: &RfmParams,
) -> Result<Table> {
    let (rules, cells) = params.checked()?;
    let n = keys.len();
    let clients: Vec<u32> = (0..n as u32).filter(|&c| stats[c as usize].1 > 0).collect();
    let (ranks, by_rank) = key_ranks(keys);
    let scores = |value: &dyn Fn(usize) -> i64| -> Vec<u8> {
        let mut keyed: Vec<(i64, u32)> = clients
            .iter()
            .map(|&c| (value(c as usize), ranks[c as usize]))
            .collect();
        sort_distinct(&mut keyed);
        let mut out = vec![0u8; n];
        let count = keyed.len();
        for (i, &(_, rank)) in keyed.iter().enumerate() {
            out[by_rank[rank as usize] as usize] = (1 + i * 5 / count) as u8;
        }
        out
    };
    let (r, f, m) = match &params.scores {
        RfmScores::Quantiles => (
            scores(&|c| i64::from(stats[c].0)),
            scores(&|c| i64::from(stats[c].1)),
            scores(&|c| stats[c].2),
        ),
        RfmScores::Bins(bins) => {
            let unit = 10f64.powi(currency.minor_digits() as i32);
            let money: Vec<i64> = bins
                .monetary
                .iter()
                .map(|e| (e * unit).round() as i64)
                .collect();
            let mut r = vec![0u8; n];
            let mut f = vec![0u8; n];
            let mut m = vec![0u8; n];
            for &c in &clients {
                let (last, freq, sum) = stats[c as usize];
                let recency = i64::from(as_of) - i64::from(last);
                let c = c as usize;
                r[c] = 5 - bins
                    .recency
                    .iter()
                    .filter(|&&e| recency > i64::from(e))
                    .count() as u8;
                f[c] = 1 + bins
                    .frequency
                    .iter()
                    .filter(|&&e| u64::from(freq) >= e)
                    .count() as u8;
                m[c] = 1 + money.iter().filter(|&&e| sum >= e).count() as u8;
            }
            (r, f, m)
        }
    };
    let pick =
        |v: &[u8]| Column::from_int64s("", clients.iter().map(|&c| Some(i64::from(v[c as usize]))));
    let rows: Vec<usize> = clients.iter().map(|&c| c as usize).collect();
    let mut codes_text = TextValues::with_capacity(rows.len(), rows.len() * 3);
    let mut segment_text = TextValues::with_capacity(rows.len(), rows.len() * 12);
    for &c in &rows {
        let code = [b'0' + r[c], b'0' + f[c], b'0' + m[c]];
        codes_text.push(std::str::from_utf8(&code).unwrap_or("???"));
        let cell = usize::from(r[c] - 1) * 5 + usize::from(f[c] - 1);
        segment_text.push(&rules[cells[cell]].segment);
    }
    let digits = currency.minor_digits() as i8;
    let columns = vec![
        keys.column_of("client", &rows),
        Column::from_dates(
            "last_purchase",
            clients.iter().map(|&c| days_to_date(stats[c as usize].0)),
        ),
        Column::from_int64s(
            "recency_days",
            clients
                .iter()
                .map(|&c| Some(i64::from(as_of) - i64::from(stats[c as usize].0))),
        ),
        Column::from_int64s(
            "frequency",
            clients
                .iter()
                .map(|&c| Some(i64::from(stats[c as usize].1))),
        ),
        Column::new(
            "monetary",
            ColumnData::Decimal {
                values: clients
                    .iter()
                    .map(|&c| i128::from(stats[c as usize].2))
                    .collect(),
                scale: digits,
            },
            None,
        )?,
        pick(&r).renamed("r"),
        pick(&f).renamed("f"),
        pick(&m).renamed("m"),
        Column::new("rfm", ColumnData::Text(codes_text), None)?,
        Column::new("segment", ColumnData::Text(segment_text), None)?,
    ];
    Table::new(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_in_date_order_or_not_give_the_same_stats() {
        let clients = [3u64, 1, 3, 2, 1, 3, 3, 2];
        let dates = [1, 1, 2, 2, 5, 5, 5, 9];
        let amounts = [10, 20, 30, 40, 50, 60, 70, 80];
        let table = |order: &[usize]| {
            Table::new(vec![
                Column::from_uint64s("client", order.iter().map(|&i| Some(clients[i]))),
                Column::new(
                    "date",
                    ColumnData::Date(order.iter().map(|&i| dates[i]).collect()),
                    None,
                )
                .unwrap(),
                Column::from_int64s("amount", order.iter().map(|&i| Some(amounts[i]))),
            ])
            .unwrap()
        };
        let stats = |order: &[usize], limit: i32| {
            let orders = Orders::from_table(&table(order), &OrderSource::default()).unwrap();
            let mut out: Vec<(u64, (i32, u32, i64))> = client_stats(&orders, limit)
                .into_iter()
                .enumerate()
                .map(|(c, s)| match orders.clients() {
                    crate::value::ClientKeys::Ids(ids) => (ids[c], s),
                    _ => unreachable!(),
                })
                .collect();
            out.sort();
            out
        };
        let sorted = [0, 1, 2, 3, 4, 5, 6, 7];
        let shuffled = [7, 2, 5, 0, 6, 3, 1, 4];
        for limit in [i32::MAX, 5, 1] {
            assert_eq!(
                stats(&sorted, limit),
                stats(&shuffled, limit),
                "limit {limit}"
            );
        }
        assert_eq!(
            stats(&sorted, i32::MAX),
            [(1, (5, 2, 7000)), (2, (9, 2, 12000)), (3, (5, 3, 17000))]
        );
    }

    #[test]
    fn the_default_map_covers_every_cell_once() {
        let cells = segment_cells(&default_rules()).unwrap();
        assert_eq!(cells.len(), 25);
        // R5 F5 is Champions, R1 F1 Hibernating, R3 F3 Need Attention.
        assert_eq!(DEFAULT_SEGMENTS[cells[24]].0, "Champions");
        assert_eq!(DEFAULT_SEGMENTS[cells[0]].0, "Hibernating");
        assert_eq!(DEFAULT_SEGMENTS[cells[12]].0, "Need Attention");
    }

    #[test]
    fn a_user_map_is_checked_for_holes_and_dead_segments() {
        let rule = |segment: &str, r: [u8; 2], f: [u8; 2]| SegmentRule {
            segment: segment.into(),
            r,
            f,
        };
        let holes = segment_cells(&[rule("Best", [4, 5], [1, 5]), rule("Rest", [1, 2], [1, 5])])
            .unwrap_err();
        assert!(
            holes
                .to_string()
                .contains("cells R3F1, R3F2, R3F3, R3F4, R3F5 are in no segment"),
            "{holes}"
        );
        let dead = segment_cells(&[rule("All", [1, 5], [1, 5]), rule("Lost", [1, 1], [1, 1])])
            .unwrap_err();
        assert!(
            dead.to_string().contains("\"Lost\" can never be reached"),
            "{dead}"
        );
        let lost_first =
            segment_cells(&[rule("Lost", [1, 1], [1, 1]), rule("All", [1, 5], [1, 5])]);
        assert!(lost_first.is_ok());
        let out_of_range = segment_cells(&[rule("X", [0, 6], [1, 5])]).unwrap_err();
        assert!(out_of_range.to_string().contains("can never be reached"));
    }
}
