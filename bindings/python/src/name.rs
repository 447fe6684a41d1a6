//! People's names: a full name split in any order (`parse_name`), gender from
//! the patronymic, initials, clean-up and matching keys across Cyrillic and
//! Latin; `parse_names` does a column at once with the GIL released.

use crate::batch;
use crate::convert::to_py;
use clientbase::capability::NameReading;
use clientbase::{clean_name as core_clean_name, PersonName};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// Splits a full name typed in any order (`Иванов Сергей Петрович`, `сергей
/// петрович ИВАНОВ`, `Ivanov Sergey`) into surname, given name and patronymic,
/// each cleaned like `clean_name`. When nothing tells the order, it is the
/// official one: surname, given name, patronymic. Returns a dict: `surname`,
/// `given`, `patronymic` (`None` when not found), `gender` (`"male"` or
/// `"female"` as the patronymic tells, or `None`), `initials` (`Иванов С. П.`)
/// and `key`, the matching key surname first (the same for `Иванов Сергей`,
/// `Ivanov Sergey` and `Сергей Иванов`).
#[pyfunction]
pub(crate) fn parse_name<'py>(py: Python<'py>, full_name: &str) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &NameReading::from(&PersonName::parse(full_name)))
}

/// Splits a column of full names (a list, tuple, pandas or polars Series) with
/// the GIL released and returns columns, one value per input row: `input` (the
/// values given), `surname`, `given`, `patronymic`, `gender`, `initials` and
/// `key`; a `clientbase.Table` for an Arrow column (polars, pyarrow). `None`,
/// NaN and pandas' NA give a row of `None`; a value that is not text raises
/// `TypeError` naming its row.
#[pyfunction]
pub(crate) fn parse_names<'py>(values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    batch::run(
        values,
        false,
        |(row, problem, reason)| match *problem {
            "not_text" => Err(PyTypeError::new_err(format!(
                "parse_names: values[{row}]: {reason}"
            ))),
            _ => Ok(()),
        },
        |column, _| PersonName::parse_table(column),
    )
}

/// Cleans a name or a full name: NFKC, single spaces, and words typed all in
/// lower or all in upper case capitalized (`иванова-петрова` gives
/// `Иванова-Петрова`; `McDonald` stays).
#[pyfunction]
pub(crate) fn clean_name(text: &str) -> String {
    core_clean_name(text)
}

/// The matching key of a name or a piece of one: lower-case Latin words with
/// `ё` folded into `е`, Cyrillic transliterated and the spellings that differ
/// between transliteration schemes folded, so `Sergey`, `Sergei` and `Сергей`
/// all give `sergei`.
#[pyfunction]
pub(crate) fn name_key(text: &str) -> String {
    clientbase::name_key(text)
}

/// Transliterates Cyrillic to Latin by ICAO 9303, the scheme of Russian
/// passports (`Иванов Сергей` gives `Ivanov Sergei`); other characters stay.
#[pyfunction]
pub(crate) fn transliterate(text: &str) -> String {
    clientbase::transliterate(text)
}
