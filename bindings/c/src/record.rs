//! Clients, deals and activities: add, update and fetch, as JSON in the
//! core's serde form, the record kind named by the `kind` argument
//! (`"client"`, `"deal"` or `"activity"`; another is `CB_INVALID_VALUE`).
//! Mirrors `clientbase::record`.

use std::ffi::c_char;

use clientbase::record;

use crate::base::cb_base;
use crate::error::cb_status;
use crate::ffi::{arg_str, out_arg, put_text, BoxHandle};
use crate::panic::status_boundary;

/// Adds a record of `kind` described as JSON (`json`, borrowed; its argument
/// name in errors is `<kind>_json`), for example a client
/// `{"kind":"person","surname":"Иванов","given":"Иван","phones":[{"raw":"8 916 123-45-67"}],"tags":["vip"]}`
/// or `{"kind":"company","legal_name":"ООО «Ромашка»","tax_id":"7707083893"}`,
/// a deal `{"client":1,"title":"Корм на полгода","amount":{"amount":"4900","currency":"RUB"}}`,
/// an activity `{"client":1,"kind":"call","at":"2025-01-01T10:00:00Z","direction":"outbound"}`.
/// Any `id` in it is ignored. On success `*out_id` receives the new record's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_json(
    base: *mut cb_base,
    kind: *const c_char,
    json: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let kind = arg_str(kind, "kind")?;
        let json = arg_str(json, &format!("{kind}_json"))?;
        let out_id = out_arg(out_id, "out_id")?;
        *out_id = record::add_json(base, kind, json)?;
        Ok(())
    })
}

/// Replaces a record of `kind` with the one described as JSON (borrowed),
/// found by its `id`. A missing `created_at` is kept from the stored record;
/// `updated_at` is stamped.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_json(
    base: *mut cb_base,
    kind: *const c_char,
    json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let kind = arg_str(kind, "kind")?;
        Ok(record::update_json(
            base,
            kind,
            arg_str(json, &format!("{kind}_json"))?,
        )?)
    })
}

/// Fetches the record of `kind` with `id` as JSON. On success `*out_json`
/// receives a string the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_record_json(
    base: *const cb_base,
    kind: *const c_char,
    id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let json = record::find_json(base, arg_str(kind, "kind")?, id)?;
        put_text(out_json, "out_json", json)
    })
}
