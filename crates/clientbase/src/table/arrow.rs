//! [`Table`] to and from Apache Arrow record batches (feature `arrow`).
//!
//! No global state: each call converts one batch, so an engine can call these per
//! batch from any thread.

use super::{Column, ColumnData, Element, Table, TextListValues, TextValues, Values};
use crate::error::{Error, ErrorKind, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowDictionaryKeyType, Date32Type, Date64Type, Decimal128Type, Decimal32Type, Decimal64Type,
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array,
    LargeListArray, LargeStringArray, ListArray, OffsetSizeTrait, RecordBatch, StringArray,
    StringViewArray, TimestampMicrosecondArray, UInt64Array,
};
use arrow_array::{ArrowPrimitiveType, GenericListArray};
use arrow_buffer::ArrowNativeType;
use arrow_schema::{ArrowError, DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

/// The buffers of Arrow's `utf8` (`i32` offsets) when the text fits, else `large_utf8`.
fn text_to_arrow(values: TextValues, nulls: Option<arrow_buffer::NullBuffer>) -> Result<ArrayRef> {
    let (text, offsets) = values.into_parts();
    let bytes = arrow_buffer::Buffer::from_vec(text.into_bytes());
    if i32::try_from(bytes.len()).is_ok() {
        let offsets: Vec<i32> = offsets.into_iter().map(|o| o as i32).collect();
        let offsets = arrow_buffer::OffsetBuffer::new(offsets.into());
        Ok(Arc::new(
            StringArray::try_new(offsets, bytes, nulls).map_err(arrow_error)?,
        ))
    } else {
        let offsets: Vec<i64> = offsets.into_iter().map(|o| o as i64).collect();
        let offsets = arrow_buffer::OffsetBuffer::new(offsets.into());
        Ok(Arc::new(
            LargeStringArray::try_new(offsets, bytes, nulls).map_err(arrow_error)?,
        ))
    }
}

fn arrow_error(err: ArrowError) -> Error {
    Error::new(ErrorKind::InvalidValue, format!("arrow: {err}"))
}

/// A column as an Arrow field and array, moving its buffers.
///
/// | column type | Arrow type |
/// |---|---|
/// | bool, int64, uint64, float64 | the same |
/// | text | `utf8` (`large_utf8` past 2 GiB of text) |
/// | date | `date32` |
/// | timestamp | `timestamp[us, tz=UTC]` |
/// | decimal | `decimal128(38, scale)` |
/// | text list | `list<item: utf8>` |
pub fn column_to_arrow(column: Column) -> Result<(Field, ArrayRef)> {
    let (name, data, validity) = column.into_parts();
    let nulls = validity.map(arrow_buffer::NullBuffer::from);
    let array: ArrayRef = match data {
        ColumnData::Bool(v) => Arc::new(BooleanArray::new(v.into_iter().collect(), nulls)),
        ColumnData::Int64(v) => Arc::new(Int64Array::new(v.into_arrow(), nulls)),
        ColumnData::UInt64(v) => Arc::new(UInt64Array::new(v.into_arrow(), nulls)),
        ColumnData::Float64(v) => Arc::new(Float64Array::new(v.into_arrow(), nulls)),
        ColumnData::Text(v) => text_to_arrow(v, nulls)?,
        ColumnData::Date(v) => Arc::new(Date32Array::new(v.into_arrow(), nulls)),
        ColumnData::Timestamp(v) => {
            Arc::new(TimestampMicrosecondArray::new(v.into_arrow(), nulls).with_timezone("UTC"))
        }
        ColumnData::Decimal { values, scale } => Arc::new(
            Decimal128Array::new(values.into_arrow(), nulls)
                .with_precision_and_scale(38, scale)
                .map_err(arrow_error)?,
        ),
        ColumnData::TextList(lists) => {
            let TextListValues { offsets, items } = lists;
            let items = text_to_arrow(items, None)?;
            let item = Arc::new(Field::new("item", items.data_type().clone(), false));
            if let Ok(offsets) = offsets
                .iter()
                .map(|o| i32::try_from(*o))
                .collect::<std::result::Result<Vec<i32>, _>>()
            {
                let offsets = arrow_buffer::OffsetBuffer::new(offsets.into());
                Arc::new(ListArray::try_new(item, offsets, items, nulls).map_err(arrow_error)?)
            } else {
                let offsets: Vec<i64> = offsets.into_iter().map(|o| o as i64).collect();
                let offsets = arrow_buffer::OffsetBuffer::new(offsets.into());
                Arc::new(LargeListArray::try_new(item, offsets, items, nulls).map_err(arrow_error)?)
            }
        }
    };
    Ok((Field::new(name, array.data_type().clone(), true), array))
}

fn unsupported(name: &str, data_type: &DataType) -> Error {
    Error::new(
        ErrorKind::FieldType,
        format!(
            "column {name:?}: Arrow type {data_type} is not supported (supported: bool, integers, \
             float32/64, utf8, large_utf8, utf8_view, dictionaries of strings, date32/64, \
             timestamps, decimal32/64/128, null, lists of strings)"
        ),
    )
}

fn primitive<T, U, F>(array: &dyn Array, convert: F) -> Values<U>
where
    T: ArrowPrimitiveType,
    U: Element,
    F: Fn(T::Native) -> U,
{
    array
        .as_primitive::<T>()
        .values()
        .iter()
        .map(|v| convert(*v))
        .collect()
}

fn texts<'a>(
    len: usize,
    value: impl Fn(usize) -> &'a str,
    valid: impl Fn(usize) -> bool,
) -> TextValues {
    let mut out = TextValues::with_capacity(len, 0);
    for i in 0..len {
        out.push(if valid(i) { value(i) } else { "" });
    }
    out
}

fn list_items<O: OffsetSizeTrait>(
    name: &str,
    list: &GenericListArray<O>,
) -> Result<TextListValues> {
    let items = column_from_arrow(name, list.values().as_ref())?;
    if items.null_count() > 0 {
        return Err(Error::new(
            ErrorKind::FieldType,
            format!("column {name:?}: a list of texts may not hold null items"),
        ));
    }
    let ColumnData::Text(items) = items.into_parts().1 else {
        return Err(unsupported(name, list.data_type()));
    };
    let offsets = list.value_offsets();
    let first = offsets.first().map_or(0, |o| o.as_usize());
    let last = offsets.last().map_or(0, |o| o.as_usize());
    let mut kept = TextValues::with_capacity(last - first, 0);
    for i in first..last {
        kept.push(items.get(i));
    }
    let offsets: Vec<usize> = offsets.iter().map(|o| o.as_usize() - first).collect();
    TextListValues::from_parts(offsets, kept)
}

fn dictionary<K: ArrowDictionaryKeyType>(name: &str, array: &dyn Array) -> Result<ColumnData> {
    let dict = array.as_dictionary::<K>();
    let values = column_from_arrow(name, dict.values().as_ref())?;
    let ColumnData::Text(words) = values.data() else {
        return Err(unsupported(name, array.data_type()));
    };
    let keys = dict.keys();
    let mut out = TextValues::with_capacity(keys.len(), 0);
    for i in 0..keys.len() {
        let key = keys.value(i).as_usize();
        out.push(if keys.is_valid(i) && key < words.len() {
            words.get(key)
        } else {
            ""
        });
    }
    Ok(ColumnData::Text(out))
}

/// The values of a primitive array, sharing its buffer (no copy).
fn shared<T>(array: &dyn Array) -> Values<T::Native>
where
    T: ArrowPrimitiveType,
    T::Native: Element,
{
    Values::from_arrow(array.as_primitive::<T>().values().clone())
}

/// Reads one Arrow array as a column named `name`.
///
/// Columns of `int64`, `uint64`, `float64`, `date32`, `timestamp[us]` and
/// `decimal128` share the array's value buffer instead of copying it (see
/// [`Values`]); other types are converted.
///
/// Signed integers become int64, `uint8`..`uint32` int64 and `uint64` uint64;
/// float32/64 float64; `utf8`, `large_utf8`, `utf8_view` and dictionaries of them
/// (polars categoricals) text; `date32`/`date64` dates; timestamps of any unit
/// microseconds (a time zone only changes how an instant is shown, a timestamp
/// without one is read as UTC); `decimal32/64/128` decimals of the same scale;
/// `null` an all-null text column; lists of strings text lists. Anything else is an
/// [`ErrorKind::FieldType`] error naming the column and the type.
pub fn column_from_arrow(name: &str, array: &dyn Array) -> Result<Column> {
    let validity: Option<Vec<bool>> = array.logical_nulls().map(|n| n.iter().collect());
    let valid = |i: usize| validity.as_ref().is_none_or(|v| v[i]);
    let len = array.len();
    let data = match array.data_type() {
        DataType::Boolean => ColumnData::Bool(array.as_boolean().values().iter().collect()),
        DataType::Int8 => ColumnData::Int64(primitive::<Int8Type, _, _>(array, i64::from)),
        DataType::Int16 => ColumnData::Int64(primitive::<Int16Type, _, _>(array, i64::from)),
        DataType::Int32 => ColumnData::Int64(primitive::<Int32Type, _, _>(array, i64::from)),
        DataType::Int64 => ColumnData::Int64(shared::<Int64Type>(array)),
        DataType::UInt8 => ColumnData::Int64(primitive::<UInt8Type, _, _>(array, i64::from)),
        DataType::UInt16 => ColumnData::Int64(primitive::<UInt16Type, _, _>(array, i64::from)),
        DataType::UInt32 => ColumnData::Int64(primitive::<UInt32Type, _, _>(array, i64::from)),
        DataType::UInt64 => ColumnData::UInt64(shared::<UInt64Type>(array)),
        DataType::Float32 => ColumnData::Float64(primitive::<Float32Type, _, _>(array, f64::from)),
        DataType::Float64 => ColumnData::Float64(shared::<Float64Type>(array)),
        DataType::Utf8 => {
            let strings = array.as_string::<i32>();
            ColumnData::Text(texts(len, |i| strings.value(i), valid))
        }
        DataType::LargeUtf8 => {
            let strings = array.as_string::<i64>();
            ColumnData::Text(texts(len, |i| strings.value(i), valid))
        }
        DataType::Utf8View => {
            let strings = array.as_string_view();
            ColumnData::Text(texts(len, |i| strings.value(i), valid))
        }
        DataType::Dictionary(key, _) => match key.as_ref() {
            DataType::Int8 => dictionary::<Int8Type>(name, array)?,
            DataType::Int16 => dictionary::<Int16Type>(name, array)?,
            DataType::Int32 => dictionary::<Int32Type>(name, array)?,
            DataType::Int64 => dictionary::<Int64Type>(name, array)?,
            DataType::UInt8 => dictionary::<UInt8Type>(name, array)?,
            DataType::UInt16 => dictionary::<UInt16Type>(name, array)?,
            DataType::UInt32 => dictionary::<UInt32Type>(name, array)?,
            DataType::UInt64 => dictionary::<UInt64Type>(name, array)?,
            other => return Err(unsupported(name, other)),
        },
        DataType::Date32 => ColumnData::Date(shared::<Date32Type>(array)),
        DataType::Date64 => ColumnData::Date(primitive::<Date64Type, _, _>(array, |ms| {
            ms.div_euclid(86_400_000) as i32
        })),
        DataType::Timestamp(unit, _) => ColumnData::Timestamp(match unit {
            TimeUnit::Second => {
                primitive::<TimestampSecondType, _, _>(array, |s| s.saturating_mul(1_000_000))
            }
            TimeUnit::Millisecond => {
                primitive::<TimestampMillisecondType, _, _>(array, |ms| ms.saturating_mul(1_000))
            }
            TimeUnit::Microsecond => shared::<TimestampMicrosecondType>(array),
            TimeUnit::Nanosecond => {
                primitive::<TimestampNanosecondType, _, _>(array, |ns| ns.div_euclid(1_000))
            }
        }),
        DataType::Decimal128(_, scale) => ColumnData::Decimal {
            values: shared::<Decimal128Type>(array),
            scale: *scale,
        },
        DataType::Decimal64(_, scale) => ColumnData::Decimal {
            values: primitive::<Decimal64Type, _, _>(array, i128::from),
            scale: *scale,
        },
        DataType::Decimal32(_, scale) => ColumnData::Decimal {
            values: primitive::<Decimal32Type, _, _>(array, i128::from),
            scale: *scale,
        },
        DataType::Null => ColumnData::Text(texts(len, |_| "", |_| false)),
        DataType::List(item) if is_text(item.data_type()) => {
            ColumnData::TextList(list_items(name, array.as_list::<i32>())?)
        }
        DataType::LargeList(item) if is_text(item.data_type()) => {
            ColumnData::TextList(list_items(name, array.as_list::<i64>())?)
        }
        other => return Err(unsupported(name, other)),
    };
    Column::new(name, data, validity)
}

fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        DataType::Dictionary(_, value) => is_text(value),
        _ => false,
    }
}

/// The schema metadata key under which a record batch carries its table's
/// [problems](Table::problems), as a JSON list.
pub const PROBLEMS_KEY: &str = "clientbase:problems";

/// The [problems](Table::problems) a record batch's schema carries (none when
/// its metadata has no [`PROBLEMS_KEY`]).
pub fn problems_of(schema: &Schema) -> Result<Vec<crate::table::TableProblem>> {
    match schema.metadata().get(PROBLEMS_KEY) {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| Error::new(ErrorKind::Json, format!("{PROBLEMS_KEY} metadata: {e}"))),
        None => Ok(Vec::new()),
    }
}

/// An array with its `utf8` text as `utf8_view` (the items of a list too),
/// sharing the text buffer; other arrays as they are.
fn text_as_views(array: &ArrayRef) -> Result<ArrayRef> {
    Ok(match array.data_type() {
        // Views point into one buffer by a `u32` offset, which any `utf8` fits.
        DataType::Utf8 => Arc::new(StringViewArray::from(array.as_string::<i32>())),
        DataType::List(item) if item.data_type() == &DataType::Utf8 => {
            let list = array.as_list::<i32>();
            let items = text_as_views(list.values())?;
            let item = Arc::new(Field::new(
                item.name(),
                items.data_type().clone(),
                item.is_nullable(),
            ));
            Arc::new(
                ListArray::try_new(item, list.offsets().clone(), items, list.nulls().cloned())
                    .map_err(arrow_error)?,
            )
        }
        _ => Arc::clone(array),
    })
}

/// `batch` with its text columns as Arrow string views (`utf8_view`, and
/// `list<utf8_view>` for text lists) instead of `utf8`: the same text buffers,
/// plus 16 bytes of view per value, made on all cores with `parallel`.
///
/// For readers whose own strings are views (polars): they take such a batch
/// as it is, where they would otherwise build the views themselves, one column
/// after the other. `large_utf8` columns (past 2 GiB of text) stay as they are.
///
/// ```
/// use arrow_schema::DataType;
/// use clientbase::table::{with_text_views, Column, Table};
/// let table = Table::new(vec![Column::from_texts("city", [Some("Тверь"), None])])?;
/// let views = with_text_views(&table.to_record_batch()?)?;
/// assert_eq!(views.schema().field(0).data_type(), &DataType::Utf8View);
/// assert_eq!(Table::from_record_batch(&views)?, table);
/// # Ok::<(), clientbase::Error>(())
/// ```
pub fn with_text_views(batch: &RecordBatch) -> Result<RecordBatch> {
    #[cfg(feature = "parallel")]
    let arrays: Result<Vec<ArrayRef>> = {
        use rayon::prelude::*;
        batch.columns().par_iter().map(text_as_views).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let arrays: Result<Vec<ArrayRef>> = batch.columns().iter().map(text_as_views).collect();
    let arrays = arrays?;
    let schema = batch.schema();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .zip(&arrays)
        .map(|(field, array)| {
            field
                .as_ref()
                .clone()
                .with_data_type(array.data_type().clone())
        })
        .collect();
    let schema = Schema::new(fields).with_metadata(schema.metadata().clone());
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(Arc::new(schema), arrays, &options).map_err(arrow_error)
}

impl Table {
    /// The table as an Arrow record batch, moving the column buffers (no value is
    /// converted). Types as in [`column_to_arrow`]; every field is nullable.
    pub fn into_record_batch(self) -> Result<RecordBatch> {
        let rows = self.rows;
        let mut metadata = std::collections::HashMap::new();
        if !self.problems.is_empty() {
            metadata.insert(
                PROBLEMS_KEY.to_string(),
                serde_json::to_string(&self.problems)?,
            );
        }
        // Each column on its own (in parallel with `parallel`: a text column's
        // offsets are narrowed and its validity packed into bits).
        #[cfg(feature = "parallel")]
        let converted: Result<Vec<(Field, ArrayRef)>> = {
            use rayon::prelude::*;
            self.columns.into_par_iter().map(column_to_arrow).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let converted: Result<Vec<(Field, ArrayRef)>> =
            self.columns.into_iter().map(column_to_arrow).collect();
        let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = converted?.into_iter().unzip();
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        let schema = Schema::new(fields).with_metadata(metadata);
        RecordBatch::try_new_with_options(Arc::new(schema), arrays, &options).map_err(arrow_error)
    }

    /// The table as an Arrow record batch (a copy; see [`Table::into_record_batch`]).
    ///
    /// ```
    /// use clientbase::table::{Column, Table};
    /// let table = Table::new(vec![Column::from_texts("city", [Some("Тверь"), None])])?;
    /// let batch = table.to_record_batch()?;
    /// assert_eq!(batch.num_rows(), 2);
    /// assert_eq!(Table::from_record_batch(&batch)?, table);
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn to_record_batch(&self) -> Result<RecordBatch> {
        self.clone().into_record_batch()
    }

    /// Reads an Arrow record batch; column types as in [`column_from_arrow`].
    /// The table's [problems](Table::problems) come back from the schema's
    /// metadata (key `clientbase:problems`, JSON) where
    /// [`Table::into_record_batch`] put them.
    pub fn from_record_batch(batch: &RecordBatch) -> Result<Table> {
        let columns = batch
            .schema()
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, array)| column_from_arrow(field.name(), array.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Table::with_rows(batch.num_rows(), columns)?
            .with_problems(problems_of(&batch.schema())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{ColumnType, Value};
    use arrow_array::DictionaryArray;
    use chrono::{DateTime, NaiveDate, Utc};

    #[test]
    fn problems_travel_in_the_schema_metadata() {
        let problem = crate::table::TableProblem {
            line: "7".into(),
            field: "date".into(),
            reason: "\"31.02.2024\" is not a date".into(),
        };
        let table = Table::new(vec![Column::from_uint64s("client", [Some(1)])])
            .unwrap()
            .with_problems([problem.clone()]);
        let batch = table.to_record_batch().unwrap();
        assert!(batch.schema().metadata()[PROBLEMS_KEY].contains("31.02.2024"));
        let back = Table::from_record_batch(&batch).unwrap();
        assert_eq!(back.problems(), [problem]);
        assert_eq!(back, table);
        // No problems, no metadata.
        let clean = Table::new(vec![Column::from_uint64s("client", [Some(1)])]).unwrap();
        assert!(clean
            .to_record_batch()
            .unwrap()
            .schema()
            .metadata()
            .is_empty());
    }

    fn sample() -> Table {
        let at = DateTime::parse_from_rfc3339("2024-03-05T10:30:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        Table::new(vec![
            Column::from_uint64s("id", [Some(1), Some(2), Some(3)]),
            Column::from_int64s("n", [Some(-1), None, Some(7)]),
            Column::from_bools("ok", [Some(true), Some(false), None]),
            Column::from_float64s("x", [Some(0.5), None, Some(2.0)]),
            Column::from_texts("city", [Some("Москва"), None, Some("")]),
            Column::from_dates("d", [NaiveDate::from_ymd_opt(2024, 3, 5), None, None]),
            Column::from_timestamps("at", [Some(at), None, None]),
            Column::from_decimals("amount", 2, [Some(123450), Some(-5), None]),
            Column::from_text_lists("tags", [Some(vec!["vip", "b2b"]), None, Some(vec![])]),
        ])
        .unwrap()
    }

    #[test]
    fn round_trips_through_a_record_batch() {
        let table = sample();
        let batch = table.to_record_batch().unwrap();
        let schema = batch.schema();
        assert_eq!(
            schema.field_with_name("at").unwrap().data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(
            schema.field_with_name("amount").unwrap().data_type(),
            &DataType::Decimal128(38, 2)
        );
        assert_eq!(
            schema.field_with_name("d").unwrap().data_type(),
            &DataType::Date32
        );
        assert_eq!(batch.column(4).null_count(), 1);
        assert_eq!(Table::from_record_batch(&batch).unwrap(), table);
    }

    #[test]
    fn text_views_share_the_text_and_keep_every_value() {
        let table = sample();
        let batch = table.to_record_batch().unwrap();
        let views = with_text_views(&batch).unwrap();
        let schema = views.schema();
        assert_eq!(
            schema.field_with_name("city").unwrap().data_type(),
            &DataType::Utf8View
        );
        let DataType::List(item) = schema.field_with_name("tags").unwrap().data_type() else {
            panic!("tags is a list")
        };
        assert_eq!(item.data_type(), &DataType::Utf8View);
        // Columns that are not text are the same arrays.
        assert_eq!(
            schema.field_with_name("amount").unwrap().data_type(),
            &DataType::Decimal128(38, 2)
        );
        assert_eq!(views.column(0).to_data(), batch.column(0).to_data());
        // The views point into the `utf8` column's own buffer.
        let utf8 = batch.column(4).as_string::<i32>();
        let city = views.column(4).as_string_view();
        assert_eq!(city.data_buffers()[0].as_ptr(), utf8.values().as_ptr());
        assert_eq!(city.null_count(), 1);
        assert_eq!(Table::from_record_batch(&views).unwrap(), table);
        // Long and short texts (a view holds up to 12 bytes itself), nulls, and
        // the problems in the metadata.
        let long = "Санкт-Петербург, Невский проспект, 1";
        let texts = Table::new(vec![Column::from_texts(
            "address",
            [Some(long), None, Some("Тверь"), Some(""), Some(long)],
        )])
        .unwrap()
        .with_problems([crate::table::TableProblem {
            line: "2".into(),
            field: "address".into(),
            reason: "empty".into(),
        }]);
        let views = with_text_views(&texts.to_record_batch().unwrap()).unwrap();
        assert!(views.schema().metadata().contains_key(PROBLEMS_KEY));
        assert_eq!(Table::from_record_batch(&views).unwrap(), texts);
    }

    #[test]
    fn reads_views_large_strings_dictionaries_and_other_units() {
        let views: StringViewArray = vec![Some("a"), None, Some("a long string past twelve bytes")]
            .into_iter()
            .collect();
        let large: LargeStringArray = vec![Some("x"), Some("y"), None].into_iter().collect();
        let dict: DictionaryArray<Int32Type> =
            vec![Some("hot"), None, Some("hot")].into_iter().collect();
        let ms = arrow_array::TimestampMillisecondArray::from(vec![Some(1_000), None, Some(-1)]);
        let small = arrow_array::Int32Array::from(vec![1, 2, 3]);
        let nulls = arrow_array::NullArray::new(3);
        let batch = RecordBatch::try_from_iter([
            ("v", Arc::new(views) as ArrayRef),
            ("l", Arc::new(large) as ArrayRef),
            ("c", Arc::new(dict) as ArrayRef),
            ("t", Arc::new(ms) as ArrayRef),
            ("i", Arc::new(small) as ArrayRef),
            ("z", Arc::new(nulls) as ArrayRef),
        ])
        .unwrap();
        let table = Table::from_record_batch(&batch).unwrap();
        let v = table.column("v").unwrap();
        assert_eq!(v.value(2), Value::Text("a long string past twelve bytes"));
        assert!(v.is_null(1));
        assert_eq!(table.column("l").unwrap().value(1), Value::Text("y"));
        assert_eq!(table.column("c").unwrap().value(2), Value::Text("hot"));
        assert!(table.column("c").unwrap().is_null(1));
        assert_eq!(
            table.column("t").unwrap().data(),
            &ColumnData::Timestamp(vec![1_000_000, 0, -1_000].into())
        );
        assert_eq!(table.column("i").unwrap().column_type(), ColumnType::Int64);
        assert_eq!(table.column("z").unwrap().null_count(), 3);
    }

    #[test]
    fn unsupported_types_name_the_column() {
        let binary = arrow_array::BinaryArray::from(vec![&b"x"[..]]);
        let batch = RecordBatch::try_from_iter([("blob", Arc::new(binary) as ArrayRef)]).unwrap();
        let err = Table::from_record_batch(&batch).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FieldType);
        assert!(
            err.reason().contains("column \"blob\": Arrow type Binary"),
            "{}",
            err.reason()
        );
    }

    #[test]
    fn numbers_share_the_arrow_buffers_until_written() {
        let ids = UInt64Array::from(vec![7, 8, 9]);
        let amounts = Float64Array::from(vec![1.5, 2.5, 3.5]);
        let days = Date32Array::from(vec![19_000, 19_001, 19_002]);
        let (id_ptr, amount_ptr, day_ptr) = (
            ids.values().as_ptr(),
            amounts.values().as_ptr(),
            days.values().as_ptr(),
        );
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(ids) as ArrayRef),
            ("amount", Arc::new(amounts) as ArrayRef),
            ("day", Arc::new(days) as ArrayRef),
        ])
        .unwrap();
        // A stream of one batch is concatenated as it is: still no copy.
        let table = Table::concat([Table::from_record_batch(&batch).unwrap()]).unwrap();
        let (ColumnData::UInt64(id), ColumnData::Float64(amount), ColumnData::Date(day)) = (
            table.column("id").unwrap().data(),
            table.column("amount").unwrap().data(),
            table.column("day").unwrap().data(),
        ) else {
            panic!("column types")
        };
        assert!(id.is_shared() && amount.is_shared() && day.is_shared());
        assert_eq!(id.as_ptr(), id_ptr);
        assert_eq!(amount.as_ptr(), amount_ptr);
        assert_eq!(day.as_ptr(), day_ptr);
        // Back to Arrow without a copy either way.
        let back = table.clone().into_record_batch().unwrap();
        assert_eq!(
            back.column(1)
                .as_primitive::<Float64Type>()
                .values()
                .as_ptr(),
            amount_ptr
        );
        // Two batches end to end are one copy of their own, the same values.
        let twice = Table::concat([table.clone(), table.clone()]).unwrap();
        assert_eq!(twice.rows(), 6);
        let ColumnData::Float64(joined) = twice.column("amount").unwrap().data() else {
            panic!("amount type")
        };
        assert!(!joined.is_shared());
        assert_eq!(&joined[..], &[1.5, 2.5, 3.5, 1.5, 2.5, 3.5]);
        // Writing to a shared column copies it and leaves the batch alone.
        let (_, data, _) = table.into_columns().swap_remove(1).into_parts();
        let ColumnData::Float64(mut written) = data else {
            panic!("amount type")
        };
        written.to_mut().push(4.5);
        assert!(!written.is_shared());
        assert_eq!(&written[..], &[1.5, 2.5, 3.5, 4.5]);
        assert_eq!(
            batch
                .column(1)
                .as_primitive::<Float64Type>()
                .values()
                .as_ref(),
            &[1.5, 2.5, 3.5]
        );
    }
}
