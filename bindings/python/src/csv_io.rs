//! CSV import and export (`add_clients` reads its columns in `table.rs` and
//! imports them in the core; `clientbase.ClientBase` labels a pandas frame's
//! rejected rows).

use crate::convert::type_name;
use crate::error::OrRaise;
use clientbase::{ColumnMapping, CsvOptions, Currency, Error, ErrorKind, ImportReport, Result};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
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
    ) -> Result<ImportReport<u64>> {
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
        Ok(report.map_ids(id))
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
