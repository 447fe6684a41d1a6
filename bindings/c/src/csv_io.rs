//! CSV import with the rejected-rows report, and CSV export.

use std::ffi::{c_char, CString};
use std::fs::File;
use std::io::{BufWriter, Read, Write};

use clientbase::{
    ClientBase, ClientId, ColumnMapping, CsvOptions, DealId, Error, ErrorKind, ImportReport,
    RejectedRow,
};

use crate::base::cb_base;
use crate::error::{c_text, cb_status, CbResult};
use crate::ffi::{arg_opt_str, arg_str, out_arg, owned_string, BoxHandle};
use crate::panic::{status_boundary, value_boundary};

/// What an import did: the ids it created and every row it rejected, and why.
///
/// Made by the `cb_base_import_*` functions, freed by `cb_import_report_free`.
pub struct cb_import_report {
    _private: [u8; 0],
}

/// One rejected row of an import, as `cb_import_report_rejected` fills it.
///
/// The strings are owned by the report: never free them; they stay valid until
/// the report is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_rejected_row {
    /// The line number in the file (the header is line 1).
    pub line: u64,
    /// The CSV column header the problem is in, or `NULL` when it is not one column.
    pub column: *const c_char,
    /// The record field the problem is in (`tax_id`, `custom.rooms`), or `NULL`.
    pub field: *const c_char,
    /// The error kind's name, as `cb_status_name` spells it (`invalid_value`).
    pub kind: *const c_char,
    /// Why the row was rejected.
    pub reason: *const c_char,
}

impl BoxHandle for cb_import_report {
    type Inner = Report;
}

/// The core report and NUL-terminated copies of its texts for C.
pub(crate) struct Report {
    core: CoreReport,
    rejected: Vec<RejectedText>,
    ignored_columns: Vec<CString>,
}

enum CoreReport {
    Clients(ImportReport<ClientId>),
    Deals(ImportReport<DealId>),
}

struct RejectedText {
    line: u64,
    column: Option<CString>,
    field: Option<CString>,
    kind: CString,
    reason: CString,
}

impl Report {
    fn new(core: CoreReport) -> Report {
        let (rejected, ignored) = match &core {
            CoreReport::Clients(report) => (&report.rejected, &report.ignored_columns),
            CoreReport::Deals(report) => (&report.rejected, &report.ignored_columns),
        };
        Report {
            rejected: rejected.iter().map(RejectedText::new).collect(),
            ignored_columns: ignored.iter().map(|header| c_text(header)).collect(),
            core,
        }
    }

    fn rows(&self) -> u64 {
        match &self.core {
            CoreReport::Clients(report) => report.rows,
            CoreReport::Deals(report) => report.rows,
        }
    }

    fn empty_rows(&self) -> u64 {
        match &self.core {
            CoreReport::Clients(report) => report.empty_rows,
            CoreReport::Deals(report) => report.empty_rows,
        }
    }

    fn imported_id(&self, index: usize) -> Option<u64> {
        match &self.core {
            CoreReport::Clients(report) => report.imported.get(index).map(|id| id.get()),
            CoreReport::Deals(report) => report.imported.get(index).map(|id| id.get()),
        }
    }

    fn imported_len(&self) -> usize {
        match &self.core {
            CoreReport::Clients(report) => report.imported.len(),
            CoreReport::Deals(report) => report.imported.len(),
        }
    }

    fn to_json(&self) -> serde_json::Result<String> {
        match &self.core {
            CoreReport::Clients(report) => serde_json::to_string(report),
            CoreReport::Deals(report) => serde_json::to_string(report),
        }
    }
}

impl RejectedText {
    fn new(row: &RejectedRow) -> RejectedText {
        RejectedText {
            line: row.line,
            column: row.column.as_deref().map(c_text),
            field: row.field.as_deref().map(c_text),
            kind: c_text(row.kind.name()),
            reason: c_text(&row.reason),
        }
    }
}

/// The mapping and options of an import, checked for `NULL` and UTF-8.
struct ImportArgs<'a> {
    mapping_json: &'a str,
    options_json: Option<&'a str>,
}

impl ImportArgs<'_> {
    unsafe fn new<'a>(
        mapping_json: *const c_char,
        options_json: *const c_char,
    ) -> CbResult<ImportArgs<'a>> {
        Ok(ImportArgs {
            mapping_json: arg_str(mapping_json, "mapping_json")?,
            options_json: arg_opt_str(options_json, "options_json")?,
        })
    }

    /// Reads the mapping and options (after every argument has been checked).
    fn parse(&self) -> CbResult<(ColumnMapping, CsvOptions)> {
        let mapping = ColumnMapping::from_json(self.mapping_json)?;
        let options = match self.options_json {
            Some(json) => serde_json::from_str(json)?,
            None => CsvOptions::default(),
        };
        Ok((mapping, options))
    }
}

fn open(path: &str) -> CbResult<File> {
    File::open(path).map_err(|err| {
        Error::new(ErrorKind::Io, format!("{path}: {err}"))
            .with_source(err)
            .into()
    })
}

fn create(path: &str) -> CbResult<File> {
    File::create(path).map_err(|err| {
        Error::new(ErrorKind::Io, format!("{path}: {err}"))
            .with_source(err)
            .into()
    })
}

fn import_clients(
    base: &mut ClientBase,
    reader: impl Read,
    args: &ImportArgs<'_>,
) -> CbResult<*mut cb_import_report> {
    let (mapping, options) = args.parse()?;
    let report = base.import_clients_csv(reader, &mapping, &options)?;
    Ok(cb_import_report::into_raw(Report::new(
        CoreReport::Clients(report),
    )))
}

fn import_deals(
    base: &mut ClientBase,
    reader: impl Read,
    args: &ImportArgs<'_>,
) -> CbResult<*mut cb_import_report> {
    let (mapping, options) = args.parse()?;
    let report = base.import_deals_csv(reader, &mapping, &options)?;
    Ok(cb_import_report::into_raw(Report::new(CoreReport::Deals(
        report,
    ))))
}

/// Imports clients from CSV text (borrowed). Good rows are added; a bad row is
/// not an error but a rejected row in the report, with its line, column, field
/// and reason. Only input that cannot be read as CSV at all fails the call.
///
/// `mapping_json` maps CSV headers to client fields, as a JSON object such as
/// `{"Фамилия":"surname","Имя":"given_name","Телефон":"phone","Комнат":"custom.rooms"}`
/// (an unknown target or a mapped header missing from the file fails the call
/// with `CB_CSV`); `options_json` is `NULL` for the defaults (the delimiter `;`,
/// `,` or tab is detected from the header) or a JSON object such as
/// `{"delimiter":";","currency":"RUB"}`. Both are borrowed. On success `*out_report` receives a report that the caller
/// owns and frees with `cb_import_report_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_import_clients_csv(
    base: *mut cb_base,
    csv: *const c_char,
    mapping_json: *const c_char,
    options_json: *const c_char,
    out_report: *mut *mut cb_import_report,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let csv = arg_str(csv, "csv")?;
        let args = ImportArgs::new(mapping_json, options_json)?;
        let out_report = out_arg(out_report, "out_report")?;
        *out_report = import_clients(base, csv.as_bytes(), &args)?;
        Ok(())
    })
}

/// Imports clients from the CSV file at `path` (borrowed, UTF-8), like
/// `cb_base_import_clients_csv`. A file that cannot be opened is `CB_IO`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_import_clients_csv_file(
    base: *mut cb_base,
    path: *const c_char,
    mapping_json: *const c_char,
    options_json: *const c_char,
    out_report: *mut *mut cb_import_report,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let path = arg_str(path, "path")?;
        let args = ImportArgs::new(mapping_json, options_json)?;
        let out_report = out_arg(out_report, "out_report")?;
        *out_report = import_clients(base, open(path)?, &args)?;
        Ok(())
    })
}

/// Imports deals from CSV text (borrowed), like `cb_base_import_clients_csv`
/// with a mapping to deal fields (`{"Клиент":"client_id","Сумма":"amount"}`).
#[no_mangle]
pub unsafe extern "C" fn cb_base_import_deals_csv(
    base: *mut cb_base,
    csv: *const c_char,
    mapping_json: *const c_char,
    options_json: *const c_char,
    out_report: *mut *mut cb_import_report,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let csv = arg_str(csv, "csv")?;
        let args = ImportArgs::new(mapping_json, options_json)?;
        let out_report = out_arg(out_report, "out_report")?;
        *out_report = import_deals(base, csv.as_bytes(), &args)?;
        Ok(())
    })
}

/// Imports deals from the CSV file at `path` (borrowed, UTF-8), like
/// `cb_base_import_deals_csv`. A file that cannot be opened is `CB_IO`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_import_deals_csv_file(
    base: *mut cb_base,
    path: *const c_char,
    mapping_json: *const c_char,
    options_json: *const c_char,
    out_report: *mut *mut cb_import_report,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let path = arg_str(path, "path")?;
        let args = ImportArgs::new(mapping_json, options_json)?;
        let out_report = out_arg(out_report, "out_report")?;
        *out_report = import_deals(base, open(path)?, &args)?;
        Ok(())
    })
}

/// Exports all clients as CSV text. On success `*out_csv` receives a string the
/// caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_clients_csv(
    base: *const cb_base,
    out_csv: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let out_csv = out_arg(out_csv, "out_csv")?;
        let mut csv = Vec::new();
        base.export_clients_csv(&mut csv)?;
        *out_csv = owned_string(csv, "csv")?;
        Ok(())
    })
}

/// Exports all clients as CSV into the file at `path` (borrowed, UTF-8),
/// replacing it.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_clients_csv_file(
    base: *const cb_base,
    path: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let path = arg_str(path, "path")?;
        let mut file = BufWriter::new(create(path)?);
        base.export_clients_csv(&mut file)?;
        file.flush().map_err(Error::from)?;
        Ok(())
    })
}

/// Exports all deals as CSV text. On success `*out_csv` receives a string the
/// caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_deals_csv(
    base: *const cb_base,
    out_csv: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let out_csv = out_arg(out_csv, "out_csv")?;
        let mut csv = Vec::new();
        base.export_deals_csv(&mut csv)?;
        *out_csv = owned_string(csv, "csv")?;
        Ok(())
    })
}

/// Exports all deals as CSV into the file at `path` (borrowed, UTF-8),
/// replacing it.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_deals_csv_file(
    base: *const cb_base,
    path: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let path = arg_str(path, "path")?;
        let mut file = BufWriter::new(create(path)?);
        base.export_deals_csv(&mut file)?;
        file.flush().map_err(Error::from)?;
        Ok(())
    })
}

/// The number of data rows read (not counting the header); 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_rows(report: *const cb_import_report) -> u64 {
    value_boundary(0, || {
        cb_import_report::arg(report, "report").map_or(0, Report::rows)
    })
}

/// How many records were imported; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_imported_len(report: *const cb_import_report) -> usize {
    value_boundary(0, || {
        cb_import_report::arg(report, "report").map_or(0, Report::imported_len)
    })
}

/// The id of the `index`-th imported record (in file order) into `*out_id`.
/// An index past the end is `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_imported_id(
    report: *const cb_import_report,
    index: usize,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let report = cb_import_report::arg(report, "report")?;
        let out_id = out_arg(out_id, "out_id")?;
        *out_id = report
            .imported_id(index)
            .ok_or_else(|| out_of_range(index, report.imported_len()))?;
        Ok(())
    })
}

/// How many rows were rejected; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_rejected_len(report: *const cb_import_report) -> usize {
    value_boundary(0, || {
        cb_import_report::arg(report, "report").map_or(0, |report| report.rejected.len())
    })
}

/// The `index`-th rejected row (in file order) into `*out_row` (caller-provided).
/// Its strings belong to the report and stay valid until the report is freed.
/// An index past the end is `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_rejected(
    report: *const cb_import_report,
    index: usize,
    out_row: *mut cb_rejected_row,
) -> cb_status {
    status_boundary(|| {
        let report = cb_import_report::arg(report, "report")?;
        let out_row = out_arg(out_row, "out_row")?;
        let row = report
            .rejected
            .get(index)
            .ok_or_else(|| out_of_range(index, report.rejected.len()))?;
        let opt = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
        *out_row = cb_rejected_row {
            line: row.line,
            column: opt(&row.column),
            field: opt(&row.field),
            kind: row.kind.as_ptr(),
            reason: row.reason.as_ptr(),
        };
        Ok(())
    })
}

/// How many rows were skipped because all their cells were blank; 0 for `NULL`.
/// Every data row is imported, rejected or empty:
/// `rows == imported_len + rejected_len + empty_rows`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_empty_rows(report: *const cb_import_report) -> u64 {
    value_boundary(0, || {
        cb_import_report::arg(report, "report").map_or(0, Report::empty_rows)
    })
}

/// How many columns of the file the mapping does not mention (their cells were
/// not read); 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_ignored_columns_len(
    report: *const cb_import_report,
) -> usize {
    value_boundary(0, || {
        cb_import_report::arg(report, "report").map_or(0, |report| report.ignored_columns.len())
    })
}

/// The header of the `index`-th column that was not read into `*out_header`.
/// The string belongs to the report (never free it) and stays valid until the
/// report is freed. An index past the end is `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_ignored_column(
    report: *const cb_import_report,
    index: usize,
    out_header: *mut *const c_char,
) -> cb_status {
    status_boundary(|| {
        let report = cb_import_report::arg(report, "report")?;
        let out_header = out_arg(out_header, "out_header")?;
        let header = report
            .ignored_columns
            .get(index)
            .ok_or_else(|| out_of_range(index, report.ignored_columns.len()))?;
        *out_header = header.as_ptr();
        Ok(())
    })
}

/// The whole report as JSON:
/// `{"rows":3,"imported":[1,2],"rejected":[{"line":3,"column":"ИНН","field":"tax_id","kind":"invalid_value","reason":"..."}],"empty_rows":0,"ignored_columns":[]}`.
/// On success `*out_json` receives a string the caller owns and frees with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_json(
    report: *const cb_import_report,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let report = cb_import_report::arg(report, "report")?;
        let out_json = out_arg(out_json, "out_json")?;
        *out_json = owned_string(report.to_json()?, "json")?;
        Ok(())
    })
}

/// Frees a report and the strings it lent. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_import_report_free(report: *mut cb_import_report) {
    value_boundary((), || cb_import_report::free(report))
}

fn out_of_range(index: usize, len: usize) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("index {index} is out of range, the report has {len}"),
    )
    .with_field("index")
}
