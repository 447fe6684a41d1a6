//! CSV import and export with column mappings.
//!
//! API contract (types are final; the import/export bodies are being written).

use crate::base::ClientBase;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// Which field of a record a CSV column fills.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnTarget {
    /// Ignore the column.
    Ignore,
}

/// Maps CSV headers to record fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    columns: Vec<(String, ColumnTarget)>,
}

impl ColumnMapping {
    /// Builds a mapping from `(header, target name)` pairs.
    pub fn from_pairs<I, H, T>(pairs: I) -> Result<ColumnMapping>
    where
        I: IntoIterator<Item = (H, T)>,
        H: Into<String>,
        T: AsRef<str>,
    {
        let _ = pairs.into_iter().count();
        Err(Error::new(ErrorKind::Csv, "not yet implemented"))
    }
}

/// How to read a CSV file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvOptions {
    /// The delimiter; `None` detects `;`, `,` or tab from the header line.
    pub delimiter: Option<u8>,
}

/// One row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// The line number in the file (the header is line 1).
    pub line: u64,
    /// The CSV column header the problem is in, when it is one column.
    pub column: Option<String>,
    /// The record field the problem is in.
    pub field: Option<String>,
    /// The error kind's name.
    pub kind: String,
    /// Why the row was rejected.
    pub reason: String,
}

/// What an import did: the ids it created and every row it rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport<Id> {
    /// Data rows read (not counting the header).
    pub rows: u64,
    /// The ids of the imported records, in file order.
    pub imported: Vec<Id>,
    /// The rejected rows, in file order.
    pub rejected: Vec<RejectedRow>,
}

impl ClientBase {
    /// Imports clients from CSV.
    pub fn import_clients_csv<R: Read>(
        &mut self,
        _reader: R,
        _mapping: &ColumnMapping,
        _options: &CsvOptions,
    ) -> Result<ImportReport<ClientId>> {
        Err(Error::new(ErrorKind::Csv, "not yet implemented"))
    }

    /// Imports deals from CSV.
    pub fn import_deals_csv<R: Read>(
        &mut self,
        _reader: R,
        _mapping: &ColumnMapping,
        _options: &CsvOptions,
    ) -> Result<ImportReport<DealId>> {
        Err(Error::new(ErrorKind::Csv, "not yet implemented"))
    }

    /// Exports all clients as CSV.
    pub fn export_clients_csv<W: Write>(&self, _writer: W) -> Result<()> {
        Err(Error::new(ErrorKind::Csv, "not yet implemented"))
    }

    /// Exports all deals as CSV.
    pub fn export_deals_csv<W: Write>(&self, _writer: W) -> Result<()> {
        Err(Error::new(ErrorKind::Csv, "not yet implemented"))
    }
}
