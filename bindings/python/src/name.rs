//! People's names: a full name split in any order (`parse_name`), gender from
//! the patronymic, initials, clean-up and matching keys across Cyrillic and
//! Latin; `parse_names` does a column at once with the GIL released.

use crate::batch;
use crate::convert::{repr_text, to_py};
use clientbase::capability::NameReading;
use clientbase::{clean_name as core_clean_name, Gender, PersonName};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

fn gender_name(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "male",
        Gender::Female => "female",
    }
}

/// A person's name in parts: surname (фамилия), given name (имя) and
/// patronymic (отчество), with the gender the patronymic tells, initials and a
/// matching key. `parse_name("Сергей Петрович Иванов")` splits a full name;
/// `PersonName(surname, given, patronymic)` takes parts already split.
#[pyclass(
    frozen,
    eq,
    hash,
    skip_from_py_object,
    name = "PersonName",
    module = "clientbase"
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyPersonName {
    inner: PersonName,
}

#[pymethods]
impl PyPersonName {
    /// A name from its parts, as given (`cleaned()` tidies them).
    #[new]
    #[pyo3(signature = (surname = None, given = None, patronymic = None))]
    fn new(surname: Option<String>, given: Option<String>, patronymic: Option<String>) -> Self {
        PyPersonName {
            inner: PersonName {
                surname,
                given,
                patronymic,
            },
        }
    }

    /// Фамилия, or `None`.
    #[getter]
    fn surname(&self) -> Option<&str> {
        self.inner.surname.as_deref()
    }

    /// Имя, or `None`.
    #[getter]
    fn given(&self) -> Option<&str> {
        self.inner.given.as_deref()
    }

    /// Отчество (`Гусейн оглы` included), or `None`.
    #[getter]
    fn patronymic(&self) -> Option<&str> {
        self.inner.patronymic.as_deref()
    }

    /// `"male"` or `"female"` as the patronymic tells (`-ович`, `-овна`,
    /// `оглы`, `кызы`), or `None` without one.
    #[getter]
    fn gender(&self) -> Option<&'static str> {
        self.inner.gender().map(gender_name)
    }

    /// Surname and initials (`Иванов С. П.`, `Петрова-Водкина А.-М.`), or just
    /// the surname or the given name when that is all there is.
    #[getter]
    fn initials(&self) -> String {
        self.inner.initials()
    }

    /// The matching key, surname first: the same for `Иванов Сергей`, `Ivanov
    /// Sergey` and `Сергей Иванов` (see `name_key`).
    #[getter]
    fn key(&self) -> String {
        self.inner.key()
    }

    /// The name with each part cleaned like `clean_name`; empty parts become `None`.
    fn cleaned(&self) -> PyPersonName {
        PyPersonName {
            inner: self.inner.cleaned(),
        }
    }

    /// `{"surname": ..., "given": ..., "patronymic": ..., "gender": ...,
    /// "initials": ..., "key": ...}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &NameReading::from(&self.inner))
    }

    /// The parts in the official order: `Иванов Сергей Петрович`.
    fn __str__(&self) -> String {
        [self.surname(), self.given(), self.patronymic()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "PersonName(surname={}, given={}, patronymic={})",
            repr_text(py, self.surname())?,
            repr_text(py, self.given())?,
            repr_text(py, self.patronymic())?,
        ))
    }
}

/// Splits a full name typed in any order (`Иванов Сергей Петрович`, `сергей
/// петрович ИВАНОВ`, `Ivanov Sergey`) into surname, given name and patronymic,
/// each cleaned like `clean_name`. When nothing tells the order, it is the
/// official one: surname, given name, patronymic.
#[pyfunction]
pub(crate) fn parse_name(full_name: &str) -> PyPersonName {
    PyPersonName {
        inner: PersonName::parse(full_name),
    }
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
