//! How contact points look to a role that must not see them.

use super::ContactAccess;
use crate::client::{Client, Email, Messenger, Phone};

/// A phone number masked: the country code and the next three digits, then
/// stars, then the last two digits. A Russian number (`+79161234567`, or
/// `8 916 123-45-67` as typed) reads `+7 916 ***-**-67`; another number of ten
/// digits or more keeps its first three and last two digits
/// (`+375291234567` reads `+375 *******-67`); a shorter one keeps only its last
/// two (`******-67`), and one of fewer than six digits is `***`.
///
/// ```
/// use clientbase::access::mask_phone;
/// assert_eq!(mask_phone("+79161234567"), "+7 916 ***-**-67");
/// assert_eq!(mask_phone("8 (916) 123-45-67"), "+7 916 ***-**-67");
/// assert_eq!(mask_phone("+375291234567"), "+375 *******-67");
/// assert_eq!(mask_phone("12-34-56"), "****-56");
/// assert_eq!(mask_phone("112"), "***");
/// ```
pub fn mask_phone(phone: &str) -> String {
    let mut digits: Vec<u8> = phone.bytes().filter(u8::is_ascii_digit).collect();
    let n = digits.len();
    if n == 11 && digits[0] == b'8' && !phone.trim_start().starts_with('+') {
        digits[0] = b'7';
    }
    let text = |range: std::ops::Range<usize>| String::from_utf8_lossy(&digits[range]).into_owned();
    if n == 11 && digits[0] == b'7' {
        format!("+7 {} ***-**-{}", text(1..4), text(9..11))
    } else if n >= 10 {
        format!("+{} {}-{}", text(0..3), "*".repeat(n - 5), text(n - 2..n))
    } else if n >= 6 {
        format!("{}-{}", "*".repeat(n - 2), text(n - 2..n))
    } else {
        "***".to_string()
    }
}

/// An email address masked: the first character of the mailbox, three stars
/// and the domain (`ivanov@mail.ru` reads `i***@mail.ru`); text without an `@`
/// keeps only its first character.
///
/// ```
/// use clientbase::access::mask_email;
/// assert_eq!(mask_email("ivanov@mail.ru"), "i***@mail.ru");
/// assert_eq!(mask_email("Ольга.С@почта.рф"), "О***@почта.рф");
/// assert_eq!(mask_email("@mail.ru"), "***@mail.ru");
/// assert_eq!(mask_email("not an address"), "n***");
/// ```
pub fn mask_email(email: &str) -> String {
    let email = email.trim();
    let (local, domain) = match email.rsplit_once('@') {
        Some((local, domain)) => (local, Some(domain)),
        None => (email, None),
    };
    let first: String = local.chars().take(1).collect();
    match domain {
        Some(domain) => format!("{first}***@{domain}"),
        None => format!("{first}***"),
    }
}

/// A messenger id masked like a mailbox: its first character and three stars.
fn mask_handle(id: &str) -> String {
    let first: String = id.trim().trim_start_matches('@').chars().take(1).collect();
    format!("{first}***")
}

/// Applies `access` to a client's phones, emails and messenger ids: masked
/// ones keep their label, kind and consent, with the text masked and the
/// normalized form (E.164, the normalized email) removed; hidden ones are
/// removed.
pub(crate) fn mask_client(client: &mut Client, access: ContactAccess) {
    mask_phones(&mut client.phones, access);
    mask_emails(&mut client.emails, access);
    mask_messengers(&mut client.messengers, access);
}

fn mask_phones(phones: &mut Vec<Phone>, access: ContactAccess) {
    match access {
        ContactAccess::Full => {}
        ContactAccess::Masked => {
            for phone in phones {
                phone.raw = mask_phone(phone.e164.as_deref().unwrap_or(&phone.raw));
                phone.e164 = None;
                phone.extension = None;
            }
        }
        ContactAccess::Hidden => phones.clear(),
    }
}

fn mask_emails(emails: &mut Vec<Email>, access: ContactAccess) {
    match access {
        ContactAccess::Full => {}
        ContactAccess::Masked => {
            for email in emails {
                email.raw = mask_email(email.normalized.as_deref().unwrap_or(&email.raw));
                email.normalized = None;
            }
        }
        ContactAccess::Hidden => emails.clear(),
    }
}

fn mask_messengers(messengers: &mut Vec<Messenger>, access: ContactAccess) {
    match access {
        ContactAccess::Full => {}
        ContactAccess::Masked => {
            for messenger in messengers {
                messenger.id = mask_handle(&messenger.id);
            }
        }
        ContactAccess::Hidden => messengers.clear(),
    }
}

/// Applies `access` to the contact points a change log entry records (the
/// `phones`, `emails` and `messengers` of a client before and after), as
/// [`mask_client`] does to a client; a value that does not read as contact
/// points is cleared unless the access is full.
#[cfg(feature = "storage")]
pub(crate) fn mask_change(change: &mut crate::Change, access: ContactAccess) {
    if access == ContactAccess::Full {
        return;
    }
    for record in &mut change.records {
        for (field, diff) in record.fields.iter_mut() {
            for value in [&mut diff.before, &mut diff.after] {
                mask_value(field, value, access);
            }
        }
    }
}

#[cfg(feature = "storage")]
fn mask_value(field: &str, value: &mut serde_json::Value, access: ContactAccess) {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;
    fn masked<T: DeserializeOwned + Serialize>(
        value: &Value,
        access: ContactAccess,
        mask: fn(&mut Vec<T>, ContactAccess),
    ) -> Value {
        let Ok(mut items) = serde_json::from_value::<Vec<T>>(value.clone()) else {
            return Value::Null;
        };
        mask(&mut items, access);
        serde_json::to_value(items).unwrap_or(Value::Null)
    }
    if value.is_null() {
        return;
    }
    *value = match field {
        "phones" => masked(value, access, mask_phones),
        "emails" => masked(value, access, mask_emails),
        "messengers" => masked(value, access, mask_messengers),
        _ => return,
    };
}
