//! Duplicates: the match index (on insert and whole base), explanations and
//! weight estimation. Mirrors `clientbase::dedup`; the duplicate-deal checks
//! and closing a duplicate deal are capabilities (`find_duplicate_deal`,
//! `duplicate_deals`, `open_deals`, `close_duplicate_deal`).
//!
//! Structured results (candidates, explanations, clusters, duplicate deals)
//! cross the boundary as JSON in the core's serde form.

use std::ffi::c_char;

use clientbase::dedup::{Decisions, MatchIndex, MatchModel, MatchOptions};
use clientbase::{Client, ClientId};

use crate::base::cb_base;
use crate::error::cb_status;
use crate::ffi::BoxHandle;
use crate::ffi::{arg_opt_str, arg_str, json_arg, opt_json_arg, out_arg, put_json, put_text};
use crate::panic::{status_boundary, value_boundary};

/// A base's clients indexed for duplicate matching.
///
/// Made by `cb_match_index_new` from a base, freed by `cb_match_index_free`.
/// The index holds its own copy of what it matches on and no reference to the
/// base: the base may be changed or freed while the index lives. Keep them in
/// step yourself: `cb_match_index_insert` every client added or updated,
/// `cb_match_index_remove` every client removed or merged away.
pub struct cb_match_index {
    _private: [u8; 0],
}

impl BoxHandle for cb_match_index {
    type Inner = MatchIndex;
}

/// Indexes every client of `base` for matching.
///
/// `options_json` is `NULL` (or `{}`) for the defaults, or a JSON object with
/// any of `threshold` (the duplicate probability, default of the model),
/// `keys` (blocking keys by name, such as `["phone","email"]`), `max_block`,
/// `max_cluster`, `candidate_floor`, `phone_region` (`"RU"`) and `model` (a
/// whole model as `cb_match_index_model_json` writes it); it is borrowed.
/// An unknown entry is `CB_JSON`, an unknown key or a bad value
/// `CB_INVALID_VALUE`, both naming the field. On success `*out_index` receives
/// a new index that the caller owns and frees with `cb_match_index_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_new(
    base: *const cb_base,
    options_json: *const c_char,
    out_index: *mut *mut cb_match_index,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let options = match arg_opt_str(options_json, "options_json")? {
            Some(json) => MatchOptions::from_json(json)?,
            None => MatchOptions::default(),
        };
        cb_match_index::put(out_index, "out_index", MatchIndex::build(base, options)?)
    })
}

/// Frees an index. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_free(index: *mut cb_match_index) {
    value_boundary((), || cb_match_index::free(index))
}

/// How many clients the index holds; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_len(index: *const cb_match_index) -> usize {
    value_boundary(0, || {
        cb_match_index::arg(index, "index").map_or(0, MatchIndex::len)
    })
}

/// The existing clients that may be the client described as JSON
/// (`client_json`, borrowed, in the form `cb_base_add_json` reads): a new
/// lead, a record being typed. At most `limit` candidates, best first: every
/// duplicate and related client, and anything above the candidate floor.
///
/// A client JSON with an `id` (as `cb_base_record_json` writes it) is never
/// its own candidate, so this also finds the duplicates of a stored client.
///
/// On success `*out_json` receives a JSON array of candidates, each
/// `{"client":7,"probability":0.999,"weight":14.2,"verdict":"duplicate",
/// "explanation":{...}}` with `verdict` one of `duplicate`, `related` and
/// `distinct` and the explanation as in `cb_match_index_explain`; the caller
/// owns it and frees it with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_find(
    index: *const cb_match_index,
    client_json: *const c_char,
    limit: usize,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let index = cb_match_index::arg(index, "index")?;
        let client: Client = json_arg(arg_str(client_json, "client_json")?, "client_json")?;
        put_json(out_json, &index.find(&client, limit))
    })
}

/// Adds client `client_id` of `base` to the index, or replaces its entry when
/// it is indexed already (after an update or a merge). A client not in the base
/// is `CB_UNKNOWN_ID` and leaves the index as it was.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_insert(
    index: *mut cb_match_index,
    base: *const cb_base,
    client_id: u64,
) -> cb_status {
    status_boundary(|| {
        let index = cb_match_index::arg_mut(index, "index")?;
        let base = cb_base::arg(base, "base")?;
        Ok(index.insert(base.client(ClientId(client_id))?)?)
    })
}

/// Takes client `client_id` out of the index (a client removed from the base,
/// or merged away). `*out_removed` receives whether it was indexed.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_remove(
    index: *mut cb_match_index,
    client_id: u64,
    out_removed: *mut bool,
) -> cb_status {
    status_boundary(|| {
        let index = cb_match_index::arg_mut(index, "index")?;
        let out_removed = out_arg(out_removed, "out_removed")?;
        *out_removed = index.remove(ClientId(client_id));
        Ok(())
    })
}

/// Why indexed clients `a` and `b` are (or are not) the same client.
///
/// On success `*out_json` receives the explanation as JSON,
/// `{"left":1,"right":4,"prior_weight":-9.1,"fields":[{"field":"phone",
/// "level":"same","weight":18.4,...},...],"weight":21.3,"probability":0.99999,
/// "swapped_names":false,"verdict":"duplicate"}` (with `"conflict":"birthday"`
/// when a field shows two different people); the caller owns it and frees it
/// with `cb_string_free`. A client that is not indexed is `CB_UNKNOWN_ID`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_explain(
    index: *const cb_match_index,
    a: u64,
    b: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let index = cb_match_index::arg(index, "index")?;
        put_json(out_json, &index.explain(ClientId(a), ClientId(b))?)
    })
}

/// The explanation of `cb_match_index_explain` as text for a person: a
/// heading with the verdict and probability, then one line per field, strongest
/// first (`  phone        same               +18.4  +79161234567`).
///
/// On success `*out_text` receives a string the caller owns and frees with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_explain_text(
    index: *const cb_match_index,
    a: u64,
    b: u64,
    out_text: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let explanation = cb_match_index::arg(index, "index")?.explain(ClientId(a), ClientId(b))?;
        put_text(out_text, "out_text", explanation.to_text())
    })
}

/// Deduplicates every indexed client into clusters.
///
/// `decisions_json` is `NULL` for none, or the pairs a person decided are not
/// the same client, `{"not_duplicates":[[3,8],[5,6]]}` (borrowed); those are
/// never put in one cluster.
///
/// On success `*out_json` receives the result as JSON: `records`,
/// `comparisons`, `blocking` (per key: comparisons made, blocks skipped),
/// `clusters` (`[{"id":1,"members":[1,4],"links":[{"left":1,"right":4,
/// "weight":21.3,"probability":0.99999,"verdict":"duplicate"}]}]`, a cluster's
/// id being its oldest member), `related` (links of related clients, never
/// merged; pass them to the duplicate deal calls) and `refused` (duplicate
/// links left out of clusters), `cluster_of` (`{"client":[1,4],"cluster":
/// [1,1]}`, the cluster of every clustered client) and `duplicates` (records a
/// merge of every cluster would remove). The caller owns it and frees it with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_dedupe(
    index: *const cb_match_index,
    decisions_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let index = cb_match_index::arg(index, "index")?;
        let decisions: Decisions = opt_json_arg(decisions_json, "decisions_json")?;
        let found = clientbase::capability::dedupe_index(index, &decisions)?;
        put_json(out_json, &found)
    })
}

/// Estimates the match weights from the indexed clients themselves, without
/// labels: u from `random_pairs` random pairs drawn with `seed`, m and the
/// prior by expectation maximisation over the blocked pairs. The estimated
/// model replaces the index's (read it with `cb_match_index_model_json`).
/// Fewer than 100 indexed clients is `CB_INVALID_VALUE`.
///
/// On success `*out_json` receives what the estimation did, `{"pairs":...,
/// "patterns":...,"random_pairs":...,"iterations":...,"match_share":...,
/// "duplicates_per_record":...}`; the caller owns it and frees it with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_estimate(
    index: *mut cb_match_index,
    random_pairs: u64,
    seed: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let index = cb_match_index::arg_mut(index, "index")?;
        let out_json = out_arg(out_json, "out_json")?;
        let estimate = index.estimate(random_pairs, seed)?;
        put_json(out_json, &estimate)
    })
}

/// The match model the index scores with (weights per field and level, prior,
/// threshold) as JSON, to store and to give back to
/// `cb_match_index_set_model_json` or to `cb_match_index_new` as `model`.
///
/// On success `*out_json` receives a string the caller owns and frees with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_model_json(
    index: *const cb_match_index,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| put_json(out_json, cb_match_index::arg(index, "index")?.model()))
}

/// Replaces the match model with the one described as JSON (borrowed), in the
/// form `cb_match_index_model_json` writes. A model that is not valid (a
/// threshold outside (0, 1), ...) is `CB_INVALID_VALUE` and changes nothing.
#[no_mangle]
pub unsafe extern "C" fn cb_match_index_set_model_json(
    index: *mut cb_match_index,
    model_json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let index = cb_match_index::arg_mut(index, "index")?;
        let model: MatchModel = json_arg(arg_str(model_json, "model_json")?, "model_json")?;
        Ok(index.set_model(model)?)
    })
}
