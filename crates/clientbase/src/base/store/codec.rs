//! The binary form of a record in a base file (file format 2): compact,
//! and read back without parsing text.
//!
//! A record is a sequence of values, each in a fixed order that the
//! `encode_*` and `decode_*` functions below share. Numbers are LEB128 varints
//! (signed ones zigzag-coded first), text is its length and its UTF-8 bytes, an
//! optional value a byte 0 (none) or 1 followed by the value, a list its length
//! followed by the items, an enum a byte (its variant, in declaration order)
//! followed by the variant's values. Times are seconds since 1970 and
//! nanoseconds, dates days since 0001-01-01, money its minor units and the
//! three letters of its currency, quantities their thousandths. The record's id
//! is not repeated in it: it is the row's key.
//!
//! Every struct is destructured without `..`, so a field added to a record type
//! fails to compile here until it is given its place (and [`FORMAT_VERSION`]
//! goes up with a migration).
//!
//! [`FORMAT_VERSION`]: super::FORMAT_VERSION

use crate::activity::{Activity, ActivityKind, Direction};
use crate::client::{
    Channel, Client, Company, Consent, ConsentState, Consents, Email, LifecycleStage, Messenger,
    MessengerKind, Party, PersonName, Phone, PhoneKind, Relation, RelationKind, Temperature,
};
use crate::deal::{Deal, DealStatus, Discount, Period, ProductLine, Recurrence};
use crate::ids::{ActivityId, ClientId, DealId};
use crate::money::{Currency, Money, Quantity};
use crate::schema::FieldValue;
use crate::shared::SharedStr;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Why a stored record could not be read (the caller names the record).
pub(super) type Bad = String;

/// A record kept in its own table of a base file.
pub(super) trait Stored: Sized {
    /// The table.
    const TABLE: &'static str;
    /// The record's name in errors (`client 17`).
    const LABEL: &'static str;
    /// Stores a record: `?1` is its id, `?2` its data, `?3` and `?4` the
    /// [`Stored::keys`] its table keeps as plain columns.
    const PUT: &'static str;
    /// How many of the [`Stored::keys`] the table keeps.
    const KEYS: usize;
    /// The record in binary.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads a record written by [`Stored::encode`] (its id is set by the caller).
    fn decode(r: &mut Reader<'_>) -> Result<Self, Bad>;
    /// The plain SQL columns of its row besides the id and the data.
    fn keys(&self) -> [Option<i64>; 2];
}

/// The record as stored.
pub(super) fn to_bytes<R: Stored>(record: &R) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    record.encode(&mut out);
    out
}

/// Reads a whole record; bytes left over are an error.
pub(super) fn from_bytes<R: Stored>(bytes: &[u8]) -> Result<R, Bad> {
    let mut r = Reader { buf: bytes, at: 0 };
    let record = R::decode(&mut r)?;
    if r.at != bytes.len() {
        return Err(format!(
            "{} bytes left over after the record",
            bytes.len() - r.at
        ));
    }
    Ok(record)
}

fn id_key(id: u64) -> Option<i64> {
    i64::try_from(id).ok()
}

impl Stored for Client {
    const TABLE: &'static str = "clients";
    const LABEL: &'static str = "client";
    const PUT: &'static str = "INSERT OR REPLACE INTO clients(id, data) VALUES (?1, ?2)";
    const KEYS: usize = 0;

    fn encode(&self, out: &mut Vec<u8>) {
        let Client {
            id: _,
            party,
            birthday,
            city,
            region,
            address,
            postcode,
            employer,
            owner,
            source,
            created_at,
            updated_at,
            stage,
            temperature,
            behaviour,
            loyalty_percent,
            can_refer,
            phones,
            emails,
            messengers,
            consents,
            tags,
            custom,
            relations,
        } = self;
        match party {
            Party::Person(name) => {
                out.push(0);
                put_name(out, name);
            }
            Party::Company(Company {
                legal_name,
                tax_id,
                person,
            }) => {
                out.push(1);
                put_str(out, legal_name);
                put_opt_str(out, tax_id);
                put_name(out, person);
            }
        }
        put_opt(out, birthday, put_date);
        for text in [city, region, address, postcode, employer, owner, source] {
            put_opt_str(out, text);
        }
        put_opt(out, created_at, put_time);
        put_opt(out, updated_at, put_time);
        out.push(lifecycle_index(*stage));
        put_opt(out, temperature, |out, t| out.push(temperature_index(*t)));
        put_opt_str(out, behaviour);
        put_opt(out, loyalty_percent, |out, p| out.push(*p));
        out.push(u8::from(*can_refer));
        put_list(out, phones, |out, phone| {
            let Phone {
                raw,
                e164,
                extension,
                kind,
                label,
                consent,
            } = phone;
            put_str(out, raw);
            put_opt_str(out, e164);
            put_opt_str(out, extension);
            put_opt(out, kind, |out, k| out.push(phone_kind_index(*k)));
            put_opt_str(out, label);
            put_opt(out, consent, put_consent);
        });
        put_list(out, emails, |out, email| {
            let Email {
                raw,
                normalized,
                label,
                consent,
            } = email;
            put_str(out, raw);
            put_opt_str(out, normalized);
            put_opt_str(out, label);
            put_opt(out, consent, put_consent);
        });
        put_list(out, messengers, |out, messenger| {
            let Messenger { kind, id, consent } = messenger;
            match kind {
                MessengerKind::Other(name) => {
                    out.push(255);
                    put_str(out, name);
                }
                known => out.push(messenger_index(known)),
            }
            put_str(out, id);
            put_opt(out, consent, put_consent);
        });
        let Consents {
            personal_data,
            marketing,
        } = consents;
        put_opt(out, personal_data, put_consent);
        put_uint(out, marketing.len() as u64);
        for (channel, consent) in marketing {
            out.push(channel_index(*channel));
            put_consent(out, consent);
        }
        put_uint(out, tags.len() as u64);
        for tag in tags {
            put_str(out, tag);
        }
        put_uint(out, custom.len() as u64);
        for (name, value) in custom {
            put_str(out, name);
            put_field_value(out, value);
        }
        put_list(out, relations, |out, relation| {
            let Relation { kind, to } = relation;
            out.push(relation_index(*kind));
            put_uint(out, to.0);
        });
    }

    fn decode(r: &mut Reader<'_>) -> Result<Client, Bad> {
        let party = match r.byte()? {
            0 => Party::Person(r.name()?),
            1 => Party::Company(Company {
                legal_name: r.string()?,
                tax_id: r.opt_string()?,
                person: r.name()?,
            }),
            other => return Err(format!("party {other} is neither person nor company")),
        };
        let birthday = r.opt(Reader::date)?;
        let city = r.opt_string()?;
        let region = r.opt_string()?;
        let address = r.opt_string()?;
        let postcode = r.opt_string()?;
        let employer = r.opt_string()?;
        let owner = r.opt_string()?;
        let source = r.opt_string()?;
        let created_at = r.opt(Reader::time)?;
        let updated_at = r.opt(Reader::time)?;
        let stage = r.variant(LIFECYCLE, "stage")?;
        let temperature = r.opt(|r| r.variant(TEMPERATURE, "temperature"))?;
        let behaviour = r.opt_string()?;
        let loyalty_percent = r.opt(Reader::byte)?;
        let can_refer = r.flag()?;
        let phones = r.list(|r| {
            Ok(Phone {
                raw: r.string()?,
                e164: r.opt_string()?,
                extension: r.opt_string()?,
                kind: r.opt(|r| r.variant(PHONE_KINDS, "phone kind"))?,
                label: r.opt_string()?,
                consent: r.opt(Reader::consent)?,
            })
        })?;
        let emails = r.list(|r| {
            Ok(Email {
                raw: r.string()?,
                normalized: r.opt_string()?,
                label: r.opt_string()?,
                consent: r.opt(Reader::consent)?,
            })
        })?;
        let messengers = r.list(|r| {
            let kind = match r.byte()? {
                255 => MessengerKind::Other(r.string()?),
                at => MESSENGERS
                    .get(usize::from(at))
                    .cloned()
                    .ok_or_else(|| format!("messenger kind {at} is unknown"))?,
            };
            Ok(Messenger {
                kind,
                id: r.string()?,
                consent: r.opt(Reader::consent)?,
            })
        })?;
        let personal_data = r.opt(Reader::consent)?;
        let mut marketing = BTreeMap::new();
        for _ in 0..r.len()? {
            let channel = r.variant(CHANNELS, "channel")?;
            marketing.insert(channel, r.consent()?);
        }
        let mut tags = BTreeSet::new();
        for _ in 0..r.len()? {
            tags.insert(r.string()?);
        }
        let mut custom = BTreeMap::new();
        for _ in 0..r.len()? {
            let name = r.string()?;
            custom.insert(name, r.field_value()?);
        }
        let relations = r.list(|r| {
            Ok(Relation {
                kind: r.variant(RELATIONS, "relation kind")?,
                to: ClientId(r.uint()?),
            })
        })?;
        Ok(Client {
            id: ClientId::default(),
            party,
            birthday,
            city,
            region,
            address,
            postcode,
            employer,
            owner,
            source,
            created_at,
            updated_at,
            stage,
            temperature,
            behaviour,
            loyalty_percent,
            can_refer,
            phones,
            emails,
            messengers,
            consents: Consents {
                personal_data,
                marketing,
            },
            tags,
            custom,
            relations,
        })
    }

    fn keys(&self) -> [Option<i64>; 2] {
        [None, None]
    }
}

impl Stored for Deal {
    const TABLE: &'static str = "deals";
    const LABEL: &'static str = "deal";
    const PUT: &'static str = "INSERT OR REPLACE INTO deals(id, data, client) VALUES (?1, ?2, ?3)";
    const KEYS: usize = 1;

    fn encode(&self, out: &mut Vec<u8>) {
        let Deal {
            id: _,
            client,
            title,
            pipeline,
            stage,
            status,
            amount,
            created_at,
            closed_at,
            owner,
            source,
            lines,
            recurrence,
        } = self;
        put_uint(out, client.0);
        put_opt_str(out, title);
        put_str(out, pipeline);
        put_str(out, stage);
        match status {
            DealStatus::Open => out.push(0),
            DealStatus::Won => out.push(1),
            DealStatus::Lost => out.push(2),
            DealStatus::DuplicateOf(original) => {
                out.push(3);
                put_uint(out, original.0);
            }
        }
        put_money(out, amount);
        put_opt(out, created_at, put_time);
        put_opt(out, closed_at, put_time);
        put_opt_str(out, owner);
        put_opt_str(out, source);
        put_list(out, lines, |out, line| {
            let ProductLine {
                product,
                category,
                quantity,
                unit_price,
                discount,
            } = line;
            put_str(out, product);
            put_opt_str(out, category);
            put_int(out, quantity.milli());
            put_money(out, unit_price);
            match discount {
                Discount::None => out.push(0),
                Discount::PercentBp(bp) => {
                    out.push(1);
                    put_uint(out, u64::from(*bp));
                }
                Discount::Amount(off) => {
                    out.push(2);
                    put_money(out, off);
                }
            }
        });
        put_opt(out, recurrence, |out, recurrence| {
            let Recurrence {
                every,
                period,
                day,
                until,
            } = recurrence;
            put_uint(out, u64::from(*every));
            out.push(period_index(*period));
            put_opt(out, day, |out, d| out.push(*d));
            put_opt(out, until, put_date);
        });
    }

    fn decode(r: &mut Reader<'_>) -> Result<Deal, Bad> {
        let client = ClientId(r.uint()?);
        let title = r.opt_string()?;
        let pipeline = r.shared()?;
        let stage = r.shared()?;
        let status = match r.byte()? {
            0 => DealStatus::Open,
            1 => DealStatus::Won,
            2 => DealStatus::Lost,
            3 => DealStatus::DuplicateOf(DealId(r.uint()?)),
            other => return Err(format!("deal status {other} is unknown")),
        };
        let amount = r.money()?;
        let created_at = r.opt(Reader::time)?;
        let closed_at = r.opt(Reader::time)?;
        let owner = r.opt(Reader::shared)?;
        let source = r.opt(Reader::shared)?;
        let lines = r.list(|r| {
            Ok(ProductLine {
                product: r.shared()?,
                category: r.opt(Reader::shared)?,
                quantity: Quantity::from_milli(r.int()?),
                unit_price: r.money()?,
                discount: match r.byte()? {
                    0 => Discount::None,
                    1 => Discount::PercentBp(
                        u32::try_from(r.uint()?).map_err(|_| "discount out of range")?,
                    ),
                    2 => Discount::Amount(r.money()?),
                    other => return Err(format!("discount {other} is unknown")),
                },
            })
        })?;
        let recurrence = r.opt(|r| {
            Ok(Recurrence {
                every: u32::try_from(r.uint()?).map_err(|_| "recurrence out of range")?,
                period: r.variant(PERIODS, "period")?,
                day: r.opt(Reader::byte)?,
                until: r.opt(Reader::date)?,
            })
        })?;
        Ok(Deal {
            id: DealId::default(),
            client,
            title,
            pipeline,
            stage,
            status,
            amount,
            created_at,
            closed_at,
            owner,
            source,
            lines,
            recurrence,
        })
    }

    fn keys(&self) -> [Option<i64>; 2] {
        [id_key(self.client.0), None]
    }
}

impl Stored for Activity {
    const TABLE: &'static str = "activities";
    const LABEL: &'static str = "activity";
    const PUT: &'static str =
        "INSERT OR REPLACE INTO activities(id, data, client, deal) VALUES (?1, ?2, ?3, ?4)";
    const KEYS: usize = 2;

    fn encode(&self, out: &mut Vec<u8>) {
        let Activity {
            id: _,
            client,
            kind,
            at,
            direction,
            manager,
            outcome,
            text,
            deal,
            due,
            done,
        } = self;
        put_uint(out, client.0);
        out.push(activity_kind_index(*kind));
        put_time(out, at);
        put_opt(out, direction, |out, d| out.push(direction_index(*d)));
        put_opt_str(out, manager);
        put_opt_str(out, outcome);
        put_opt_str(out, text);
        put_opt(out, deal, |out, d| put_uint(out, d.0));
        put_opt(out, due, put_time);
        out.push(u8::from(*done));
    }

    fn decode(r: &mut Reader<'_>) -> Result<Activity, Bad> {
        Ok(Activity {
            id: ActivityId::default(),
            client: ClientId(r.uint()?),
            kind: r.variant(ACTIVITY_KINDS, "activity kind")?,
            at: r.time()?,
            direction: r.opt(|r| r.variant(DIRECTIONS, "direction"))?,
            manager: r.opt_string()?,
            outcome: r.opt_string()?,
            text: r.opt_string()?,
            deal: r.opt(|r| Ok(DealId(r.uint()?)))?,
            due: r.opt(Reader::time)?,
            done: r.flag()?,
        })
    }

    fn keys(&self) -> [Option<i64>; 2] {
        [id_key(self.client.0), self.deal.and_then(|d| id_key(d.0))]
    }
}

/// The variants of the enums without data, in the order of their byte. The
/// `*_index` functions match exhaustively, so a new variant fails to compile
/// until it is added at the end of its list.
const LIFECYCLE: &[LifecycleStage] = &[
    LifecycleStage::Lead,
    LifecycleStage::Prospect,
    LifecycleStage::Customer,
    LifecycleStage::Loyal,
    LifecycleStage::Churned,
];
const TEMPERATURE: &[Temperature] = &[Temperature::Cold, Temperature::Warm, Temperature::Hot];
const PHONE_KINDS: &[PhoneKind] = &[
    PhoneKind::Mobile,
    PhoneKind::FixedLine,
    PhoneKind::FixedLineOrMobile,
    PhoneKind::TollFree,
    PhoneKind::PremiumRate,
    PhoneKind::SharedCost,
    PhoneKind::Voip,
    PhoneKind::PersonalNumber,
    PhoneKind::Pager,
    PhoneKind::Uan,
    PhoneKind::Voicemail,
    PhoneKind::Unknown,
];
const MESSENGERS: &[MessengerKind] = &[
    MessengerKind::Telegram,
    MessengerKind::Whatsapp,
    MessengerKind::Viber,
    MessengerKind::Vk,
    MessengerKind::Ok,
    MessengerKind::Max,
    MessengerKind::Instagram,
    MessengerKind::Facebook,
];
const CHANNELS: &[Channel] = &[
    Channel::Sms,
    Channel::Email,
    Channel::Calls,
    Channel::Messengers,
    Channel::Ads,
];
const RELATIONS: &[RelationKind] = &[
    RelationKind::Spouse,
    RelationKind::Relative,
    RelationKind::Colleague,
    RelationKind::Friend,
    RelationKind::ReferredBy,
    RelationKind::EmployeeOf,
];
const CONSENT_STATES: &[ConsentState] = &[ConsentState::Given, ConsentState::Withdrawn];
const PERIODS: &[Period] = &[Period::Day, Period::Week, Period::Month, Period::Year];
const ACTIVITY_KINDS: &[ActivityKind] = &[
    ActivityKind::Call,
    ActivityKind::Email,
    ActivityKind::Message,
    ActivityKind::Meeting,
    ActivityKind::Task,
    ActivityKind::Note,
    ActivityKind::Visit,
    ActivityKind::Form,
    ActivityKind::Event,
];
const DIRECTIONS: &[Direction] = &[Direction::Inbound, Direction::Outbound];

fn lifecycle_index(v: LifecycleStage) -> u8 {
    match v {
        LifecycleStage::Lead => 0,
        LifecycleStage::Prospect => 1,
        LifecycleStage::Customer => 2,
        LifecycleStage::Loyal => 3,
        LifecycleStage::Churned => 4,
    }
}

fn temperature_index(v: Temperature) -> u8 {
    match v {
        Temperature::Cold => 0,
        Temperature::Warm => 1,
        Temperature::Hot => 2,
    }
}

fn phone_kind_index(v: PhoneKind) -> u8 {
    match v {
        PhoneKind::Mobile => 0,
        PhoneKind::FixedLine => 1,
        PhoneKind::FixedLineOrMobile => 2,
        PhoneKind::TollFree => 3,
        PhoneKind::PremiumRate => 4,
        PhoneKind::SharedCost => 5,
        PhoneKind::Voip => 6,
        PhoneKind::PersonalNumber => 7,
        PhoneKind::Pager => 8,
        PhoneKind::Uan => 9,
        PhoneKind::Voicemail => 10,
        PhoneKind::Unknown => 11,
    }
}

fn messenger_index(v: &MessengerKind) -> u8 {
    match v {
        MessengerKind::Telegram => 0,
        MessengerKind::Whatsapp => 1,
        MessengerKind::Viber => 2,
        MessengerKind::Vk => 3,
        MessengerKind::Ok => 4,
        MessengerKind::Max => 5,
        MessengerKind::Instagram => 6,
        MessengerKind::Facebook => 7,
        MessengerKind::Other(_) => 255,
    }
}

fn channel_index(v: Channel) -> u8 {
    match v {
        Channel::Sms => 0,
        Channel::Email => 1,
        Channel::Calls => 2,
        Channel::Messengers => 3,
        Channel::Ads => 4,
    }
}

fn relation_index(v: RelationKind) -> u8 {
    match v {
        RelationKind::Spouse => 0,
        RelationKind::Relative => 1,
        RelationKind::Colleague => 2,
        RelationKind::Friend => 3,
        RelationKind::ReferredBy => 4,
        RelationKind::EmployeeOf => 5,
    }
}

fn consent_state_index(v: ConsentState) -> u8 {
    match v {
        ConsentState::Given => 0,
        ConsentState::Withdrawn => 1,
    }
}

fn period_index(v: Period) -> u8 {
    match v {
        Period::Day => 0,
        Period::Week => 1,
        Period::Month => 2,
        Period::Year => 3,
    }
}

fn activity_kind_index(v: ActivityKind) -> u8 {
    match v {
        ActivityKind::Call => 0,
        ActivityKind::Email => 1,
        ActivityKind::Message => 2,
        ActivityKind::Meeting => 3,
        ActivityKind::Task => 4,
        ActivityKind::Note => 5,
        ActivityKind::Visit => 6,
        ActivityKind::Form => 7,
        ActivityKind::Event => 8,
    }
}

fn direction_index(v: Direction) -> u8 {
    match v {
        Direction::Inbound => 0,
        Direction::Outbound => 1,
    }
}

fn put_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_int(out: &mut Vec<u8>, n: i64) {
    put_uint(out, ((n << 1) ^ (n >> 63)) as u64);
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_uint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn put_opt<T>(out: &mut Vec<u8>, value: &Option<T>, put: impl FnOnce(&mut Vec<u8>, &T)) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            put(out, value);
        }
    }
}

fn put_opt_str<T: AsRef<str>>(out: &mut Vec<u8>, text: &Option<T>) {
    put_opt(out, text, |out, t| put_str(out, t.as_ref()));
}

fn put_list<T>(out: &mut Vec<u8>, items: &[T], mut put: impl FnMut(&mut Vec<u8>, &T)) {
    put_uint(out, items.len() as u64);
    for item in items {
        put(out, item);
    }
}

fn put_name(out: &mut Vec<u8>, name: &PersonName) {
    let PersonName {
        surname,
        given,
        patronymic,
    } = name;
    put_opt_str(out, surname);
    put_opt_str(out, given);
    put_opt_str(out, patronymic);
}

fn put_time(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    put_int(out, at.timestamp());
    put_uint(out, u64::from(at.timestamp_subsec_nanos()));
}

fn put_date(out: &mut Vec<u8>, date: &NaiveDate) {
    put_int(out, i64::from(date.num_days_from_ce()));
}

fn put_money(out: &mut Vec<u8>, money: &Money) {
    put_int(out, money.minor());
    out.extend_from_slice(money.currency().code().as_bytes());
}

fn put_consent(out: &mut Vec<u8>, consent: &Consent) {
    let Consent { state, date } = consent;
    out.push(consent_state_index(*state));
    put_date(out, date);
}

fn put_field_value(out: &mut Vec<u8>, value: &FieldValue) {
    match value {
        FieldValue::Text(text) => {
            out.push(0);
            put_str(out, text);
        }
        FieldValue::Integer(n) => {
            out.push(1);
            put_int(out, *n);
        }
        FieldValue::Money(money) => {
            out.push(2);
            put_money(out, money);
        }
        FieldValue::Date(date) => {
            out.push(3);
            put_date(out, date);
        }
        FieldValue::Bool(b) => {
            out.push(4);
            out.push(u8::from(*b));
        }
        FieldValue::OneOf(text) => {
            out.push(5);
            put_str(out, text);
        }
        FieldValue::ManyOf(set) => {
            out.push(6);
            put_uint(out, set.len() as u64);
            for text in set {
                put_str(out, text);
            }
        }
    }
}

/// Reads the values of one record.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Bad> {
        let b = *self
            .buf
            .get(self.at)
            .ok_or_else(|| "the record ends too early".to_string())?;
        self.at += 1;
        Ok(b)
    }

    fn flag(&mut self) -> Result<bool, Bad> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("{other} is not a flag")),
        }
    }

    fn uint(&mut self) -> Result<u64, Bad> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err("a number is too long".into())
    }

    fn int(&mut self) -> Result<i64, Bad> {
        let n = self.uint()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    fn len(&mut self) -> Result<usize, Bad> {
        let n = self.uint()?;
        // Every item takes at least one byte.
        match usize::try_from(n) {
            Ok(n) if n <= self.buf.len() - self.at => Ok(n),
            _ => Err(format!("a length of {n} runs past the record")),
        }
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], Bad> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.buf.len())
            .ok_or_else(|| "the record ends too early".to_string())?;
        let out = &self.buf[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn string(&mut self) -> Result<String, Bad> {
        let n = self.len()?;
        let bytes = self.bytes(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| format!("text is not UTF-8: {e}"))
    }

    /// A name shared with the equal ones already made (no allocation when
    /// one is).
    fn shared(&mut self) -> Result<SharedStr, Bad> {
        let n = self.len()?;
        let bytes = self.bytes(n)?;
        std::str::from_utf8(bytes)
            .map(SharedStr::new)
            .map_err(|e| format!("text is not UTF-8: {e}"))
    }

    fn opt<T>(
        &mut self,
        read: impl FnOnce(&mut Reader<'a>) -> Result<T, Bad>,
    ) -> Result<Option<T>, Bad> {
        match self.byte()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            other => Err(format!("{other} is not an option's marker")),
        }
    }

    fn opt_string(&mut self) -> Result<Option<String>, Bad> {
        self.opt(Reader::string)
    }

    fn list<T>(
        &mut self,
        mut read: impl FnMut(&mut Reader<'a>) -> Result<T, Bad>,
    ) -> Result<Vec<T>, Bad> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(read(self)?);
        }
        Ok(out)
    }

    fn variant<T: Copy>(&mut self, all: &[T], what: &str) -> Result<T, Bad> {
        let at = self.byte()?;
        all.get(usize::from(at))
            .copied()
            .ok_or_else(|| format!("{what} {at} is unknown"))
    }

    fn name(&mut self) -> Result<PersonName, Bad> {
        Ok(PersonName {
            surname: self.opt_string()?,
            given: self.opt_string()?,
            patronymic: self.opt_string()?,
        })
    }

    fn time(&mut self) -> Result<DateTime<Utc>, Bad> {
        let seconds = self.int()?;
        let nanos = u32::try_from(self.uint()?).map_err(|_| "nanoseconds out of range")?;
        DateTime::from_timestamp(seconds, nanos).ok_or_else(|| "a time out of range".into())
    }

    fn date(&mut self) -> Result<NaiveDate, Bad> {
        let days = i32::try_from(self.int()?).map_err(|_| "a date out of range")?;
        NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(|| "a date out of range".into())
    }

    fn money(&mut self) -> Result<Money, Bad> {
        let minor = self.int()?;
        let code = self.bytes(3)?;
        let currency = match code {
            b"RUB" => Currency::RUB,
            _ => std::str::from_utf8(code)
                .ok()
                .and_then(|c| Currency::new(c).ok())
                .ok_or_else(|| format!("{code:?} is not a currency"))?,
        };
        Ok(Money::from_minor(minor, currency))
    }

    fn consent(&mut self) -> Result<Consent, Bad> {
        Ok(Consent {
            state: self.variant(CONSENT_STATES, "consent state")?,
            date: self.date()?,
        })
    }

    fn field_value(&mut self) -> Result<FieldValue, Bad> {
        Ok(match self.byte()? {
            0 => FieldValue::Text(self.string()?),
            1 => FieldValue::Integer(self.int()?),
            2 => FieldValue::Money(self.money()?),
            3 => FieldValue::Date(self.date()?),
            4 => FieldValue::Bool(self.flag()?),
            5 => FieldValue::OneOf(self.string()?),
            6 => {
                let mut set = BTreeSet::new();
                for _ in 0..self.len()? {
                    set.insert(self.string()?);
                }
                FieldValue::ManyOf(set)
            }
            other => return Err(format!("custom value kind {other} is unknown")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{generate, GeneratorConfig};

    #[test]
    fn every_generated_record_reads_back_equal() {
        let base = generate(&GeneratorConfig::new(300, 11)).unwrap().base;
        let mut seen = 0;
        for client in base.clients() {
            let mut back: Client = from_bytes(&to_bytes(client)).unwrap();
            back.id = client.id;
            assert_eq!(&back, client);
            seen += 1;
        }
        for deal in base.deals() {
            let mut back: Deal = from_bytes(&to_bytes(deal)).unwrap();
            back.id = deal.id;
            assert_eq!(&back, deal);
        }
        for activity in base.activities.values() {
            let mut back: Activity = from_bytes(&to_bytes(activity)).unwrap();
            back.id = activity.id;
            assert_eq!(&back, activity);
        }
        assert_eq!(seen, 300);
    }

    #[test]
    fn a_cut_or_padded_record_is_refused() {
        let base = generate(&GeneratorConfig::new(5, 3)).unwrap().base;
        let bytes = to_bytes(base.deals().next().unwrap());
        for end in 0..bytes.len() {
            assert!(from_bytes::<Deal>(&bytes[..end]).is_err(), "cut at {end}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(from_bytes::<Deal>(&padded).is_err());
    }
}
