//! Plain-input capabilities: phones, emails and names read from lists of
//! values, with the JSON form of what each value reads as. These forms are the
//! ones every binding shows (a parsed phone as a dict in Python, as JSON in C).

use super::*;
use crate::email::{EmailError, EmailNormalizer, ParsedEmail};
use crate::phone::{ParsedPhone, PhoneError, PhoneFormat, PhoneNormalizer};
use serde::ser::{SerializeStruct, Serializer};

impl Serialize for ParsedPhone {
    /// `{"e164", "extension", "kind", "region", "country_code", "national",
    /// "international"}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("ParsedPhone", 7)?;
        out.serialize_field("e164", self.e164())?;
        out.serialize_field("extension", &self.extension())?;
        out.serialize_field("kind", self.kind().name())?;
        out.serialize_field("region", self.region())?;
        out.serialize_field("country_code", &self.country_code())?;
        out.serialize_field("national", &self.format(PhoneFormat::National))?;
        out.serialize_field("international", &self.format(PhoneFormat::International))?;
        out.end()
    }
}

impl Serialize for PhoneError {
    /// `{"problem", "reason"}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("PhoneError", 2)?;
        out.serialize_field("problem", self.problem().name())?;
        out.serialize_field("reason", self.reason())?;
        out.end()
    }
}

impl Serialize for ParsedEmail {
    /// `{"address", "local", "domain", "key", "suggestion"}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("ParsedEmail", 5)?;
        out.serialize_field("address", self.address())?;
        out.serialize_field("local", self.local())?;
        out.serialize_field("domain", self.domain())?;
        out.serialize_field("key", self.key())?;
        out.serialize_field("suggestion", &self.suggestion())?;
        out.end()
    }
}

impl Serialize for EmailError {
    /// `{"problem", "reason", "suggestion"}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("EmailError", 3)?;
        out.serialize_field("problem", self.problem().name())?;
        out.serialize_field("reason", self.reason())?;
        out.serialize_field("suggestion", &self.suggestion())?;
        out.end()
    }
}

/// A name read by [`PersonName::parse`](crate::PersonName::parse), with what
/// follows from it: `{"surname", "given", "patronymic", "gender", "initials",
/// "key"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameReading {
    /// The surname, if found.
    pub surname: Option<String>,
    /// The given name, if found.
    pub given: Option<String>,
    /// The patronymic, if found.
    pub patronymic: Option<String>,
    /// The gender the patronymic or given name tells.
    pub gender: Option<crate::name::Gender>,
    /// `Иванов С. П.`.
    pub initials: String,
    /// The matching key (see [`name_key`](crate::name_key)).
    pub key: String,
}

impl From<&crate::client::PersonName> for NameReading {
    fn from(name: &crate::client::PersonName) -> NameReading {
        NameReading {
            surname: name.surname.clone(),
            given: name.given.clone(),
            patronymic: name.patronymic.clone(),
            gender: name.gender(),
            initials: name.initials(),
            key: name.key(),
        }
    }
}

/// One row of a parse report: the value's row, and what it reads as or why
/// it does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading<T, E> {
    /// The row of the value in the input (0-based). With `split`, several
    /// numbers of one field share their field's row.
    pub row: usize,
    /// The piece of the field as typed (label included), with `split` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// A label typed next to the number (`раб.`), with `split` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the value reads as, when it is valid.
    pub valid: Option<T>,
    /// Why it is not valid, otherwise (a missing value is `null_input`).
    pub invalid: Option<E>,
}

impl<T, E> Reading<T, E> {
    fn new(row: usize, result: std::result::Result<T, E>) -> Reading<T, E> {
        let (valid, invalid) = match result {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e)),
        };
        Reading {
            row,
            raw: None,
            label: None,
            valid,
            invalid,
        }
    }
}

/// Params of [`parse_phones`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhonesParams {
    /// The values, one per row; `null` is a missing value.
    pub values: Vec<Option<String>>,
    /// The region of numbers typed without a country code (default `RU`).
    pub region: String,
    /// Read every number of a field that holds several (default false: a
    /// field is one number).
    pub split: bool,
}

impl Default for PhonesParams {
    fn default() -> PhonesParams {
        PhonesParams {
            values: Vec::new(),
            region: "RU".into(),
            split: false,
        }
    }
}

/// A missing value in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// Always `null_input`.
    pub problem: &'static str,
    /// Always `no value`.
    pub reason: &'static str,
}

const MISSING: Missing = Missing {
    problem: "null_input",
    reason: "no value",
};

/// A problem of a phone batch row: the phone's, or a missing value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RowProblem<E> {
    /// The value's own problem.
    Value(E),
    /// There was no value.
    Missing(Missing),
}

/// Reads a column of phone numbers: one row per value, or with `split` one row
/// per number found in each field.
pub fn parse_phones(
    params: &PhonesParams,
) -> Result<Vec<Reading<ParsedPhone, RowProblem<PhoneError>>>> {
    let normalizer = PhoneNormalizer::new(&params.region).map_err(|e| e.with_field("region"))?;
    if params.split {
        let mut rows = Vec::new();
        for (row, value) in params.values.iter().enumerate() {
            let Some(field) = value else {
                rows.push(Reading::new(row, Err(RowProblem::Missing(MISSING))));
                continue;
            };
            for (candidate, parsed) in normalizer.split_parse(field) {
                let mut reading = Reading::new(row, parsed.map_err(RowProblem::Value));
                reading.raw = Some(candidate.raw.to_string());
                reading.label = candidate.label.map(str::to_string);
                rows.push(reading);
            }
        }
        return Ok(rows);
    }
    Ok(normalizer
        .parse_rows(&params.values)
        .into_iter()
        .enumerate()
        .map(|(row, parsed)| {
            let parsed = match parsed {
                Some(result) => result.map_err(RowProblem::Value),
                None => Err(RowProblem::Missing(MISSING)),
            };
            Reading::new(row, parsed)
        })
        .collect())
}

/// Params of [`parse_emails`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailsParams {
    /// The values, one per row; `null` is a missing value.
    pub values: Vec<Option<String>>,
    /// Provider rules for matching keys (default true).
    pub provider_rules: bool,
}

impl Default for EmailsParams {
    fn default() -> EmailsParams {
        EmailsParams {
            values: Vec::new(),
            provider_rules: true,
        }
    }
}

/// Checks a column of email addresses, one row per value.
pub fn parse_emails(
    params: &EmailsParams,
) -> Result<Vec<Reading<ParsedEmail, RowProblem<EmailError>>>> {
    let normalizer = EmailNormalizer::new().with_provider_rules(params.provider_rules);
    Ok(normalizer
        .parse_rows(&params.values)
        .into_iter()
        .enumerate()
        .map(|(row, parsed)| {
            let parsed = match parsed {
                Some(result) => result.map_err(RowProblem::Value),
                None => Err(RowProblem::Missing(MISSING)),
            };
            Reading::new(row, parsed)
        })
        .collect())
}

/// Params of [`parse_names`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NamesParams {
    /// Full names as typed, one per row, in any order of parts; `null` is a
    /// missing value.
    pub values: Vec<Option<String>>,
}

/// Splits a column of full names into parts, one row per value (a missing
/// value reads as an empty name).
pub fn parse_names(params: &NamesParams) -> Result<Vec<NameReading>> {
    Ok(crate::batch::map_column(&params.values, |value| {
        NameReading::from(&crate::client::PersonName::parse(
            value.as_deref().unwrap_or(""),
        ))
    }))
}

impl PhoneNormalizer {
    /// Finds the numbers in a field ([`PhoneNormalizer::split_field`]) and
    /// reads each one.
    pub fn split_parse<'a>(
        &self,
        field: &'a str,
    ) -> Vec<(
        crate::phone::PhoneCandidate<'a>,
        std::result::Result<ParsedPhone, PhoneError>,
    )> {
        self.split_field(field)
            .into_iter()
            .map(|candidate| {
                let parsed = self.parse(candidate.text);
                (candidate, parsed)
            })
            .collect()
    }

    /// Reads a column with missing values: one result per row, `None` where
    /// the row has no value; in parallel with the `parallel` feature.
    pub fn parse_rows<S: AsRef<str> + Sync>(
        &self,
        rows: &[Option<S>],
    ) -> Vec<Option<std::result::Result<ParsedPhone, PhoneError>>> {
        crate::batch::map_column(rows, |s| s.as_ref().map(|s| self.parse(s.as_ref())))
    }
}

impl EmailNormalizer {
    /// Checks a column with missing values: one result per row, `None` where
    /// the row has no value; in parallel with the `parallel` feature.
    pub fn parse_rows<S: AsRef<str> + Sync>(
        &self,
        rows: &[Option<S>],
    ) -> Vec<Option<std::result::Result<ParsedEmail, EmailError>>> {
        crate::batch::map_column(rows, |s| s.as_ref().map(|s| self.parse(s.as_ref())))
    }
}
