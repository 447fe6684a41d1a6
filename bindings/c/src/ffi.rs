//! Crossing the boundary: handles, pointer arguments and strings.
//!
//! This is the one place that decides how C holds Rust objects: every handle is
//! a `Box` (C owns exactly one reference and frees it with `cb_<object>_free`).
//! Nothing is reference counted, because nothing the library returns shares an
//! object with another handle. If that changes, the change is here.
//!
//! It is also the one place that checks incoming pointers and strings (`NULL`
//! gives `CB_NULL_PARAMETER`, bad UTF-8 `CB_INVALID_UTF8`) and that makes the
//! strings C receives, which only [`cb_string_free`] frees.

use std::ffi::{c_char, CStr, CString};

use clientbase::{Error, ErrorKind};

use crate::error::{CbResult, Failure};
use crate::panic::value_boundary;

/// An opaque C type whose pointer is really a `Box<Self::Inner>`.
pub(crate) trait BoxHandle: Sized {
    /// The Rust value behind the handle.
    type Inner;

    /// Moves `inner` to the heap and gives C the pointer (C now owns it).
    fn into_raw(inner: Self::Inner) -> *mut Self {
        Box::into_raw(Box::new(inner)).cast()
    }

    /// Writes a new handle holding `inner` into the out-parameter `out` called
    /// `name` (checked for `NULL` first; `inner` is dropped then).
    ///
    /// # Safety
    /// `out` is `NULL` or valid for writes for the call.
    unsafe fn put(out: *mut *mut Self, name: &str, inner: Self::Inner) -> CbResult<()> {
        // The place first: a `NULL` one must fail before the box is made.
        let out = unsafe { out_arg(out, name) }?;
        *out = Self::into_raw(inner);
        Ok(())
    }

    /// Borrows the value behind a handle argument called `name`.
    ///
    /// # Safety
    /// `ptr` is `NULL` or a live handle made by [`BoxHandle::into_raw`].
    unsafe fn arg<'a>(ptr: *const Self, name: &str) -> CbResult<&'a Self::Inner> {
        // SAFETY: guaranteed by the caller.
        unsafe { ptr.cast::<Self::Inner>().as_ref() }.ok_or_else(|| Failure::null(name))
    }

    /// Mutably borrows the value behind a handle argument called `name`.
    ///
    /// # Safety
    /// `ptr` is `NULL` or a live handle made by [`BoxHandle::into_raw`], not
    /// used by anyone else during the call.
    unsafe fn arg_mut<'a>(ptr: *mut Self, name: &str) -> CbResult<&'a mut Self::Inner> {
        // SAFETY: guaranteed by the caller.
        unsafe { ptr.cast::<Self::Inner>().as_mut() }.ok_or_else(|| Failure::null(name))
    }

    /// Drops the value behind a handle; `NULL` is ignored.
    ///
    /// # Safety
    /// `ptr` is `NULL` or a live handle made by [`BoxHandle::into_raw`], which
    /// is dead afterwards.
    unsafe fn free(ptr: *mut Self) {
        if !ptr.is_null() {
            // SAFETY: guaranteed by the caller.
            drop(unsafe { Box::from_raw(ptr.cast::<Self::Inner>()) });
        }
    }
}

/// Borrows a required NUL-terminated UTF-8 string argument called `name`.
///
/// # Safety
/// `ptr` is `NULL` or a NUL-terminated string alive for the call.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> CbResult<&'a str> {
    match unsafe { arg_opt_str(ptr, name) }? {
        Some(text) => Ok(text),
        None => Err(Failure::null(name)),
    }
}

/// Borrows an optional string argument: `NULL` means "none".
///
/// # Safety
/// As for [`arg_str`].
pub(crate) unsafe fn arg_opt_str<'a>(ptr: *const c_char, name: &str) -> CbResult<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated, guaranteed by the caller.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map(Some)
        .map_err(|err| Failure::utf8(name, err))
}

/// Reads the JSON string argument called `name` (already checked UTF-8) as a
/// `T`; malformed JSON is `CB_JSON` naming the argument as the field.
pub(crate) fn json_arg<T: serde::de::DeserializeOwned>(json: &str, name: &str) -> CbResult<T> {
    serde_json::from_str(json).map_err(|err| Failure::from(Error::from(err).with_field(name)))
}

/// The optional JSON argument called `name`: `NULL` is `T`'s defaults, else the
/// core reads it (unknown keys refused, missing keys defaulted).
///
/// # Safety
/// `ptr` is `NULL` or a NUL-terminated string alive for the call.
pub(crate) unsafe fn opt_json_arg<T: serde::de::DeserializeOwned + Default>(
    ptr: *const c_char,
    name: &str,
) -> CbResult<T> {
    match unsafe { arg_opt_str(ptr, name) }? {
        Some(json) => json_arg(json, name),
        None => Ok(T::default()),
    }
}

/// Borrows the `len` strings of an array argument called `name`, for batch
/// calls. The array itself is required (`NULL` gives `CB_NULL_PARAMETER`, unless
/// `len` is 0); an element that is `NULL` or not UTF-8 does not fail the call
/// but is its own `Err`, named `name[i]`, so that the batch reports it as one
/// bad row.
///
/// # Safety
/// `ptr` is `NULL` or points to `len` pointers, each `NULL` or a NUL-terminated
/// string, all alive for the call.
pub(crate) unsafe fn arg_str_array<'a>(
    ptr: *const *const c_char,
    len: usize,
    name: &str,
) -> CbResult<Vec<CbResult<&'a str>>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL and `len` elements long, guaranteed by the caller.
    let items = unsafe { std::slice::from_raw_parts(ptr, len) };
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, &item)| {
            // The element's name is only written out for a bad element.
            unsafe { arg_str(item, name) }
                .or_else(|_| unsafe { arg_str(item, &format!("{name}[{i}]")) })
        })
        .collect())
}

/// Checks an out-parameter called `name` before any work is done, so that a
/// `NULL` one fails without side effects; the caller writes it on success only.
///
/// # Safety
/// `ptr` is `NULL` or valid for writes for the call.
pub(crate) unsafe fn out_arg<'a, T>(ptr: *mut T, name: &str) -> CbResult<&'a mut T> {
    // SAFETY: guaranteed by the caller. `T` is plain data or a pointer, so no
    // value is read or dropped through the reference before it is overwritten.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// Writes `value` as compact JSON into the out-parameter `out_json`, checked
/// for `NULL` before anything is allocated.
///
/// # Safety
/// `out_json` is `NULL` or valid for writes for the call.
pub(crate) unsafe fn put_json<T: serde::Serialize + ?Sized>(
    out_json: *mut *mut c_char,
    value: &T,
) -> CbResult<()> {
    unsafe { put_text(out_json, "out_json", serde_json::to_string(value)?) }
}

/// Writes an owned copy of `text` into the out-parameter `out` called `name`
/// (`out_csv`: the text is named `csv` in an error), checked for `NULL` first.
///
/// # Safety
/// `out` is `NULL` or valid for writes for the call.
pub(crate) unsafe fn put_text(
    out: *mut *mut c_char,
    name: &str,
    text: impl Into<Vec<u8>>,
) -> CbResult<()> {
    let out = unsafe { out_arg(out, name) }?;
    *out = owned_string(text, name.trim_start_matches("out_"))?;
    Ok(())
}

/// Gives C an owned copy of `text`, to be freed with [`cb_string_free`].
///
/// JSON never contains a NUL byte (it is escaped); other text with one cannot
/// be a C string and is an `InvalidValue` error about `what`.
pub(crate) fn owned_string(text: impl Into<Vec<u8>>, what: &str) -> CbResult<*mut c_char> {
    CString::new(text).map(CString::into_raw).map_err(|err| {
        Failure::from(
            Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "contains a NUL character at byte {}, which a C string cannot carry",
                    err.nul_position()
                ),
            )
            .with_field(what),
        )
    })
}

/// Frees a string that the library returned through a `char **` out-parameter.
///
/// Every `char *` the library gives the caller must be freed with this function
/// exactly once (not with `free`). `NULL` is ignored. Never pass a `const char *`
/// that the library returned: those are borrowed.
#[no_mangle]
pub unsafe extern "C" fn cb_string_free(string: *mut c_char) {
    value_boundary((), || {
        if !string.is_null() {
            // SAFETY: the string came from `CString::into_raw` in `owned_string`.
            drop(unsafe { CString::from_raw(string) });
        }
    })
}

/// The library version, such as `0.1.0`. The string is static: never free it.
#[no_mangle]
pub extern "C" fn cb_version() -> *const c_char {
    value_boundary(c"".as_ptr(), || {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::cb_status;

    #[test]
    fn strings_are_checked() {
        let ok = unsafe { arg_str(c"Иванов".as_ptr(), "surname") }.unwrap();
        assert_eq!(ok, "Иванов");
        let null = unsafe { arg_str(std::ptr::null(), "surname") }.unwrap_err();
        assert_eq!(
            crate::error::set_last_error(null),
            cb_status::CB_NULL_PARAMETER
        );
        let bad = unsafe { arg_str(c"\xff".as_ptr(), "surname") }.unwrap_err();
        assert_eq!(
            crate::error::set_last_error(bad),
            cb_status::CB_INVALID_UTF8
        );
        assert_eq!(unsafe { arg_opt_str(std::ptr::null(), "x") }.unwrap(), None);
    }

    #[test]
    fn owned_strings_round_trip_and_refuse_nul() {
        let ptr = owned_string("{\"id\":1}", "json").unwrap();
        assert_eq!(
            unsafe { CStr::from_ptr(ptr) }.to_str().unwrap(),
            "{\"id\":1}"
        );
        unsafe { cb_string_free(ptr) };
        unsafe { cb_string_free(std::ptr::null_mut()) };
        let err = owned_string("a\0b", "csv").unwrap_err();
        assert_eq!(
            crate::error::set_last_error(err),
            cb_status::CB_INVALID_VALUE
        );
    }

    #[test]
    fn json_arguments_name_the_argument() {
        let ids: Vec<u64> = json_arg("[1,2]", "ids_json").unwrap();
        assert_eq!(ids, [1, 2]);
        let err = json_arg::<Vec<u64>>("[1,", "ids_json").unwrap_err();
        assert_eq!(err.status(), cb_status::CB_JSON);
        assert!(err
            .message()
            .starts_with("JSON error: field \"ids_json\": "));
    }

    #[test]
    fn version_is_the_crate_version() {
        let v = unsafe { CStr::from_ptr(cb_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }
}
