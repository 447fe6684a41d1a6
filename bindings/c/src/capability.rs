//! Capabilities by name: JSON params in, JSON report out, through one helper.
//! Mirrors `clientbase`'s `capability` module.
//!
//! Every capability can be called by name with `cb_call` (plain inputs),
//! `cb_base_call` (reads a base) or `cb_base_call_mut` (may change it):
//! `cb_base_call_mut(base, "merge_clients", params_json, &out_json)`. Params are a JSON object (`NULL` or `"{}"` for the defaults); a
//! key the capability does not have is `CB_JSON`, naming the key and the keys
//! allowed. The report comes back as compact JSON with its object keys sorted.

use std::ffi::c_char;

use arrow_array::ffi::FFI_ArrowArray;
use arrow_array::{RecordBatch, StructArray};
use clientbase::capability::{self, Output};
use clientbase::{Error, ErrorKind, Table};
use serde_json::Value;

use crate::base::cb_base;
use crate::error::{cb_status, CbResult, Failure};
use crate::ffi::{arg_str, opt_json_arg, out_arg, put_json, put_text, BoxHandle};
use crate::panic::status_boundary;
use crate::table::{cb_table, ArrowArray, ArrowSchema};

/// The params argument: `NULL` is `{}`.
///
/// # Safety
/// `params_json` is `NULL` or a NUL-terminated string alive for the call.
pub(crate) unsafe fn params_arg(params_json: *const c_char) -> CbResult<Value> {
    unsafe { opt_json_arg(params_json, "params_json") }
}

/// Writes a capability's output as JSON into `out_json`.
///
/// # Safety
/// `out_json` is `NULL` or valid for writes for the call.
pub(crate) unsafe fn put_output(out_json: *mut *mut c_char, out: Output) -> CbResult<()> {
    unsafe { put_text(out_json, "out_json", out.to_json()?) }
}

/// Lists every capability as JSON: `[{"access":"read","name":"dedupe",
/// "output":"report","summary":"..."}, ...]`, where `access` is `plain` (call
/// with `cb_call`), `read` (`cb_base_call`) or `write` (`cb_base_call_mut`),
/// and `output` is `report` (JSON text) or `table` (call with
/// `cb_base_call_table`). On success
/// `*out_json` receives a string the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_capabilities_json(out_json: *mut *mut c_char) -> cb_status {
    status_boundary(|| {
        // Through a `Value`, so that the keys are sorted like every output's.
        put_json(out_json, &serde_json::to_value(capability::CAPABILITIES)?)
    })
}

/// Calls the capability named `capability` that takes no base, with
/// `params_json` (a JSON object, or `NULL` for the defaults; both borrowed).
/// An unknown name, or a capability that needs a base, is `CB_INVALID_VALUE`.
/// On success `*out_json` receives the report as JSON, owned by the caller and
/// freed with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_call(
    capability: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let capability = arg_str(capability, "capability")?;
        put_output(
            out_json,
            capability::call(capability, params_arg(params_json)?)?,
        )
    })
}

/// Calls the capability named `capability` on a base it only reads, with
/// `params_json` (a JSON object, or `NULL` for the defaults; both borrowed).
/// A capability that changes the base is `CB_INVALID_VALUE` here: use
/// `cb_base_call_mut`. On success `*out_json` receives the report as JSON,
/// owned by the caller and freed with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_call(
    base: *const cb_base,
    capability: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let capability = unsafe { arg_str(capability, "capability") }?;
        let base = unsafe { cb_base::arg(base, "base") }?;
        let params = unsafe { params_arg(params_json) }?;
        unsafe { put_output(out_json, capability::call_read(base, capability, params)?) }
    })
}

/// Calls any capability on a base it may change (see `cb_base_call`). When it
/// fails, the base is unchanged.
#[no_mangle]
pub unsafe extern "C" fn cb_base_call_mut(
    base: *mut cb_base,
    capability: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let capability = unsafe { arg_str(capability, "capability") }?;
        let base = unsafe { cb_base::arg_mut(base, "base") }?;
        let params = unsafe { params_arg(params_json) }?;
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        unsafe { put_output(out_json, capability::call_write(base, capability, params)?) }
    })
}

/// Reads an input table (order lines, …) from its JSON form, the one
/// `cb_table_to_json` gives: `{"columns":[{"name":"client","type":"uint64",
/// "values":[1,2]},...]}` (`rows` optional). A bad form is `CB_JSON` naming the
/// column. On success `*out_table` receives a table the caller owns and frees
/// with `cb_table_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_table_from_json(
    json: *const c_char,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        let table: Table = capability::from_json("table", unsafe { arg_str(json, "json") }?)?;
        unsafe { cb_table::put(out_table, "out_table", table.into_record_batch()?) }
    })
}

/// Imports an input table through the Arrow C Data Interface: `array` is a
/// struct array (format `+s`, as Arrow exports a record batch) with a child
/// per column, `schema` its schema. Columns may be integers, floats,
/// `utf8`/`large_utf8`/`utf8_view`, `date32`, timestamps, decimals and booleans;
/// others are `CB_INVALID_VALUE` naming the column.
///
/// The schema is only read: the caller still releases it. The array is moved
/// into the table (its `release` is set to `NULL`; the table releases it)
/// once the schema shows a struct array; `*out_table` then receives a table the
/// caller owns and frees with `cb_table_free`. A schema that is not a struct
/// array is refused with the array left as it was; an array whose buffers
/// cannot be read, or a column type the core cannot hold, is refused after
/// the move, the array released.
#[no_mangle]
pub unsafe extern "C" fn cb_table_import_arrow(
    array: *mut ArrowArray,
    schema: *const ArrowSchema,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        if array.is_null() {
            return Err(Failure::null("array"));
        }
        if schema.is_null() {
            return Err(Failure::null("schema"));
        }
        let out_table = unsafe { out_arg(out_table, "out_table") }?;
        // SAFETY: both are non-NULL and point to initialized structs
        // (guaranteed by the caller). The schema is read in place; the array
        // is moved out only once it is known to be a struct array.
        let schema = unsafe { &*schema };
        let field = arrow_schema::Field::try_from(schema).map_err(arrow_error)?;
        if !matches!(field.data_type(), arrow_schema::DataType::Struct(_)) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "the array must be a struct array (a record batch), not {}",
                    field.data_type()
                ),
            )
            .with_field("array")
            .into());
        }
        let moved = unsafe { std::ptr::replace(array, FFI_ArrowArray::empty()) };
        let data = unsafe { arrow_array::ffi::from_ffi(moved, schema) }.map_err(arrow_error)?;
        let batch = RecordBatch::from(StructArray::from(data));
        // Read into the core's column types once, so a column it cannot hold
        // is refused here, by name, rather than at the first call.
        let table = Table::from_record_batch(&batch)?;
        *out_table = cb_table::of(table)?;
        Ok(())
    })
}

fn arrow_error(err: arrow_schema::ArrowError) -> Failure {
    Error::new(ErrorKind::InvalidValue, format!("arrow: {err}")).into()
}

/// What `cb_table_call` and `cb_table_call_table` share.
unsafe fn table_call(
    input: *const cb_table,
    capability: *const c_char,
    params_json: *const c_char,
) -> CbResult<Output> {
    let batch = unsafe { cb_table::arg(input, "input") }?;
    let name = unsafe { arg_str(capability, "capability") }?;
    let params = unsafe { params_arg(params_json) }?;
    let table = Table::from_record_batch(batch)?;
    Ok(capability::call_table(name, &table, params)?)
}

/// Calls the capability named `capability` that reads rows (`"access":"rows"`
/// in `cb_capabilities_json`: client value from order lines, …) on the input
/// table `input` (borrowed, unchanged), with `params_json` (a JSON object
/// naming the columns and options, or `NULL` for the defaults). On success
/// `*out_json` receives the result as JSON (a table in its JSON form), owned by
/// the caller and freed with `cb_string_free`. A capability that does not read
/// rows is `CB_INVALID_VALUE`. The same capability on a base (`cb_base_call`)
/// reads the base's own rows (its won deals).
#[no_mangle]
pub unsafe extern "C" fn cb_table_call(
    input: *const cb_table,
    capability: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { put_output(out_json, table_call(input, capability, params_json)?) })
}

/// As `cb_table_call`, for a capability that gives back a table: on success
/// `*out_table` receives it (the caller owns it and frees it with
/// `cb_table_free`; read it with `cb_table_export_arrow` or
/// `cb_table_to_json`). A capability that gives back a report is
/// `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_table_call_table(
    input: *const cb_table,
    capability: *const c_char,
    params_json: *const c_char,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        let out_table = unsafe { out_arg(out_table, "out_table") }?;
        match unsafe { table_call(input, capability, params_json) }? {
            Output::Table(table) => {
                *out_table = cb_table::of(table)?;
                Ok(())
            }
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                "the capability gives back a report, not a table: call it with cb_table_call",
            )
            .with_field("capability")
            .into()),
        }
    })
}
