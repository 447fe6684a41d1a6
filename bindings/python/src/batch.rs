//! Columns in, columns out for the batch calls (`PhoneNormalizer.parse_batch`,
//! `EmailNormalizer.parse_batch`, `parse_names`).
//!
//! A column is read into one core text column: an Arrow column (polars,
//! pyarrow) as it is, anything else value by value, each value its text or its
//! row's problem (see [`cell`]). The core makes the parse table with the GIL
//! released (`parse_table_marked`, `PersonName::parse_table`), and the table
//! goes back as a `clientbase.Table` for Arrow input, else as a dict of lists
//! whose `input` is a new list of the values given.

use crate::arrow::{column_to_py, text_column_from_py, PyTable};
use crate::convert::type_name;
use crate::error::OrRaise;
use clientbase::table::Column;
use clientbase::Table;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// A row the caller's value gave no text for: row, problem (`missing`,
/// `not_text`) and reason.
pub(crate) type Marked = (usize, &'static str, String);

/// Reads a column, checks its marked rows with `check` (which may refuse the
/// call), runs `parse` over it with the GIL released and hands the table back.
/// With `numbers`, an `int` (or a float holding a whole number) is read as its
/// digits: phone numbers often arrive as numbers.
pub(crate) fn run<'py>(
    values: &Bound<'py, PyAny>,
    numbers: bool,
    check: impl Fn(&Marked) -> PyResult<()>,
    parse: impl FnOnce(&Column, &[(usize, &str, &str)]) -> clientbase::Result<Table> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let py = values.py();
    let started = Instant::now();
    if let Some(column) = text_column_from_py(values)? {
        let table = py.detach(|| parse(&column, &[])).or_raise()?;
        return Ok(Bound::new(py, PyTable::new(table)?)?.into_any());
    }
    let list = new_list(values)?;
    let items: Vec<Bound<'py, PyAny>> = list.iter().collect();
    let mut marked = Vec::new();
    let mut texts = Vec::with_capacity(items.len());
    for (row, value) in items.iter().enumerate() {
        match cell(value, numbers)? {
            Ok(text) => texts.push(Some(text)),
            Err((problem, reason)) => {
                marked.push((row, problem, reason));
                texts.push(None);
            }
        }
    }
    marked.iter().try_for_each(&check)?;
    let column = Column::from_texts("input", texts.iter().map(Option::as_deref));
    drop(texts);
    let read = started.elapsed();
    let marks: Vec<(usize, &str, &str)> = marked
        .iter()
        .map(|(r, p, w)| (*r, *p, w.as_str()))
        .collect();
    let table = py.detach(|| parse(&column, &marks)).or_raise()?;
    let parsed = started.elapsed();
    let dict = PyDict::new(py);
    dict.set_item("input", list)?;
    for column in table.columns().iter().filter(|c| c.name() != "input") {
        dict.set_item(column.name(), column_to_py(py, column)?)?;
    }
    record(read, parsed - read, started.elapsed());
    Ok(dict.into_any())
}

/// The values of a column as a new list (so the caller's own list is never shared).
fn new_list<'py>(values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    let py = values.py();
    if values.is_instance_of::<PyString>() || values.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "expected a column of values (a list, tuple or Series), got a single string",
        ));
    }
    let list = if values.is_instance_of::<PyList>() || values.is_instance_of::<PyTuple>() {
        py.get_type::<PyList>().call1((values,))?
    } else if values.hasattr("to_list")? {
        // pandas and polars Series: one call instead of iterating the Series.
        values.call_method0("to_list")?
    } else if values.hasattr("tolist")? {
        values.call_method0("tolist")?
    } else if values.hasattr("columns")? || values.hasattr("keys")? {
        // A table or a mapping would be iterated by its column names or keys.
        return Err(PyTypeError::new_err(format!(
            "expected one column of values (a list, tuple or Series), got a {}; \
             pass one column, such as df[\"phone\"]",
            type_name(values)
        )));
    } else if values.hasattr("__iter__")? {
        py.get_type::<PyList>().call1((values,))?
    } else {
        return Err(PyTypeError::new_err(format!(
            "expected a column of values (a list, tuple or Series), got {}",
            type_name(values)
        )));
    };
    list.cast_into::<PyList>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{}.to_list() did not return a list",
            type_name(values)
        ))
    })
}

/// A value as text (a `str` borrowed, not copied), or the row's problem.
/// `None`, NaN and pandas' `NA`/`NaT` are missing values; with `numbers`, an
/// `int` (and a float holding a whole number, as pandas stores integers with
/// gaps) is read as its digits.
fn cell<'a>(
    value: &'a Bound<'_, PyAny>,
    numbers: bool,
) -> PyResult<Result<Cow<'a, str>, (&'static str, String)>> {
    let missing = |what: &str| Err(("missing", format!("missing value ({what})")));
    let not_text = |what: &str| Err(("not_text", format!("expected str, got {what}")));
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(match text.to_str() {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(_) => Err((
                "not_text",
                "the str cannot be read as Unicode text (a lone surrogate)".into(),
            )),
        });
    }
    if value.is_none() {
        return Ok(missing("None"));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        let number = float.value();
        return Ok(if number.is_nan() {
            missing("NaN")
        } else if numbers && number.fract() == 0.0 && number.abs() < 1e18 {
            Ok(Cow::Owned(format!("{number:.0}")))
        } else {
            not_text("float")
        });
    }
    if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        return Ok(if numbers {
            Ok(Cow::Owned(value.str()?.to_cow()?.into_owned()))
        } else {
            not_text("int")
        });
    }
    Ok(match type_name(value).as_str() {
        "NAType" => missing("NA"),
        "NaTType" => missing("NaT"),
        other => not_text(other),
    })
}

/// Where the time of the last list-path batch call in this process went, in
/// seconds: `read` (Python values into a core column), `parse` (the core call,
/// GIL released), `write` (the table into Python lists) and `total`; for
/// `benches/python/phones_batch.py` (feature `bench-hooks`).
#[cfg(feature = "bench-hooks")]
pub(crate) static LAST_STAGES: std::sync::Mutex<[Duration; 3]> =
    std::sync::Mutex::new([Duration::ZERO; 3]);

fn record(read: Duration, parse: Duration, total: Duration) {
    #[cfg(feature = "bench-hooks")]
    {
        *LAST_STAGES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = [read, parse, total];
    }
    #[cfg(not(feature = "bench-hooks"))]
    let _ = (read, parse, total);
}
