//! CSV export, as text or into a file. (CSV import is the capabilities
//! `import_clients_csv` and `import_deals_csv`, through `cb_base_call_mut`.)

use std::ffi::c_char;
use std::fs::File;
use std::io::{BufWriter, Write};

use clientbase::{record, Error, ErrorKind};

use crate::base::cb_base;
use crate::error::cb_status;
use crate::ffi::{arg_str, out_arg, owned_string, BoxHandle};
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
        let kind = arg_str(kind, "kind")?;
        let out_csv = out_arg(out_csv, "out_csv")?;
        let mut csv = Vec::new();
        record::export_csv(base, kind, &mut csv)?;
        *out_csv = owned_string(csv, "csv")?;
        Ok(())
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
        let base = cb_base::arg(base, "base")?;
        let kind = arg_str(kind, "kind")?;
        let path = arg_str(path, "path")?;
        let file = File::create(path)
            .map_err(|err| Error::new(ErrorKind::Io, format!("{path}: {err}")).with_source(err))?;
        let mut file = BufWriter::new(file);
        record::export_csv(base, kind, &mut file)?;
        file.flush().map_err(Error::from)?;
        Ok(())
    })
}
