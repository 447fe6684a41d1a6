//! CSV import and export with column mappings.
//!
//! Client bases arrive as spreadsheets: exported from Excel, 1C or another CRM, with
//! Russian headers, `;` between cells, decimal commas and `dd.mm.yyyy` dates. A
//! [`ColumnMapping`] says which record field each column fills; the import reads
//! every row it can and reports every row it cannot, with the line, the column and
//! the reason. Nothing is dropped without a word.
//!
//! ```
//! use clientbase::{ClientBase, ColumnMapping, CsvOptions, Schema};
//!
//! let mut schema = Schema::new();
//! schema.declare_tag("vip")?;
//! let mut base = ClientBase::new(schema);
//!
//! let csv = "\u{feff}Фамилия;Имя;Телефон;Дата рождения;Метки\n\
//!            Иванова;Анна;8 916 123-45-67;05.03.1990;vip\n\
//!            Петров;Пётр;+7 903 000-00-00;31.02.1985;\n";
//! let mapping = ColumnMapping::from_pairs([
//!     ("Фамилия", "surname"),
//!     ("Имя", "given_name"),
//!     ("Телефон", "phone"),
//!     ("Дата рождения", "birthday"),
//!     ("Метки", "tags"),
//! ])?;
//! let report = base.import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
//!
//! assert_eq!(report.imported.len(), 1);
//! let rejected = &report.rejected[0];
//! assert_eq!(rejected.line, 3);
//! assert_eq!(rejected.column.as_deref(), Some("Дата рождения"));
//! assert_eq!(rejected.field.as_deref(), Some("birthday"));
//! assert_eq!(rejected.reason, "\"31.02.1985\" is not a calendar date");
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! The manual is on the public items: [`ColumnMapping`] (targets, reading rules,
//! consents), [`ClientBase::import_clients_csv`] (rejected rows, ids and relations)
//! and [`ClientBase::export_clients_csv`] (the export format and round trips).

use crate::base::ClientBase;
use crate::client::{
    Channel, Client, Company, Consent, ConsentState, Consents, Email, LifecycleStage, Messenger,
    MessengerKind, Party, PersonName, Phone, Relation, Temperature,
};
use crate::dates::{parse_date, parse_datetime};
use crate::deal::{Deal, DealStatus, ProductLine, Recurrence};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use crate::money::{Currency, Money, Quantity};
use crate::schema::{parse_bool, FieldType, FieldValue, Schema};
use chrono::{DateTime, SecondsFormat, Utc};
use csv::ByteRecord;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{Read, Write};
use std::str::FromStr;

// ---- targets ------------------------------------------------------------------

/// Which field of a record a CSV column fills.
///
/// Parse one from its name with [`str::parse`]; [`Display`](fmt::Display) gives the
/// name back. [`ColumnMapping`] lists what each target reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnTarget {
    /// `ignore`: the column is not read.
    Ignore,
    /// `id`: the record id, kept on import.
    Id,
    /// `created_at`: when the record was created.
    CreatedAt,
    /// `owner`: the manager who owns the record.
    Owner,
    /// `source`: where the record came from.
    Source,
    /// `stage`: a client's lifecycle stage or a deal's pipeline stage.
    Stage,
    /// `kind`: person or company.
    Kind,
    /// `surname`: a person's surname.
    Surname,
    /// `given_name`: a person's given name.
    GivenName,
    /// `patronymic`: a person's patronymic.
    Patronymic,
    /// `full_name`: `Фамилия Имя Отчество` in one cell (or a company's name).
    FullName,
    /// `company`: a company's legal name.
    Company,
    /// `tax_id`: a company's tax id.
    TaxId,
    /// `birthday`: date of birth.
    Birthday,
    /// `city`.
    City,
    /// `region`.
    Region,
    /// `address`.
    Address,
    /// `temperature`: cold, warm or hot.
    Temperature,
    /// `behaviour`: the behaviour type.
    Behaviour,
    /// `loyalty_percent`: 0 to 100.
    LoyaltyPercent,
    /// `can_refer`: yes or no.
    CanRefer,
    /// `updated_at`: when the client last changed.
    UpdatedAt,
    /// `phone`: one phone as typed; several columns may map here.
    Phone,
    /// `email`: one email as typed; several columns may map here.
    Email,
    /// `messenger.<kind>`: one messenger account.
    Messenger(MessengerKind),
    /// `tags`: a list of tags.
    Tags,
    /// `custom.<field>`: a declared custom field.
    Custom(String),
    /// `consent.<channel>`: a marketing consent.
    Consent(Channel),
    /// `consent.personal_data`: consent to process personal data.
    PersonalDataConsent,
    /// `phones_json`: all phones as JSON.
    PhonesJson,
    /// `emails_json`: all emails as JSON.
    EmailsJson,
    /// `messengers_json`: all messenger accounts as JSON.
    MessengersJson,
    /// `consents_json`: all consents as JSON.
    ConsentsJson,
    /// `relations_json`: all relations as JSON.
    RelationsJson,
    /// `custom_json`: all custom field values as JSON.
    CustomJson,
    /// `client_id`: the deal's client.
    ClientId,
    /// `title`: the deal title.
    Title,
    /// `pipeline`: the sales pipeline.
    Pipeline,
    /// `status`: open, won, lost or `duplicate_of:<id>`.
    Status,
    /// `amount`: the deal amount.
    Amount,
    /// `currency`: the deal currency.
    Currency,
    /// `closed_at`: when the deal was closed.
    ClosedAt,
    /// `lines_json`: all product lines as JSON.
    LinesJson,
    /// `recurrence_json`: the supply schedule as JSON.
    RecurrenceJson,
    /// `product`: the product of a one-line deal.
    Product,
    /// `category`: the product category of a one-line deal.
    Category,
    /// `quantity`: the quantity of a one-line deal (default 1).
    Quantity,
    /// `unit_price`: the unit price of a one-line deal.
    UnitPrice,
}

/// The target names without a parameter, in documentation order.
const SIMPLE_TARGETS: [(&str, ColumnTarget); 45] = [
    ("ignore", ColumnTarget::Ignore),
    ("id", ColumnTarget::Id),
    ("kind", ColumnTarget::Kind),
    ("surname", ColumnTarget::Surname),
    ("given_name", ColumnTarget::GivenName),
    ("patronymic", ColumnTarget::Patronymic),
    ("full_name", ColumnTarget::FullName),
    ("company", ColumnTarget::Company),
    ("tax_id", ColumnTarget::TaxId),
    ("birthday", ColumnTarget::Birthday),
    ("city", ColumnTarget::City),
    ("region", ColumnTarget::Region),
    ("address", ColumnTarget::Address),
    ("owner", ColumnTarget::Owner),
    ("source", ColumnTarget::Source),
    ("stage", ColumnTarget::Stage),
    ("temperature", ColumnTarget::Temperature),
    ("behaviour", ColumnTarget::Behaviour),
    ("loyalty_percent", ColumnTarget::LoyaltyPercent),
    ("can_refer", ColumnTarget::CanRefer),
    ("created_at", ColumnTarget::CreatedAt),
    ("updated_at", ColumnTarget::UpdatedAt),
    ("phone", ColumnTarget::Phone),
    ("email", ColumnTarget::Email),
    ("tags", ColumnTarget::Tags),
    ("consent.personal_data", ColumnTarget::PersonalDataConsent),
    ("phones_json", ColumnTarget::PhonesJson),
    ("emails_json", ColumnTarget::EmailsJson),
    ("messengers_json", ColumnTarget::MessengersJson),
    ("consents_json", ColumnTarget::ConsentsJson),
    ("relations_json", ColumnTarget::RelationsJson),
    ("custom_json", ColumnTarget::CustomJson),
    ("client_id", ColumnTarget::ClientId),
    ("title", ColumnTarget::Title),
    ("pipeline", ColumnTarget::Pipeline),
    ("status", ColumnTarget::Status),
    ("amount", ColumnTarget::Amount),
    ("currency", ColumnTarget::Currency),
    ("closed_at", ColumnTarget::ClosedAt),
    ("lines_json", ColumnTarget::LinesJson),
    ("recurrence_json", ColumnTarget::RecurrenceJson),
    ("product", ColumnTarget::Product),
    ("category", ColumnTarget::Category),
    ("quantity", ColumnTarget::Quantity),
    ("unit_price", ColumnTarget::UnitPrice),
];

/// Which records a mapping is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Records {
    Clients,
    Deals,
}

impl Records {
    fn plural(self) -> &'static str {
        match self {
            Records::Clients => "clients",
            Records::Deals => "deals",
        }
    }
}

impl ColumnTarget {
    /// Whether the target fills a field of `records`.
    fn applies_to(&self, records: Records) -> bool {
        use ColumnTarget as T;
        match self {
            T::Ignore | T::Id | T::CreatedAt | T::Owner | T::Source | T::Stage => true,
            T::ClientId
            | T::Title
            | T::Pipeline
            | T::Status
            | T::Amount
            | T::Currency
            | T::ClosedAt
            | T::LinesJson
            | T::RecurrenceJson
            | T::Product
            | T::Category
            | T::Quantity
            | T::UnitPrice => records == Records::Deals,
            _ => records == Records::Clients,
        }
    }

    /// Whether several columns may map to the target.
    fn repeatable(&self) -> bool {
        matches!(
            self,
            ColumnTarget::Ignore
                | ColumnTarget::Phone
                | ColumnTarget::Email
                | ColumnTarget::Messenger(_)
                | ColumnTarget::Tags
        )
    }

    /// Whether the cell holds JSON (applied before plain cells).
    fn is_json(&self) -> bool {
        matches!(
            self,
            ColumnTarget::PhonesJson
                | ColumnTarget::EmailsJson
                | ColumnTarget::MessengersJson
                | ColumnTarget::ConsentsJson
                | ColumnTarget::RelationsJson
                | ColumnTarget::CustomJson
                | ColumnTarget::LinesJson
                | ColumnTarget::RecurrenceJson
        )
    }
}

impl fmt::Display for ColumnTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnTarget::Messenger(kind) => write!(f, "messenger.{}", kind.name()),
            ColumnTarget::Custom(name) => write!(f, "custom.{name}"),
            ColumnTarget::Consent(channel) => write!(f, "consent.{}", channel.name()),
            simple => {
                let name = SIMPLE_TARGETS
                    .iter()
                    .find(|(_, target)| target == simple)
                    .map_or("?", |(name, _)| name);
                f.write_str(name)
            }
        }
    }
}

impl FromStr for ColumnTarget {
    type Err = Error;

    /// Parses a target name: `surname`, `messenger.telegram`, `custom.rooms`,
    /// `consent.sms`, ... Unknown names are an [`ErrorKind::Csv`] error.
    fn from_str(name: &str) -> Result<ColumnTarget> {
        let name = name.trim();
        let lower = name.to_lowercase();
        if let Some((_, target)) = SIMPLE_TARGETS.iter().find(|(n, _)| *n == lower) {
            return Ok(target.clone());
        }
        let parameter = |prefix: &str| {
            name.get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .map(|_| name[prefix.len()..].trim())
                .filter(|rest| !rest.is_empty())
        };
        if let Some(kind) = parameter("messenger.") {
            return Ok(ColumnTarget::Messenger(MessengerKind::from_name(kind)));
        }
        if let Some(field) = parameter("custom.") {
            return Ok(ColumnTarget::Custom(field.to_string()));
        }
        if let Some(channel) = parameter("consent.") {
            return Channel::from_name(&channel.to_lowercase())
                .map(ColumnTarget::Consent)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Csv,
                        format!(
                            "unknown consent channel {channel:?} (channels are personal_data, {})",
                            Channel::ALL.map(Channel::name).join(", ")
                        ),
                    )
                });
        }
        let names: Vec<&str> = SIMPLE_TARGETS.iter().map(|(n, _)| *n).collect();
        Err(Error::new(
            ErrorKind::Csv,
            format!(
                "unknown target {name:?} (targets are {}, messenger.<kind>, custom.<field>, consent.<channel>)",
                names.join(", ")
            ),
        ))
    }
}

// ---- mapping --------------------------------------------------------------------

/// Maps CSV headers to record fields: which column of a file fills which field of
/// a client or a deal.
///
/// ```
/// use clientbase::{ClientBase, ColumnMapping, CsvOptions, Schema};
///
/// let mut schema = Schema::new();
/// schema.declare_tag("vip")?;
/// let mut base = ClientBase::new(schema);
///
/// let csv = "\u{feff}Фамилия;Имя;Телефон;Дата рождения;Метки\n\
///            Иванова;Анна;8 916 123-45-67;05.03.1990;vip\n\
///            Петров;Пётр;+7 903 000-00-00;31.02.1985;\n";
/// let mapping = ColumnMapping::from_pairs([
///     ("Фамилия", "surname"),
///     ("Имя", "given_name"),
///     ("Телефон", "phone"),
///     ("Дата рождения", "birthday"),
///     ("Метки", "tags"),
/// ])?;
/// let report = base.import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
///
/// assert_eq!(report.imported.len(), 1);
/// let rejected = &report.rejected[0];
/// assert_eq!(rejected.line, 3);
/// assert_eq!(rejected.column.as_deref(), Some("Дата рождения"));
/// assert_eq!(rejected.field.as_deref(), Some("birthday"));
/// assert_eq!(rejected.reason, "\"31.02.1985\" is not a calendar date");
/// # Ok::<(), clientbase::Error>(())
/// ```
///
/// ```
/// use clientbase::{ColumnMapping, ColumnTarget};
/// let mapping = ColumnMapping::from_json(r#"{"Фамилия": "surname", "Комнаты": "custom.rooms"}"#)?;
/// assert_eq!(mapping.target("Комнаты"), Some(&ColumnTarget::Custom("rooms".into())));
/// assert!(ColumnMapping::from_pairs([("Фамилия", "surnam")]).is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
///
/// # Targets
///
/// A mapping pairs a header with a target name (the strings C and Python users pass,
/// `{"Фамилия": "surname"}`). Client targets:
///
/// | target | fills | cell |
/// |---|---|---|
/// | `id` | the client id, kept on import | `17` |
/// | `kind` | person or company | `person`, `company`, `физлицо`, `юрлицо`, `ИП` |
/// | `surname`, `given_name`, `patronymic` | the person's name | text |
/// | `full_name` | the person's name, split as `Фамилия Имя Отчество` (words past the third go to the patronymic); a company's legal name when there is no `company` column | text |
/// | `company` | the legal name; a row with it and no `kind` is a company | text |
/// | `tax_id` | the company's tax id (ИНН check digits are verified) | `7707083893` |
/// | `birthday` | date of birth | date |
/// | `city`, `region`, `address`, `owner`, `source`, `behaviour` | text fields | text |
/// | `stage` | lifecycle stage | `lead`, `prospect`, `customer`, `loyal`, `churned` or Russian (`лид`, `клиент`, `постоянный`, `ушёл`, ...) |
/// | `temperature` | lead temperature | `cold`, `warm`, `hot`, `холодный`, `тёплый`, `горячий` |
/// | `loyalty_percent` | loyalty programme percentage, 0 to 100 | `15`, `15%`, `15,0` |
/// | `can_refer` | agreed to refer friends | `да`/`нет`, `yes`/`no`, `1`/`0`, `true`/`false` |
/// | `created_at`, `updated_at` | timestamps | RFC 3339, `dd.mm.yyyy hh:mm[:ss]`, a date |
/// | `phone` | one phone, exactly as typed (several columns may map here) | text |
/// | `email` | one email, as typed (several columns may map here) | text |
/// | `messenger.<kind>` | one account (`messenger.telegram`, `messenger.vk`, ...) | text |
/// | `tags` | tags, checked against the vocabulary | split on `,` `;` `\|` |
/// | `custom.<field>` | a declared custom field (an undeclared one fails the import), converted to its type | as the type |
/// | `consent.<channel>` | marketing consent for `sms`, `email`, `calls`, `messengers`, `ads` | see below |
/// | `consent.personal_data` | consent to process personal data (152-ФЗ) | see below |
/// | `phones_json`, `emails_json`, `messengers_json`, `consents_json`, `relations_json`, `custom_json` | the whole part, as in the JSON format | JSON |
/// | `ignore` | nothing | |
///
/// Deal targets: `id`, `client_id` (required), `title`, `pipeline`, `stage`, `status`
/// (`open`, `won`, `lost`, `duplicate_of:<id>`, or `открыта`, `выиграна`,
/// `проиграна`, `дубль <id>`), `amount`, `currency`, `created_at`, `closed_at`,
/// `owner`, `source`, `lines_json`, `recurrence_json`, and one simple product line
/// from `product`, `category`, `quantity` (default 1) and `unit_price`. Without a
/// `currency` cell a deal is in [`CsvOptions::currency`], else the schema's
/// currency, else RUB. Without an `amount` a deal with product lines is worth
/// their total.
///
/// # Reading
///
/// - UTF-8 with or without a byte order mark. A cell in a mapped column that is not
///   UTF-8 (a Windows-1251 file, say) rejects its row, not the import.
/// - The delimiter is [`CsvOptions::delimiter`], or `;`, tab or `,`, whichever the
///   header line has most of outside quotes. Quoted cells may hold delimiters,
///   quotes (doubled) and line breaks.
/// - Headers match the mapping after trimming spaces. A mapped header missing from
///   the file fails the whole import (nothing is imported): the mapping is wrong,
///   not the data. Columns the mapping does not mention are not read and are listed
///   in [`ImportReport::ignored_columns`].
/// - Numbers take a decimal comma or point and spaces between thousands
///   (`1 234,50`); dates are `dd.mm.yyyy` (also `dd.mm.yy`, `dd/mm/yyyy`) or ISO
///   `yyyy-mm-dd`.
/// - A blank cell (empty or only spaces) means "no value". Any other text is kept
///   exactly as typed; typed values (numbers, dates, names of stages) are read from
///   the trimmed text.
/// - JSON cells are applied before plain cells, so a plain column overrides or adds
///   to what a JSON cell gave (phones from `phone` columns follow those of
///   `phones_json`).
///
/// # Consents
///
/// A consent cell is a state and a date: `да 10.01.2024`, `given 2024-01-10`,
/// `нет 01.02.2024`, `withdrawn 2024-02-01` (a comma or colon after the state is
/// fine). Given is written `да`, `yes`, `given`, `согласие`, `согласен`, `+`, `1` or
/// `true`; withdrawn is `нет`, `no`, `withdrawn`, `отозвано`, `отказ`, `-`, `0` or
/// `false`. A bare date means given on that date. The date is required: a consent
/// without its date is no evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    columns: Vec<(String, ColumnTarget)>,
}

/// The columns [`ClientBase::export_clients_csv`] writes, each named after its target.
const CLIENT_COLUMNS: [ColumnTarget; 27] = [
    ColumnTarget::Id,
    ColumnTarget::Kind,
    ColumnTarget::Surname,
    ColumnTarget::GivenName,
    ColumnTarget::Patronymic,
    ColumnTarget::Company,
    ColumnTarget::TaxId,
    ColumnTarget::Birthday,
    ColumnTarget::City,
    ColumnTarget::Region,
    ColumnTarget::Address,
    ColumnTarget::Owner,
    ColumnTarget::Source,
    ColumnTarget::Stage,
    ColumnTarget::Temperature,
    ColumnTarget::Behaviour,
    ColumnTarget::LoyaltyPercent,
    ColumnTarget::CanRefer,
    ColumnTarget::CreatedAt,
    ColumnTarget::UpdatedAt,
    ColumnTarget::Tags,
    ColumnTarget::PhonesJson,
    ColumnTarget::EmailsJson,
    ColumnTarget::MessengersJson,
    ColumnTarget::ConsentsJson,
    ColumnTarget::RelationsJson,
    ColumnTarget::CustomJson,
];

/// The columns [`ClientBase::export_deals_csv`] writes, each named after its target.
const DEAL_COLUMNS: [ColumnTarget; 14] = [
    ColumnTarget::Id,
    ColumnTarget::ClientId,
    ColumnTarget::Title,
    ColumnTarget::Pipeline,
    ColumnTarget::Stage,
    ColumnTarget::Status,
    ColumnTarget::Amount,
    ColumnTarget::Currency,
    ColumnTarget::CreatedAt,
    ColumnTarget::ClosedAt,
    ColumnTarget::Owner,
    ColumnTarget::Source,
    ColumnTarget::LinesJson,
    ColumnTarget::RecurrenceJson,
];

impl ColumnMapping {
    /// Builds a mapping from `(header, target name)` pairs.
    ///
    /// An unknown target name, a header given twice, or two columns for a target
    /// that takes one value (only `phone`, `email`, `messenger.<kind>`, `tags` and
    /// `ignore` take several) is an [`ErrorKind::Csv`] error naming the header.
    pub fn from_pairs<I, H, T>(pairs: I) -> Result<ColumnMapping>
    where
        I: IntoIterator<Item = (H, T)>,
        H: Into<String>,
        T: AsRef<str>,
    {
        let mut mapping = ColumnMapping::default();
        for (header, target) in pairs {
            let header = header.into();
            let target = target.as_ref().parse::<ColumnTarget>().map_err(|e| {
                Error::new(
                    ErrorKind::Csv,
                    format!("column {:?}: {}", header.trim(), e.reason()),
                )
            })?;
            mapping.push(header, target)?;
        }
        Ok(mapping)
    }

    /// Reads a mapping from JSON: an object `{"Фамилия": "surname", ...}` or a list
    /// of `[header, target]` pairs. Malformed JSON is an [`ErrorKind::Json`] error.
    pub fn from_json(json: &str) -> Result<ColumnMapping> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Object(BTreeMap<String, String>),
            Pairs(Vec<(String, String)>),
        }
        let repr: Repr = serde_json::from_str(json).map_err(|_| {
            Error::new(
                ErrorKind::Json,
                "a column mapping is a JSON object {\"header\": \"target\", ...} or a list of [header, target] pairs",
            )
        })?;
        match repr {
            Repr::Object(map) => ColumnMapping::from_pairs(map),
            Repr::Pairs(pairs) => ColumnMapping::from_pairs(pairs),
        }
    }

    /// Adds a column. Fails like [`ColumnMapping::from_pairs`] on a repeated header
    /// or a repeated single-valued target.
    pub fn push(&mut self, header: impl Into<String>, target: ColumnTarget) -> Result<()> {
        let header = header.into().trim().to_string();
        let mapping_error = |reason: String| Error::new(ErrorKind::Csv, reason);
        if header.is_empty() {
            return Err(mapping_error(format!("an empty header maps to {target}")));
        }
        if self.columns.iter().any(|(h, _)| *h == header) {
            return Err(mapping_error(format!("column {header:?} is mapped twice")));
        }
        if !target.repeatable() {
            if let Some((other, _)) = self.columns.iter().find(|(_, t)| *t == target) {
                return Err(mapping_error(format!(
                    "columns {other:?} and {header:?} both map to {target}, which takes one value"
                )));
            }
        }
        self.columns.push((header, target));
        Ok(())
    }

    /// The mapping that reads what [`ClientBase::export_clients_csv`] writes.
    pub fn canonical_clients() -> ColumnMapping {
        ColumnMapping::canonical(&CLIENT_COLUMNS)
    }

    /// The mapping that reads what [`ClientBase::export_deals_csv`] writes.
    pub fn canonical_deals() -> ColumnMapping {
        ColumnMapping::canonical(&DEAL_COLUMNS)
    }

    fn canonical(targets: &[ColumnTarget]) -> ColumnMapping {
        ColumnMapping {
            columns: targets.iter().map(|t| (t.to_string(), t.clone())).collect(),
        }
    }

    /// The `(header, target)` pairs in the order they were given.
    pub fn columns(&self) -> impl ExactSizeIterator<Item = (&str, &ColumnTarget)> {
        self.columns.iter().map(|(h, t)| (h.as_str(), t))
    }

    /// The target of `header`, if mapped.
    pub fn target(&self, header: &str) -> Option<&ColumnTarget> {
        let header = header.trim();
        self.columns
            .iter()
            .find(|(h, _)| h == header)
            .map(|(_, t)| t)
    }

    /// The number of mapped columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether no column is mapped.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

// ---- options and report -----------------------------------------------------------

/// How to read a CSV file.
///
/// In JSON the delimiter is a one-character string (`";"`, `"\t"`) or a byte value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvOptions {
    /// The delimiter; `None` detects `;`, `,` or tab from the header line.
    #[serde(with = "delimiter_serde")]
    pub delimiter: Option<u8>,
    /// The currency of deal amounts and prices when a row has no `currency` cell;
    /// `None` uses the schema's currency, else RUB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
}

mod delimiter_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<u8>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(byte) => s.serialize_some(&char::from(*byte).to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Byte(u8),
            Text(String),
        }
        match Option::<Repr>::deserialize(d)? {
            None => Ok(None),
            Some(Repr::Byte(byte)) => Ok(Some(byte)),
            Some(Repr::Text(text)) => match text.as_str() {
                "\\t" | "tab" => Ok(Some(b'\t')),
                t if t.len() == 1 && t.is_ascii() => Ok(Some(t.as_bytes()[0])),
                _ => Err(serde::de::Error::custom(format!(
                    "the delimiter {text:?} is not one ASCII character"
                ))),
            },
        }
    }
}

/// One row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// The line number in the file where the row starts (the header is line 1);
    /// for rows given to [`ClientBase::import_clients_rows`] or
    /// [`ClientBase::import_deals_rows`], the row's index from 0.
    pub line: u64,
    /// The CSV column header the problem is in, when it is one column.
    pub column: Option<String>,
    /// The record field the problem is in (`birthday`, `custom.rooms`, `phones[1]`).
    pub field: Option<String>,
    /// The error kind's name ([`ErrorKind::name`]).
    pub kind: String,
    /// Why the row was rejected.
    pub reason: String,
}

impl fmt::Display for RejectedRow {
    /// `line 3, column "Дата рождения": "31.02.1985" is not a calendar date`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        match (&self.column, &self.field) {
            (Some(column), _) => write!(f, ", column {column:?}")?,
            (None, Some(field)) => write!(f, ", field \"{field}\"")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.reason)
    }
}

/// What an import did: the ids it created and every row it rejected.
///
/// `rows == imported.len() + rejected.len() + empty_rows`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport<Id> {
    /// Data rows read (not counting the header).
    pub rows: u64,
    /// The ids of the imported records, in file order.
    pub imported: Vec<Id>,
    /// The rejected rows, in file order.
    pub rejected: Vec<RejectedRow>,
    /// Rows whose cells were all blank, skipped.
    pub empty_rows: u64,
    /// Headers of the file's columns that the mapping does not mention; their
    /// cells were not read.
    pub ignored_columns: Vec<String>,
}

// ---- reading the table ----------------------------------------------------------

/// A mapped column of the file.
struct Slot {
    index: usize,
    header: String,
    target: ColumnTarget,
}

/// The file's columns as the mapping sees them.
struct Layout {
    width: usize,
    slots: Vec<Slot>,
    ignored: Vec<String>,
}

/// A non-blank cell of a mapped column: the column lives as long as the table
/// (`'t`), the text as long as the record buffer (`'r`).
#[derive(Clone, Copy)]
struct Cell<'t, 'r> {
    header: &'t str,
    target: &'t ColumnTarget,
    text: &'r str,
}

/// Why a row is rejected, and in which column.
struct Rejection {
    column: Option<String>,
    error: Error,
}

impl Rejection {
    fn at(column: &str, error: Error) -> Rejection {
        Rejection {
            column: Some(column.to_string()),
            error,
        }
    }

    fn row(error: Error) -> Rejection {
        Rejection {
            column: None,
            error,
        }
    }

    fn into_row(self, line: u64) -> RejectedRow {
        RejectedRow {
            line,
            column: self.column,
            field: self.error.field().map(str::to_string),
            kind: self.error.kind().name().to_string(),
            reason: self.error.reason().to_string(),
        }
    }
}

enum Row<'t, 'r> {
    Empty,
    Rejected(Rejection),
    Cells(Vec<Cell<'t, 'r>>),
}

/// The input, its delimiter and the header checked against the mapping.
struct Table {
    data: Vec<u8>,
    start: usize,
    delimiter: u8,
    layout: Layout,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn csv_error(err: csv::Error) -> Error {
    match err.into_kind() {
        csv::ErrorKind::Io(io) => Error::from(io),
        other => Error::new(ErrorKind::Csv, format!("{other:?}")),
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// The most frequent of `;`, tab and `,` outside quotes in the first line.
fn detect_delimiter(data: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b';', b'\t', b','];
    let mut quoted = false;
    for &byte in data {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = candidates.iter().position(|c| *c == byte) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(2);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// Checks that `mapping` can fill `records`: its custom fields are declared,
/// its targets are for these records, and deals have their client.
fn check_mapping(mapping: &ColumnMapping, records: Records, schema: &Schema) -> Result<()> {
    for (header, target) in mapping.columns() {
        if let ColumnTarget::Custom(name) = target {
            if schema.field(name).is_none() {
                return Err(Error::new(
                        ErrorKind::Csv,
                        format!(
                            "column {header:?} maps to {target}, but the schema declares no field {name:?}"
                        ),
                    ));
            }
        }
        if !target.applies_to(records) {
            let other = match records {
                Records::Clients => Records::Deals,
                Records::Deals => Records::Clients,
            };
            return Err(Error::new(
                ErrorKind::Csv,
                format!(
                    "column {header:?} maps to {target}, which is for {}, not {}",
                    other.plural(),
                    records.plural()
                ),
            ));
        }
    }
    if records == Records::Deals && !mapping.columns().any(|(_, t)| *t == ColumnTarget::ClientId) {
        return Err(Error::new(
            ErrorKind::Csv,
            "the mapping has no client_id column: every deal needs its client",
        ));
    }
    Ok(())
}

impl Table {
    fn open<R: Read>(
        mut reader: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
        records: Records,
        schema: &Schema,
    ) -> Result<Table> {
        check_mapping(mapping, records, schema)?;
        let mut data = Vec::new();
        reader.read_to_end(&mut data)?;
        let start = if data.starts_with(BOM) { BOM.len() } else { 0 };
        let delimiter = match options.delimiter {
            Some(d) if d.is_ascii() && !matches!(d, b'"' | b'\n' | b'\r') => d,
            Some(d) => {
                return Err(Error::new(
                    ErrorKind::Csv,
                    format!("{:?} cannot be a delimiter", char::from(d)),
                ))
            }
            None => detect_delimiter(&data[start..]),
        };
        let mut table = Table {
            data,
            start,
            delimiter,
            layout: Layout {
                width: 0,
                slots: Vec::new(),
                ignored: Vec::new(),
            },
        };
        let mut reader = table.reader();
        let mut record = ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(csv_error)? {
            return Err(Error::new(
                ErrorKind::Csv,
                "the file is empty: it has no header line",
            ));
        }
        let headers = record
            .iter()
            .enumerate()
            .map(|(i, h)| {
                std::str::from_utf8(h)
                    .map(|h| h.trim().to_string())
                    .map_err(|_| {
                        Error::new(
                            ErrorKind::Csv,
                            format!(
                                "header cell {} is not UTF-8 text; save the file as UTF-8",
                                i + 1
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<String>>>()?;
        table.layout = Layout::new(headers, mapping)?;
        Ok(table)
    }

    fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.data[self.start..])
    }

    /// The line the record starts on: csv counts from where it began looking,
    /// which is before any blank lines it skipped.
    fn line_of(&self, record: &ByteRecord) -> u64 {
        let Some(position) = record.position() else {
            return 0;
        };
        let from = self.start + position.byte() as usize;
        let skipped = self.data[from.min(self.data.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .filter(|b| **b == b'\n')
            .count();
        position.line() + skipped as u64
    }

    /// Reads every data row, handing it to `each` with its line.
    fn for_each_row<'t>(&'t self, mut each: impl FnMut(u64, Row<'t, '_>)) -> Result<()> {
        let mut reader = self.reader();
        let mut record = ByteRecord::new();
        // The header.
        reader.read_byte_record(&mut record).map_err(csv_error)?;
        while reader.read_byte_record(&mut record).map_err(csv_error)? {
            let line = self.line_of(&record);
            each(line, self.layout.row(&record));
        }
        Ok(())
    }
}

impl Layout {
    /// The layout of rows of cells under `headers` (trimmed, as CSV headers are).
    fn for_rows<H>(
        headers: H,
        mapping: &ColumnMapping,
        records: Records,
        schema: &Schema,
    ) -> Result<Layout>
    where
        H: IntoIterator,
        H::Item: AsRef<str>,
    {
        check_mapping(mapping, records, schema)?;
        let headers = headers
            .into_iter()
            .map(|h| h.as_ref().trim().to_string())
            .collect();
        Layout::new(headers, mapping)
    }

    /// Hands every row of cells to `each` with its index (from 0) as its line.
    fn for_each_cells_row<'t, R, C, S>(
        &'t self,
        rows: R,
        each: &mut dyn FnMut(u64, Row<'t, '_>),
    ) -> Result<()>
    where
        R: IntoIterator<Item = C>,
        C: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let mut cells: Vec<Option<S>> = Vec::new();
        for (index, row) in rows.into_iter().enumerate() {
            cells.clear();
            cells.extend(row);
            each(index as u64, self.cells_row(&cells));
        }
        Ok(())
    }

    /// A row of cells read as [`Layout::row`] reads a CSV record.
    fn cells_row<'t, 'r, S: AsRef<str>>(&'t self, row: &'r [Option<S>]) -> Row<'t, 'r> {
        let text = |i: usize| -> &'r str {
            row.get(i)
                .and_then(Option::as_ref)
                .map_or("", |cell| cell.as_ref())
        };
        self.read_row(row.len(), |i| is_blank(text(i).as_bytes()), |i| Ok(text(i)))
    }

    fn new(headers: Vec<String>, mapping: &ColumnMapping) -> Result<Layout> {
        let mut slots = Vec::new();
        let mut missing = Vec::new();
        for (header, target) in mapping.columns() {
            let found: Vec<usize> = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| *h == header)
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] => missing.push(header),
                [index] => {
                    if *target != ColumnTarget::Ignore {
                        slots.push(Slot {
                            index: *index,
                            header: header.to_string(),
                            target: target.clone(),
                        });
                    }
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::Csv,
                        format!("the file has {} columns called {header:?}", found.len()),
                    ))
                }
            }
        }
        if !missing.is_empty() {
            let quoted = |list: &[&str]| {
                list.iter()
                    .map(|h| format!("{h:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let present: Vec<&str> = headers.iter().map(String::as_str).collect();
            return Err(Error::new(
                ErrorKind::Csv,
                format!(
                    "the file has no column {} named in the mapping (its columns are {})",
                    quoted(&missing),
                    quoted(&present)
                ),
            ));
        }
        slots.sort_by_key(|s| s.index);
        let ignored = headers
            .iter()
            .filter(|h| mapping.target(h).is_none())
            .cloned()
            .collect();
        Ok(Layout {
            width: headers.len(),
            slots,
            ignored,
        })
    }

    fn row<'t, 'r>(&'t self, record: &'r ByteRecord) -> Row<'t, 'r> {
        self.read_row(record.len(), |i| is_blank(&record[i]), |i| {
            let bytes = &record[i];
            std::str::from_utf8(bytes).map_err(|err| {
                let at = err.valid_up_to();
                let bad: Vec<String> = bytes[at..]
                    .iter()
                    .take(4)
                    .map(|b| format!("{b:02X}"))
                    .collect();
                Error::new(
                    ErrorKind::Csv,
                    format!(
                        "the cell is not UTF-8 text (bytes {} at byte {at}); the file may be in Windows-1251: save it as UTF-8",
                        bad.join(" ")
                    ),
                )
            })
        })
    }

    /// The one way a row is read, from a CSV record or from cells: `len` cells,
    /// whether cell `i` is blank from `blank(i)` and its text from `cell(i)`. A
    /// row of blank cells is empty; a row with fewer cells than the header, or
    /// non-blank cells past it, is rejected.
    fn read_row<'t, 'r>(
        &'t self,
        len: usize,
        blank: impl Fn(usize) -> bool,
        cell: impl Fn(usize) -> Result<&'r str>,
    ) -> Row<'t, 'r> {
        if (0..len).all(&blank) {
            return Row::Empty;
        }
        let shape_error =
            |reason: String| Row::Rejected(Rejection::row(Error::new(ErrorKind::Csv, reason)));
        if len < self.width {
            return shape_error(format!(
                "the row has {len} cells, the header has {}",
                self.width
            ));
        }
        if let Some(extra) = (self.width..len).find(|&i| !blank(i)) {
            return shape_error(format!(
                "cell {} is past the last of the {} header columns and is not empty",
                extra + 1,
                self.width
            ));
        }
        let mut cells = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            let text = match cell(slot.index) {
                Ok(text) => text,
                Err(error) => return Row::Rejected(Rejection::at(&slot.header, error)),
            };
            if !text.trim().is_empty() {
                cells.push(Cell {
                    header: &slot.header,
                    target: &slot.target,
                    text,
                });
            }
        }
        Row::Cells(cells)
    }
}

// ---- reading cells ----------------------------------------------------------------

fn date_cell(text: &str, field: &str) -> Result<chrono::NaiveDate> {
    parse_date(text).map_err(|reason| invalid(field, reason))
}

fn datetime_cell(text: &str, field: &str) -> Result<DateTime<Utc>> {
    parse_datetime(text).map_err(|reason| invalid(field, reason))
}

fn json_cell<T: DeserializeOwned>(text: &str, field: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        Error::new(ErrorKind::Json, format!("{field} is not valid JSON: {e}")).with_field(field)
    })
}

fn id_cell(text: &str, field: &str) -> Result<u64> {
    let t = text.trim();
    let t = t
        .strip_prefix("client ")
        .or_else(|| t.strip_prefix("deal "))
        .unwrap_or(t)
        .trim();
    match t.parse::<u64>() {
        Ok(0) => Err(invalid(field, "ids start at 1")),
        Ok(u64::MAX) | Err(_) if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() => {
            Err(invalid(field, format!("{t} is too large for an id")))
        }
        Ok(id) => Ok(id),
        Err(_) => Err(invalid(
            field,
            format!("{t:?} is not an id (a whole number)"),
        )),
    }
}

/// A lowercase word without spaces, dots, dashes and underscores, `ё` as `е`.
fn keyword(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '_' | '\u{a0}'))
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

fn kind_cell(text: &str) -> Result<bool> {
    match keyword(text).as_str() {
        "person" | "individual" | "физлицо" | "физическоелицо" | "частноелицо" | "фл" => {
            Ok(false)
        }
        "company"
        | "organization"
        | "organisation"
        | "юрлицо"
        | "юридическоелицо"
        | "организация"
        | "компания"
        | "ип"
        | "индивидуальныйпредприниматель"
        | "юл" => Ok(true),
        _ => Err(invalid(
            "kind",
            format!(
                "{:?} is neither person (физлицо) nor company (юрлицо)",
                text.trim()
            ),
        )),
    }
}

fn stage_cell(text: &str) -> Result<LifecycleStage> {
    match keyword(text).as_str() {
        "lead" | "лид" | "новый" => Ok(LifecycleStage::Lead),
        "prospect" | "потенциальный" | "потенциальныйклиент" | "проспект" => {
            Ok(LifecycleStage::Prospect)
        }
        "customer" | "клиент" | "покупатель" => Ok(LifecycleStage::Customer),
        "loyal" | "постоянный" | "постоянныйклиент" | "лояльный" => {
            Ok(LifecycleStage::Loyal)
        }
        "churned" | "ушел" | "ушедший" | "потерян" | "отток" => {
            Ok(LifecycleStage::Churned)
        }
        _ => Err(invalid(
            "stage",
            format!(
                "{:?} is not a lifecycle stage (lead, prospect, customer, loyal, churned)",
                text.trim()
            ),
        )),
    }
}

fn stage_name(stage: LifecycleStage) -> &'static str {
    match stage {
        LifecycleStage::Lead => "lead",
        LifecycleStage::Prospect => "prospect",
        LifecycleStage::Customer => "customer",
        LifecycleStage::Loyal => "loyal",
        LifecycleStage::Churned => "churned",
    }
}

fn temperature_cell(text: &str) -> Result<Temperature> {
    match keyword(text).as_str() {
        "cold" | "холодный" | "холодная" => Ok(Temperature::Cold),
        "warm" | "теплый" | "теплая" => Ok(Temperature::Warm),
        "hot" | "горячий" | "горячая" => Ok(Temperature::Hot),
        _ => Err(invalid(
            "temperature",
            format!("{:?} is not cold, warm or hot", text.trim()),
        )),
    }
}

fn temperature_name(temperature: Temperature) -> &'static str {
    match temperature {
        Temperature::Cold => "cold",
        Temperature::Warm => "warm",
        Temperature::Hot => "hot",
    }
}

fn percent_cell(text: &str) -> Result<u8> {
    let t = text.trim();
    let number = t.strip_suffix('%').unwrap_or(t);
    let milli = Quantity::parse(number)
        .map_err(|_| invalid("loyalty_percent", format!("{t:?} is not a percentage")))?
        .milli();
    if milli % 1000 != 0 {
        return Err(invalid(
            "loyalty_percent",
            format!("{t:?} is not a whole percentage"),
        ));
    }
    match milli / 1000 {
        p if p < 0 => Err(invalid("loyalty_percent", format!("{t} is negative"))),
        p if p > 100 => Err(invalid("loyalty_percent", format!("{t} is above 100"))),
        p => Ok(p as u8),
    }
}

fn bool_cell(text: &str, field: &str) -> Result<bool> {
    parse_bool(text).ok_or_else(|| invalid(field, format!("{:?} is not yes or no", text.trim())))
}

/// Reads a consent cell: `да 10.01.2024`, `withdrawn 2024-02-01`, or a bare date.
fn consent_cell(text: &str, field: &str) -> Result<Consent> {
    let t = text.trim();
    if let Ok(date) = parse_date(t) {
        return Ok(Consent::given(date));
    }
    let (word, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    let word = word.trim_end_matches([',', ':', ';']);
    // `keyword` drops dashes, so the bare `-` is matched first.
    let word = if word == "-" {
        "no".to_string()
    } else {
        keyword(word)
    };
    let state = match word.as_str() {
        "да" | "yes" | "given" | "согласие" | "согласен" | "согласна" | "+" | "1" | "true" => {
            ConsentState::Given
        }
        "нет" | "no" | "withdrawn" | "отозвано" | "отозвана" | "отказ" | "0" | "false" => {
            ConsentState::Withdrawn
        }
        _ => {
            return Err(invalid(
                field,
                format!("{t:?} is not a consent: write «да 10.01.2024» or «нет 01.02.2024»"),
            ))
        }
    };
    let date_text = rest.trim().trim_start_matches([',', ':', ';']).trim();
    if date_text.is_empty() {
        return Err(invalid(
            field,
            format!("{t:?} has no date: a consent needs the day it was given or withdrawn"),
        ));
    }
    let date = date_cell(date_text, field)?;
    Ok(Consent { state, date })
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn status_cell(text: &str) -> Result<DealStatus> {
    let t = text.trim();
    let word = keyword(t);
    match word.as_str() {
        "open" | "открыта" | "открыт" | "открыто" | "вработе" => {
            return Ok(DealStatus::Open)
        }
        "won"
        | "выиграна"
        | "выиграно"
        | "успешно"
        | "успех"
        | "успешна"
        | "закрытауспешно"
        | "оплачена" => return Ok(DealStatus::Won),
        "lost"
        | "проиграна"
        | "проиграно"
        | "проигрыш"
        | "неуспешно"
        | "закрытанеуспешно"
        | "отказ"
        | "потеряна" => return Ok(DealStatus::Lost),
        _ => {}
    }
    let lower = t.to_lowercase();
    let rest = [
        "duplicate_of",
        "duplicate of",
        "duplicate",
        "дубликат",
        "дубль",
    ]
    .iter()
    .find_map(|prefix| lower.strip_prefix(prefix));
    if let Some(rest) = rest {
        let id = rest.trim_start_matches([':', ' ', '#', '\u{a0}']);
        let id = id.strip_prefix("сделки").unwrap_or(id).trim();
        let id = id_cell(id, "status")?;
        return Ok(DealStatus::DuplicateOf(DealId(id)));
    }
    Err(invalid(
        "status",
        format!("{t:?} is not a deal status (open, won, lost, duplicate_of:<id>)"),
    ))
}

fn status_name(status: DealStatus) -> Cow<'static, str> {
    match status {
        DealStatus::Open => "open".into(),
        DealStatus::Won => "won".into(),
        DealStatus::Lost => "lost".into(),
        DealStatus::DuplicateOf(id) => format!("duplicate_of:{}", id.0).into(),
    }
}

/// Splits a field path into its head and first index: `phones[2]` is `("phones", Some(2))`.
fn split_field(field: &str) -> (&str, Option<usize>) {
    let end = field.find(['[', '.']).unwrap_or(field.len());
    let index = field[end..]
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(n, _)| n.parse().ok());
    (&field[..end], index)
}

// ---- clients ----------------------------------------------------------------------

/// Which column gave which part of a client, to name the column of a later error.
#[derive(Default)]
struct ClientSources<'a> {
    columns: Vec<(&'a ColumnTarget, &'a str)>,
    phones: Vec<&'a str>,
    emails: Vec<&'a str>,
    messengers: Vec<&'a str>,
    legal_name: Option<&'a str>,
}

impl<'a> ClientSources<'a> {
    fn find(&self, target: &ColumnTarget) -> Option<&'a str> {
        self.columns
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, h)| *h)
    }

    /// The column that fed the record field `field`.
    fn column(&self, field: &str) -> Option<&'a str> {
        let (head, index) = split_field(field);
        let listed = |list: &[&'a str], json: ColumnTarget| {
            index
                .and_then(|i| list.get(i).copied())
                .or_else(|| self.find(&json))
        };
        match head {
            "phones" => listed(&self.phones, ColumnTarget::PhonesJson),
            "emails" => listed(&self.emails, ColumnTarget::EmailsJson),
            "messengers" => listed(&self.messengers, ColumnTarget::MessengersJson),
            "relations" => self.find(&ColumnTarget::RelationsJson),
            "legal_name" => self.legal_name,
            "custom" => field
                .strip_prefix("custom.")
                .and_then(|name| self.find(&ColumnTarget::Custom(name.to_string())))
                .or_else(|| self.find(&ColumnTarget::CustomJson)),
            "consents" => {
                let channel = field.rsplit('.').next().and_then(Channel::from_name);
                let single = match channel {
                    Some(channel) => self.find(&ColumnTarget::Consent(channel)),
                    None if field.ends_with("personal_data") => {
                        self.find(&ColumnTarget::PersonalDataConsent)
                    }
                    None => None,
                };
                single.or_else(|| self.find(&ColumnTarget::ConsentsJson))
            }
            "given" => self.find(&ColumnTarget::GivenName),
            other => other
                .parse::<ColumnTarget>()
                .ok()
                .and_then(|target| self.find(&target)),
        }
    }
}

/// A parsed client row.
struct ParsedClient<'a> {
    line: u64,
    client: Client,
    sources: ClientSources<'a>,
}

fn parse_client<'t>(
    schema: &Schema,
    cells: &[Cell<'t, '_>],
) -> std::result::Result<(Client, ClientSources<'t>), Rejection> {
    let mut client = Client::default();
    let mut sources = ClientSources {
        columns: cells.iter().map(|c| (c.target, c.header)).collect(),
        ..ClientSources::default()
    };
    let mut kind: Option<bool> = None;
    let mut name_parts: [Option<&Cell<'t, '_>>; 3] = [None, None, None];
    let mut full_name: Option<&Cell<'t, '_>> = None;
    let mut company: Option<&Cell<'t, '_>> = None;
    let mut tax_id: Option<&Cell<'t, '_>> = None;
    // JSON cells first, so that plain columns override and extend them.
    let ordered = cells
        .iter()
        .filter(|c| c.target.is_json())
        .chain(cells.iter().filter(|c| !c.target.is_json()));
    for cell in ordered {
        let at = |e: Error| Rejection::at(cell.header, e);
        let text = cell.text;
        let own = || Some(text.to_string());
        match cell.target {
            ColumnTarget::Ignore => {}
            ColumnTarget::Id => client.id = ClientId(id_cell(text, "id").map_err(at)?),
            ColumnTarget::Kind => kind = Some(kind_cell(text).map_err(at)?),
            ColumnTarget::Surname => name_parts[0] = Some(cell),
            ColumnTarget::GivenName => name_parts[1] = Some(cell),
            ColumnTarget::Patronymic => name_parts[2] = Some(cell),
            ColumnTarget::FullName => full_name = Some(cell),
            ColumnTarget::Company => company = Some(cell),
            ColumnTarget::TaxId => tax_id = Some(cell),
            ColumnTarget::Birthday => {
                client.birthday = Some(date_cell(text, "birthday").map_err(at)?)
            }
            ColumnTarget::City => client.city = own(),
            ColumnTarget::Region => client.region = own(),
            ColumnTarget::Address => client.address = own(),
            ColumnTarget::Owner => client.owner = own(),
            ColumnTarget::Source => client.source = own(),
            ColumnTarget::Behaviour => client.behaviour = own(),
            ColumnTarget::Stage => client.stage = stage_cell(text).map_err(at)?,
            ColumnTarget::Temperature => {
                client.temperature = Some(temperature_cell(text).map_err(at)?)
            }
            ColumnTarget::LoyaltyPercent => {
                client.loyalty_percent = Some(percent_cell(text).map_err(at)?)
            }
            ColumnTarget::CanRefer => {
                client.can_refer = bool_cell(text, "can_refer").map_err(at)?
            }
            ColumnTarget::CreatedAt => {
                client.created_at = Some(datetime_cell(text, "created_at").map_err(at)?)
            }
            ColumnTarget::UpdatedAt => {
                client.updated_at = Some(datetime_cell(text, "updated_at").map_err(at)?)
            }
            ColumnTarget::Phone => {
                client.phones.push(Phone::raw(text));
                sources.phones.push(cell.header);
            }
            ColumnTarget::Email => {
                client.emails.push(Email::raw(text));
                sources.emails.push(cell.header);
            }
            ColumnTarget::Messenger(kind) => {
                client.messengers.push(Messenger {
                    kind: kind.clone(),
                    id: text.to_string(),
                    consent: None,
                });
                sources.messengers.push(cell.header);
            }
            ColumnTarget::Tags => {
                for tag in split_list(text) {
                    schema.check_tag(tag).map_err(at)?;
                    client.tags.insert(tag.to_string());
                }
            }
            ColumnTarget::Custom(name) => {
                // The base converts the text to the declared type, and its error names
                // the field, which leads back to this column. Text fields keep the
                // cell as typed; typed fields read the trimmed text.
                let raw = match schema.field(name).map(|f| &f.field_type) {
                    Some(FieldType::Text) => text,
                    _ => text.trim(),
                };
                client
                    .custom
                    .insert(name.clone(), FieldValue::Text(raw.to_string()));
            }
            ColumnTarget::Consent(channel) => {
                let field = format!("consents.marketing.{}", channel.name());
                let consent = consent_cell(text, &field).map_err(at)?;
                client.consents.marketing.insert(*channel, consent);
            }
            ColumnTarget::PersonalDataConsent => {
                let consent = consent_cell(text, "consents.personal_data").map_err(at)?;
                client.consents.personal_data = Some(consent);
            }
            ColumnTarget::PhonesJson => {
                let phones: Vec<Phone> = json_cell(text, "phones").map_err(at)?;
                sources
                    .phones
                    .extend(std::iter::repeat_n(cell.header, phones.len()));
                client.phones.extend(phones);
            }
            ColumnTarget::EmailsJson => {
                let emails: Vec<Email> = json_cell(text, "emails").map_err(at)?;
                sources
                    .emails
                    .extend(std::iter::repeat_n(cell.header, emails.len()));
                client.emails.extend(emails);
            }
            ColumnTarget::MessengersJson => {
                let messengers: Vec<Messenger> = json_cell(text, "messengers").map_err(at)?;
                sources
                    .messengers
                    .extend(std::iter::repeat_n(cell.header, messengers.len()));
                client.messengers.extend(messengers);
            }
            ColumnTarget::ConsentsJson => {
                client.consents = json_cell::<Consents>(text, "consents").map_err(at)?;
            }
            ColumnTarget::RelationsJson => {
                client.relations = json_cell::<Vec<Relation>>(text, "relations").map_err(at)?;
            }
            ColumnTarget::CustomJson => {
                let values: BTreeMap<String, FieldValue> = json_cell(text, "custom").map_err(at)?;
                client.custom.extend(values);
            }
            deal_target => {
                return Err(at(Error::new(
                    ErrorKind::Csv,
                    format!("{deal_target} is not a client field"),
                )))
            }
        }
    }

    let is_company = kind.unwrap_or(company.is_some());
    const PART_FIELDS: [&str; 3] = ["surname", "given", "patronymic"];
    client.party = if is_company {
        if let Some((i, part)) = name_parts
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.map(|p| (i, p)))
        {
            return Err(Rejection::at(
                part.header,
                invalid(
                    PART_FIELDS[i],
                    "a company has no personal name: set kind to person, or map the column to ignore",
                ),
            ));
        }
        let legal_name = match (company, full_name) {
            (Some(_), Some(extra)) => {
                return Err(Rejection::at(
                    extra.header,
                    invalid(
                        "name",
                        "the company's name comes from the company column: map this one to ignore or to a custom field",
                    ),
                ))
            }
            (Some(cell), None) | (None, Some(cell)) => {
                sources.legal_name = Some(cell.header);
                cell.text.to_string()
            }
            (None, None) => String::new(),
        };
        Party::Company(Company {
            legal_name,
            tax_id: tax_id.map(|c| c.text.trim().to_string()),
        })
    } else {
        if let Some(cell) = company {
            return Err(Rejection::at(
                cell.header,
                invalid(
                    "legal_name",
                    "a person has no legal name (kind is person): map the column to ignore or to a custom field",
                ),
            ));
        }
        if let Some(cell) = tax_id {
            return Err(Rejection::at(
                cell.header,
                invalid(
                    "tax_id",
                    "only companies carry a tax id: set kind to company (also for a sole proprietor)",
                ),
            ));
        }
        let mut name = PersonName::default();
        if let Some(cell) = full_name {
            let words: Vec<&str> = cell.text.split_whitespace().collect();
            let mut words = words.into_iter();
            name.surname = words.next().map(str::to_string);
            name.given = words.next().map(str::to_string);
            let rest: Vec<&str> = words.collect();
            name.patronymic = (!rest.is_empty()).then(|| rest.join(" "));
        }
        let [surname, given, patronymic] = name_parts.map(|p| p.map(|c| c.text.to_string()));
        name.surname = surname.or(name.surname);
        name.given = given.or(name.given);
        name.patronymic = patronymic.or(name.patronymic);
        Party::Person(name)
    };
    Ok((client, sources))
}

impl ClientBase {
    /// Imports clients from CSV, reading columns as `mapping` says.
    ///
    /// Every row is imported or reported in [`ImportReport::rejected`]; the call
    /// itself fails only when the file cannot be read at all (no header line,
    /// reading fails) or the mapping does not fit it (a mapped header is missing, a
    /// target is for deals): then nothing is imported.
    ///
    /// # Rejected rows
    ///
    /// Every data row ends up in exactly one place: [`ImportReport::imported`],
    /// [`ImportReport::rejected`] or the count of [`ImportReport::empty_rows`] (rows
    /// whose cells are all blank). A row is rejected, and the rest imported, when a cell
    /// cannot be read, when the record fails validation (unknown tag, wrong custom field
    /// type, bad ИНН, unknown client id, an id already in use, ...), when it has fewer
    /// cells than the header, or non-blank cells past the last header column. The
    /// rejection names the line where the row starts in the file (the header is line 1;
    /// a quoted cell spanning lines counts them all), the column, the record field, the
    /// [`ErrorKind::name`] and the reason.
    ///
    /// # Ids and relations
    ///
    /// With an `id` column the given ids are kept (an id already in use rejects the
    /// row) and new ids continue above them; without one the base assigns ids.
    /// Relations and `duplicate_of` statuses may point at rows further down the file,
    /// or at each other; they are attached once every row is in. A row rejected only
    /// because of its relations (or its duplicate status) has used up its id.
    ///
    /// # Example
    ///
    /// ```
    /// use clientbase::{ClientBase, ColumnMapping, CsvOptions, FieldDef, FieldType, Schema};
    /// let mut schema = Schema::new();
    /// schema.declare_field(FieldDef::new("rooms", FieldType::Integer))?;
    /// let mut base = ClientBase::new(schema);
    /// let csv = "ФИО,Комнат,Email\n\"Сидоров Семён Семёнович\",3,s@example.ru\nКозлова Ирина,три,\n";
    /// let mapping = ColumnMapping::from_pairs([("ФИО", "full_name"), ("Комнат", "custom.rooms"), ("Email", "email")])?;
    /// let report = base.import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
    /// assert_eq!(base.client(report.imported[0]).unwrap().display_name(), "Сидоров Семён Семёнович");
    /// assert_eq!(report.rejected[0].to_string(), "line 3, column \"Комнат\": expected integer, got text \"три\"");
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_clients_csv<R: Read>(
        &mut self,
        reader: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<ClientId>> {
        let table = Table::open(reader, mapping, options, Records::Clients, self.schema())?;
        self.import_clients(&table.layout, "line", |each| table.for_each_row(each))
    }

    /// Imports clients from rows of cells named by `headers`, reading columns as
    /// `mapping` says: what [`ClientBase::import_clients_csv`] does with the rows
    /// of a file, for data already in memory (a cell is `None` or text; `None`
    /// and blank cells are empty). Every row is read by the same code as a CSV
    /// row, with the same rules and the same errors; in the report, a row's
    /// `line` is its index from 0. `options` is taken for symmetry with
    /// [`ClientBase::import_deals_rows`]; its delimiter is not used.
    ///
    /// ```
    /// use clientbase::{ClientBase, ColumnMapping, CsvOptions};
    /// let mut base = ClientBase::default();
    /// let mapping = ColumnMapping::from_pairs([("surname", "surname"), ("phone", "phone"), ("birthday", "birthday")])?;
    /// let rows = [
    ///     vec![Some("Иванова"), Some("8 916 123-45-67"), None],
    ///     vec![Some("Петров"), None, Some("31.02.1985")],
    /// ];
    /// let report = base.import_clients_rows(["surname", "phone", "birthday"], rows, &mapping, &CsvOptions::default())?;
    /// assert_eq!(report.imported.len(), 1);
    /// assert_eq!(report.rejected[0].line, 1);
    /// assert_eq!(report.rejected[0].field.as_deref(), Some("birthday"));
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_clients_rows<H, R, C, S>(
        &mut self,
        headers: H,
        rows: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<ClientId>>
    where
        H: IntoIterator,
        H::Item: AsRef<str>,
        R: IntoIterator<Item = C>,
        C: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let _ = options;
        let layout = Layout::for_rows(headers, mapping, Records::Clients, self.schema())?;
        self.import_clients(&layout, "row", |each| layout.for_each_cells_row(rows, each))
    }

    /// The import of clients from rows, wherever they come from: `read` hands
    /// every row to its callback with its line (`unit` says whether that is a
    /// file's line or a row's index, for messages).
    fn import_clients<'t>(
        &mut self,
        layout: &'t Layout,
        unit: &str,
        read: impl FnOnce(&mut dyn FnMut(u64, Row<'t, '_>)) -> Result<()>,
    ) -> Result<ImportReport<ClientId>> {
        let mut rows = 0;
        let mut empty_rows = 0;
        let mut rejected: Vec<RejectedRow> = Vec::new();
        let mut parsed: Vec<ParsedClient<'_>> = Vec::new();
        {
            let schema = self.schema();
            read(&mut |line, row| {
                rows += 1;
                match row {
                    Row::Empty => empty_rows += 1,
                    Row::Rejected(rejection) => rejected.push(rejection.into_row(line)),
                    Row::Cells(cells) => match parse_client(schema, &cells) {
                        Ok((client, sources)) => parsed.push(ParsedClient {
                            line,
                            client,
                            sources,
                        }),
                        Err(rejection) => rejected.push(rejection.into_row(line)),
                    },
                }
            })?;
        }

        let mut imported: Vec<(u64, ClientId)> = Vec::with_capacity(parsed.len());
        // Lines of rejected rows by the id they asked for, to explain dangling relations.
        let mut rejected_ids: HashMap<ClientId, u64> = HashMap::new();
        let mut deferred: Vec<(ParsedClient<'_>, Vec<Relation>)> = Vec::new();
        let mut deferred_ids: HashSet<ClientId> = HashSet::new();
        // Rows with ids first, so that the ids given to the others cannot take theirs.
        let (with_ids, without_ids): (Vec<_>, Vec<_>) =
            parsed.into_iter().partition(|p| p.client.id.0 != 0);
        for mut row in with_ids.into_iter().chain(without_ids) {
            let asked = row.client.id;
            let forward = row
                .client
                .relations
                .iter()
                .any(|r| self.client(r.to).is_none() || deferred_ids.contains(&r.to));
            let relations = if forward {
                std::mem::take(&mut row.client.relations)
            } else {
                Vec::new()
            };
            match self.insert_client(std::mem::take(&mut row.client)) {
                Ok(id) if forward => {
                    // The row keeps only its id for the second pass.
                    row.client.id = id;
                    deferred_ids.insert(id);
                    deferred.push((row, relations));
                }
                Ok(id) => imported.push((row.line, id)),
                Err(error) => {
                    if asked.0 != 0 {
                        rejected_ids.insert(asked, row.line);
                    }
                    let column = row.sources.column(error.field().unwrap_or(""));
                    rejected.push(
                        Rejection {
                            column: column.map(str::to_string),
                            error,
                        }
                        .into_row(row.line),
                    );
                }
            }
        }

        // Rows whose relations point forward are in, without relations. Drop those
        // whose relations do not hold (which may break others), then attach the rest.
        loop {
            let mut dropped = false;
            let mut kept = Vec::with_capacity(deferred.len());
            for (row, relations) in deferred {
                let id = row.client.id;
                let check = self.client(id).cloned().map(|mut stored| {
                    stored.relations = relations.clone();
                    self.validated_client(stored, id)
                });
                match check {
                    Some(Ok(_)) => kept.push((row, relations)),
                    Some(Err(error)) => {
                        // Nothing refers to a client that has no relations attached yet.
                        let removed = self.remove_client(id);
                        debug_assert!(removed.is_ok());
                        rejected_ids.insert(id, row.line);
                        let error = explain_relation(error, &relations, &rejected_ids, unit);
                        let column = row.sources.column(error.field().unwrap_or(""));
                        rejected.push(
                            Rejection {
                                column: column.map(str::to_string),
                                error,
                            }
                            .into_row(row.line),
                        );
                        dropped = true;
                    }
                    None => {}
                }
            }
            deferred = kept;
            if !dropped {
                break;
            }
        }
        for (row, relations) in deferred {
            let id = row.client.id;
            match self.set_relations(id, relations) {
                Ok(()) => imported.push((row.line, id)),
                Err(error) => {
                    let _ = self.remove_client(id);
                    let column = row.sources.column(error.field().unwrap_or(""));
                    rejected.push(
                        Rejection {
                            column: column.map(str::to_string),
                            error,
                        }
                        .into_row(row.line),
                    );
                }
            }
        }

        imported.sort_by_key(|(line, _)| *line);
        rejected.sort_by_key(|r| r.line);
        Ok(ImportReport {
            rows,
            imported: imported.into_iter().map(|(_, id)| id).collect(),
            rejected,
            empty_rows,
            ignored_columns: layout.ignored.clone(),
        })
    }
}

/// Adds which line (or row, as `unit` says) a missing relation target was
/// rejected on.
fn explain_relation(
    error: Error,
    relations: &[Relation],
    rejected: &HashMap<ClientId, u64>,
    unit: &str,
) -> Error {
    let Some(field) = error.field() else {
        return error;
    };
    if error.kind() != ErrorKind::UnknownId {
        return error;
    }
    let (_, index) = split_field(field);
    match index
        .and_then(|i| relations.get(i))
        .and_then(|r| rejected.get(&r.to).map(|line| (r.to, line)))
    {
        Some((to, line)) => Error::new(
            ErrorKind::UnknownId,
            format!("{to} does not exist: its row ({unit} {line}) was rejected"),
        )
        .with_field(field),
        None => error,
    }
}

// ---- deals ------------------------------------------------------------------------

/// Where a product line of a deal row came from.
#[derive(Clone, Copy)]
enum LineSource<'a> {
    Json(&'a str),
    Single,
}

/// Which column gave which part of a deal, to name the column of a later error.
#[derive(Default)]
struct DealSources<'a> {
    columns: Vec<(&'a ColumnTarget, &'a str)>,
    lines: Vec<LineSource<'a>>,
}

impl<'a> DealSources<'a> {
    fn find(&self, target: &ColumnTarget) -> Option<&'a str> {
        self.columns
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, h)| *h)
    }

    fn column(&self, field: &str) -> Option<&'a str> {
        let (head, index) = split_field(field);
        match head {
            "client" => self.find(&ColumnTarget::ClientId),
            "recurrence" => self.find(&ColumnTarget::RecurrenceJson),
            "lines" => match index.and_then(|i| self.lines.get(i)) {
                Some(LineSource::Json(header)) => Some(header),
                Some(LineSource::Single) => {
                    let part = field.rsplit('.').next().unwrap_or("");
                    let target = match part {
                        "quantity" => ColumnTarget::Quantity,
                        "unit_price" => ColumnTarget::UnitPrice,
                        "category" => ColumnTarget::Category,
                        _ => ColumnTarget::Product,
                    };
                    self.find(&target)
                        .or_else(|| self.find(&ColumnTarget::Product))
                }
                None => self.find(&ColumnTarget::LinesJson),
            },
            other => other
                .parse::<ColumnTarget>()
                .ok()
                .and_then(|target| self.find(&target)),
        }
    }
}

struct ParsedDeal<'a> {
    line: u64,
    deal: Deal,
    sources: DealSources<'a>,
}

fn parse_deal<'t>(
    default_currency: Currency,
    cells: &[Cell<'t, '_>],
) -> std::result::Result<(Deal, DealSources<'t>), Rejection> {
    let mut sources = DealSources {
        columns: cells.iter().map(|c| (c.target, c.header)).collect(),
        ..DealSources::default()
    };
    let find = |target: ColumnTarget| cells.iter().find(|c| *c.target == target);
    let currency = match find(ColumnTarget::Currency) {
        Some(cell) => Currency::new(cell.text).map_err(|e| Rejection::at(cell.header, e))?,
        None => default_currency,
    };
    let mut deal = Deal::new(ClientId(0), Money::zero(currency));
    let mut amount = None;
    let mut client = None;
    let mut single: [Option<&Cell<'t, '_>>; 4] = [None; 4];
    let ordered = cells
        .iter()
        .filter(|c| c.target.is_json())
        .chain(cells.iter().filter(|c| !c.target.is_json()));
    for cell in ordered {
        let at = |e: Error| Rejection::at(cell.header, e);
        let text = cell.text;
        let own = || Some(text.to_string());
        match cell.target {
            ColumnTarget::Ignore | ColumnTarget::Currency => {}
            ColumnTarget::Id => deal.id = DealId(id_cell(text, "id").map_err(at)?),
            ColumnTarget::ClientId => client = Some(ClientId(id_cell(text, "client").map_err(at)?)),
            ColumnTarget::Title => deal.title = own(),
            ColumnTarget::Pipeline => deal.pipeline = text.to_string(),
            ColumnTarget::Stage => deal.stage = text.to_string(),
            ColumnTarget::Status => deal.status = status_cell(text).map_err(at)?,
            ColumnTarget::Amount => amount = Some(Money::parse(text, currency).map_err(at)?),
            ColumnTarget::CreatedAt => {
                deal.created_at = Some(datetime_cell(text, "created_at").map_err(at)?)
            }
            ColumnTarget::ClosedAt => {
                deal.closed_at = Some(datetime_cell(text, "closed_at").map_err(at)?)
            }
            ColumnTarget::Owner => deal.owner = own(),
            ColumnTarget::Source => deal.source = own(),
            ColumnTarget::LinesJson => {
                let lines: Vec<ProductLine> = json_cell(text, "lines").map_err(at)?;
                sources.lines.extend(std::iter::repeat_n(
                    LineSource::Json(cell.header),
                    lines.len(),
                ));
                deal.lines.extend(lines);
            }
            ColumnTarget::RecurrenceJson => {
                deal.recurrence = Some(json_cell::<Recurrence>(text, "recurrence").map_err(at)?)
            }
            ColumnTarget::Product => single[0] = Some(cell),
            ColumnTarget::Category => single[1] = Some(cell),
            ColumnTarget::Quantity => single[2] = Some(cell),
            ColumnTarget::UnitPrice => single[3] = Some(cell),
            client_target => {
                return Err(at(Error::new(
                    ErrorKind::Csv,
                    format!("{client_target} is not a deal field"),
                )))
            }
        }
    }

    let index = deal.lines.len();
    let path = |part: &str| format!("lines[{index}].{part}");
    match single {
        [None, None, None, None] => {}
        [None, ..] => {
            let given = single.iter().flatten().next().map_or("", |c| c.header);
            return Err(Rejection::at(
                given,
                invalid(
                    path("product"),
                    "a quantity, unit price or category is given without a product",
                ),
            ));
        }
        [Some(product), category, quantity, unit_price] => {
            let quantity = match quantity {
                Some(cell) => Quantity::parse(cell.text).map_err(|e| {
                    Rejection::at(cell.header, e.in_field(format!("lines[{index}]")))
                })?,
                None => Quantity::ONE,
            };
            let Some(price_cell) = unit_price else {
                return Err(Rejection::at(
                    product.header,
                    invalid(path("unit_price"), "a product line needs a unit price"),
                ));
            };
            let unit_price = Money::parse(price_cell.text, currency).map_err(|e| {
                let field = path("unit_price");
                Rejection::at(
                    price_cell.header,
                    Error::new(e.kind(), e.reason()).with_field(field),
                )
            })?;
            let mut line = ProductLine::new(product.text, quantity, unit_price);
            line.category = category.map(|c| c.text.to_string());
            deal.lines.push(line);
            sources.lines.push(LineSource::Single);
        }
    }

    deal.client =
        client.ok_or_else(|| Rejection::row(invalid("client", "a deal needs its client's id")))?;
    deal.amount = match amount {
        Some(amount) => amount,
        None if !deal.lines.is_empty() => deal
            .lines_total()
            .map_err(|e| Rejection::row(Error::new(e.kind(), e.reason()).with_field("amount")))?,
        None => {
            return Err(Rejection::row(invalid(
                "amount",
                "a deal needs an amount, or product lines to total",
            )))
        }
    };
    Ok((deal, sources))
}

impl ClientBase {
    /// Imports deals from CSV, reading columns as `mapping` says. Their clients
    /// must already be in the base (import clients first).
    ///
    /// Fails and imports nothing on the same grounds as
    /// [`ClientBase::import_clients_csv`], and when the mapping has no `client_id`.
    ///
    /// ```
    /// use clientbase::{ClientBase, Client, ColumnMapping, CsvOptions};
    /// let mut base = ClientBase::default();
    /// let anna = base.add_client(Client::person("Иванова", "Анна", None))?;
    /// let csv = format!("Клиент;Сумма;Статус\n{};4 990,50;выиграна\n99;100;open\n", anna.get());
    /// let mapping = ColumnMapping::from_pairs([("Клиент", "client_id"), ("Сумма", "amount"), ("Статус", "status")])?;
    /// let report = base.import_deals_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
    /// assert_eq!(base.deal(report.imported[0]).unwrap().amount.to_string(), "4990.50 RUB");
    /// assert_eq!(report.rejected[0].kind, "unknown_id");
    /// assert_eq!(report.rejected[0].column.as_deref(), Some("Клиент"));
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn import_deals_csv<R: Read>(
        &mut self,
        reader: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<DealId>> {
        let table = Table::open(reader, mapping, options, Records::Deals, self.schema())?;
        self.import_deals(&table.layout, "line", options, |each| {
            table.for_each_row(each)
        })
    }

    /// Imports deals from rows of cells named by `headers`: what
    /// [`ClientBase::import_deals_csv`] does with the rows of a file, for data
    /// already in memory; see [`ClientBase::import_clients_rows`]. In the
    /// report, a row's `line` is its index from 0. `options.currency` is the
    /// currency of rows without a `currency` cell; the delimiter is not used.
    pub fn import_deals_rows<H, R, C, S>(
        &mut self,
        headers: H,
        rows: R,
        mapping: &ColumnMapping,
        options: &CsvOptions,
    ) -> Result<ImportReport<DealId>>
    where
        H: IntoIterator,
        H::Item: AsRef<str>,
        R: IntoIterator<Item = C>,
        C: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let layout = Layout::for_rows(headers, mapping, Records::Deals, self.schema())?;
        self.import_deals(&layout, "row", options, |each| {
            layout.for_each_cells_row(rows, each)
        })
    }

    /// The import of deals from rows, wherever they come from; see
    /// `import_clients`.
    fn import_deals<'t>(
        &mut self,
        layout: &'t Layout,
        unit: &str,
        options: &CsvOptions,
        read: impl FnOnce(&mut dyn FnMut(u64, Row<'t, '_>)) -> Result<()>,
    ) -> Result<ImportReport<DealId>> {
        let currency = options
            .currency
            .or(self.schema().currency())
            .unwrap_or(Currency::RUB);
        let mut rows = 0;
        let mut empty_rows = 0;
        let mut rejected: Vec<RejectedRow> = Vec::new();
        let mut parsed: Vec<ParsedDeal<'_>> = Vec::new();
        read(&mut |line, row| {
            rows += 1;
            match row {
                Row::Empty => empty_rows += 1,
                Row::Rejected(rejection) => rejected.push(rejection.into_row(line)),
                Row::Cells(cells) => match parse_deal(currency, &cells) {
                    Ok((deal, sources)) => parsed.push(ParsedDeal {
                        line,
                        deal,
                        sources,
                    }),
                    Err(rejection) => rejected.push(rejection.into_row(line)),
                },
            }
        })?;

        let reject = |rejected: &mut Vec<RejectedRow>,
                      line: u64,
                      sources: &DealSources<'_>,
                      error: Error| {
            let column = sources.column(error.field().unwrap_or(""));
            rejected.push(
                Rejection {
                    column: column.map(str::to_string),
                    error,
                }
                .into_row(line),
            );
        };
        let mut imported: Vec<(u64, DealId)> = Vec::with_capacity(parsed.len());
        let mut rejected_ids: HashMap<DealId, u64> = HashMap::new();
        // Deals that duplicate one further down the file go in as lost first.
        let mut deferred: Vec<(ParsedDeal<'_>, DealId)> = Vec::new();
        let mut deferred_ids: HashSet<DealId> = HashSet::new();
        let (with_ids, without_ids): (Vec<_>, Vec<_>) =
            parsed.into_iter().partition(|p| p.deal.id.0 != 0);
        for row in with_ids.into_iter().chain(without_ids) {
            let ParsedDeal {
                line,
                deal,
                sources,
            } = row;
            let asked = deal.id;
            let forward = match deal.status {
                DealStatus::DuplicateOf(original) => (self.deal(original).is_none()
                    || deferred_ids.contains(&original))
                .then_some(original),
                _ => None,
            };
            let (insert, later) = match forward {
                Some(original) => {
                    let mut lost = deal.clone();
                    lost.status = DealStatus::Lost;
                    (lost, Some((deal, original)))
                }
                None => (deal, None),
            };
            match self.insert_deal(insert) {
                Ok(id) => match later {
                    Some((mut deal, original)) => {
                        deal.id = id;
                        deferred_ids.insert(id);
                        deferred.push((
                            ParsedDeal {
                                line,
                                deal,
                                sources,
                            },
                            original,
                        ));
                    }
                    None => imported.push((line, id)),
                },
                Err(error) => {
                    if asked.0 != 0 {
                        rejected_ids.insert(asked, line);
                    }
                    reject(&mut rejected, line, &sources, error);
                }
            }
        }

        loop {
            let mut dropped = false;
            let mut kept = Vec::with_capacity(deferred.len());
            for (row, original) in deferred {
                let id = row.deal.id;
                let problem = if original == id {
                    Some(invalid("status", "a deal cannot duplicate itself"))
                } else if self.deal(original).is_none() {
                    let reason = match rejected_ids.get(&original) {
                        Some(line) => {
                            format!(
                                "{original} does not exist: its row ({unit} {line}) was rejected"
                            )
                        }
                        None => format!("{original} does not exist"),
                    };
                    Some(Error::new(ErrorKind::UnknownId, reason).with_field("status"))
                } else {
                    None
                };
                match problem {
                    None => kept.push((row, original)),
                    Some(error) => {
                        // No activity and no deal of this import refers to it yet.
                        let removed = self.remove_deal(id);
                        debug_assert!(removed.is_ok());
                        rejected_ids.insert(id, row.line);
                        reject(&mut rejected, row.line, &row.sources, error);
                        dropped = true;
                    }
                }
            }
            deferred = kept;
            if !dropped {
                break;
            }
        }
        for (row, _) in deferred {
            let id = row.deal.id;
            match self.update_deal(row.deal) {
                Ok(()) => imported.push((row.line, id)),
                Err(error) => {
                    let _ = self.remove_deal(id);
                    reject(&mut rejected, row.line, &row.sources, error);
                }
            }
        }

        imported.sort_by_key(|(line, _)| *line);
        rejected.sort_by_key(|r| r.line);
        Ok(ImportReport {
            rows,
            imported: imported.into_iter().map(|(_, id)| id).collect(),
            rejected,
            empty_rows,
            ignored_columns: layout.ignored.clone(),
        })
    }
}

// ---- export -----------------------------------------------------------------------

fn timestamp(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

fn json_or_empty<T: Serialize + ?Sized>(value: &T, empty: bool) -> Result<String> {
    if empty {
        Ok(String::new())
    } else {
        Ok(serde_json::to_string(value)?)
    }
}

fn or_empty(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

impl ClientBase {
    /// Exports all clients as CSV, one row per client in id order, with the columns
    /// that [`ColumnMapping::canonical_clients`] reads back.
    ///
    /// # Format and round trips
    ///
    /// [`ClientBase::export_clients_csv`] and [`ClientBase::export_deals_csv`] write
    /// comma-separated UTF-8 without a BOM: readable columns for scalars (dates
    /// `yyyy-mm-dd`, timestamps RFC 3339, money `1234.50` with a `currency` column) and
    /// JSON cells for the structured parts. [`ColumnMapping::canonical_clients`] and
    /// [`ColumnMapping::canonical_deals`] read them back: exporting a base and
    /// importing clients then deals into a new base with the same schema gives an equal
    /// base. Two things CSV cannot carry: text that is empty or only spaces (it reads
    /// back as no value), and the id counters of a base that has deleted its newest
    /// records. The JSON format ([`ClientBase::write_json`]) keeps both.
    ///
    /// # Example
    ///
    /// ```
    /// use clientbase::{ClientBase, Client, ColumnMapping, CsvOptions};
    /// let mut base = ClientBase::default();
    /// base.add_client(Client::person("Иванова", "Анна", None).with_phone("8 916 123-45-67"))?;
    /// let mut csv = Vec::new();
    /// base.export_clients_csv(&mut csv)?;
    /// let mut copy = ClientBase::default();
    /// copy.import_clients_csv(&csv[..], &ColumnMapping::canonical_clients(), &CsvOptions::default())?;
    /// assert!(copy == base);
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn export_clients_csv<W: Write>(&self, writer: W) -> Result<()> {
        let mut out = csv::Writer::from_writer(writer);
        out.write_record(CLIENT_COLUMNS.iter().map(ToString::to_string))
            .map_err(csv_error)?;
        for client in self.clients() {
            let (kind, person, company) = match &client.party {
                Party::Person(name) => ("person", Some(name), None),
                Party::Company(company) => ("company", None, Some(company)),
            };
            let part =
                |get: fn(&PersonName) -> &Option<String>| person.map_or("", |p| or_empty(get(p)));
            let tags: Vec<&str> = client.tags.iter().map(String::as_str).collect();
            let record: [Cow<'_, str>; CLIENT_COLUMNS.len()] = [
                client.id.0.to_string().into(),
                kind.into(),
                part(|p| &p.surname).into(),
                part(|p| &p.given).into(),
                part(|p| &p.patronymic).into(),
                company.map_or("", |c| c.legal_name.as_str()).into(),
                company.map_or("", |c| or_empty(&c.tax_id)).into(),
                client
                    .birthday
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
                    .into(),
                or_empty(&client.city).into(),
                or_empty(&client.region).into(),
                or_empty(&client.address).into(),
                or_empty(&client.owner).into(),
                or_empty(&client.source).into(),
                stage_name(client.stage).into(),
                client.temperature.map_or("", temperature_name).into(),
                or_empty(&client.behaviour).into(),
                client
                    .loyalty_percent
                    .map(|p| p.to_string())
                    .unwrap_or_default()
                    .into(),
                if client.can_refer { "true" } else { "false" }.into(),
                timestamp(client.created_at).into(),
                timestamp(client.updated_at).into(),
                tags.join(", ").into(),
                json_or_empty(&client.phones, client.phones.is_empty())?.into(),
                json_or_empty(&client.emails, client.emails.is_empty())?.into(),
                json_or_empty(&client.messengers, client.messengers.is_empty())?.into(),
                json_or_empty(&client.consents, client.consents == Consents::default())?.into(),
                json_or_empty(&client.relations, client.relations.is_empty())?.into(),
                json_or_empty(&client.custom, client.custom.is_empty())?.into(),
            ];
            out.write_record(record.iter().map(|c| c.as_bytes()))
                .map_err(csv_error)?;
        }
        out.flush()?;
        Ok(())
    }

    /// Exports all deals as CSV, one row per deal in id order, with the columns
    /// that [`ColumnMapping::canonical_deals`] reads back.
    pub fn export_deals_csv<W: Write>(&self, writer: W) -> Result<()> {
        let mut out = csv::Writer::from_writer(writer);
        out.write_record(DEAL_COLUMNS.iter().map(ToString::to_string))
            .map_err(csv_error)?;
        for deal in self.deals() {
            let record: [Cow<'_, str>; DEAL_COLUMNS.len()] = [
                deal.id.0.to_string().into(),
                deal.client.0.to_string().into(),
                or_empty(&deal.title).into(),
                deal.pipeline.as_str().into(),
                deal.stage.as_str().into(),
                status_name(deal.status),
                deal.amount.amount_string().into(),
                deal.amount.currency().code().to_string().into(),
                timestamp(deal.created_at).into(),
                timestamp(deal.closed_at).into(),
                or_empty(&deal.owner).into(),
                or_empty(&deal.source).into(),
                json_or_empty(&deal.lines, deal.lines.is_empty())?.into(),
                json_or_empty(&deal.recurrence, deal.recurrence.is_none())?.into(),
            ];
            out.write_record(record.iter().map(|c| c.as_bytes()))
                .map_err(csv_error)?;
        }
        out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simple_target_name_round_trips() {
        for (name, target) in &SIMPLE_TARGETS {
            assert_eq!(name.parse::<ColumnTarget>().unwrap(), *target);
            assert_eq!(target.to_string(), *name);
        }
        for name in ["messenger.telegram", "custom.rooms", "consent.sms"] {
            assert_eq!(name.parse::<ColumnTarget>().unwrap().to_string(), name);
        }
        assert_eq!(
            "Consent.Personal_Data".parse::<ColumnTarget>().unwrap(),
            ColumnTarget::PersonalDataConsent
        );
        assert!("consent.fax".parse::<ColumnTarget>().is_err());
        assert!("custom.".parse::<ColumnTarget>().is_err());
    }

    #[test]
    fn delimiter_detection_ignores_quoted_text() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,2;3"), b';');
        assert_eq!(detect_delimiter(b"\"a;b\",c,d\n"), b',');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"single"), b',');
    }

    #[test]
    fn consent_cells() {
        let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
        let f = "consents.marketing.sms";
        assert_eq!(consent_cell("да 10.01.2024", f).unwrap(), Consent::given(d));
        assert_eq!(
            consent_cell("Given, 2024-01-10", f).unwrap(),
            Consent::given(d)
        );
        assert_eq!(consent_cell("10.01.2024", f).unwrap(), Consent::given(d));
        assert_eq!(
            consent_cell("нет: 10.01.2024", f).unwrap(),
            Consent::withdrawn(d)
        );
        assert_eq!(
            consent_cell("withdrawn 2024-01-10", f).unwrap(),
            Consent::withdrawn(d)
        );
        assert!(consent_cell("да", f)
            .unwrap_err()
            .reason()
            .contains("no date"));
        assert!(consent_cell("может быть 10.01.2024", f).is_err());
        assert_eq!(
            consent_cell("- 10.01.2024", f).unwrap(),
            Consent::withdrawn(d)
        );
        assert!(consent_cell(", 10.01.2024", f).is_err());
    }

    #[test]
    fn statuses_and_small_cells() {
        assert_eq!(status_cell("Выиграна").unwrap(), DealStatus::Won);
        assert_eq!(
            status_cell("duplicate_of:7").unwrap(),
            DealStatus::DuplicateOf(DealId(7))
        );
        assert_eq!(
            status_cell("Дубль #12").unwrap(),
            DealStatus::DuplicateOf(DealId(12))
        );
        assert!(status_cell("maybe").is_err());
        assert_eq!(percent_cell("15,0 %").unwrap(), 15);
        assert!(percent_cell("15,5").is_err());
        assert!(percent_cell("140").is_err());
        assert!(kind_cell("Юр. лицо").unwrap());
        assert!(!kind_cell("физ.лицо").unwrap());
        assert_eq!(stage_cell("Ушёл").unwrap(), LifecycleStage::Churned);
        assert_eq!(id_cell(" 17 ", "id").unwrap(), 17);
        assert!(id_cell("0", "id").is_err());
        assert!(id_cell("18446744073709551615", "id").is_err());
        assert_eq!(split_field("lines[2].unit_price"), ("lines", Some(2)));
        assert_eq!(split_field("custom.rooms"), ("custom", None));
    }

    #[test]
    fn options_json() {
        let options: CsvOptions = serde_json::from_str(r#"{"delimiter": ";"}"#).unwrap();
        assert_eq!(options.delimiter, Some(b';'));
        let options: CsvOptions =
            serde_json::from_str(r#"{"delimiter": 9, "currency": "usd"}"#).unwrap();
        assert_eq!(options.delimiter, Some(b'\t'));
        assert_eq!(options.currency, Some(Currency::USD));
        assert_eq!(
            serde_json::from_str::<CsvOptions>("{}").unwrap(),
            CsvOptions::default()
        );
        let json = serde_json::to_string(&CsvOptions {
            delimiter: Some(b';'),
            currency: None,
        })
        .unwrap();
        assert_eq!(json, r#"{"delimiter":";"}"#);
    }
}
