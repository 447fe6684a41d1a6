//! Columns in, columns out for the batch calls (`PhoneNormalizer.parse_batch`,
//! `EmailNormalizer.parse_batch`, `parse_names`).
//!
//! An Arrow column (polars, pyarrow) is read as it is, the core makes the
//! parse table with the GIL released (`parse_table_marked`,
//! `PersonName::parse_table`) and it goes back as a `clientbase.Table`.
//! Anything else is read value by value, each value its text or its row's
//! problem (see [`cell`]), in chunks: a worker thread has the core parse one
//! chunk while this thread reads the next and turns the table of the one
//! before into lists; the answer is a dict of lists whose `input` is a new
//! list of the values given.

use crate::arrow::{column_to_py, text_column_from_py, PyTable};
use crate::convert::type_name;
use crate::error::OrRaise;
use clientbase::table::Column;
use clientbase::Table;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::{mpsc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A row the caller's value gave no text for: row, problem (`missing`,
/// `not_text`) and reason.
pub(crate) type Marked = (usize, &'static str, String);

/// Rows per chunk of a list: the core parses one chunk with the GIL released
/// while this thread reads the next one and turns the one before into lists.
const CHUNK_ROWS: usize = 1 << 17;

/// Reads a column, checks its marked rows with `check` (which may refuse the
/// call), runs `parse` over it with the GIL released and hands the table back.
/// With `numbers`, an `int` (or a float holding a whole number) is read as its
/// digits: phone numbers often arrive as numbers.
pub(crate) fn run<'py>(
    values: &Bound<'py, PyAny>,
    numbers: bool,
    check: impl Fn(&Marked) -> PyResult<()>,
    parse: impl Fn(&Column, &[(usize, &str, &str)]) -> clientbase::Result<Table> + Sync,
) -> PyResult<Bound<'py, PyAny>> {
    let py = values.py();
    if let Some(column) = text_column_from_py(values)? {
        let table = py.detach(|| parse(&column, &[])).or_raise()?;
        return Ok(Bound::new(py, PyTable::new(table)?)?.into_any());
    }
    let started = Instant::now();
    let list = new_list(values)?;
    let dict = PyDict::new(py);
    dict.set_item("input", &list)?;
    let rows = list.len();
    let (mut read_time, mut wait) = (Duration::ZERO, Duration::ZERO);
    std::thread::scope(|scope| -> PyResult<()> {
        let (to_worker, inbox) = mpsc::sync_channel::<(Column, Vec<Marked>)>(1);
        let (to_main, done) = mpsc::sync_channel::<clientbase::Result<Table>>(1);
        let parse = &parse;
        scope.spawn(move || {
            for (column, marked) in inbox {
                let marks: Vec<_> = marked
                    .iter()
                    .map(|(r, p, w)| (*r, *p, w.as_str()))
                    .collect();
                if to_main.send(parse(&column, &marks)).is_err() {
                    break;
                }
            }
        });
        // Waiting releases the GIL (the receiver is behind a mutex, as a
        // reference to a bare receiver cannot cross threads).
        let done = Mutex::new(done);
        let mut receive = || -> PyResult<Table> {
            let start = Instant::now();
            let lock = || done.lock().unwrap_or_else(PoisonError::into_inner);
            let table = py.detach(|| lock().recv()).map_err(|_| worker_gone());
            wait += start.elapsed();
            table?.or_raise()
        };
        let mut pending = false;
        // One chunk at least, so that an empty column still gives every column.
        for start in (0..rows.max(1)).step_by(CHUNK_ROWS) {
            let begun = Instant::now();
            let end = rows.min(start + CHUNK_ROWS);
            let (column, marked) = read_chunk(&list, start..end, numbers)?;
            for (row, problem, reason) in &marked {
                check(&(start + row, problem, reason.clone()))?;
            }
            read_time += begun.elapsed();
            py.detach(|| to_worker.send((column, marked)).is_ok())
                .then_some(())
                .ok_or_else(worker_gone)?;
            if pending {
                append(&dict, &receive()?)?;
            }
            pending = true;
        }
        drop(to_worker);
        append(&dict, &receive()?)
    })?;
    record(read_time, wait, started.elapsed());
    Ok(dict.into_any())
}

fn worker_gone() -> PyErr {
    PyRuntimeError::new_err("the batch worker thread stopped")
}

/// Appends a chunk's table (but its `input`) to the output lists.
fn append(dict: &Bound<'_, PyDict>, table: &Table) -> PyResult<()> {
    for column in table.columns().iter().filter(|c| c.name() != "input") {
        let part = column_to_py(dict.py(), column)?;
        match dict.get_item(column.name())? {
            Some(list) => list.call_method1("extend", (part,)).map(drop)?,
            None => dict.set_item(column.name(), part)?,
        }
    }
    Ok(())
}

/// Rows `range` of `list` as a text column, with the rows (in the chunk) that
/// have no text.
fn read_chunk(
    list: &Bound<'_, PyList>,
    range: Range<usize>,
    numbers: bool,
) -> PyResult<(Column, Vec<Marked>)> {
    let items: Vec<Bound<'_, PyAny>> = list.get_slice(range.start, range.end).iter().collect();
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
    let column = Column::from_texts("input", texts.iter().map(Option::as_deref));
    Ok((column, marked))
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
/// seconds, on the thread holding the GIL: `read` (Python values into core
/// columns), `wait` (for the core's parse, GIL released) and `total` (the rest
/// is writing the tables into Python lists); for
/// `benches/python/phones_batch.py` (feature `bench-hooks`).
#[cfg(feature = "bench-hooks")]
pub(crate) static LAST_STAGES: std::sync::Mutex<[Duration; 3]> =
    std::sync::Mutex::new([Duration::ZERO; 3]);

fn record(read: Duration, wait: Duration, total: Duration) {
    #[cfg(feature = "bench-hooks")]
    {
        *LAST_STAGES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = [read, wait, total];
    }
    #[cfg(not(feature = "bench-hooks"))]
    let _ = (read, wait, total);
}
