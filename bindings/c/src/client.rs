//! Clients: add, update and fetch, from JSON or through typed calls.

use std::ffi::c_char;

use clientbase::{Client, ClientBase, ClientId, FieldValue};

use crate::base::{cb_base, record_json};
use crate::error::{cb_status, CbResult};
use crate::ffi::{arg_opt_str, arg_str, out_arg, BoxHandle};
use crate::panic::status_boundary;

/// Adds a client described as JSON (borrowed), for example
/// `{"kind":"person","surname":"Иванов","given":"Иван","phones":[{"raw":"8 916 123-45-67"}],"tags":["vip"]}`
/// or `{"kind":"company","legal_name":"ООО «Ромашка»","tax_id":"7707083893"}`.
/// Any `id` in it is ignored. On success `*out_id` receives the new client's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_client_json(
    base: *mut cb_base,
    client_json: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let client_json = arg_str(client_json, "client_json")?;
        let out_id = out_arg(out_id, "out_id")?;
        let client: Client = serde_json::from_str(client_json)?;
        *out_id = base.add_client(client)?.get();
        Ok(())
    })
}

/// Adds a person. `surname` and `given` are required (an empty string means
/// "unknown"), `patronymic` may be `NULL`; all are borrowed. On success `*out_id`
/// receives the new client's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_person(
    base: *mut cb_base,
    surname: *const c_char,
    given: *const c_char,
    patronymic: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let surname = arg_str(surname, "surname")?;
        let given = arg_str(given, "given")?;
        let patronymic = arg_opt_str(patronymic, "patronymic")?;
        let out_id = out_arg(out_id, "out_id")?;
        *out_id = base
            .add_client(Client::person(surname, given, patronymic))?
            .get();
        Ok(())
    })
}

/// Adds a company with its legal name and, unless `NULL`, its tax id (ИНН, whose
/// check digits are verified); both borrowed. On success `*out_id` receives the
/// new client's id.
#[no_mangle]
pub unsafe extern "C" fn cb_base_add_company(
    base: *mut cb_base,
    legal_name: *const c_char,
    tax_id: *const c_char,
    out_id: *mut u64,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let legal_name = arg_str(legal_name, "legal_name")?;
        let tax_id = arg_opt_str(tax_id, "tax_id")?;
        let out_id = out_arg(out_id, "out_id")?;
        *out_id = base.add_client(Client::company(legal_name, tax_id))?.get();
        Ok(())
    })
}

/// Replaces a client with the one described as JSON (borrowed), found by its
/// `id`. A missing `created_at` is kept from the stored client; `updated_at` is
/// stamped.
#[no_mangle]
pub unsafe extern "C" fn cb_base_update_client_json(
    base: *mut cb_base,
    client_json: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let client_json = arg_str(client_json, "client_json")?;
        let client: Client = serde_json::from_str(client_json)?;
        base.update_client(client)?;
        Ok(())
    })
}

/// Adds a phone number, as typed (borrowed), to client `client_id`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_client_add_phone(
    base: *mut cb_base,
    client_id: u64,
    phone: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let phone = arg_str(phone, "phone")?;
        update_stored(base, client_id, |client| client.with_phone(phone))
    })
}

/// Adds an email address, as typed (borrowed), to client `client_id`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_client_add_email(
    base: *mut cb_base,
    client_id: u64,
    email: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let email = arg_str(email, "email")?;
        update_stored(base, client_id, |client| client.with_email(email))
    })
}

/// Tags client `client_id` with `tag` (borrowed), which must be in the vocabulary.
#[no_mangle]
pub unsafe extern "C" fn cb_base_client_add_tag(
    base: *mut cb_base,
    client_id: u64,
    tag: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let tag = arg_str(tag, "tag")?;
        update_stored(base, client_id, |client| client.with_tag(tag))
    })
}

/// Sets custom field `name` of client `client_id` from text (both borrowed),
/// converted to the declared type: `"3"` for an integer, `"1 500 000,00"` for
/// money, `"05.03.2021"` for a date, `"да"` for a bool, `"low, high"` for a
/// many-of field.
#[no_mangle]
pub unsafe extern "C" fn cb_base_client_set_field(
    base: *mut cb_base,
    client_id: u64,
    name: *const c_char,
    value: *const c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg_mut(base, "base")?;
        let name = arg_str(name, "name")?;
        let value = arg_str(value, "value")?;
        update_stored(base, client_id, |client| {
            client.with_field(name, FieldValue::Text(value.to_string()))
        })
    })
}

/// Fetches client `client_id` as JSON. On success `*out_json` receives a string
/// the caller owns and frees with `cb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_client_json(
    base: *const cb_base,
    client_id: u64,
    out_json: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = cb_base::arg(base, "base")?;
        let out_json = out_arg(out_json, "out_json")?;
        let id = ClientId(client_id);
        let client = base.client(id)?;
        *out_json = record_json(client)?;
        Ok(())
    })
}

/// Writes back a copy of stored client `id` changed by `change`; the core
/// validates and stamps it like any update.
fn update_stored(
    base: &mut ClientBase,
    id: u64,
    change: impl FnOnce(Client) -> Client,
) -> CbResult<()> {
    let id = ClientId(id);
    let client = base.client(id)?.clone();
    base.update_client(change(client))?;
    Ok(())
}
