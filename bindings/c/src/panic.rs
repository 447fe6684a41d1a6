//! The panic boundary every exported function body runs in.
//!
//! A panic must never unwind into C (undefined behaviour, or an abort of the
//! host since Rust 1.81). [`status_boundary`] turns a panic into `CB_PANIC` and
//! the last error `internal panic: <message>`; [`value_boundary`] does the same
//! for the few functions that return a value instead of a status, returning a
//! harmless default. The release profile keeps `panic = "unwind"`, which this
//! relies on.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{cb_status, clear_last_error, set_last_error, CbResult, Failure};

/// Runs the body of a fallible exported function: clears the thread's last
/// error, runs `body`, and turns its failure or panic into a status with the
/// last error set.
pub(crate) fn status_boundary(body: impl FnOnce() -> CbResult<()>) -> cb_status {
    clear_last_error();
    // The state `body` touched may be half-changed after a panic; the crate
    // docs tell C callers to free such objects, so unwind safety is asserted.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => cb_status::CB_OK,
        Ok(Err(failure)) => set_last_error(failure),
        Err(payload) => set_last_error(panic_failure(payload)),
    }
}

/// Runs the body of an exported function that returns a value rather than a
/// status; a panic returns `on_panic` and sets the last error.
pub(crate) fn value_boundary<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            set_last_error(panic_failure(payload));
            on_panic
        }
    }
}

fn panic_failure(payload: Box<dyn Any + Send>) -> Failure {
    let failure = Failure::panic(payload.as_ref());
    // A payload whose destructor panics again must not escape either.
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
    failure
}

/// Panics on purpose inside the panic boundary, so that tests can check that a
/// panic becomes `CB_PANIC` with the last error `internal panic: <message>` and
/// neither unwinds into C nor aborts the host.
///
/// `message` is the panic message (borrowed; `NULL` gives `CB_NULL_PARAMETER`
/// without panicking). Only built with the `test-panic` cargo feature.
#[cfg(feature = "test-panic")]
#[no_mangle]
pub unsafe extern "C" fn cb_debug_panic(message: *const std::ffi::c_char) -> cb_status {
    status_boundary(|| {
        let message = crate::ffi::arg_str(message, "message")?;
        panic!("{message}");
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn last_message() -> String {
        let ptr = crate::error::cb_last_error_message();
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_string()
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = status_boundary(|| panic!("index {} out of range", 7));
        assert_eq!(status, cb_status::CB_PANIC);
        assert_eq!(last_message(), "internal panic: index 7 out of range");
        let status = status_boundary(|| std::panic::panic_any(42_u8));
        assert_eq!(status, cb_status::CB_PANIC);
        assert_eq!(last_message(), "internal panic: no message");
        // The next successful call clears the error.
        assert_eq!(status_boundary(|| Ok(())), cb_status::CB_OK);
        assert_eq!(last_message(), "");
    }

    #[test]
    fn a_panic_in_a_value_function_returns_the_default() {
        let value: usize = value_boundary(0, || panic!("boom"));
        assert_eq!(value, 0);
        assert_eq!(last_message(), "internal panic: boom");
    }

    #[test]
    fn a_panicking_payload_destructor_is_contained() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("again");
            }
        }
        let status = status_boundary(|| std::panic::panic_any(Bomb));
        assert_eq!(status, cb_status::CB_PANIC);
    }

    #[cfg(feature = "test-panic")]
    #[test]
    fn the_debug_panic_function_reports_its_message() {
        let status = unsafe { cb_debug_panic(c"deliberate".as_ptr()) };
        assert_eq!(status, cb_status::CB_PANIC);
        assert_eq!(last_message(), "internal panic: deliberate");
    }
}
