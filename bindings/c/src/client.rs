//! Clients: add, update and fetch, as JSON.

use std::ffi::c_char;

use clientbase::{Client, ClientId};

use crate::base::{cb_base, record_json};
use crate::error::cb_status;
use crate::ffi::{arg_str, out_arg, BoxHandle};
use crate::panic::status_boundary;

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
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let client_json = arg_str(client_json, "client_json")?;
        let out_id = out_arg(out_id, "out_id")?;
        let client: Client = serde_json::from_str(client_json)?;
        *out_id = base.add_client(client)?.get();
        Ok(())
    })
}

/// Replaces a client with the one described as JSON (borrowed), found by its
/// `id`. A missing `created_at` is kept from the stored client; `updated_at` is
/// stamped.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_client_json(
    base: *mut cb_base,
    client_json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let client_json = arg_str(client_json, "client_json")?;
        let client: Client = serde_json::from_str(client_json)?;
        base.update_client(client)?;
        Ok(())
    })
}

/// Fetches client `client_id` as JSON. On success `*out_json` receives a string
/// the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_client_json(
    base: *const cb_base,
    client_id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let out_json = out_arg(out_json, "out_json")?;
        let id = ClientId(client_id);
        let client = base.client(id)?;
        *out_json = record_json(client)?;
        Ok(())
    })
}
