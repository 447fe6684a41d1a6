//! Email addresses: a normalizer, one address, and a batch of addresses
//! (checked in parallel by the core).
//!
//! As with phones, an invalid address is an answer, not a failed call:
//! `cb_email_normalizer_parse` returns `CB_OK` and a `cb_parsed_email` that is
//! either valid (address, domain, key, and a suggestion when the domain looks
//! like a typo) or invalid (a `cb_email_problem`, a reason, and a suggestion
//! when one fix is likely). Suggestions are only offered, never applied.

use std::ffi::{c_char, CString};

use clientbase::{EmailError, EmailNormalizer, EmailProblem, ParsedEmail};

use crate::error::{c_text, cb_status, Failure};
use crate::ffi::c_enum;
use crate::ffi::{arg_str, arg_str_array, out_arg, out_of_range, BoxHandle, Mirror};
use crate::panic::{status_boundary, value_boundary};

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

/// What was read from one email address as typed: a valid address or, when it
/// is not one, the problem and the reason; either may carry a suggestion.
///
/// Made by `cb_email_normalizer_parse` and freed by `cb_parsed_email_free`; or
/// lent by `cb_email_batch_get`, in which case it belongs to the batch and must
/// not be freed.
pub struct cb_parsed_email {
    _private: [u8; 0],
}

impl BoxHandle for cb_parsed_email {
    type Inner = EmailResult;
}

/// The results of checking many addresses (`cb_email_normalizer_parse_batch`),
/// in input order.
///
/// Freed by `cb_email_batch_free`, which also frees every `cb_parsed_email` it lent.
pub struct cb_email_batch {
    _private: [u8; 0],
}

impl BoxHandle for cb_email_batch {
    type Inner = Vec<EmailResult>;
}

/// Why an email address is not valid (`cb_parsed_email_problem`);
/// `cb_email_problem_name` gives its name. The core's problems are 1 to 5, in
/// the core's order; the C layer's own start at 100.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_email_problem {
    /// No problem: the address is valid.
    CB_EMAIL_PROBLEM_NONE = 0,
    /// Nothing was typed.
    CB_EMAIL_PROBLEM_EMPTY = 1,
    /// There is no `@`, or more than one.
    CB_EMAIL_PROBLEM_AT = 2,
    /// The part before the `@` is empty or has characters an address cannot have.
    CB_EMAIL_PROBLEM_LOCAL_PART = 3,
    /// The part after the `@` is not a domain name.
    CB_EMAIL_PROBLEM_DOMAIN = 4,
    /// The address or its local part is too long.
    CB_EMAIL_PROBLEM_TOO_LONG = 5,
    /// In a batch, the element of the input array was `NULL`.
    CB_EMAIL_PROBLEM_NULL_INPUT = 100,
    /// In a batch, the element of the input array was not UTF-8.
    CB_EMAIL_PROBLEM_INVALID_UTF8 = 101,
    /// A problem this version of the C layer does not know yet; the reason says what.
    CB_EMAIL_PROBLEM_UNKNOWN = 102,
}

c_enum!(
    cb_email_problem,
    "CB_EMAIL_PROBLEM_",
    [
        CB_EMAIL_PROBLEM_NONE,
        CB_EMAIL_PROBLEM_EMPTY,
        CB_EMAIL_PROBLEM_AT,
        CB_EMAIL_PROBLEM_LOCAL_PART,
        CB_EMAIL_PROBLEM_DOMAIN,
        CB_EMAIL_PROBLEM_TOO_LONG,
        CB_EMAIL_PROBLEM_NULL_INPUT,
        CB_EMAIL_PROBLEM_INVALID_UTF8,
        CB_EMAIL_PROBLEM_UNKNOWN,
    ]
);

static EMAIL_PROBLEMS: Mirror<cb_email_problem> = Mirror::new();

impl cb_email_problem {
    /// By the core's name: a problem this version does not mirror yet is `UNKNOWN`.
    fn from_core(problem: EmailProblem) -> cb_email_problem {
        EMAIL_PROBLEMS
            .by_name(problem.name())
            .unwrap_or(cb_email_problem::CB_EMAIL_PROBLEM_UNKNOWN)
    }
}

/// One result, with NUL-terminated copies of its texts for C.
pub(crate) struct EmailResult {
    suggestion: Option<CString>,
    outcome: Result<ValidEmail, InvalidEmail>,
}

struct ValidEmail {
    address: CString,
    domain: CString,
    key: CString,
}

struct InvalidEmail {
    problem: cb_email_problem,
    reason: CString,
}

impl EmailResult {
    fn new(parsed: Result<ParsedEmail, EmailError>) -> EmailResult {
        match parsed {
            Ok(email) => EmailResult {
                suggestion: email.suggestion().map(c_text),
                outcome: Ok(ValidEmail {
                    address: c_text(email.address()),
                    domain: c_text(email.domain()),
                    key: c_text(email.key()),
                }),
            },
            Err(err) => EmailResult {
                suggestion: err.suggestion().map(c_text),
                outcome: Err(InvalidEmail {
                    problem: cb_email_problem::from_core(err.problem()),
                    reason: c_text(err.reason()),
                }),
            },
        }
    }

    /// A batch row whose input element could not be read at all.
    fn bad_element(failure: &Failure) -> EmailResult {
        let problem = match failure.status() {
            cb_status::CB_INVALID_UTF8 => cb_email_problem::CB_EMAIL_PROBLEM_INVALID_UTF8,
            _ => cb_email_problem::CB_EMAIL_PROBLEM_NULL_INPUT,
        };
        EmailResult {
            suggestion: None,
            outcome: Err(InvalidEmail {
                problem,
                reason: c_text(failure.message()),
            }),
        }
    }

    fn valid(&self) -> Option<&ValidEmail> {
        self.outcome.as_ref().ok()
    }

    fn invalid(&self) -> Option<&InvalidEmail> {
        self.outcome.as_ref().err()
    }
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
        let out_normalizer = out_arg(out_normalizer, "out_normalizer")?;
        let normalizer = EmailNormalizer::new().with_provider_rules(provider_rules);
        *out_normalizer = cb_email_normalizer::into_raw(normalizer);
        Ok(())
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
/// `input` is borrowed. An invalid address is not a failure: the call returns
/// `CB_OK` and `*out_email` says why (`cb_parsed_email_is_valid`,
/// `cb_parsed_email_problem`, `cb_parsed_email_reason`). Only a `NULL` argument
/// (`CB_NULL_PARAMETER`), an `input` that is not UTF-8 (`CB_INVALID_UTF8`) or
/// an internal panic fail the call. On success `*out_email` receives a result
/// that the caller owns and frees with `cb_parsed_email_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_email_normalizer_parse(
    normalizer: *const cb_email_normalizer,
    input: *const c_char,
    out_email: *mut *mut cb_parsed_email,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_email_normalizer::arg(normalizer, "normalizer")?;
        let input = arg_str(input, "input")?;
        let out_email = out_arg(out_email, "out_email")?;
        *out_email = cb_parsed_email::into_raw(EmailResult::new(normalizer.parse(input)));
        Ok(())
    })
}

/// Checks `len` addresses at once, in parallel on all cores; the results are in
/// input order, each what `cb_email_normalizer_parse` would give.
///
/// `inputs` is an array of `len` strings, all borrowed for the call; it may be
/// `NULL` only when `len` is 0. One element does not fail the call: a `NULL`
/// element is a row with `CB_EMAIL_PROBLEM_NULL_INPUT`, one that is not UTF-8 a
/// row with `CB_EMAIL_PROBLEM_INVALID_UTF8`, each with a reason naming the
/// element (`inputs[3]`). On success `*out_batch` receives a batch of `len`
/// rows that the caller owns and frees with `cb_email_batch_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_email_normalizer_parse_batch(
    normalizer: *const cb_email_normalizer,
    inputs: *const *const c_char,
    len: usize,
    out_batch: *mut *mut cb_email_batch,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_email_normalizer::arg(normalizer, "normalizer")?;
        let inputs = arg_str_array(inputs, len, "inputs")?;
        let out_batch = out_arg(out_batch, "out_batch")?;
        let texts: Vec<Option<&str>> = inputs
            .iter()
            .map(|input| input.as_ref().ok().copied())
            .collect();
        let rows = normalizer
            .parse_rows(&texts)
            .into_iter()
            .zip(&inputs)
            .map(|(parsed, input)| match (parsed, input) {
                (Some(result), _) => EmailResult::new(result),
                (None, Err(failure)) => EmailResult::bad_element(failure),
                (None, Ok(_)) => unreachable!("a readable element is parsed"),
            })
            .collect();
        *out_batch = cb_email_batch::into_raw(rows);
        Ok(())
    })
}

/// How many rows a batch has; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_email_batch_len(batch: *const cb_email_batch) -> usize {
    value_boundary(0, || {
        cb_email_batch::arg(batch, "batch").map_or(0, Vec::len)
    })
}

/// Lends the `index`-th row of a batch into `*out_email`: read it with the
/// `cb_parsed_email_*` functions. It belongs to the batch (never free it) and
/// stays valid until the batch is freed. An index past the end is
/// `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_email_batch_get(
    batch: *const cb_email_batch,
    index: usize,
    out_email: *mut *const cb_parsed_email,
) -> cb_status {
    status_boundary(|| {
        let batch = cb_email_batch::arg(batch, "batch")?;
        let out_email = out_arg(out_email, "out_email")?;
        let row = batch
            .get(index)
            .ok_or_else(|| out_of_range(index, batch.len(), "rows"))?;
        *out_email = (row as *const EmailResult).cast();
        Ok(())
    })
}

/// Frees a batch and every row it lent. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_email_batch_free(batch: *mut cb_email_batch) {
    value_boundary((), || cb_email_batch::free(batch))
}

/// Whether the address is valid; `false` for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_is_valid(email: *const cb_parsed_email) -> bool {
    value_boundary(false, || {
        cb_parsed_email::arg(email, "email").is_ok_and(|email| email.valid().is_some())
    })
}

/// Why the address is not valid; `CB_EMAIL_PROBLEM_NONE` when it is valid, and
/// `CB_EMAIL_PROBLEM_NULL_INPUT` for a `NULL` email.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_problem(
    email: *const cb_parsed_email,
) -> cb_email_problem {
    value_boundary(
        cb_email_problem::CB_EMAIL_PROBLEM_NULL_INPUT,
        || match cb_parsed_email::arg(email, "email") {
            Ok(email) => email
                .invalid()
                .map_or(cb_email_problem::CB_EMAIL_PROBLEM_NONE, |invalid| {
                    invalid.problem
                }),
            Err(_) => cb_email_problem::CB_EMAIL_PROBLEM_NULL_INPUT,
        },
    )
}

/// Why the address is not valid, in words (`no @`, `the domain "mail" has no
/// dot`); `NULL` when it is valid, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_reason(email: *const cb_parsed_email) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_email::arg(email, "email")
            .ok()
            .and_then(EmailResult::invalid)
            .map_or(std::ptr::null(), |invalid| invalid.reason.as_ptr())
    })
}

/// The normalized address: the local part as typed, `@`, the domain lowercased
/// and in ASCII (`Anna.Petrova@mail.ru`); `NULL` when it is not valid, and for
/// `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_address(email: *const cb_parsed_email) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_email::arg(email, "email")
            .ok()
            .and_then(EmailResult::valid)
            .map_or(std::ptr::null(), |valid| valid.address.as_ptr())
    })
}

/// The domain, lowercased, internationalized names in ASCII (`xn--…`); `NULL`
/// when the address is not valid, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_domain(email: *const cb_parsed_email) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_email::arg(email, "email")
            .ok()
            .and_then(EmailResult::valid)
            .map_or(std::ptr::null(), |valid| valid.domain.as_ptr())
    })
}

/// The key two spellings of one mailbox share (`anna.petrova@mail.ru`; with
/// provider rules `ivanpetrov@gmail.com` for `Ivan.Petrov+shop@googlemail.com`);
/// `NULL` when the address is not valid, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_key(email: *const cb_parsed_email) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_email::arg(email, "email")
            .ok()
            .and_then(EmailResult::valid)
            .map_or(std::ptr::null(), |valid| valid.key.as_ptr())
    })
}

/// The address the user probably meant, to offer and never to apply silently:
/// for a valid address whose domain looks like a typo (`ivan@gmail.com` for
/// `ivan@gmial.com`) and for an invalid one with a likely fix (`ivan@mail.ru`
/// for `ivan@mail,ru`); `NULL` when there is none, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_suggestion(
    email: *const cb_parsed_email,
) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_email::arg(email, "email")
            .ok()
            .and_then(|email| email.suggestion.as_ref())
            .map_or(std::ptr::null(), |suggestion| suggestion.as_ptr())
    })
}

/// Frees a result of `cb_email_normalizer_parse`. `NULL` is ignored. Never
/// pass a row lent by `cb_email_batch_get`: the batch frees its rows.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_email_free(email: *mut cb_parsed_email) {
    value_boundary((), || cb_parsed_email::free(email))
}

/// The name of an email problem: the core's (`empty`, `at`, `local_part`,
/// `domain`, `too_long`) and the C layer's (`null_input`, `invalid_utf8`,
/// `unknown`); `NULL` for `CB_EMAIL_PROBLEM_NONE` and for a number that is not
/// a `cb_email_problem`.
///
/// `problem` is a `cb_email_problem` (taken as a plain integer so that any
/// number is safe to pass). The string is static: never free it.
#[no_mangle]
pub extern "C" fn cb_email_problem_name(problem: u32) -> *const c_char {
    value_boundary(std::ptr::null(), || EMAIL_PROBLEMS.name(problem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn text(ptr: *const c_char) -> Option<String> {
        (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_string())
    }

    #[test]
    fn problems_are_named_like_the_core() {
        for &problem in EmailProblem::ALL {
            let c = cb_email_problem::from_core(problem);
            assert_ne!(c, cb_email_problem::CB_EMAIL_PROBLEM_UNKNOWN, "{problem:?}");
            let name = text(cb_email_problem_name(c as u32));
            assert_eq!(name.as_deref(), Some(problem.name()));
        }
        assert_eq!(
            text(cb_email_problem_name(100)).as_deref(),
            Some("null_input")
        );
        assert!(cb_email_problem_name(0).is_null());
        assert_eq!(text(cb_email_problem_name(4)).as_deref(), Some("domain"));
        assert!(cb_email_problem_name(6).is_null());
    }

    #[test]
    fn a_typo_is_suggested_not_applied() {
        let mut normalizer = std::ptr::null_mut();
        assert_eq!(
            unsafe { cb_email_normalizer_new(false, &mut normalizer) },
            cb_status::CB_OK
        );
        let mut email = std::ptr::null_mut();
        let status = unsafe {
            cb_email_normalizer_parse(normalizer, c"ivan@gmial.com".as_ptr(), &mut email)
        };
        assert_eq!(status, cb_status::CB_OK);
        assert_eq!(
            text(unsafe { cb_parsed_email_address(email) }).as_deref(),
            Some("ivan@gmial.com")
        );
        assert_eq!(
            text(unsafe { cb_parsed_email_suggestion(email) }).as_deref(),
            Some("ivan@gmail.com")
        );
        unsafe { cb_parsed_email_free(email) };
        unsafe { cb_email_normalizer_free(normalizer) };
    }
}
