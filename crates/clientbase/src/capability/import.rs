//! CSV imports as capabilities: the CSV as text or a file, the mapping and
//! the options as params, the import report back (feature `csv`).

use super::*;

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
            (Some(csv), None) => import(&mut csv.as_bytes()),
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
