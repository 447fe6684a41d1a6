//! Capabilities by name: JSON params in, JSON report out, through one helper.
//! Mirrors `clientbase`'s `capability` module.
//!
//! Every capability can be called by name with `cb_call` (plain inputs),
//! `cb_base_call` (reads a base) or `cb_base_call_mut` (may change it). The
//! named calls below (`cb_base_dedupe`, …) are the same calls with the name
//! written in. Params are a JSON object (`NULL` or `"{}"` for the defaults); a
//! key the capability does not have is `CB_JSON`, naming the key and the keys
//! allowed. The report comes back as compact JSON with its object keys sorted.

use std::ffi::c_char;

use clientbase::capability::{self, Output};
use serde_json::Value;

use crate::base::cb_base;
use crate::error::{cb_status, CbResult};
use crate::ffi::{arg_str, opt_json_arg, out_arg, owned_string, BoxHandle};
use crate::panic::status_boundary;

/// The params argument: `NULL` is `{}`.
///
/// # Safety
/// `params_json` is `NULL` or a NUL-terminated string alive for the call.
pub(crate) unsafe fn params_arg(params_json: *const c_char) -> CbResult<Value> {
    unsafe { opt_json_arg(params_json, "params_json") }
}

fn output(out: Output) -> CbResult<*mut c_char> {
    owned_string(out.to_json()?, "out_json")
}

/// What `cb_base_call` and the named read calls share (inside their panic
/// boundary).
///
/// # Safety
/// As for `cb_base_call`.
pub(crate) unsafe fn read_call(
    base: *const cb_base,
    capability: &str,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> CbResult<()> {
    let base = unsafe { cb_base::arg(base, "base") }?;
    let params = unsafe { params_arg(params_json) }?;
    let out_json = unsafe { out_arg(out_json, "out_json") }?;
    *out_json = output(capability::call_read(base, capability, params)?)?;
    Ok(())
}

/// What `cb_base_call_mut` and the named write calls share (inside their
/// panic boundary).
///
/// # Safety
/// As for `cb_base_call_mut`.
pub(crate) unsafe fn write_call(
    base: *mut cb_base,
    capability: &str,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> CbResult<()> {
    let base = unsafe { cb_base::arg_mut(base, "base") }?;
    let params = unsafe { params_arg(params_json) }?;
    let out_json = unsafe { out_arg(out_json, "out_json") }?;
    *out_json = output(capability::call_write(base, capability, params)?)?;
    Ok(())
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
        let out_json = out_arg(out_json, "out_json")?;
        // Through a `Value`, so that the keys are sorted like every output's.
        let list = serde_json::to_value(capability::CAPABILITIES)?;
        *out_json = owned_string(list.to_string(), "out_json")?;
        Ok(())
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
        let params = params_arg(params_json)?;
        let out_json = out_arg(out_json, "out_json")?;
        *out_json = output(capability::call(capability, params)?)?;
        Ok(())
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
        unsafe { read_call(base, capability, params_json, out_json) }
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
        unsafe { write_call(base, capability, params_json, out_json) }
    })
}

/// Deduplicates the whole base: `params_json` is `{"options": {match
/// settings}, "not_duplicates": [[a, b], ...]}` (every key optional). The
/// report has `clusters`, `related`, `refused`, `blocking`, `records`,
/// `comparisons`, `cluster_of` (`{"client": [...], "cluster": [...]}`) and
/// `duplicates`. See `cb_base_call` for ownership.
#[no_mangle]
pub unsafe extern "C" fn cb_base_dedupe(
    base: *const cb_base,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { read_call(base, "dedupe", params_json, out_json) })
}

/// Won revenue by year and by product category: `params_json` is
/// `{"top_categories": 10, "include_recurring": false}` (every key optional).
/// See `cb_base_call` for ownership.
#[no_mangle]
pub unsafe extern "C" fn cb_base_sales_summary(
    base: *const cb_base,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { read_call(base, "sales_summary", params_json, out_json) })
}
