//! CSV import and export, and the column batches built on them.
//!
//! `add_clients(columns)` hands the columns to the core CSV importer as an
//! in-memory CSV whose headers are the target names, so a row is read by exactly
//! the code that reads a file row; the rejected lines are mapped back to row
//! indices. `clients_columns()` reads the core CSV export back into columns.

use crate::convert::{temporal_text, to_json, to_py, type_name};
use crate::error::OrRaise;
use clientbase::{
    ClientId, ColumnMapping, CsvOptions, Currency, DealId, Error, ErrorKind, ImportReport,
    RejectedRow, Result,
};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple,
};
use std::io::Read;
use std::path::PathBuf;

/// A record id as its number.
pub(crate) trait RawId {
    fn raw(self) -> u64;
}

impl RawId for ClientId {
    fn raw(self) -> u64 {
        self.get()
    }
}

impl RawId for DealId {
    fn raw(self) -> u64 {
        self.get()
    }
}

fn raw_report<Id: RawId>(report: ImportReport<Id>) -> ImportReport<u64> {
    ImportReport {
        rows: report.rows,
        imported: report.imported.into_iter().map(RawId::raw).collect(),
        rejected: report.rejected,
        empty_rows: report.empty_rows,
        ignored_columns: report.ignored_columns,
    }
}

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
            options: csv_options(delimiter_byte(delimiter)?, currency)?,
        })
    }

    /// Runs a core import over the source.
    pub(crate) fn import<Id: RawId>(
        self,
        run: impl FnOnce(&mut dyn Read, &ColumnMapping, &CsvOptions) -> Result<ImportReport<Id>>,
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
        Ok(PyImportReport::new(raw_report(report)))
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

fn csv_options(delimiter: Option<u8>, currency: Option<&str>) -> PyResult<CsvOptions> {
    // The core may add options; they keep their defaults here.
    #[allow(clippy::needless_update)]
    Ok(CsvOptions {
        delimiter,
        currency: currency.map(Currency::new).transpose().or_raise()?,
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

// ---- columns in ----------------------------------------------------------------

/// Columns of text cells named by import target, converted from a dict of lists
/// or a DataFrame before the GIL is released.
pub(crate) struct ColumnTable {
    headers: Vec<String>,
    columns: Vec<Vec<Option<String>>>,
    rows: usize,
    options: CsvOptions,
}

impl ColumnTable {
    pub(crate) fn from_py(
        columns: &Bound<'_, PyAny>,
        currency: Option<&str>,
    ) -> PyResult<ColumnTable> {
        let dict = as_dict_of_lists(columns)?;
        let mut headers = Vec::new();
        let mut cells = Vec::new();
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
            let column = values
                .try_iter()?
                .map(|cell| cell_text(&cell?))
                .collect::<PyResult<Vec<_>>>()?;
            headers.push(name);
            cells.push(column);
        }
        let Some(rows) = cells.first().map(Vec::len) else {
            return Err(PyValueError::new_err("no columns given"));
        };
        if let Some((name, column)) = headers
            .iter()
            .zip(&cells)
            .find(|(_, column)| column.len() != rows)
        {
            return Err(PyValueError::new_err(format!(
                "column {name:?} has {} values, column {:?} has {rows}",
                column.len(),
                headers[0]
            )));
        }
        Ok(ColumnTable {
            headers,
            columns: cells,
            rows,
            options: csv_options(Some(b','), currency)?,
        })
    }

    /// The column names, and each row's cells (for the core's row imports).
    pub(crate) fn rows(&self) -> (&[String], impl Iterator<Item = Vec<Option<&str>>> + '_) {
        let rows = (0..self.rows).map(|row| {
            self.columns
                .iter()
                .map(|column| column[row].as_deref())
                .collect()
        });
        (&self.headers, rows)
    }

    /// Runs a core CSV import over the columns; rejected rows come back with
    /// their row index (from 0) as `line`.
    pub(crate) fn import<Id: RawId>(
        self,
        run: impl FnOnce(&mut dyn Read, &ColumnMapping, &CsvOptions) -> Result<ImportReport<Id>>,
    ) -> Result<PyImportReport> {
        let (csv, first_lines) = self.to_csv()?;
        let mapping =
            ColumnMapping::from_pairs(self.headers.iter().map(|h| (h.clone(), h.as_str())))?;
        let mut report = raw_report(run(&mut csv.as_slice(), &mapping, &self.options)?);
        for rejected in &mut report.rejected {
            // The last row starting at or before the line is the row the line is in.
            let row = first_lines.partition_point(|first| *first <= rejected.line);
            rejected.line = row.saturating_sub(1) as u64;
        }
        Ok(PyImportReport::new(report))
    }

    /// The table as CSV, and the line each row starts on (the header is line 1).
    fn to_csv(&self) -> Result<(Vec<u8>, Vec<u64>)> {
        let csv_error = |err: csv::Error| Error::new(ErrorKind::Csv, err.to_string());
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer.write_record(&self.headers).map_err(csv_error)?;
        let newlines = |text: &str| text.bytes().filter(|b| *b == b'\n').count() as u64;
        let mut line = 2 + self.headers.iter().map(|h| newlines(h)).sum::<u64>();
        let mut first_lines = Vec::with_capacity(self.rows);
        for row in 0..self.rows {
            first_lines.push(line);
            let record: Vec<&str> = self
                .columns
                .iter()
                .map(|column| column[row].as_deref().unwrap_or(""))
                .collect();
            line += 1 + record.iter().map(|cell| newlines(cell)).sum::<u64>();
            writer.write_record(&record).map_err(csv_error)?;
        }
        let csv = writer
            .into_inner()
            .map_err(|err| Error::new(ErrorKind::Csv, err.to_string()))?;
        Ok((csv, first_lines))
    }
}

/// A dict of column name to values from a dict, a mapping, or a pandas or polars
/// DataFrame (recognised by their module, so neither is imported here).
fn as_dict_of_lists<'py>(columns: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    if let Ok(dict) = columns.cast::<PyDict>() {
        return Ok(dict.clone());
    }
    let module: String = columns.get_type().getattr("__module__")?.extract()?;
    let converted = match module.split('.').next() {
        Some("pandas") => columns.call_method1("to_dict", ("list",))?,
        Some("polars") => {
            let kwargs = PyDict::new(columns.py());
            kwargs.set_item("as_series", false)?;
            columns.call_method("to_dict", (), Some(&kwargs))?
        }
        _ if columns.hasattr("items")? => {
            let dict = PyDict::new(columns.py());
            dict.call_method1("update", (columns,))?;
            dict.into_any()
        }
        _ => {
            return Err(PyTypeError::new_err(format!(
                "columns must be a dict of lists or a pandas/polars DataFrame, not {}",
                type_name(columns)
            )))
        }
    };
    Ok(converted.cast_into::<PyDict>()?)
}

/// One cell as the text a CSV file would hold: `None`, NaN and pandas' NA/NaT are
/// empty; lists (tags, many-of values) are joined with `, `; dates are ISO 8601.
fn cell_text(cell: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if cell.is_none() {
        return Ok(None);
    }
    if let Ok(text) = cell.cast::<PyString>() {
        return Ok(Some(text.to_cow()?.into_owned()));
    }
    if let Ok(flag) = cell.cast::<PyBool>() {
        return Ok(Some(flag.is_true().to_string()));
    }
    if cell.is_instance_of::<PyInt>() {
        return Ok(Some(cell.str()?.to_cow()?.into_owned()));
    }
    if let Ok(float) = cell.cast::<PyFloat>() {
        let value = float.value();
        return Ok(if value.is_nan() {
            None
        } else if value.fract() == 0.0 && value.abs() < 1e15 {
            // pandas turns integer columns with gaps into floats: 3.0 means 3.
            Some(format!("{value:.0}"))
        } else {
            Some(value.to_string())
        });
    }
    if matches!(type_name(cell).as_str(), "NAType" | "NaTType") {
        return Ok(None);
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
            if let Some(text) = cell_text(&item?)? {
                parts.push(text);
            }
        }
        if cell.is_instance_of::<PySet>() || cell.is_instance_of::<PyFrozenSet>() {
            parts.sort();
        }
        return Ok(Some(parts.join(", ")));
    }
    if is_naive_midnight(cell)? {
        // A date column that pandas made a datetime column: the bare date reads
        // as that date in a date column and as midnight UTC in a timestamp column.
        let date = cell.call_method0("date")?.call_method0("isoformat")?;
        return Ok(Some(date.extract()?));
    }
    if let Some(text) = temporal_text(cell)? {
        return Ok(Some(text));
    }
    Ok(Some(cell.str()?.to_cow()?.into_owned()))
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

// ---- writing CSV and columns out ---------------------------------------------------

/// Runs a core export into a string.
pub(crate) fn export(run: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<String> {
    let mut out = Vec::new();
    run(&mut out)?;
    String::from_utf8(out).map_err(|err| Error::new(ErrorKind::Csv, err.to_string()))
}

/// A core CSV export read back as columns.
pub(crate) struct ExportTable {
    headers: Vec<String>,
    columns: Vec<Vec<Option<String>>>,
}

/// Runs a core export and reads it back as columns.
pub(crate) fn export_columns(run: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<ExportTable> {
    let csv = export(run)?;
    let csv_error = |err: csv::Error| Error::new(ErrorKind::Csv, err.to_string());
    // The core exports comma-separated UTF-8 without a BOM.
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut columns = vec![Vec::new(); headers.len()];
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        for (i, column) in columns.iter_mut().enumerate() {
            let cell = record.get(i).unwrap_or("");
            column.push((!cell.is_empty()).then(|| cell.to_string()));
        }
    }
    Ok(ExportTable { headers, columns })
}

impl ExportTable {
    pub(crate) fn into_py(
        self,
        py: Python<'_>,
        fields: Option<Vec<String>>,
    ) -> PyResult<Bound<'_, PyDict>> {
        let dict = PyDict::new(py);
        let mut by_name: std::collections::HashMap<String, Vec<Option<String>>> =
            self.headers.iter().cloned().zip(self.columns).collect();
        let order = fields.unwrap_or_else(|| self.headers.clone());
        for name in order {
            let column = by_name.remove(&name).ok_or_else(|| {
                PyKeyError::new_err(format!(
                    "no column {name:?}; the columns are {}",
                    self.headers.join(", ")
                ))
            })?;
            dict.set_item(&name, column)?;
        }
        Ok(dict)
    }
}

// ---- reports ---------------------------------------------------------------

/// One row that was not imported, and why.
#[pyclass(
    frozen,
    eq,
    skip_from_py_object,
    name = "RejectedRow",
    module = "clientbase"
)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyRejectedRow {
    inner: RejectedRow,
}

#[pymethods]
impl PyRejectedRow {
    /// The CSV line (the header is line 1), or the row index (from 0) for column batches.
    #[getter]
    fn line(&self) -> u64 {
        self.inner.line
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

    /// The row as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = |value: Option<&str>| -> PyResult<String> {
            Ok(match value {
                Some(value) => PyString::new(py, value).repr()?.to_string(),
                None => "None".into(),
            })
        };
        Ok(format!(
            "RejectedRow(line={}, column={}, field={}, kind={}, reason={})",
            self.inner.line,
            text(self.inner.column.as_deref())?,
            text(self.inner.field.as_deref())?,
            text(Some(self.inner.kind.name()))?,
            text(Some(&self.inner.reason))?,
        ))
    }
}

/// What an import did: the ids it created and every row it rejected.
#[pyclass(frozen, name = "ImportReport", module = "clientbase")]
pub(crate) struct PyImportReport {
    inner: ImportReport<u64>,
}

impl PyImportReport {
    fn new(inner: ImportReport<u64>) -> PyImportReport {
        PyImportReport { inner }
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

    /// The rejected rows, in input order.
    #[getter]
    fn rejected(&self) -> Vec<PyRejectedRow> {
        self.inner
            .rejected
            .iter()
            .map(|row| PyRejectedRow { inner: row.clone() })
            .collect()
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
    /// "kind": [...], "reason": [...]}`, ready for a DataFrame.
    fn rejected_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows = &self.inner.rejected;
        let dict = PyDict::new(py);
        dict.set_item("line", rows.iter().map(|r| r.line).collect::<Vec<_>>())?;
        dict.set_item(
            "column",
            rows.iter().map(|r| r.column.clone()).collect::<Vec<_>>(),
        )?;
        dict.set_item(
            "field",
            rows.iter().map(|r| r.field.clone()).collect::<Vec<_>>(),
        )?;
        dict.set_item(
            "kind",
            rows.iter().map(|r| r.kind.name()).collect::<Vec<_>>(),
        )?;
        dict.set_item(
            "reason",
            rows.iter().map(|r| r.reason.clone()).collect::<Vec<_>>(),
        )?;
        Ok(dict)
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
            "ImportReport(rows={}, imported={}, rejected={})",
            self.inner.rows,
            self.inner.imported.len(),
            self.inner.rejected.len()
        )
    }
}
