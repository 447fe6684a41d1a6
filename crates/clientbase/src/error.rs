//! The one error type of the crate.
//!
//! Every fallible call returns [`Error`]. An error carries an [`ErrorKind`] that
//! bindings map to their own status codes and exception classes, plus the record
//! and the field it is about and a human readable reason, so that a message such
//! as `invalid value: client 17, field "loyalty_percent": 140 is above 100` tells
//! the user exactly what to fix.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What went wrong, in broad strokes. Bindings map each kind to one status code
/// (C) or one exception class (Python).
///
/// In JSON and in reports a kind is its stable snake_case [`name`](ErrorKind::name)
/// (`"unknown_tag"`), which [`str::parse`] reads back.
///
/// ```
/// use clientbase::ErrorKind;
/// assert_eq!("unknown_tag".parse::<ErrorKind>()?, ErrorKind::UnknownTag);
/// assert_eq!(serde_json::to_string(&ErrorKind::InvalidValue).unwrap(), r#""invalid_value""#);
/// assert!("bad_luck".parse::<ErrorKind>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value is malformed or out of its allowed range.
    InvalidValue,
    /// A referenced client, deal or activity does not exist.
    UnknownId,
    /// A tag is not in the declared vocabulary.
    UnknownTag,
    /// A custom field is not declared in the schema.
    UnknownField,
    /// A custom field value does not have the declared type.
    FieldType,
    /// An amount of money is in a different currency than required.
    CurrencyMismatch,
    /// A schema declaration is invalid (empty name, conflicting redeclaration, ...).
    Schema,
    /// The change conflicts with what the base holds (a record still referenced, ...).
    Conflict,
    /// CSV input could not be read at all (a bad row is reported, not raised).
    Csv,
    /// JSON input is malformed or does not describe the expected data.
    Json,
    /// Reading or writing failed at the operating system level.
    Io,
    /// A base file is missing, foreign, damaged, from a newer version, locked by
    /// another program, or could not be written.
    Storage,
    /// The actor's access policy forbids the call (an export, the change log, a
    /// write through a read-only view); the message gives the reason.
    Forbidden,
}

impl ErrorKind {
    /// Every kind, in the order of their stable binding numbers (C status = index + 1).
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidValue,
        ErrorKind::UnknownId,
        ErrorKind::UnknownTag,
        ErrorKind::UnknownField,
        ErrorKind::FieldType,
        ErrorKind::CurrencyMismatch,
        ErrorKind::Schema,
        ErrorKind::Conflict,
        ErrorKind::Csv,
        ErrorKind::Json,
        ErrorKind::Io,
        ErrorKind::Storage,
        ErrorKind::Forbidden,
    ];

    /// The stable snake_case name (`unknown_tag`), used by bindings and test vectors.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidValue => "invalid_value",
            ErrorKind::UnknownId => "unknown_id",
            ErrorKind::UnknownTag => "unknown_tag",
            ErrorKind::UnknownField => "unknown_field",
            ErrorKind::FieldType => "field_type",
            ErrorKind::CurrencyMismatch => "currency_mismatch",
            ErrorKind::Schema => "schema",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Csv => "csv",
            ErrorKind::Json => "json",
            ErrorKind::Io => "io",
            ErrorKind::Storage => "storage",
            ErrorKind::Forbidden => "forbidden",
        }
    }

    /// A short lower-case description of the kind, used as the message prefix.
    pub fn description(self) -> &'static str {
        match self {
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::UnknownId => "unknown id",
            ErrorKind::UnknownTag => "unknown tag",
            ErrorKind::UnknownField => "unknown field",
            ErrorKind::FieldType => "wrong field type",
            ErrorKind::CurrencyMismatch => "currency mismatch",
            ErrorKind::Schema => "invalid schema",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Csv => "CSV error",
            ErrorKind::Json => "JSON error",
            ErrorKind::Io => "I/O error",
            ErrorKind::Storage => "storage error",
            ErrorKind::Forbidden => "forbidden",
        }
    }
}

impl FromStr for ErrorKind {
    type Err = Error;

    /// Reads a kind from its [`name`](ErrorKind::name).
    fn from_str(name: &str) -> Result<ErrorKind> {
        ErrorKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
                invalid(
                    "kind",
                    format!("{name:?} is not an error kind ({})", names.join(", ")),
                )
            })
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// An error: its kind, the record and field it is about, and the reason.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    record: Option<String>,
    field: Option<String>,
    reason: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// Creates an error of `kind` with a reason.
    pub fn new(kind: ErrorKind, reason: impl Into<String>) -> Error {
        Error {
            kind,
            record: None,
            field: None,
            reason: reason.into(),
            source: None,
        }
    }

    /// Names the record the error is about (`client 17`, `row 12`, `new deal`).
    pub fn with_record(mut self, record: impl Into<String>) -> Error {
        self.record = Some(record.into());
        self
    }

    /// Names the record unless one is already named (inner context wins).
    pub fn or_record(mut self, record: impl FnOnce() -> String) -> Error {
        if self.record.is_none() {
            self.record = Some(record());
        }
        self
    }

    /// Names the field the error is about (`tags`, `custom.rooms`, `phones[1]`).
    pub fn with_field(mut self, field: impl Into<String>) -> Error {
        self.field = Some(field.into());
        self
    }

    /// Prefixes the field path with a parent (`lines[2]` + `unit_price`).
    pub fn in_field(mut self, parent: impl AsRef<str>) -> Error {
        let parent = parent.as_ref();
        self.field = Some(match self.field.take() {
            Some(inner) if inner.starts_with('[') => format!("{parent}{inner}"),
            Some(inner) => format!("{parent}.{inner}"),
            None => parent.to_string(),
        });
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The record the error is about, if known.
    pub fn record(&self) -> Option<&str> {
        self.record.as_deref()
    }

    /// The field the error is about, if known.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// Why the value or operation was rejected, without record and field.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        match (&self.record, &self.field) {
            (Some(record), Some(field)) => write!(f, ": {record}, field \"{field}\"")?,
            (Some(record), None) => write!(f, ": {record}")?,
            (None, Some(field)) => write!(f, ": field \"{field}\"")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, err.to_string()).with_source(err)
    }
}

impl From<serde_json::Error> for Error {
    /// A JSON error; an unknown or repeated key is named as the field.
    fn from(err: serde_json::Error) -> Error {
        let kind = if err.is_io() {
            ErrorKind::Io
        } else {
            ErrorKind::Json
        };
        let error = Error::new(kind, err.to_string());
        let error = match offending_key(&err.to_string()) {
            Some(key) => error.with_field(key),
            None => error,
        };
        error.with_source(err)
    }
}

/// The key serde names in an "unknown field `x`" or "duplicate field `x`" message.
pub(crate) fn offending_key(message: &str) -> Option<&str> {
    ["unknown field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| message.split_once(prefix))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(key, _)| key)
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for an [`ErrorKind::InvalidValue`] error about `field`.
pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, reason).with_field(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_record_field_and_reason() {
        let err = invalid("loyalty_percent", "140 is above 100").with_record("client 17");
        assert_eq!(
            err.to_string(),
            "invalid value: client 17, field \"loyalty_percent\": 140 is above 100"
        );
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.record(), Some("client 17"));
        assert_eq!(err.field(), Some("loyalty_percent"));
    }

    #[test]
    fn nested_fields_compose() {
        let err = invalid("unit_price", "negative").in_field("lines[2]");
        assert_eq!(err.field(), Some("lines[2].unit_price"));
        let err = invalid("[0]", "empty").in_field("phones");
        assert_eq!(err.field(), Some("phones[0]"));
    }

    #[test]
    fn kinds_are_named_once_and_read_back() {
        for kind in ErrorKind::ALL {
            assert_eq!(kind.name().parse::<ErrorKind>().unwrap(), *kind);
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, serde_json::Value::from(kind.name()));
            assert_eq!(serde_json::from_value::<ErrorKind>(json).unwrap(), *kind);
        }
        let err = "nope".parse::<ErrorKind>().unwrap_err();
        assert!(err.reason().contains("invalid_value, unknown_id"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_the_field_of_a_json_error() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Rules {
            window_days: u32,
        }
        let err = Error::from(serde_json::from_str::<Rules>(r#"{"window": 3}"#).unwrap_err());
        assert_eq!(err.kind(), ErrorKind::Json);
        assert_eq!(err.field(), Some("window"));
        assert!(err.reason().contains("expected `window_days`"), "{err}");
        let err = Error::from(serde_json::from_str::<Rules>("[").unwrap_err());
        assert_eq!(err.field(), None);
    }

    #[test]
    fn inner_record_wins() {
        let err = invalid("x", "y")
            .with_record("row 3")
            .or_record(|| "client 1".into());
        assert_eq!(err.record(), Some("row 3"));
    }
}
