//! Tables from capabilities (`clients_table`, `deals_table`, …): the row count,
//! the JSON form, and zero-copy columns through the Arrow C Data Interface.
//! Mirrors `clientbase`'s `table` module.

use std::ffi::c_char;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{Array, RecordBatch, StructArray};
use clientbase::capability;
use clientbase::{Error, ErrorKind, Table};

use crate::base::cb_base;
use crate::capability::params_arg;
use crate::error::{cb_status, CbResult, Failure};
use crate::ffi::{arg_str, out_arg, put_text, BoxHandle};
use crate::panic::{status_boundary, value_boundary};

/// A table a capability gave back: named, typed columns of equal length.
///
/// Made by `cb_base_call_table`, freed by `cb_table_free`. Its columns live as
/// Arrow buffers: `cb_table_export_arrow` lends them to C without copying.
pub struct cb_table {
    _private: [u8; 0],
}

impl BoxHandle for cb_table {
    type Inner = RecordBatch;
}

impl cb_table {
    /// Hands a core table to C (its columns as Arrow buffers).
    pub(crate) fn of(table: Table) -> CbResult<*mut cb_table> {
        Ok(cb_table::into_raw(table.into_record_batch()?))
    }
}

/// `struct ArrowArray` of the Arrow C Data Interface (defined in the header
/// exactly as the Arrow specification writes it).
pub type ArrowArray = FFI_ArrowArray;

/// `struct ArrowSchema` of the Arrow C Data Interface (defined in the header
/// exactly as the Arrow specification writes it).
pub type ArrowSchema = FFI_ArrowSchema;

/// Calls the capability named `capability`, which gives back a table (see the
/// `output` of `cb_capabilities_json`), on a base it only reads, with
/// `params_json` (a JSON object such as `{"fields":["id","surname"]}`, or
/// `NULL` for the defaults; both borrowed). A capability that gives back a
/// report is `CB_INVALID_VALUE` (use `cb_base_call`). On success `*out_table`
/// receives a table that the caller owns and frees with `cb_table_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_call_table(
    base: *const cb_base,
    capability: *const c_char,
    params_json: *const c_char,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        let base = unsafe { cb_base::arg(base, "base") }?;
        let name = unsafe { arg_str(capability, "capability") }?;
        let params = unsafe { params_arg(params_json) }?;
        let out_table = unsafe { out_arg(out_table, "out_table") }?;
        capability::expect_table(name, "cb_base_call")?;
        *out_table = cb_table::of(capability::call_read(base, name, params)?.into_table(name)?)?;
        Ok(())
    })
}

/// The number of rows; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_table_rows(table: *const cb_table) -> usize {
    value_boundary(0, || {
        unsafe { cb_table::arg(table, "table") }.map_or(0, RecordBatch::num_rows)
    })
}

/// The table in its JSON form, compact with sorted keys, as `cb_base_call`
/// gives it: `{"columns":[{"name":"id","type":"uint64","values":[1,2]},...],
/// "rows":2}` (see the `table` module of the core). On
/// success `*out_json` receives a string the caller owns and frees with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_table_to_json(
    table: *const cb_table,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let json =
            Table::from_record_batch(unsafe { cb_table::arg(table, "table") }?)?.to_json()?;
        unsafe { put_text(out_json, "out_json", json) }
    })
}

/// Exports the table through the Arrow C Data Interface as one struct array
/// (format `+s`) with a child per column: ids `uint64` (`L`), text `utf8`
/// (`u`), dates `date32` (`tdD`), timestamps `timestamp[us, UTC]`, amounts
/// `decimal128(38, scale)`, lists of text `list<utf8>`; every column nullable.
///
/// `out_array` and `out_schema` point to structs the caller allocated; on
/// success they are filled and the caller owns them: it must call
/// `out_array->release(out_array)` and `out_schema->release(out_schema)` once
/// done (they may outlive the table). The buffers are the table's own, not
/// copies. The table is unchanged and may be exported again.
#[no_mangle]
pub unsafe extern "C" fn cb_table_export_arrow(
    table: *const cb_table,
    out_array: *mut ArrowArray,
    out_schema: *mut ArrowSchema,
) -> cb_status {
    status_boundary(|| {
        let batch = unsafe { cb_table::arg(table, "table") }?;
        for (null, name) in [
            (out_array.is_null(), "out_array"),
            (out_schema.is_null(), "out_schema"),
        ] {
            if null {
                return Err(Failure::null(name));
            }
        }
        let data = StructArray::from(batch.clone()).into_data();
        let (array, schema) = arrow_array::ffi::to_ffi(&data)
            .map_err(|err| Error::new(ErrorKind::InvalidValue, format!("arrow: {err}")))?;
        // SAFETY: both are non-NULL and writable (guaranteed by the caller);
        // what they held is the caller's uninitialized memory, so it is
        // overwritten without being dropped.
        unsafe {
            out_array.write(array);
            out_schema.write(schema);
        }
        Ok(())
    })
}

/// Frees a table. Arrow arrays exported from it stay valid until released.
/// `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_table_free(table: *mut cb_table) {
    value_boundary((), || unsafe { cb_table::free(table) })
}
