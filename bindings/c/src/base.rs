//! `cb_base`: the client base handle, its schema, clock and JSON (counts are
//! the `counts` capability: `cb_base_call(base, "counts", NULL, &json)`).

use std::ffi::c_char;

use chrono::DateTime;
use clientbase::{ClientBase, Error, ErrorKind, FieldDef, OpenOptions, Schema};

use crate::error::cb_status;
use crate::ffi::{arg_str, opt_json_arg, put_text, BoxHandle};
use crate::panic::{status_boundary, value_boundary};

/// A client base: clients, deals and activities, validated on every write.
///
/// Made by `cb_base_new` or `cb_base_from_json`, freed by `cb_base_free`.
pub struct cb_base {
    _private: [u8; 0],
}

impl BoxHandle for cb_base {
    type Inner = ClientBase;
}

/// Makes an empty base.
///
/// `schema_json` is the schema as JSON (`{"tags":["vip"],"fields":[{"name":
/// "rooms","type":"integer"}]}`) or `NULL` for an empty schema; it is borrowed.
/// On success `*out_base` receives a new base that the caller owns and frees
/// with `cb_base_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_new(
    schema_json: *const c_char,
    out_base: *mut *mut cb_base,
) -> cb_status {
    status_boundary(|| {
        let schema: Schema = opt_json_arg(schema_json, "schema_json")?;
        cb_base::put(out_base, "out_base", ClientBase::new(schema))
    })
}

/// Frees a base and everything in it. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_base_free(base: *mut cb_base) {
    value_boundary((), || cb_base::free(base))
}

/// Reads a whole base from the JSON that `cb_base_to_json` writes, validating
/// every record (errors name the record, as in `client 17`).
///
/// `json` is borrowed. On success `*out_base` receives a new base that the
/// caller owns and frees with `cb_base_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_from_json(
    json: *const c_char,
    out_base: *mut *mut cb_base,
) -> cb_status {
    status_boundary(|| {
        let base = ClientBase::from_json(arg_str(json, "json")?)?;
        cb_base::put(out_base, "out_base", base)
    })
}

/// Writes the whole base (schema, records, id counters) as JSON;
/// `cb_base_from_json` reads it back into an equal base.
///
/// On success `*out_json` receives a string the caller owns and frees with
/// `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_to_json(
    base: *const cb_base,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| put_text(out_json, "out_json", cb_base::arg(base, "base")?.to_json()?))
}

/// Opens the base kept in the file at `path` (SQLite, made by
/// `cb_base_create` or `cb_base_save_as`); every later write through this
/// handle is committed to the file before the call returns.
///
/// `options_json` is `NULL` or `{"create": bool, "read_only": bool,
/// "sync_every_commit": bool}`; both strings are borrowed. A missing, foreign,
/// damaged, newer or locked file is `CB_STORAGE` with the file named in the
/// last error. On success `*out_base` receives a base the caller frees with
/// `cb_base_free`, which closes the file.
#[no_mangle]
pub unsafe extern "C" fn cb_base_open(
    path: *const c_char,
    options_json: *const c_char,
    out_base: *mut *mut cb_base,
) -> cb_status {
    status_boundary(|| {
        let path = arg_str(path, "path")?;
        let options: OpenOptions = opt_json_arg(options_json, "options_json")?;
        crate::ffi::out_arg(out_base, "out_base")?;
        cb_base::put(out_base, "out_base", ClientBase::open_with(path, &options)?)
    })
}

/// Creates a new base file at `path` holding an empty base with the schema
/// `schema_json` (`NULL`: empty), and opens it (see `cb_base_open`). An
/// existing file is never overwritten.
#[no_mangle]
pub unsafe extern "C" fn cb_base_create(
    path: *const c_char,
    schema_json: *const c_char,
    out_base: *mut *mut cb_base,
) -> cb_status {
    status_boundary(|| {
        let path = arg_str(path, "path")?;
        let schema: Schema = opt_json_arg(schema_json, "schema_json")?;
        crate::ffi::out_arg(out_base, "out_base")?;
        cb_base::put(out_base, "out_base", ClientBase::create(path, schema)?)
    })
}

/// Writes the base into a new file at `path` and keeps it there: later writes
/// are committed to that file. An existing file is never overwritten.
#[no_mangle]
pub unsafe extern "C" fn cb_base_save_as(base: *mut cb_base, path: *const c_char) -> cb_status {
    status_boundary(|| Ok(cb_base::arg_mut(base, "base")?.save_as(arg_str(path, "path")?)?))
}

/// Copies the base into a new base file at `path` while it stays in use (an
/// online backup of a base kept in a file); the same as the `backup`
/// capability. An existing file is never overwritten.
#[no_mangle]
pub unsafe extern "C" fn cb_base_backup(base: *const cb_base, path: *const c_char) -> cb_status {
    status_boundary(|| Ok(cb_base::arg(base, "base")?.backup(arg_str(path, "path")?)?))
}

/// Keeps a change log for a base in memory: its last `limit` entries, read
/// with `cb_base_call(base, "changes", params, &json)`; `0` stops it. On a base
/// kept in a file (which keeps its whole log) this is `CB_STORAGE`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_keep_change_log(base: *mut cb_base, limit: usize) -> cb_status {
    status_boundary(|| Ok(cb_base::arg_mut(base, "base")?.keep_change_log(limit)?))
}

/// Freezes the clock that stamps `created_at` and `updated_at` at
/// `unix_seconds` (seconds since 1970-01-01T00:00:00Z), for replays, imports
/// "as of" a date and reproducible tests.
#[no_mangle]
pub unsafe extern "C" fn cb_base_freeze_clock(base: *mut cb_base, unix_seconds: i64) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let at = DateTime::from_timestamp(unix_seconds, 0).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("{unix_seconds} is out of the representable range"),
            )
            .with_field("unix_seconds")
        })?;
        base.freeze_clock(Some(at));
        Ok(())
    })
}

/// Lets the clock follow the system time again after `cb_base_freeze_clock`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_unfreeze_clock(base: *mut cb_base) -> cb_status {
    status_boundary(|| {
        cb_base::arg_mut(base, "base")?.freeze_clock(None);
        Ok(())
    })
}

/// Adds `tag` (borrowed) to the tag vocabulary. Declaring a tag twice is harmless.
#[no_mangle]
pub unsafe extern "C" fn cb_base_declare_tag(base: *mut cb_base, tag: *const c_char) -> cb_status {
    status_boundary(|| Ok(cb_base::arg_mut(base, "base")?.declare_tag(arg_str(tag, "tag")?)?))
}

/// Declares a custom field from its JSON definition (borrowed), such as
/// `{"name":"rooms","type":"integer"}`,
/// `{"name":"budget","type":"money","currency":"RUB"}` or
/// `{"name":"pet","type":"one_of","options":["cat","dog"]}`. Redeclaring a field
/// identically is harmless; differently, it is `CB_SCHEMA`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_declare_field_json(
    base: *mut cb_base,
    field_json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let field: FieldDef = serde_json::from_str(arg_str(field_json, "field_json")?)?;
        Ok(base.declare_field(field)?)
    })
}
