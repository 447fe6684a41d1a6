//! Activities: add, update and fetch, from JSON or through a typed call.

use std::ffi::c_char;

use chrono::DateTime;
use clientbase::{Activity, ActivityId, ActivityKind, ClientId, Error, ErrorKind};

use crate::base::{cb_base, record_json};
use crate::error::cb_status;
use crate::ffi::{arg_opt_str, arg_str, out_arg, BoxHandle};
use crate::panic::status_boundary;

/// What kind of activity (`cb_base_add_activity`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_activity_kind {
    /// A phone call.
    CB_ACTIVITY_CALL = 0,
    /// An email.
    CB_ACTIVITY_EMAIL = 1,
    /// A messenger or SMS message.
    CB_ACTIVITY_MESSAGE = 2,
    /// A meeting.
    CB_ACTIVITY_MEETING = 3,
    /// A task for a manager.
    CB_ACTIVITY_TASK = 4,
    /// A note.
    CB_ACTIVITY_NOTE = 5,
}

impl cb_activity_kind {
    /// The core kind of a number that C passed (any `uint32_t` is safe here).
    fn core_kind(number: u32) -> Result<ActivityKind, Error> {
        /// The C kinds and the core kinds they stand for.
        const KINDS: [(cb_activity_kind, ActivityKind); 6] = [
            (cb_activity_kind::CB_ACTIVITY_CALL, ActivityKind::Call),
            (cb_activity_kind::CB_ACTIVITY_EMAIL, ActivityKind::Email),
            (cb_activity_kind::CB_ACTIVITY_MESSAGE, ActivityKind::Message),
            (cb_activity_kind::CB_ACTIVITY_MEETING, ActivityKind::Meeting),
            (cb_activity_kind::CB_ACTIVITY_TASK, ActivityKind::Task),
            (cb_activity_kind::CB_ACTIVITY_NOTE, ActivityKind::Note),
        ];
        KINDS
            .into_iter()
            .find(|(kind, _)| *kind as u32 == number)
            .map(|(_, core)| core)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!("{number} is not a cb_activity_kind"),
                )
                .with_field("kind")
            })
    }
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
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let activity_json = arg_str(activity_json, "activity_json")?;
        let out_id = out_arg(out_id, "out_id")?;
        let activity: Activity = serde_json::from_str(activity_json)?;
        *out_id = base.add_activity(activity)?.get();
        Ok(())
    })
}

/// Adds an activity of client `client_id`: `kind` is a `cb_activity_kind`,
/// `at_unix_seconds` when it happened (seconds since 1970-01-01T00:00:00Z) and
/// `text` its text or summary (borrowed), or `NULL`. On success `*out_id`
/// receives the new activity's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_activity(
    base: *mut cb_base,
    client_id: u64,
    kind: u32,
    at_unix_seconds: i64,
    text: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let text = arg_opt_str(text, "text")?;
        let out_id = out_arg(out_id, "out_id")?;
        let kind = cb_activity_kind::core_kind(kind)?;
        let at = DateTime::from_timestamp(at_unix_seconds, 0).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("{at_unix_seconds} is out of the representable range"),
            )
            .with_field("at")
        })?;
        let mut activity = Activity::new(ClientId(client_id), kind, at);
        activity.text = text.map(str::to_string);
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
