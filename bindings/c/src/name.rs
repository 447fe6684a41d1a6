//! People's names: a full name split into its parts, gender, initials, and the
//! clean-up, key and transliteration of any piece of a name.

use std::ffi::c_char;

use clientbase::capability::NameReading;
use clientbase::{clean_name, name_key, transliterate, PersonName};

use crate::error::cb_status;
use crate::ffi::{arg_str, out_arg, put_json, put_text};
use crate::panic::status_boundary;
use crate::phone::input_column;
use crate::table::cb_table;

/// Splits a full name typed in any order (`Иванов Сергей Петрович`, `сергей
/// петрович ИВАНОВ`, `Ivanov Sergey`) into surname, given name and patronymic,
/// each cleaned like `cb_name_clean`. The patronymic is found by its ending, the
/// given name by a list of common names and its place before the patronymic,
/// the surname by its ending; when nothing tells, the order is the official one
/// (surname, given name, patronymic).
///
/// `full_name` is borrowed. On success `*out_json` receives a JSON object the
/// caller owns and frees with `cb_string_free`: `surname`, `given`,
/// `patronymic` (each `null` when not found), `gender` (`male`, `female` or
/// `null`), `initials` (`Иванов С. П.`) and `key`, the matching key of the
/// whole name, surname first (the same for `Иванов Сергей`, `Ivanov Sergey`
/// and `Сергей Иванов`).
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_parse(
    full_name: *const c_char,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let name = PersonName::parse(arg_str(full_name, "full_name")?);
        put_json(out_json, &NameReading::from(&name))
    })
}

/// Splits `len` full names at once, in parallel on all cores, into a table
/// with one row per input, in order: the columns `input`, `surname`, `given`,
/// `patronymic`, `gender`, `initials` and `key`, each value what
/// `cb_person_name_parse` gives; a `NULL` element is a row of nulls. Read it
/// with `cb_table_to_json` or `cb_table_export_arrow`.
///
/// `inputs` is an array of `len` strings, all borrowed for the call; it may be
/// `NULL` only when `len` is 0. An element that is not UTF-8 fails the call
/// with `CB_INVALID_UTF8` naming it (`inputs[3]`). On success `*out_table`
/// receives a table that the caller owns and frees with `cb_table_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_parse_batch(
    inputs: *const *const c_char,
    len: usize,
    out_table: *mut *mut cb_table,
) -> cb_status {
    status_boundary(|| {
        let (column, unread) = input_column(inputs, len)?;
        if let Some((_, failure)) = unread.into_iter().next() {
            return Err(failure);
        }
        let out_table = out_arg(out_table, "out_table")?;
        *out_table = cb_table::of(PersonName::parse_table(&column)?)?;
        Ok(())
    })
}

/// Cleans a name or a full name: NFKC, single spaces, and words typed all in
/// lower or all in upper case capitalized (`иванова-петрова` gives
/// `Иванова-Петрова`; `McDonald` stays).
///
/// `text` is borrowed. On success `*out_text` receives a string the caller owns
/// and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_name_clean(
    text: *const c_char,
    out_text: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| put_text(out_text, "out_text", clean_name(arg_str(text, "text")?)))
}

/// The matching key of a name or a piece of one: lower-case Latin words with
/// `ё` folded into `е`, Cyrillic transliterated and the spellings that differ
/// between transliteration schemes folded, so `Sergey`, `Sergei` and `Сергей`
/// all give `sergei`, and `Семёнов` and `Семенов` one key.
///
/// `text` is borrowed. On success `*out_key` receives a string the caller owns
/// and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_name_key(text: *const c_char, out_key: *mut *mut c_char) -> cb_status {
    status_boundary(|| put_text(out_key, "out_key", name_key(arg_str(text, "text")?)))
}

/// Transliterates Cyrillic to Latin by ICAO 9303, the scheme of Russian
/// passports (`Иванов Сергей` gives `Ivanov Sergei`); other characters stay.
///
/// `text` is borrowed. On success `*out_text` receives a string the caller owns
/// and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_name_transliterate(
    text: *const c_char,
    out_text: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| put_text(out_text, "out_text", transliterate(arg_str(text, "text")?)))
}
