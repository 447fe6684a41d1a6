//! Clients, deals and activities: add, update and fetch, as JSON in the
//! core's serde form. One generic body per call serves the three kinds.

use std::ffi::c_char;

use clientbase::{Activity, Client, Deal, Record};

use crate::base::{cb_base, record_json};
use crate::error::{cb_status, CbResult};
use crate::ffi::{arg_str, out_arg, BoxHandle};
use crate::panic::status_boundary;

/// Adds the record described by the JSON argument `name`; its id in `*out_id`.
unsafe fn add<T: Record>(
    base: *mut cb_base,
    json: *const c_char,
    name: &str,
    out_id: *mut u64,
) -> CbResult<()> {
    let base = unsafe { cb_base::arg_mut(base, "base") }?;
    let json = unsafe { arg_str(json, name) }?;
    let out_id = unsafe { out_arg(out_id, "out_id") }?;
    let record: T = serde_json::from_str(json)?;
    *out_id = record.add_to(base)?;
    Ok(())
}

/// Replaces the record described by the JSON argument `name`, found by its id.
unsafe fn update<T: Record>(base: *mut cb_base, json: *const c_char, name: &str) -> CbResult<()> {
    let base = unsafe { cb_base::arg_mut(base, "base") }?;
    let json = unsafe { arg_str(json, name) }?;
    let record: T = serde_json::from_str(json)?;
    record.update_in(base)?;
    Ok(())
}

/// The record `id` as JSON in `*out_json`.
unsafe fn fetch<T: Record>(
    base: *const cb_base,
    id: u64,
    out_json: *mut *mut c_char,
) -> CbResult<()> {
    let base = unsafe { cb_base::arg(base, "base") }?;
    let out_json = unsafe { out_arg(out_json, "out_json") }?;
    *out_json = record_json(T::find_in(base, id)?)?;
    Ok(())
}

/// Adds a client described as JSON (borrowed), for example
/// `{"kind":"person","surname":"Иванов","given":"Иван","phones":[{"raw":"8 916 123-45-67"}],"tags":["vip"]}`
/// or `{"kind":"company","legal_name":"ООО «Ромашка»","tax_id":"7707083893"}`.
/// Any `id` in it is ignored. On success `*out_id` receives the new client's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_client_json(
    base: *mut cb_base,
    client_json: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| unsafe { add::<Client>(base, client_json, "client_json", out_id) })
}

/// Replaces a client with the one described as JSON (borrowed), found by its
/// `id`. A missing `created_at` is kept from the stored client; `updated_at` is
/// stamped.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_client_json(
    base: *mut cb_base,
    client_json: *const c_char,
) -> cb_status {
    status_boundary(|| unsafe { update::<Client>(base, client_json, "client_json") })
}

/// Fetches client `client_id` as JSON. On success `*out_json` receives a string
/// the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_client_json(
    base: *const cb_base,
    client_id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { fetch::<Client>(base, client_id, out_json) })
}

/// Adds a deal described as JSON (borrowed), for example
/// `{"client":1,"title":"Корм на полгода","amount":{"amount":"4900","currency":"RUB"}}`.
/// Any `id` in it is ignored. On success `*out_id` receives the new deal's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_deal_json(
    base: *mut cb_base,
    deal_json: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| unsafe { add::<Deal>(base, deal_json, "deal_json", out_id) })
}

/// Replaces a deal with the one described as JSON (borrowed), found by its `id`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_deal_json(
    base: *mut cb_base,
    deal_json: *const c_char,
) -> cb_status {
    status_boundary(|| unsafe { update::<Deal>(base, deal_json, "deal_json") })
}

/// Fetches deal `deal_id` as JSON. On success `*out_json` receives a string the
/// caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_deal_json(
    base: *const cb_base,
    deal_id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { fetch::<Deal>(base, deal_id, out_json) })
}

/// Adds an activity described as JSON (borrowed), for example
/// `{"client":1,"kind":"call","at":"2025-01-01T10:00:00Z","direction":"outbound"}`.
/// Any `id` in it is ignored. On success `*out_id` receives the new activity's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_activity_json(
    base: *mut cb_base,
    activity_json: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| unsafe { add::<Activity>(base, activity_json, "activity_json", out_id) })
}

/// Replaces an activity with the one described as JSON (borrowed), found by its `id`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_activity_json(
    base: *mut cb_base,
    activity_json: *const c_char,
) -> cb_status {
    status_boundary(|| unsafe { update::<Activity>(base, activity_json, "activity_json") })
}

/// Fetches activity `activity_id` as JSON. On success `*out_json` receives a
/// string the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_activity_json(
    base: *const cb_base,
    activity_id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { fetch::<Activity>(base, activity_id, out_json) })
}
