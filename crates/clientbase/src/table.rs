//! Tables: what capabilities return when the answer is one row per client, per
//! deal or per period.
//!
//! A [`Table`] is a list of equally long, named, typed [`Column`]s with nulls. The
//! storage is laid out the way Apache Arrow lays it out (text as one buffer plus
//! offsets, values in plain vectors, a validity mask), so that building a million
//! rows is a few allocations and handing them to Arrow (feature `arrow`,
//! [`Table::to_record_batch`]) moves buffers instead of converting values.
//!
//! ```
//! use clientbase::table::{Column, ColumnType, Table, Value};
//!
//! let table = Table::new(vec![
//!     Column::from_uint64s("id", [Some(1), Some(2)]),
//!     Column::from_texts("city", [Some("Москва"), None]),
//! ])?;
//! assert_eq!(table.rows(), 2);
//! assert_eq!(table.column("city").unwrap().column_type(), ColumnType::Text);
//! assert_eq!(table.column("city").unwrap().value(1), Value::Null);
//!
//! let json = serde_json::to_string(&table)?;
//! assert_eq!(
//!     json,
//!     r#"{"rows":2,"columns":[{"name":"id","type":"uint64","values":[1,2]},{"name":"city","type":"text","values":["Москва",null]}]}"#
//! );
//! assert_eq!(serde_json::from_str::<Table>(&json)?, table);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # JSON form
//!
//! A table serializes (serde) as
//! `{"rows": N, "columns": [{"name": "id", "type": "uint64", "values": [1, 2, null]}, ...]}`,
//! one entry per column in order, `values` holding one JSON value per row and `null`
//! for a missing value:
//!
//! | `type` | Arrow type | JSON value |
//! |---|---|---|
//! | `bool` | `bool` | `true` / `false` |
//! | `int64` | `int64` | number |
//! | `uint64` | `uint64` | number |
//! | `float64` | `float64` | number (NaN and infinities are written as `null`) |
//! | `text` | `utf8` | string |
//! | `date` | `date32` | `"2024-03-05"` |
//! | `timestamp` | `timestamp[us, tz=UTC]` | RFC 3339 in UTC, `"2024-03-05T10:30:00Z"` |
//! | `decimal` | `decimal128(38, scale)` | a string with `scale` digits after the point, `"1234.50"`; the column has a `"scale"` key |
//! | `text_list` | `list<utf8>` | a list of strings |
//!
//! A table computed from input rows some of which could not be used carries
//! them as [`TableProblem`]s ([`Table::problems`]); the JSON form then has a
//! third key, `"problems": [{"line": "7", "field": "date", "reason": "…"}]`.
//!
//! Reading the same shape back ([`Table`]'s `Deserialize`) is strict: unknown keys,
//! a `values` list whose length is not `rows`, or a value of the wrong type is an
//! error that names the column and the row. `rows` may be left out when there are
//! columns: the first column's length is the table's.

use crate::error::{Error, ErrorKind, Result};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::Error as _;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[cfg(feature = "arrow")]
mod arrow;
#[cfg(feature = "arrow")]
pub use self::arrow::{
    column_from_arrow, column_to_arrow, problems_of, with_text_views, PROBLEMS_KEY,
};
pub use self::base::{CLIENT_TABLE_COLUMNS, DEAL_TABLE_COLUMNS};
pub use self::batch::{Outcome, SplitPhone};
#[cfg(feature = "csv")]
pub use self::import::BadCell;
#[cfg(feature = "csv")]
pub use self::leads::{read_leads, Lead, LeadProblem};

mod base;
mod batch;
mod values;
pub use self::values::{Element, Values};
#[cfg(feature = "csv")]
mod import;
#[cfg(feature = "csv")]
mod leads;

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnType {
    /// `true` or `false`.
    Bool,
    /// A signed 64-bit integer.
    Int64,
    /// An unsigned 64-bit integer (ids).
    UInt64,
    /// A 64-bit float.
    Float64,
    /// UTF-8 text.
    Text,
    /// A calendar date.
    Date,
    /// An instant, in microseconds, in UTC.
    Timestamp,
    /// A decimal number: an `i128` count of `10^-scale` units (money with the
    /// currency's digits).
    Decimal {
        /// How many digits follow the decimal point.
        scale: i8,
    },
    /// A list of texts (tags).
    TextList,
}

impl ColumnType {
    /// The name used in the JSON form (`uint64`, `text_list`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Bool => "bool",
            ColumnType::Int64 => "int64",
            ColumnType::UInt64 => "uint64",
            ColumnType::Float64 => "float64",
            ColumnType::Text => "text",
            ColumnType::Date => "date",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Decimal { .. } => "decimal",
            ColumnType::TextList => "text_list",
        }
    }

    fn from_name(name: &str, scale: Option<i8>) -> std::result::Result<ColumnType, String> {
        let ty = match name {
            "bool" => ColumnType::Bool,
            "int64" => ColumnType::Int64,
            "uint64" => ColumnType::UInt64,
            "float64" => ColumnType::Float64,
            "text" => ColumnType::Text,
            "date" => ColumnType::Date,
            "timestamp" => ColumnType::Timestamp,
            "decimal" => {
                return scale
                    .map(|scale| ColumnType::Decimal { scale })
                    .ok_or_else(|| "a decimal column needs a \"scale\"".to_string())
            }
            "text_list" => ColumnType::TextList,
            other => {
                return Err(format!(
                    "unknown column type {other:?} (types are bool, int64, uint64, float64, text, date, timestamp, decimal, text_list)"
                ))
            }
        };
        match scale {
            Some(_) => Err(format!("only a decimal column has a \"scale\", not {name}")),
            None => Ok(ty),
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnType::Decimal { scale } => write!(f, "decimal(scale {scale})"),
            other => f.write_str(other.name()),
        }
    }
}

/// Texts stored as one UTF-8 buffer and `len + 1` offsets into it, like Arrow's
/// `utf8`: value `i` is `text[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextValues {
    text: String,
    offsets: Vec<usize>,
}

impl Default for TextValues {
    fn default() -> Self {
        TextValues {
            text: String::new(),
            offsets: vec![0],
        }
    }
}

impl TextValues {
    /// Empty, with room for `rows` values of `bytes` bytes in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> TextValues {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        TextValues {
            text: String::with_capacity(bytes),
            offsets,
        }
    }

    /// Appends a value.
    pub fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.offsets.push(self.text.len());
    }

    /// Appends every value of `other`, in one copy of its text.
    fn append(&mut self, other: &TextValues) {
        let start = self.text.len();
        self.text.push_str(&other.text);
        self.offsets
            .extend(other.offsets[1..].iter().map(|end| start + end));
    }

    /// Makes room for `rows` more values of `bytes` bytes in all.
    fn reserve(&mut self, rows: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.offsets.reserve(rows);
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i`. Panics when `i` is out of range.
    pub fn get(&self, i: usize) -> &str {
        &self.text[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Every value, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.offsets.windows(2).map(|w| &self.text[w[0]..w[1]])
    }

    /// The buffer all values are cut from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The `len + 1` offsets into [`TextValues::text`].
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// The buffer and the offsets, for moving them elsewhere without a copy.
    pub fn into_parts(self) -> (String, Vec<usize>) {
        (self.text, self.offsets)
    }

    /// Builds from a buffer and offsets; fails unless the offsets start at 0, never
    /// decrease, end at `text.len()` and fall on character boundaries.
    pub fn from_parts(text: String, offsets: Vec<usize>) -> Result<TextValues> {
        let bad =
            |reason: &str| Error::new(ErrorKind::InvalidValue, format!("text offsets {reason}"));
        if offsets.first() != Some(&0) {
            return Err(bad("must start at 0"));
        }
        if offsets.last() != Some(&text.len()) {
            return Err(bad("must end at the text's length"));
        }
        if offsets
            .windows(2)
            .any(|w| w[0] > w[1] || !text.is_char_boundary(w[1]))
        {
            return Err(bad(
                "must not decrease and must fall on character boundaries",
            ));
        }
        Ok(TextValues { text, offsets })
    }
}

/// Lists of texts: `len + 1` offsets into one [`TextValues`] of items, like
/// Arrow's `list<utf8>`: list `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextListValues {
    offsets: Vec<usize>,
    items: TextValues,
}

impl Default for TextListValues {
    fn default() -> Self {
        TextListValues {
            offsets: vec![0],
            items: TextValues::default(),
        }
    }
}

impl TextListValues {
    /// Appends a list.
    pub fn push<'a>(&mut self, list: impl IntoIterator<Item = &'a str>) {
        for item in list {
            self.items.push(item);
        }
        self.offsets.push(self.items.len());
    }

    /// Appends every list of `other`, its items in one copy.
    fn append(&mut self, other: &TextListValues) {
        let start = self.items.len();
        self.items.append(&other.items);
        self.offsets
            .extend(other.offsets[1..].iter().map(|end| start + end));
    }

    /// How many lists.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// List `i`. Panics when `i` is out of range.
    pub fn get(&self, i: usize) -> Vec<&str> {
        (self.offsets[i]..self.offsets[i + 1])
            .map(|j| self.items.get(j))
            .collect()
    }

    /// The `len + 1` offsets into [`TextListValues::items`].
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// Every item of every list, in order.
    pub fn items(&self) -> &TextValues {
        &self.items
    }

    /// Builds from offsets into `items`; fails unless they start at 0, never
    /// decrease and end at `items.len()`.
    pub fn from_parts(offsets: Vec<usize>, items: TextValues) -> Result<TextListValues> {
        if offsets.first() != Some(&0)
            || offsets.last() != Some(&items.len())
            || offsets.windows(2).any(|w| w[0] > w[1])
        {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "list offsets must start at 0, not decrease and end at the number of items",
            ));
        }
        Ok(TextListValues { offsets, items })
    }
}

/// The values of a column, one storage per [`ColumnType`]. A null slot holds a
/// placeholder (0, `false`, empty text) that [`Column::validity`] marks.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ColumnData {
    /// [`ColumnType::Bool`].
    Bool(Vec<bool>),
    /// [`ColumnType::Int64`].
    Int64(Values<i64>),
    /// [`ColumnType::UInt64`].
    UInt64(Values<u64>),
    /// [`ColumnType::Float64`].
    Float64(Values<f64>),
    /// [`ColumnType::Text`].
    Text(TextValues),
    /// [`ColumnType::Date`]: days since 1970-01-01.
    Date(Values<i32>),
    /// [`ColumnType::Timestamp`]: microseconds since 1970-01-01T00:00:00Z.
    Timestamp(Values<i64>),
    /// [`ColumnType::Decimal`]: counts of `10^-scale`.
    Decimal {
        /// The values.
        values: Values<i128>,
        /// How many digits follow the decimal point.
        scale: i8,
    },
    /// [`ColumnType::TextList`].
    TextList(TextListValues),
}

impl ColumnData {
    /// How many values.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Bool(v) => v.len(),
            ColumnData::Int64(v) => v.len(),
            ColumnData::UInt64(v) => v.len(),
            ColumnData::Float64(v) => v.len(),
            ColumnData::Text(v) => v.len(),
            ColumnData::Date(v) => v.len(),
            ColumnData::Timestamp(v) => v.len(),
            ColumnData::Decimal { values, .. } => values.len(),
            ColumnData::TextList(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The type of the values.
    pub fn column_type(&self) -> ColumnType {
        match self {
            ColumnData::Bool(_) => ColumnType::Bool,
            ColumnData::Int64(_) => ColumnType::Int64,
            ColumnData::UInt64(_) => ColumnType::UInt64,
            ColumnData::Float64(_) => ColumnType::Float64,
            ColumnData::Text(_) => ColumnType::Text,
            ColumnData::Date(_) => ColumnType::Date,
            ColumnData::Timestamp(_) => ColumnType::Timestamp,
            ColumnData::Decimal { scale, .. } => ColumnType::Decimal { scale: *scale },
            ColumnData::TextList(_) => ColumnType::TextList,
        }
    }

    fn empty(ty: ColumnType, rows: usize) -> ColumnData {
        match ty {
            ColumnType::Bool => ColumnData::Bool(Vec::with_capacity(rows)),
            ColumnType::Int64 => ColumnData::Int64(Values::with_capacity(rows)),
            ColumnType::UInt64 => ColumnData::UInt64(Values::with_capacity(rows)),
            ColumnType::Float64 => ColumnData::Float64(Values::with_capacity(rows)),
            ColumnType::Text => ColumnData::Text(TextValues::with_capacity(rows, 0)),
            ColumnType::Date => ColumnData::Date(Values::with_capacity(rows)),
            ColumnType::Timestamp => ColumnData::Timestamp(Values::with_capacity(rows)),
            ColumnType::Decimal { scale } => ColumnData::Decimal {
                values: Values::with_capacity(rows),
                scale,
            },
            ColumnType::TextList => ColumnData::TextList(TextListValues::default()),
        }
    }

    fn push_placeholder(&mut self) {
        match self {
            ColumnData::Bool(v) => v.push(false),
            ColumnData::Int64(v) => v.to_mut().push(0),
            ColumnData::UInt64(v) => v.to_mut().push(0),
            ColumnData::Float64(v) => v.to_mut().push(0.0),
            ColumnData::Text(v) => v.push(""),
            ColumnData::Date(v) => v.to_mut().push(0),
            ColumnData::Timestamp(v) => v.to_mut().push(0),
            ColumnData::Decimal { values, .. } => values.to_mut().push(0),
            ColumnData::TextList(v) => v.push([]),
        }
    }
}

/// One value of a column, borrowed from it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// No value.
    Null,
    /// A bool.
    Bool(bool),
    /// A signed integer.
    Int64(i64),
    /// An unsigned integer.
    UInt64(u64),
    /// A float.
    Float64(f64),
    /// Text.
    Text(&'a str),
    /// A date.
    Date(NaiveDate),
    /// An instant.
    Timestamp(DateTime<Utc>),
    /// A decimal: `value * 10^-scale`.
    Decimal {
        /// The count of `10^-scale`.
        value: i128,
        /// How many digits follow the decimal point.
        scale: i8,
    },
    /// A list of texts.
    TextList(Vec<&'a str>),
}

const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Days since 1970-01-01, the [`ColumnData::Date`] storage.
pub fn date_to_days(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// The date `days` after 1970-01-01; `None` outside chrono's range.
pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

/// Formats a decimal: `123450` at scale 2 is `"1234.50"`.
pub fn format_decimal(value: i128, scale: i8) -> String {
    if scale <= 0 {
        let mut text = value.to_string();
        if value != 0 {
            text.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        }
        return text;
    }
    let digits = value.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction}")
}

/// Reads a decimal written with at most `scale` digits after the point
/// (`"1234.5"` at scale 2 is `123450`).
pub fn parse_decimal(text: &str, scale: i8) -> std::result::Result<i128, String> {
    let t = text.trim();
    let bad = || format!("{t:?} is not a decimal with at most {scale} digits after the point");
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let fraction = fraction.trim_end_matches('0');
    let scale_digits = i32::from(scale);
    if fraction.len() as i32 > scale_digits.max(0) {
        return Err(bad());
    }
    let mut value: i128 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .ok_or_else(bad)?;
    }
    let shift = scale_digits - fraction.len() as i32;
    if shift >= 0 {
        for _ in 0..shift {
            value = value.checked_mul(10).ok_or_else(bad)?;
        }
    } else {
        let divisor = 10_i128.pow(shift.unsigned_abs());
        if value % divisor != 0 {
            return Err(bad());
        }
        value /= divisor;
    }
    Ok(if negative { -value } else { value })
}

/// A named, typed column of a [`Table`], with nulls.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    name: String,
    data: ColumnData,
    validity: Option<Vec<bool>>,
}

fn collect_valid<T: Default, I: IntoIterator<Item = Option<T>>>(
    values: I,
) -> (Vec<T>, Option<Vec<bool>>) {
    let values = values.into_iter();
    let (lower, _) = values.size_hint();
    let mut out = Vec::with_capacity(lower);
    let mut validity = Vec::with_capacity(lower);
    let mut nulls = false;
    for value in values {
        validity.push(value.is_some());
        nulls |= value.is_none();
        out.push(value.unwrap_or_default());
    }
    (out, nulls.then_some(validity))
}

impl Column {
    /// A column of `data`; `validity[i]` is `false` where row `i` is null (`None`:
    /// no nulls). Fails when the validity's length differs from the data's.
    pub fn new(
        name: impl Into<String>,
        data: ColumnData,
        validity: Option<Vec<bool>>,
    ) -> Result<Column> {
        let name = name.into();
        if let Some(v) = &validity {
            if v.len() != data.len() {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "column {name:?}: {} validity flags for {} values",
                        v.len(),
                        data.len()
                    ),
                ));
            }
        }
        let validity = validity.filter(|v| v.iter().any(|valid| !valid));
        Ok(Column {
            name,
            data,
            validity,
        })
    }

    fn unchecked(name: impl Into<String>, data: ColumnData, validity: Option<Vec<bool>>) -> Column {
        Column {
            name: name.into(),
            data,
            validity,
        }
    }

    /// A bool column.
    pub fn from_bools(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<bool>>,
    ) -> Column {
        let (values, validity) = collect_valid(values);
        Column::unchecked(name, ColumnData::Bool(values), validity)
    }

    /// A signed integer column.
    pub fn from_int64s(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<i64>>,
    ) -> Column {
        let (values, validity) = collect_valid(values);
        Column::unchecked(name, ColumnData::Int64(values.into()), validity)
    }

    /// An unsigned integer column.
    pub fn from_uint64s(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<u64>>,
    ) -> Column {
        let (values, validity) = collect_valid(values);
        Column::unchecked(name, ColumnData::UInt64(values.into()), validity)
    }

    /// A float column.
    pub fn from_float64s(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> Column {
        let (values, validity) = collect_valid(values);
        Column::unchecked(name, ColumnData::Float64(values.into()), validity)
    }

    /// A text column.
    pub fn from_texts<'a>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Column {
        let values = values.into_iter();
        let mut text = TextValues::with_capacity(values.size_hint().0, 0);
        let mut validity = Vec::with_capacity(values.size_hint().0);
        let mut nulls = false;
        for value in values {
            validity.push(value.is_some());
            nulls |= value.is_none();
            text.push(value.unwrap_or(""));
        }
        Column::unchecked(name, ColumnData::Text(text), nulls.then_some(validity))
    }

    /// A date column.
    pub fn from_dates(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<NaiveDate>>,
    ) -> Column {
        let (values, validity) = collect_valid(values.into_iter().map(|d| d.map(date_to_days)));
        Column::unchecked(name, ColumnData::Date(values.into()), validity)
    }

    /// A timestamp column (kept to the microsecond).
    pub fn from_timestamps(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<DateTime<Utc>>>,
    ) -> Column {
        let (values, validity) =
            collect_valid(values.into_iter().map(|t| t.map(|t| t.timestamp_micros())));
        Column::unchecked(name, ColumnData::Timestamp(values.into()), validity)
    }

    /// A decimal column of counts of `10^-scale`.
    pub fn from_decimals(
        name: impl Into<String>,
        scale: i8,
        values: impl IntoIterator<Item = Option<i128>>,
    ) -> Column {
        let (values, validity) = collect_valid(values);
        Column::unchecked(
            name,
            ColumnData::Decimal {
                values: values.into(),
                scale,
            },
            validity,
        )
    }

    /// A column of text lists.
    pub fn from_text_lists<'a, L>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Option<L>>,
    ) -> Column
    where
        L: IntoIterator<Item = &'a str>,
    {
        let mut lists = TextListValues::default();
        let mut validity = Vec::new();
        let mut nulls = false;
        for value in values {
            validity.push(value.is_some());
            match value {
                Some(list) => lists.push(list),
                None => {
                    nulls = true;
                    lists.push([]);
                }
            }
        }
        Column::unchecked(name, ColumnData::TextList(lists), nulls.then_some(validity))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The type of the values.
    pub fn column_type(&self) -> ColumnType {
        self.data.column_type()
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values (placeholders where null).
    pub fn data(&self) -> &ColumnData {
        &self.data
    }

    /// `false` where a row is null; `None` when no row is.
    pub fn validity(&self) -> Option<&[bool]> {
        self.validity.as_deref()
    }

    /// How many rows are null.
    pub fn null_count(&self) -> usize {
        self.validity
            .as_ref()
            .map_or(0, |v| v.iter().filter(|valid| !**valid).count())
    }

    /// Whether row `i` is null.
    pub fn is_null(&self, i: usize) -> bool {
        self.validity.as_ref().is_some_and(|v| !v[i])
    }

    /// The name, values and validity, for moving them elsewhere without a copy.
    pub fn into_parts(self) -> (String, ColumnData, Option<Vec<bool>>) {
        (self.name, self.data, self.validity)
    }

    /// The same values under another name.
    pub fn renamed(mut self, name: impl Into<String>) -> Column {
        self.name = name.into();
        self
    }

    /// Row `i`'s value. Panics when `i` is out of range.
    pub fn value(&self, i: usize) -> Value<'_> {
        if self.is_null(i) {
            return Value::Null;
        }
        match &self.data {
            ColumnData::Bool(v) => Value::Bool(v[i]),
            ColumnData::Int64(v) => Value::Int64(v[i]),
            ColumnData::UInt64(v) => Value::UInt64(v[i]),
            ColumnData::Float64(v) => Value::Float64(v[i]),
            ColumnData::Text(v) => Value::Text(v.get(i)),
            ColumnData::Date(v) => days_to_date(v[i]).map_or(Value::Null, Value::Date),
            ColumnData::Timestamp(v) => {
                DateTime::from_timestamp_micros(v[i]).map_or(Value::Null, Value::Timestamp)
            }
            ColumnData::Decimal { values, scale } => Value::Decimal {
                value: values[i],
                scale: *scale,
            },
            ColumnData::TextList(v) => Value::TextList(v.get(i)),
        }
    }

    /// Every value, in row order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = Value<'_>> + '_ {
        (0..self.len()).map(|i| self.value(i))
    }

    fn append(&mut self, other: Column) -> Result<()> {
        let mismatch = || {
            Error::new(
                ErrorKind::FieldType,
                format!(
                    "column {:?}: cannot append {} values to {} values",
                    self.name,
                    other.column_type(),
                    self.column_type()
                ),
            )
        };
        if self.column_type() != other.column_type() {
            return Err(mismatch());
        }
        let before = self.len();
        let added = other.len();
        match (&mut self.validity, other.validity) {
            (Some(mine), Some(theirs)) => mine.extend(theirs),
            (Some(mine), None) => mine.extend(std::iter::repeat_n(true, added)),
            (None, Some(theirs)) => {
                let mut mine = vec![true; before];
                mine.extend(theirs);
                self.validity = Some(mine);
            }
            (None, None) => {}
        }
        match (&mut self.data, other.data) {
            (ColumnData::Bool(a), ColumnData::Bool(b)) => a.extend(b),
            (ColumnData::Int64(a), ColumnData::Int64(b)) => a.to_mut().extend_from_slice(&b),
            (ColumnData::UInt64(a), ColumnData::UInt64(b)) => a.to_mut().extend_from_slice(&b),
            (ColumnData::Float64(a), ColumnData::Float64(b)) => a.to_mut().extend_from_slice(&b),
            (ColumnData::Date(a), ColumnData::Date(b)) => a.to_mut().extend_from_slice(&b),
            (ColumnData::Timestamp(a), ColumnData::Timestamp(b)) => {
                a.to_mut().extend_from_slice(&b)
            }
            (ColumnData::Decimal { values: a, .. }, ColumnData::Decimal { values: b, .. }) => {
                a.to_mut().extend_from_slice(&b)
            }
            (ColumnData::Text(a), ColumnData::Text(b)) => a.append(&b),
            (ColumnData::TextList(a), ColumnData::TextList(b)) => a.append(&b),
            _ => unreachable!("types were compared above"),
        }
        Ok(())
    }

    /// `parts` end to end, the room for all of them made once.
    fn concat(parts: Vec<Column>) -> Result<Column> {
        let mut parts = parts.into_iter();
        let Some(mut whole) = parts.next() else {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "no columns to concatenate",
            ));
        };
        let rest: Vec<Column> = parts.collect();
        if rest.is_empty() {
            // One part: kept as it is (values shared with Arrow stay shared).
            return Ok(whole);
        }
        let rows = rest.iter().map(Column::len).sum();
        if let Some(validity) = &mut whole.validity {
            validity.reserve(rows);
        }
        let text_bytes = |data: &ColumnData| match data {
            ColumnData::Text(t) => t.text.len(),
            ColumnData::TextList(l) => l.items.text.len(),
            _ => 0,
        };
        let bytes = rest.iter().map(|c| text_bytes(&c.data)).sum();
        match &mut whole.data {
            ColumnData::Bool(v) => v.reserve(rows),
            ColumnData::Int64(v) | ColumnData::Timestamp(v) => v.reserve(rows),
            ColumnData::UInt64(v) => v.reserve(rows),
            ColumnData::Float64(v) => v.reserve(rows),
            ColumnData::Date(v) => v.reserve(rows),
            ColumnData::Decimal { values, .. } => values.reserve(rows),
            ColumnData::Text(t) => t.reserve(rows, bytes),
            ColumnData::TextList(l) => {
                let items = rest.iter().map(|c| match &c.data {
                    ColumnData::TextList(l) => l.items.len(),
                    _ => 0,
                });
                l.items.reserve(items.sum(), bytes);
                l.offsets.reserve(rows);
            }
        }
        for part in rest {
            whole.append(part)?;
        }
        Ok(whole)
    }
}

/// Builds a column one value at a time, checking each value against the type.
/// For columns whose values are already typed, [`Column::from_texts`] and its
/// siblings are simpler and faster.
#[derive(Debug, Clone)]
pub struct ColumnBuilder {
    name: String,
    data: ColumnData,
    validity: Vec<bool>,
    nulls: bool,
}

impl ColumnBuilder {
    /// An empty column of `ty`, with room for `rows` values.
    pub fn new(name: impl Into<String>, ty: ColumnType, rows: usize) -> ColumnBuilder {
        ColumnBuilder {
            name: name.into(),
            data: ColumnData::empty(ty, rows),
            validity: Vec::with_capacity(rows),
            nulls: false,
        }
    }

    /// The column's type.
    pub fn column_type(&self) -> ColumnType {
        self.data.column_type()
    }

    /// How many values were pushed.
    pub fn len(&self) -> usize {
        self.validity.len()
    }

    /// Whether none was pushed.
    pub fn is_empty(&self) -> bool {
        self.validity.is_empty()
    }

    /// Appends a null.
    pub fn push_null(&mut self) {
        self.data.push_placeholder();
        self.validity.push(false);
        self.nulls = true;
    }

    /// Appends a value; an integer fits any integer, float or decimal column that
    /// holds it, and a decimal one of a smaller or equal scale. Any other mismatch is
    /// an [`ErrorKind::FieldType`] error naming the column and the row.
    pub fn push(&mut self, value: Value<'_>) -> Result<()> {
        let row = self.len();
        let fits = match (&mut self.data, value) {
            (_, Value::Null) => {
                self.push_null();
                return Ok(());
            }
            (ColumnData::Bool(v), Value::Bool(b)) => {
                v.push(b);
                true
            }
            (ColumnData::Int64(v), Value::Int64(i)) => {
                v.to_mut().push(i);
                true
            }
            (ColumnData::Int64(v), Value::UInt64(u)) => {
                i64::try_from(u).map(|i| v.to_mut().push(i)).is_ok()
            }
            (ColumnData::UInt64(v), Value::UInt64(u)) => {
                v.to_mut().push(u);
                true
            }
            (ColumnData::UInt64(v), Value::Int64(i)) => {
                u64::try_from(i).map(|u| v.to_mut().push(u)).is_ok()
            }
            (ColumnData::Float64(v), Value::Float64(f)) => {
                v.to_mut().push(f);
                true
            }
            (ColumnData::Float64(v), Value::Int64(i)) => {
                v.to_mut().push(i as f64);
                true
            }
            (ColumnData::Float64(v), Value::UInt64(u)) => {
                v.to_mut().push(u as f64);
                true
            }
            (ColumnData::Text(v), Value::Text(t)) => {
                v.push(t);
                true
            }
            (ColumnData::Date(v), Value::Date(d)) => {
                v.to_mut().push(date_to_days(d));
                true
            }
            (ColumnData::Timestamp(v), Value::Timestamp(t)) => {
                v.to_mut().push(t.timestamp_micros());
                true
            }
            (ColumnData::Decimal { values, scale }, value) => {
                let scaled = match value {
                    Value::Int64(i) => rescale(i128::from(i), 0, *scale),
                    Value::UInt64(u) => rescale(i128::from(u), 0, *scale),
                    Value::Decimal { value, scale: from } => rescale(value, from, *scale),
                    _ => None,
                };
                scaled.map(|v| values.to_mut().push(v)).is_some()
            }
            (ColumnData::TextList(v), Value::TextList(items)) => {
                v.push(items);
                true
            }
            _ => false,
        };
        if !fits {
            return Err(Error::new(
                ErrorKind::FieldType,
                format!(
                    "column {:?}, row {row}: a {} value does not fit",
                    self.name,
                    self.data.column_type()
                ),
            ));
        }
        self.validity.push(true);
        Ok(())
    }

    /// The column.
    pub fn finish(self) -> Column {
        Column::unchecked(self.name, self.data, self.nulls.then_some(self.validity))
    }
}

/// `value * 10^-from` as a count of `10^-to`, when that is exact and fits.
fn rescale(value: i128, from: i8, to: i8) -> Option<i128> {
    let shift = i32::from(to) - i32::from(from);
    if shift >= 0 {
        10_i128.checked_pow(shift as u32)?.checked_mul(value)
    } else {
        let divisor = 10_i128.checked_pow(shift.unsigned_abs())?;
        (value % divisor == 0).then(|| value / divisor)
    }
}

/// Equally long, named, typed columns: what a capability returns when the answer
/// is one row per client, deal or period. See the [module docs](self) for the JSON form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    rows: usize,
    columns: Vec<Column>,
    problems: Vec<TableProblem>,
}

/// A row of the input a table was computed from that could not be used, and
/// why: the calculations over order lines ([`crate::value`]) keep every line
/// they can read and list the others here, so nothing is left out without a
/// word. Carried by [`Table::problems`], written in the JSON form under
/// `"problems"` when there are any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableProblem {
    /// Where the row was: the line of a CSV file (the header is line 1), the
    /// 1-based row of an input table, or the deal of a base (`"deal 12"`).
    pub line: String,
    /// The column or field that could not be read.
    pub field: String,
    /// Why.
    pub reason: String,
}

impl Table {
    /// A table of `columns`. Fails when they differ in length or two share a name.
    pub fn new(columns: Vec<Column>) -> Result<Table> {
        let rows = columns.first().map_or(0, Column::len);
        Table::with_rows(rows, columns)
    }

    /// A table of `rows` rows; `columns` may be empty (a table with rows and no
    /// columns, as a `select` of nothing gives).
    pub fn with_rows(rows: usize, columns: Vec<Column>) -> Result<Table> {
        for (i, column) in columns.iter().enumerate() {
            if column.len() != rows {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "column {:?} has {} rows, the table has {rows}",
                        column.name,
                        column.len()
                    ),
                ));
            }
            if columns[..i].iter().any(|c| c.name == column.name) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("two columns are named {:?}", column.name),
                ));
            }
        }
        Ok(Table {
            rows,
            columns,
            problems: Vec::new(),
        })
    }

    /// The table with `problems`: rows of its input that could not be used
    /// (see [`TableProblem`]). Added to any it already has.
    pub fn with_problems(mut self, problems: impl IntoIterator<Item = TableProblem>) -> Table {
        self.problems.extend(problems);
        self
    }

    /// The rows of the input that could not be used, in input order; empty
    /// for a table computed from clean input (or not computed at all).
    pub fn problems(&self) -> &[TableProblem] {
        &self.problems
    }

    /// How many rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The table in its JSON form (see the module docs), compact, with its
    /// object keys sorted as the capabilities' reports are.
    pub fn to_json(&self) -> Result<String> {
        // Through a `Value`, whose maps keep their keys sorted.
        Ok(serde_json::to_value(self)?.to_string())
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column names, in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Each column's name and type, in order.
    pub fn schema(&self) -> Vec<(&str, ColumnType)> {
        self.columns
            .iter()
            .map(|c| (c.name.as_str(), c.column_type()))
            .collect()
    }

    /// The columns, for moving them elsewhere.
    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    /// The columns named in `names`, in that order. An unknown name is an
    /// [`ErrorKind::UnknownField`] error listing the columns there are.
    pub fn select(mut self, names: &[&str]) -> Result<Table> {
        let mut picked = Vec::with_capacity(names.len());
        for name in names {
            let at = self
                .columns
                .iter()
                .position(|c| c.name == *name)
                .ok_or_else(|| unknown_column(name, self.column_names()))?;
            picked.push(self.columns.swap_remove(at));
        }
        Table::with_rows(self.rows, picked)
    }

    /// The rows of `tables` one after the other. All must have the same column
    /// names and types, in the same order.
    pub fn concat(tables: impl IntoIterator<Item = Table>) -> Result<Table> {
        let tables: Vec<Table> = tables.into_iter().collect();
        let Some(first) = tables.first() else {
            return Ok(Table::default());
        };
        if let Some(table) = tables
            .iter()
            .find(|t| t.column_names() != first.column_names())
        {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "cannot concatenate tables with columns [{}] and [{}]",
                    first.column_names().join(", "),
                    table.column_names().join(", ")
                ),
            ));
        }
        let rows = tables.iter().map(|t| t.rows).sum();
        let mut problems = Vec::new();
        let mut parts: Vec<Vec<Column>> = first.columns.iter().map(|_| Vec::new()).collect();
        for table in tables {
            problems.extend(table.problems);
            for (column, part) in parts.iter_mut().zip(table.columns) {
                column.push(part);
            }
        }
        // Each column is put together on its own (in parallel with `parallel`),
        // its room made once rather than grown chunk by chunk.
        #[cfg(feature = "parallel")]
        let columns: Result<Vec<Column>> = {
            use rayon::prelude::*;
            parts.into_par_iter().map(Column::concat).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let columns: Result<Vec<Column>> = parts.into_iter().map(Column::concat).collect();
        Ok(Table::with_rows(rows, columns?)?.with_problems(problems))
    }
}

pub(crate) fn unknown_column(name: &str, names: Vec<&str>) -> Error {
    Error::new(
        ErrorKind::UnknownField,
        format!("no column {name:?}; the columns are {}", names.join(", ")),
    )
}

// ---- serde ------------------------------------------------------------------------

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int64(i) => serializer.serialize_i64(*i),
            Value::UInt64(u) => serializer.serialize_u64(*u),
            Value::Float64(f) if f.is_finite() => serializer.serialize_f64(*f),
            Value::Float64(_) => serializer.serialize_none(),
            Value::Text(t) => serializer.serialize_str(t),
            Value::Date(d) => serializer.collect_str(&d.format("%Y-%m-%d")),
            Value::Timestamp(t) => {
                serializer.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            }
            Value::Decimal { value, scale } => {
                serializer.serialize_str(&format_decimal(*value, *scale))
            }
            Value::TextList(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

struct ValuesOf<'a>(&'a Column);

impl Serialize for ValuesOf<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.values())
    }
}

impl Serialize for Column {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let ty = self.column_type();
        let scale = match ty {
            ColumnType::Decimal { scale } => Some(scale),
            _ => None,
        };
        let mut map = serializer.serialize_map(Some(3 + usize::from(scale.is_some())))?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("type", ty.name())?;
        if let Some(scale) = scale {
            map.serialize_entry("scale", &scale)?;
        }
        map.serialize_entry("values", &ValuesOf(self))?;
        map.end()
    }
}

impl Serialize for Table {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let problems = !self.problems.is_empty();
        let mut map = serializer.serialize_map(Some(2 + usize::from(problems)))?;
        map.serialize_entry("rows", &self.rows)?;
        map.serialize_entry("columns", &self.columns)?;
        if problems {
            map.serialize_entry("problems", &self.problems)?;
        }
        map.end()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableRepr {
    /// Optional when there are columns: the first column's length.
    #[serde(default)]
    rows: Option<usize>,
    columns: Vec<ColumnRepr>,
    #[serde(default)]
    problems: Vec<TableProblem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnRepr {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    scale: Option<i8>,
    values: Vec<serde_json::Value>,
}

/// Converts one JSON value to a column value; `Err` says what was expected.
fn json_value<'a>(
    ty: ColumnType,
    value: &'a serde_json::Value,
) -> std::result::Result<Value<'a>, String> {
    use serde_json::Value as J;
    let expected = |what: &str| Err(format!("expected {what}, got {value}"));
    Ok(match (ty, value) {
        (_, J::Null) => Value::Null,
        (ColumnType::Bool, J::Bool(b)) => Value::Bool(*b),
        (ColumnType::Bool, _) => return expected("true or false"),
        (ColumnType::Int64, J::Number(n)) => match n.as_i64() {
            Some(i) => Value::Int64(i),
            None => return expected("an integer between -2^63 and 2^63-1"),
        },
        (ColumnType::Int64, _) => return expected("an integer"),
        (ColumnType::UInt64, J::Number(n)) => match n.as_u64() {
            Some(u) => Value::UInt64(u),
            None => return expected("an integer between 0 and 2^64-1"),
        },
        (ColumnType::UInt64, _) => return expected("an unsigned integer"),
        (ColumnType::Float64, J::Number(n)) => Value::Float64(n.as_f64().unwrap_or(f64::NAN)),
        (ColumnType::Float64, _) => return expected("a number"),
        (ColumnType::Text, J::String(s)) => Value::Text(s),
        (ColumnType::Text, _) => return expected("a string"),
        (ColumnType::Date, J::String(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Value::Date(d),
            Err(_) => return expected("a date \"yyyy-mm-dd\""),
        },
        (ColumnType::Date, _) => return expected("a date \"yyyy-mm-dd\""),
        (ColumnType::Timestamp, J::String(s)) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Value::Timestamp(t.with_timezone(&Utc)),
            Err(_) => return expected("an RFC 3339 timestamp"),
        },
        (ColumnType::Timestamp, _) => return expected("an RFC 3339 timestamp"),
        (ColumnType::Decimal { scale }, J::String(s)) => Value::Decimal {
            value: parse_decimal(s, scale)?,
            scale,
        },
        (ColumnType::Decimal { .. }, J::Number(n)) if n.is_i64() || n.is_u64() => Value::Decimal {
            value: n.to_string().parse::<i128>().map_err(|e| e.to_string())?,
            scale: 0,
        },
        (ColumnType::Decimal { .. }, _) => return expected("a decimal string such as \"12.50\""),
        (ColumnType::TextList, J::Array(items)) => Value::TextList(
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .ok_or_else(|| format!("expected a list of strings, got {value}"))
                })
                .collect::<std::result::Result<_, _>>()?,
        ),
        (ColumnType::TextList, _) => return expected("a list of strings"),
    })
}

impl TableRepr {
    fn into_table(self) -> Result<Table> {
        let rows = match (self.rows, self.columns.first()) {
            (Some(rows), _) => rows,
            (None, Some(first)) => first.values.len(),
            (None, None) => 0,
        };
        let mut columns = Vec::with_capacity(self.columns.len());
        for column in self.columns {
            let bad = |reason: String| {
                Error::new(
                    ErrorKind::Json,
                    format!("column {:?}: {reason}", column.name),
                )
            };
            let ty = ColumnType::from_name(&column.ty, column.scale).map_err(bad)?;
            if column.values.len() != rows {
                return Err(bad(format!(
                    "{} values, the table has {} rows",
                    column.values.len(),
                    rows
                )));
            }
            let mut builder = ColumnBuilder::new(column.name.clone(), ty, rows);
            for (row, value) in column.values.iter().enumerate() {
                let value = json_value(ty, value).map_err(|e| bad(format!("row {row}: {e}")))?;
                builder
                    .push(value)
                    .map_err(|_| bad(format!("row {row}: the value does not fit a {ty} column")))?;
            }
            columns.push(builder.finish());
        }
        Table::with_rows(rows, columns)
            .map(|table| table.with_problems(self.problems))
            .map_err(|e| Error::new(ErrorKind::Json, e.reason()))
    }
}

impl<'de> Deserialize<'de> for Table {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Table, D::Error> {
        TableRepr::deserialize(deserializer)?
            .into_table()
            .map_err(|e| D::Error::custom(e.reason()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let day = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        let at = DateTime::parse_from_rfc3339("2024-03-05T10:30:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        Table::new(vec![
            Column::from_uint64s("id", [Some(1), Some(2), Some(3)]),
            Column::from_int64s("delta", [Some(-1), None, Some(7)]),
            Column::from_bools("can_refer", [Some(true), Some(false), None]),
            Column::from_float64s("score", [Some(0.5), None, Some(2.0)]),
            Column::from_texts("city", [Some("Москва"), None, Some("")]),
            Column::from_dates(
                "birthday",
                [
                    Some(day),
                    None,
                    Some(NaiveDate::from_ymd_opt(1960, 1, 1).unwrap()),
                ],
            ),
            Column::from_timestamps("created_at", [Some(at), None, None]),
            Column::from_decimals("amount", 2, [Some(123450), Some(-5), None]),
            Column::from_text_lists("tags", [Some(vec!["vip", "b2b"]), None, Some(vec![])]),
        ])
        .unwrap()
    }

    #[test]
    fn rows_may_be_left_out_of_the_json_form() {
        let table: Table = serde_json::from_str(
            r#"{"columns":[{"name":"client","type":"uint64","values":[1,2]}]}"#,
        )
        .unwrap();
        assert_eq!(table.rows(), 2);
        let err = serde_json::from_str::<Table>(
            r#"{"columns":[{"name":"a","type":"int64","values":[1,2]},{"name":"b","type":"int64","values":[1]}]}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("column \"b\": 1 values, the table has 2 rows"),
            "{err}"
        );
    }

    #[test]
    fn json_round_trip_keeps_types_and_nulls() {
        let table = sample();
        let json = serde_json::to_value(&table).unwrap();
        assert_eq!(json["rows"], 3);
        assert_eq!(json["columns"][5]["values"][0], "2024-03-05");
        assert_eq!(json["columns"][5]["values"][2], "1960-01-01");
        assert_eq!(
            json["columns"][6]["values"][0],
            "2024-03-05T10:30:00.123456Z"
        );
        assert_eq!(json["columns"][7]["scale"], 2);
        assert_eq!(
            json["columns"][7]["values"],
            serde_json::json!(["1234.50", "-0.05", null])
        );
        assert_eq!(
            json["columns"][8]["values"],
            serde_json::json!([["vip", "b2b"], null, []])
        );
        let back: Table = serde_json::from_value(json).unwrap();
        assert_eq!(back, table);
    }

    #[test]
    fn strict_reading_names_column_and_row() {
        let err = serde_json::from_str::<Table>(
            r#"{"rows": 2, "columns": [{"name": "id", "type": "uint64", "values": [1, "x"]}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("column \"id\": row 1"), "{err}");
        let err = serde_json::from_str::<Table>(
            r#"{"rows": 3, "columns": [{"name": "id", "type": "uint64", "values": [1]}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("1 values, the table has 3 rows"), "{err}");
        assert!(serde_json::from_str::<Table>(r#"{"rows": 0, "columns": [], "x": 1}"#).is_err());
        assert!(serde_json::from_str::<Table>(
            r#"{"rows": 0, "columns": [{"name": "a", "type": "decimal", "values": []}]}"#
        )
        .unwrap_err()
        .to_string()
        .contains("scale"));
        let err = serde_json::from_str::<Table>(
            r#"{"rows": 1, "columns": [{"name": "a", "type": "decimal", "scale": 2, "values": ["1.234"]}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("column \"a\": row 0"), "{err}");
    }

    #[test]
    fn decimals_format_and_parse() {
        assert_eq!(format_decimal(123450, 2), "1234.50");
        assert_eq!(format_decimal(-5, 2), "-0.05");
        assert_eq!(format_decimal(7, 0), "7");
        assert_eq!(format_decimal(7, -2), "700");
        assert_eq!(parse_decimal("1234.5", 2), Ok(123450));
        assert_eq!(parse_decimal("-0.05", 2), Ok(-5));
        assert_eq!(parse_decimal("700", -2), Ok(7));
        assert!(parse_decimal("1.234", 2).is_err());
        assert!(parse_decimal("abc", 2).is_err());
        assert!(parse_decimal(".", 2).is_err());
    }

    #[test]
    fn tables_check_lengths_select_and_concat() {
        let err = Table::new(vec![
            Column::from_uint64s("id", [Some(1)]),
            Column::from_texts("city", [None, None]),
        ])
        .unwrap_err();
        assert!(err.reason().contains("\"city\" has 2 rows"));
        let table = sample();
        let picked = table.clone().select(&["city", "id"]).unwrap();
        assert_eq!(picked.column_names(), ["city", "id"]);
        let err = table.clone().select(&["nope"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownField);
        assert!(err.reason().contains("the columns are id, delta"));
        let twice = Table::concat([table.clone(), table.clone()]).unwrap();
        assert_eq!(twice.rows(), 6);
        assert_eq!(
            twice.column("tags").unwrap().value(3),
            Value::TextList(vec!["vip", "b2b"])
        );
        assert!(twice.column("tags").unwrap().is_null(4));
        assert_eq!(
            twice.column("city").unwrap().value(3),
            Value::Text("Москва")
        );
    }

    #[test]
    fn builder_checks_types() {
        let mut b = ColumnBuilder::new("amount", ColumnType::Decimal { scale: 2 }, 0);
        b.push(Value::Int64(3)).unwrap();
        b.push(Value::Decimal {
            value: 15,
            scale: 1,
        })
        .unwrap();
        b.push_null();
        assert!(b
            .push(Value::Text("x"))
            .unwrap_err()
            .reason()
            .contains("row 3"));
        let column = b.finish();
        assert_eq!(
            column.data(),
            &ColumnData::Decimal {
                values: vec![300, 150, 0].into(),
                scale: 2
            }
        );
        assert_eq!(column.null_count(), 1);
    }

    #[test]
    fn dates_map_to_days() {
        assert_eq!(
            date_to_days(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()),
            1
        );
        assert_eq!(days_to_date(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
    }
}
