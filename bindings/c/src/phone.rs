//! Phone numbers: a normalizer with a default region, one number (as JSON, or
//! just its E.164 form), a batch of numbers as a `cb_table` (parsed in
//! parallel by the core) and a field split into its numbers.
//!
//! An invalid number is not a failed call: reading what someone typed always
//! has an answer, so the calls return `CB_OK` with `"valid": false`, the
//! `problem` and the `reason`. Statuses are kept for misuse: a `NULL`
//! argument, a string that is not UTF-8, a panic.

use std::ffi::c_char;

use clientbase::table::{Column, Outcome, Table};
use clientbase::PhoneNormalizer;

use crate::error::{cb_status, CbResult, Failure};
use crate::ffi::{arg_opt_str, arg_str, arg_str_array, out_arg, owned_string, put_json, BoxHandle};
use crate::panic::{status_boundary, value_boundary};
use crate::table::cb_table;

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
        let normalizer = match arg_opt_str(default_region, "default_region")? {
            Some(region) => PhoneNormalizer::new(region)?,
            None => PhoneNormalizer::default(),
        };
        cb_phone_normalizer::put(out_normalizer, "out_normalizer", normalizer)
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
/// invalid with the problem `several_numbers` (use `cb_phone_normalizer_split`).
///
/// `input` is borrowed. On success `*out_json` receives a JSON object the
/// caller owns and frees with `cb_string_free`: `{"valid":true,"e164",
/// "extension","kind","region","country_code","national","international"}`
/// or `{"valid":false,"problem","reason"}` (an invalid number is not a
/// failure). Only a `NULL` argument (`CB_NULL_PARAMETER`), an `input` that is
/// not UTF-8 (`CB_INVALID_UTF8`) or an internal panic fail the call.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_parse(
    normalizer: *const cb_phone_normalizer,
    input: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_phone_normalizer::arg(normalizer, "normalizer")?;
        let parsed = Outcome::from(normalizer.parse(arg_str(input, "input")?));
        put_json(out_json, &parsed)
    })
}

/// The fast path: reads one number as `cb_phone_normalizer_parse` does and
/// gives only its E.164 form (`+79161234567`, without the extension), or
/// `NULL` in `*out_e164` when the number is not valid (the call still returns
/// `CB_OK`). `input` is borrowed; a non-`NULL` `*out_e164` is owned by the
/// caller and freed with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_e164(
    normalizer: *const cb_phone_normalizer,
    input: *const c_char,
    out_e164: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_phone_normalizer::arg(normalizer, "normalizer")?;
        let input = arg_str(input, "input")?;
        let out_e164 = out_arg(out_e164, "out_e164")?;
        *out_e164 = match normalizer.parse(input) {
            Ok(phone) => owned_string(phone.e164(), "e164")?,
            Err(_) => std::ptr::null_mut(),
        };
        Ok(())
    })
}

/// The `input` column of `len` C strings for the batch calls: a `NULL` element
/// is a null cell, one that is not UTF-8 a null cell listed with its failure
/// (naming `inputs[3]`).
///
/// # Safety
/// As for `arg_str_array`.
pub(crate) unsafe fn input_column(
    inputs: *const *const c_char,
    len: usize,
) -> CbResult<(Column, Vec<(usize, Failure)>)> {
    let items = unsafe { arg_str_array(inputs, len, "inputs") }?;
    let column = Column::from_texts("input", items.iter().map(|i| i.as_ref().ok().copied()));
    let unread = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Err(failure) if failure.status() == cb_status::CB_INVALID_UTF8 => Some((i, failure)),
            _ => None,
        });
    Ok((column, unread.collect()))
}

/// What the phone and email batch calls share: the `input` column, its
/// unread rows with their reasons, read by `parse` into the table handed to C.
///
/// # Safety
/// As for `arg_str_array`; `out_table` is `NULL` or writable.
pub(crate) unsafe fn batch_call(
    inputs: *const *const c_char,
    len: usize,
    out_table: *mut *mut cb_table,
    parse: impl FnOnce(&Column, &[(usize, &str)]) -> clientbase::Result<Table>,
) -> CbResult<()> {
    let (column, unread) = unsafe { input_column(inputs, len) }?;
    let out_table = unsafe { out_arg(out_table, "out_table") }?;
    let unread: Vec<(usize, &str)> = unread.iter().map(|(i, f)| (*i, f.message())).collect();
    *out_table = cb_table::of(parse(&column, &unread)?)?;
    Ok(())
}

/// Reads `len` phone numbers at once, in parallel on all cores, into a table
/// with one row per input, in order: the columns `input`, `e164`,
/// `extension`, `kind`, `region`, `valid`, `problem` and `reason`, each value
/// what `cb_phone_normalizer_parse` gives. Read it with `cb_table_to_json` or
/// `cb_table_export_arrow`.
///
/// `inputs` is an array of `len` strings, all borrowed for the call; it may be
/// `NULL` only when `len` is 0. One element does not fail the call: a `NULL`
/// element is a row with the problem `missing`, one that is not UTF-8 a row
/// with the problem `not_text` and a reason naming the element (`inputs[3]`).
/// On success `*out_table` receives a table that the caller owns and frees
/// with `cb_table_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_parse_batch(
    normalizer: *const cb_phone_normalizer,
    inputs: *const *const c_char,
    len: usize,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_phone_normalizer::arg(normalizer, "normalizer")?;
        batch_call(inputs, len, out_table, |c, u| {
            normalizer.parse_table_with(c, u)
        })
    })
}

/// Finds the numbers in a field that may hold several (`8 916 123 45 67, 8 495
/// 765 43 21 (раб.)`, separated by `,` `;` `/` `или` ...) and reads each. On
/// success `*out_json` receives a JSON array, one object per number in order,
/// that the caller owns and frees with `cb_string_free`: `raw` (the piece of
/// the field as typed, label included), `text` (without the label), `label`
/// (`раб.`, or `null`) and the keys of `cb_phone_normalizer_parse`. A field
/// with one number gives one element; one without digits `[]`. `field` is
/// borrowed.
#[no_mangle]
pub unsafe extern "C" fn cb_phone_normalizer_split(
    normalizer: *const cb_phone_normalizer,
    field: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let normalizer = cb_phone_normalizer::arg(normalizer, "normalizer")?;
        let readings = normalizer.split_readings(arg_str(field, "field")?);
        put_json(out_json, &readings)
    })
}
