//! CSV export, as text or into a file. (CSV import is the capabilities
//! `import_clients_csv` and `import_deals_csv`, through `cb_base_call_mut`.)

use std::ffi::c_char;
use std::fs::File;
use std::io::{BufWriter, Write};

use clientbase::{ClientBase, Error, ErrorKind};

use crate::base::cb_base;
use crate::error::{cb_status, CbResult};
use crate::ffi::{arg_str, out_arg, owned_string, BoxHandle};
use crate::panic::status_boundary;

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
