//! Columns from Python into a core `Table`: through Arrow when the object
//! offers it (polars, pyarrow, pandas through pyarrow), else from a dict of
//! lists, one cell at a time. A cell that cannot be read (bytes, a `str` with a
//! lone surrogate) becomes a `BadCell` that the core reports as its row's
//! rejection; the import itself is the core's (`ClientBase::import_clients_table`).

use crate::arrow::{is_arrow, table_from_arrow};
use crate::convert::{temporal_text, type_name};
use crate::error::OrRaise;
use clientbase::table::{BadCell, Column};
use clientbase::Table;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple,
};

/// Columns read from Python, ready for a core import.
pub(crate) struct Columns {
    pub(crate) table: Table,
    pub(crate) bad_cells: Vec<BadCell>,
}

impl Columns {
    pub(crate) fn from_py(columns: &Bound<'_, PyAny>) -> PyResult<Columns> {
        let py = columns.py();
        let module: String = columns.get_type().getattr("__module__")?.extract()?;
        let module = module.split('.').next().unwrap_or("").to_string();
        let clean = |table| Columns {
            table,
            bad_cells: Vec::new(),
        };
        if let Ok(dict) = columns.cast::<PyDict>() {
            return from_dict(dict);
        }
        if module == "pandas" {
            // The frame's own export would add a non-default index as a column.
            if let Ok(pyarrow) = py.import("pyarrow") {
                let kwargs = PyDict::new(py);
                kwargs.set_item("preserve_index", false)?;
                let converted =
                    pyarrow
                        .getattr("Table")?
                        .call_method("from_pandas", (columns,), Some(&kwargs));
                if let Ok(table) = converted.and_then(|t| table_from_arrow(&t)) {
                    return Ok(clean(table));
                }
            }
        } else if is_arrow(columns)? {
            match table_from_arrow(columns) {
                Ok(table) => return Ok(clean(table)),
                // Values Arrow cannot hold as text (bytes) are read cell by cell below,
                // where each is reported on its row.
                Err(err) if !has_dict_form(columns)? => return Err(err),
                Err(_) => {}
            }
        }
        let dict = dict_form(columns, &module)?;
        from_dict(&dict)
    }
}

impl Columns {
    /// The columns as a table for a calculation, where a cell that cannot be
    /// read is an error naming its row and column (an import reports it on its
    /// row instead).
    pub(crate) fn into_table(self) -> PyResult<Table> {
        if let Some(bad) = self.bad_cells.first() {
            return Err(clientbase::Error::new(
                clientbase::ErrorKind::InvalidValue,
                bad.reason.clone(),
            )
            .with_record(format!("row {}", bad.row))
            .with_field(bad.column.clone()))
            .or_raise();
        }
        Ok(self.table)
    }
}

fn has_dict_form(columns: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(columns.hasattr("to_pydict")? || columns.hasattr("to_dict")?)
}

/// A dict of column name to values from a mapping, or a pandas, polars or
/// pyarrow frame (recognised by their methods, so none is imported here).
fn dict_form<'py>(columns: &Bound<'py, PyAny>, module: &str) -> PyResult<Bound<'py, PyDict>> {
    let py = columns.py();
    let converted = match module {
        "pandas" => columns.call_method1("to_dict", ("list",))?,
        "polars" => {
            let kwargs = PyDict::new(py);
            kwargs.set_item("as_series", false)?;
            columns.call_method("to_dict", (), Some(&kwargs))?
        }
        _ if columns.hasattr("to_pydict")? => columns.call_method0("to_pydict")?,
        _ if columns.hasattr("items")? => {
            let dict = PyDict::new(py);
            dict.call_method1("update", (columns,))?;
            dict.into_any()
        }
        _ => {
            return Err(PyTypeError::new_err(format!(
                "columns must be a dict of lists, a pandas/polars DataFrame or an Arrow \
                 table, not {}",
                type_name(columns)
            )))
        }
    };
    Ok(converted.cast_into::<PyDict>()?)
}

fn from_dict(dict: &Bound<'_, PyDict>) -> PyResult<Columns> {
    let mut names = Vec::new();
    let mut cells: Vec<Vec<Option<String>>> = Vec::new();
    let mut integers: Vec<Option<Vec<Option<i64>>>> = Vec::new();
    let mut bad_cells = Vec::new();
    for (name, values) in dict.iter() {
        let name: String = name.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "column names must be str, not {}",
                type_name(&name)
            ))
        })?;
        if values.is_instance_of::<PyString>() || values.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(format!(
                "column {name:?} must be a list of values, not a single string"
            )));
        }
        let mut column = Vec::new();
        // A column of Python ints (ids, quantities) stays integers, as it would
        // through Arrow; anything else is read as the text a CSV file holds.
        let mut ints: Option<Vec<Option<i64>>> = Some(Vec::new());
        for (row, cell) in values.try_iter()?.enumerate() {
            let cell = cell?;
            if let Some(list) = &mut ints {
                if cell.is_none() {
                    list.push(None);
                } else if cell.is_instance_of::<PyInt>() && !cell.is_instance_of::<PyBool>() {
                    // An int past i64 is read as text, like anything else.
                    match cell.extract::<i64>() {
                        Ok(value) => list.push(Some(value)),
                        Err(_) => ints = None,
                    }
                } else {
                    ints = None;
                }
            }
            match cell_text(&cell)? {
                Ok(text) => column.push(text),
                Err(reason) => {
                    bad_cells.push(BadCell {
                        row,
                        column: name.clone(),
                        reason,
                    });
                    column.push(None);
                }
            }
        }
        names.push(name);
        integers.push(ints.filter(|list| list.iter().any(Option::is_some)));
        cells.push(column);
    }
    let Some(rows) = cells.first().map(Vec::len) else {
        return Err(PyValueError::new_err("no columns given"));
    };
    if let Some((name, column)) = names.iter().zip(&cells).find(|(_, c)| c.len() != rows) {
        return Err(PyValueError::new_err(format!(
            "column {name:?} has {} values, column {:?} has {rows}",
            column.len(),
            names[0]
        )));
    }
    let columns = names
        .into_iter()
        .zip(&cells)
        .zip(integers)
        .map(|((name, cells), ints)| match ints {
            Some(ints) => Column::from_int64s(name, ints),
            None => Column::from_texts(name, cells.iter().map(Option::as_deref)),
        })
        .collect();
    Ok(Columns {
        table: Table::with_rows(rows, columns).map_err(crate::error::to_py_err)?,
        bad_cells,
    })
}

type Cell = Result<Option<String>, String>;

/// One cell as the text a CSV file would hold: `None`, NaN and pandas' NA/NaT are
/// empty; lists (tags, many-of values) are joined with `, `; dates are ISO 8601.
/// Bytes and a `str` that is not Unicode are the cell's problem.
fn cell_text(cell: &Bound<'_, PyAny>) -> PyResult<Cell> {
    if cell.is_none() {
        return Ok(Ok(None));
    }
    if let Ok(text) = cell.cast::<PyString>() {
        return Ok(match text.to_cow() {
            Ok(text) => Ok(Some(text.into_owned())),
            Err(_) => Err("the str cannot be read as Unicode text (a lone surrogate)".into()),
        });
    }
    if cell.is_instance_of::<PyBytes>() || type_name(cell) == "bytearray" {
        return Ok(Err(format!(
            "expected text, got {}; decode it first",
            type_name(cell)
        )));
    }
    if let Ok(flag) = cell.cast::<PyBool>() {
        return Ok(Ok(Some(flag.is_true().to_string())));
    }
    if cell.is_instance_of::<PyInt>() {
        return Ok(Ok(Some(cell.str()?.to_cow()?.into_owned())));
    }
    if let Ok(float) = cell.cast::<PyFloat>() {
        let value = float.value();
        return Ok(Ok(if value.is_nan() {
            None
        } else if value.fract() == 0.0 && value.abs() < 1e15 {
            // pandas turns integer columns with gaps into floats: 3.0 means 3.
            Some(format!("{value:.0}"))
        } else {
            Some(value.to_string())
        }));
    }
    if matches!(type_name(cell).as_str(), "NAType" | "NaTType") {
        return Ok(Ok(None));
    }
    if cell.is_instance_of::<PyList>()
        || cell.is_instance_of::<PyTuple>()
        || cell.is_instance_of::<PySet>()
        || cell.is_instance_of::<PyFrozenSet>()
        || type_name(cell) == "ndarray"
        || type_name(cell) == "Series"
    {
        let mut parts = Vec::new();
        for item in cell.try_iter()? {
            match cell_text(&item?)? {
                Ok(Some(text)) => parts.push(text),
                Ok(None) => {}
                Err(reason) => return Ok(Err(reason)),
            }
        }
        if cell.is_instance_of::<PySet>() || cell.is_instance_of::<PyFrozenSet>() {
            parts.sort();
        }
        return Ok(Ok(Some(parts.join(", "))));
    }
    if is_naive_midnight(cell)? {
        // A date column that pandas made a datetime column: the bare date reads
        // as that date in a date column and as midnight UTC in a timestamp column.
        let date = cell.call_method0("date")?.call_method0("isoformat")?;
        return Ok(Ok(Some(date.extract()?)));
    }
    if let Some(text) = temporal_text(cell)? {
        return Ok(Ok(Some(text)));
    }
    Ok(Ok(Some(cell.str()?.to_cow()?.into_owned())))
}

fn is_naive_midnight(cell: &Bound<'_, PyAny>) -> PyResult<bool> {
    if !cell.hasattr("hour")? || !cell.hasattr("date")? || !cell.getattr("tzinfo")?.is_none() {
        return Ok(false);
    }
    for part in ["hour", "minute", "second", "microsecond"] {
        if cell.getattr(part)?.extract::<i64>()? != 0 {
            return Ok(false);
        }
    }
    Ok(true)
}
