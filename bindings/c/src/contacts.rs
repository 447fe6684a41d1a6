//! Normalizing the phones and emails of a whole base, with the report of what
//! changed, what is invalid and why, which fields were split and which email
//! typos to offer.

use std::ffi::{c_char, CString};

use clientbase::{ContactNormalizer, ContactReport, EmailNormalizer, PhoneNormalizer};

use crate::base::cb_base;
use crate::email::cb_email_normalizer;
use crate::error::{c_text, cb_status};
use crate::ffi::{out_arg, out_of_range, owned_string, BoxHandle};
use crate::panic::{status_boundary, value_boundary};
use crate::phone::cb_phone_normalizer;

/// What `cb_base_normalize_contacts` did.
///
/// Freed by `cb_contact_report_free`.
pub struct cb_contact_report {
    _private: [u8; 0],
}

impl BoxHandle for cb_contact_report {
    type Inner = Report;
}

/// A phone or email that is not valid, as `cb_contact_report_invalid` fills it.
///
/// The strings are owned by the report: never free them; they stay valid until
/// the report is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_invalid_contact {
    /// The client's id.
    pub client: u64,
    /// The field, indexed after splitting (`phones[1]`, `emails[0]`).
    pub field: *const c_char,
    /// What was typed.
    pub raw: *const c_char,
    /// Why it is invalid.
    pub reason: *const c_char,
}

/// A phone field that held several numbers and became several phones, as
/// `cb_contact_report_split` fills it.
///
/// The strings are owned by the report: never free them; they stay valid until
/// the report is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_split_contact {
    /// The client's id.
    pub client: u64,
    /// The field before splitting (`phones[0]`); the new phones take its place.
    pub field: *const c_char,
    /// The whole field as typed.
    pub original: *const c_char,
    /// How many phones it became.
    pub into: usize,
}

/// A likely typo in an email address, offered and not applied, as
/// `cb_contact_report_suggestion` fills it.
///
/// The strings are owned by the report: never free them; they stay valid until
/// the report is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_email_suggestion {
    /// The client's id.
    pub client: u64,
    /// The field (`emails[0]`).
    pub field: *const c_char,
    /// What was typed.
    pub raw: *const c_char,
    /// The address the user probably meant.
    pub suggestion: *const c_char,
}

/// A client the base refused to store after normalizing (this should not
/// happen), as `cb_contact_report_rejected` fills it.
///
/// The string is owned by the report: never free it; it stays valid until the
/// report is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_rejected_client {
    /// The client's id; the stored client is unchanged.
    pub client: u64,
    /// The error, naming the record and the field.
    pub reason: *const c_char,
}

/// The core report and NUL-terminated copies of its texts for C.
pub(crate) struct Report {
    core: ContactReport,
    invalid: Vec<[CString; 3]>,
    split: Vec<[CString; 2]>,
    suggestions: Vec<[CString; 3]>,
    rejected: Vec<CString>,
}

impl Report {
    fn new(core: ContactReport) -> Report {
        Report {
            invalid: core
                .invalid
                .iter()
                .map(|i| [c_text(&i.field), c_text(&i.raw), c_text(&i.reason)])
                .collect(),
            split: core
                .split
                .iter()
                .map(|s| [c_text(&s.field), c_text(&s.original)])
                .collect(),
            suggestions: core
                .suggestions
                .iter()
                .map(|s| [c_text(&s.field), c_text(&s.raw), c_text(&s.suggestion)])
                .collect(),
            rejected: core.rejected.iter().map(|r| c_text(&r.reason)).collect(),
            core,
        }
    }
}

/// Normalizes every client's phones and emails in place, in parallel on all
/// cores: phones get their E.164, extension, kind and label, emails their
/// normalized address, and a phone field holding several numbers becomes
/// several phones (each keeping its piece as typed in `raw`). What was typed is
/// never lost. Changed clients are validated and stamped like any update.
/// Normalizing again changes nothing.
///
/// `phones` and `emails` are the normalizers to use (borrowed), or `NULL` for
/// the defaults: Russia as the default region, email keys without provider
/// rules. On success `*out_report` receives a report that the caller owns and
/// frees with `cb_contact_report_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_normalize_contacts(
    base: *mut cb_base,
    phones: *const cb_phone_normalizer,
    emails: *const cb_email_normalizer,
    out_report: *mut *mut cb_contact_report,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let out_report = out_arg(out_report, "out_report")?;
        let phones = if phones.is_null() {
            PhoneNormalizer::default()
        } else {
            cb_phone_normalizer::arg(phones, "phones")?.clone()
        };
        let emails = if emails.is_null() {
            EmailNormalizer::default()
        } else {
            *cb_email_normalizer::arg(emails, "emails")?
        };
        let report = base.normalize_contacts(&ContactNormalizer::new(phones, emails));
        *out_report = cb_contact_report::into_raw(Report::new(report));
        Ok(())
    })
}

/// How many clients were looked at; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_clients(report: *const cb_contact_report) -> u64 {
    value_boundary(0, || {
        cb_contact_report::arg(report, "report").map_or(0, |r| r.core.clients as u64)
    })
}

/// How many clients had a contact point changed; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_clients_changed(
    report: *const cb_contact_report,
) -> u64 {
    value_boundary(0, || {
        cb_contact_report::arg(report, "report").map_or(0, |r| r.core.clients_changed as u64)
    })
}

/// How many phones and emails changed (their normalized form, label, or a
/// split); 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_changed(report: *const cb_contact_report) -> u64 {
    value_boundary(0, || {
        cb_contact_report::arg(report, "report").map_or(0, |r| r.core.changed as u64)
    })
}

/// How many phones and emails are not valid; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_invalid_len(report: *const cb_contact_report) -> usize {
    value_boundary(0, || {
        cb_contact_report::arg(report, "report").map_or(0, |r| r.invalid.len())
    })
}

/// The `index`-th invalid phone or email (by client, phones before emails)
/// into `*out_contact` (caller-provided). Its strings belong to the report and
/// stay valid until the report is freed. An index past the end is
/// `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_invalid(
    report: *const cb_contact_report,
    index: usize,
    out_contact: *mut cb_invalid_contact,
) -> cb_status {
    status_boundary(|| {
        let report = cb_contact_report::arg(report, "report")?;
        let out_contact = out_arg(out_contact, "out_contact")?;
        let len = report.invalid.len();
        let [field, raw, reason] = report
            .invalid
            .get(index)
            .ok_or_else(|| out_of_range(index, len, "invalid contacts"))?;
        *out_contact = cb_invalid_contact {
            client: report.core.invalid[index].client.get(),
            field: field.as_ptr(),
            raw: raw.as_ptr(),
            reason: reason.as_ptr(),
        };
        Ok(())
    })
}

/// How many phone fields were split into several phones; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_split_len(report: *const cb_contact_report) -> usize {
    value_boundary(0, || {
        cb_contact_report::arg(report, "report").map_or(0, |r| r.split.len())
    })
}

/// The `index`-th split phone field into `*out_split` (caller-provided). Its
/// strings belong to the report and stay valid until the report is freed. An
/// index past the end is `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_split(
    report: *const cb_contact_report,
    index: usize,
    out_split: *mut cb_split_contact,
) -> cb_status {
    status_boundary(|| {
        let report = cb_contact_report::arg(report, "report")?;
        let out_split = out_arg(out_split, "out_split")?;
        let len = report.split.len();
        let [field, original] = report
            .split
            .get(index)
            .ok_or_else(|| out_of_range(index, len, "split fields"))?;
        let core = &report.core.split[index];
        *out_split = cb_split_contact {
            client: core.client.get(),
            field: field.as_ptr(),
            original: original.as_ptr(),
            into: core.into,
        };
        Ok(())
    })
}

/// How many email typos are offered; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_suggestions_len(
    report: *const cb_contact_report,
) -> usize {
    value_boundary(0, || {
        cb_contact_report::arg(report, "report").map_or(0, |r| r.suggestions.len())
    })
}

/// The `index`-th email typo to offer into `*out_suggestion` (caller-provided).
/// Its strings belong to the report and stay valid until the report is freed.
/// An index past the end is `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_suggestion(
    report: *const cb_contact_report,
    index: usize,
    out_suggestion: *mut cb_email_suggestion,
) -> cb_status {
    status_boundary(|| {
        let report = cb_contact_report::arg(report, "report")?;
        let out_suggestion = out_arg(out_suggestion, "out_suggestion")?;
        let len = report.suggestions.len();
        let [field, raw, suggestion] = report
            .suggestions
            .get(index)
            .ok_or_else(|| out_of_range(index, len, "suggestions"))?;
        *out_suggestion = cb_email_suggestion {
            client: report.core.suggestions[index].client.get(),
            field: field.as_ptr(),
            raw: raw.as_ptr(),
            suggestion: suggestion.as_ptr(),
        };
        Ok(())
    })
}

/// How many clients the base refused to store after normalizing (should be
/// 0); 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_rejected_len(report: *const cb_contact_report) -> usize {
    value_boundary(0, || {
        cb_contact_report::arg(report, "report").map_or(0, |r| r.rejected.len())
    })
}

/// The `index`-th client the base refused to store into `*out_client`
/// (caller-provided). Its string belongs to the report and stays valid until
/// the report is freed. An index past the end is `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_rejected(
    report: *const cb_contact_report,
    index: usize,
    out_client: *mut cb_rejected_client,
) -> cb_status {
    status_boundary(|| {
        let report = cb_contact_report::arg(report, "report")?;
        let out_client = out_arg(out_client, "out_client")?;
        let len = report.rejected.len();
        let reason = report
            .rejected
            .get(index)
            .ok_or_else(|| out_of_range(index, len, "rejected clients"))?;
        *out_client = cb_rejected_client {
            client: report.core.rejected[index].client.get(),
            reason: reason.as_ptr(),
        };
        Ok(())
    })
}

/// The whole report as JSON: `{"clients":2,"clients_changed":2,"changed":5,
/// "invalid":[{"client":2,"field":"phones[0]","raw":"…","reason":"…"}],
/// "split":[{"client":1,"field":"phones[0]","original":"…","into":2}],
/// "suggestions":[{"client":2,"field":"emails[0]","raw":"…","suggestion":"…"}],
/// "rejected":[]}`. On success `*out_json` receives a string the caller owns
/// and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_json(
    report: *const cb_contact_report,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let report = cb_contact_report::arg(report, "report")?;
        let out_json = out_arg(out_json, "out_json")?;
        *out_json = owned_string(serde_json::to_string(&report.core)?, "json")?;
        Ok(())
    })
}

/// Frees a report and the strings it lent. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_contact_report_free(report: *mut cb_contact_report) {
    value_boundary((), || cb_contact_report::free(report))
}
