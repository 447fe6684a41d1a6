//! Clients: people and companies, their contact points, consents, tags, custom
//! fields and relations to other clients.
//!
//! ```
//! use clientbase::{Client, Channel, Consent};
//! use chrono::NaiveDate;
//! let client = Client::person("Иванова", "Анна", Some("Сергеевна"))
//!     .with_phone("8 (916) 123-45-67")
//!     .with_email("anna@example.ru")
//!     .with_consent(Channel::Sms, Consent::given(NaiveDate::from_ymd_opt(2024, 1, 10).unwrap()));
//! assert_eq!(client.display_name(), "Иванова Анна Сергеевна");
//! assert!(client.consents.allows(Channel::Sms));
//! ```

use crate::dates::parse_date;
use crate::error::{invalid, Error, Result};
use crate::ids::ClientId;
use crate::schema::FieldValue;
use crate::words::keyword;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// The parts of a person's name as Russian forms ask for them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonName {
    /// Фамилия.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// Имя.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    /// Отчество.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patronymic: Option<String>,
}

/// A company's legal identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Company {
    /// The legal name (`ООО «Ромашка»`).
    pub legal_name: String,
    /// Tax id (ИНН for Russian companies: 10 digits, 12 for sole proprietors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// The person behind it, as 1C keeps it: a sole proprietor's (ИП) own
    /// name, or the contact person. In JSON and CSV the `surname`, `given`
    /// and `patronymic` of a company.
    #[serde(flatten)]
    pub person: PersonName,
}

/// Whether a client is a person or a company.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Party {
    /// A private person.
    Person(PersonName),
    /// A company or sole proprietor.
    Company(Company),
}

impl Default for Party {
    fn default() -> Party {
        Party::Person(PersonName::default())
    }
}

/// Person or company: the `kind` of a client in JSON and in CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A private person (the default).
    #[default]
    Person,
    /// A company or sole proprietor.
    Company,
}

impl PartyKind {
    /// Both kinds.
    pub const ALL: &'static [PartyKind] = &[PartyKind::Person, PartyKind::Company];

    /// The kind's name (its serde name): `person` or `company`.
    pub fn name(self) -> &'static str {
        match self {
            PartyKind::Person => "person",
            PartyKind::Company => "company",
        }
    }
}

impl fmt::Display for PartyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a kind from its name or an alias, in any case and ignoring spaces and
/// dots: person (`individual`, `физлицо`, `физическое лицо`, `частное лицо`,
/// `ФЛ`) or company (`organization`, `юрлицо`, `юридическое лицо`,
/// `организация`, `компания`, `ИП`, `индивидуальный предприниматель`, `ЮЛ`).
///
/// ```
/// use clientbase::PartyKind;
/// assert_eq!("Юр. лицо".parse::<PartyKind>()?, PartyKind::Company);
/// assert_eq!("физ.лицо".parse::<PartyKind>()?, PartyKind::Person);
/// assert!("robot".parse::<PartyKind>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for PartyKind {
    type Err = Error;

    fn from_str(text: &str) -> Result<PartyKind> {
        match keyword(text).as_str() {
            "person" | "individual" | "физлицо" | "физическоелицо" | "частноелицо" | "фл" => {
                Ok(PartyKind::Person)
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
            | "юл" => Ok(PartyKind::Company),
            _ => Err(invalid(
                "kind",
                format!(
                    "{:?} is neither person (физлицо) nor company (юрлицо)",
                    text.trim()
                ),
            )),
        }
    }
}

/// Whether a consent is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// The client agreed.
    Given,
    /// The client withdrew an earlier agreement.
    Withdrawn,
}

/// A consent and the date it was given or withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Given or withdrawn.
    pub state: ConsentState,
    /// When the client gave or withdrew it.
    pub date: NaiveDate,
}

impl Consent {
    /// A consent given on `date`.
    pub fn given(date: NaiveDate) -> Consent {
        Consent {
            state: ConsentState::Given,
            date,
        }
    }

    /// A consent withdrawn on `date`.
    pub fn withdrawn(date: NaiveDate) -> Consent {
        Consent {
            state: ConsentState::Withdrawn,
            date,
        }
    }

    /// Whether the consent is in force.
    pub fn is_given(&self) -> bool {
        self.state == ConsentState::Given
    }
}

impl ConsentState {
    /// Both states.
    pub const ALL: &'static [ConsentState] = &[ConsentState::Given, ConsentState::Withdrawn];

    /// The state's name: `given` or `withdrawn` (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            ConsentState::Given => "given",
            ConsentState::Withdrawn => "withdrawn",
        }
    }
}

impl fmt::Display for ConsentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a consent state from its name or an alias, in any case: given (`yes`,
/// `да`, `согласие`, `согласен`, `согласна`, `+`, `1`, `true`) or withdrawn (`no`,
/// `нет`, `отозвано`, `отозвана`, `отказ`, `-`, `0`, `false`).
///
/// ```
/// use clientbase::ConsentState;
/// assert_eq!("Да".parse::<ConsentState>()?, ConsentState::Given);
/// assert_eq!("отозвано".parse::<ConsentState>()?, ConsentState::Withdrawn);
/// assert!("может быть".parse::<ConsentState>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for ConsentState {
    type Err = Error;

    fn from_str(text: &str) -> Result<ConsentState> {
        let word = text.trim();
        // `keyword` drops dashes, so the bare `-` is matched first.
        let word = if word == "-" {
            "no".to_string()
        } else {
            keyword(word)
        };
        match word.as_str() {
            "да" | "yes" | "given" | "согласие" | "согласен" | "согласна" | "+" | "1" | "true" => {
                Ok(ConsentState::Given)
            }
            "нет" | "no" | "withdrawn" | "отозвано" | "отозвана" | "отказ" | "0" | "false" => {
                Ok(ConsentState::Withdrawn)
            }
            _ => Err(invalid(
                "consent",
                format!(
                    "{:?} is neither given (да) nor withdrawn (нет)",
                    text.trim()
                ),
            )),
        }
    }
}

/// Reads a consent as people write it in a spreadsheet: a state and a date
/// (`да 10.01.2024`, `withdrawn, 2024-02-01`, `нет: 01.02.2024`) or a bare date,
/// which means given on that day. The state takes the aliases of
/// [`ConsentState`]'s `FromStr`; the date the formats of CSV import.
///
/// ```
/// use clientbase::{Consent, ConsentState};
/// let consent: Consent = "да 10.01.2024".parse()?;
/// assert_eq!(consent.state, ConsentState::Given);
/// assert_eq!(consent.date.to_string(), "2024-01-10");
/// assert!("да".parse::<Consent>().is_err()); // a consent needs its date
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for Consent {
    type Err = Error;

    fn from_str(text: &str) -> Result<Consent> {
        let t = text.trim();
        if let Ok(date) = parse_date(t) {
            return Ok(Consent::given(date));
        }
        let (word, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
        let word = word.trim_end_matches([',', ':', ';']);
        let state = word.parse::<ConsentState>().map_err(|_| {
            invalid(
                "consent",
                format!("{t:?} is not a consent: write «да 10.01.2024» or «нет 01.02.2024»"),
            )
        })?;
        let date_text = rest.trim().trim_start_matches([',', ':', ';']).trim();
        if date_text.is_empty() {
            return Err(invalid(
                "consent",
                format!("{t:?} has no date: a consent needs the day it was given or withdrawn"),
            ));
        }
        let date = parse_date(date_text).map_err(|reason| invalid("consent", reason))?;
        Ok(Consent { state, date })
    }
}

/// A marketing channel that needs the client's consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Text messages.
    Sms,
    /// Email.
    Email,
    /// Phone calls.
    Calls,
    /// Messengers (Telegram, WhatsApp, ...).
    Messengers,
    /// Advertising audiences (uploaded to ad platforms).
    Ads,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] = [
        Channel::Sms,
        Channel::Email,
        Channel::Calls,
        Channel::Messengers,
        Channel::Ads,
    ];

    /// The channel's name: `sms`, `email`, `calls`, `messengers`, `ads`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Calls => "calls",
            Channel::Messengers => "messengers",
            Channel::Ads => "ads",
        }
    }

    /// The channel called `name`.
    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a channel from its name or an alias, in any case: `sms` (`смс`), `email`
/// (`e-mail`, `почта`, `эл. почта`), `calls` (`звонки`, `звонок`, `телефон`),
/// `messengers` (`мессенджеры`), `ads` (`реклама`).
///
/// ```
/// use clientbase::Channel;
/// assert_eq!("СМС".parse::<Channel>()?, Channel::Sms);
/// assert_eq!("E-mail".parse::<Channel>()?, Channel::Email);
/// assert!("fax".parse::<Channel>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for Channel {
    type Err = Error;

    fn from_str(text: &str) -> Result<Channel> {
        match keyword(text).as_str() {
            "sms" | "смс" => Ok(Channel::Sms),
            "email" | "mail" | "почта" | "электроннаяпочта" | "элпочта" => {
                Ok(Channel::Email)
            }
            "calls" | "call" | "звонки" | "звонок" | "телефон" => {
                Ok(Channel::Calls)
            }
            "messengers" | "messenger" | "мессенджеры" | "мессенджер" => {
                Ok(Channel::Messengers)
            }
            "ads" | "реклама" => Ok(Channel::Ads),
            _ => Err(invalid(
                "channel",
                format!(
                    "{:?} is not a channel ({})",
                    text.trim(),
                    Channel::ALL.map(Channel::name).join(", ")
                ),
            )),
        }
    }
}

/// The client's consents: personal-data processing and marketing per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consents {
    /// Consent to process personal data (152-ФЗ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data: Option<Consent>,
    /// Marketing consent per channel; a missing channel means never asked.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub marketing: BTreeMap<Channel, Consent>,
}

impl Consents {
    /// Whether marketing on `channel` is allowed: the channel consent is given and
    /// personal-data processing has not been withdrawn.
    pub fn allows(&self, channel: Channel) -> bool {
        let data_ok = self.personal_data.is_none_or(|c| c.is_given());
        data_ok && self.marketing.get(&channel).is_some_and(Consent::is_given)
    }
}

/// The kind of a phone number, once normalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// A mobile number.
    Mobile,
    /// A landline.
    FixedLine,
    /// Either; the numbering plan does not tell.
    FixedLineOrMobile,
    /// A free call number (8-800).
    TollFree,
    /// A premium rate number.
    PremiumRate,
    /// Shared cost.
    SharedCost,
    /// Voice over IP.
    Voip,
    /// A personal number.
    PersonalNumber,
    /// A pager.
    Pager,
    /// Universal access number.
    Uan,
    /// Voicemail access.
    Voicemail,
    /// Valid but of unknown kind.
    Unknown,
}

/// A phone number as typed, with its normalized form once known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// Exactly what was typed.
    pub raw: String,
    /// The number in E.164 (`+79161234567`), once normalized and valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// An extension (`доб. 123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Mobile, landline, toll free, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PhoneKind>,
    /// A label such as `раб.` or `моб.`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Consent for this number specifically, where it differs from the channel consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
}

impl Phone {
    /// A phone as typed, not yet normalized.
    pub fn raw(raw: impl Into<String>) -> Phone {
        Phone {
            raw: raw.into(),
            ..Phone::default()
        }
    }
}

/// An email address as typed, with its normalized form once known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// Exactly what was typed.
    pub raw: String,
    /// The normalized address (trimmed, domain lowercased and in ASCII), once checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    /// A label such as `work`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Consent for this address specifically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
}

impl Email {
    /// An email as typed, not yet normalized.
    pub fn raw(raw: impl Into<String>) -> Email {
        Email {
            raw: raw.into(),
            ..Email::default()
        }
    }
}

/// A messenger or social network.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessengerKind {
    /// Telegram.
    Telegram,
    /// WhatsApp.
    Whatsapp,
    /// Viber.
    Viber,
    /// VK (ВКонтакте).
    Vk,
    /// Odnoklassniki.
    Ok,
    /// MAX.
    Max,
    /// Instagram.
    Instagram,
    /// Facebook.
    Facebook,
    /// Any other, by name.
    Other(String),
}

impl MessengerKind {
    /// The lower-case name (`telegram`, `vk`, or the other name as given).
    pub fn name(&self) -> &str {
        match self {
            MessengerKind::Telegram => "telegram",
            MessengerKind::Whatsapp => "whatsapp",
            MessengerKind::Viber => "viber",
            MessengerKind::Vk => "vk",
            MessengerKind::Ok => "ok",
            MessengerKind::Max => "max",
            MessengerKind::Instagram => "instagram",
            MessengerKind::Facebook => "facebook",
            MessengerKind::Other(name) => name,
        }
    }

    /// The kind called `name` (case-insensitive); unknown names become [`MessengerKind::Other`].
    pub fn from_name(name: &str) -> MessengerKind {
        match name.trim().to_lowercase().as_str() {
            "telegram" | "tg" => MessengerKind::Telegram,
            "whatsapp" | "wa" => MessengerKind::Whatsapp,
            "viber" => MessengerKind::Viber,
            "vk" | "vkontakte" | "вконтакте" => MessengerKind::Vk,
            "ok" | "odnoklassniki" | "одноклассники" => MessengerKind::Ok,
            "max" => MessengerKind::Max,
            "instagram" => MessengerKind::Instagram,
            "facebook" => MessengerKind::Facebook,
            _ => MessengerKind::Other(name.trim().to_string()),
        }
    }
}

/// The same as [`MessengerKind::from_name`]: never fails, an unknown name is
/// [`MessengerKind::Other`].
impl FromStr for MessengerKind {
    type Err = std::convert::Infallible;

    fn from_str(name: &str) -> std::result::Result<MessengerKind, Self::Err> {
        Ok(MessengerKind::from_name(name))
    }
}

/// An account in a messenger or a social network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messenger {
    /// Which network.
    pub kind: MessengerKind,
    /// The user name, number or profile id.
    pub id: String,
    /// Consent for this account specifically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
}

/// How two clients are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Husband or wife.
    Spouse,
    /// Another family member.
    Relative,
    /// Works with.
    Colleague,
    /// A friend.
    Friend,
    /// This client came on the other's recommendation.
    ReferredBy,
    /// This person works for the other client, a company.
    EmployeeOf,
}

impl RelationKind {
    /// The relation's name (`spouse`, `referred_by`, ...).
    pub fn name(self) -> &'static str {
        match self {
            RelationKind::Spouse => "spouse",
            RelationKind::Relative => "relative",
            RelationKind::Colleague => "colleague",
            RelationKind::Friend => "friend",
            RelationKind::ReferredBy => "referred_by",
            RelationKind::EmployeeOf => "employee_of",
        }
    }
}

/// A relation from this client to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// How they are related.
    pub kind: RelationKind,
    /// The other client.
    pub to: ClientId,
}

/// Where a client is in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    /// Showed interest, not yet qualified.
    #[default]
    Lead,
    /// Qualified, a deal is being worked.
    Prospect,
    /// Bought at least once.
    Customer,
    /// Buys again and again.
    Loyal,
    /// Stopped buying.
    Churned,
}

/// How ready a lead is to buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Temperature {
    /// Not ready.
    Cold,
    /// Interested.
    Warm,
    /// Ready to buy.
    Hot,
}

impl LifecycleStage {
    /// Every stage, in lifecycle order.
    pub const ALL: &'static [LifecycleStage] = &[
        LifecycleStage::Lead,
        LifecycleStage::Prospect,
        LifecycleStage::Customer,
        LifecycleStage::Loyal,
        LifecycleStage::Churned,
    ];

    /// The stage's name (its serde name): `lead`, `prospect`, `customer`, `loyal`, `churned`.
    pub fn name(self) -> &'static str {
        match self {
            LifecycleStage::Lead => "lead",
            LifecycleStage::Prospect => "prospect",
            LifecycleStage::Customer => "customer",
            LifecycleStage::Loyal => "loyal",
            LifecycleStage::Churned => "churned",
        }
    }
}

impl fmt::Display for LifecycleStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a stage from its name or a Russian alias, in any case and ignoring
/// spaces, dots and dashes: lead (`лид`, `новый`), prospect (`потенциальный`,
/// `потенциальный клиент`, `проспект`), customer (`клиент`, `покупатель`), loyal
/// (`постоянный`, `постоянный клиент`, `лояльный`), churned (`ушёл`, `ушедший`,
/// `потерян`, `отток`).
///
/// ```
/// use clientbase::LifecycleStage;
/// assert_eq!("Ушёл".parse::<LifecycleStage>()?, LifecycleStage::Churned);
/// assert_eq!("customer".parse::<LifecycleStage>()?, LifecycleStage::Customer);
/// assert!("vip".parse::<LifecycleStage>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for LifecycleStage {
    type Err = Error;

    fn from_str(text: &str) -> Result<LifecycleStage> {
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
}

impl Temperature {
    /// Every temperature, coldest first.
    pub const ALL: &'static [Temperature] =
        &[Temperature::Cold, Temperature::Warm, Temperature::Hot];

    /// The temperature's name (its serde name): `cold`, `warm`, `hot`.
    pub fn name(self) -> &'static str {
        match self {
            Temperature::Cold => "cold",
            Temperature::Warm => "warm",
            Temperature::Hot => "hot",
        }
    }
}

impl fmt::Display for Temperature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a temperature from its name or a Russian alias, in any case: cold
/// (`холодный`, `холодная`), warm (`тёплый`, `тёплая`), hot (`горячий`, `горячая`).
///
/// ```
/// use clientbase::Temperature;
/// assert_eq!("Тёплый".parse::<Temperature>()?, Temperature::Warm);
/// assert!("lukewarm".parse::<Temperature>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for Temperature {
    type Err = Error;

    fn from_str(text: &str) -> Result<Temperature> {
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
}

/// A client of the company: a person or a company with everything known about them.
///
/// # JSON
///
/// The JSON form (what [`ClientBase::to_json`](crate::ClientBase::to_json) writes
/// and Python's `to_dict()` gives) is flat: `kind` (`person`, the default, or
/// `company`), the name parts of a person (`surname`, `given`, `patronymic`) or a
/// company (`legal_name`, `tax_id`), then the other fields by name. Reading it,
/// every key but `kind` is optional, and the names of the CSV columns are read
/// too where they mean one thing: `given_name` for `given`, `company` for
/// `legal_name`, `phone` and `email` for one more phone or email as typed. A
/// phone or email in `phones`/`emails` may be a plain string (as typed). Any
/// other key, or a company's key on a person (and the reverse), is an error that
/// names the key and lists the keys allowed.
///
/// ```
/// use clientbase::Client;
/// let client: Client = serde_json::from_str(
///     r#"{"surname": "Иванов", "given_name": "Иван", "phone": "8 916 123-45-67"}"#,
/// ).unwrap();
/// assert_eq!(client.display_name(), "Иванов Иван");
/// assert_eq!(client.phones[0].raw, "8 916 123-45-67");
/// let err = serde_json::from_str::<Client>(r#"{"surname": "Иванов", "nickname": "Ваня"}"#)
///     .unwrap_err();
/// assert!(err.to_string().contains("unknown field `nickname`, expected one of"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Client {
    /// Assigned by the base on insert; ignored by [`ClientBase::add_client`](crate::ClientBase::add_client).
    #[serde(default)]
    pub id: ClientId,
    /// Person or company, with the name.
    #[serde(flatten)]
    pub party: Party,
    /// Date of birth (people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<NaiveDate>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Region (oblast, krai, republic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postcode of the address (почтовый индекс): six digits in Russia, another
    /// country's code as written (letters, digits, a space or hyphen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// The company a person works for, as typed (a CRM contact's «Компания»);
    /// people only: a company's own name is its legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer: Option<String>,
    /// The manager who owns the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Where the client came from (site, referral, ads, cold call, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the client was created; the base stamps it on insert when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the client last changed; the base stamps it on every write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Lifecycle stage.
    #[serde(default)]
    pub stage: LifecycleStage,
    /// Cold, warm or hot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<Temperature>,
    /// A behaviour type the company uses (e.g. `economical`, `impulsive`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour: Option<String>,
    /// Loyalty programme percentage, 0 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty_percent: Option<u8>,
    /// Whether the client agreed to refer friends.
    #[serde(default)]
    pub can_refer: bool,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    /// Messenger and social accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messengers: Vec<Messenger>,
    /// Consents.
    #[serde(default)]
    pub consents: Consents,
    /// Tags from the schema's vocabulary.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    /// Custom field values by field name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, FieldValue>,
    /// Relations from this client to others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
}

/// The JSON form of a [`Client`] as read: flat, with the aliases of the CSV
/// vocabulary, and every unknown key refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientData {
    #[serde(default)]
    id: ClientId,
    #[serde(default)]
    kind: PartyKind,
    #[serde(default)]
    surname: Option<String>,
    #[serde(default, alias = "given_name")]
    given: Option<String>,
    #[serde(default)]
    patronymic: Option<String>,
    #[serde(default, alias = "company")]
    legal_name: Option<String>,
    #[serde(default)]
    tax_id: Option<String>,
    #[serde(default)]
    birthday: Option<NaiveDate>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default, alias = "zip")]
    postcode: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    stage: LifecycleStage,
    #[serde(default)]
    temperature: Option<Temperature>,
    #[serde(default)]
    behaviour: Option<String>,
    #[serde(default)]
    loyalty_percent: Option<u8>,
    #[serde(default)]
    can_refer: bool,
    #[serde(default)]
    phones: Vec<TextOr<Phone>>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    emails: Vec<TextOr<Email>>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    messengers: Vec<Messenger>,
    #[serde(default)]
    consents: Consents,
    #[serde(default)]
    tags: BTreeSet<String>,
    #[serde(default)]
    custom: BTreeMap<String, FieldValue>,
    #[serde(default)]
    relations: Vec<Relation>,
}

impl ClientData {
    fn into_client(self) -> std::result::Result<Client, String> {
        let misplaced = |key: &str, kind: &str, allowed: &str| {
            format!("`{key}` is not a field of a {kind} (a {kind} has {allowed})")
        };
        let party = match self.kind {
            PartyKind::Person => {
                for (key, value) in [("legal_name", &self.legal_name), ("tax_id", &self.tax_id)] {
                    if value.is_some() {
                        return Err(misplaced(
                            key,
                            "person",
                            "surname, given, patronymic, employer; set \"kind\": \"company\" for a company",
                        ));
                    }
                }
                Party::Person(PersonName {
                    surname: self.surname,
                    given: self.given,
                    patronymic: self.patronymic,
                })
            }
            PartyKind::Company => {
                if self.employer.is_some() {
                    return Err(misplaced(
                        "employer",
                        "company",
                        "legal_name, tax_id and the person's surname, given, patronymic",
                    ));
                }
                Party::Company(Company {
                    legal_name: self
                        .legal_name
                        .ok_or_else(|| "missing field `legal_name` of a company".to_string())?,
                    tax_id: self.tax_id,
                    person: PersonName {
                        surname: self.surname,
                        given: self.given,
                        patronymic: self.patronymic,
                    },
                })
            }
        };
        let mut phones: Vec<Phone> = self.phones.into_iter().map(|p| p.0).collect();
        phones.extend(self.phone.map(Phone::raw));
        let mut emails: Vec<Email> = self.emails.into_iter().map(|e| e.0).collect();
        emails.extend(self.email.map(Email::raw));
        Ok(Client {
            id: self.id,
            party,
            birthday: self.birthday,
            city: self.city,
            region: self.region,
            address: self.address,
            postcode: self.postcode,
            employer: self.employer,
            owner: self.owner,
            source: self.source,
            created_at: self.created_at,
            updated_at: self.updated_at,
            stage: self.stage,
            temperature: self.temperature,
            behaviour: self.behaviour,
            loyalty_percent: self.loyalty_percent,
            can_refer: self.can_refer,
            phones,
            emails,
            messengers: self.messengers,
            consents: self.consents,
            tags: self.tags,
            custom: self.custom,
            relations: self.relations,
        })
    }
}

impl<'de> Deserialize<'de> for Client {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Client, D::Error> {
        ClientData::deserialize(d)?
            .into_client()
            .map_err(serde::de::Error::custom)
    }
}

/// A contact point written either as the text typed (`"8 916 123-45-67"`) or
/// as its full object (`{"raw": "8 916 123-45-67", "label": "моб."}`).
struct TextOr<T>(T);

/// A contact point made from the text typed.
trait FromTyped {
    fn from_typed(text: String) -> Self;
}

impl FromTyped for Phone {
    fn from_typed(text: String) -> Phone {
        Phone::raw(text)
    }
}

impl FromTyped for Email {
    fn from_typed(text: String) -> Email {
        Email::raw(text)
    }
}

impl<'de, T: Deserialize<'de> + FromTyped> Deserialize<'de> for TextOr<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Typed<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + FromTyped> serde::de::Visitor<'de> for Typed<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the text as typed or an object")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<T, E> {
                Ok(T::from_typed(text.to_string()))
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                map: M,
            ) -> std::result::Result<T, M::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_any(Typed(std::marker::PhantomData))
            .map(TextOr)
    }
}

impl Client {
    /// A person with the given name parts.
    pub fn person(surname: &str, given: &str, patronymic: Option<&str>) -> Client {
        let part = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        Client {
            party: Party::Person(PersonName {
                surname: part(surname),
                given: part(given),
                patronymic: patronymic.and_then(part),
            }),
            ..Client::default()
        }
    }

    /// A company with its legal name and tax id.
    pub fn company(legal_name: &str, tax_id: Option<&str>) -> Client {
        Client {
            party: Party::Company(Company {
                legal_name: legal_name.to_string(),
                tax_id: tax_id.map(str::to_string),
                person: PersonName::default(),
            }),
            ..Client::default()
        }
    }

    /// Adds a phone as typed.
    pub fn with_phone(mut self, raw: &str) -> Client {
        self.phones.push(Phone::raw(raw));
        self
    }

    /// Adds an email as typed.
    pub fn with_email(mut self, raw: &str) -> Client {
        self.emails.push(Email::raw(raw));
        self
    }

    /// Adds a tag (checked against the vocabulary when written to a base).
    pub fn with_tag(mut self, tag: &str) -> Client {
        self.tags.insert(tag.to_string());
        self
    }

    /// Adds phones and emails as typed, and tags, in order (as
    /// [`Client::with_phone`], [`Client::with_email`] and [`Client::with_tag`]).
    pub fn with_contacts<S: AsRef<str>>(
        mut self,
        phones: &[S],
        emails: &[S],
        tags: &[S],
    ) -> Client {
        self.phones
            .extend(phones.iter().map(|p| Phone::raw(p.as_ref())));
        self.emails
            .extend(emails.iter().map(|e| Email::raw(e.as_ref())));
        self.tags
            .extend(tags.iter().map(|t| t.as_ref().to_string()));
        self
    }

    /// Sets a custom field value (checked against the schema when written to a base).
    pub fn with_field(mut self, name: &str, value: FieldValue) -> Client {
        self.custom.insert(name.to_string(), value);
        self
    }

    /// Sets the marketing consent for a channel.
    pub fn with_consent(mut self, channel: Channel, consent: Consent) -> Client {
        self.consents.marketing.insert(channel, consent);
        self
    }

    /// Adds a relation to another client.
    pub fn with_relation(mut self, kind: RelationKind, to: ClientId) -> Client {
        self.relations.push(Relation { kind, to });
        self
    }

    /// A person's name, or the person behind a company (an ИП's owner, the
    /// contact person).
    pub fn person_name(&self) -> &PersonName {
        match &self.party {
            Party::Person(name) => name,
            Party::Company(company) => &company.person,
        }
    }

    /// Whether the client is a company.
    pub fn is_company(&self) -> bool {
        matches!(self.party, Party::Company(_))
    }

    /// The name as shown in lists: `Surname Given Patronymic` or the legal name.
    pub fn display_name(&self) -> String {
        match &self.party {
            Party::Person(name) => [&name.surname, &name.given, &name.patronymic]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            Party::Company(company) => company.legal_name.clone(),
        }
    }

    /// Checks what can be checked without the base (ranges, emptiness, tax id).
    /// Errors name the field; the base adds the record.
    pub(crate) fn check_own_fields(&self) -> Result<()> {
        match &self.party {
            Party::Person(name) => {
                if name.surname.is_none()
                    && name.given.is_none()
                    && name.patronymic.is_none()
                    && self.phones.is_empty()
                    && self.emails.is_empty()
                    && self.messengers.is_empty()
                {
                    return Err(invalid(
                        "name",
                        "a person needs a name or at least one contact point",
                    ));
                }
            }
            Party::Company(company) => {
                if company.legal_name.trim().is_empty() {
                    return Err(invalid("legal_name", "a company needs a legal name"));
                }
                if let Some(tax_id) = &company.tax_id {
                    check_tax_id(tax_id).map_err(|reason| invalid("tax_id", reason))?;
                }
            }
        }
        if let Some(birthday) = self.birthday {
            check_birthday(birthday).map_err(|reason| invalid("birthday", reason))?;
        }
        if let Some(postcode) = &self.postcode {
            check_postcode(postcode).map_err(|reason| invalid("postcode", reason))?;
        }
        if let Some(percent) = self.loyalty_percent {
            if percent > 100 {
                return Err(invalid(
                    "loyalty_percent",
                    format!("{percent} is above 100"),
                ));
            }
        }
        for (i, phone) in self.phones.iter().enumerate() {
            if phone.raw.trim().is_empty() && phone.e164.is_none() {
                return Err(invalid(format!("phones[{i}]"), "empty phone"));
            }
        }
        for (i, email) in self.emails.iter().enumerate() {
            if email.raw.trim().is_empty() && email.normalized.is_none() {
                return Err(invalid(format!("emails[{i}]"), "empty email"));
            }
        }
        for (i, messenger) in self.messengers.iter().enumerate() {
            if messenger.id.trim().is_empty() {
                return Err(invalid(format!("messengers[{i}]"), "empty account id"));
            }
        }
        if let (Some(created), Some(updated)) = (self.created_at, self.updated_at) {
            if updated < created {
                return Err(invalid(
                    "updated_at",
                    format!("{updated} is before created_at {created}"),
                ));
            }
        }
        Ok(())
    }
}

/// Checks a postcode: 3 to 10 letters and digits (a space or hyphen between
/// them allowed), with at least one digit. Russian ones are six digits, but a
/// client abroad keeps their own (`SW1A 1AA`, `10115`, `K1A 0B1`).
///
/// ```
/// use clientbase::check_postcode;
/// assert!(check_postcode("101000").is_ok());
/// assert!(check_postcode("SW1A 1AA").is_ok());
/// assert!(check_postcode("Москва").is_err());
/// ```
pub fn check_postcode(postcode: &str) -> std::result::Result<(), String> {
    let text = postcode.trim();
    let chars = text.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    let ok = (3..=10).contains(&chars)
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && !text.contains("  ")
        && !text.starts_with(['-', ' '])
        && !text.ends_with(['-', ' ']);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{text:?} is not a postcode (3 to 10 letters and digits, at least one digit)"
        ))
    }
}

/// Checks that a birthday is plausible: not before 1900 and not after today
/// (UTC, with a day's grace for time zones). 1C's empty date `01.01.0001` and
/// typos such as `01.01.2999` fail here.
pub fn check_birthday(birthday: NaiveDate) -> std::result::Result<(), String> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    let latest = Utc::now().date_naive() + chrono::Days::new(1);
    if birthday < earliest {
        Err(format!(
            "{birthday} is not a plausible birthday (before 1900)"
        ))
    } else if birthday > latest {
        Err(format!(
            "{birthday} is not a plausible birthday (in the future)"
        ))
    } else {
        Ok(())
    }
}

/// Checks a Russian ИНН (10 or 12 digits) by its check digits. Other tax ids
/// (foreign ones, with letters or other lengths) are accepted as they are.
pub fn check_tax_id(tax_id: &str) -> std::result::Result<(), String> {
    let t = tax_id.trim();
    if t.is_empty() {
        return Err("empty tax id".into());
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) || !(t.len() == 10 || t.len() == 12) {
        return Ok(());
    }
    let d: Vec<u32> = t.bytes().map(|b| (b - b'0') as u32).collect();
    let check = |weights: &[u32]| -> u32 {
        weights.iter().zip(&d).map(|(w, x)| w * x).sum::<u32>() % 11 % 10
    };
    let ok = if d.len() == 10 {
        check(&[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9]
    } else {
        check(&[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
            && check(&[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
    };
    if ok {
        Ok(())
    } else {
        Err(format!("ИНН {t} fails its check digit"))
    }
}

/// Computes the check digits for the first 9 (or 10) digits of an ИНН and returns
/// the full number. Used by the generator and by tests.
pub fn complete_inn(prefix: &str) -> Option<String> {
    let mut d: Vec<u32> = prefix
        .bytes()
        .map(|b| b.is_ascii_digit().then(|| (b - b'0') as u32))
        .collect::<Option<_>>()?;
    let check = |weights: &[u32], d: &[u32]| -> u32 {
        weights.iter().zip(d).map(|(w, x)| w * x).sum::<u32>() % 11 % 10
    };
    match d.len() {
        9 => {
            let c = check(&[2, 4, 10, 3, 5, 9, 4, 6, 8], &d);
            d.push(c);
        }
        10 => {
            let c1 = check(&[7, 2, 4, 10, 3, 5, 9, 4, 6, 8], &d);
            d.push(c1);
            let c2 = check(&[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], &d);
            d.push(c2);
        }
        _ => return None,
    }
    Some(
        d.iter()
            .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name<T: Serialize>(value: &T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn enum_names_are_serde_names_and_parse_back() {
        for stage in LifecycleStage::ALL {
            assert_eq!(stage.name(), serde_name(stage));
            assert_eq!(stage.name().parse::<LifecycleStage>().unwrap(), *stage);
            assert_eq!(
                stage
                    .to_string()
                    .to_uppercase()
                    .parse::<LifecycleStage>()
                    .unwrap(),
                *stage
            );
        }
        for t in Temperature::ALL {
            assert_eq!(t.name(), serde_name(t));
            assert_eq!(t.name().parse::<Temperature>().unwrap(), *t);
        }
        for c in Channel::ALL {
            assert_eq!(c.name(), serde_name(&c));
            assert_eq!(c.name().parse::<Channel>().unwrap(), c);
        }
        for k in PartyKind::ALL {
            assert_eq!(k.name(), serde_name(k));
            assert_eq!(k.name().parse::<PartyKind>().unwrap(), *k);
        }
        assert_eq!("ИП".parse::<PartyKind>().unwrap(), PartyKind::Company);
        assert_eq!(
            "частное лицо".parse::<PartyKind>().unwrap(),
            PartyKind::Person
        );
        assert_eq!(
            "robot".parse::<PartyKind>().unwrap_err().field(),
            Some("kind")
        );
        for s in ConsentState::ALL {
            assert_eq!(s.name(), serde_name(s));
            assert_eq!(s.name().parse::<ConsentState>().unwrap(), *s);
        }
    }

    #[test]
    fn russian_aliases_parse() {
        let stages = [
            ("Лид", LifecycleStage::Lead),
            ("потенциальный клиент", LifecycleStage::Prospect),
            ("Покупатель", LifecycleStage::Customer),
            ("Постоянный клиент", LifecycleStage::Loyal),
            ("Ушёл", LifecycleStage::Churned),
            ("отток", LifecycleStage::Churned),
        ];
        for (text, stage) in stages {
            assert_eq!(text.parse::<LifecycleStage>().unwrap(), stage, "{text}");
        }
        assert_eq!("Горячая".parse::<Temperature>().unwrap(), Temperature::Hot);
        assert_eq!("тёплый".parse::<Temperature>().unwrap(), Temperature::Warm);
        assert_eq!(
            "ХОЛОДНЫЙ".parse::<Temperature>().unwrap(),
            Temperature::Cold
        );
        assert_eq!("эл. почта".parse::<Channel>().unwrap(), Channel::Email);
        assert_eq!("Звонки".parse::<Channel>().unwrap(), Channel::Calls);
        assert_eq!(
            "-".parse::<ConsentState>().unwrap(),
            ConsentState::Withdrawn
        );
        assert_eq!(
            "согласна".parse::<ConsentState>().unwrap(),
            ConsentState::Given
        );
        assert_eq!("VK".parse::<MessengerKind>().unwrap(), MessengerKind::Vk);
    }

    #[test]
    fn unknown_words_are_refused_naming_the_field_and_the_text() {
        let err = "vip".parse::<LifecycleStage>().unwrap_err();
        assert_eq!(err.field(), Some("stage"));
        assert!(err.reason().contains("\"vip\""), "{err}");
        let err = "lukewarm".parse::<Temperature>().unwrap_err();
        assert_eq!(err.field(), Some("temperature"));
        let err = "fax".parse::<Channel>().unwrap_err();
        assert!(
            err.reason().contains("sms, email, calls, messengers, ads"),
            "{err}"
        );
        let err = "может быть 10.01.2024".parse::<Consent>().unwrap_err();
        assert_eq!(err.field(), Some("consent"));
        let err = "да".parse::<Consent>().unwrap_err();
        assert!(err.reason().contains("no date"), "{err}");
        let err = "да 31.02.2024".parse::<Consent>().unwrap_err();
        assert!(err.reason().contains("not a calendar date"), "{err}");
    }

    #[test]
    fn consents_parse_with_dates() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
        assert_eq!(
            "да 10.01.2024".parse::<Consent>().unwrap(),
            Consent::given(d)
        );
        assert_eq!("10.01.2024".parse::<Consent>().unwrap(), Consent::given(d));
        assert_eq!(
            "нет: 2024-01-10".parse::<Consent>().unwrap(),
            Consent::withdrawn(d)
        );
    }

    #[test]
    fn inn_check_digits() {
        let inn10 = complete_inn("770708389").unwrap();
        assert_eq!(inn10, "7707083893");
        assert!(check_tax_id(&inn10).is_ok());
        assert!(check_tax_id("7707083894").is_err());
        let inn12 = complete_inn("5001234567").unwrap();
        assert!(check_tax_id(&inn12).is_ok());
        assert!(check_tax_id("DE123456789").is_ok());
    }

    #[test]
    fn own_field_checks() {
        let mut c = Client::person("Иванов", "Иван", None);
        c.loyalty_percent = Some(101);
        assert_eq!(
            c.check_own_fields().unwrap_err().field(),
            Some("loyalty_percent")
        );
        let c = Client::default();
        assert!(c.check_own_fields().is_err());
        let c = Client::company("ООО Ромашка", Some("7707083894"));
        assert_eq!(c.check_own_fields().unwrap_err().field(), Some("tax_id"));
        let c = Client::person("", "", None).with_phone(" ");
        assert_eq!(c.check_own_fields().unwrap_err().field(), Some("phones[0]"));
    }

    #[test]
    fn with_contacts_adds_each_as_its_own_builder_would() {
        let one = Client::person("A", "B", None).with_contacts(
            &["8 916", "+7 495"],
            &["a@b.ru"],
            &["vip", "opt"],
        );
        let each = Client::person("A", "B", None)
            .with_phone("8 916")
            .with_phone("+7 495")
            .with_email("a@b.ru")
            .with_tag("vip")
            .with_tag("opt");
        assert_eq!(one, each);
        assert_eq!(one.phones.len(), 2);
    }

    #[test]
    fn consent_logic() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut c = Client::person("A", "B", None).with_consent(Channel::Sms, Consent::given(d));
        assert!(c.consents.allows(Channel::Sms));
        assert!(!c.consents.allows(Channel::Email));
        c.consents.personal_data = Some(Consent::withdrawn(d));
        assert!(!c.consents.allows(Channel::Sms));
    }

    #[test]
    fn json_shape_is_flat_and_readable() {
        let c = Client::person("Петров", "Пётр", None).with_phone("+7 916 000-00-00");
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kind"], "person");
        assert_eq!(json["surname"], "Петров");
        assert_eq!(json["phones"][0]["raw"], "+7 916 000-00-00");
        let back: Client = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }
}
