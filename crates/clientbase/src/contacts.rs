//! Normalizing clients' contact points in place: phones get their E.164,
//! extension and kind, emails their normalized address, fields holding several
//! numbers become several phones, and a report says what changed, what is
//! invalid and why.
//!
//! What was typed is never lost: `raw` is kept on every phone and email. When a
//! phone field holding several numbers is split, each new phone's `raw` is its
//! piece of the field exactly as typed (label included), so the pieces, in order,
//! are the original text without the separators; the report's [`SplitContact`]
//! keeps the whole original text.
//!
//! ```
//! use clientbase::{Client, ContactNormalizer, PhoneKind};
//! let mut client = Client::person("Иванов", "Сергей", None)
//!     .with_phone("8 916 123 45 67, 8 495 765 43 21 (раб.)")
//!     .with_email("Sergey@Mail.RU");
//! let report = ContactNormalizer::default().normalize(&mut client);
//! assert_eq!(client.phones.len(), 2);
//! assert_eq!(client.phones[0].e164.as_deref(), Some("+79161234567"));
//! assert_eq!(client.phones[1].raw, "8 495 765 43 21 (раб.)");
//! assert_eq!(client.phones[1].label.as_deref(), Some("раб."));
//! assert_eq!(client.phones[1].kind, Some(PhoneKind::FixedLine));
//! assert_eq!(client.emails[0].normalized.as_deref(), Some("Sergey@mail.ru"));
//! assert_eq!(report.split.len(), 1);
//! assert_eq!(report.changed, 3);
//! assert!(report.invalid.is_empty());
//! ```

use crate::base::ClientBase;
use crate::client::{Client, Email, Phone};
use crate::email::EmailNormalizer;
use crate::error::ErrorKind;
use crate::ids::ClientId;
use crate::phone::PhoneNormalizer;
use serde::{Deserialize, Serialize};

/// A contact point that could not be normalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidContact {
    /// The client.
    pub client: ClientId,
    /// The field (`phones[1]`, `emails[0]`), indexed after splitting.
    pub field: String,
    /// What was typed.
    pub raw: String,
    /// Why it is invalid.
    pub reason: String,
}

/// A phone field that held several numbers and became several phones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitContact {
    /// The client.
    pub client: ClientId,
    /// The field before splitting (`phones[0]`); the new phones take its place.
    pub field: String,
    /// The whole field as typed.
    pub original: String,
    /// How many phones it became.
    pub into: usize,
}

/// A likely typo in a valid email address, offered and not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSuggestion {
    /// The client.
    pub client: ClientId,
    /// The field (`emails[0]`).
    pub field: String,
    /// What was typed.
    pub raw: String,
    /// The address the user probably meant.
    pub suggestion: String,
}

/// A client the base refused to store after normalizing its contact points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedClient {
    /// The client; the stored client is unchanged.
    pub client: ClientId,
    /// What kind of error the base raised (in JSON its name, `"unknown_tag"`).
    pub kind: ErrorKind,
    /// The whole error message, naming the record and the field.
    pub reason: String,
}

/// What normalizing contact points did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactReport {
    /// Clients looked at.
    pub clients: usize,
    /// Clients whose contact points changed.
    pub clients_changed: usize,
    /// Contact points (phones and emails) whose normalized form, label or split changed.
    pub changed: usize,
    /// Contact points that are not valid, with the reason.
    pub invalid: Vec<InvalidContact>,
    /// Phone fields split into several phones.
    pub split: Vec<SplitContact>,
    /// Email typos to offer the user.
    pub suggestions: Vec<EmailSuggestion>,
    /// Clients the base refused to store after normalization (should stay empty),
    /// with the error.
    pub rejected: Vec<RejectedClient>,
}

impl ContactReport {
    /// Adds another report's counts and entries to this one.
    pub fn merge(&mut self, other: ContactReport) {
        self.clients += other.clients;
        self.clients_changed += other.clients_changed;
        self.changed += other.changed;
        self.invalid.extend(other.invalid);
        self.split.extend(other.split);
        self.suggestions.extend(other.suggestions);
        self.rejected.extend(other.rejected);
    }

    /// The invalid contact points as a table, one row each, ready for a
    /// DataFrame: `client` (uint64), `field`, `raw` and `reason` (text).
    pub fn invalid_table(&self) -> crate::Result<crate::table::Table> {
        use crate::table::{Column, Table};
        let rows = &self.invalid;
        Table::with_rows(
            rows.len(),
            vec![
                Column::from_uint64s("client", rows.iter().map(|r| Some(r.client.0))),
                Column::from_texts("field", rows.iter().map(|r| Some(r.field.as_str()))),
                Column::from_texts("raw", rows.iter().map(|r| Some(r.raw.as_str()))),
                Column::from_texts("reason", rows.iter().map(|r| Some(r.reason.as_str()))),
            ],
        )
    }
}

/// Normalizes the phones and emails of clients.
#[derive(Debug, Clone, Default)]
pub struct ContactNormalizer {
    /// How phones are read (default region Russia).
    pub phones: PhoneNormalizer,
    /// How emails are checked.
    pub emails: EmailNormalizer,
}

impl ContactNormalizer {
    /// A normalizer with these phone and email settings.
    pub fn new(phones: PhoneNormalizer, emails: EmailNormalizer) -> ContactNormalizer {
        ContactNormalizer { phones, emails }
    }

    /// Normalizes one client's phones and emails in place. Normalizing again
    /// changes nothing.
    pub fn normalize(&self, client: &mut Client) -> ContactReport {
        let mut report = ContactReport {
            clients: 1,
            ..ContactReport::default()
        };
        let pieces = self.split_phones(client, &mut report);
        for i in 0..client.phones.len() {
            let changed = self.normalize_phone(client.id, i, &mut client.phones[i], &mut report);
            if changed || pieces.get(i).copied().unwrap_or(false) {
                report.changed += 1;
            }
        }
        for i in 0..client.emails.len() {
            self.normalize_email(client.id, i, &mut client.emails[i], &mut report);
        }
        if report.changed > 0 {
            report.clients_changed = 1;
        }
        report
    }

    /// Splits phone fields holding several numbers; returns which phones are new pieces.
    fn split_phones(&self, client: &mut Client, report: &mut ContactReport) -> Vec<bool> {
        if !client
            .phones
            .iter()
            .any(|p| self.phones.split_field(&p.raw).len() > 1)
        {
            return Vec::new();
        }
        let mut phones = Vec::with_capacity(client.phones.len() + 1);
        let mut pieces = Vec::with_capacity(client.phones.len() + 1);
        for (i, phone) in std::mem::take(&mut client.phones).into_iter().enumerate() {
            let candidates = self.phones.split_field(&phone.raw);
            if candidates.len() < 2 {
                phones.push(phone);
                pieces.push(false);
                continue;
            }
            report.split.push(SplitContact {
                client: client.id,
                field: format!("phones[{i}]"),
                original: phone.raw.clone(),
                into: candidates.len(),
            });
            for candidate in &candidates {
                phones.push(Phone {
                    raw: candidate.raw.to_string(),
                    e164: None,
                    extension: None,
                    kind: None,
                    label: candidate
                        .label
                        .map(str::to_string)
                        .or_else(|| phone.label.clone()),
                    consent: phone.consent,
                });
                pieces.push(true);
            }
        }
        client.phones = phones;
        pieces
    }

    /// Normalizes one phone; returns whether it changed.
    fn normalize_phone(
        &self,
        client: ClientId,
        i: usize,
        phone: &mut Phone,
        report: &mut ContactReport,
    ) -> bool {
        let text = if phone.raw.trim().is_empty() {
            phone.e164.clone().unwrap_or_default()
        } else {
            phone.raw.clone()
        };
        let mut changed = false;
        if phone.label.is_none() {
            if let [candidate] = self.phones.split_field(&text).as_slice() {
                if let Some(label) = candidate.label {
                    phone.label = Some(label.to_string());
                    changed = true;
                }
            }
        }
        match self.phones.parse(&text) {
            Ok(parsed) => changed |= parsed.apply_to(phone),
            Err(err) => {
                changed |= phone.e164.take().is_some()
                    | phone.extension.take().is_some()
                    | phone.kind.take().is_some();
                report.invalid.push(InvalidContact {
                    client,
                    field: format!("phones[{i}]"),
                    raw: phone.raw.clone(),
                    reason: err.reason().to_string(),
                });
            }
        }
        changed
    }

    fn normalize_email(
        &self,
        client: ClientId,
        i: usize,
        email: &mut Email,
        report: &mut ContactReport,
    ) {
        let text = if email.raw.trim().is_empty() {
            email.normalized.clone().unwrap_or_default()
        } else {
            email.raw.clone()
        };
        let field = || format!("emails[{i}]");
        match self.emails.parse(&text) {
            Ok(parsed) => {
                if parsed.apply_to(email) {
                    report.changed += 1;
                }
                if let Some(suggestion) = parsed.suggestion() {
                    report.suggestions.push(EmailSuggestion {
                        client,
                        field: field(),
                        raw: email.raw.clone(),
                        suggestion: suggestion.to_string(),
                    });
                }
            }
            Err(err) => {
                if email.normalized.take().is_some() {
                    report.changed += 1;
                }
                if let Some(suggestion) = err.suggestion() {
                    report.suggestions.push(EmailSuggestion {
                        client,
                        field: field(),
                        raw: email.raw.clone(),
                        suggestion: suggestion.to_string(),
                    });
                }
                report.invalid.push(InvalidContact {
                    client,
                    field: field(),
                    raw: email.raw.clone(),
                    reason: err.reason().to_string(),
                });
            }
        }
    }
}

impl ClientBase {
    /// Normalizes every client's phones and emails (see [`ContactNormalizer`]),
    /// in parallel with the `parallel` feature. Changed clients are stored through
    /// [`ClientBase::update_client`], so they are validated and their
    /// `updated_at` is set.
    ///
    /// On a base kept in a file the changes are committed in one transaction;
    /// if that fails, nothing changed and the error is returned.
    pub fn normalize_contacts(
        &mut self,
        normalizer: &ContactNormalizer,
    ) -> crate::Result<ContactReport> {
        self.journaled("normalize_contacts", |base| {
            Ok(base.normalize_contacts_now(normalizer))
        })
    }

    fn normalize_contacts_now(&mut self, normalizer: &ContactNormalizer) -> ContactReport {
        let stored: Vec<&Client> = self.clients().collect();
        let normalized = crate::batch::map_column(&stored, |client| {
            let mut client = Client::clone(client);
            let report = normalizer.normalize(&mut client);
            (client, report)
        });
        let mut total = ContactReport::default();
        for (client, report) in normalized {
            let id = client.id;
            if report.changed > 0 {
                if let Err(err) = self.update_client(client) {
                    total.rejected.push(RejectedClient {
                        client: id,
                        kind: err.kind(),
                        reason: err.to_string(),
                    });
                }
            }
            total.merge(report);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Value;

    #[test]
    fn invalid_contacts_as_a_table() {
        let report = ContactReport {
            invalid: vec![InvalidContact {
                client: ClientId(7),
                field: "phones[0]".into(),
                raw: "123".into(),
                reason: "too short".into(),
            }],
            ..ContactReport::default()
        };
        let table = report.invalid_table().unwrap();
        assert_eq!(table.rows(), 1);
        assert_eq!(table.column("client").unwrap().value(0), Value::UInt64(7));
        assert_eq!(table.column("raw").unwrap().value(0), Value::Text("123"));
        let empty = ContactReport::default().invalid_table().unwrap();
        assert_eq!(empty.rows(), 0);
        assert_eq!(empty.columns().len(), 4);
    }
}
