//! Tables through the Arrow PyCapsule interface, both ways.
//!
//! Out: `clientbase.Table` holds a core `Table` and exports it with
//! `__arrow_c_stream__` / `__arrow_c_schema__` (arrow-rs's C Data Interface), so
//! `polars.DataFrame(t)`, `pyarrow.table(t)` and DuckDB read its buffers without
//! a Python object per value. The stream can be asked for again and again (DuckDB
//! asks twice); each export shares the same Arrow buffers.
//!
//! In: any object with `__arrow_c_stream__` or `__arrow_c_array__` (polars and
//! pyarrow frames, series and arrays) is read into a core `Table` by the core's
//! Arrow conversion (`Utf8`, `LargeUtf8` and `Utf8View` strings alike).

use crate::error::{to_py_err, OrRaise};
use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{
    make_array, Array, ArrayReader, ArrayRef, RecordBatch, RecordBatchIterator, StructArray,
};
use arrow_schema::{ArrowError, DataType, Field};
use clientbase::table::{column_from_arrow, format_decimal, Column, ColumnData, ColumnType, Value};
use clientbase::{Error, ErrorKind, Table};
use pyo3::exceptions::{PyImportError, PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyString, PyTuple};
use std::sync::OnceLock;

fn arrow_error(err: ArrowError) -> PyErr {
    to_py_err(arrow_error_core(err))
}

/// A table of named, typed columns: what `clients_table()`, `deals_table()` and
/// capabilities with table output return. Convert it with `polars.DataFrame(t)`,
/// `pyarrow.table(t)`, `t.to_pandas()`, or read it from DuckDB.
#[pyclass(frozen, name = "Table", module = "clientbase")]
pub(crate) struct PyTable {
    /// The columns as Arrow arrays, their buffers moved from the core table, so
    /// that an export copies nothing.
    batch: RecordBatch,
    /// Each column's core type, for `schema` and the repr.
    types: Vec<(String, ColumnType)>,
    /// The core table again, read back from the batch only when a method walks
    /// the values (`to_pylist`, `t["col"]`, `to_json`: small tables).
    table: OnceLock<Table>,
}

impl PyTable {
    pub(crate) fn new(table: Table) -> PyResult<PyTable> {
        let types = table
            .schema()
            .into_iter()
            .map(|(name, ty)| (name.to_string(), ty))
            .collect();
        Ok(PyTable {
            batch: table.into_record_batch().or_raise()?,
            types,
            table: OnceLock::new(),
        })
    }

    fn table(&self) -> PyResult<&Table> {
        if let Some(table) = self.table.get() {
            return Ok(table);
        }
        let table = Table::from_record_batch(&self.batch).or_raise()?;
        Ok(self.table.get_or_init(|| table))
    }
}

/// A table's columns as a dict of lists (for small tables).
pub(crate) fn table_to_pydict<'py>(py: Python<'py>, table: &Table) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for column in table.columns() {
        dict.set_item(column.name(), column_to_py(py, column)?)?;
    }
    Ok(dict)
}

/// Imports `module` for a conversion, or says which extra installs it.
fn optional<'py>(py: Python<'py>, module: &str, extra: &str) -> PyResult<Bound<'py, PyModule>> {
    py.import(module).map_err(|err| {
        if err.is_instance_of::<PyImportError>(py) {
            let hint = PyImportError::new_err(format!(
                "this conversion needs {module}: pip install 'clientbase[{extra}]'"
            ));
            hint.set_cause(py, Some(err));
            hint
        } else {
            err
        }
    })
}

/// A value as Python data: dates and instants as `datetime`, decimals as `Decimal`.
fn value_to_py<'py>(py: Python<'py>, value: Value<'_>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Int64(i) => i.into_pyobject(py)?.into_any(),
        Value::UInt64(u) => u.into_pyobject(py)?.into_any(),
        Value::Float64(f) => f.into_pyobject(py)?.into_any(),
        Value::Text(t) => t.into_pyobject(py)?.into_any(),
        Value::Date(d) => d.into_pyobject(py)?.into_any(),
        Value::Timestamp(t) => t.into_pyobject(py)?.into_any(),
        Value::Decimal { value, scale } => py
            .import("decimal")?
            .getattr("Decimal")?
            .call1((format_decimal(value, scale),))?,
        Value::TextList(items) => PyList::new(py, items)?.into_any(),
        other => {
            return Err(PyTypeError::new_err(format!(
                "no Python form for {other:?}"
            )))
        }
    })
}

/// A column's values as a list. Texts that repeat down a column (kinds,
/// regions, reasons) are made once: the first `SHARED` distinct texts are kept
/// and reused, unless the first `PROBE` rows show the column's texts rarely repeat.
pub(crate) fn column_to_py<'py>(py: Python<'py>, column: &Column) -> PyResult<Bound<'py, PyList>> {
    const SHARED: usize = 32;
    const PROBE: usize = 4096;
    let ColumnData::Text(texts) = column.data() else {
        let values = column.values().map(|v| value_to_py(py, v));
        return PyList::new(py, values.collect::<PyResult<Vec<_>>>()?);
    };
    let none = py.None().into_bound(py);
    let mut made: Vec<(&str, Bound<'py, PyAny>)> = Vec::new();
    let (mut share, mut hits) = (true, 0);
    let values = (0..texts.len()).map(|row| {
        if column.is_null(row) {
            return none.clone();
        }
        let text = texts.get(row);
        if share {
            if row == PROBE && hits < PROBE / 2 {
                share = false;
            }
            if let Some((_, value)) = made.iter().find(|(made, _)| *made == text) {
                hits += 1;
                return value.clone();
            }
        }
        let value = PyString::new(py, text).into_any();
        if share && made.len() < SHARED {
            made.push((text, value.clone()));
        }
        value
    });
    PyList::new(py, values.collect::<Vec<_>>())
}

#[pymethods]
impl PyTable {
    /// A table from an Arrow object (polars or pyarrow frame, series or array)
    /// or a dict of equally long lists.
    #[new]
    fn py_new(data: &Bound<'_, PyAny>) -> PyResult<PyTable> {
        PyTable::new(crate::table::Columns::from_py(data)?.into_table()?)
    }

    /// How many rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// The table as JSON text: `{"columns": [{"name", "type", "values"}, ...],
    /// "rows": N}`, keys sorted (the form C's `cb_table_to_json` gives).
    fn to_json(&self) -> PyResult<String> {
        self.table()?.to_json().or_raise()
    }

    /// The rows of the input this table was computed from that could not be
    /// used: `[{"line": "7", "field": "date", "reason": "..."}]` (empty when
    /// every row was read). They travel in the Arrow schema's metadata under
    /// `clientbase:problems`.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let problems = clientbase::table::problems_of(&self.batch.schema()).or_raise()?;
        crate::convert::to_py(py, &problems)
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<&str> {
        self.types.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// Each column's type name (`uint64`, `text`, `date`, `decimal`, ...).
    #[getter]
    fn schema(&self) -> Vec<(String, String)> {
        self.types
            .iter()
            .map(|(name, ty)| (name.clone(), ty.name().to_string()))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    /// One column's values as a list: `t["e164"]`.
    fn __getitem__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyList>> {
        match self.table()?.column(name) {
            Some(column) => column_to_py(py, column),
            None => Err(PyKeyError::new_err(format!(
                "no column {name:?}; the columns are {}",
                self.column_names().join(", ")
            ))),
        }
    }

    /// The Arrow schema (a struct of the columns) as an `arrow_schema` PyCapsule.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema =
            FFI_ArrowSchema::try_from(self.batch.schema().as_ref()).map_err(arrow_error)?;
        PyCapsule::new_with_value(py, schema, c"arrow_schema")
    }

    /// The table as an `arrow_array_stream` PyCapsule of one record batch; may be
    /// called any number of times. `requested_schema` is accepted and ignored.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batch = self.batch.clone();
        let reader = RecordBatchIterator::new([Ok(batch.clone())], batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// The rows as dicts (for small tables: one Python object per value).
    fn to_pylist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let table = self.table()?;
        let columns = table.columns();
        let rows = (0..table.rows())
            .map(|row| {
                let dict = PyDict::new(py);
                for column in columns {
                    dict.set_item(column.name(), value_to_py(py, column.value(row))?)?;
                }
                Ok(dict)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    /// The columns as a dict of lists (for small tables).
    pub(crate) fn to_pydict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        table_to_pydict(py, self.table()?)
    }

    /// A `pyarrow.Table` (needs pyarrow: `pip install 'clientbase[pyarrow]'`).
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        optional(slf.py(), "pyarrow", "pyarrow")?.call_method1("table", (slf,))
    }

    /// A `polars.DataFrame` with typed columns (needs polars:
    /// `pip install 'clientbase[polars]'`). Text goes over as Arrow string
    /// views, which polars keeps as they are.
    pub(crate) fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let polars = optional(py, "polars", "polars")?;
        let this = slf.get();
        let batch = py
            .detach(|| clientbase::table::with_text_views(&this.batch))
            .or_raise()?;
        let views = PyTable {
            batch,
            types: this.types.clone(),
            table: OnceLock::new(),
        };
        polars.call_method1("DataFrame", (Bound::new(py, views)?,))
    }

    /// A `pandas.DataFrame` with Arrow-backed typed columns: integers, booleans,
    /// dates, timestamps and decimals keep their types and nulls stay nulls
    /// (needs pandas and pyarrow: `pip install 'clientbase[pandas]'`).
    pub(crate) fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let pandas = optional(py, "pandas", "pandas")?;
        optional(py, "pyarrow", "pandas")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("types_mapper", pandas.getattr("ArrowDtype")?)?;
        Self::to_pyarrow(slf)?.call_method("to_pandas", (), Some(&kwargs))
    }

    fn __repr__(&self) -> String {
        let columns: Vec<String> = self
            .types
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        format!(
            "Table(rows={}, columns=[{}])",
            self.batch.num_rows(),
            columns.join(", ")
        )
    }
}

// ---- in ----------------------------------------------------------------------------

/// Whether `obj` offers the Arrow PyCapsule interface.
pub(crate) fn is_arrow(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.hasattr("__arrow_c_stream__")? || obj.hasattr("__arrow_c_array__")?)
}

/// An Arrow array (a struct array is a table's rows) as a table, and whether
/// it was a table's rows.
fn array_table(field: &Field, array: ArrayRef) -> clientbase::Result<(Table, bool)> {
    if let Some(rows) = array.as_any().downcast_ref::<StructArray>() {
        let table = Table::from_record_batch(&RecordBatch::from(rows.clone()))?;
        return Ok((table, true));
    }
    let column = column_from_arrow(field.name(), array.as_ref())?;
    Ok((Table::new(vec![column])?, false))
}

/// Reads an object with `__arrow_c_stream__` or `__arrow_c_array__` into a
/// table; the Arrow data is converted with the GIL released.
pub(crate) fn table_from_arrow(obj: &Bound<'_, PyAny>) -> PyResult<Table> {
    Ok(read_arrow(obj)?.0)
}

/// Takes the array an object gives through `__arrow_c_array__` (the
/// PyCapsule protocol): its field and its data.
pub(crate) fn import_c_array(obj: &Bound<'_, PyAny>) -> PyResult<(Field, ArrayRef)> {
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast::<PyTuple>()?;
    let schema = pair.get_item(0)?;
    let schema = schema.cast::<PyCapsule>()?;
    let array = pair.get_item(1)?;
    let array = array.cast::<PyCapsule>()?;
    let schema_pointer = schema.pointer_checked(Some(c"arrow_schema"))?;
    let array_pointer = array.pointer_checked(Some(c"arrow_array"))?;
    // SAFETY: the capsules hold an `ArrowSchema` and an `ArrowArray` (their names
    // say so); the schema is only borrowed (its capsule releases it), the array is
    // moved out and its capsule's copy marked released.
    let (schema, array) = unsafe {
        (
            &*schema_pointer.cast::<FFI_ArrowSchema>().as_ptr(),
            FFI_ArrowArray::from_raw(array_pointer.cast().as_ptr()),
        )
    };
    let field = Field::try_from(schema).map_err(arrow_error)?;
    // SAFETY: `array` was exported with `schema`.
    let data = unsafe { from_ffi(array, schema) }.map_err(arrow_error)?;
    Ok((field, make_array(data)))
}

/// [`table_from_arrow`], and whether the object was a table (a struct of
/// columns) rather than one column.
fn read_arrow(obj: &Bound<'_, PyAny>) -> PyResult<(Table, bool)> {
    let py = obj.py();
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.cast::<PyCapsule>()?;
        let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
        // SAFETY: the capsule holds an `ArrowArrayStream` (its name says so);
        // `from_raw` moves it out and marks the capsule's copy released, as the
        // PyCapsule protocol asks of a consumer.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.cast().as_ptr()) };
        return py
            .detach(|| {
                let reader = ArrayStreamReader::try_new(stream).map_err(arrow_error_core)?;
                let field = ArrayReader::field(&reader).clone();
                let mut tables = Vec::new();
                let mut is_table = matches!(field.data_type(), DataType::Struct(_));
                for array in reader {
                    let (table, rows) = array_table(&field, array.map_err(arrow_error_core)?)?;
                    is_table = rows;
                    tables.push(table);
                }
                if tables.is_empty() {
                    let empty = arrow_array::new_empty_array(field.data_type());
                    return array_table(&field, empty);
                }
                Ok((Table::concat(tables)?, is_table))
            })
            .or_raise();
    }
    let (field, array) = import_c_array(obj)?;
    py.detach(|| array_table(&field, array)).or_raise()
}

fn arrow_error_core(err: ArrowError) -> Error {
    Error::new(ErrorKind::InvalidValue, format!("arrow: {err}"))
}

/// A text column from an Arrow column object (a polars series, a pyarrow array
/// or chunked array); `None` when `obj` is not one (a list, a pandas series,
/// an Arrow column of numbers), for the list path. A frame is an error.
pub(crate) fn text_column_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Option<Column>> {
    let module: String = obj.get_type().getattr("__module__")?.extract()?;
    if module.starts_with("pandas") || !is_arrow(obj)? {
        return Ok(None);
    }
    let (table, is_table) = read_arrow(obj)?;
    if is_table {
        return Err(PyTypeError::new_err(format!(
            "expected one column of values, got a table of {} columns",
            table.columns().len()
        )));
    }
    let column = table.into_columns().pop();
    Ok(column.filter(|c| c.column_type() == ColumnType::Text))
}
