//! Building an audience: the segment, each client judged on the channel in
//! parallel, then one member per contact.

use super::gather::Outcome;
use super::{AudienceChannel, Purpose, Reason};
use crate::base::ClientBase;
use crate::client::{Client, Consent, ConsentState, MessengerKind, PhoneKind};
use crate::email::EmailNormalizer;
use crate::error::{invalid, Result};
use crate::ids::ClientId;
use crate::phone::PhoneNormalizer;
use crate::segment::SegmentParams;
use crate::table::{Column, Table};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// Params of [`audience()`], [`audience_summary`] and [`audience_exclusions`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudienceParams {
    /// The segment rule, as text (`"stage = customer and city = Москва"`) or
    /// its JSON form (default `null`: every client of the base).
    pub segment: Option<serde_json::Value>,
    /// Named segments the rule may refer to (`in segment "vip"`), each as
    /// text or JSON (default: none).
    pub segments: BTreeMap<String, serde_json::Value>,
    /// The channel (`sms`, `email`, `calls`, `whatsapp`, `telegram`, `viber`,
    /// `max`, `vk`, `ok`, `voice_robot`, `ads`). Required.
    pub channel: Option<AudienceChannel>,
    /// The campaign date: consents count as of this day, and the segment's
    /// relative conditions from it (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`).
    pub time_zone: String,
    /// `marketing` (default: the channel's consent is required) or
    /// `service` (no marketing consent needed).
    pub purpose: Purpose,
    /// One message per contact: members sharing a contact are reduced to
    /// the one with the lowest id (default true).
    pub dedupe: bool,
    /// Read contacts that have no normalized form (a phone without `e164`,
    /// an email without `normalized`) from what was typed (default true).
    /// `false` takes the base's normalized forms only: after
    /// [`ClientBase::normalize_contacts`] it gives the same audience without
    /// reading contacts that failed normalization again.
    pub read_typed: bool,
}

impl Default for AudienceParams {
    fn default() -> AudienceParams {
        AudienceParams {
            segment: None,
            segments: BTreeMap::new(),
            channel: None,
            as_of: None,
            time_zone: "UTC".into(),
            purpose: Purpose::Marketing,
            dedupe: true,
            read_typed: true,
        }
    }
}

/// The clients a campaign starts from: the segment's (or every client),
/// in id order, and the campaign date.
pub(crate) struct Scope<'a> {
    pub clients: Vec<&'a Client>,
    pub as_of: NaiveDate,
    /// The rule in the text syntax, when there is one.
    pub rule: Option<String>,
}

/// Selects the clients of `segment` (all clients when `None`) as of the date.
pub(crate) fn scope<'a>(
    base: &'a ClientBase,
    segment: &Option<serde_json::Value>,
    segments: &BTreeMap<String, serde_json::Value>,
    as_of: Option<NaiveDate>,
    time_zone: &str,
) -> Result<Scope<'a>> {
    scope_in(base, segment, segments, as_of, time_zone, false)
}

/// [`scope`], the segment evaluated on the records when `records` (as the
/// first evaluation after a write does; the result is the same).
pub(crate) fn scope_in<'a>(
    base: &'a ClientBase,
    segment: &Option<serde_json::Value>,
    segments: &BTreeMap<String, serde_json::Value>,
    as_of: Option<NaiveDate>,
    time_zone: &str,
    records: bool,
) -> Result<Scope<'a>> {
    let zone = crate::segment::time_zone(time_zone)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().with_timezone(&zone).date_naive());
    let Some(rule) = segment else {
        return Ok(Scope {
            clients: base.clients().collect(),
            as_of,
            rule: None,
        });
    };
    let params = SegmentParams {
        rule: Some(rule.clone()),
        as_of: Some(as_of),
        time_zone: time_zone.to_string(),
        currency: None,
        segments: segments.clone(),
    };
    let text = crate::segment::Rule::from_input(rule)
        .map_err(|e| e.in_field("segment"))?
        .to_text();
    let ids = params
        .compile(base)
        .and_then(|c| {
            if records {
                c.evaluate_records(base)
            } else {
                c.evaluate(base)
            }
        })
        .map_err(|e| e.in_field("segment"))?;
    // Both in id order: a merge walk instead of a lookup per id.
    let mut clients = Vec::with_capacity(ids.len());
    let mut wanted = ids.iter().peekable();
    for client in base.clients() {
        match wanted.peek() {
            None => break,
            Some(&&id) if id == client.id => {
                clients.push(client);
                wanted.next();
            }
            Some(_) => {}
        }
    }
    Ok(Scope {
        clients,
        as_of,
        rule: Some(text),
    })
}

/// Which list of the client a contact comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Phones,
    Emails,
    Messengers,
}

/// Where a contact is on the client: `phones[0]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    pub list: List,
    pub index: usize,
}

impl Field {
    /// The field as contact reports name it (`phones[0]`, `emails[1]`).
    pub fn name(self) -> Cow<'static, str> {
        const PHONES: [&str; 4] = ["phones[0]", "phones[1]", "phones[2]", "phones[3]"];
        const EMAILS: [&str; 4] = ["emails[0]", "emails[1]", "emails[2]", "emails[3]"];
        const MESSENGERS: [&str; 4] = [
            "messengers[0]",
            "messengers[1]",
            "messengers[2]",
            "messengers[3]",
        ];
        let (names, list) = match self.list {
            List::Phones => (PHONES, "phones"),
            List::Emails => (EMAILS, "emails"),
            List::Messengers => (MESSENGERS, "messengers"),
        };
        match names.get(self.index) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(format!("{list}[{}]", self.index)),
        }
    }
}

/// One contact of a client that may carry a channel: its normalized form
/// (or `None` when it is not usable on the channel) and its own consent.
pub(crate) struct Candidate<'a> {
    pub field: Field,
    pub key: Option<Cow<'a, str>>,
    pub consent: Option<Consent>,
}

/// The normalizers a judgement reads unnormalized contacts with, and
/// whether it does.
pub(crate) struct Readers {
    pub phones: PhoneNormalizer,
    pub emails: EmailNormalizer,
    /// Read contacts without a normalized form from what was typed.
    pub typed: bool,
}

impl Readers {
    pub fn new(typed: bool) -> Readers {
        Readers {
            phones: PhoneNormalizer::default(),
            emails: EmailNormalizer::default(),
            typed,
        }
    }
}

/// A phone's E.164 form and kind: stored ones as they are, otherwise read
/// from what was typed; `None` when it does not parse.
fn phone_reading<'a>(
    phone: &'a crate::client::Phone,
    readers: &Readers,
) -> Option<(Cow<'a, str>, PhoneKind)> {
    if let (Some(e164), Some(kind)) = (&phone.e164, phone.kind) {
        return Some((Cow::Borrowed(e164.as_str()), kind));
    }
    if phone.e164.is_none() && !readers.typed {
        return None;
    }
    let text = if phone.raw.trim().is_empty() {
        phone.e164.as_deref()?
    } else {
        &phone.raw
    };
    let parsed = readers.phones.parse(text).ok()?;
    Some((Cow::Owned(parsed.e164().to_string()), parsed.kind()))
}

fn can_take_sms(kind: PhoneKind) -> bool {
    matches!(
        kind,
        PhoneKind::Mobile | PhoneKind::FixedLineOrMobile | PhoneKind::PersonalNumber
    )
}

/// An email's normalized address, lower-cased; `None` when it is invalid.
pub(crate) fn email_key<'a>(
    email: &'a crate::client::Email,
    readers: &Readers,
) -> Option<Cow<'a, str>> {
    let address: Cow<'a, str> = match &email.normalized {
        Some(n) => Cow::Borrowed(n.as_str()),
        None if !readers.typed => return None,
        None => Cow::Owned(readers.emails.parse(&email.raw).ok()?.address().to_string()),
    };
    if address.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(Cow::Owned(address.to_lowercase()))
    } else {
        Some(address)
    }
}

fn messenger_kind(channel: AudienceChannel) -> Option<MessengerKind> {
    Some(match channel {
        AudienceChannel::Whatsapp => MessengerKind::Whatsapp,
        AudienceChannel::Telegram => MessengerKind::Telegram,
        AudienceChannel::Viber => MessengerKind::Viber,
        AudienceChannel::Max => MessengerKind::Max,
        AudienceChannel::Vk => MessengerKind::Vk,
        AudienceChannel::Ok => MessengerKind::Ok,
        _ => return None,
    })
}

/// The contacts of `client` that may carry `channel`, in order (for ads:
/// emails, then phones).
pub(crate) fn candidates<'a: 'r, 'r>(
    client: &'a Client,
    channel: AudienceChannel,
    readers: &'r Readers,
) -> impl Iterator<Item = Candidate<'a>> + 'r {
    let wants_emails = matches!(channel, AudienceChannel::Email | AudienceChannel::Ads);
    let wants_phones = matches!(
        channel,
        AudienceChannel::Calls
            | AudienceChannel::VoiceRobot
            | AudienceChannel::Sms
            | AudienceChannel::Ads
    );
    let account = messenger_kind(channel);
    let emails = client
        .emails
        .iter()
        .enumerate()
        .filter(move |_| wants_emails)
        .map(move |(index, email)| Candidate {
            field: Field {
                list: List::Emails,
                index,
            },
            key: email_key(email, readers),
            consent: email.consent,
        });
    let phones = client
        .phones
        .iter()
        .enumerate()
        .filter(move |_| wants_phones)
        .map(move |(index, phone)| Candidate {
            field: Field {
                list: List::Phones,
                index,
            },
            key: phone_reading(phone, readers).and_then(|(e164, kind)| {
                (channel != AudienceChannel::Sms || can_take_sms(kind)).then_some(e164)
            }),
            consent: phone.consent,
        });
    let messengers = client
        .messengers
        .iter()
        .enumerate()
        .filter(move |(_, m)| account.as_ref() == Some(&m.kind))
        .map(move |(index, account)| {
            let id = account.id.trim();
            let key = match account.kind {
                // Accounts on a phone number: the number in E.164.
                MessengerKind::Whatsapp | MessengerKind::Viber => readers
                    .phones
                    .parse(id)
                    .ok()
                    .map(|p| Cow::Owned(p.e164().to_string())),
                _ => {
                    let id = id.trim_start_matches('@');
                    (!id.is_empty()).then(|| Cow::Owned(id.to_lowercase()))
                }
            };
            Candidate {
                field: Field {
                    list: List::Messengers,
                    index,
                },
                key,
                consent: account.consent,
            }
        });
    emails.chain(phones).chain(messengers)
}

/// What a consent says as of the date.
#[derive(PartialEq, Eq)]
pub(crate) enum Standing {
    Valid,
    Withdrawn,
    Missing,
}

pub(crate) fn standing(consent: Option<Consent>, as_of: NaiveDate) -> Standing {
    match consent {
        Some(c) if c.state == ConsentState::Withdrawn => Standing::Withdrawn,
        Some(c) if c.date <= as_of => Standing::Valid,
        _ => Standing::Missing,
    }
}

/// One client's answer: in with this contact, or out for a reason.
pub(crate) enum Verdict<'a> {
    In(Candidate<'a>),
    Out(Reason),
}

/// Whether `client` is reachable on `channel` for `purpose` as of the date.
pub(crate) fn judge<'a>(
    client: &'a Client,
    channel: AudienceChannel,
    purpose: Purpose,
    as_of: NaiveDate,
    readers: &Readers,
) -> Verdict<'a> {
    if let Some(data) = client.consents.personal_data {
        match standing(Some(data), as_of) {
            Standing::Withdrawn => return Verdict::Out(Reason::ConsentWithdrawn),
            Standing::Missing => return Verdict::Out(Reason::NoConsent),
            Standing::Valid => {}
        }
    }
    let channel_consent = client.consents.marketing.get(&channel.consent()).copied();
    let (mut any, mut usable, mut withdrawn) = (false, false, false);
    for candidate in candidates(client, channel, readers) {
        any = true;
        if candidate.key.is_none() {
            continue;
        }
        usable = true;
        if purpose == Purpose::Service {
            return Verdict::In(candidate);
        }
        match standing(candidate.consent.or(channel_consent), as_of) {
            Standing::Valid => return Verdict::In(candidate),
            Standing::Withdrawn => withdrawn = true,
            Standing::Missing => {}
        }
    }
    Verdict::Out(if !any {
        Reason::NoContact
    } else if !usable {
        Reason::InvalidContact
    } else if withdrawn {
        Reason::ConsentWithdrawn
    } else {
        Reason::NoConsent
    })
}

/// A client in the audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    /// The client.
    pub client: &'a Client,
    /// The contact to use, normalized (E.164, a lower-cased address, an account id).
    pub contact: Cow<'a, str>,
    field: Field,
}

impl Member<'_> {
    /// Where the contact is on the client (`phones[0]`, `emails[1]`, `messengers[0]`).
    pub fn field(&self) -> Cow<'static, str> {
        self.field.name()
    }
}

/// A client of the segment left out, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The client.
    pub client: ClientId,
    /// Why.
    pub reason: Reason,
    /// For `duplicate` and `shared_contact`: the member who gets the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<ClientId>,
}

/// How many clients of the segment were left out, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusions {
    /// Nothing of the channel's kind.
    pub no_contact: usize,
    /// No valid consent as of the date.
    pub no_consent: usize,
    /// The consent withdrawn.
    pub consent_withdrawn: usize,
    /// Contacts of the channel's kind, none usable.
    pub invalid_contact: usize,
    /// Another record of the same person with the same contact is in.
    pub duplicate: usize,
    /// Another person with the same contact is in.
    pub shared_contact: usize,
}

impl Exclusions {
    /// The count for `reason`.
    pub fn get(&self, reason: Reason) -> usize {
        match reason {
            Reason::NoContact => self.no_contact,
            Reason::NoConsent => self.no_consent,
            Reason::ConsentWithdrawn => self.consent_withdrawn,
            Reason::InvalidContact => self.invalid_contact,
            Reason::Duplicate => self.duplicate,
            Reason::SharedContact => self.shared_contact,
        }
    }

    pub(crate) fn add(&mut self, reason: Reason) {
        let slot = match reason {
            Reason::NoContact => &mut self.no_contact,
            Reason::NoConsent => &mut self.no_consent,
            Reason::ConsentWithdrawn => &mut self.consent_withdrawn,
            Reason::InvalidContact => &mut self.invalid_contact,
            Reason::Duplicate => &mut self.duplicate,
            Reason::SharedContact => &mut self.shared_contact,
        };
        *slot += 1;
    }

    /// All clients left out.
    pub fn total(&self) -> usize {
        Reason::ALL.iter().map(|&r| self.get(r)).sum()
    }
}

/// An audience in numbers: what [`audience_summary`] gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudienceSummary {
    /// The channel.
    pub channel: AudienceChannel,
    /// Marketing or service.
    pub purpose: Purpose,
    /// The campaign date consents were checked on.
    pub as_of: NaiveDate,
    /// Clients in the segment.
    pub segment: usize,
    /// Clients in the audience (one message each).
    pub audience: usize,
    /// Clients left out, by reason; with `audience` they add up to `segment`.
    pub excluded: Exclusions,
}

impl AudienceSummary {
    /// The counts of an audience of `audience` members out of `segment`
    /// clients, with those `excluded` counted by reason.
    pub(crate) fn of(
        (channel, purpose, as_of): (AudienceChannel, Purpose, NaiveDate),
        segment: usize,
        audience: usize,
        excluded: &[Excluded],
    ) -> AudienceSummary {
        let mut by_reason = Exclusions::default();
        for e in excluded {
            by_reason.add(e.reason);
        }
        AudienceSummary {
            channel,
            purpose,
            as_of,
            segment,
            audience,
            excluded: by_reason,
        }
    }
}

/// An audience: the members with their contacts, and who was left out.
#[derive(Debug, Clone)]
pub struct Audience<'a> {
    /// The channel.
    pub channel: AudienceChannel,
    /// Marketing or service.
    pub purpose: Purpose,
    /// The campaign date.
    pub as_of: NaiveDate,
    /// Clients in the segment.
    pub segment: usize,
    /// The members, in id order.
    pub members: Vec<Member<'a>>,
    /// Those left out, in id order.
    pub excluded: Vec<Excluded>,
}

fn key_hash(key: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    key.hash(&mut hasher);
    hasher.finish()
}

impl<'a> Audience<'a> {
    /// Builds the audience of `params` on `base`.
    pub fn build(base: &'a ClientBase, params: &AudienceParams) -> Result<Audience<'a>> {
        let channel = params.channel.ok_or_else(|| {
            invalid(
                "channel",
                "the channel is required (sms, email, calls, ...)",
            )
        })?;
        let scope = scope(
            base,
            &params.segment,
            &params.segments,
            params.as_of,
            &params.time_zone,
        )?;
        Ok(Audience::of(
            &scope.clients,
            channel,
            params.purpose,
            scope.as_of,
            params.dedupe,
            &Readers::new(params.read_typed),
        ))
    }

    /// The audience among `clients` (in id order).
    pub(crate) fn of(
        clients: &[&'a Client],
        channel: AudienceChannel,
        purpose: Purpose,
        as_of: NaiveDate,
        dedupe: bool,
        readers: &Readers,
    ) -> Audience<'a> {
        let verdicts = crate::batch::map_column(clients, |client| {
            match judge(client, channel, purpose, as_of, readers) {
                Verdict::In(c) => Ok((c.key.unwrap_or_default(), c.field)),
                Verdict::Out(reason) => Err(reason),
            }
        });
        let reached = verdicts.iter().filter(|v| v.is_ok()).count();
        let mut members = Vec::with_capacity(reached);
        let mut excluded = Vec::with_capacity(verdicts.len() - reached);
        for (client, verdict) in clients.iter().zip(verdicts) {
            match verdict {
                Ok((contact, field)) => members.push(Member {
                    client,
                    contact,
                    field,
                }),
                Err(reason) => excluded.push(Excluded {
                    client: client.id,
                    reason,
                    other: None,
                }),
            }
        }
        if dedupe {
            let dropped = collapse(&members);
            if !dropped.is_empty() {
                let reasons = crate::batch::map_column_with_min(&dropped, 64, |&(at, other)| {
                    if same_person(members[at].client, other) {
                        Reason::Duplicate
                    } else {
                        Reason::SharedContact
                    }
                });
                let mut out = vec![None; members.len()];
                for ((at, other), reason) in dropped.into_iter().zip(reasons) {
                    out[at] = Some((other.id, reason));
                }
                let mut kept = Vec::with_capacity(members.len());
                let mut collapsed = Vec::new();
                for (member, other) in members.into_iter().zip(out) {
                    match other {
                        None => kept.push(member),
                        Some((other, reason)) => collapsed.push(Excluded {
                            client: member.client.id,
                            reason,
                            other: Some(other),
                        }),
                    }
                }
                members = kept;
                excluded = merge_by_client(excluded, collapsed);
            }
        }
        Audience {
            channel,
            purpose,
            as_of,
            segment: clients.len(),
            members,
            excluded,
        }
    }

    /// The counts: what [`audience_summary`] gives back.
    pub fn summary(&self) -> AudienceSummary {
        AudienceSummary::of(
            (self.channel, self.purpose, self.as_of),
            self.segment,
            self.members.len(),
            &self.excluded,
        )
    }

    /// The members as a table: `client` (uint64), `contact` (the normalized
    /// contact), `field` (`phones[0]`, ...), `owner` (the client's manager).
    pub fn members_table(&self) -> Result<Table> {
        let m = &self.members;
        let fields: Vec<Cow<'static, str>> = m.iter().map(Member::field).collect();
        Table::with_rows(
            m.len(),
            vec![
                Column::from_uint64s("client", m.iter().map(|m| Some(m.client.id.get()))),
                Column::from_texts("contact", m.iter().map(|m| Some(m.contact.as_ref()))),
                Column::from_texts("field", fields.iter().map(|f| Some(f.as_ref()))),
                Column::from_texts("owner", m.iter().map(|m| m.client.owner.as_deref())),
            ],
        )
    }

    /// Those left out as a table: `client` (uint64), `reason` (text) and
    /// `other` (uint64, the member who gets the message, for `duplicate` and
    /// `shared_contact`).
    pub fn exclusions_table(&self) -> Result<Table> {
        super::gather::exclusions_table(&self.excluded)
    }
}

/// Two lists in client order as one.
pub(crate) fn merge_by_client(a: Vec<Excluded>, b: Vec<Excluded>) -> Vec<Excluded> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.client <= y.client => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}

/// For each member whose contact an earlier member (lower id) has too: its
/// position and that earlier member's client.
fn collapse<'a>(members: &[Member<'a>]) -> Vec<(usize, &'a Client)> {
    let mut order: Vec<(u64, u32)> = crate::batch::map_column(members, |m| key_hash(&m.contact))
        .into_iter()
        .enumerate()
        .map(|(i, h)| (h, i as u32))
        .collect();
    crate::batch::sort_unstable(&mut order);
    let mut dropped = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && order[end].0 == order[start].0 {
            end += 1;
        }
        for j in start + 1..end {
            let at = order[j].1 as usize;
            let first = order[start..j]
                .iter()
                .map(|&(_, k)| k as usize)
                .find(|&k| members[k].contact == members[at].contact);
            if let Some(k) = first {
                dropped.push((at, members[k].client));
            }
        }
        start = end;
    }
    dropped
}

/// Whether two records sharing a contact are one person: the same company
/// name, or the same surname and given name (a missing given name matches
/// any), compared by [`name_key`](crate::name_key).
pub(crate) fn same_person(a: &Client, b: &Client) -> bool {
    NameKey::of(a).same(&NameKey::of(b))
}

/// What [`same_person`] compares of a client: its names by
/// [`name_key`](crate::name_key) (empty when missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameKey {
    Company(String),
    Person { surname: String, given: String },
}

impl NameKey {
    pub(crate) fn of(client: &Client) -> NameKey {
        use crate::client::Party;
        let key = |text: &Option<String>| {
            text.as_deref()
                .map(crate::name::name_key)
                .unwrap_or_default()
        };
        match &client.party {
            Party::Company(x) => NameKey::Company(crate::name::name_key(&x.legal_name)),
            Party::Person(x) => NameKey::Person {
                surname: key(&x.surname),
                given: key(&x.given),
            },
        }
    }

    /// Whether the two are one person (see [`same_person`]).
    pub(crate) fn same(&self, other: &NameKey) -> bool {
        match (self, other) {
            (NameKey::Company(kx), NameKey::Company(ky)) => !kx.is_empty() && kx == ky,
            (
                NameKey::Person {
                    surname: sx,
                    given: gx,
                },
                NameKey::Person {
                    surname: sy,
                    given: gy,
                },
            ) => !sx.is_empty() && sx == sy && (gx.is_empty() || gy.is_empty() || gx == gy),
            _ => false,
        }
    }
}

/// The clients of the segment reachable on the channel: one row per member
/// (see [`Audience::members_table`]), in id order.
pub fn audience(base: &ClientBase, params: &AudienceParams) -> Result<Table> {
    Outcome::build(base, params)?.members_table()
}

/// How many clients of the segment are in the audience and how many were
/// left out, by reason.
pub fn audience_summary(base: &ClientBase, params: &AudienceParams) -> Result<AudienceSummary> {
    Ok(Outcome::build(base, params)?.summary())
}

/// The clients of the segment left out of the audience, with the reason
/// (see [`Audience::exclusions_table`]).
pub fn audience_exclusions(base: &ClientBase, params: &AudienceParams) -> Result<Table> {
    Outcome::build(base, params)?.exclusions_table()
}
