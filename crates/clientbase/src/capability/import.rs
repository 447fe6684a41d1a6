//! CSV imports as capabilities: the CSV as text or a file, the mapping and
//! the options as params, the import report back (feature `csv`).

use super::*;
use std::path::Path;

/// Params of [`import_clients_csv`] and [`import_deals_csv`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportParams {
    /// The CSV text (give this or `path`).
    pub csv: Option<String>,
    /// The path of a CSV file to read (give this or `csv`).
    pub path: Option<String>,
    /// CSV headers to record fields: `{"Фамилия": "surname", ...}` or a list of
    /// `[header, target]` pairs (required).
    pub mapping: Option<serde_json::Value>,
    /// The delimiter, currency and the like (defaults for what is not set).
    pub options: crate::csv_io::CsvOptions,
}

impl ImportParams {
    fn mapping(&self) -> Result<crate::csv_io::ColumnMapping> {
        let mapping = self
            .mapping
            .as_ref()
            .ok_or_else(|| crate::error::invalid("mapping", "the column mapping is required"))?;
        crate::csv_io::ColumnMapping::from_json(&mapping.to_string())
            .map_err(|e| e.with_field("mapping"))
    }

    /// Runs `import` over the CSV text or the file, whichever was given.
    fn read<T>(&self, import: impl FnOnce(&mut dyn std::io::Read) -> Result<T>) -> Result<T> {
        match (&self.csv, &self.path) {
            (Some(csv), None) => CsvSource::Bytes(csv.as_bytes()).read(import),
            (None, Some(path)) => {
                let mut file = std::fs::File::open(path).map_err(|err| {
                    Error::new(ErrorKind::Io, format!("{path}: {err}"))
                        .with_source(err)
                        .with_field("path")
                })?;
                import(&mut file)
            }
            _ => Err(crate::error::invalid(
                "csv",
                "give the CSV as text in `csv` or as a file in `path`, exactly one of them",
            )),
        }
    }
}

/// Where a CSV import reads from: the bytes themselves (which need not all be
/// UTF-8: a cell that is not is reported, not the import) or a file.
#[derive(Debug, Clone, Copy)]
pub enum CsvSource<'a> {
    /// The CSV's bytes.
    Bytes(&'a [u8]),
    /// The path of a CSV file; one that cannot be opened is an `Io` error
    /// about it (its record).
    Path(&'a Path),
}

impl CsvSource<'_> {
    fn read<T>(self, import: impl FnOnce(&mut dyn std::io::Read) -> Result<T>) -> Result<T> {
        match self {
            CsvSource::Bytes(mut bytes) => import(&mut bytes),
            CsvSource::Path(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|err| Error::from(err).with_record(path.display().to_string()))?;
                import(&mut std::io::BufReader::new(file))
            }
        }
    }
}

/// What a binding's import of `kind` (`client` or `deal`, another is an
/// `InvalidValue` error) reads: CSV (from [`CsvSource`], with its mapping) or
/// columns already read into a table (with the cells that could not be read).
#[derive(Debug, Clone, Copy)]
pub enum ImportInput<'a> {
    /// CSV text or a file, with the mapping of its headers to fields.
    Csv(CsvSource<'a>, &'a crate::csv_io::ColumnMapping),
    /// Columns named by import target, and the cells the binding could not read.
    Table(&'a crate::Table, &'a [crate::table::BadCell]),
}

/// Imports clients or deals (`kind`) from `input` with `options`, as
/// [`ClientBase::import_clients_csv`] / [`ClientBase::import_clients_table`]
/// and their deal forms do, the report's ids as plain numbers.
pub fn import_records(
    base: &mut ClientBase,
    kind: &str,
    input: ImportInput<'_>,
    options: &crate::csv_io::CsvOptions,
) -> Result<crate::csv_io::ImportReport<u64>> {
    match (kind, input) {
        ("client", ImportInput::Csv(source, mapping)) => source
            .read(|r| base.import_clients_csv(r, mapping, options))
            .map(|report| report.map_ids(ClientId::get)),
        ("deal", ImportInput::Csv(source, mapping)) => source
            .read(|r| base.import_deals_csv(r, mapping, options))
            .map(|report| report.map_ids(DealId::get)),
        ("client", ImportInput::Table(table, bad)) => base
            .import_clients_table(table, bad, options)
            .map(|report| report.map_ids(ClientId::get)),
        ("deal", ImportInput::Table(table, bad)) => base
            .import_deals_table(table, bad, options)
            .map(|report| report.map_ids(DealId::get)),
        (other, _) => Err(crate::error::invalid(
            "kind",
            format!("{other:?} cannot be imported (client, deal)"),
        )),
    }
}

/// Imports clients from CSV (see [`ClientBase::import_clients_csv`]): good rows
/// are added, a bad row is a rejected row in the report naming its line,
/// column, field and reason.
pub fn import_clients_csv(
    base: &mut ClientBase,
    params: &ImportParams,
) -> Result<crate::csv_io::ImportReport<ClientId>> {
    let mapping = params.mapping()?;
    params.read(|reader| base.import_clients_csv(reader, &mapping, &params.options))
}

/// Imports deals from CSV (see [`ClientBase::import_deals_csv`]), like
/// [`import_clients_csv`] with a mapping to deal fields.
pub fn import_deals_csv(
    base: &mut ClientBase,
    params: &ImportParams,
) -> Result<crate::csv_io::ImportReport<DealId>> {
    let mapping = params.mapping()?;
    params.read(|reader| base.import_deals_csv(reader, &mapping, &params.options))
}
