//! CSV import and export, and the reports of every import (files and columns:
//! `add_clients` reads its columns in `table.rs` and imports them in the core).

use crate::arrow::table_to_pydict;
use crate::convert::{repr_text, to_json, to_py, type_name};
use crate::error::OrRaise;
use clientbase::{
    ColumnMapping, CsvOptions, Currency, Error, ErrorKind, ImportReport, RejectedRow, Result,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use std::io::Read;
use std::path::PathBuf;

// ---- reading CSV -------------------------------------------------------------

enum Source {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

/// A CSV import's arguments, converted from Python before the GIL is released.
pub(crate) struct CsvInput {
    source: Source,
    mapping: ColumnMapping,
    options: CsvOptions,
}

impl CsvInput {
    pub(crate) fn from_py(
        source: &Bound<'_, PyAny>,
        mapping: &Bound<'_, PyAny>,
        delimiter: Option<&str>,
        currency: Option<&str>,
        strict: bool,
    ) -> PyResult<CsvInput> {
        let source = if let Ok(bytes) = source.cast::<PyBytes>() {
            Source::Bytes(bytes.as_bytes().to_vec())
        } else if let Ok(text) = source.cast::<PyString>() {
            let text = text.to_cow()?;
            if text.contains('\n') {
                Source::Bytes(text.as_bytes().to_vec())
            } else {
                Source::Path(PathBuf::from(text.as_ref()))
            }
        } else if source.hasattr("__fspath__")? {
            let path = source
                .py()
                .import("os")?
                .call_method1("fspath", (source,))?;
            Source::Path(path.extract()?)
        } else {
            return Err(PyTypeError::new_err(format!(
                "source must be a path, CSV text or bytes, not {}",
                type_name(source)
            )));
        };
        let pairs = mapping_pairs(mapping)?;
        let mapping = ColumnMapping::from_pairs(pairs).or_raise()?;
        Ok(CsvInput {
            source,
            mapping,
            options: csv_options(delimiter_byte(delimiter)?, currency, strict)?,
        })
    }

    /// Runs a core import over the source.
    pub(crate) fn import<Id>(
        self,
        run: impl FnOnce(&mut dyn Read, &ColumnMapping, &CsvOptions) -> Result<ImportReport<Id>>,
        id: fn(Id) -> u64,
    ) -> Result<PyImportReport> {
        let report = match self.source {
            Source::Bytes(bytes) => run(&mut bytes.as_slice(), &self.mapping, &self.options)?,
            Source::Path(path) => {
                let file = std::fs::File::open(&path)
                    .map_err(|err| Error::from(err).with_record(path.display().to_string()))?;
                run(
                    &mut std::io::BufReader::new(file),
                    &self.mapping,
                    &self.options,
                )?
            }
        };
        Ok(PyImportReport::new(report.map_ids(id), None))
    }
}

fn mapping_pairs(mapping: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items = mapping.call_method0("items").map_err(|_| {
        PyTypeError::new_err(format!(
            "mapping must be a dict of CSV header to target, not {}",
            type_name(mapping)
        ))
    })?;
    items
        .try_iter()?
        .map(|item| item?.extract::<(String, String)>())
        .collect()
}

pub(crate) fn csv_options(
    delimiter: Option<u8>,
    currency: Option<&str>,
    strict: bool,
) -> PyResult<CsvOptions> {
    // The core may add options; they keep their defaults here.
    #[allow(clippy::needless_update)]
    Ok(CsvOptions {
        delimiter,
        currency: currency.map(Currency::new).transpose().or_raise()?,
        strict,
        ..CsvOptions::default()
    })
}

fn delimiter_byte(delimiter: Option<&str>) -> PyResult<Option<u8>> {
    match delimiter.map(str::as_bytes) {
        None => Ok(None),
        Some([byte]) if byte.is_ascii() => Ok(Some(*byte)),
        Some(_) => Err(PyValueError::new_err(
            "delimiter must be one ASCII character such as ';'",
        )),
    }
}

// ---- writing CSV ---------------------------------------------------------------

/// Runs a core export into a string.
pub(crate) fn export(run: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<String> {
    let mut out = Vec::new();
    run(&mut out)?;
    String::from_utf8(out).map_err(|err| Error::new(ErrorKind::Csv, err.to_string()))
}

// ---- reports ---------------------------------------------------------------

/// One row that was not imported, and why.
#[pyclass(
    frozen,
    skip_from_py_object,
    name = "RejectedRow",
    module = "clientbase"
)]
pub(crate) struct PyRejectedRow {
    inner: RejectedRow,
    label: Option<Py<PyAny>>,
}

#[pymethods]
impl PyRejectedRow {
    /// The CSV line (the header is line 1), or the row index (from 0) for column batches.
    #[getter]
    fn line(&self) -> u64 {
        self.inner.line
    }

    /// The row's index label, for a pandas DataFrame given to `add_clients` or
    /// `add_deals` (else None).
    #[getter]
    fn label(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.label.as_ref().map(|label| label.clone_ref(py))
    }

    /// The CSV column the problem is in, when it is one column.
    #[getter]
    fn column(&self) -> Option<&str> {
        self.inner.column.as_deref()
    }

    /// The record field the problem is in.
    #[getter]
    fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// The error kind's name (`invalid_value`, `unknown_tag`, ...).
    #[getter]
    fn kind(&self) -> &str {
        self.inner.kind.name()
    }

    /// Why the row was rejected.
    #[getter]
    fn reason(&self) -> &str {
        &self.inner.reason
    }

    /// The row as a dict (with `label` when the row has one).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let dict = to_py(py, &self.inner)?;
        if let Some(label) = &self.label {
            dict.set_item("label", label)?;
        }
        Ok(dict)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = other.py();
        let Ok(other) = other.cast::<PyRejectedRow>() else {
            return Ok(false);
        };
        let other = other.get();
        if self.inner != other.inner {
            return Ok(false);
        }
        match (&self.label, &other.label) {
            (None, None) => Ok(true),
            (Some(mine), Some(theirs)) => mine.bind(py).eq(theirs),
            _ => Ok(false),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let label = match &self.label {
            Some(label) => format!("label={}, ", label.bind(py).repr()?),
            None => String::new(),
        };
        Ok(format!(
            "RejectedRow(line={}, {label}column={}, field={}, kind={}, reason={})",
            self.inner.line,
            repr_text(py, self.inner.column.as_deref())?,
            repr_text(py, self.inner.field.as_deref())?,
            repr_text(py, Some(self.inner.kind.name()))?,
            repr_text(py, Some(&self.inner.reason))?,
        ))
    }
}

/// What an import did: the ids it created, every row it rejected and every
/// cell it set aside.
#[pyclass(frozen, name = "ImportReport", module = "clientbase")]
pub(crate) struct PyImportReport {
    inner: ImportReport<u64>,
    /// A pandas DataFrame's index, to label rows (pandas input only).
    index: Option<Py<PyAny>>,
}

impl PyImportReport {
    /// A report whose rows are labelled with `index[row]` when an `index` (a
    /// pandas DataFrame's) is given.
    pub(crate) fn new(inner: ImportReport<u64>, index: Option<Py<PyAny>>) -> PyImportReport {
        PyImportReport { inner, index }
    }

    fn label(&self, py: Python<'_>, line: u64) -> PyResult<Option<Py<PyAny>>> {
        self.index
            .as_ref()
            .map(|index| Ok(index.bind(py).get_item(line)?.unbind()))
            .transpose()
    }

    fn rows_of(&self, py: Python<'_>, rows: &[RejectedRow]) -> PyResult<Vec<PyRejectedRow>> {
        rows.iter()
            .map(|row| {
                Ok(PyRejectedRow {
                    inner: row.clone(),
                    label: self.label(py, row.line)?,
                })
            })
            .collect()
    }

    /// Rows as columns (`RejectedRow::table`), with each row's `label` after
    /// its `line` for pandas input.
    fn columns_of<'py>(
        &self,
        py: Python<'py>,
        rows: &[RejectedRow],
    ) -> PyResult<Bound<'py, PyDict>> {
        let columns = table_to_pydict(py, &RejectedRow::table(rows).or_raise()?)?;
        if self.index.is_none() {
            return Ok(columns);
        }
        let labels = rows
            .iter()
            .map(|r| self.label(py, r.line))
            .collect::<PyResult<Vec<_>>>()?;
        let dict = PyDict::new(py);
        dict.set_item("line", columns.get_item("line")?)?;
        dict.set_item("label", PyList::new(py, labels)?)?;
        dict.update(columns.as_mapping())?;
        Ok(dict)
    }
}

#[pymethods]
impl PyImportReport {
    /// Data rows read (not counting the header).
    #[getter]
    fn rows(&self) -> u64 {
        self.inner.rows
    }

    /// The ids of the imported records, in input order.
    #[getter]
    fn imported(&self) -> Vec<u64> {
        self.inner.imported.clone()
    }

    /// The line of each imported record in the file (the header is line 1),
    /// or its row's index from 0 for rows, in the order of `imported`.
    #[getter]
    fn imported_lines(&self) -> Vec<u64> {
        self.inner.imported_lines.clone()
    }

    /// The rejected rows, in input order.
    #[getter]
    fn rejected(&self, py: Python<'_>) -> PyResult<Vec<PyRejectedRow>> {
        self.rows_of(py, &self.inner.rejected)
    }

    /// The cells set aside (read as empty, the row kept), in input order.
    #[getter]
    fn set_aside(&self, py: Python<'_>) -> PyResult<Vec<PyRejectedRow>> {
        self.rows_of(py, &self.inner.set_aside)
    }

    /// Rows whose cells were all blank, skipped.
    #[getter]
    fn empty_rows(&self) -> u64 {
        self.inner.empty_rows
    }

    /// Input columns the mapping does not mention (their cells were not read).
    #[getter]
    fn ignored_columns(&self) -> Vec<String> {
        self.inner.ignored_columns.clone()
    }

    /// The rejected rows as columns: `{"line": [...], "column": [...], "field": [...],
    /// "kind": [...], "reason": [...]}` (and `"label"` for pandas input), ready
    /// for a DataFrame.
    fn rejected_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.columns_of(py, &self.inner.rejected)
    }

    /// The cells set aside as columns, in the form of `rejected_columns`.
    fn set_aside_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.columns_of(py, &self.inner.set_aside)
    }

    /// The report as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// The report as compact JSON, exactly as the core writes it.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "ImportReport(rows={}, imported={}, rejected={}, set_aside={})",
            self.inner.rows,
            self.inner.imported.len(),
            self.inner.rejected.len(),
            self.inner.set_aside.len()
        )
    }
}
