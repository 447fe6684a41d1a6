//! Email addresses: a normalizer, one address (as JSON), and a batch of
//! addresses as a `cb_table` (checked in parallel by the core).
//!
//! As with phones, an invalid address is an answer, not a failed call: the
//! JSON says `"valid": false`, the `problem`, the `reason`, and a `suggestion`
//! when one fix is likely; a valid address may carry a suggestion too when
//! its domain looks like a typo. Suggestions are only offered, never applied.

use std::ffi::c_char;

use clientbase::table::Outcome;
use clientbase::EmailNormalizer;

use crate::error::cb_status;
use crate::ffi::{arg_str, put_json, BoxHandle};
use crate::panic::{status_boundary, value_boundary};
use crate::phone::batch_call;
use crate::table::cb_table;

/// Checks and normalizes email addresses.
///
/// Made by `cb_email_normalizer_new`, freed by `cb_email_normalizer_free`. It is
/// never changed after it is made, so any number of threads may use one at once.
pub struct cb_email_normalizer {
    _private: [u8; 0],
}

impl BoxHandle for cb_email_normalizer {
    type Inner = EmailNormalizer;
}

/// Makes an email normalizer. With `provider_rules` the matching keys follow
/// what big providers deliver to one mailbox: Gmail ignores dots and drops
/// `+tags` (`googlemail.com` is `gmail.com`), Yandex reads `-` as `.`, drops
/// `+tags` and has one domain, Outlook drops `+tags`; without, a key is the
/// address with its local part lowercased. On success `*out_normalizer`
/// receives a normalizer that the caller owns and frees with
/// `cb_email_normalizer_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_email_normalizer_new(
    provider_rules: bool,
    out_normalizer: *mut *mut cb_email_normalizer,
) -> cb_status {
    status_boundary(|| {
        let normalizer = EmailNormalizer::new().with_provider_rules(provider_rules);
        cb_email_normalizer::put(out_normalizer, "out_normalizer", normalizer)
    })
}

/// Frees an email normalizer. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_email_normalizer_free(normalizer: *mut cb_email_normalizer) {
    value_boundary((), || cb_email_normalizer::free(normalizer))
}

/// Checks and normalizes one address as typed: trimmed, syntax checked, the
/// domain lowercased and in ASCII (`почта.рф` is `xn--80a1acny.xn--p1ai`), the
/// local part kept as typed.
///
/// `input` is borrowed. On success `*out_json` receives a JSON object the
/// caller owns and frees with `cb_string_free`: `{"valid":true,"address",
/// "local","domain","key","suggestion"}` or `{"valid":false,"problem",
/// "reason","suggestion"}` (an invalid address is not a failure). Only a
/// `NULL` argument (`CB_NULL_PARAMETER`), an `input` that is not UTF-8
/// (`CB_INVALID_UTF8`) or an internal panic fail the call.
#[no_mangle]
pub unsafe extern "C" fn cb_email_normalizer_parse(
    normalizer: *const cb_email_normalizer,
    input: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_email_normalizer::arg(normalizer, "normalizer")?;
        let parsed = Outcome::from(normalizer.parse(arg_str(input, "input")?));
        put_json(out_json, &parsed)
    })
}

/// Checks `len` addresses at once, in parallel on all cores, into a table with
/// one row per input, in order: the columns `input`, `address`, `key`,
/// `domain`, `valid`, `problem`, `reason` and `suggestion`, each value what
/// `cb_email_normalizer_parse` gives. Read it with `cb_table_to_json` or
/// `cb_table_export_arrow`.
///
/// `inputs` is an array of `len` strings, all borrowed for the call; it may be
/// `NULL` only when `len` is 0. One element does not fail the call: a `NULL`
/// element is a row with the problem `missing`, one that is not UTF-8 a row
/// with the problem `not_text` and a reason naming the element (`inputs[3]`).
/// On success `*out_table` receives a table that the caller owns and frees
/// with `cb_table_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_email_normalizer_parse_batch(
    normalizer: *const cb_email_normalizer,
    inputs: *const *const c_char,
    len: usize,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_email_normalizer::arg(normalizer, "normalizer")?;
        batch_call(inputs, len, out_table, |c, u| {
            normalizer.parse_table_with(c, u)
        })
    })
}
