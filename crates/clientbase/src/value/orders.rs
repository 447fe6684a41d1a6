//! Order lines as columns: the input of every client-value calculation.
//!
//! [`Orders`] holds one entry per order line in plain vectors: the client as
//! a `u32` index into a dictionary of client keys, the day as days since
//! 1970-01-01, the amount in exact minor units, and optionally the product
//! and category (dictionary-encoded too), the quantity and the margin. Ten
//! million lines are a handful of vectors, never ten million objects.
//!
//! Lines come from an input table (Arrow, a DataFrame, CSV read into a
//! [`Table`]), from a CSV export directly ([`Orders::read_csv`]), or from a
//! base's won deals. The columns are named in an [`OrderSource`]. A line whose
//! client, date, amount, quantity or margin cannot be read is left out and
//! reported as a [`TableProblem`] (where, which field, why); every result
//! table built from the lines carries those problems
//! ([`Table::problems`]).

use crate::base::ClientBase;
use crate::capability::Rows;
use crate::dates::{is_placeholder_date, parse_date};
use crate::deal::DealStatus;
use crate::error::{Error, ErrorKind, Result};
use crate::money::{parse_fixed, Currency};
use crate::table::{
    date_to_days, unknown_column, Column, ColumnData, Element, Table, TableProblem, TextValues,
    Values,
};
use crate::value::{ClientKeys, Purchases};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Where the order lines are and which lines count: the params every
/// client-value capability shares (under the key `orders`).
///
/// The column names apply to an input table; a base's won deals have their
/// own fields (client id, close date, amount or product lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderSource {
    /// The client column (default `client`): integer ids or text keys (a 1C
    /// client code or name). Required.
    pub client: String,
    /// The date column (default `date`): dates, timestamps (the UTC day), or
    /// text as `05.03.2024`, `2024-03-05`, `05.03.2024 0:00:00` (1C). Required;
    /// 1C's empty date `01.01.0001` (and `01.01.1900`) is reported, not read.
    pub date: String,
    /// The amount column (default `amount`): the line's total in `currency`,
    /// as decimals, integers, floats (rounded to the minor unit) or text such
    /// as `1 234,50`. Required.
    pub amount: String,
    /// The product column (default `product`); used when present.
    pub product: String,
    /// The product category column (default `category`); used when present.
    pub category: String,
    /// The quantity column (default `quantity`); used when present. Kept in
    /// thousandths of a unit.
    pub quantity: String,
    /// The margin column (default none): the line's margin in `currency`,
    /// read like `amount`, for ABC on margin.
    pub margin: Option<String>,
    /// Only lines on or after this day (default: from the first line).
    pub from: Option<NaiveDate>,
    /// Only lines on or before this day (default: to the last line).
    pub to: Option<NaiveDate>,
    /// The currency of the amounts (default `RUB`). From a base, won deals
    /// in another currency are reported and left out.
    pub currency: Currency,
}

impl Default for OrderSource {
    fn default() -> OrderSource {
        OrderSource {
            client: "client".into(),
            date: "date".into(),
            amount: "amount".into(),
            product: "product".into(),
            category: "category".into(),
            quantity: "quantity".into(),
            margin: None,
            from: None,
            to: None,
            currency: Currency::RUB,
        }
    }
}

impl OrderSource {
    /// The column names of a 1C sales export: `Контрагент`, `Дата`, `Сумма`,
    /// `Номенклатура`, `Категория`, `Количество` (as the generator's
    /// `write_orders_csv_1c` writes them); the rest as [`OrderSource::default`].
    pub fn one_c() -> OrderSource {
        OrderSource {
            client: "Контрагент".into(),
            date: "Дата".into(),
            amount: "Сумма".into(),
            product: "Номенклатура".into(),
            category: "Категория".into(),
            quantity: "Количество".into(),
            ..OrderSource::default()
        }
    }
}

/// A dictionary that gives keys codes in order of first appearance.
pub(crate) trait KeyIndex<K> {
    fn code(&mut self, key: K, keys: &mut Vec<K>) -> u32;
}

/// Codes for integer client ids: a direct table when the ids span a range
/// not much larger than the lines (ids of a CRM usually do), a hash map
/// otherwise.
pub(crate) enum IdIndex {
    Dense { min: u64, slots: Vec<u32> },
    Hashed(FxHashMap<u64, u32>),
}

impl IdIndex {
    /// An index for `rows` ids within `range` (the smallest and largest).
    pub(crate) fn for_range(range: Option<(u64, u64)>, rows: usize) -> IdIndex {
        match range {
            Some((min, max)) if max - min < 4 * rows as u64 + 1024 => IdIndex::Dense {
                min,
                slots: vec![u32::MAX; (max - min) as usize + 1],
            },
            _ => IdIndex::Hashed(FxHashMap::default()),
        }
    }
}

impl IdIndex {
    /// The code slot of `key` (`u32::MAX` while it has no code).
    #[inline]
    fn slot(&mut self, key: u64) -> &mut u32 {
        match self {
            IdIndex::Dense { min, slots } => match slots.get_mut(key.wrapping_sub(*min) as usize) {
                Some(slot) => slot,
                None => unreachable!("the ids were scanned for their range"),
            },
            IdIndex::Hashed(map) => map.entry(key).or_insert(u32::MAX),
        }
    }
}

impl KeyIndex<u64> for IdIndex {
    #[inline]
    fn code(&mut self, key: u64, keys: &mut Vec<u64>) -> u32 {
        let slot = self.slot(key);
        if *slot == u32::MAX {
            *slot = keys.len() as u32;
            keys.push(key);
        }
        *slot
    }
}

/// Codes for integer keys that may be missing: an [`IdIndex`] and one code
/// for the missing key.
struct OptionIds {
    ids: IdIndex,
    missing: u32,
}

impl KeyIndex<Option<u64>> for OptionIds {
    #[inline]
    fn code(&mut self, key: Option<u64>, keys: &mut Vec<Option<u64>>) -> u32 {
        let slot = match key {
            Some(id) => self.ids.slot(id),
            None => &mut self.missing,
        };
        if *slot == u32::MAX {
            *slot = keys.len() as u32;
            keys.push(key);
        }
        *slot
    }
}

impl<K: std::hash::Hash + Eq + Copy> KeyIndex<K> for FxHashMap<K, u32> {
    #[inline]
    fn code(&mut self, key: K, keys: &mut Vec<K>) -> u32 {
        *self.entry(key).or_insert_with(|| {
            keys.push(key);
            keys.len() as u32 - 1
        })
    }
}

/// Rows read per task when a column is read on all cores.
const ROWS_PER_TASK: usize = 1 << 16;

/// How many parts to cut `rows` into for coding keys: one per thread with the
/// `parallel` feature (when there are enough rows), else one.
pub(crate) fn parts_for(rows: usize) -> usize {
    #[cfg(feature = "parallel")]
    if rows >= 4 * ROWS_PER_TASK {
        return rayon::current_num_threads().max(1);
    }
    let _ = rows;
    1
}

/// `each(start, part)` for `out` cut into parts of `size` rows (the last may
/// be shorter), `start` being the part's first row; on all cores with the
/// `parallel` feature. The results are in part order.
fn each_part<T: Send, R: Send>(
    out: &mut [T],
    size: usize,
    each: impl Fn(usize, &mut [T]) -> R + Sync + Send,
) -> Vec<R> {
    let size = size.max(1);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        out.par_chunks_mut(size)
            .enumerate()
            .map(|(n, part)| each(n * size, part))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    out.chunks_mut(size)
        .enumerate()
        .map(|(n, part)| each(n * size, part))
        .collect()
}

/// `each(range)` for `0..rows` cut into ranges of `size`, on all cores with
/// the `parallel` feature; the results in range order.
pub(crate) fn each_range<R: Send>(
    rows: usize,
    size: usize,
    each: impl Fn(std::ops::Range<usize>) -> R + Sync + Send,
) -> Vec<R> {
    let size = size.max(1);
    let ranges = (0..rows.div_ceil(size)).map(|n| n * size..((n + 1) * size).min(rows));
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        ranges
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(each)
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    ranges.map(each).collect()
}

/// The rows kept: all of them (`mask` none) or those whose mask is true.
pub(crate) struct Kept {
    pub(crate) mask: Option<Vec<bool>>,
    pub(crate) count: usize,
}

impl Kept {
    #[inline]
    pub(crate) fn keeps(&self, row: usize) -> bool {
        self.mask.as_ref().is_none_or(|mask| mask[row])
    }

    /// The kept rows' values.
    pub(crate) fn select_values<T: Element>(&self, values: Values<T>) -> Values<T> {
        match &self.mask {
            None => values,
            Some(mask) => values
                .iter()
                .zip(mask)
                .filter(|(_, keep)| **keep)
                .map(|(v, _)| *v)
                .collect(),
        }
    }

    /// The kept rows of `values`.
    pub(crate) fn select<T: Copy>(&self, values: Vec<T>) -> Vec<T> {
        match &self.mask {
            None => values,
            Some(mask) => {
                let mut out = Vec::with_capacity(self.count);
                out.extend(
                    values
                        .iter()
                        .zip(mask)
                        .filter(|(_, keep)| **keep)
                        .map(|(v, _)| *v),
                );
                out
            }
        }
    }
}

/// Codes the keys of the kept rows in order of first appearance: each kept
/// row's code and the distinct keys. With the `parallel` feature each part
/// of the rows is coded on its own, then the parts' keys are coded again in
/// part order (which keeps the order of first appearance) and each part's
/// codes mapped: the codes are the same whatever the thread count.
/// `index(rows)` makes an empty index for coding that many rows.
pub(crate) fn code_rows<K, I>(
    rows: usize,
    kept: &Kept,
    key: impl Fn(usize) -> K + Sync + Send,
    index: impl Fn(usize) -> I + Sync + Send,
) -> (Vec<u32>, Vec<K>)
where
    K: Copy + Send + Sync,
    I: KeyIndex<K>,
{
    let size = rows.div_ceil(parts_for(rows)).max(1);
    let counts: Vec<usize> = each_range(rows, size, |range| match &kept.mask {
        None => range.len(),
        Some(mask) => mask[range].iter().filter(|&&keep| keep).count(),
    });
    let mut codes = vec![0u32; kept.count];
    let mut parts: Vec<(usize, &mut [u32])> = Vec::with_capacity(counts.len());
    let mut rest = &mut codes[..];
    for (n, &count) in counts.iter().enumerate() {
        let (part, after) = rest.split_at_mut(count);
        parts.push((n * size, part));
        rest = after;
    }
    let code_part = |(start, out): (usize, &mut [u32])| {
        let end = (start + size).min(rows);
        let mut index = index(end - start);
        let mut keys = Vec::new();
        let mut out = out.iter_mut();
        for row in start..end {
            if kept.keeps(row) {
                if let Some(slot) = out.next() {
                    *slot = index.code(key(row), &mut keys);
                }
            }
        }
        keys
    };
    #[cfg(feature = "parallel")]
    let mut locals: Vec<Vec<K>> = {
        use rayon::prelude::*;
        parts.into_par_iter().map(code_part).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let mut locals: Vec<Vec<K>> = parts.into_iter().map(code_part).collect();
    if locals.len() <= 1 {
        return (codes, locals.pop().unwrap_or_default());
    }
    let mut global = index(rows);
    let mut keys = Vec::new();
    let maps: Vec<Vec<u32>> = locals
        .iter()
        .map(|local| local.iter().map(|&k| global.code(k, &mut keys)).collect())
        .collect();
    drop(locals);
    // The first part's codes are already the global ones.
    let mut rest = &mut codes[counts[0]..];
    let mut parts: Vec<(&[u32], &mut [u32])> = Vec::with_capacity(counts.len() - 1);
    for (map, &count) in maps.iter().zip(&counts).skip(1) {
        let (part, after) = rest.split_at_mut(count);
        parts.push((map, part));
        rest = after;
    }
    let remap = |(map, out): (&[u32], &mut [u32])| {
        for code in out {
            *code = map[*code as usize];
        }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        parts.into_par_iter().for_each(remap);
    }
    #[cfg(not(feature = "parallel"))]
    parts.into_iter().for_each(remap);
    (codes, keys)
}

/// The smallest and largest of the kept rows' `ids`.
pub(crate) fn id_range(
    ids: impl Fn(usize) -> u64 + Sync + Send,
    rows: usize,
    kept: &Kept,
) -> Option<(u64, u64)> {
    each_range(rows, ROWS_PER_TASK, |range| {
        range
            .filter(|&row| kept.keeps(row))
            .map(&ids)
            .fold(None, |acc: Option<(u64, u64)>, id| match acc {
                None => Some((id, id)),
                Some((lo, hi)) => Some((lo.min(id), hi.max(id))),
            })
    })
    .into_iter()
    .flatten()
    .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

/// Which optional columns to read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// Whether the days are kept: without, a date column of dates or
    /// timestamps is only checked for empty cells (unless `from` or `to`
    /// asks for days), and [`Orders::days`] is empty.
    pub(crate) days: bool,
    pub(crate) product: bool,
    pub(crate) category: bool,
    pub(crate) quantity: bool,
}

impl Fields {
    pub(crate) const ALL: Fields = Fields {
        days: true,
        product: true,
        category: true,
        quantity: true,
    };
    pub(crate) const NONE: Fields = Fields {
        days: true,
        product: false,
        category: false,
        quantity: false,
    };
}

/// Texts encoded as `u32` codes into a dictionary of distinct values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coded {
    /// The distinct values, in order of first appearance.
    pub values: TextValues,
    /// Each line's code: an index into `values`.
    pub codes: Vec<u32>,
}

impl Coded {
    fn push(&mut self, index: &mut FxHashMap<Box<str>, u32>, text: &str) {
        let code = match index.get(text) {
            Some(&code) => code,
            None => {
                let code = self.values.len() as u32;
                self.values.push(text);
                index.insert(text.into(), code);
                code
            }
        };
        self.codes.push(code);
    }
}

/// Order lines in columns: see the [module docs](self).
#[derive(Debug, Clone, PartialEq)]
pub struct Orders {
    clients: ClientKeys,
    client: Vec<u32>,
    day: Values<i32>,
    amount: Vec<i64>,
    quantity: Option<Vec<i64>>,
    margin: Option<Vec<i64>>,
    product: Option<Coded>,
    category: Option<Coded>,
    currency: Currency,
    problems: Vec<TableProblem>,
}

fn problem(line: String, field: &str, reason: impl Into<String>) -> TableProblem {
    TableProblem {
        line,
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// A column read into values, with the rows that could not be read.
pub(crate) struct Read<T> {
    pub(crate) values: Vec<T>,
    pub(crate) bad: Vec<(usize, String)>,
}

/// Reads every row of `column` with `each` (a null is "empty"), on all cores
/// with the `parallel` feature; the bad rows in row order.
fn read_rows<T: Default + Clone + Send>(
    column: &Column,
    each: impl Fn(usize) -> std::result::Result<T, String> + Sync + Send,
) -> Read<T> {
    let validity = column.validity();
    let mut values = vec![T::default(); column.len()];
    let bad = each_part(&mut values, ROWS_PER_TASK, |start, out| {
        let mut bad = Vec::new();
        for (i, slot) in (start..).zip(out.iter_mut()) {
            if validity.is_some_and(|valid| !valid[i]) {
                bad.push((i, "empty".to_string()));
                continue;
            }
            match each(i) {
                Ok(v) => *slot = v,
                Err(reason) => bad.push((i, reason)),
            }
        }
        bad
    })
    .concat();
    Read { values, bad }
}

pub(crate) fn wrong_type(column: &Column, wants: &str) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!(
            "column {:?} is {}; it must hold {wants}",
            column.name(),
            column.column_type()
        ),
    )
    .with_field(column.name().to_string())
}

/// Reads days: date columns, timestamps (their UTC day) and text.
pub(crate) fn read_days(column: &Column) -> Result<Read<i32>> {
    Ok(read_rows(column, day_reader(column)?))
}

/// Reads the days of `rows` of `column` (see [`read_days`]), on all cores
/// with the `parallel` feature: each row's day (`missing` for an empty or
/// unreadable cell) and the unreadable cells that are not empty, with their
/// rows and reasons, in the order of `rows`.
pub(crate) fn read_days_at(column: &Column, rows: &[u32], missing: i32) -> Result<Read<i32>> {
    let day = day_reader(column)?;
    let validity = column.validity();
    let mut values = vec![missing; rows.len()];
    let bad = each_part(&mut values, ROWS_PER_TASK, |start, out| {
        let mut bad = Vec::new();
        for (&row, slot) in rows[start..].iter().zip(out.iter_mut()) {
            let i = row as usize;
            if validity.is_some_and(|valid| !valid[i]) {
                continue;
            }
            match day(i) {
                Ok(v) => *slot = v,
                Err(reason) if reason == "empty" => {}
                Err(reason) => bad.push((i, reason)),
            }
        }
        bad
    })
    .concat();
    Ok(Read { values, bad })
}

/// How to read row `i` of a column of dates, timestamps or text as a day;
/// a column of another type is an error naming it.
type DayReader<'c> = Box<dyn Fn(usize) -> std::result::Result<i32, String> + Sync + Send + 'c>;

fn day_reader(column: &Column) -> Result<DayReader<'_>> {
    Ok(match column.data() {
        ColumnData::Date(v) => Box::new(move |i| Ok(v[i])),
        ColumnData::Timestamp(v) => Box::new(move |i| Ok(v[i].div_euclid(86_400_000_000) as i32)),
        ColumnData::Text(t) => Box::new(move |i| match parse_date(t.get(i)) {
            Ok(date) if is_placeholder_date(date) => Err(format!(
                "{:?} is the empty date of 1C or a spreadsheet, not a day",
                t.get(i).trim()
            )),
            Ok(date) => Ok(date_to_days(date)),
            Err(reason) => Err(reason),
        }),
        _ => return Err(wrong_type(column, "dates or text")),
    })
}

/// A float amount in minor units (`unit` of them to one), rounded.
pub(crate) fn float_amount(value: f64, unit: i64) -> std::result::Result<i64, String> {
    let x = value * unit as f64;
    if x.is_nan() || x.abs() >= 9.0e18 {
        return Err(format!("{value} is not a finite amount"));
    }
    // `f64::round` (half away from zero) without its library call, which a
    // build for the baseline x86-64 makes once per line: below 2^53 the
    // truncation and the fraction are exact, above it `x` is whole.
    let whole = x as i64;
    let fraction = x - whole as f64;
    Ok(if fraction >= 0.5 {
        whole + 1
    } else if fraction <= -0.5 {
        whole - 1
    } else {
        whole
    })
}

fn too_large() -> String {
    "the number is too large".to_string()
}

/// Reads fixed-point numbers with `digits` decimals: decimals (exact),
/// integers, floats (rounded) and text (`1 234,50`, `1234.5`, `1 234,50 ₽`).
pub(crate) fn read_fixed(column: &Column, digits: u32) -> Result<Read<i64>> {
    Ok(read_rows(column, fixed_reader(column, digits)?))
}

/// How to read row `i` of `column` as a fixed-point number with `digits`
/// decimals (see [`read_fixed`]); the column's type decides once.
pub(crate) type FixedReader<'c> =
    Box<dyn Fn(usize) -> std::result::Result<i64, String> + Sync + Send + 'c>;

/// The reader of [`read_fixed`] for `column`; a column of another type is an
/// error naming it.
pub(crate) fn fixed_reader(column: &Column, digits: u32) -> Result<FixedReader<'_>> {
    let unit = 10_i64.pow(digits);
    Ok(match column.data() {
        ColumnData::Decimal { values, scale } => {
            // Slices taken once: the closures run once per line.
            let values: &[i128] = values;
            let shift = i32::try_from(digits).unwrap_or(0) - i32::from(*scale);
            match 10_i128.checked_pow(shift.unsigned_abs()) {
                None => Box::new(move |_| Err(too_large())),
                Some(1) => Box::new(move |i| i64::try_from(values[i]).map_err(|_| too_large())),
                Some(m) if shift > 0 => Box::new(move |i| {
                    m.checked_mul(values[i])
                        .and_then(|v| i64::try_from(v).ok())
                        .ok_or_else(too_large)
                }),
                Some(d) => Box::new(move |i| {
                    let v = values[i];
                    if v % d != 0 {
                        return Err(format!("more than {digits} decimal places"));
                    }
                    i64::try_from(v / d).map_err(|_| too_large())
                }),
            }
        }
        ColumnData::Int64(v) => {
            let v: &[i64] = v;
            Box::new(move |i| v[i].checked_mul(unit).ok_or_else(too_large))
        }
        ColumnData::UInt64(v) => {
            let v: &[u64] = v;
            Box::new(move |i| {
                i64::try_from(v[i])
                    .ok()
                    .and_then(|v| v.checked_mul(unit))
                    .ok_or_else(too_large)
            })
        }
        ColumnData::Float64(v) => {
            let v: &[f64] = v;
            Box::new(move |i| float_amount(v[i], unit))
        }
        ColumnData::Text(t) => Box::new(move |i| {
            let text = t.get(i).trim();
            parse_fixed(text, digits).or_else(|reason| {
                // `1 234,50 ₽`, `1 234,50 руб.`: a currency after the number.
                let number = text.trim_end_matches(|c: char| !c.is_ascii_digit());
                if number.len() < text.len() && !number.is_empty() {
                    parse_fixed(number, digits).map_err(|r| format!("{text:?}: {r}"))
                } else {
                    Err(format!("{text:?}: {reason}"))
                }
            })
        }),
        _ => return Err(wrong_type(column, "numbers or text")),
    })
}

/// The empty (null) rows of `column`.
fn empty_rows(column: &Column) -> Vec<(usize, String)> {
    let Some(validity) = column.validity() else {
        return Vec::new();
    };
    each_range(column.len(), ROWS_PER_TASK, |range| {
        range
            .filter(|&i| !validity[i])
            .map(|i| (i, "empty".to_string()))
            .collect::<Vec<_>>()
    })
    .concat()
}

/// The rows whose client is empty or not a client id (a negative integer).
fn client_problems(column: &Column) -> Vec<(usize, String)> {
    let validity = column.validity();
    let null = |i: usize| validity.is_some_and(|valid| !valid[i]);
    let scan = |each: &(dyn Fn(usize) -> Option<String> + Sync)| {
        each_range(column.len(), ROWS_PER_TASK, |range| {
            range
                .filter_map(|i| each(i).map(|reason| (i, reason)))
                .collect::<Vec<_>>()
        })
        .concat()
    };
    match column.data() {
        ColumnData::Text(t) => {
            scan(&|i| (null(i) || t.get(i).trim().is_empty()).then(|| "empty".to_string()))
        }
        ColumnData::Int64(v) => scan(&|i| {
            if null(i) {
                Some("empty".to_string())
            } else {
                (v[i] < 0).then(|| format!("{} is not a client id", v[i]))
            }
        }),
        _ => scan(&|i| null(i).then(|| "empty".to_string())),
    }
}

/// Codes a product or category column: texts trimmed, integers written
/// out, a null as empty text.
pub(crate) fn code_texts(column: &Column, rows: usize, kept: &Kept) -> Coded {
    let validity = column.validity();
    let null = move |i: usize| validity.is_some_and(|valid| !valid[i]);
    let (codes, values) = match column.data() {
        ColumnData::Text(t) => {
            let (codes, keys) = code_rows(
                rows,
                kept,
                |i| if null(i) { "" } else { t.get(i).trim() },
                |_| FxHashMap::<&str, u32>::default(),
            );
            let mut values = TextValues::default();
            for key in keys {
                values.push(key);
            }
            (codes, values)
        }
        ColumnData::Int64(v) => {
            let (codes, keys) = code_ids(rows, kept, |i| (!null(i)).then(|| v[i] as u64));
            numbers_coded(codes, keys.into_iter().map(|k| k.map(|id| id as i64)))
        }
        ColumnData::UInt64(v) => {
            let (codes, keys) = code_ids(rows, kept, |i| (!null(i)).then(|| v[i]));
            numbers_coded(codes, keys)
        }
        _ => unreachable!("the column types were checked"),
    };
    Coded { values, codes }
}

/// Codes integer keys (`None`: missing) through a direct table when the
/// kept ones span a range not much larger than the rows, else a hash map.
fn code_ids(
    rows: usize,
    kept: &Kept,
    key: impl Fn(usize) -> Option<u64> + Sync + Send,
) -> (Vec<u32>, Vec<Option<u64>>) {
    // A missing key counts as 0 here: it can only widen the range.
    let range = id_range(|r| key(r).unwrap_or(0), rows, kept);
    code_rows(rows, kept, &key, |n| OptionIds {
        ids: IdIndex::for_range(range, n),
        missing: u32::MAX,
    })
}

/// Integer codes written out as texts (a missing key as empty text).
fn numbers_coded<N: std::fmt::Display>(
    codes: Vec<u32>,
    keys: impl IntoIterator<Item = Option<N>>,
) -> (Vec<u32>, TextValues) {
    use std::fmt::Write;
    let mut values = TextValues::default();
    let mut text = String::new();
    for key in keys {
        text.clear();
        if let Some(n) = key {
            let _ = write!(text, "{n}");
        }
        values.push(&text);
    }
    (codes, values)
}

/// Where line `row` (0-based) of the input was, for problems.
struct Lines<'a>(Option<&'a [u64]>);

impl Lines<'_> {
    fn of(&self, row: usize) -> String {
        match self.0 {
            Some(lines) => lines
                .get(row)
                .copied()
                .unwrap_or(row as u64 + 1)
                .to_string(),
            None => (row + 1).to_string(),
        }
    }
}

impl Orders {
    /// Reads the order lines of `rows`: an input table's columns named in
    /// `source`, or a base's won deals. See [`Orders::from_table`] and
    /// [`Orders::from_base`].
    pub fn read(rows: Rows<'_>, source: &OrderSource) -> Result<Orders> {
        Orders::read_fields(rows, source, Fields::ALL)
    }

    /// [`Orders::read`], reading from a table only the optional columns a
    /// calculation needs.
    pub(crate) fn read_fields(
        rows: Rows<'_>,
        source: &OrderSource,
        fields: Fields,
    ) -> Result<Orders> {
        match rows {
            Rows::Table(table) => Orders::from_table_lines(table, source, None, fields),
            Rows::Base(base) => Orders::from_base(base, source),
        }
    }

    /// Reads the order lines of an input table. The client, date and amount
    /// columns must be there (a missing one is an [`ErrorKind::UnknownField`]
    /// error listing the columns); product, category and quantity are read
    /// when there, and the margin when named. A line with an empty or
    /// unreadable client, date, amount, quantity or margin is left out and
    /// reported ([`Orders::problems`], line = the 1-based row); an empty
    /// product or category is read as empty text. Lines outside
    /// `from`..=`to` are left out without a problem: they are not asked for.
    pub fn from_table(table: &Table, source: &OrderSource) -> Result<Orders> {
        Orders::from_table_lines(table, source, None, Fields::ALL)
    }

    pub(crate) fn from_table_lines(
        table: &Table,
        source: &OrderSource,
        lines: Option<&[u64]>,
        fields: Fields,
    ) -> Result<Orders> {
        let lines = Lines(lines);
        let product_col = table.column(&source.product).filter(|_| fields.product);
        let category_col = table.column(&source.category).filter(|_| fields.category);
        let need = |name: &str| {
            table
                .column(name)
                .ok_or_else(|| unknown_column(name, table.column_names()).with_field(name))
        };
        let client_col = need(&source.client)?;
        let date_col = need(&source.date)?;
        let amount_col = need(&source.amount)?;
        let margin_col = match &source.margin {
            Some(name) => Some(need(name)?),
            None => None,
        };
        let digits = source.currency.minor_digits();
        let filtered = source.from.is_some() || source.to.is_some();
        // Days without a gap are the column's own values: shared, not copied,
        // when the table was read from Arrow.
        let (day_values, days_bad): (Values<i32>, Vec<(usize, String)>) = match date_col.data() {
            ColumnData::Date(_) | ColumnData::Timestamp(_) if !fields.days && !filtered => {
                (Values::default(), empty_rows(date_col))
            }
            ColumnData::Date(v) if date_col.validity().is_none() => (v.clone(), Vec::new()),
            _ => {
                let read = read_days(date_col)?;
                (read.values.into(), read.bad)
            }
        };
        let amounts = read_fixed(amount_col, digits)?;
        let margins = margin_col.map(|c| read_fixed(c, digits)).transpose()?;
        let quantity_col = table.column(&source.quantity).filter(|_| fields.quantity);
        let quantities = quantity_col.map(|c| read_fixed(c, 3)).transpose()?;
        if !matches!(
            client_col.data(),
            ColumnData::Text(_) | ColumnData::Int64(_) | ColumnData::UInt64(_)
        ) {
            return Err(wrong_type(client_col, "integer ids or text keys"));
        }
        for c in [product_col, category_col].into_iter().flatten() {
            if !matches!(
                c.data(),
                ColumnData::Text(_) | ColumnData::Int64(_) | ColumnData::UInt64(_)
            ) {
                return Err(wrong_type(c, "text or integer codes"));
            }
        }

        // One problem per bad row: the first of date, amount, margin,
        // quantity and client that could not be read.
        let rows = table.rows();
        let clients_bad = client_problems(client_col);
        let mut noted: Vec<(&[(usize, String)], &str)> =
            vec![(&days_bad, &source.date), (&amounts.bad, &source.amount)];
        if let (Some(m), Some(name)) = (&margins, &source.margin) {
            noted.push((&m.bad, name));
        }
        if let Some(q) = &quantities {
            noted.push((&q.bad, &source.quantity));
        }
        noted.push((&clients_bad, &source.client));
        let mut bad: Vec<(usize, usize, &str, &str)> = Vec::new();
        for (order, (rows, field)) in noted.into_iter().enumerate() {
            for (row, reason) in rows {
                bad.push((*row, order, field, reason));
            }
        }
        bad.sort_unstable_by_key(|&(row, order, _, _)| (row, order));
        bad.dedup_by_key(|(row, _, _, _)| *row);
        let problems: Vec<TableProblem> = bad
            .iter()
            .map(|&(row, _, field, reason)| problem(lines.of(row), field, reason))
            .collect();

        let from = source.from.map_or(i32::MIN, date_to_days);
        let to = source.to.map_or(i32::MAX, date_to_days);
        let kept = if bad.is_empty() && !filtered {
            Kept {
                mask: None,
                count: rows,
            }
        } else {
            let mut mask = vec![true; rows];
            if filtered {
                let day = &day_values;
                each_part(&mut mask, ROWS_PER_TASK, |start, out| {
                    for (keep, d) in out.iter_mut().zip(&day[start..]) {
                        *keep = (from..=to).contains(d);
                    }
                });
            }
            for &(row, ..) in &bad {
                mask[row] = false;
            }
            let count = mask.iter().filter(|&&keep| keep).count();
            Kept {
                mask: Some(mask),
                count,
            }
        };
        drop(bad);

        let (client, clients) = match client_col.data() {
            ColumnData::Text(t) => {
                let (codes, keys) = code_rows(
                    rows,
                    &kept,
                    |row| t.get(row).trim(),
                    |_| FxHashMap::<&str, u32>::default(),
                );
                let mut texts = TextValues::default();
                for key in keys {
                    texts.push(key);
                }
                (codes, ClientKeys::Texts(texts))
            }
            ColumnData::UInt64(v) => {
                let v: &[u64] = v;
                let range = id_range(|row| v[row], rows, &kept);
                let (codes, keys) =
                    code_rows(rows, &kept, |row| v[row], |n| IdIndex::for_range(range, n));
                (codes, ClientKeys::Ids(keys))
            }
            ColumnData::Int64(v) => {
                let v: &[i64] = v;
                let range = id_range(|row| v[row] as u64, rows, &kept);
                let (codes, keys) = code_rows(
                    rows,
                    &kept,
                    |row| v[row] as u64,
                    |n| IdIndex::for_range(range, n),
                );
                (codes, ClientKeys::Ids(keys))
            }
            _ => unreachable!("the client column's type was checked"),
        };
        Ok(Orders {
            clients,
            client,
            day: kept.select_values(day_values),
            amount: kept.select(amounts.values),
            quantity: quantities.map(|q| kept.select(q.values)),
            margin: margins.map(|m| kept.select(m.values)),
            product: product_col.map(|c| code_texts(c, rows, &kept)),
            category: category_col.map(|c| code_texts(c, rows, &kept)),
            currency: source.currency,
            problems,
        })
    }
    /// Reads a base's won deals as order lines: the client's id, the day the
    /// deal was closed (UTC) and, for a deal with product lines, one order
    /// line per product line (its total, product, category and quantity);
    /// for a deal without, one line of the deal's amount (empty product and
    /// category, quantity 1). Recurring deals (subscriptions) are left out,
    /// as in [`sales_summary`](crate::sales::sales_summary). A won deal
    /// without a close date, in another currency, or with a line whose total
    /// overflows is reported and left out. A base's deals have no margin:
    /// asking for one is an error.
    pub fn from_base(base: &ClientBase, source: &OrderSource) -> Result<Orders> {
        if let Some(margin) = &source.margin {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("a base's deals have no margin column {margin:?}"),
            )
            .with_field("margin"));
        }
        let from = source.from.map_or(i32::MIN, date_to_days);
        let to = source.to.map_or(i32::MAX, date_to_days);
        let mut orders = Orders {
            clients: ClientKeys::Ids(Vec::new()),
            client: Vec::new(),
            day: Values::default(),
            amount: Vec::new(),
            quantity: Some(Vec::new()),
            margin: None,
            product: Some(Coded::default()),
            category: Some(Coded::default()),
            currency: source.currency,
            problems: Vec::new(),
        };
        let mut index: FxHashMap<u64, u32> = FxHashMap::default();
        let mut keys = Vec::new();
        let mut product_index = FxHashMap::default();
        let mut category_index = FxHashMap::default();
        for deal in base.deals() {
            if deal.status != DealStatus::Won || deal.recurrence.is_some() {
                continue;
            }
            let at = format!("deal {}", deal.id.get());
            let Some(closed) = deal.closed_at else {
                orders
                    .problems
                    .push(problem(at, "closed_at", "won without a close date"));
                continue;
            };
            if deal.amount.currency() != source.currency {
                orders.problems.push(problem(
                    at,
                    "amount",
                    format!(
                        "in {}, the calculation is in {}",
                        deal.amount.currency(),
                        source.currency
                    ),
                ));
                continue;
            }
            let day = date_to_days(closed.date_naive());
            if !(from..=to).contains(&day) {
                continue;
            }
            let mut parts: Vec<(i64, &str, &str, i64)> = Vec::new();
            if deal.lines.is_empty() {
                parts.push((deal.amount.minor(), "", "", 1000));
            } else {
                let mut failed = None;
                for (n, line) in deal.lines.iter().enumerate() {
                    match line.total() {
                        Ok(total) if total.currency() == source.currency => parts.push((
                            total.minor(),
                            &line.product,
                            line.category.as_deref().unwrap_or(""),
                            line.quantity.milli(),
                        )),
                        Ok(total) => {
                            failed = Some((n, format!("line in {}", total.currency())));
                            break;
                        }
                        Err(err) => {
                            failed = Some((n, err.reason().to_string()));
                            break;
                        }
                    }
                }
                if let Some((n, reason)) = failed {
                    orders
                        .problems
                        .push(problem(at, &format!("lines[{n}]"), reason));
                    continue;
                }
            }
            let key = deal.client.get();
            let code = *index.entry(key).or_insert_with(|| {
                keys.push(key);
                keys.len() as u32 - 1
            });
            for (amount, product, category, quantity) in parts {
                orders.client.push(code);
                orders.day.to_mut().push(day);
                orders.amount.push(amount);
                if let Some(q) = &mut orders.quantity {
                    q.push(quantity);
                }
                if let Some(p) = &mut orders.product {
                    p.push(&mut product_index, product);
                }
                if let Some(c) = &mut orders.category {
                    c.push(&mut category_index, category);
                }
            }
        }
        orders.clients = ClientKeys::Ids(keys);
        Ok(orders)
    }

    /// How many order lines were kept.
    pub fn len(&self) -> usize {
        self.client.len()
    }

    /// Whether no line was kept.
    pub fn is_empty(&self) -> bool {
        self.client.is_empty()
    }

    /// The distinct clients, in order of first appearance; line `i`'s client
    /// is `clients()[client_codes()[i]]`.
    pub fn clients(&self) -> &ClientKeys {
        &self.clients
    }

    /// Each line's client, an index into [`Orders::clients`].
    pub fn client_codes(&self) -> &[u32] {
        &self.client
    }

    /// Each line's day (days since 1970-01-01).
    pub fn days(&self) -> &[i32] {
        &self.day
    }

    /// Each line's amount in minor units of [`Orders::currency`].
    pub fn amounts(&self) -> &[i64] {
        &self.amount
    }

    /// Each line's quantity in thousandths, when the input had quantities.
    pub fn quantities(&self) -> Option<&[i64]> {
        self.quantity.as_deref()
    }

    /// Each line's margin in minor units, when a margin column was named.
    pub fn margins(&self) -> Option<&[i64]> {
        self.margin.as_deref()
    }

    /// Each line's product, when the input had products.
    pub fn products(&self) -> Option<&Coded> {
        self.product.as_ref()
    }

    /// Each line's category, when the input had categories.
    pub fn categories(&self) -> Option<&Coded> {
        self.category.as_ref()
    }

    /// The currency of the amounts.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The lines that could not be read and were left out, in input order.
    pub fn problems(&self) -> &[TableProblem] {
        &self.problems
    }

    /// The first and last day of the lines, if any.
    pub fn day_range(&self) -> Option<(i32, i32)> {
        let min = *self.day.iter().min()?;
        let max = *self.day.iter().max()?;
        Some((min, max))
    }

    /// The lines grouped by client: `(offsets, lines)` where client `c`'s
    /// line indices are `lines[offsets[c]..offsets[c + 1]]`, in input order
    /// (a counting sort: linear, no comparisons).
    pub fn lines_by_client(&self) -> (Vec<usize>, Vec<u32>) {
        group_by_code(&self.client, self.clients.len())
    }

    /// Each client's purchases: the lines of one client on one day summed
    /// into one purchase (amounts and, when known, quantities), days
    /// ascending, clients in [`Orders::clients`] order. This is the form the
    /// client-value calculations (RFM, CLV, next purchase) share.
    pub fn purchases(&self) -> Result<Purchases> {
        let (offsets, lines) = self.lines_by_client();
        let mut out_offsets = Vec::with_capacity(self.clients.len() + 1);
        out_offsets.push(0);
        let mut days = Vec::new();
        let mut amounts = Vec::new();
        let mut quantities = self.quantity.as_ref().map(|_| Vec::new());
        let mut scratch: Vec<u32> = Vec::new();
        for c in 0..self.clients.len() {
            scratch.clear();
            scratch.extend_from_slice(&lines[offsets[c]..offsets[c + 1]]);
            scratch.sort_by_key(|&l| self.day[l as usize]);
            self.sum_days(&scratch, &mut days, &mut amounts, quantities.as_mut());
            out_offsets.push(days.len());
        }
        let purchases = Purchases::new(
            self.clients.clone(),
            out_offsets,
            days,
            amounts,
            self.currency,
        )?;
        match quantities {
            Some(q) => purchases.with_quantities(q),
            None => Ok(purchases),
        }
    }

    /// Each client's purchases of each product: key `i` of the result is one
    /// (client, product) pair, its client in `clients()` and its product in
    /// `products()`; lines of one pair on one day are summed. Pairs are in
    /// client order (as [`Orders::purchases`]), then in order of the
    /// product's first appearance. Fails when the lines have no products.
    pub fn product_purchases(&self) -> Result<Purchases> {
        let Some(products) = &self.product else {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "the order lines have no product column",
            )
            .with_field("product"));
        };
        let (offsets, lines) = self.lines_by_client();
        let mut out_offsets = vec![0];
        let mut days = Vec::new();
        let mut amounts = Vec::new();
        let mut quantities = self.quantity.as_ref().map(|_| Vec::new());
        let mut key_rows: Vec<usize> = Vec::new();
        let mut key_products = TextValues::default();
        let mut scratch: Vec<u32> = Vec::new();
        for c in 0..self.clients.len() {
            scratch.clear();
            scratch.extend_from_slice(&lines[offsets[c]..offsets[c + 1]]);
            scratch.sort_by_key(|&l| (products.codes[l as usize], self.day[l as usize]));
            for group in
                scratch.chunk_by(|a, b| products.codes[*a as usize] == products.codes[*b as usize])
            {
                self.sum_days(group, &mut days, &mut amounts, quantities.as_mut());
                out_offsets.push(days.len());
                key_rows.push(c);
                key_products.push(
                    products
                        .values
                        .get(products.codes[group[0] as usize] as usize),
                );
            }
        }
        let keys = match &self.clients {
            ClientKeys::Ids(ids) => ClientKeys::Ids(key_rows.iter().map(|&c| ids[c]).collect()),
            ClientKeys::Texts(texts) => {
                let mut out = TextValues::default();
                for &c in &key_rows {
                    out.push(texts.get(c));
                }
                ClientKeys::Texts(out)
            }
        };
        let purchases = Purchases::new(keys, out_offsets, days, amounts, self.currency)?
            .with_products(key_products)?;
        match quantities {
            Some(q) => purchases.with_quantities(q),
            None => Ok(purchases),
        }
    }

    /// Appends the purchases of `lines` (sorted by day): one per day.
    fn sum_days(
        &self,
        lines: &[u32],
        days: &mut Vec<i32>,
        amounts: &mut Vec<i64>,
        mut quantities: Option<&mut Vec<i64>>,
    ) {
        let mut last = None;
        for &l in lines {
            let l = l as usize;
            let day = self.day[l];
            if last == Some(day) {
                let n = amounts.len() - 1;
                amounts[n] = amounts[n].saturating_add(self.amount[l]);
                if let (Some(q), Some(src)) = (quantities.as_deref_mut(), &self.quantity) {
                    q[n] = q[n].saturating_add(src[l]);
                }
            } else {
                days.push(day);
                amounts.push(self.amount[l]);
                if let (Some(q), Some(src)) = (quantities.as_deref_mut(), &self.quantity) {
                    q.push(src[l]);
                }
                last = Some(day);
            }
        }
    }
}

/// Groups line indices by a dense code (`0..groups`): `(offsets, lines)`,
/// each group's lines in input order.
pub(crate) fn group_by_code(codes: &[u32], groups: usize) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; groups + 1];
    for &c in codes {
        offsets[c as usize + 1] += 1;
    }
    for i in 0..groups {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets.clone();
    let mut lines = vec![0u32; codes.len()];
    for (l, &c) in codes.iter().enumerate() {
        lines[next[c as usize]] = l as u32;
        next[c as usize] += 1;
    }
    (offsets, lines)
}

/// `each(scratch, i)` for `i` in `0..n`, on all cores with the `parallel`
/// feature; each thread has its own scratch buffer. The result is in `i`
/// order whatever the thread count.
pub(crate) fn map_indices<T, F>(n: usize, each: F) -> Vec<T>
where
    T: Send,
    F: Fn(&mut Vec<i64>, usize) -> T + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n)
            .into_par_iter()
            .with_min_len(1024)
            .map_init(Vec::new, |scratch, i| each(scratch, i))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut scratch = Vec::new();
        (0..n).map(|i| each(&mut scratch, i)).collect()
    }
}

/// Sorts `items`, all distinct, so that the order is the same whichever
/// sort runs (on all cores with the `parallel` feature). The keys are
/// materialized next to each other, never looked up during the sort.
pub(crate) fn sort_distinct<T: Ord + Send>(items: &mut [T]) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_sort_unstable();
    }
    #[cfg(not(feature = "parallel"))]
    items.sort_unstable();
}

/// The clients (or objects) in the order of their keys (ids ascending,
/// texts by their bytes), and each one's rank in that order: the
/// tie-breaker of every ranking, so that equal values always rank the same
/// way. `(ranks, by_rank)` with `by_rank[ranks[i]] == i`.
pub(crate) fn key_ranks(keys: &ClientKeys) -> (Vec<u32>, Vec<u32>) {
    let by_rank: Vec<u32> = match keys {
        ClientKeys::Ids(ids) => {
            let mut keyed: Vec<(u64, u32)> = ids
                .iter()
                .enumerate()
                .map(|(i, &id)| (id, i as u32))
                .collect();
            sort_distinct(&mut keyed);
            keyed.into_iter().map(|(_, i)| i).collect()
        }
        ClientKeys::Texts(texts) => {
            let mut keyed: Vec<(&str, u32)> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| (t, i as u32))
                .collect();
            sort_distinct(&mut keyed);
            keyed.into_iter().map(|(_, i)| i).collect()
        }
    };
    let mut ranks = vec![0u32; by_rank.len()];
    for (rank, &i) in by_rank.iter().enumerate() {
        ranks[i as usize] = rank as u32;
    }
    (ranks, by_rank)
}

/// Reading a CSV export of order lines (feature `csv`).
#[cfg(feature = "csv")]
mod csv_read {
    use super::*;

    impl Orders {
        /// Reads order lines from a CSV export, as 1C and spreadsheets write
        /// them: `;`, tab or `,` between cells (detected from the header line
        /// unless `delimiter` is given), a UTF-8 byte order mark or not,
        /// decimal commas and spaces in amounts (`1 234,50`), dates as
        /// `05.03.2024`, `05.03.2024 0:00:00` or `2024-03-05`. The header
        /// names the columns (`source`'s names, compared after trimming).
        /// A bad cell is reported with its file line (the header is line 1)
        /// and the line left out; the rest are kept.
        pub fn read_csv(
            mut reader: impl std::io::Read,
            source: &OrderSource,
            delimiter: Option<u8>,
        ) -> Result<Orders> {
            let mut data = Vec::new();
            reader.read_to_end(&mut data)?;
            let (table, lines, mut problems) = orders_csv_table(&data, source, delimiter)?;
            let mut orders = Orders::from_table_lines(&table, source, Some(&lines), Fields::ALL)?;
            problems.append(&mut orders.problems);
            problems.sort_by_key(|p| p.line.parse::<u64>().unwrap_or(u64::MAX));
            orders.problems = problems;
            Ok(orders)
        }
    }

    /// The columns of `source` found in the CSV `data`, as text columns,
    /// with each row's file line and the rows that could not be read at all.
    pub(super) fn orders_csv_table(
        data: &[u8],
        source: &OrderSource,
        delimiter: Option<u8>,
    ) -> Result<(Table, Vec<u64>, Vec<TableProblem>)> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let data = data.strip_prefix(BOM).unwrap_or(data);
        let delimiter = match delimiter {
            Some(d) if d.is_ascii() && !matches!(d, b'"' | b'\n' | b'\r') => d,
            Some(d) => {
                return Err(Error::new(
                    ErrorKind::Csv,
                    format!("{:?} cannot be a delimiter", char::from(d)),
                )
                .with_field("delimiter"))
            }
            None => crate::csv_io::detect_delimiter(data),
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut record = csv::ByteRecord::new();
        let csv_error = |err: csv::Error| {
            Error::new(ErrorKind::Csv, format!("the CSV cannot be read: {err}")).with_field("csv")
        };
        if !reader.read_byte_record(&mut record).map_err(csv_error)? {
            return Err(
                Error::new(ErrorKind::Csv, "the file is empty: it has no header line")
                    .with_field("csv"),
            );
        }
        let headers: Vec<String> = record
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let mut names: Vec<&str> = vec![&source.client, &source.date, &source.amount];
        names.extend([&source.product, &source.category, &source.quantity].map(String::as_str));
        if let Some(m) = &source.margin {
            names.push(m);
        }
        let mut wanted: Vec<(&str, usize)> = Vec::new();
        for name in names {
            if let Some(at) = headers.iter().position(|h| h == name) {
                if !wanted.iter().any(|(n, _)| *n == name) {
                    wanted.push((name, at));
                }
            }
        }
        let mut texts: Vec<(TextValues, Vec<bool>)> = wanted
            .iter()
            .map(|_| (TextValues::default(), Vec::new()))
            .collect();
        let mut lines = Vec::new();
        let mut problems = Vec::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(err) => {
                    let line = err.position().map_or(0, |p| p.line());
                    problems.push(problem(line.to_string(), "csv", err.to_string()));
                    if matches!(err.kind(), csv::ErrorKind::Io(_)) {
                        break;
                    }
                    continue;
                }
            }
            let line = record.position().map_or(0, |p| p.line());
            if record
                .iter()
                .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let mut cells = Vec::with_capacity(wanted.len());
            let mut unreadable = None;
            for (name, at) in &wanted {
                let cell = record.get(*at).unwrap_or(b"");
                match std::str::from_utf8(cell) {
                    Ok(text) => cells.push(text),
                    Err(_) => {
                        unreadable = Some(*name);
                        break;
                    }
                }
            }
            if let Some(name) = unreadable {
                problems.push(problem(
                    line.to_string(),
                    name,
                    "not UTF-8 text; save the file as UTF-8",
                ));
                continue;
            }
            for ((values, valid), cell) in texts.iter_mut().zip(cells) {
                valid.push(!cell.trim().is_empty());
                values.push(cell);
            }
            lines.push(line);
        }
        let columns = wanted
            .iter()
            .zip(texts)
            .map(|((name, _), (values, valid))| {
                Column::new(*name, ColumnData::Text(values), Some(valid))
            })
            .collect::<Result<Vec<_>>>()?;
        let table = Table::with_rows(lines.len(), columns)?;
        Ok((table, lines, problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `float_amount` computed with `f64::round` before.
    fn rounded(value: f64, unit: i64) -> Option<i64> {
        let x = (value * unit as f64).round();
        (x.is_finite() && x.abs() < 9.0e18).then_some(x as i64)
    }

    #[test]
    fn float_amounts_round_half_away_from_zero() {
        for (value, kopecks) in [
            (0.005, 1),
            (-0.005, -1),
            (1.235, 124),
            (-1.235, -124),
            (0.004_999, 0),
            (12_345.675, 1_234_568),
            (0.0, 0),
            (-0.0, 0),
        ] {
            assert_eq!(float_amount(value, 100), Ok(kopecks), "{value}");
        }
        for bad in [f64::NAN, f64::INFINITY, -f64::INFINITY, 1e17, -9.1e16] {
            assert!(float_amount(bad, 100).is_err(), "{bad}");
        }
        // Just below one half, and whole numbers past 2^53.
        assert_eq!(float_amount(0.499_999_999_999_999_94, 1), Ok(0));
        assert_eq!(
            float_amount(9_007_199_254_740_993.0, 1),
            Ok(9_007_199_254_740_992)
        );
    }

    proptest::proptest! {
        #[test]
        fn float_amounts_agree_with_f64_round(bits in proptest::prelude::any::<u64>(), unit in 0u32..5) {
            let value = f64::from_bits(bits);
            let unit = 10_i64.pow(unit);
            proptest::prop_assert_eq!(float_amount(value, unit).ok(), rounded(value, unit));
        }

        #[test]
        fn float_amounts_of_money_agree_with_f64_round(cents in -10_i64.pow(15)..10_i64.pow(15), noise in -3i32..=3) {
            let value = cents as f64 / 100.0 + f64::from(noise) * 1e-9;
            proptest::prop_assert_eq!(float_amount(value, 100).ok(), rounded(value, 100));
        }
    }

    fn table() -> Table {
        Table::new(vec![
            Column::from_texts(
                "client",
                [
                    Some("ООО Ромашка"),
                    Some("ИП Петров"),
                    Some("ООО Ромашка"),
                    None,
                ],
            ),
            Column::from_texts(
                "date",
                [
                    Some("05.03.2024"),
                    Some("2024-03-06"),
                    Some("05.03.2024 0:00:00"),
                    Some("07.03.2024"),
                ],
            ),
            Column::from_texts(
                "amount",
                [Some("1 234,50"), Some("10"), Some("0,50"), Some("1")],
            ),
            Column::from_texts("product", [Some("Корм"), Some("Корм"), Some("Миска"), None]),
        ])
        .unwrap()
    }

    #[test]
    fn reads_text_columns_and_reports_bad_lines() {
        let orders = Orders::from_table(&table(), &OrderSource::default()).unwrap();
        assert_eq!(orders.len(), 3);
        assert_eq!(orders.amounts(), &[123450, 1000, 50]);
        assert_eq!(orders.client_codes(), &[0, 1, 0]);
        assert_eq!(orders.problems().len(), 1);
        assert_eq!(orders.problems()[0].line, "4");
        assert_eq!(orders.problems()[0].field, "client");
        let purchases = orders.purchases().unwrap();
        assert_eq!(purchases.len(), 2);
        assert_eq!(purchases.client(0).1, &[123500]);
        let by_product = orders.product_purchases().unwrap();
        assert_eq!(by_product.len(), 3);
        assert_eq!(by_product.products().unwrap().get(1), "Миска");
    }

    /// Enough rows for the parallel reading, with bad and filtered rows.
    #[cfg(feature = "parallel")]
    fn many_lines(text_clients: bool) -> Table {
        let rows = 300_007;
        let client = |i: usize| (i * 7919 + i / 1000) % 50_021;
        let client_col = if text_clients {
            let texts: Vec<Option<String>> = (0..rows)
                .map(|i| match i % 9973 {
                    5 => None,
                    6 => Some("  ".to_string()),
                    _ => Some(format!(" клиент {} ", client(i))),
                })
                .collect();
            Column::from_texts("client", texts.iter().map(Option::as_deref))
        } else {
            Column::from_int64s(
                "client",
                (0..rows).map(|i| match i % 9973 {
                    5 => None,
                    6 => Some(-3),
                    _ => Some(client(i) as i64 + 1_000),
                }),
            )
        };
        let products: Vec<Option<String>> = (0..rows)
            .map(|i| (i % 13 != 0).then(|| format!("товар {}", i % 499)))
            .collect();
        Table::new(vec![
            client_col,
            Column::from_dates(
                "date",
                (0..rows).map(|i| {
                    (i % 7919 != 3).then(|| {
                        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                            + chrono::Days::new((i % 400) as u64)
                    })
                }),
            ),
            Column::from_decimals(
                "amount",
                2,
                (0..rows).map(|i| match i % 10_007 {
                    1 => Some(i128::MAX),
                    2 => None,
                    _ => Some((i % 1000) as i128 * 7 - 500),
                }),
            ),
            Column::from_texts("product", products.iter().map(Option::as_deref)),
        ])
        .unwrap()
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn reading_does_not_depend_on_the_thread_count() {
        for text_clients in [false, true] {
            let table = many_lines(text_clients);
            for from in [None, NaiveDate::from_ymd_opt(2024, 3, 1)] {
                let source = OrderSource {
                    from,
                    ..OrderSource::default()
                };
                let read = |threads: usize| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap()
                        .install(|| Orders::from_table(&table, &source).unwrap())
                };
                let one = read(1);
                assert_eq!(one, read(3));
                assert!(!one.problems().is_empty());
                // Codes in order of first appearance, as one pass gives them.
                let mut seen: FxHashMap<u32, u32> = FxHashMap::default();
                for &code in one.client_codes() {
                    let next = seen.len() as u32;
                    assert_eq!(*seen.entry(code).or_insert(next), code);
                }
                assert_eq!(seen.len(), one.clients().len());
                let products = one.products().unwrap();
                let mut seen: FxHashMap<u32, u32> = FxHashMap::default();
                for &code in &products.codes {
                    let next = seen.len() as u32;
                    assert_eq!(*seen.entry(code).or_insert(next), code);
                }
                if from.is_none() {
                    assert_eq!(products.values.get(products.codes[0] as usize), "");
                }
            }
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let source = OrderSource {
            amount: "Сумма".into(),
            ..OrderSource::default()
        };
        let err = Orders::from_table(&table(), &source).unwrap_err();
        assert_eq!(err.field(), Some("Сумма"));
    }

    #[test]
    fn the_period_filters_lines() {
        let source = OrderSource {
            from: NaiveDate::from_ymd_opt(2024, 3, 6),
            ..OrderSource::default()
        };
        let orders = Orders::from_table(&table(), &source).unwrap();
        assert_eq!(orders.len(), 1);
    }

    #[cfg(feature = "csv")]
    #[test]
    fn reads_a_1c_export() {
        let csv = "\u{feff}Контрагент;Дата;Сумма\nООО Ромашка;05.03.2024;1 234,50\n\
                   ИП Петров;31.02.2024;10\n\nИП Петров;06.03.2024 0:00:00;\"2 000,00\"\n";
        let source = OrderSource {
            client: "Контрагент".into(),
            date: "Дата".into(),
            amount: "Сумма".into(),
            ..OrderSource::default()
        };
        let orders = Orders::read_csv(csv.as_bytes(), &source, None).unwrap();
        assert_eq!(orders.amounts(), &[123450, 200000]);
        assert_eq!(orders.problems().len(), 1);
        assert_eq!(orders.problems()[0].line, "3");
        assert_eq!(orders.problems()[0].field, "Дата");
    }

    #[cfg(feature = "arrow")]
    #[test]
    fn days_read_from_arrow_are_shared_not_copied() {
        use arrow_array::{ArrayRef, Date32Array, Float64Array, RecordBatch, UInt64Array};
        use std::sync::Arc;
        let days = Date32Array::from(vec![19_000, 19_001, 19_005]);
        let start = days.values().as_ptr();
        let batch = RecordBatch::try_from_iter([
            (
                "client",
                Arc::new(UInt64Array::from(vec![1, 2, 1])) as ArrayRef,
            ),
            ("date", Arc::new(days) as ArrayRef),
            (
                "amount",
                Arc::new(Float64Array::from(vec![10.0, 20.5, 1.25])) as ArrayRef,
            ),
        ])
        .unwrap();
        let table = Table::from_record_batch(&batch).unwrap();
        let orders = Orders::from_table(&table, &OrderSource::default()).unwrap();
        assert_eq!(orders.days(), &[19_000, 19_001, 19_005]);
        assert_eq!(orders.days().as_ptr(), start, "the Arrow buffer itself");
        assert_eq!(orders.amounts(), &[1000, 2050, 125]);
        // A period filter keeps only some lines: then they are a copy.
        let source = OrderSource {
            from: Some(NaiveDate::from_ymd_opt(2022, 1, 10).unwrap()),
            ..OrderSource::default()
        };
        let orders = Orders::from_table(&table, &source).unwrap();
        assert_eq!(orders.days(), &[19_005]);
    }
}
