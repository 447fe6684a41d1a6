//! Phone numbers: a normalizer with a default region, one number, a batch of
//! numbers (parsed in parallel by the core) and a field split into its numbers.
//!
//! An invalid number is not a failed call. Reading what someone typed always
//! has an answer, so `cb_phone_normalizer_parse` returns `CB_OK` and a
//! `cb_parsed_phone` that is either valid (E.164, extension, kind, region,
//! formats) or invalid (a `cb_phone_problem` and a reason in words). The batch
//! and split calls give a list of the same results, one per row. Statuses are
//! kept for misuse: a `NULL` argument, a string that is not UTF-8, a panic. In
//! a batch, one `NULL` or non-UTF-8 element is not misuse of the whole call: it
//! is that row's problem (`CB_PHONE_PROBLEM_NULL_INPUT`,
//! `CB_PHONE_PROBLEM_INVALID_UTF8`).

use std::ffi::{c_char, CString};

use clientbase::{
    Error, ErrorKind, ParsedPhone, PhoneError, PhoneFormat, PhoneKind, PhoneNormalizer,
    PhoneProblem,
};

use crate::error::{c_text, cb_status, Failure};
use crate::ffi::{arg_opt_str, arg_str, arg_str_array, out_arg, out_of_range, owned_string};
use crate::ffi::{c_enum, BoxHandle, Mirror};
use crate::panic::{status_boundary, value_boundary};

/// Reads phone numbers as people type them against a default region.
///
/// Made by `cb_phone_normalizer_new`, freed by `cb_phone_normalizer_free`. It is
/// never changed after it is made, so any number of threads may use one at once.
pub struct cb_phone_normalizer {
    _private: [u8; 0],
}

impl BoxHandle for cb_phone_normalizer {
    type Inner = PhoneNormalizer;
}

/// What was read from one phone number as typed: a valid number or, when it is
/// not one, the problem and the reason.
///
/// Made by `cb_phone_normalizer_parse` and freed by `cb_parsed_phone_free`; or
/// lent by `cb_phone_batch_get`, in which case it belongs to the batch and must
/// not be freed.
pub struct cb_parsed_phone {
    _private: [u8; 0],
}

impl BoxHandle for cb_parsed_phone {
    type Inner = PhoneResult;
}

/// The results of reading many numbers (`cb_phone_normalizer_parse_batch`) or
/// the numbers of one field (`cb_phone_normalizer_split`), in order.
///
/// Freed by `cb_phone_batch_free`, which also frees every `cb_parsed_phone` it lent.
pub struct cb_phone_batch {
    _private: [u8; 0],
}

impl BoxHandle for cb_phone_batch {
    type Inner = Vec<PhoneResult>;
}

/// The kind of a valid phone number (`cb_parsed_phone_kind`);
/// `cb_phone_kind_name` gives its name as the other bindings spell it.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_phone_kind {
    /// Not a valid number, so no kind.
    CB_PHONE_KIND_NONE = 0,
    /// A mobile number.
    CB_PHONE_KIND_MOBILE = 1,
    /// A landline.
    CB_PHONE_KIND_FIXED_LINE = 2,
    /// Either; the numbering plan does not tell.
    CB_PHONE_KIND_FIXED_LINE_OR_MOBILE = 3,
    /// A free call number (8-800).
    CB_PHONE_KIND_TOLL_FREE = 4,
    /// A premium rate number.
    CB_PHONE_KIND_PREMIUM_RATE = 5,
    /// Shared cost.
    CB_PHONE_KIND_SHARED_COST = 6,
    /// Voice over IP.
    CB_PHONE_KIND_VOIP = 7,
    /// A personal number.
    CB_PHONE_KIND_PERSONAL_NUMBER = 8,
    /// A pager.
    CB_PHONE_KIND_PAGER = 9,
    /// Universal access number.
    CB_PHONE_KIND_UAN = 10,
    /// Voicemail access.
    CB_PHONE_KIND_VOICEMAIL = 11,
    /// Valid, but of a kind the numbering plan does not tell.
    CB_PHONE_KIND_UNKNOWN = 12,
}

c_enum!(
    cb_phone_kind,
    "CB_PHONE_KIND_",
    [
        CB_PHONE_KIND_NONE,
        CB_PHONE_KIND_MOBILE,
        CB_PHONE_KIND_FIXED_LINE,
        CB_PHONE_KIND_FIXED_LINE_OR_MOBILE,
        CB_PHONE_KIND_TOLL_FREE,
        CB_PHONE_KIND_PREMIUM_RATE,
        CB_PHONE_KIND_SHARED_COST,
        CB_PHONE_KIND_VOIP,
        CB_PHONE_KIND_PERSONAL_NUMBER,
        CB_PHONE_KIND_PAGER,
        CB_PHONE_KIND_UAN,
        CB_PHONE_KIND_VOICEMAIL,
        CB_PHONE_KIND_UNKNOWN,
    ]
);

static PHONE_KINDS: Mirror<cb_phone_kind> = Mirror::new();

impl cb_phone_kind {
    /// By the core's name: a kind this version does not mirror yet is `UNKNOWN`.
    fn from_core(kind: PhoneKind) -> cb_phone_kind {
        PHONE_KINDS
            .by_name(kind.name())
            .unwrap_or(cb_phone_kind::CB_PHONE_KIND_UNKNOWN)
    }
}

/// Why a phone number is not valid (`cb_parsed_phone_problem`);
/// `cb_phone_problem_name` gives its name. The core's problems are 1 to 9, in
/// the core's order; the C layer's own start at 100.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_phone_problem {
    /// No problem: the number is valid.
    CB_PHONE_PROBLEM_NONE = 0,
    /// Nothing was typed.
    CB_PHONE_PROBLEM_EMPTY = 1,
    /// The text does not look like a phone number (no digits, stray text).
    CB_PHONE_PROBLEM_NOT_A_NUMBER = 2,
    /// The field holds several numbers; split it with `cb_phone_normalizer_split`.
    CB_PHONE_PROBLEM_SEVERAL_NUMBERS = 3,
    /// The number starts with a plus and a code no country has.
    CB_PHONE_PROBLEM_INVALID_COUNTRY_CODE = 4,
    /// Digits are missing.
    CB_PHONE_PROBLEM_TOO_SHORT = 5,
    /// There are digits too many.
    CB_PHONE_PROBLEM_TOO_LONG = 6,
    /// The length is plausible but no number of that country looks like this.
    CB_PHONE_PROBLEM_INVALID_NUMBER = 7,
    /// The number is foreign and the library was built without international numbers.
    CB_PHONE_PROBLEM_UNSUPPORTED = 8,
    /// The parser failed on this input (a bug; please report the input).
    CB_PHONE_PROBLEM_INTERNAL = 9,
    /// In a batch, the element of the input array was `NULL`.
    CB_PHONE_PROBLEM_NULL_INPUT = 100,
    /// In a batch, the element of the input array was not UTF-8.
    CB_PHONE_PROBLEM_INVALID_UTF8 = 101,
    /// A problem this version of the C layer does not know yet; the reason says what.
    CB_PHONE_PROBLEM_UNKNOWN = 102,
}

c_enum!(
    cb_phone_problem,
    "CB_PHONE_PROBLEM_",
    [
        CB_PHONE_PROBLEM_NONE,
        CB_PHONE_PROBLEM_EMPTY,
        CB_PHONE_PROBLEM_NOT_A_NUMBER,
        CB_PHONE_PROBLEM_SEVERAL_NUMBERS,
        CB_PHONE_PROBLEM_INVALID_COUNTRY_CODE,
        CB_PHONE_PROBLEM_TOO_SHORT,
        CB_PHONE_PROBLEM_TOO_LONG,
        CB_PHONE_PROBLEM_INVALID_NUMBER,
        CB_PHONE_PROBLEM_UNSUPPORTED,
        CB_PHONE_PROBLEM_INTERNAL,
        CB_PHONE_PROBLEM_NULL_INPUT,
        CB_PHONE_PROBLEM_INVALID_UTF8,
        CB_PHONE_PROBLEM_UNKNOWN,
    ]
);

static PHONE_PROBLEMS: Mirror<cb_phone_problem> = Mirror::new();

impl cb_phone_problem {
    /// By the core's name: a problem this version does not mirror yet is `UNKNOWN`.
    fn from_core(problem: PhoneProblem) -> cb_phone_problem {
        PHONE_PROBLEMS
            .by_name(problem.name())
            .unwrap_or(cb_phone_problem::CB_PHONE_PROBLEM_UNKNOWN)
    }

    /// The row problem of a batch element that `arg_str_array` refused.
    pub(crate) fn of_bad_element(failure: &Failure) -> cb_phone_problem {
        match failure.status() {
            cb_status::CB_INVALID_UTF8 => cb_phone_problem::CB_PHONE_PROBLEM_INVALID_UTF8,
            _ => cb_phone_problem::CB_PHONE_PROBLEM_NULL_INPUT,
        }
    }
}

/// How `cb_parsed_phone_format` writes a number.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_phone_format {
    /// `+79161234567`: for storage and matching; never carries the extension.
    CB_PHONE_FORMAT_E164 = 0,
    /// `+7 916 123-45-67`, an extension as ` ext. 12`.
    CB_PHONE_FORMAT_INTERNATIONAL = 1,
    /// `8 (916) 123-45-67`, an extension as ` доб. 12`.
    CB_PHONE_FORMAT_NATIONAL = 2,
}

impl cb_phone_format {
    /// The core format of a number that C passed (any `uint32_t` is safe here).
    fn core_format(number: u32) -> Result<PhoneFormat, Error> {
        const FORMATS: [(cb_phone_format, PhoneFormat); 3] = [
            (cb_phone_format::CB_PHONE_FORMAT_E164, PhoneFormat::E164),
            (
                cb_phone_format::CB_PHONE_FORMAT_INTERNATIONAL,
                PhoneFormat::International,
            ),
            (
                cb_phone_format::CB_PHONE_FORMAT_NATIONAL,
                PhoneFormat::National,
            ),
        ];
        FORMATS
            .into_iter()
            .find(|(format, _)| *format as u32 == number)
            .map(|(_, core)| core)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!("{number} is not a cb_phone_format"),
                )
                .with_field("format")
            })
    }
}

/// One result, with NUL-terminated copies of its texts for C.
pub(crate) struct PhoneResult {
    raw: Option<CString>,
    label: Option<CString>,
    outcome: Result<ValidPhone, InvalidPhone>,
}

struct ValidPhone {
    core: ParsedPhone,
    e164: CString,
    extension: Option<CString>,
    region: CString,
}

struct InvalidPhone {
    problem: cb_phone_problem,
    reason: CString,
}

impl PhoneResult {
    fn new(
        raw: Option<&str>,
        label: Option<&str>,
        parsed: Result<ParsedPhone, PhoneError>,
    ) -> Self {
        let outcome = match parsed {
            Ok(core) => Ok(ValidPhone {
                e164: c_text(core.e164()),
                extension: core.extension().map(c_text),
                region: c_text(core.region()),
                core,
            }),
            Err(err) => Err(InvalidPhone {
                problem: cb_phone_problem::from_core(err.problem()),
                reason: c_text(err.reason()),
            }),
        };
        PhoneResult {
            raw: raw.map(c_text),
            label: label.map(c_text),
            outcome,
        }
    }

    /// A batch row whose input element could not be read at all.
    fn bad_element(failure: &Failure) -> PhoneResult {
        PhoneResult {
            raw: None,
            label: None,
            outcome: Err(InvalidPhone {
                problem: cb_phone_problem::of_bad_element(failure),
                reason: c_text(failure.message()),
            }),
        }
    }

    fn valid(&self) -> Option<&ValidPhone> {
        self.outcome.as_ref().ok()
    }

    fn invalid(&self) -> Option<&InvalidPhone> {
        self.outcome.as_ref().err()
    }
}

fn opt_ptr(text: Option<&CString>) -> *const c_char {
    text.map_or(std::ptr::null(), |text| text.as_ptr())
}

/// Makes a phone normalizer.
///
/// `default_region` is the ISO 3166 code (`RU`, `KZ`, `DE`; case and spaces do
/// not matter) of the region whose numbers may be typed without a country
/// code, or `NULL` for Russia; it is borrowed. A code without phone numbers is
/// `CB_INVALID_VALUE` about the field `region`. On success `*out_normalizer`
/// receives a normalizer that the caller owns and frees with
/// `cb_phone_normalizer_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_new(
    default_region: *const c_char,
    out_normalizer: *mut *mut cb_phone_normalizer,
) -> cb_status {
    status_boundary(|| {
        let default_region = arg_opt_str(default_region, "default_region")?;
        let out_normalizer = out_arg(out_normalizer, "out_normalizer")?;
        let normalizer = match default_region {
            Some(region) => PhoneNormalizer::new(region)?,
            None => PhoneNormalizer::default(),
        };
        *out_normalizer = cb_phone_normalizer::into_raw(normalizer);
        Ok(())
    })
}

/// Frees a phone normalizer. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_free(normalizer: *mut cb_phone_normalizer) {
    value_boundary((), || cb_phone_normalizer::free(normalizer))
}

/// Reads one phone number as typed (`8 (916) 123-45-67`, `+7 812 …`,
/// `8-800-…`, `… доб. 123`, `00 49 …`); labels around it (`тел.`, `(раб.)`)
/// are set aside. A field holding several numbers is not read as one: it is
/// invalid with `CB_PHONE_PROBLEM_SEVERAL_NUMBERS` (use
/// `cb_phone_normalizer_split`).
///
/// `input` is borrowed. An invalid number is not a failure: the call returns
/// `CB_OK` and `*out_phone` says why (`cb_parsed_phone_is_valid`,
/// `cb_parsed_phone_problem`, `cb_parsed_phone_reason`). Only a `NULL` argument
/// (`CB_NULL_PARAMETER`), an `input` that is not UTF-8 (`CB_INVALID_UTF8`) or
/// an internal panic fail the call. On success `*out_phone` receives a result
/// that the caller owns and frees with `cb_parsed_phone_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_parse(
    normalizer: *const cb_phone_normalizer,
    input: *const c_char,
    out_phone: *mut *mut cb_parsed_phone,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_phone_normalizer::arg(normalizer, "normalizer")?;
        let input = arg_str(input, "input")?;
        let out_phone = out_arg(out_phone, "out_phone")?;
        let result = PhoneResult::new(Some(input), None, normalizer.parse(input));
        *out_phone = cb_parsed_phone::into_raw(result);
        Ok(())
    })
}

/// Reads `len` phone numbers at once, in parallel on all cores; the results
/// are in input order, each what `cb_phone_normalizer_parse` would give.
///
/// `inputs` is an array of `len` strings, all borrowed for the call; it may be
/// `NULL` only when `len` is 0. One element does not fail the call: a `NULL`
/// element is a row with `CB_PHONE_PROBLEM_NULL_INPUT`, one that is not UTF-8 a
/// row with `CB_PHONE_PROBLEM_INVALID_UTF8`, each with a reason naming the
/// element (`inputs[3]`). On success `*out_batch` receives a batch of `len`
/// rows that the caller owns and frees with `cb_phone_batch_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_parse_batch(
    normalizer: *const cb_phone_normalizer,
    inputs: *const *const c_char,
    len: usize,
    out_batch: *mut *mut cb_phone_batch,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_phone_normalizer::arg(normalizer, "normalizer")?;
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
                (Some(result), Ok(text)) => PhoneResult::new(Some(text), None, result),
                (_, Err(failure)) => PhoneResult::bad_element(failure),
                (None, Ok(_)) => unreachable!("a readable element is parsed"),
            })
            .collect();
        *out_batch = cb_phone_batch::into_raw(rows);
        Ok(())
    })
}

/// Finds the numbers in a field that may hold several (`8 916 123 45 67, 8 495
/// 765 43 21 (раб.)`, separated by `,` `;` `/` `или` ...) and reads each: one
/// row per number, in order, with `cb_parsed_phone_raw` the piece of the field
/// as typed (label included) and `cb_parsed_phone_label` the label. A field
/// with one number gives one row; one without digits gives none.
///
/// `field` is borrowed. On success `*out_batch` receives a batch that the
/// caller owns and frees with `cb_phone_batch_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_split(
    normalizer: *const cb_phone_normalizer,
    field: *const c_char,
    out_batch: *mut *mut cb_phone_batch,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_phone_normalizer::arg(normalizer, "normalizer")?;
        let field = arg_str(field, "field")?;
        let out_batch = out_arg(out_batch, "out_batch")?;
        let rows = normalizer
            .split_parse(field)
            .into_iter()
            .map(|(candidate, parsed)| {
                PhoneResult::new(Some(candidate.raw), candidate.label, parsed)
            })
            .collect();
        *out_batch = cb_phone_batch::into_raw(rows);
        Ok(())
    })
}

/// How many rows a batch has; 0 for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_batch_len(batch: *const cb_phone_batch) -> usize {
    value_boundary(0, || {
        cb_phone_batch::arg(batch, "batch").map_or(0, Vec::len)
    })
}

/// Lends the `index`-th row of a batch into `*out_phone`: read it with the
/// `cb_parsed_phone_*` functions. It belongs to the batch (never free it) and
/// stays valid until the batch is freed. An index past the end is
/// `CB_INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_batch_get(
    batch: *const cb_phone_batch,
    index: usize,
    out_phone: *mut *const cb_parsed_phone,
) -> cb_status {
    status_boundary(|| {
        let batch = cb_phone_batch::arg(batch, "batch")?;
        let out_phone = out_arg(out_phone, "out_phone")?;
        let row = batch
            .get(index)
            .ok_or_else(|| out_of_range(index, batch.len(), "rows"))?;
        *out_phone = (row as *const PhoneResult).cast();
        Ok(())
    })
}

/// Frees a batch and every row it lent. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_batch_free(batch: *mut cb_phone_batch) {
    value_boundary((), || cb_phone_batch::free(batch))
}

/// Whether the number is valid; `false` for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_is_valid(phone: *const cb_parsed_phone) -> bool {
    value_boundary(false, || {
        cb_parsed_phone::arg(phone, "phone").is_ok_and(|phone| phone.valid().is_some())
    })
}

/// Why the number is not valid; `CB_PHONE_PROBLEM_NONE` when it is valid, and
/// `CB_PHONE_PROBLEM_NULL_INPUT` for a `NULL` phone.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_problem(
    phone: *const cb_parsed_phone,
) -> cb_phone_problem {
    value_boundary(
        cb_phone_problem::CB_PHONE_PROBLEM_NULL_INPUT,
        || match cb_parsed_phone::arg(phone, "phone") {
            Ok(phone) => phone
                .invalid()
                .map_or(cb_phone_problem::CB_PHONE_PROBLEM_NONE, |invalid| {
                    invalid.problem
                }),
            Err(_) => cb_phone_problem::CB_PHONE_PROBLEM_NULL_INPUT,
        },
    )
}

/// Why the number is not valid, in words (`too short: 9 digits after the
/// leading 8, a number needs 10`); `NULL` when it is valid, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_reason(phone: *const cb_parsed_phone) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_phone::arg(phone, "phone")
            .ok()
            .and_then(PhoneResult::invalid)
            .map_or(std::ptr::null(), |invalid| invalid.reason.as_ptr())
    })
}

/// The number in E.164 (`+79161234567`), without the extension; `NULL` when it
/// is not valid, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_e164(phone: *const cb_parsed_phone) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_phone::arg(phone, "phone")
            .ok()
            .and_then(PhoneResult::valid)
            .map_or(std::ptr::null(), |valid| valid.e164.as_ptr())
    })
}

/// The extension's digits (`доб. 123` gives `123`); `NULL` when there is none,
/// when the number is not valid, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_extension(phone: *const cb_parsed_phone) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_phone::arg(phone, "phone")
            .ok()
            .and_then(PhoneResult::valid)
            .map_or(std::ptr::null(), |valid| opt_ptr(valid.extension.as_ref()))
    })
}

/// Mobile, fixed line, toll free, ...; `CB_PHONE_KIND_NONE` when the number is
/// not valid, and for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_kind(phone: *const cb_parsed_phone) -> cb_phone_kind {
    value_boundary(cb_phone_kind::CB_PHONE_KIND_NONE, || {
        cb_parsed_phone::arg(phone, "phone")
            .ok()
            .and_then(PhoneResult::valid)
            .map_or(cb_phone_kind::CB_PHONE_KIND_NONE, |valid| {
                cb_phone_kind::from_core(valid.core.kind())
            })
    })
}

/// The region the number belongs to (`RU`, `KZ`, `DE`; `001` for
/// non-geographic numbers such as +800); `NULL` when it is not valid, and for
/// `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_region(phone: *const cb_parsed_phone) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_phone::arg(phone, "phone")
            .ok()
            .and_then(PhoneResult::valid)
            .map_or(std::ptr::null(), |valid| valid.region.as_ptr())
    })
}

/// The country calling code (`7`); 0 when the number is not valid, and for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_country_code(phone: *const cb_parsed_phone) -> u16 {
    value_boundary(0, || {
        cb_parsed_phone::arg(phone, "phone")
            .ok()
            .and_then(PhoneResult::valid)
            .map_or(0, |valid| valid.core.country_code())
    })
}

/// The text this result was read from: the input of `cb_phone_normalizer_parse`
/// or of the batch, or, for `cb_phone_normalizer_split`, the piece of the field
/// as typed, label included (`8 495 765 43 21 (раб.)`). `NULL` for a batch row
/// whose element was `NULL` or not UTF-8, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_raw(phone: *const cb_parsed_phone) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_phone::arg(phone, "phone")
            .map_or(std::ptr::null(), |phone| opt_ptr(phone.raw.as_ref()))
    })
}

/// The label typed next to the number (`раб.`, `моб.`, `work`), without
/// brackets, for the rows of `cb_phone_normalizer_split`; `NULL` when there is
/// none, for other results, and for `NULL`.
///
/// Borrowed from the result: valid until the result (or its batch) is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_label(phone: *const cb_parsed_phone) -> *const c_char {
    value_boundary(std::ptr::null(), || {
        cb_parsed_phone::arg(phone, "phone")
            .map_or(std::ptr::null(), |phone| opt_ptr(phone.label.as_ref()))
    })
}

/// Writes a valid number for display: `format` is a `cb_phone_format`
/// (`CB_PHONE_FORMAT_NATIONAL` gives `8 (916) 123-45-67 доб. 12`,
/// `CB_PHONE_FORMAT_INTERNATIONAL` `+7 916 123-45-67 ext. 12`,
/// `CB_PHONE_FORMAT_E164` `+79161234567`). A number that is not valid, or a
/// `format` that is not a `cb_phone_format`, is `CB_INVALID_VALUE`. On success
/// `*out_text` receives a string the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_format(
    phone: *const cb_parsed_phone,
    format: u32,
    out_text: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let phone = cb_parsed_phone::arg(phone, "phone")?;
        let out_text = out_arg(out_text, "out_text")?;
        let format = cb_phone_format::core_format(format)?;
        let valid = match &phone.outcome {
            Ok(valid) => valid,
            Err(invalid) => {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!(
                        "not a valid number, so it cannot be formatted: {}",
                        invalid.reason.to_string_lossy()
                    ),
                )
                .with_field("phone")
                .into())
            }
        };
        *out_text = owned_string(valid.core.format(format), "phone")?;
        Ok(())
    })
}

/// Frees a result of `cb_phone_normalizer_parse`. `NULL` is ignored. Never
/// pass a row lent by `cb_phone_batch_get`: the batch frees its rows.
#[no_mangle]
pub unsafe extern "C" fn cb_parsed_phone_free(phone: *mut cb_parsed_phone) {
    value_boundary((), || cb_parsed_phone::free(phone))
}

/// The name of a phone kind as the other bindings and the vectors spell it:
/// `mobile`, `fixed_line`, `fixed_line_or_mobile`, `toll_free`,
/// `premium_rate`, `shared_cost`, `voip`, `personal_number`, `pager`, `uan`,
/// `voicemail`, `unknown`; `NULL` for `CB_PHONE_KIND_NONE` and for a number
/// that is not a `cb_phone_kind`.
///
/// `kind` is a `cb_phone_kind` (taken as a plain integer so that any number is
/// safe to pass). The string is static: never free it.
#[no_mangle]
pub extern "C" fn cb_phone_kind_name(kind: u32) -> *const c_char {
    value_boundary(std::ptr::null(), || PHONE_KINDS.name(kind))
}

/// The name of a phone problem: the core's (`empty`, `not_a_number`,
/// `several_numbers`, `invalid_country_code`, `too_short`, `too_long`,
/// `invalid_number`, `unsupported`, `internal`) and the C layer's
/// (`null_input`, `invalid_utf8`, `unknown`); `NULL` for
/// `CB_PHONE_PROBLEM_NONE` and for a number that is not a `cb_phone_problem`.
///
/// `problem` is a `cb_phone_problem` (taken as a plain integer so that any
/// number is safe to pass). The string is static: never free it.
#[no_mangle]
pub extern "C" fn cb_phone_problem_name(problem: u32) -> *const c_char {
    value_boundary(std::ptr::null(), || PHONE_PROBLEMS.name(problem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn text(ptr: *const c_char) -> Option<String> {
        (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_string())
    }

    #[test]
    fn kinds_and_problems_are_named_like_the_core() {
        for &kind in PhoneKind::ALL {
            let c = cb_phone_kind::from_core(kind);
            assert_eq!(text(cb_phone_kind_name(c as u32)).unwrap(), kind.name());
        }
        assert_eq!(
            cb_phone_kind::from_core(PhoneKind::TollFree),
            cb_phone_kind::CB_PHONE_KIND_TOLL_FREE
        );
        assert!(cb_phone_kind_name(0).is_null());
        assert!(cb_phone_kind_name(13).is_null());
        for &problem in PhoneProblem::ALL {
            let c = cb_phone_problem::from_core(problem);
            assert_ne!(c, cb_phone_problem::CB_PHONE_PROBLEM_UNKNOWN, "{problem:?}");
            assert_eq!(
                text(cb_phone_problem_name(c as u32)).unwrap(),
                problem.name()
            );
        }
        assert_eq!(text(cb_phone_problem_name(5)).unwrap(), "too_short");
        assert_eq!(text(cb_phone_problem_name(101)).unwrap(), "invalid_utf8");
        assert!(cb_phone_problem_name(0).is_null());
        assert!(cb_phone_problem_name(u32::MAX).is_null());
    }

    #[test]
    fn a_batch_reports_bad_elements_as_rows() {
        let mut normalizer = std::ptr::null_mut();
        assert_eq!(
            unsafe { cb_phone_normalizer_new(std::ptr::null(), &mut normalizer) },
            cb_status::CB_OK
        );
        let inputs = [
            c"8 (916) 123-45-67".as_ptr(),
            std::ptr::null(),
            c"\xff".as_ptr(),
            c"x".as_ptr(),
        ];
        let mut batch = std::ptr::null_mut();
        let status = unsafe {
            cb_phone_normalizer_parse_batch(normalizer, inputs.as_ptr(), inputs.len(), &mut batch)
        };
        assert_eq!(status, cb_status::CB_OK);
        assert_eq!(unsafe { cb_phone_batch_len(batch) }, 4);
        let row = |i| {
            let mut row = std::ptr::null();
            assert_eq!(
                unsafe { cb_phone_batch_get(batch, i, &mut row) },
                cb_status::CB_OK
            );
            row
        };
        assert_eq!(
            text(unsafe { cb_parsed_phone_e164(row(0)) }).unwrap(),
            "+79161234567"
        );
        assert_eq!(
            unsafe { cb_parsed_phone_problem(row(1)) },
            cb_phone_problem::CB_PHONE_PROBLEM_NULL_INPUT
        );
        assert_eq!(
            text(unsafe { cb_parsed_phone_reason(row(1)) }).unwrap(),
            "null parameter: argument \"inputs[1]\" is NULL"
        );
        assert_eq!(
            unsafe { cb_parsed_phone_problem(row(2)) },
            cb_phone_problem::CB_PHONE_PROBLEM_INVALID_UTF8
        );
        assert!(!unsafe { cb_parsed_phone_is_valid(row(3)) });
        unsafe { cb_phone_batch_free(batch) };
        unsafe { cb_phone_normalizer_free(normalizer) };
    }
}
