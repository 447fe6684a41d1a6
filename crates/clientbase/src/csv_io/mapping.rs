//! Column mappings: which column fills which field.

use super::*;

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
/// // Петров is imported without the date that is not a date, which is set aside.
/// assert_eq!(report.imported.len(), 2);
/// let aside = &report.set_aside[0];
/// assert_eq!(aside.line, 3);
/// assert_eq!(aside.column.as_deref(), Some("Дата рождения"));
/// assert_eq!(aside.field.as_deref(), Some("birthday"));
/// assert_eq!(aside.reason, "\"31.02.1985\" is not a calendar date");
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
/// | `surname`, `given_name`, `patronymic` | the person's name; on a company, the person behind it (an ИП's owner, the contact) | text |
/// | `full_name` | the person's name, split as `Фамилия Имя Отчество` (words past the third go to the patronymic); a company's legal name when there is no `company` column | text |
/// | `company` | the legal name; a row with it and no `kind` is a company, unless it also names a person and has no tax id: then it is that person's employer | text |
/// | `tax_id` | the company's tax id (ИНН check digits are verified) | `7707083893` |
/// | `birthday` | date of birth | date |
/// | `city`, `region`, `address`, `owner`, `source`, `behaviour` | text fields | text |
/// | `postcode` | the address's postcode (почтовый индекс) | 3-10 letters and digits, at least one digit |
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
    pub(super) columns: Vec<(String, ColumnTarget)>,
}

/// The columns [`ClientBase::export_clients_csv`] writes, each named after its target.
pub(super) const CLIENT_COLUMNS: [ColumnTarget; 28] = [
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
    ColumnTarget::Postcode,
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
pub(super) const DEAL_COLUMNS: [ColumnTarget; 14] = [
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

    pub(super) fn canonical(targets: &[ColumnTarget]) -> ColumnMapping {
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
