//! Merging the records of one client into a survivor, and undoing a merge:
//! the `merge_clients` and `undo_merge` capabilities under their C names.
//! Mirrors `clientbase`'s `base/merge.rs`.

use std::ffi::c_char;

use crate::base::cb_base;
use crate::capability::write_call;
use crate::error::cb_status;
use crate::panic::status_boundary;

/// Merges clients into a survivor: `params_json` is `{"survivor":1,
/// "others":[4,9],"rules":{...}}` (`rules` optional). Fields are chosen by the
/// rules, contact points, tags, relations and consents united, every deal and
/// activity moved to the survivor, the others removed from the base.
///
/// `rules` defaults to the most recent value of every field, or is
/// survivorship rules such as `{"default":"most_recent","fields":
/// {"city":"most_complete","source":{"source_priority":["crm","site"]},
/// "custom.rooms":{"manual":4}}}` (rules are `most_recent`, `most_complete`,
/// `most_frequent`, `{"source_priority":[...]}` and `{"manual":<id>}`). An
/// unknown client is `CB_UNKNOWN_ID`, an id given twice or a rule for an
/// unknown field `CB_INVALID_VALUE`, a person merged with a company
/// `CB_CONFLICT`; the base is unchanged then.
///
/// On success `*out_json` receives the record of the merge as JSON
/// (everything it changed); keep it to undo the merge exactly with
/// `cb_base_undo_merge`. The caller owns it and frees it with `cb_string_free`.
/// A match index built earlier does not see the merge: remove the merged ids
/// from it and insert the survivor again. The same as
/// `cb_base_call_mut(base, "merge_clients", params_json, out_json)`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_merge_clients(
    base: *mut cb_base,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { write_call(base, "merge_clients", params_json, out_json) })
}

/// Undoes a merge: `params_json` is `{"record":<the record
/// cb_base_merge_clients wrote>}`. The merged clients come back with their
/// ids, and the survivor, deals, activities and other clients' relations are
/// as they were. Refused with `CB_CONFLICT` (changing nothing) when any of them
/// changed since the merge, so that no later edit is lost silently. On success
/// `*out_json` receives `{}`, freed with `cb_string_free`. The same as
/// `cb_base_call_mut(base, "undo_merge", params_json, out_json)`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_undo_merge(
    base: *mut cb_base,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { write_call(base, "undo_merge", params_json, out_json) })
}
