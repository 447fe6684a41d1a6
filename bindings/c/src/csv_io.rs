//! CSV import through the bridge (JSON params, the report as JSON), and CSV
//! export.

use std::ffi::c_char;
use std::fs::File;
use std::io::{BufWriter, Write};

use clientbase::{ClientBase, Error, ErrorKind};

use crate::base::cb_base;
use crate::capability::write_call;
use crate::error::{cb_status, CbResult};
use crate::ffi::{arg_str, out_arg, owned_string, BoxHandle};
use crate::panic::status_boundary;

/// Imports clients from CSV, the capability `import_clients_csv`. Good rows are
/// added; a bad row is not an error but a rejected row in the report, with its
/// line, column, field and reason. Only input that cannot be read as CSV at all
/// fails the call (`CB_CSV`; a file that cannot be opened is `CB_IO`).
///
/// `params_json` (borrowed) is `{"csv": "...text...", "mapping": {...},
/// "options": {...}}`, or `"path": "file.csv"` instead of `"csv"`. The mapping
/// maps CSV headers to client fields, such as
/// `{"Фамилия":"surname","Имя":"given_name","Телефон":"phone","Комнат":"custom.rooms"}`
/// (an unknown target or a mapped header missing from the file is `CB_CSV`);
/// `options` such as `{"delimiter":";","currency":"RUB"}` may be left out (the
/// delimiter `;`, `,` or tab is then detected from the header).
///
/// On success `*out_json` receives the report, owned by the caller and freed
/// with `cb_string_free`:
/// `{"empty_rows":0,"ignored_columns":[],"imported":[1,2],"imported_lines":[2,4],"rejected":[{"column":"ИНН","field":"tax_id","kind":"invalid_value","line":3,"reason":"..."}],"rows":3}`
/// (`rows == imported + rejected + empty_rows`).
#[no_mangle]
pub unsafe extern "C" fn cb_base_import_clients_csv(
    base: *mut cb_base,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { write_call(base, "import_clients_csv", params_json, out_json) })
}

/// Imports deals from CSV, the capability `import_deals_csv`, like
/// `cb_base_import_clients_csv` with a mapping to deal fields
/// (`{"Клиент":"client_id","Сумма":"amount"}`).
#[no_mangle]
pub unsafe extern "C" fn cb_base_import_deals_csv(
    base: *mut cb_base,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { write_call(base, "import_deals_csv", params_json, out_json) })
}

/// Which records an export writes.
type Export = fn(&ClientBase, &mut dyn Write) -> clientbase::Result<()>;

/// What the text exports share: the CSV as a new string in `*out_csv`.
unsafe fn export_text(
    base: *const cb_base,
    out_csv: *mut *mut c_char,
    export: Export,
) -> CbResult<()> {
    let base = unsafe { cb_base::arg(base, "base") }?;
    let out_csv = unsafe { out_arg(out_csv, "out_csv") }?;
    let mut csv = Vec::new();
    export(base, &mut csv)?;
    *out_csv = owned_string(csv, "csv")?;
    Ok(())
}

/// What the file exports share: the CSV into the file at `path`, replaced.
unsafe fn export_file(base: *const cb_base, path: *const c_char, export: Export) -> CbResult<()> {
    let base = unsafe { cb_base::arg(base, "base") }?;
    let path = unsafe { arg_str(path, "path") }?;
    let file = File::create(path)
        .map_err(|err| Error::new(ErrorKind::Io, format!("{path}: {err}")).with_source(err))?;
    let mut file = BufWriter::new(file);
    export(base, &mut file)?;
    file.flush().map_err(Error::from)?;
    Ok(())
}

/// Exports all clients as CSV text. On success `*out_csv` receives a string the
/// caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_clients_csv(
    base: *const cb_base,
    out_csv: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { export_text(base, out_csv, |b, w| b.export_clients_csv(w)) })
}

/// Exports all clients as CSV into the file at `path` (borrowed, UTF-8),
/// replacing it.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_clients_csv_file(
    base: *const cb_base,
    path: *const c_char,
) -> cb_status {
    status_boundary(|| unsafe { export_file(base, path, |b, w| b.export_clients_csv(w)) })
}

/// Exports all deals as CSV text, like `cb_base_export_clients_csv`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_deals_csv(
    base: *const cb_base,
    out_csv: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { export_text(base, out_csv, |b, w| b.export_deals_csv(w)) })
}

/// Exports all deals as CSV into the file at `path`, like
/// `cb_base_export_clients_csv_file`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_deals_csv_file(
    base: *const cb_base,
    path: *const c_char,
) -> cb_status {
    status_boundary(|| unsafe { export_file(base, path, |b, w| b.export_deals_csv(w)) })
}
