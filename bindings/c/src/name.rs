//! People's names: a full name split into its parts, gender, initials, and the
//! clean-up, key and transliteration of any piece of a name.

use std::ffi::{c_char, CString};

use clientbase::{clean_name, name_key, transliterate, Gender, PersonName};

use crate::error::{c_text, cb_status};
use crate::ffi::{arg_str, out_arg, owned_string, BoxHandle};
use crate::panic::{status_boundary, value_boundary};

/// A person's name split into surname, given name and patronymic.
///
/// Made by `cb_person_name_parse`, freed by `cb_person_name_free`.
pub struct cb_person_name {
    _private: [u8; 0],
}

impl BoxHandle for cb_person_name {
    type Inner = NameParts;
}

/// A person's gender as the patronymic tells it (`cb_person_name_gender`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_gender {
    /// The name has no patronymic that tells.
    CB_GENDER_UNKNOWN = 0,
    /// Male (`-ович`, `-евич`, `оглы`).
    CB_GENDER_MALE = 1,
    /// Female (`-овна`, `-евна`, `-ична`, `кызы`).
    CB_GENDER_FEMALE = 2,
}

crate::ffi::c_enum!(
    cb_gender,
    "CB_GENDER_",
    [CB_GENDER_UNKNOWN, CB_GENDER_MALE, CB_GENDER_FEMALE]
);

static GENDERS: crate::ffi::Mirror<cb_gender> = crate::ffi::Mirror::new();

impl cb_gender {
    /// By the core's (serde) name: `None`, or a gender this version does not
    /// mirror yet, is `UNKNOWN`.
    pub(crate) fn from_core(gender: Option<Gender>) -> cb_gender {
        gender
            .and_then(|gender| match serde_json::to_value(gender) {
                Ok(serde_json::Value::String(name)) => GENDERS.by_name(&name),
                _ => None,
            })
            .unwrap_or(cb_gender::CB_GENDER_UNKNOWN)
    }
}

/// The name of a gender as the other bindings spell it: `unknown`, `male`,
/// `female`; `NULL` for a number that is not a `cb_gender`.
///
/// `gender` is a `cb_gender` (taken as a plain integer so that any number is
/// safe to pass). The string is static: never free it.
#[no_mangle]
pub extern "C" fn cb_gender_name(gender: u32) -> *const c_char {
    crate::panic::value_boundary(std::ptr::null(), || GENDERS.name(gender))
}

/// A split name, with NUL-terminated copies of its texts for C.
pub(crate) struct NameParts {
    surname: Option<CString>,
    given: Option<CString>,
    patronymic: Option<CString>,
    gender: cb_gender,
    initials: CString,
    key: CString,
}

impl NameParts {
    fn new(name: &PersonName) -> NameParts {
        NameParts {
            surname: name.surname.as_deref().map(c_text),
            given: name.given.as_deref().map(c_text),
            patronymic: name.patronymic.as_deref().map(c_text),
            gender: cb_gender::from_core(name.gender()),
            initials: c_text(&name.initials()),
            key: c_text(&name.key()),
        }
    }
}

/// Splits a full name typed in any order (`Иванов Сергей Петрович`, `сергей
/// петрович ИВАНОВ`, `Ivanov Sergey`) into surname, given name and patronymic,
/// each cleaned like `cb_name_clean`. The patronymic is found by its ending, the
/// given name by a list of common names and its place before the patronymic,
/// the surname by its ending; when nothing tells, the order is the official one
/// (surname, given name, patronymic).
///
/// `full_name` is borrowed. On success `*out_name` receives a name that the
/// caller owns and frees with `cb_person_name_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_parse(
    full_name: *const c_char,
    out_name: *mut *mut cb_person_name,
) -> cb_status {
    status_boundary(|| {
        let full_name = arg_str(full_name, "full_name")?;
        let out_name = out_arg(out_name, "out_name")?;
        *out_name = cb_person_name::into_raw(NameParts::new(&PersonName::parse(full_name)));
        Ok(())
    })
}

/// Frees a name. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_free(name: *mut cb_person_name) {
    value_boundary((), || cb_person_name::free(name))
}

/// The surname (фамилия); `NULL` when the name has none, and for `NULL`.
///
/// Borrowed from the name: valid until the name is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_surname(name: *const cb_person_name) -> *const c_char {
    value_boundary(std::ptr::null(), || part(name, |n| n.surname.as_ref()))
}

/// The given name (имя); `NULL` when the name has none, and for `NULL`.
///
/// Borrowed from the name: valid until the name is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_given(name: *const cb_person_name) -> *const c_char {
    value_boundary(std::ptr::null(), || part(name, |n| n.given.as_ref()))
}

/// The patronymic (отчество, `Гусейн оглы` included); `NULL` when the name has
/// none, and for `NULL`.
///
/// Borrowed from the name: valid until the name is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_patronymic(name: *const cb_person_name) -> *const c_char {
    value_boundary(std::ptr::null(), || part(name, |n| n.patronymic.as_ref()))
}

/// The gender the patronymic tells; `CB_GENDER_UNKNOWN` without one, and for `NULL`.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_gender(name: *const cb_person_name) -> cb_gender {
    value_boundary(cb_gender::CB_GENDER_UNKNOWN, || {
        cb_person_name::arg(name, "name").map_or(cb_gender::CB_GENDER_UNKNOWN, |n| n.gender)
    })
}

/// The surname and initials (`Иванов С. П.`, `Петрова-Водкина А.-М.`), or just
/// the surname or the given name when that is all there is; an empty string
/// for an empty name, `NULL` for `NULL`.
///
/// Borrowed from the name: valid until the name is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_initials(name: *const cb_person_name) -> *const c_char {
    value_boundary(std::ptr::null(), || part(name, |n| Some(&n.initials)))
}

/// The matching key of the whole name, surname first, the same for `Иванов
/// Сергей`, `Ivanov Sergey` and `Сергей Иванов` (see `cb_name_key`); an empty
/// string for an empty name, `NULL` for `NULL`.
///
/// Borrowed from the name: valid until the name is freed.
#[no_mangle]
pub unsafe extern "C" fn cb_person_name_key(name: *const cb_person_name) -> *const c_char {
    value_boundary(std::ptr::null(), || part(name, |n| Some(&n.key)))
}

unsafe fn part(
    name: *const cb_person_name,
    get: impl FnOnce(&NameParts) -> Option<&CString>,
) -> *const c_char {
    cb_person_name::arg(name, "name")
        .ok()
        .and_then(get)
        .map_or(std::ptr::null(), |text| text.as_ptr())
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
    status_boundary(|| {
        let text = arg_str(text, "text")?;
        let out_text = out_arg(out_text, "out_text")?;
        *out_text = owned_string(clean_name(text), "text")?;
        Ok(())
    })
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
    status_boundary(|| {
        let text = arg_str(text, "text")?;
        let out_key = out_arg(out_key, "out_key")?;
        *out_key = owned_string(name_key(text), "key")?;
        Ok(())
    })
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
    status_boundary(|| {
        let text = arg_str(text, "text")?;
        let out_text = out_arg(out_text, "out_text")?;
        *out_text = owned_string(transliterate(text), "text")?;
        Ok(())
    })
}
