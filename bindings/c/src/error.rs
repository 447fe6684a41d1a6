//! Status codes and the calling thread's last error.
//!
//! Core errors map from [`ErrorKind`] in one `match`, so a new kind is one line
//! here. The numbers are stable: a kind's status is its index in
//! [`ErrorKind::ALL`] plus one; statuses that only the C layer produces start
//! at 100.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use clientbase::{Error, ErrorKind};
use strum::IntoEnumIterator;

/// The result of every fallible call. The numbers are stable across releases.
///
/// `cb_status_name` gives the snake_case name of a status (`unknown_tag`),
/// `cb_last_error_message` the message of the failure.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum cb_status {
    /// Success: the out-parameters are filled.
    CB_OK = 0,
    /// A value is malformed or out of its allowed range.
    CB_INVALID_VALUE = 1,
    /// A referenced client, deal or activity does not exist.
    CB_UNKNOWN_ID = 2,
    /// A tag is not in the declared vocabulary.
    CB_UNKNOWN_TAG = 3,
    /// A custom field is not declared in the schema.
    CB_UNKNOWN_FIELD = 4,
    /// A custom field value does not have the declared type.
    CB_FIELD_TYPE = 5,
    /// An amount of money is in a different currency than required.
    CB_CURRENCY_MISMATCH = 6,
    /// A schema declaration is invalid (empty name, conflicting redeclaration, ...).
    CB_SCHEMA = 7,
    /// The change conflicts with what the base holds (a record still referenced, ...).
    CB_CONFLICT = 8,
    /// CSV input could not be read at all (a bad row is reported, not raised).
    CB_CSV = 9,
    /// JSON input is malformed or does not describe the expected data.
    CB_JSON = 10,
    /// Reading or writing failed at the operating system level.
    CB_IO = 11,
    /// A base file is missing, foreign, damaged, from a newer version, locked by
    /// another program, or could not be written.
    CB_STORAGE = 12,
    /// The actor's access policy forbids the call (an export, the change log, a
    /// write through a read-only view); the message gives the reason.
    CB_FORBIDDEN = 13,
    /// A required pointer argument was `NULL`.
    CB_NULL_PARAMETER = 100,
    /// A string argument was not valid UTF-8.
    CB_INVALID_UTF8 = 101,
    /// The library panicked internally; the call had no effect that can be relied on.
    CB_PANIC = 102,
    /// An error of a kind this version of the C layer does not know yet.
    CB_UNKNOWN_ERROR = 103,
}

impl cb_status {
    /// Every status with its name, NUL-terminated for C, made once: the
    /// identifier without `CB_`, in lower case (`invalid_value` for
    /// `CB_INVALID_VALUE`), so that the mapping to and from the core's
    /// `ErrorKind::name` goes by name and never by a hand-written table (the
    /// unit test `statuses_match_the_core_and_the_header` checks it).
    fn names() -> &'static [(cb_status, CString)] {
        static NAMES: OnceLock<Vec<(cb_status, CString)>> = OnceLock::new();
        NAMES.get_or_init(|| {
            let name = |status: cb_status| format!("{status:?}")[3..].to_ascii_lowercase();
            let named = |status| (status, CString::new(name(status)).unwrap_or_default());
            cb_status::iter().map(named).collect()
        })
    }

    /// The status of a core error kind, by the kind's name (`invalid_value` is
    /// `CB_INVALID_VALUE`); a kind this version does not mirror yet is
    /// `CB_UNKNOWN_ERROR`.
    pub(crate) fn from_kind(kind: ErrorKind) -> cb_status {
        let name = kind.name().as_bytes();
        let found = cb_status::names()
            .iter()
            .find(|(_, n)| n.to_bytes() == name);
        found.map_or(cb_status::CB_UNKNOWN_ERROR, |&(status, _)| status)
    }
}

/// The stable snake_case name of a status: `ok`, `invalid_value`, `unknown_id`,
/// `unknown_tag`, `unknown_field`, `field_type`, `currency_mismatch`, `schema`,
/// `conflict`, `csv`, `json`, `io`, `storage`, `forbidden`, `null_parameter`, `invalid_utf8`, `panic`,
/// `unknown_error`; `unknown_status` for a number that is not a `cb_status`.
///
/// `status` is a `cb_status` value (taken as a plain integer so that any number
/// is safe to pass). The returned string is static: never free it.
#[no_mangle]
pub extern "C" fn cb_status_name(status: u32) -> *const c_char {
    crate::panic::value_boundary(c"unknown_status".as_ptr(), || {
        let found = cb_status::names().iter().find(|(s, _)| *s as u32 == status);
        found.map_or(c"unknown_status".as_ptr(), |(_, name)| name.as_ptr())
    })
}

/// The status of the last failed call on this thread, `CB_OK` when the last
/// fallible call succeeded.
#[no_mangle]
pub extern "C" fn cb_last_error_status() -> cb_status {
    crate::panic::value_boundary(cb_status::CB_PANIC, || {
        with_last_error(|last| last.map_or(cb_status::CB_OK, |e| e.status))
    })
}

/// The message of the last failed call on this thread, for example
/// `unknown tag: new client, field "tags": "gold" is not in the tag vocabulary`,
/// or an empty string when the last fallible call succeeded.
///
/// The string is owned by the library (never free it) and stays valid until the
/// next call on this thread that returns a `cb_status`; copy it to keep it.
#[no_mangle]
pub extern "C" fn cb_last_error_message() -> *const c_char {
    crate::panic::value_boundary(c"".as_ptr(), || {
        with_last_error(|last| last.map_or(c"".as_ptr(), |e| e.message.as_ptr()))
    })
}

/// The record the last error on this thread is about (`client 17`, `new deal`,
/// `row 12`), or `NULL` when it names none.
///
/// Owned by the library, valid like `cb_last_error_message`.
#[no_mangle]
pub extern "C" fn cb_last_error_record() -> *const c_char {
    last_error_text(|e| e.record.as_deref())
}

/// The field the last error on this thread is about (`tags`, `custom.rooms`,
/// `lines[0].unit_price`), or `NULL` when it names none.
///
/// Owned by the library, valid like `cb_last_error_message`.
#[no_mangle]
pub extern "C" fn cb_last_error_field() -> *const c_char {
    last_error_text(|e| e.field.as_deref())
}

/// A text of the thread's last error, `NULL` when there is none.
fn last_error_text(text: impl Fn(&Failure) -> Option<&CStr>) -> *const c_char {
    crate::panic::value_boundary(std::ptr::null(), || {
        with_last_error(|last| last.and_then(text).map_or(std::ptr::null(), CStr::as_ptr))
    })
}

/// Why a call failed, as it is kept as the thread's last error: its texts
/// made NUL-terminated for C once.
#[derive(Debug)]
pub(crate) struct Failure {
    status: cb_status,
    message: CString,
    record: Option<CString>,
    field: Option<CString>,
}

/// The result of the body of an exported function.
pub(crate) type CbResult<T> = Result<T, Failure>;

impl Failure {
    /// A required pointer argument `param` was `NULL`.
    pub(crate) fn null(param: &str) -> Failure {
        Failure::binding(
            cb_status::CB_NULL_PARAMETER,
            format!("null parameter: argument \"{param}\" is NULL"),
        )
    }

    /// The string argument `param` is not UTF-8.
    pub(crate) fn utf8(param: &str, err: std::str::Utf8Error) -> Failure {
        Failure::binding(
            cb_status::CB_INVALID_UTF8,
            format!("invalid UTF-8: argument \"{param}\": {err}"),
        )
    }

    /// The body panicked with `payload`.
    pub(crate) fn panic(payload: &(dyn Any + Send)) -> Failure {
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        Failure::binding(cb_status::CB_PANIC, format!("internal panic: {message}"))
    }

    /// The status this failure gives.
    pub(crate) fn status(&self) -> cb_status {
        self.status
    }

    /// The message, as `cb_last_error_message` would give it.
    pub(crate) fn message(&self) -> &str {
        self.message.to_str().unwrap_or_default()
    }

    fn binding(status: cb_status, message: String) -> Failure {
        let message = c_text(&message);
        Failure {
            status,
            message,
            record: None,
            field: None,
        }
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        Failure {
            status: cb_status::from_kind(err.kind()),
            message: c_text(&err.to_string()),
            record: err.record().map(c_text),
            field: err.field().map(c_text),
        }
    }
}

impl From<serde_json::Error> for Failure {
    fn from(err: serde_json::Error) -> Failure {
        Failure::from(Error::from(err))
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// Converts a message for C. User data may hold a NUL (a CSV file can), which a
/// C string cannot: it is shown as U+FFFD rather than cutting the message short.
pub(crate) fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Forgets the thread's last error (every fallible call starts with this).
pub(crate) fn clear_last_error() {
    // `try_with` fails only while the thread is being torn down; there is no
    // error to clear then.
    let _ = LAST_ERROR.try_with(|cell| cell.replace(None));
}

/// Records `failure` as the thread's last error and returns its status.
pub(crate) fn set_last_error(failure: Failure) -> cb_status {
    let status = failure.status;
    let _ = LAST_ERROR.try_with(|cell| cell.replace(Some(failure)));
    status
}

/// Runs `f` on the thread's last error. (During thread teardown the access
/// panics, which the caller's panic boundary turns into its default value.)
fn with_last_error<R>(f: impl FnOnce(Option<&Failure>) -> R) -> R {
    LAST_ERROR.with_borrow(|last| f(last.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn name(status: u32) -> String {
        let ptr = cb_status_name(status);
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_string()
    }

    #[test]
    fn statuses_are_kind_index_plus_one_and_named_like_the_core() {
        for (i, kind) in ErrorKind::ALL.iter().copied().enumerate() {
            let status = cb_status::from_kind(kind);
            assert_eq!(status as u32, i as u32 + 1, "{kind:?}");
            assert_eq!(name(status as u32), kind.name());
        }
        assert_eq!(name(0), "ok");
        assert_eq!(name(100), "null_parameter");
        assert_eq!(name(101), "invalid_utf8");
        assert_eq!(name(102), "panic");
        assert_eq!(name(103), "unknown_error");
        assert_eq!(name(14), "unknown_status");
        assert_eq!(name(u32::MAX), "unknown_status");
    }

    /// The `(identifier, number)` constants of `enum cb_status` in the header.
    fn header_statuses() -> Vec<(String, u32)> {
        let header = include_str!("../../../include/clientbase.h");
        let body = &header[header.find("\nenum cb_status\n").expect("enum cb_status")..];
        let body = &body[body.find("\n {").unwrap()..body.find("\n};").unwrap()];
        body.lines()
            .filter_map(|line| {
                let (ident, value) = line.trim().trim_end_matches(',').split_once(" = ")?;
                Some((ident.to_string(), value.parse().ok()?))
            })
            .collect()
    }

    #[test]
    fn statuses_match_the_core_and_the_header() {
        let ours: Vec<_> = cb_status::iter()
            .map(|s| (format!("{s:?}"), s as u32))
            .collect();
        assert_eq!(header_statuses(), ours, "regenerate the header");
        for (ident, number) in ours {
            assert_eq!(name(number), ident["CB_".len()..].to_ascii_lowercase());
        }
        // Every core error kind has its own status, named alike: a kind added
        // to the core without a status here fails this test.
        for kind in ErrorKind::ALL.iter().copied() {
            assert_ne!(
                cb_status::from_kind(kind),
                cb_status::CB_UNKNOWN_ERROR,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn last_error_keeps_record_and_field() {
        let err = Error::new(
            ErrorKind::UnknownTag,
            "\"gold\" is not in the tag vocabulary",
        )
        .with_record("new client")
        .with_field("tags");
        assert_eq!(set_last_error(err.into()), cb_status::CB_UNKNOWN_TAG);
        let text = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
        assert_eq!(
            text(cb_last_error_message()),
            "unknown tag: new client, field \"tags\": \"gold\" is not in the tag vocabulary"
        );
        assert_eq!(text(cb_last_error_record()), "new client");
        assert_eq!(text(cb_last_error_field()), "tags");
        assert_eq!(cb_last_error_status(), cb_status::CB_UNKNOWN_TAG);
        clear_last_error();
        assert_eq!(text(cb_last_error_message()), "");
        assert!(cb_last_error_record().is_null());
        assert_eq!(cb_last_error_status(), cb_status::CB_OK);
    }

    #[test]
    fn nul_in_user_data_does_not_cut_the_message() {
        assert_eq!(c_text("a\0b").to_str().unwrap(), "a\u{FFFD}b");
    }
}
