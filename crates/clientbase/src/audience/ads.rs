//! Ad audiences: the `ads` audience as the customer-list file an ad platform
//! takes, with emails and phones normalized the platform's way and hashed
//! with SHA-256 (lower-case hex), so no contact leaves in the clear.
//!
//! What each platform asks for, from its published guidelines:
//!
//! | platform | columns | email before hashing | phone before hashing |
//! | --- | --- | --- | --- |
//! | `google` (Customer Match file upload) | `Email`, `Phone` | trimmed, lower case | E.164 with `+` (`+79161234567`) |
//! | `meta` (customer list custom audiences) | `email`, `phone` | trimmed, lower case | digits with the country code, no `+`, no leading zeros (`79161234567`) |
//! | `yandex` (Яндекс Аудитории, CRM data) | `email`, `phone` | lower case | digits with the country code, nothing else (`79161234567`); SHA-256 (MD5 uploads ended in January 2025) |
//!
//! Sources: Google Ads Help «Format your customer data file» (answer 7659867)
//! and its upload template; Meta Marketing API «Custom Audiences» (hashing
//! and normalization; the Python business SDK's `CustomAudienceMixin`);
//! Yandex Audience «Data requirements» (CRM data). Google's extra rule for
//! Gmail addresses (dots before the `@` removed) belongs to enhanced
//! conversions, not to Customer Match, and is not applied.
//!
//! ```
//! use clientbase::audience::{hash_email, hash_phone, AdPlatform};
//! assert_eq!(
//!     hash_email(AdPlatform::Meta, "  JaneDoe@Gmail.com "),
//!     "d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69",
//! );
//! assert_eq!(
//!     hash_phone(AdPlatform::Google, "+79161234567"),
//!     "c795313d1a25fea4e552388ce7fb6102f550187a1132baa53b9872e5236dd8c6",
//! );
//! assert_eq!(
//!     hash_phone(AdPlatform::Meta, "+79161234567"),
//!     "1210f4f193f6032e91cd7117a785a1be09550d79076c4717cdae4c0c45691a30",
//! );
//! ```

use super::build::{candidates, scope, standing, Audience, List, Readers, Standing};
use super::{AudienceChannel, Purpose};
use crate::base::ClientBase;
use crate::client::Client;
use crate::error::{invalid, Result};
use crate::table::{Column, Table};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

/// An ad platform whose customer-list format [`ad_audience`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdPlatform {
    /// Google Ads Customer Match.
    Google,
    /// Meta (Facebook, Instagram) customer list custom audiences.
    #[serde(alias = "facebook")]
    Meta,
    /// Яндекс Аудитории (Yandex Audience), CRM data.
    Yandex,
}

impl AdPlatform {
    /// The column names for the hashed email and phone.
    pub fn columns(self) -> (&'static str, &'static str) {
        match self {
            AdPlatform::Google => ("Email", "Phone"),
            AdPlatform::Meta | AdPlatform::Yandex => ("email", "phone"),
        }
    }
}

/// An email address as `platform` wants it before hashing: trimmed and lower case.
pub fn normalize_email(_platform: AdPlatform, address: &str) -> String {
    address.trim().to_lowercase()
}

/// A phone number in E.164 (`+79161234567`) as `platform` wants it before
/// hashing: E.164 for Google, the digits alone for Meta and Yandex.
pub fn normalize_phone(platform: AdPlatform, e164: &str) -> String {
    match platform {
        AdPlatform::Google => {
            let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
            format!("+{digits}")
        }
        AdPlatform::Meta | AdPlatform::Yandex => e164
            .chars()
            .filter(char::is_ascii_digit)
            .skip_while(|&c| c == '0')
            .collect(),
    }
}

fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// SHA-256 (lower-case hex) of the address normalized for `platform`.
pub fn hash_email(platform: AdPlatform, address: &str) -> String {
    sha256_hex(&normalize_email(platform, address))
}

/// SHA-256 (lower-case hex) of the E.164 number normalized for `platform`.
pub fn hash_phone(platform: AdPlatform, e164: &str) -> String {
    sha256_hex(&normalize_phone(platform, e164))
}

/// Params of [`ad_audience`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdParams {
    /// `google`, `meta` or `yandex`. Required.
    pub platform: Option<AdPlatform>,
    /// The segment rule, text or JSON (default `null`: every client).
    pub segment: Option<serde_json::Value>,
    /// Named segments the rule may refer to (default: none).
    pub segments: BTreeMap<String, serde_json::Value>,
    /// The campaign date consents count on (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`).
    pub time_zone: String,
    /// One row per contact, as in [`AudienceParams::dedupe`](super::AudienceParams::dedupe) (default true).
    pub dedupe: bool,
    /// Read contacts without a normalized form from what was typed, as in
    /// [`AudienceParams::read_typed`](super::AudienceParams::read_typed) (default true).
    pub read_typed: bool,
}

impl Default for AdParams {
    fn default() -> AdParams {
        AdParams {
            platform: None,
            segment: None,
            segments: BTreeMap::new(),
            as_of: None,
            time_zone: "UTC".into(),
            dedupe: true,
            read_typed: true,
        }
    }
}

/// The first email and the first phone of `client` usable for ads with a
/// valid consent, in normalized form.
fn identifiers(
    client: &Client,
    as_of: NaiveDate,
    readers: &Readers,
) -> (Option<String>, Option<String>) {
    let channel_consent = client
        .consents
        .marketing
        .get(&AudienceChannel::Ads.consent())
        .copied();
    let (mut email, mut phone) = (None, None);
    for candidate in candidates(client, AudienceChannel::Ads, readers) {
        let Some(key) = candidate.key else { continue };
        if standing(candidate.consent.or(channel_consent), as_of) != Standing::Valid {
            continue;
        }
        let slot = match candidate.field.list {
            List::Emails => &mut email,
            _ => &mut phone,
        };
        if slot.is_none() {
            *slot = Some(key.into_owned());
        }
    }
    (email, phone)
}

/// The clients of the segment with a valid consent to ads, as the platform's
/// customer-list file: one row per member, the hashed email and hashed
/// phone in the platform's columns (null where the client has none usable
/// with the consent). No other column: nothing in the clear leaves.
pub fn ad_audience(base: &ClientBase, params: &AdParams) -> Result<Table> {
    let platform = params.platform.ok_or_else(|| {
        invalid(
            "platform",
            "the platform is required (google, meta, yandex)",
        )
    })?;
    let scope = scope(
        base,
        &params.segment,
        &params.segments,
        params.as_of,
        &params.time_zone,
    )?;
    let audience = Audience::of(
        &scope.clients,
        AudienceChannel::Ads,
        Purpose::Marketing,
        scope.as_of,
        params.dedupe,
        &Readers::new(params.read_typed),
    );
    let readers = Readers::new(params.read_typed);
    let rows = crate::batch::map_column(&audience.members, |member| {
        let (email, phone) = identifiers(member.client, scope.as_of, &readers);
        (
            email.map(|e| hash_email(platform, &e)),
            phone.map(|p| hash_phone(platform, &p)),
        )
    });
    let (email, phone) = platform.columns();
    Table::with_rows(
        rows.len(),
        vec![
            Column::from_texts(email, rows.iter().map(|r| r.0.as_deref())),
            Column::from_texts(phone, rows.iter().map(|r| r.1.as_deref())),
        ],
    )
}
