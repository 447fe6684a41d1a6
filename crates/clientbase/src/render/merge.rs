//! Mail merge: one template, many clients, one text each, in parallel.

use super::context::{best_phone, build_context, CompanyDetails, ContextSource, ManagerDetails};
use super::sms::sms_info;
use super::template::{Escape, Limits, RenderContext, Template, TemplateOptions};
use crate::base::ClientBase;
use crate::client::{Channel, Client};
use crate::deal::DealStatus;
use crate::error::{invalid, Result};
use crate::ids::{ClientId, DealId};
use crate::segment::SegmentParams;
use crate::table::{Column, Table};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The channel a merge writes for: it decides the address and, for SMS,
/// the encoding and parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeChannel {
    /// SMS: the address is the first mobile phone (E.164); the row tells the
    /// encoding, characters and parts.
    #[default]
    Sms,
    /// Email: the address is the first email.
    Email,
    /// A messenger: the address is the first messenger, `kind:id`.
    Messenger,
    /// Text only, no address (letters, documents).
    Text,
}

impl MergeChannel {
    fn consent(self) -> Option<Channel> {
        match self {
            MergeChannel::Sms => Some(Channel::Sms),
            MergeChannel::Email => Some(Channel::Email),
            MergeChannel::Messenger => Some(Channel::Messengers),
            MergeChannel::Text => None,
        }
    }

    fn address(self, client: &Client) -> Option<String> {
        match self {
            MergeChannel::Sms => best_phone(client),
            MergeChannel::Email => client.emails.first().map(|e| {
                e.normalized
                    .clone()
                    .unwrap_or_else(|| e.raw.trim().to_string())
            }),
            MergeChannel::Messenger => client
                .messengers
                .first()
                .map(|m| format!("{}:{}", m.kind.name(), m.id)),
            MergeChannel::Text => None,
        }
        .filter(|a| !a.is_empty())
    }
}

/// Which deal of each client the template sees as `deal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealPick {
    /// None (the default): `deal` is null.
    #[default]
    None,
    /// The client's newest deal (the highest id).
    Latest,
    /// The client's newest open deal.
    LatestOpen,
}

/// Params of [`mail_merge`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MergeParams {
    /// The template text (Jinja syntax). Required.
    pub template: String,
    /// The channel (default `sms`; `email`, `messenger`, `text`).
    pub channel: MergeChannel,
    /// The clients, by id (default: every client, or the segment's).
    pub clients: Option<Vec<ClientId>>,
    /// A segment rule (text or JSON) choosing the clients; with `clients`,
    /// those of them who meet it.
    pub segment: Option<Value>,
    /// Named segments the rule may refer to.
    pub segments: BTreeMap<String, Value>,
    /// The analysis date of the rule (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// Only clients with the channel's marketing consent (default false);
    /// the others are reported in their row.
    pub require_consent: bool,
    /// Which deal each client's text sees (default `none`; `latest`, `latest_open`).
    pub deal: DealPick,
    /// Your own company's details.
    pub company: CompanyDetails,
    /// Managers' details by owner id.
    pub managers: BTreeMap<String, ManagerDetails>,
    /// Your own variables, the same for every client.
    pub vars: Map<String, Value>,
    /// Whether a printed value that is missing or empty is an error (default
    /// true): that client's row reports it.
    pub strict: bool,
    /// How printed values are escaped (default `none`).
    pub escape: Escape,
    /// The limits of each client's rendering.
    pub limits: Limits,
    /// Today's date (default: today in the time zone).
    pub today: Option<NaiveDate>,
    /// The time zone (default `UTC`).
    pub time_zone: String,
}

impl Default for MergeParams {
    fn default() -> MergeParams {
        MergeParams {
            template: String::new(),
            channel: MergeChannel::Sms,
            clients: None,
            segment: None,
            segments: BTreeMap::new(),
            as_of: None,
            require_consent: false,
            deal: DealPick::None,
            company: CompanyDetails::default(),
            managers: BTreeMap::new(),
            vars: Map::new(),
            strict: true,
            escape: Escape::None,
            limits: Limits::default(),
            today: None,
            time_zone: "UTC".into(),
        }
    }
}

struct Row {
    address: Option<String>,
    text: std::result::Result<String, String>,
}

fn pick_deal(base: &ClientBase, client: ClientId, pick: DealPick) -> Option<DealId> {
    let deals = base.deals_of(client);
    match pick {
        DealPick::None => None,
        DealPick::Latest => deals.map(|d| d.id).max(),
        DealPick::LatestOpen => deals
            .filter(|d| d.status == DealStatus::Open)
            .map(|d| d.id)
            .max(),
    }
}

/// One text per client: a table with `client` (id), `address` (the
/// channel's address), `text`, for SMS `encoding` (`GSM-7` / `UCS-2`),
/// `characters` and `parts`, and `error`: why that client has no text (no
/// address, no consent, a missing value in strict mode, a limit), the rest
/// of the batch going on. Rows in client id order.
pub fn mail_merge(base: &ClientBase, params: &MergeParams) -> Result<Table> {
    if params.template.trim().is_empty() {
        return Err(invalid("template", "the template is required (Jinja text)"));
    }
    let options = TemplateOptions {
        strict: params.strict,
        escape: params.escape,
        limits: params.limits,
    };
    let template = Template::new(&params.template, &options)?;
    let offset = crate::segment::time_zone(&params.time_zone)?;
    let mut ids: Vec<ClientId> = match &params.clients {
        Some(ids) => {
            for (i, id) in ids.iter().enumerate() {
                base.client(*id)
                    .map_err(|e| e.with_field(format!("clients[{i}]")))?;
            }
            ids.clone()
        }
        None => base.clients().map(|c| c.id).collect(),
    };
    if let Some(rule) = &params.segment {
        let segment = SegmentParams {
            rule: Some(rule.clone()),
            as_of: params.as_of,
            time_zone: params.time_zone.clone(),
            currency: None,
            segments: params.segments.clone(),
        };
        let members: std::collections::HashSet<ClientId> = segment
            .compile(base)
            .map_err(|e| e.in_field("segment"))?
            .evaluate(base)?
            .into_iter()
            .collect();
        ids.retain(|id| members.contains(id));
    }
    ids.sort_unstable();
    ids.dedup();
    let consent = params.channel.consent().filter(|_| params.require_consent);
    let rows = crate::batch::map_column_with_min(&ids, 16, |&id| {
        let client = match base.client(id) {
            Ok(c) => c,
            Err(e) => {
                return Row {
                    address: None,
                    text: Err(e.to_string()),
                }
            }
        };
        let address = params.channel.address(client);
        if params.channel != MergeChannel::Text && address.is_none() {
            let what = match params.channel {
                MergeChannel::Sms => "no phone",
                MergeChannel::Email => "no email",
                _ => "no messenger",
            };
            return Row {
                address,
                text: Err(format!("client {}: {what} to send to", id.get())),
            };
        }
        if let Some(channel) = consent {
            if !client.consents.allows(channel) {
                return Row {
                    address,
                    text: Err(format!(
                        "client {}: no marketing consent for {}",
                        id.get(),
                        channel.name()
                    )),
                };
            }
        }
        let source = ContextSource {
            client: Some(id),
            deal: pick_deal(base, id, params.deal),
            company: Some(&params.company),
            managers: Some(&params.managers),
            vars: Some(&params.vars),
            today: params.today,
            offset: Some(offset),
        };
        let text = build_context(base, &source)
            .and_then(|ctx| template.render(&RenderContext::new(ctx)))
            .map_err(|e| e.or_record(|| format!("client {}", id.get())).to_string());
        Row { address, text }
    });
    let sms = params.channel == MergeChannel::Sms;
    let infos: Vec<Option<super::sms::SmsInfo>> = rows
        .iter()
        .map(|r| r.text.as_ref().ok().filter(|_| sms).map(|t| sms_info(t)))
        .collect();
    Table::new(vec![
        Column::from_uint64s("client", ids.iter().map(|id| Some(id.get()))),
        Column::from_texts("address", rows.iter().map(|r| r.address.as_deref())),
        Column::from_texts(
            "text",
            rows.iter()
                .map(|r| r.text.as_ref().ok().map(String::as_str)),
        ),
        Column::from_texts(
            "encoding",
            infos.iter().map(|i| i.map(|i| i.encoding.name())),
        ),
        Column::from_uint64s(
            "characters",
            infos.iter().map(|i| i.map(|i| i.characters as u64)),
        ),
        Column::from_uint64s("parts", infos.iter().map(|i| i.map(|i| i.parts as u64))),
        Column::from_texts(
            "error",
            rows.iter()
                .map(|r| r.text.as_ref().err().map(String::as_str)),
        ),
    ])
}
