//! `cb_view`: a base as one actor may read it under an access policy. Mirrors
//! `clientbase`'s `access` module.
//!
//! A view is made once per actor with `cb_base_view` and then called like the
//! base (`cb_view_call`, `cb_view_call_table`), always with the base it was
//! made from: the view keeps a restricted, masked copy and rebuilds it when the
//! base changed since. Exports the policy forbids are `CB_FORBIDDEN` with the
//! reason in `cb_last_error_message`; allowed ones are logged in the base
//! file's change log with the actor and the number of records.

use std::ffi::c_char;

use clientbase::access::{Policy, View};
use clientbase::capability;

use crate::base::cb_base;
use crate::capability::{params_arg, put_output};
use crate::error::{cb_status, CbResult};
use crate::ffi::{arg_str, out_arg, put_json, put_text, BoxHandle};
use crate::panic::{status_boundary, value_boundary};
use crate::table::cb_table;

/// A base as one actor sees it: made by `cb_base_view`, freed by
/// `cb_view_free`; every call takes the base it was made from.
pub struct cb_view {
    _private: [u8; 0],
}

impl BoxHandle for cb_view {
    type Inner = View;
}

/// Makes the view of `actor` under `policy_json` on `base` (all borrowed).
/// The policy is JSON: `{"roles": {"manager": {"clients": "own", "contacts":
/// "masked", "forbid_exports": ["csv"], "export_reason": "..."}}, "actors":
/// {"ivanov": {"role": "manager", "owns": ["Иванов"]}}, "default_role": null}`;
/// an unknown key is `CB_JSON`, a role that does not exist `CB_INVALID_VALUE`,
/// an actor the policy does not cover `CB_FORBIDDEN`. On success `*out_view`
/// receives a view the caller owns and frees with `cb_view_free`; it must be
/// freed before the base, and called only with this base.
#[no_mangle]
pub unsafe extern "C" fn cb_base_view(
    base: *const cb_base,
    actor: *const c_char,
    policy_json: *const c_char,
    out_view: *mut *mut cb_view,
) -> cb_status {
    status_boundary(|| {
        let base = unsafe { cb_base::arg(base, "base") }?;
        let actor = unsafe { arg_str(actor, "actor") }?;
        let policy = Policy::from_json(unsafe { arg_str(policy_json, "policy_json") }?)?;
        unsafe { cb_view::put(out_view, "out_view", View::new(base, &policy, actor)?) }
    })
}

/// Frees a view. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_view_free(view: *mut cb_view) {
    value_boundary((), || unsafe { cb_view::free(view) })
}

/// What the view's actor may see and export, as JSON: `{"actor", "role",
/// "clients", "contacts", "owns", "forbid_exports": {kind: reason}}`. On
/// success `*out_json` receives a string the caller owns and frees with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_view_grant_json(
    view: *const cb_view,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let view = unsafe { cb_view::arg(view, "view") }?;
        unsafe { put_json(out_json, view.grant()) }
    })
}

/// Calls the capability named `capability` as the view's actor, like
/// `cb_base_call` on the base as the actor sees it (a table comes back in its
/// JSON form). A capability that changes the base, the change log for a
/// restricted actor and an export the policy forbids are `CB_FORBIDDEN`. On
/// success `*out_json` receives the output as JSON, owned by the caller and
/// freed with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_view_call(
    view: *mut cb_view,
    base: *const cb_base,
    capability: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let (view, base) = unsafe { view_args(view, base) }?;
        let name = unsafe { arg_str(capability, "capability") }?;
        let params = unsafe { params_arg(params_json) }?;
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        unsafe { put_output(out_json, view.call(base, name, params)?) }
    })
}

/// Calls a capability that gives back a table as the view's actor, like
/// `cb_base_call_table`. On success `*out_table` receives a table the caller
/// owns and frees with `cb_table_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_view_call_table(
    view: *mut cb_view,
    base: *const cb_base,
    capability: *const c_char,
    params_json: *const c_char,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        let (view, base) = unsafe { view_args(view, base) }?;
        let name = unsafe { arg_str(capability, "capability") }?;
        let params = unsafe { params_arg(params_json) }?;
        let out_table = unsafe { out_arg(out_table, "out_table") }?;
        capability::expect_table(name, "cb_view_call")?;
        let table = view.call(base, name, params)?.into_table(name)?;
        *out_table = cb_table::of(table)?;
        Ok(())
    })
}

/// Exports the clients the actor sees as CSV text, if the policy allows CSV
/// exports (else `CB_FORBIDDEN`); logged with the actor. On success `*out_csv`
/// receives a string the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_view_export_clients_csv(
    view: *mut cb_view,
    base: *const cb_base,
    out_csv: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let (view, base) = unsafe { view_args(view, base) }?;
        let out_csv = unsafe { out_arg(out_csv, "out_csv") }?;
        let mut csv = Vec::new();
        view.export_clients_csv(base, &mut csv)?;
        unsafe { put_text(out_csv, "out_csv", csv) }
    })
}

/// Writes the base as the actor sees it as JSON, if the policy allows JSON
/// exports (else `CB_FORBIDDEN`); logged with the actor. On success
/// `*out_json` receives a string the caller owns and frees with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_view_to_json(
    view: *mut cb_view,
    base: *const cb_base,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let (view, base) = unsafe { view_args(view, base) }?;
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        unsafe { put_text(out_json, "out_json", view.to_json(base)?) }
    })
}

/// The view and base arguments of a call.
///
/// # Safety
/// Both are `NULL` or live handles; the view is not used elsewhere meanwhile.
unsafe fn view_args<'a>(
    view: *mut cb_view,
    base: *const cb_base,
) -> CbResult<(&'a mut View, &'a clientbase::ClientBase)> {
    let view = unsafe { cb_view::arg_mut(view, "view") }?;
    let base = unsafe { cb_base::arg(base, "base") }?;
    Ok((view, base))
}
