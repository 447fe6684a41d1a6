//! Activities: add, update and fetch, as JSON.

use std::ffi::c_char;

use clientbase::{Activity, ActivityId};

use crate::base::{cb_base, record_json};
use crate::error::cb_status;
use crate::ffi::{arg_str, out_arg, BoxHandle};
use crate::panic::status_boundary;

/// Adds an activity described as JSON (borrowed), for example
/// `{"client":1,"kind":"call","at":"2025-01-01T10:00:00Z","direction":"outbound"}`.
/// Any `id` in it is ignored. On success `*out_id` receives the new activity's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_activity_json(
    base: *mut cb_base,
    activity_json: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let activity_json = arg_str(activity_json, "activity_json")?;
        let out_id = out_arg(out_id, "out_id")?;
        let activity: Activity = serde_json::from_str(activity_json)?;
        *out_id = base.add_activity(activity)?.get();
        Ok(())
    })
}

/// Replaces an activity with the one described as JSON (borrowed), found by its `id`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_activity_json(
    base: *mut cb_base,
    activity_json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let activity_json = arg_str(activity_json, "activity_json")?;
        let activity: Activity = serde_json::from_str(activity_json)?;
        base.update_activity(activity)?;
        Ok(())
    })
}

/// Fetches activity `activity_id` as JSON. On success `*out_json` receives a
/// string the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_activity_json(
    base: *const cb_base,
    activity_id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let out_json = out_arg(out_json, "out_json")?;
        let id = ActivityId(activity_id);
        let activity = base.activity(id)?;
        *out_json = record_json(activity)?;
        Ok(())
    })
}
