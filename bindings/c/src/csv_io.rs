//! CSV export, as text or into a file. (CSV import is the capabilities
//! `import_clients_csv` and `import_deals_csv`, through `cb_base_call_mut`.)

use std::ffi::c_char;

use clientbase::record;

use crate::base::cb_base;
use crate::error::cb_status;
use crate::ffi::{arg_str, put_text, BoxHandle};
use crate::panic::status_boundary;

/// Exports all records of `kind` (`"client"` or `"deal"`; another is
/// `CB_INVALID_VALUE`) as CSV text. On success `*out_csv` receives a string
/// the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_csv(
    base: *const cb_base,
    kind: *const c_char,
    out_csv: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let mut csv = Vec::new();
        record::export_csv(base, arg_str(kind, "kind")?, &mut csv)?;
        put_text(out_csv, "out_csv", csv)
    })
}

/// Exports all records of `kind` as CSV into the file at `path` (borrowed,
/// UTF-8), replacing it.
#[no_mangle]
pub unsafe extern "C" fn cb_base_export_csv_file(
    base: *const cb_base,
    kind: *const c_char,
    path: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let (base, kind) = (cb_base::arg(base, "base")?, arg_str(kind, "kind")?);
        Ok(record::export_csv_file(base, kind, arg_str(path, "path")?)?)
    })
}
