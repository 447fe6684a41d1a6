//! Column targets: which field of a record a CSV column fills.

use super::*;

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
    /// `postcode`: the address's postcode (почтовый индекс).
    Postcode,
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
pub(super) const SIMPLE_TARGETS: [(&str, ColumnTarget); 46] = [
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
    ("postcode", ColumnTarget::Postcode),
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
pub(super) enum Records {
    Clients,
    Deals,
}

impl Records {
    pub(super) fn plural(self) -> &'static str {
        match self {
            Records::Clients => "clients",
            Records::Deals => "deals",
        }
    }
}

impl ColumnTarget {
    /// Whether the target fills a field of `records`.
    pub(super) fn applies_to(&self, records: Records) -> bool {
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
    pub(super) fn repeatable(&self) -> bool {
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
    pub(super) fn is_json(&self) -> bool {
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
