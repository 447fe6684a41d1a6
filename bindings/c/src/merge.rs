//! Merging the records of one client into a survivor, and undoing a merge.
//! Mirrors `clientbase`'s `base/merge.rs`.

use std::ffi::c_char;

use clientbase::{ClientId, MergeRecord, MergeRules};

use crate::base::{cb_base, record_json};
use crate::error::cb_status;
use crate::ffi::{arg_slice, arg_str, json_arg, out_arg, BoxHandle};
use crate::panic::status_boundary;

/// Merges clients `others` (an array of `n_others` ids, borrowed; `NULL` only
/// when `n_others` is 0) into client `survivor`: fields chosen by the rules,
/// contact points, tags, relations and consents united, every deal and
/// activity moved to the survivor, the others removed from the base.
///
/// `rules_json` is `NULL` for the defaults (the most recent value of every
/// field) or survivorship rules such as `{"default":"most_recent","fields":
/// {"city":"most_complete","source":{"source_priority":["crm","site"]},
/// "custom.rooms":{"manual":4}}}` (rules are `most_recent`, `most_complete`,
/// `most_frequent`, `{"source_priority":[...]}` and `{"manual":<id>}`);
/// borrowed. An unknown client is `CB_UNKNOWN_ID`, an id given twice or a rule
/// for an unknown field `CB_INVALID_VALUE`, a person merged with a company
/// `CB_CONFLICT`; the base is unchanged then.
///
/// On success `*out_record_json` receives the record of the merge as JSON
/// (everything it changed); keep it to undo the merge exactly with
/// `cb_base_undo_merge`. The caller owns it and frees it with `cb_string_free`.
/// A match index built earlier does not see the merge: remove the merged ids
/// from it and insert the survivor again.
#[no_mangle]
pub unsafe extern "C" fn cb_base_merge_clients(
    base: *mut cb_base,
    survivor: u64,
    others: *const u64,
    n_others: usize,
    rules_json: *const c_char,
    out_record_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let others = arg_slice(others, n_others, "others")?;
        let rules: MergeRules = crate::dedup::opt_json_arg(rules_json, "rules_json")?;
        let out_record_json = out_arg(out_record_json, "out_record_json")?;
        let others: Vec<ClientId> = others.iter().copied().map(ClientId).collect();
        let record = base.merge_clients(ClientId(survivor), &others, &rules)?;
        // C must never hold a merged base without the record to undo it: if
        // the record cannot be handed over, the merge is taken back.
        match record_json(&record) {
            Ok(json) => {
                *out_record_json = json;
                Ok(())
            }
            Err(failure) => {
                let _ = base.undo_merge(&record);
                Err(failure)
            }
        }
    })
}

/// Undoes a merge from its record (`record_json`, borrowed, as
/// `cb_base_merge_clients` wrote it): the merged clients come back with their
/// ids, and the survivor, deals, activities and other clients' relations are
/// as they were. Refused with `CB_CONFLICT` (changing nothing) when any of them
/// changed since the merge, so that no later edit is lost silently.
#[no_mangle]
pub unsafe extern "C" fn cb_base_undo_merge(
    base: *mut cb_base,
    record_json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let record_json = arg_str(record_json, "record_json")?;
        let record: MergeRecord = json_arg(record_json, "record_json")?;
        base.undo_merge(&record)?;
        Ok(())
    })
}
