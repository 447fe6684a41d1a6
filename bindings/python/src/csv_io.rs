//! CSV import and export (`add_clients` reads its columns in `table.rs` and
//! imports them in the core; `clientbase.ClientBase` labels a pandas frame's
//! rejected rows).

use crate::error::OrRaise;
use clientbase::{ColumnMapping, CsvOptions, Currency, Error, ErrorKind, ImportReport, Result};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
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
    /// The CSV `data`, or else the file at `path` (`python/clientbase/base.py`
    /// tells a path from CSV text).
    pub(crate) fn new(
        data: Option<Vec<u8>>,
        path: Option<PathBuf>,
        mapping: Vec<(String, String)>,
        delimiter: Option<u8>,
        currency: Option<&str>,
        strict: bool,
    ) -> PyResult<CsvInput> {
        let source = match (data, path) {
            (Some(data), _) => Source::Bytes(data),
            (None, Some(path)) => Source::Path(path),
            (None, None) => return Err(PyTypeError::new_err("no CSV data or path given")),
        };
        Ok(CsvInput {
            source,
            mapping: ColumnMapping::from_pairs(mapping).or_raise()?,
            options: csv_options(delimiter, currency, strict)?,
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

// ---- writing CSV ---------------------------------------------------------------

/// Runs a core export into a string.
pub(crate) fn export(run: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<String> {
    let mut out = Vec::new();
    run(&mut out)?;
    String::from_utf8(out).map_err(|err| Error::new(ErrorKind::Csv, err.to_string()))
}
