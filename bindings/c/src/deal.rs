//! Deals: add, update and fetch, as JSON.

use std::ffi::c_char;

use clientbase::{Deal, DealId};

use crate::base::{cb_base, record_json};
use crate::error::cb_status;
use crate::ffi::{arg_str, out_arg, BoxHandle};
use crate::panic::status_boundary;

/// Adds a deal described as JSON (borrowed), for example
/// `{"client":1,"title":"Корм на полгода","amount":{"amount":"4900","currency":"RUB"}}`.
/// Any `id` in it is ignored. On success `*out_id` receives the new deal's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_deal_json(
    base: *mut cb_base,
    deal_json: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let deal_json = arg_str(deal_json, "deal_json")?;
        let out_id = out_arg(out_id, "out_id")?;
        let deal: Deal = serde_json::from_str(deal_json)?;
        *out_id = base.add_deal(deal)?.get();
        Ok(())
    })
}

/// Replaces a deal with the one described as JSON (borrowed), found by its `id`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_deal_json(
    base: *mut cb_base,
    deal_json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let deal_json = arg_str(deal_json, "deal_json")?;
        let deal: Deal = serde_json::from_str(deal_json)?;
        base.update_deal(deal)?;
        Ok(())
    })
}

/// Fetches deal `deal_id` as JSON. On success `*out_json` receives a string the
/// caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_deal_json(
    base: *const cb_base,
    deal_id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let out_json = out_arg(out_json, "out_json")?;
        let id = DealId(deal_id);
        let deal = base.deal(id)?;
        *out_json = record_json(deal)?;
        Ok(())
    })
}
