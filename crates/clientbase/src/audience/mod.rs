//! Acting on the base: who a campaign may reach on a channel, ad audiences
//! with hashed contacts, and call campaigns as tasks for managers.
//!
//! - [`audience()`]: for a segment and a channel, the clients reachable on
//!   it: a usable contact for the channel and a valid consent as of the
//!   campaign date, one contact per person. [`audience_summary`] counts the
//!   clients left out by reason and [`audience_exclusions`] lists them.
//! - [`ad_audience`]: the audience on the `ads` channel as the customer-list
//!   file an ad platform takes, emails and phones normalized the platform's
//!   way and hashed with SHA-256, so no contact leaves in the clear.
//! - [`call_tasks`]: a segment as call tasks for managers, the client's own
//!   manager first, the rest by round robin or by open-task load, each with a
//!   due date, a reason and a script line; [`add_call_tasks`] adds them to
//!   the base as [`Activity`](crate::Activity) tasks.
//!
//! ```
//! use clientbase::audience::{audience_summary, AudienceChannel, AudienceParams};
//! use clientbase::{Channel, Client, ClientBase, Consent, Schema};
//! use chrono::NaiveDate;
//!
//! let day = |d| NaiveDate::from_ymd_opt(2024, 5, d).unwrap();
//! let mut base = ClientBase::new(Schema::new());
//! base.add_client(Client::person("Иванова", "Анна", None)
//!     .with_phone("+7 916 123-45-67")
//!     .with_consent(Channel::Sms, Consent::given(day(1))))?;
//! base.add_client(Client::person("Петров", "Пётр", None).with_phone("+7 916 765-43-21"))?;
//! let params = AudienceParams {
//!     channel: Some(AudienceChannel::Sms),
//!     as_of: Some(day(20)),
//!     ..AudienceParams::default()
//! };
//! let summary = audience_summary(&base, &params)?;
//! assert_eq!(summary.audience, 1);
//! assert_eq!(summary.excluded.no_consent, 1);
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! # Channels and consents
//!
//! Each [`AudienceChannel`] reads one marketing consent of the consent model
//! ([`Channel`](crate::Channel)): `calls` and `voice_robot` the consent to
//! calls, `sms` to text messages, `email` to email, the messengers and social
//! networks (`whatsapp`, `telegram`, `viber`, `max`, `vk`, `ok`) the consent
//! to messengers, `ads` the consent to advertising audiences. A consent on
//! the contact itself (a phone's, an address's, an account's `consent`) wins
//! over the channel's.
//!
//! A consent is valid as of the campaign date when it was given on or before
//! that date. A withdrawn consent is never valid, whatever its date: the
//! model keeps the last change only, so a consent withdrawn after the date
//! cannot be shown to have been given before it. Personal-data processing
//! (152-ФЗ) withdrawn, or given only after the date, leaves the client out on
//! every channel, for service messages too.
//!
//! # Who is left out, and why
//!
//! Every client of the segment is either in the audience or counted under
//! exactly one [`Reason`], checked in this order: personal data
//! (`consent_withdrawn`, `no_consent`), then `no_contact` (nothing of the
//! channel's kind), `invalid_contact` (something, but none usable: a number
//! that does not parse, a landline for SMS), `consent_withdrawn` or
//! `no_consent` (usable contacts, none with a valid consent), and last
//! `duplicate` or `shared_contact`.
//!
//! One message per person: members whose chosen contacts are equal once
//! normalized (E.164 phones, lower-cased addresses, account ids) get one
//! message, sent to the member with the lowest id. The others are counted
//! as `duplicate` when their name matches that member's (the same company
//! name, or the same surname and given name by [`name_key`](crate::name_key))
//! and `shared_contact`
//! otherwise (a family phone, an office mailbox). Records of one person
//! with different contacts are not caught here: merge them first with
//! [`dedup`](crate::dedup), whose fuzzy matching is too slow for a
//! campaign-time check over a million clients.
//!
//! # Over the snapshot
//!
//! [`audience()`], [`audience_summary`] and [`audience_exclusions`] run over
//! the base's columnar snapshot when it keeps one, or from the second read
//! since a write on ([`Columns::when_worth_it`](crate::columns::Columns::when_worth_it)):
//! the first audience on a channel adds the channel's contact columns to the
//! snapshot (each client's usable contacts, normalized and interned, with
//! the consent that governs each), later ones are a pass over those columns
//! and a gather into the table. The answer is the one the records give, row
//! for row ([`Audience::build`] always reads the records).

mod ads;
pub(crate) mod build;
pub(crate) mod gather;
mod tasks;

pub use ads::{
    ad_audience, hash_email, hash_phone, normalize_email, normalize_phone, AdParams, AdPlatform,
};
pub use build::{
    audience, audience_exclusions, audience_summary, Audience, AudienceParams, AudienceSummary,
    Excluded, Exclusions, Member,
};
pub use tasks::{add_call_tasks, call_tasks, AddedTasks, CallTask, CallTasksParams, Distribute};

use crate::client::Channel;
use crate::error::{invalid, Error, Result};
use crate::words::keyword;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A channel a campaign reaches clients on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AudienceChannel {
    /// Phone calls by a manager: any valid phone.
    #[serde(alias = "call")]
    Calls,
    /// Text messages: a mobile number.
    Sms,
    /// Email: a valid address.
    Email,
    /// WhatsApp: a WhatsApp account (its number).
    Whatsapp,
    /// Telegram: a Telegram account.
    Telegram,
    /// Viber: a Viber account (its number).
    Viber,
    /// MAX: a MAX account.
    Max,
    /// VK (ВКонтакте): a VK profile.
    Vk,
    /// Odnoklassniki: an OK profile.
    Ok,
    /// Automated calls by a voice robot: any valid phone, under the calls consent.
    VoiceRobot,
    /// Ad platforms' customer lists: an email or a phone (see [`ad_audience`]).
    Ads,
}

impl AudienceChannel {
    /// Every channel.
    pub const ALL: [AudienceChannel; 11] = [
        AudienceChannel::Calls,
        AudienceChannel::Sms,
        AudienceChannel::Email,
        AudienceChannel::Whatsapp,
        AudienceChannel::Telegram,
        AudienceChannel::Viber,
        AudienceChannel::Max,
        AudienceChannel::Vk,
        AudienceChannel::Ok,
        AudienceChannel::VoiceRobot,
        AudienceChannel::Ads,
    ];

    /// The channel's name (its serde name): `calls`, `sms`, `voice_robot`, ...
    pub fn name(self) -> &'static str {
        match self {
            AudienceChannel::Calls => "calls",
            AudienceChannel::Sms => "sms",
            AudienceChannel::Email => "email",
            AudienceChannel::Whatsapp => "whatsapp",
            AudienceChannel::Telegram => "telegram",
            AudienceChannel::Viber => "viber",
            AudienceChannel::Max => "max",
            AudienceChannel::Vk => "vk",
            AudienceChannel::Ok => "ok",
            AudienceChannel::VoiceRobot => "voice_robot",
            AudienceChannel::Ads => "ads",
        }
    }

    /// The marketing consent the channel needs.
    pub fn consent(self) -> Channel {
        match self {
            AudienceChannel::Calls | AudienceChannel::VoiceRobot => Channel::Calls,
            AudienceChannel::Sms => Channel::Sms,
            AudienceChannel::Email => Channel::Email,
            AudienceChannel::Ads => Channel::Ads,
            AudienceChannel::Whatsapp
            | AudienceChannel::Telegram
            | AudienceChannel::Viber
            | AudienceChannel::Max
            | AudienceChannel::Vk
            | AudienceChannel::Ok => Channel::Messengers,
        }
    }
}

impl fmt::Display for AudienceChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a channel from its name or an alias, in any case: `calls` (`call`,
/// `звонки`), `sms` (`смс`), `email` (`почта`), `voice_robot` (`robot`,
/// `робот`, `голосовой робот`), `ads` (`реклама`), and the messengers by name
/// (`whatsapp`, `telegram`, `tg`, `viber`, `max`, `vk`, `вконтакте`, `ok`).
///
/// ```
/// use clientbase::audience::AudienceChannel;
/// assert_eq!("СМС".parse::<AudienceChannel>()?, AudienceChannel::Sms);
/// assert_eq!("голосовой робот".parse::<AudienceChannel>()?, AudienceChannel::VoiceRobot);
/// assert!("fax".parse::<AudienceChannel>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for AudienceChannel {
    type Err = Error;

    fn from_str(text: &str) -> Result<AudienceChannel> {
        let word = keyword(text);
        let found = match word.as_str() {
            "calls" | "call" | "звонки" | "звонок" => AudienceChannel::Calls,
            "sms" | "смс" => AudienceChannel::Sms,
            "email" | "mail" | "почта" | "элпочта" => AudienceChannel::Email,
            "whatsapp" | "wa" => AudienceChannel::Whatsapp,
            "telegram" | "tg" => AudienceChannel::Telegram,
            "viber" => AudienceChannel::Viber,
            "max" => AudienceChannel::Max,
            "vk" | "vkontakte" | "вконтакте" => AudienceChannel::Vk,
            "ok" | "odnoklassniki" | "одноклассники" => AudienceChannel::Ok,
            "voicerobot" | "voice_robot" | "robot" | "робот" | "голосовойробот" => {
                AudienceChannel::VoiceRobot
            }
            "ads" | "реклама" => AudienceChannel::Ads,
            _ => {
                return Err(invalid(
                    "channel",
                    format!(
                        "{:?} is not a channel ({})",
                        text.trim(),
                        AudienceChannel::ALL.map(AudienceChannel::name).join(", ")
                    ),
                ))
            }
        };
        Ok(found)
    }
}

/// What a campaign is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Advertising: the channel's marketing consent is required (the default).
    #[default]
    Marketing,
    /// Service messages (an order is ready, a contact to confirm): no
    /// marketing consent needed; personal-data processing still is.
    Service,
}

/// Why a client of the segment is not in the audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Nothing of the channel's kind (no phone for SMS, no Telegram account).
    NoContact,
    /// No valid consent as of the date: never given, or given after it.
    NoConsent,
    /// The consent was withdrawn (the channel's, the contact's or personal data).
    ConsentWithdrawn,
    /// Contacts of the channel's kind, none usable on it.
    InvalidContact,
    /// Another record of the same person, with the same contact, is in the audience.
    Duplicate,
    /// Another person with the same contact is in the audience.
    SharedContact,
}

impl Reason {
    /// Every reason, in the order they are checked.
    pub const ALL: [Reason; 6] = [
        Reason::NoContact,
        Reason::NoConsent,
        Reason::ConsentWithdrawn,
        Reason::InvalidContact,
        Reason::Duplicate,
        Reason::SharedContact,
    ];

    /// The reason's name (its serde name): `no_contact`, `shared_contact`, ...
    pub fn name(self) -> &'static str {
        match self {
            Reason::NoContact => "no_contact",
            Reason::NoConsent => "no_consent",
            Reason::ConsentWithdrawn => "consent_withdrawn",
            Reason::InvalidContact => "invalid_contact",
            Reason::Duplicate => "duplicate",
            Reason::SharedContact => "shared_contact",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests;
