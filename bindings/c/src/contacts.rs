//! Normalizing the phones and emails of a whole base, through the bridge.

use std::ffi::c_char;

use crate::base::cb_base;
use crate::capability::write_call;
use crate::error::cb_status;
use crate::panic::status_boundary;

/// Normalizes every client's phones and emails in place, the capability
/// `normalize_contacts`, in parallel on all cores: phones get their E.164,
/// extension, kind and label, emails their normalized address, and a phone
/// field holding several numbers becomes several phones (each keeping its
/// piece as typed in `raw`). What was typed is never lost. Changed clients are
/// validated and stamped like any update. Normalizing again changes nothing.
///
/// `params_json` (borrowed; `NULL` for the defaults) is
/// `{"phone_region":"RU","email_provider_rules":true}`, every key optional. On
/// success `*out_json` receives the report, owned by the caller and freed with
/// `cb_string_free`: `{"changed":5,"clients":2,"clients_changed":2,
/// "invalid":[{"client":2,"field":"phones[0]","raw":"…","reason":"…"}],
/// "rejected":[],"split":[{"client":1,"field":"phones[0]","into":2,"original":"…"}],
/// "suggestions":[{"client":2,"field":"emails[0]","raw":"…","suggestion":"…"}]}`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_normalize_contacts(
    base: *mut cb_base,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| unsafe { write_call(base, "normalize_contacts", params_json, out_json) })
}
