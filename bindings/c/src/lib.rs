//! # clientbase-c
//!
//! The C ABI of [`clientbase`]. It holds no business logic: every function
//! converts its C arguments, calls one core function and converts the result
//! back. The header `include/clientbase.h` is generated from this crate by
//! cbindgen (`bindings/c/cbindgen.toml`) and committed.
//!
//! ## One bridge, few handles
//!
//! Structured calls go through the core's capabilities by name, JSON in and
//! JSON out (`cb_call`, `cb_base_call`, `cb_base_call_mut`), so a new core
//! capability needs no code here. Typed handles stay where C needs speed or
//! memory control: the base, the match index, the phone and email normalizers
//! (one value as JSON in the core's serde form, a batch as a table), and
//! tables (`cb_base_call_table`), whose columns C reads through the Arrow C
//! Data Interface without copying. The C enum that mirrors a core list of
//! names (`cb_status`) maps to the core by name, checked against the header by
//! a unit test.
//!
//! ## Conventions (they hold for every function)
//!
//! - Names are `cb_<object>_<verb>`. A function taking `const cb_base *` does
//!   not change the base; one taking `cb_base *` may. Inputs come before outputs.
//! - Objects are opaque handles made by `cb_<object>_new` (or another
//!   constructor) and released by `cb_<object>_free`. Freeing `NULL` does
//!   nothing. A handle may move between threads; a handle that is being changed
//!   must not be used by another thread at the same time, and `const` calls may
//!   run concurrently.
//! - Every fallible function returns a [`cb_status`] with stable numbers.
//!   Out-parameters are written only when it returns `CB_OK`, and are left
//!   untouched otherwise.
//! - A `NULL` pointer argument where one is required gives `CB_NULL_PARAMETER`,
//!   a string argument that is not UTF-8 gives `CB_INVALID_UTF8`; neither
//!   crashes. String arguments are NUL-terminated UTF-8 and are only borrowed for
//!   the duration of the call.
//! - Every fallible call first clears the calling thread's last error, and on
//!   failure records it: `cb_last_error_message()` (the full message, naming the
//!   record, the field and the reason), `cb_last_error_record()`,
//!   `cb_last_error_field()` and `cb_last_error_status()`. The pointers they
//!   return are owned by the library and stay valid until the next call on the
//!   same thread that returns a `cb_status`.
//! - A `char *` that the library returns through an out-parameter is owned by
//!   the caller and must be released with `cb_string_free`, the only function
//!   that frees library strings. A `const char *` that the library returns is
//!   borrowed: its documentation says until when it stays valid.
//! - Every function body runs inside a panic boundary: an internal panic
//!   becomes `CB_PANIC` (or a harmless default for functions that return no
//!   status), with the last error `internal panic: <message>`. It never unwinds
//!   into C and never aborts the host. After `CB_PANIC` the objects passed to
//!   that call may be half-changed; free them rather than keep using them.
//!
//! ## Safety
//!
//! The functions are `unsafe extern "C"`: every pointer argument must be `NULL`
//! or point to what its documentation says (a live handle from this library, a
//! NUL-terminated string, a writable out-parameter). Handles must not be used
//! after they are freed, nor freed twice.
//!
//! ## Feature flags
//!
//! - `test-panic`: exports `cb_debug_panic`, which panics on purpose inside the
//!   panic boundary, for the C tests. Never enabled in a release.
#![deny(missing_docs)]
#![allow(non_camel_case_types)]
// The crate-level "Safety" section above covers every function; repeating it on
// each one would only bloat the generated header.
#![allow(clippy::missing_safety_doc)]

// The header lists items in this order: statuses and errors, strings, then
// the objects from the base outwards.
mod error;
mod ffi;
mod panic;

mod base;

mod record;

mod csv_io;

mod phone;

mod email;

mod name;

mod dedup;

mod capability;

mod table;

mod render;

pub use base::*;
pub use capability::*;
pub use csv_io::*;
pub use dedup::*;
pub use email::*;
pub use error::*;
pub use ffi::{cb_string_free, cb_version};
pub use name::*;
#[cfg(feature = "test-panic")]
pub use panic::cb_debug_panic;
pub use phone::*;
pub use record::*;
pub use render::*;
pub use table::*;

mod access;
pub use access::*;
