//! The actions due on a day, and recording them in the base.

use super::done::{DoneIndex, DoneKey};
use super::{
    action_key, write_action_key, ActionKind, AutomationRule, AutomationRules, ContactNeeded,
};
use super::{RuleKind, MAX_RULES};
use crate::activity::{Activity, ActivityKind, Direction};
use crate::audience::build::{judge, standing, Readers, Standing, Verdict};
use crate::audience::{AudienceChannel, Purpose, Reason};
use crate::base::ClientBase;
use crate::client::{Client, MessengerKind};
use crate::columns::{Columns, EMAIL, NO_TIME, PHONE};
use crate::deal::{Deal, DealStatus};
use crate::error::{invalid, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use crate::segment::{compile, named, Options, Rule};
use crate::table::{Column, ColumnData, Table, TextValues};
use crate::value::next_due_dates;
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Params of [`due`] and [`add_due_tasks`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DueParams {
    /// The day (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`; `+03:00`, `Europe/Moscow`).
    pub time_zone: String,
    /// The rules (default `null`: [`AutomationRules::default`]).
    pub rules: Option<AutomationRules>,
    /// Named segments the rules' `when` conditions may refer to (default: none).
    pub segments: BTreeMap<String, serde_json::Value>,
    /// Keys of actions already done elsewhere, skipped like those the
    /// base's activities carry (default: none).
    pub done: Vec<String>,
}

impl Default for DueParams {
    fn default() -> DueParams {
        DueParams {
            as_of: None,
            time_zone: "UTC".into(),
            rules: None,
            segments: BTreeMap::new(),
            done: Vec::new(),
        }
    }
}

/// Why an action is due: its parts, written out as text only when the
/// table (or the activity) is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Why<'a> {
    /// A text as it is.
    Text(Cow<'a, str>),
    /// A next purchase: the product (empty for none), days since the last
    /// purchase, the usual gap.
    Bought {
        product: &'a str,
        ago: i64,
        every: i64,
    },
    /// A recurring deal's date: the deal's title.
    Recurring {
        title: Option<&'a str>,
        day: NaiveDate,
    },
    /// A birthday and the age turned.
    Birthday { day: NaiveDate, age: i32 },
    /// A deal in a stage too long.
    Stuck {
        stage: &'a str,
        pipeline: &'a str,
        days: i64,
        max: u32,
    },
    /// A deal moved to a stage.
    Moved { stage: &'a str, day: NaiveDate },
}

impl Why<'_> {
    /// Writes the reason at the end of `out`.
    pub(crate) fn write(&self, out: &mut String) {
        match self {
            Why::Text(text) => out.push_str(text),
            Why::Bought {
                product,
                ago,
                every,
            } => {
                if product.is_empty() {
                    out.push_str("last bought ");
                } else {
                    out.push_str("bought ");
                    out.push_str(product);
                    out.push(' ');
                }
                push_int(out, *ago);
                out.push_str(" days ago, usually every ");
                push_int(out, *every);
            }
            Why::Recurring { title, day } => {
                out.push_str(title.unwrap_or("recurring deal"));
                out.push_str(": invoice and shipment due ");
                push_date(out, *day);
            }
            Why::Birthday { day, age } => {
                out.push_str("birthday on ");
                push_date(out, *day);
                out.push_str(": turns ");
                push_int(out, i64::from(*age));
            }
            Why::Stuck {
                stage,
                pipeline,
                days,
                max,
            } => {
                out.push_str("in stage «");
                out.push_str(stage);
                out.push_str("» of «");
                out.push_str(pipeline);
                out.push_str("» for ");
                push_int(out, *days);
                out.push_str(" days, more than ");
                push_int(out, i64::from(*max));
            }
            Why::Moved { stage, day } => {
                out.push_str("moved to stage «");
                out.push_str(stage);
                out.push_str("» on ");
                push_date(out, *day);
            }
        }
    }

    /// The reason as text.
    pub(crate) fn to_text(&self) -> Cow<'_, str> {
        match self {
            Why::Text(text) => Cow::Borrowed(text),
            other => {
                let mut out = String::new();
                other.write(&mut out);
                Cow::Owned(out)
            }
        }
    }
}

/// A whole number in decimal (as `{}` writes it), at the end of `out`.
pub(crate) fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_uint(out, n.unsigned_abs());
}

/// An unsigned whole number in decimal, at the end of `out`.
pub(crate) fn push_uint(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// A date as `yyyy-mm-dd` (as chrono writes it), at the end of `out`.
pub(crate) fn push_date(out: &mut String, day: NaiveDate) {
    let (y, m, d) = (day.year(), day.month(), day.day());
    if !(0..=9999).contains(&y) {
        use std::fmt::Write;
        let _ = write!(out, "{day}");
        return;
    }
    let y = y as u32;
    let digits = [
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (d / 10) as u8,
        b'0' + (d % 10) as u8,
    ];
    // ASCII digits and dashes.
    out.push_str(std::str::from_utf8(&digits).unwrap_or_default());
}

/// What a message to the client carries (or what a task that replaces an
/// unsent one does): rare, so kept out of line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub channel: Option<AudienceChannel>,
    pub contact: Option<String>,
    /// The rendered text; `None`: the reason.
    pub text: Option<String>,
}

/// One action of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Action<'a> {
    pub rule: &'a str,
    pub kind: RuleKind,
    pub action: ActionKind,
    /// The client; its name and manager are read from it when the action
    /// is written out, not copied for every action.
    pub client: &'a Client,
    pub deal: Option<&'a Deal>,
    pub due: NaiveDate,
    pub occurs: Option<NaiveDate>,
    pub reason: Why<'a>,
    /// The channel, contact and text, when there are any.
    pub message: Option<Box<Message>>,
}

impl Action<'_> {
    /// The rendered text, if any (else the text is the reason).
    pub(crate) fn rendered(&self) -> Option<&str> {
        self.message.as_ref().and_then(|m| m.text.as_deref())
    }

    /// The channel of a message.
    pub(crate) fn channel(&self) -> Option<AudienceChannel> {
        self.message.as_ref().and_then(|m| m.channel)
    }

    /// The contact a message goes to.
    pub(crate) fn contact(&self) -> Option<&str> {
        self.message.as_ref().and_then(|m| m.contact.as_deref())
    }

    /// The text: the rendered one, else the reason.
    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self.rendered() {
            Some(text) => Cow::Borrowed(text),
            None => self.reason.to_text(),
        }
    }

    /// The idempotency key (see [`action_key`]).
    pub(crate) fn key(&self) -> String {
        action_key(
            self.rule,
            self.client.id,
            self.deal.map(|d| d.id),
            self.occurs,
        )
    }

    /// The deal's manager, else the client's.
    pub(crate) fn manager(&self) -> Option<&str> {
        self.deal
            .and_then(|d| d.owner.as_deref())
            .or(self.client.owner.as_deref())
    }
}

/// A rule ready to run: its `when` as the sorted ids of the clients who
/// meet it (or, over a snapshot, whether each row does), its text template
/// compiled.
pub(crate) struct Prepared<'r> {
    pub rule: &'r AutomationRule,
    pub index: usize,
    members: Option<Vec<ClientId>>,
    rows: Option<Vec<bool>>,
    /// The rule's number in the base's index of done keys, if it has any.
    done_rule: Option<u32>,
    #[cfg(feature = "render")]
    template: Option<crate::render::Template>,
}

impl Prepared<'_> {
    /// Whether the client meets the rule's `when` (records path).
    pub(crate) fn admits(&self, client: ClientId) -> bool {
        debug_assert!(self.rows.is_none());
        self.members
            .as_ref()
            .is_none_or(|m| m.binary_search(&client).is_ok())
    }

    /// Whether the client at `row` of the snapshot meets the rule's `when`.
    fn admits_row(&self, row: usize) -> bool {
        debug_assert!(self.members.is_none());
        self.rows.as_ref().is_none_or(|r| r[row])
    }
}

/// What the planner of one call knows: the base, the day, the rules.
pub(crate) struct Planner<'a> {
    pub base: &'a ClientBase,
    pub as_of: NaiveDate,
    pub zone: FixedOffset,
    /// The keys done on the base's activities, kept next to the base.
    done: Arc<DoneIndex>,
    /// The keys of `done` in the params, read once: (rule index, whether
    /// the object is a deal, its id, the occurrence day or `i32::MIN`).
    /// Keys of rules not in the set cannot match and are not kept.
    given: rustc_hash::FxHashSet<DoneKey>,
    /// Contact readers for marketing messages, made on first use.
    readers: std::sync::OnceLock<Readers>,
}

/// The rules of params, validated (the default set when `None`).
pub(crate) fn rules_of(
    rules: &Option<AutomationRules>,
) -> Result<std::borrow::Cow<'_, AutomationRules>> {
    let rules = match rules {
        Some(r) => std::borrow::Cow::Borrowed(r),
        None => std::borrow::Cow::Owned(AutomationRules::default()),
    };
    rules.validate()?;
    Ok(rules)
}

impl<'a> Planner<'a> {
    /// A planner for `base` on the day, with the keys already done: those in
    /// `done` and those the base's activities carry.
    pub(crate) fn new(
        base: &'a ClientBase,
        as_of: Option<NaiveDate>,
        time_zone: &str,
        done: &[String],
        rules: &AutomationRules,
    ) -> Result<Planner<'a>> {
        check_done(done)?;
        let zone = crate::segment::time_zone(time_zone)?;
        let as_of = as_of.unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive());
        let names: HashMap<&str, u32> = rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), i as u32))
            .collect();
        let given = done
            .iter()
            .filter_map(|k| {
                let (rule, is_deal, id, day) = super::done::parse_key(k.trim())?;
                Some((*names.get(rule)?, is_deal, id, day))
            })
            .collect();
        Ok(Planner {
            base,
            as_of,
            zone,
            done: DoneIndex::kept(base),
            given,
            readers: std::sync::OnceLock::new(),
        })
    }

    /// Compiles each rule's `when` and text; errors name `rules[i].when` and
    /// `rules[i].text`. With a snapshot of the base, the `when` conditions
    /// are evaluated over it (row by row), else on the records.
    pub(crate) fn prepare<'r>(
        &self,
        rules: &'r AutomationRules,
        segments: &BTreeMap<String, serde_json::Value>,
        columns: Option<&Columns>,
        only: impl Fn(&AutomationRule) -> bool,
    ) -> Result<Vec<Prepared<'r>>> {
        let named = named(segments)?;
        let options = Options {
            as_of: self.as_of,
            time_zone: self.zone.to_string(),
            currency: None,
        };
        let mut out = Vec::new();
        for (index, rule) in rules.rules.iter().enumerate().take(MAX_RULES) {
            if !only(rule) {
                continue;
            }
            let (mut members, mut rows) = (None, None);
            if let Some(when) = &rule.when {
                let field = format!("rules[{index}].when");
                let parsed = Rule::from_input(when).map_err(|e| e.in_field(&field))?;
                let compiled = compile(self.base, &parsed, &options, &named)
                    .map_err(|e| e.in_field(&field))?;
                match columns {
                    Some(columns) => {
                        rows = Some(
                            compiled
                                .holds_columns(self.base, columns)
                                .map_err(|e| e.in_field(&field))?,
                        )
                    }
                    None => {
                        members = Some(
                            compiled
                                .evaluate_records(self.base)
                                .map_err(|e| e.in_field(&field))?,
                        )
                    }
                }
            }
            #[cfg(feature = "render")]
            let template = match &rule.text {
                None => None,
                Some(text) => Some(
                    crate::render::Template::new(
                        text,
                        &crate::render::TemplateOptions {
                            strict: false,
                            ..Default::default()
                        },
                    )
                    .map_err(|e| e.in_field(format!("rules[{index}].text")))?,
                ),
            };
            out.push(Prepared {
                rule,
                index,
                members,
                rows,
                done_rule: self.done.rule(&rule.name),
                #[cfg(feature = "render")]
                template,
            });
        }
        Ok(out)
    }

    /// The action of `rule` about `client` (and `deal`: the action's
    /// object then), unless its key is done. A message that cannot be sent
    /// (no contact, no consent) is a task for the manager instead. The
    /// reason is made only for an action given.
    pub(crate) fn action<'c>(
        &self,
        prepared: &Prepared<'c>,
        client: &'c Client,
        deal: Option<&'c Deal>,
        occurs: Option<NaiveDate>,
        reason: impl FnOnce() -> Why<'c>,
    ) -> Result<Option<Action<'c>>> {
        let rule = prepared.rule;
        if prepared.done_rule.is_some() || !self.given.is_empty() {
            let object = deal.map_or(client.id.get(), |d| d.id.get());
            let day = occurs.map_or(i32::MIN, crate::table::date_to_days);
            if prepared
                .done_rule
                .is_some_and(|r| self.done.contains(&(r, deal.is_some(), object, day)))
                || self
                    .given
                    .contains(&(prepared.index as u32, deal.is_some(), object, day))
            {
                return Ok(None);
            }
        }
        let (mut action, channel, contact, unsent) = match rule.action {
            ActionKind::Task => (ActionKind::Task, None, None, None),
            ActionKind::NotifyClient => {
                let channel = rule.notify_channel();
                match self.notify_contact(client, channel, rule.notify_purpose()) {
                    Ok(contact) => (ActionKind::NotifyClient, Some(channel), Some(contact), None),
                    // Not sent: a task for the manager instead, never nothing.
                    Err(why) => (ActionKind::Task, None, None, Some((channel, why))),
                }
            }
        };
        if rule.action == ActionKind::Task {
            action = ActionKind::Task;
        }
        let start = match (rule.kind, occurs) {
            (RuleKind::NextPurchase | RuleKind::Recurring | RuleKind::Birthday, Some(day)) => {
                day.max(self.as_of)
            }
            _ => self.as_of,
        };
        let due = start
            .checked_add_days(Days::new(u64::from(rule.due_in_days)))
            .unwrap_or(start);
        let mut reason = reason();
        let mut text = if rule.text.is_some() {
            self.text(prepared, client, deal, &reason.to_text())?
        } else {
            None
        };
        if let Some((channel, why)) = unsent {
            reason = Why::Text(Cow::Owned(format!(
                "{}; the {channel} message was not sent: {}",
                reason.to_text(),
                why.name()
            )));
            let note = format!("The {channel} message was not sent ({})", why.name());
            text = Some(match text {
                Some(message) => format!("{note}: {message}"),
                None => note,
            });
        }
        let message = (channel.is_some() || contact.is_some() || text.is_some()).then(|| {
            Box::new(Message {
                channel,
                contact,
                text,
            })
        });
        Ok(Some(Action {
            rule: &rule.name,
            kind: rule.kind,
            action,
            client,
            deal,
            due,
            occurs,
            reason,
            message,
        }))
    }

    /// The contact a message of `purpose` goes to on `channel`, or why it
    /// cannot be sent (see the module docs).
    fn notify_contact(
        &self,
        client: &Client,
        channel: AudienceChannel,
        purpose: Purpose,
    ) -> std::result::Result<String, Reason> {
        match purpose {
            Purpose::Marketing => {
                let readers = self.readers.get_or_init(|| Readers::new(true));
                match judge(client, channel, Purpose::Marketing, self.as_of, readers) {
                    Verdict::In(candidate) => candidate
                        .key
                        .map(Cow::into_owned)
                        .ok_or(Reason::InvalidContact),
                    Verdict::Out(reason) => Err(reason),
                }
            }
            Purpose::Service => {
                if let Some(data) = client.consents.personal_data {
                    match standing(Some(data), self.as_of) {
                        Standing::Withdrawn => return Err(Reason::ConsentWithdrawn),
                        Standing::Missing => return Err(Reason::NoConsent),
                        Standing::Valid => {}
                    }
                }
                contact_on(client, channel).ok_or(Reason::NoContact)
            }
        }
    }

    #[cfg(feature = "render")]
    fn text(
        &self,
        prepared: &Prepared<'_>,
        client: &Client,
        deal: Option<&Deal>,
        reason: &str,
    ) -> Result<Option<String>> {
        let Some(template) = &prepared.template else {
            return Ok(None);
        };
        let source = crate::render::ContextSource {
            client: Some(client.id),
            deal: deal.map(|d| d.id),
            company: None,
            managers: None,
            vars: None,
            today: Some(self.as_of),
            offset: Some(self.zone),
        };
        let mut context = crate::render::build_context(self.base, &source)?;
        if let serde_json::Value::Object(map) = &mut context {
            map.insert("reason".into(), serde_json::Value::from(reason));
        }
        template
            .render(&crate::render::RenderContext::new(context))
            .map(Some)
            .map_err(|e| {
                e.in_field(format!("rules[{}].text", prepared.index))
                    .with_record(client.id.to_string())
            })
    }

    #[cfg(not(feature = "render"))]
    fn text(
        &self,
        prepared: &Prepared<'_>,
        _client: &Client,
        _deal: Option<&Deal>,
        _reason: &str,
    ) -> Result<Option<String>> {
        Ok(prepared.rule.text.clone())
    }

    /// The day each deal entered its stage: from the change log of a base
    /// kept in a file or a base in memory that keeps one, else (and for
    /// deals the log does not tell) the
    /// deal's creation.
    pub(crate) fn stage_entries(&self) -> Result<HashMap<DealId, DateTime<Utc>>> {
        #[cfg(feature = "storage")]
        if self.base.keeps_change_log() {
            let mut entered = HashMap::new();
            let changes = self.base.changes(&crate::base::ChangesParams::default())?;
            for change in changes {
                for record in &change.records {
                    let Some(id) = deal_of_record(&record.record) else {
                        continue;
                    };
                    match record.op {
                        crate::base::RecordOp::Removed => {
                            entered.remove(&id);
                        }
                        crate::base::RecordOp::Added => {
                            entered.insert(id, change.at);
                        }
                        crate::base::RecordOp::Changed => {
                            if record.fields.contains_key("stage")
                                || record.fields.contains_key("pipeline")
                            {
                                entered.insert(id, change.at);
                            }
                        }
                    }
                }
            }
            return Ok(entered);
        }
        Ok(HashMap::new())
    }

    /// The day (in the time zone) `deal` entered its stage.
    pub(crate) fn entered(
        &self,
        entries: &HashMap<DealId, DateTime<Utc>>,
        deal: &Deal,
    ) -> Option<NaiveDate> {
        let logged = if entries.is_empty() {
            None
        } else {
            entries.get(&deal.id).copied()
        };
        logged
            .or(deal.created_at)
            .map(|at| at.with_timezone(&self.zone).date_naive())
    }
}

/// The deal id of a change-log record name (`deal 17`).
#[cfg(feature = "storage")]
pub(crate) fn deal_of_record(record: &str) -> Option<DealId> {
    record
        .strip_prefix("deal ")
        .and_then(|id| id.parse().ok())
        .map(DealId)
}

/// [`Client::display_name`], written at the end of `out`.
fn write_name(client: &Client, out: &mut String) {
    match &client.party {
        crate::client::Party::Person(name) => {
            let start = out.len();
            for part in [&name.surname, &name.given, &name.patronymic]
                .into_iter()
                .flatten()
            {
                if out.len() > start {
                    out.push(' ');
                }
                out.push_str(part);
            }
        }
        crate::client::Party::Company(company) => out.push_str(&company.legal_name),
    }
}

/// The client's contact on a channel: the first phone (E.164 when known)
/// for calls, SMS and the phone messengers, the first email, or the
/// account of the messenger.
pub(crate) fn contact_on(client: &Client, channel: AudienceChannel) -> Option<String> {
    let phone = || {
        client
            .phones
            .iter()
            .map(|p| p.e164.clone().unwrap_or_else(|| p.raw.trim().to_string()))
            .find(|p| !p.is_empty())
    };
    let messenger = |kind: MessengerKind| {
        client
            .messengers
            .iter()
            .find(|m| m.kind == kind && !m.id.trim().is_empty())
            .map(|m| m.id.trim().to_string())
    };
    match channel {
        AudienceChannel::Calls | AudienceChannel::Sms | AudienceChannel::VoiceRobot => phone(),
        AudienceChannel::Email | AudienceChannel::Ads => client
            .emails
            .iter()
            .map(|e| {
                e.normalized
                    .clone()
                    .unwrap_or_else(|| e.raw.trim().to_string())
            })
            .find(|e| !e.is_empty()),
        AudienceChannel::Whatsapp => messenger(MessengerKind::Whatsapp).or_else(phone),
        AudienceChannel::Viber => messenger(MessengerKind::Viber).or_else(phone),
        AudienceChannel::Telegram => messenger(MessengerKind::Telegram),
        AudienceChannel::Max => messenger(MessengerKind::Max),
        AudienceChannel::Vk => messenger(MessengerKind::Vk),
        AudienceChannel::Ok => messenger(MessengerKind::Ok),
    }
}

/// A birthday's day in `year`: 29 February is 28 February in other years.
#[cfg(test)]
pub(crate) fn birthday_in(birthday: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, birthday.month(), birthday.day() - 1))
}

fn days(n: u32) -> Days {
    Days::new(u64::from(n))
}

/// Whether an occurrence on `day` is due on `as_of`: from `lead` days
/// before it to `catch_up` days after.
fn in_window(day: NaiveDate, as_of: NaiveDate, lead: u32, catch_up: u32) -> bool {
    let from = day.checked_sub_days(days(lead)).unwrap_or(NaiveDate::MIN);
    let to = day
        .checked_add_days(days(catch_up))
        .unwrap_or(NaiveDate::MAX);
    from <= as_of && as_of <= to
}

/// One client's next purchase of a product: expected date, last purchase,
/// the product (empty for a deal without lines).
type Expected<'a> = (NaiveDate, NaiveDate, &'a str);

/// Each client's next purchases by product, by the history method of
/// [`crate::value::next_purchase`] (`by_product`, its defaults): won deals
/// that are not recurring, closed on or before `as_of` (their UTC day), in
/// the base's currency (else RUB), each line a purchase of its product (a
/// deal without lines one of no product), one per day; the expected date is
/// the last day plus the median gap, rounded half up; a product bought on
/// one day only has none. Read in one pass over the deals, not through the
/// order-line table the value capability builds (`tests/automation.rs`
/// checks both agree).
fn expected_purchases<'a>(
    base: &'a ClientBase,
    as_of: NaiveDate,
) -> rustc_hash::FxHashMap<ClientId, Vec<Expected<'a>>> {
    let currency = base
        .schema()
        .currency()
        .unwrap_or(crate::money::Currency::RUB);
    let last_day = crate::table::date_to_days(as_of);
    // Products by number: the sort below compares integers, not texts.
    let mut numbers: rustc_hash::FxHashMap<&'a str, u32> = Default::default();
    let mut products: Vec<&'a str> = Vec::new();
    let mut number = |product: &'a str| -> u32 {
        let next = products.len() as u32;
        *numbers.entry(product).or_insert_with(|| {
            products.push(product);
            next
        })
    };
    let mut lines: Vec<(ClientId, u32, i32)> = Vec::new();
    for deal in base.deals() {
        if deal.status != DealStatus::Won
            || deal.recurrence.is_some()
            || deal.amount.currency() != currency
        {
            continue;
        }
        let Some(closed) = deal.closed_at else {
            continue;
        };
        let day = crate::table::date_to_days(closed.date_naive());
        if day > last_day {
            continue;
        }
        if deal.lines.is_empty() {
            lines.push((deal.client, number(""), day));
        } else if deal
            .lines
            .iter()
            .all(|l| l.total().is_ok_and(|t| t.currency() == currency))
        {
            for line in &deal.lines {
                lines.push((deal.client, number(&line.product), day));
            }
        }
    }
    crate::batch::sort_unstable(&mut lines);
    lines.dedup();
    let mut out: rustc_hash::FxHashMap<ClientId, Vec<Expected<'a>>> = Default::default();
    let mut gaps: Vec<i64> = Vec::new();
    for group in lines.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
        if group.len() < 2 {
            continue;
        }
        let median = median_gap(
            &mut gaps,
            group.windows(2).map(|w| i64::from(w[1].2 - w[0].2)),
        ) as i32;
        let n = group.len() - 1;
        let last = group[n].2;
        if let (Some(expected), Some(last)) = (
            crate::table::days_to_date(last + median),
            crate::table::days_to_date(last),
        ) {
            out.entry(group[0].0).or_default().push((
                expected,
                last,
                products[group[0].1 as usize],
            ));
        }
    }
    out
}

fn matches_stage(rule: &AutomationRule, deal: &Deal, stage: &str) -> bool {
    rule.pipeline
        .as_deref()
        .is_none_or(|p| same_name(p, &deal.pipeline))
        && rule.stage.as_deref().is_none_or(|s| same_name(s, stage))
}

/// Whether two names are the same but for case and surrounding spaces.
fn same_name(a: &str, b: &str) -> bool {
    a == b
        || a.trim()
            .chars()
            .flat_map(char::to_lowercase)
            .eq(b.trim().chars().flat_map(char::to_lowercase))
}

/// Whether `rule` (a stage rule) applies to `deal` now in `stage`.
pub(crate) fn stage_rule_applies(rule: &AutomationRule, deal: &Deal, stage: &str) -> bool {
    deal.status == DealStatus::Open && matches_stage(rule, deal, stage)
}

/// What one chunk of a pass found: its actions and its first error.
#[derive(Default)]
struct Found<'a> {
    actions: Vec<Action<'a>>,
    error: Option<crate::error::Error>,
}

impl<'a> Found<'a> {
    /// Keeps the action (if any) or the first error.
    fn push(&mut self, action: Result<Option<Action<'a>>>) {
        match action {
            Ok(Some(a)) => self.actions.push(a),
            Ok(None) => {}
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }
}

/// Items per chunk of a pass.
const CHUNK: usize = 8192;

/// Runs `each` over `0..n` in chunks, on all cores with the `parallel`
/// feature, and appends the chunks of actions to `actions` in order (or
/// gives the first error). The chunks are kept as they are (never copied
/// into one list): the table is written from them.
fn gather<'a>(
    actions: &mut Vec<Vec<Action<'a>>>,
    n: usize,
    each: impl Fn(usize, &mut Found<'a>) + Sync + Send,
) -> Result<()> {
    let chunks: Vec<(usize, usize)> = (0..n)
        .step_by(CHUNK)
        .map(|lo| (lo, lo.saturating_add(CHUNK).min(n)))
        .collect();
    let chunks = crate::batch::map_column_with_min(&chunks, 1, |&(lo, hi)| {
        let mut found = Found::default();
        for i in lo..hi {
            each(i, &mut found);
        }
        found
    });
    for chunk in chunks {
        if let Some(e) = chunk.error {
            return Err(e);
        }
        if !chunk.actions.is_empty() {
            actions.push(chunk.actions);
        }
    }
    Ok(())
}

/// The occurrences of birthdays from `lead` days ahead to `catch_up` days
/// back, by month and day of birth: 29 February falls on the 28th in other
/// years. A lookup per client instead of date arithmetic.
pub(crate) struct BirthdayWindow {
    days: Vec<Vec<NaiveDate>>,
}

impl BirthdayWindow {
    pub(crate) fn new(as_of: NaiveDate, lead: u32, catch_up: u32) -> BirthdayWindow {
        let mut days = vec![Vec::new(); 13 * 32];
        let from = as_of
            .checked_sub_days(self::days(catch_up))
            .unwrap_or(as_of);
        let to = as_of.checked_add_days(self::days(lead)).unwrap_or(as_of);
        let mut day = from;
        while day <= to {
            days[(day.month() * 32 + day.day()) as usize].push(day);
            let leap = NaiveDate::from_ymd_opt(day.year(), 2, 29).is_some();
            if day.month() == 2 && day.day() == 28 && !leap {
                days[(2 * 32 + 29) as usize].push(day);
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        BirthdayWindow { days }
    }

    pub(crate) fn of(&self, born: NaiveDate) -> &[NaiveDate] {
        &self.days[(born.month() * 32 + born.day()) as usize]
    }
}

/// The date of a day number from the common era.
fn date_of(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(day).ok()?)
}

/// The reason of a next purchase.
fn bought<'a>(product: &'a str, expected: NaiveDate, last: NaiveDate, as_of: NaiveDate) -> Why<'a> {
    Why::Bought {
        product,
        ago: (as_of - last).num_days(),
        every: (expected - last).num_days(),
    }
}

/// What one call reads besides the rules: the base, its records in the
/// order the passes walk them, the stage entries of the change log.
struct Pass<'p, 'a> {
    planner: &'p Planner<'a>,
    base: &'a ClientBase,
    as_of: NaiveDate,
    /// The clients in id order (the snapshot's rows).
    clients: Vec<&'a Client>,
    /// The deals in id order.
    deals: Vec<&'a Deal>,
    entries: HashMap<DealId, DateTime<Utc>>,
    /// Records path: each client's next purchases.
    purchases: rustc_hash::FxHashMap<ClientId, Vec<Expected<'a>>>,
}

/// A recurring deal's first day: won deals from their closing (else their
/// creation), open ones from their creation; `None` for the others.
fn recurring_start(deal: &Deal, zone: &FixedOffset) -> Option<NaiveDate> {
    let start = match deal.status {
        DealStatus::Won => deal.closed_at.or(deal.created_at),
        DealStatus::Open => deal.created_at,
        _ => return None,
    };
    start.map(|s| s.with_timezone(zone).date_naive())
}

impl<'a> Pass<'_, 'a> {
    /// The actions of a recurring deal whose client meets the rule.
    fn recurring(
        &self,
        p: &Prepared<'a>,
        client: &'a Client,
        deal: &'a Deal,
        start: NaiveDate,
        out: &mut Found<'a>,
    ) {
        let Some(recurrence) = &deal.recurrence else {
            return;
        };
        let (lead, catch_up) = (p.rule.lead_days(), p.rule.catch_up_days());
        let from = self
            .as_of
            .checked_sub_days(days(catch_up))
            .unwrap_or(self.as_of);
        let count = (catch_up as usize + lead as usize + 1).min(10_000);
        let dates = match next_due_dates(recurrence, start, from, count) {
            Ok(dates) => dates,
            Err(e) => return out.push(Err(e.with_record(deal.id.to_string()))),
        };
        for day in dates
            .into_iter()
            .filter(|d| in_window(*d, self.as_of, lead, catch_up))
        {
            let reason = || Why::Recurring {
                title: deal.title.as_deref(),
                day,
            };
            out.push(
                self.planner
                    .action(p, client, Some(deal), Some(day), reason),
            );
        }
    }

    /// The birthday actions of a client born on `born`.
    fn birthday(
        &self,
        p: &Prepared<'a>,
        window: &BirthdayWindow,
        client: &'a Client,
        born: NaiveDate,
        admitted: impl Fn() -> bool,
        out: &mut Found<'a>,
    ) {
        for &day in window.of(born) {
            if day.year() <= born.year() || !admitted() {
                continue;
            }
            let reason = || Why::Birthday {
                day,
                age: day.year() - born.year(),
            };
            out.push(self.planner.action(p, client, None, Some(day), reason));
        }
    }

    /// The stage action of an open deal in the rule's stage since
    /// `entered`, its client found only when the rule holds.
    fn staged(
        &self,
        p: &Prepared<'a>,
        deal: &'a Deal,
        entered: NaiveDate,
        client: impl FnOnce() -> Option<&'a Client>,
        out: &mut Found<'a>,
    ) {
        let rule = p.rule;
        let in_stage = (self.as_of - entered).num_days();
        let max = rule.max_days.unwrap_or(0);
        let stuck = rule.kind == RuleKind::StuckInStage;
        let held = if stuck {
            in_stage > i64::from(max)
        } else {
            (0..=i64::from(rule.catch_up_days())).contains(&in_stage)
        };
        if !held {
            return;
        }
        let Some(client) = client() else {
            return;
        };
        let reason = || {
            if stuck {
                Why::Stuck {
                    stage: &deal.stage,
                    pipeline: &deal.pipeline,
                    days: in_stage,
                    max,
                }
            } else {
                Why::Moved {
                    stage: &deal.stage,
                    day: entered,
                }
            }
        };
        out.push(
            self.planner
                .action(p, client, Some(deal), Some(entered), reason),
        );
    }

    /// The actions of one rule, walking the records.
    fn on_records(&self, p: &Prepared<'a>, actions: &mut Vec<Vec<Action<'a>>>) -> Result<()> {
        let (planner, base, as_of) = (self.planner, self.base, self.as_of);
        let (clients, deals) = (&self.clients, &self.deals);
        let rule = p.rule;
        match rule.kind {
            RuleKind::NextPurchase => {
                let (lead, catch_up) = (rule.lead_days(), rule.catch_up_days());
                gather(actions, clients.len(), |i, out| {
                    let client = clients[i];
                    let Some(expected) = self.purchases.get(&client.id) else {
                        return;
                    };
                    if !p.admits(client.id) {
                        return;
                    }
                    let Some(&(expected, last, product)) = expected
                        .iter()
                        .filter(|e| in_window(e.0, as_of, lead, catch_up))
                        .min_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(b.2)))
                    else {
                        return;
                    };
                    let reason = || bought(product, expected, last, as_of);
                    out.push(planner.action(p, client, None, Some(expected), reason));
                })
            }
            RuleKind::Recurring => gather(actions, deals.len(), |j, out| {
                let deal = deals[j];
                if deal.recurrence.is_none() {
                    return;
                }
                let Some(start) = recurring_start(deal, &planner.zone) else {
                    return;
                };
                if !p.admits(deal.client) {
                    return;
                }
                let Some(client) = base.get_client(deal.client) else {
                    return;
                };
                self.recurring(p, client, deal, start, out);
            }),
            RuleKind::Birthday => {
                let window = BirthdayWindow::new(as_of, rule.lead_days(), rule.catch_up_days());
                gather(actions, clients.len(), |i, out| {
                    let client = clients[i];
                    let Some(born) = client.birthday else { return };
                    self.birthday(p, &window, client, born, || p.admits(client.id), out);
                })
            }
            RuleKind::MissingContact => {
                let need = rule.contact.unwrap_or(ContactNeeded::Email);
                gather(actions, clients.len(), |i, out| {
                    let client = clients[i];
                    let missing = match need {
                        ContactNeeded::Phone => {
                            client.phones.iter().all(|p| p.raw.trim().is_empty())
                        }
                        ContactNeeded::Email => {
                            client.emails.iter().all(|e| e.raw.trim().is_empty())
                        }
                    };
                    if !missing || !p.admits(client.id) {
                        return;
                    }
                    out.push(planner.action(p, client, None, None, || missing_reason(need)));
                })
            }
            RuleKind::StuckInStage | RuleKind::StageEntered => {
                gather(actions, deals.len(), |j, out| {
                    let deal = deals[j];
                    if !stage_rule_applies(rule, deal, &deal.stage) || !p.admits(deal.client) {
                        return;
                    }
                    let Some(entered) = planner.entered(&self.entries, deal) else {
                        return;
                    };
                    self.staged(p, deal, entered, || base.get_client(deal.client), out);
                })
            }
        }
    }

    /// The actions of one rule, reading the snapshot's columns: the same
    /// actions as [`Pass::on_records`] (`tests/automation_columns.rs`).
    fn on_columns(
        &self,
        p: &Prepared<'a>,
        columns: &'a Columns,
        actions: &mut Vec<Vec<Action<'a>>>,
    ) -> Result<()> {
        use crate::columns::deals_by_id::NO_ROW;
        let (planner, base, as_of) = (self.planner, self.base, self.as_of);
        let (clients, deals) = (&self.clients, &self.deals);
        let rule = p.rule;
        match rule.kind {
            RuleKind::NextPurchase => {
                let (lead, catch_up) = (rule.lead_days(), rule.catch_up_days());
                let currency = base
                    .schema()
                    .currency()
                    .unwrap_or(crate::money::Currency::RUB);
                let last_day = i64::from(as_of.num_days_from_ce());
                let (d, lines) = (&columns.deals, &columns.lines);
                // A deal without lines is a purchase of no product, the
                // product "" of a line too.
                let no_line = lines.product.dict.get("").unwrap_or(u32::MAX);
                gather(actions, clients.len(), |i, out| {
                    let (lo, hi) = (d.offsets[i], d.offsets[i + 1]);
                    if !d.status[lo..hi].contains(&1) || !p.admits_row(i) {
                        return;
                    }
                    let mut days: Vec<(u32, i64)> = Vec::new();
                    for j in lo..hi {
                        if d.status[j] != 1
                            || d.recurring[j]
                            || d.currency[j] != currency
                            || d.closed[j] == NO_TIME
                        {
                            continue;
                        }
                        let day = crate::columns::local_day(d.closed[j], 0);
                        if day > last_day {
                            continue;
                        }
                        let (a, b) = (lines.offsets[j], lines.offsets[j + 1]);
                        if a == b {
                            days.push((no_line, day));
                        } else if (a..b).all(|k| {
                            lines.total[k] != crate::columns::NO_MONEY
                                && lines.currency[k] == currency
                        }) {
                            days.extend((a..b).map(|k| (lines.product.ids[k], day)));
                        }
                    }
                    days.sort_unstable();
                    days.dedup();
                    let mut best: Option<(NaiveDate, NaiveDate, &'a str)> = None;
                    let mut gaps: Vec<i64> = Vec::new();
                    for group in days.chunk_by(|a, b| a.0 == b.0) {
                        if group.len() < 2 {
                            continue;
                        }
                        let median =
                            median_gap(&mut gaps, group.windows(2).map(|w| w[1].1 - w[0].1));
                        let last = group[group.len() - 1].1;
                        let (Some(expected), Some(last)) = (date_of(last + median), date_of(last))
                        else {
                            continue;
                        };
                        if !in_window(expected, as_of, lead, catch_up) {
                            continue;
                        }
                        let product = if group[0].0 == no_line {
                            ""
                        } else {
                            lines.product.dict.texts[group[0].0 as usize].as_str()
                        };
                        if best.is_none_or(|(e, _, q)| (expected, product) < (e, q)) {
                            best = Some((expected, last, product));
                        }
                    }
                    let Some((expected, last, product)) = best else {
                        return;
                    };
                    let reason = || bought(product, expected, last, as_of);
                    out.push(planner.action(p, clients[i], None, Some(expected), reason));
                })
            }
            RuleKind::Recurring => {
                let by_id = columns.deals_by_id(base);
                gather(actions, deals.len(), |j, out| {
                    if !by_id.recurring[j] || by_id.status[j] > 1 {
                        return;
                    }
                    let deal = deals[j];
                    let Some(start) = recurring_start(deal, &planner.zone) else {
                        return;
                    };
                    let row = by_id.client[j];
                    if row == NO_ROW || !p.admits_row(row as usize) {
                        return;
                    }
                    self.recurring(p, clients[row as usize], deal, start, out);
                })
            }
            RuleKind::Birthday => {
                let window = BirthdayWindow::new(as_of, rule.lead_days(), rule.catch_up_days());
                let born = &columns.clients.birthday;
                gather(actions, clients.len(), |i, out| {
                    if born[i] == i32::MIN {
                        return;
                    }
                    let Some(day) = NaiveDate::from_num_days_from_ce_opt(born[i]) else {
                        return;
                    };
                    self.birthday(p, &window, clients[i], day, || p.admits_row(i), out);
                })
            }
            RuleKind::MissingContact => {
                let need = rule.contact.unwrap_or(ContactNeeded::Email);
                let bit = match need {
                    ContactNeeded::Phone => PHONE,
                    ContactNeeded::Email => EMAIL,
                };
                let contacts = &columns.clients.contacts;
                gather(actions, clients.len(), |i, out| {
                    if contacts[i] & bit != 0 || !p.admits_row(i) {
                        return;
                    }
                    out.push(planner.action(p, clients[i], None, None, || missing_reason(need)));
                })
            }
            RuleKind::StuckInStage | RuleKind::StageEntered => {
                let by_id = columns.deals_by_id(base);
                // Each distinct stage and pipeline compared once.
                let pick = |column: &crate::columns::TextColumn, want: Option<&str>| {
                    want.map(|w| {
                        column
                            .dict
                            .texts
                            .iter()
                            .map(|t| same_name(w, t))
                            .collect::<Vec<bool>>()
                    })
                };
                let stages = pick(&by_id.stage, rule.stage.as_deref());
                let pipelines = pick(&by_id.pipeline, rule.pipeline.as_deref());
                let offset = i64::from(planner.zone.local_minus_utc());
                let is = |picked: &Option<Vec<bool>>, id: u32| {
                    picked.as_ref().is_none_or(|p| p[id as usize])
                };
                gather(actions, by_id.len(), |j, out| {
                    if by_id.status[j] != 0
                        || !is(&stages, by_id.stage.ids[j])
                        || !is(&pipelines, by_id.pipeline.ids[j])
                    {
                        return;
                    }
                    let row = by_id.client[j];
                    if row == NO_ROW || !p.admits_row(row as usize) {
                        return;
                    }
                    let entered = if self.entries.is_empty() {
                        match by_id.created[j] {
                            NO_TIME => None,
                            at => date_of(crate::columns::local_day(at, offset)),
                        }
                    } else {
                        planner.entered(&self.entries, deals[j])
                    };
                    let Some(entered) = entered else {
                        return;
                    };
                    self.staged(p, deals[j], entered, || Some(clients[row as usize]), out);
                })
            }
        }
    }
}

/// The reason of a missing contact.
fn missing_reason(need: ContactNeeded) -> Why<'static> {
    Why::Text(Cow::Borrowed(match need {
        ContactNeeded::Phone => "no phone: ask the client for one",
        ContactNeeded::Email => "no email: ask the client for one",
    }))
}

/// The actions of the day, rule by rule in the rules' order, each rule's in
/// client and deal id order: over `columns` (a snapshot of this base) when
/// given, else walking the records; the actions are the same.
pub(crate) fn plan<'a>(
    base: &'a ClientBase,
    columns: Option<&'a Columns>,
    rules: &'a AutomationRules,
    params: &DueParams,
) -> Result<(Vec<Vec<Action<'a>>>, NaiveDate)> {
    let planner = Planner::new(base, params.as_of, &params.time_zone, &params.done, rules)?;
    // A snapshot of other records than the base's is never read (the base
    // forgets its snapshot on every write; this guards a bug).
    let columns =
        columns.filter(|c| c.clients() == base.clients().len() && c.deals() == base.deals().len());
    let prepared = planner.prepare(rules, &params.segments, columns, |_| true)?;
    let as_of = planner.as_of;
    let has = |kinds: &[RuleKind]| prepared.iter().any(|p| kinds.contains(&p.rule.kind));
    let on_deals = has(&[
        RuleKind::Recurring,
        RuleKind::StuckInStage,
        RuleKind::StageEntered,
    ]);
    let on_clients = has(&[
        RuleKind::Birthday,
        RuleKind::MissingContact,
        RuleKind::NextPurchase,
    ]);
    let entries = if has(&[RuleKind::StuckInStage, RuleKind::StageEntered]) {
        planner.stage_entries()?
    } else {
        HashMap::new()
    };
    let purchases = if columns.is_none() && has(&[RuleKind::NextPurchase]) {
        expected_purchases(base, as_of)
    } else {
        Default::default()
    };
    let pass = Pass {
        planner: &planner,
        base,
        as_of,
        clients: if on_clients || (on_deals && columns.is_some()) {
            base.clients().collect()
        } else {
            Vec::new()
        },
        deals: if on_deals {
            base.deals().collect()
        } else {
            Vec::new()
        },
        entries,
        purchases,
    };
    let mut actions = Vec::new();
    for p in &prepared {
        match columns {
            Some(columns) => pass.on_columns(p, columns, &mut actions)?,
            None => pass.on_records(p, &mut actions)?,
        }
    }
    Ok((actions, as_of))
}

/// One text column of a chunk of actions: the texts one after the other,
/// where each ends, and (once a null is met) which are set.
#[derive(Default)]
struct Written {
    text: String,
    ends: Vec<usize>,
    valid: Vec<bool>,
}

impl Written {
    /// Writes one value with `write` (null where it says `false`).
    fn put(&mut self, write: impl FnOnce(&mut String) -> bool) {
        let start = self.text.len();
        if write(&mut self.text) {
            if !self.valid.is_empty() {
                self.valid.push(true);
            }
        } else {
            self.text.truncate(start);
            if self.valid.is_empty() {
                self.valid = vec![true; self.ends.len()];
            }
            self.valid.push(false);
        }
        self.ends.push(self.text.len());
    }
}

/// The text columns of the table, in order: key, rule, kind, action,
/// name, manager, reason, channel, contact and (when some action has a
/// rendered text) text.
const TEXT_COLUMNS: [&str; 10] = [
    "key", "rule", "kind", "action", "name", "manager", "reason", "channel", "contact", "text",
];

/// The text columns of a chunk of actions, written in one pass over it.
fn write_chunk(chunk: &[Action<'_>], rendered: bool) -> Vec<Written> {
    let columns = if rendered { 10 } else { 9 };
    let mut out: Vec<Written> = (0..columns)
        .map(|c| Written {
            text: String::with_capacity(chunk.len() * [32, 12, 16, 4, 24, 10, 48, 0, 0, 48][c]),
            ends: Vec::with_capacity(chunk.len()),
            valid: Vec::new(),
        })
        .collect();
    let put = |out: &mut String, text: Option<&str>| match text {
        Some(t) => {
            out.push_str(t);
            true
        }
        None => false,
    };
    for a in chunk {
        out[0].put(|out| {
            write_action_key(out, a.rule, a.client.id, a.deal.map(|d| d.id), a.occurs);
            true
        });
        out[1].put(|out| put(out, Some(a.rule)));
        out[2].put(|out| put(out, Some(a.kind.name())));
        out[3].put(|out| put(out, Some(a.action.name())));
        out[4].put(|out| {
            write_name(a.client, out);
            true
        });
        out[5].put(|out| put(out, a.manager()));
        out[6].put(|out| {
            a.reason.write(out);
            true
        });
        out[7].put(|out| put(out, a.channel().map(|c| c.name())));
        out[8].put(|out| put(out, a.contact()));
        if rendered {
            out[9].put(|out| match a.rendered() {
                Some(text) => put(out, Some(text)),
                None => {
                    a.reason.write(out);
                    true
                }
            });
        }
    }
    out
}

/// Column `c` of the written chunks, joined: one copy of each chunk's text.
fn join_column(name: &str, parts: &[Vec<Written>], c: usize, rows: usize) -> Result<Column> {
    let bytes = parts.iter().map(|p| p[c].text.len()).sum();
    let mut text = String::with_capacity(bytes);
    let mut offsets = Vec::with_capacity(rows + 1);
    offsets.push(0);
    let nulls = parts.iter().any(|p| !p[c].valid.is_empty());
    let mut validity = Vec::with_capacity(if nulls { rows } else { 0 });
    for part in parts {
        let part = &part[c];
        let start = text.len();
        text.push_str(&part.text);
        offsets.extend(part.ends.iter().map(|end| start + end));
        if nulls {
            if part.valid.is_empty() {
                validity.extend(std::iter::repeat_n(true, part.ends.len()));
            } else {
                validity.extend_from_slice(&part.valid);
            }
        }
    }
    Column::new(
        name,
        ColumnData::Text(TextValues::from_parts(text, offsets)?),
        nulls.then_some(validity),
    )
}

/// The actions (chunk after chunk) as a table: the text columns written
/// from the chunks on all cores, each chunk in one pass, then joined.
pub(crate) fn actions_table(chunks: &[Vec<Action<'_>>]) -> Result<Table> {
    let rows = chunks.iter().map(Vec::len).sum();
    let rendered = chunks.iter().flatten().any(|a| a.rendered().is_some());
    let parts = crate::batch::map_column_with_min(chunks, 1, |chunk| write_chunk(chunk, rendered));
    let count = if rendered { 10 } else { 9 };
    let indices: Vec<usize> = (0..count).collect();
    let mut texts = crate::batch::map_column_with_min(&indices, 1, |&c| {
        join_column(TEXT_COLUMNS[c], &parts, c, rows)
    })
    .into_iter();
    drop(parts);
    let mut next = || {
        texts
            .next()
            .unwrap_or_else(|| Column::new("", ColumnData::Text(TextValues::default()), None))
    };
    let (key, rule, kind, action, name, manager, reason, channel, contact) = (
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
    );
    // Without rendered texts the text is the reason: one copy of it.
    let text = if rendered {
        next()?
    } else {
        Column::new("text", reason.data().clone(), None)?
    };
    let all = || chunks.iter().flatten();
    Table::with_rows(
        rows,
        vec![
            key,
            rule,
            kind,
            action,
            Column::from_uint64s("client", all().map(|a| Some(a.client.id.get()))),
            name,
            Column::from_uint64s("deal", all().map(|a| a.deal.map(|d| d.id.get()))),
            manager,
            Column::from_dates("due", all().map(|a| Some(a.due))),
            Column::from_dates("occurs", all().map(|a| a.occurs)),
            reason,
            channel,
            contact,
            text,
        ],
    )
}

/// The actions due on the day, one row each: `key` (the idempotency key),
/// `rule`, `kind`, `action` (`task` or `notify_client`), `client` (uint64),
/// `name`, `deal` (uint64, null when the action is about the client),
/// `manager` (the deal's owner, else the client's; null when none), `due`
/// (date: the occurrence, or the day when it is past or a state, plus
/// `due_in_days`), `occurs` (the occurrence date; null for a missing
/// contact), `reason` (`bought Корм для собак 41 days ago, usually every
/// 30`), `channel` and `contact` (for a message; null for a task) and `text`
/// (the rendered text, else the reason). Rows are in the rules' order, each
/// rule's in client or deal id order. Actions whose key is done are left
/// out (see the [module docs](super)). Runs over the base's columnar
/// snapshot when it keeps one, or from the second read after a write on
/// ([`Columns::when_worth_it`]); the first runs on the records. The
/// actions are the same.
pub fn due(base: &ClientBase, params: &DueParams) -> Result<Table> {
    let rules = rules_of(&params.rules)?;
    let columns = Columns::when_worth_it(base);
    actions_table(&plan(base, columns.as_deref(), &rules, params)?.0)
}

/// [`due`] walking the records, never a snapshot (what the snapshot path
/// is checked against).
#[doc(hidden)]
pub fn due_on_records(base: &ClientBase, params: &DueParams) -> Result<Table> {
    let rules = rules_of(&params.rules)?;
    actions_table(&plan(base, None, &rules, params)?.0)
}

/// [`due`] over a given snapshot of `base` (one [`Columns::build`] or
/// [`Columns::of`] made of this very base).
#[doc(hidden)]
pub fn due_on_columns(base: &ClientBase, columns: &Columns, params: &DueParams) -> Result<Table> {
    let rules = rules_of(&params.rules)?;
    actions_table(&plan(base, Some(columns), &rules, params)?.0)
}

/// What [`add_due_tasks`] recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedActions {
    /// How many tasks were added.
    pub tasks: usize,
    /// How many messages to clients were recorded.
    pub messages: usize,
    /// How many have no manager.
    pub unassigned: usize,
    /// The new activities' ids, in the actions' order.
    pub activities: Vec<ActivityId>,
    /// The keys recorded, in the same order.
    pub keys: Vec<String>,
}

/// Records the day's actions ([`due`]) in the base in one write: a task
/// action as an open task for its manager (created at 00:00 UTC of the day,
/// due at 00:00 UTC of its due day), a `notify_client` action as an
/// outbound message (an `email` activity on the email channel), to be
/// called once the host has sent them. Each text ends with the line
/// `[key]`, so that [`due`] never gives the action again. The keys are
/// also added to the index of done keys the base keeps, so that the next
/// call need not read them back from every activity.
pub fn add_due_tasks(base: &mut ClientBase, params: &DueParams) -> Result<AddedActions> {
    let rules = rules_of(&params.rules)?;
    let (actions, as_of) = {
        let columns = Columns::when_worth_it(base);
        let (actions, as_of) = plan(base, columns.as_deref(), &rules, params)?;
        let actions: Vec<Recorded> = actions.iter().flatten().map(Recorded::of).collect();
        (actions, as_of)
    };
    super::done::recording(
        base,
        |base| record(base, "add_due_tasks", &actions, as_of),
        |added| &added.keys,
    )
}

/// An action as it is written to the base: no longer borrowing from it.
pub(crate) struct Recorded {
    key: String,
    text: String,
    action: ActionKind,
    client: ClientId,
    deal: Option<DealId>,
    manager: Option<String>,
    due: NaiveDate,
    channel: Option<AudienceChannel>,
}

impl Recorded {
    fn of(action: &Action<'_>) -> Recorded {
        Recorded {
            key: action.key(),
            text: action.text().into_owned(),
            action: action.action,
            client: action.client.id,
            deal: action.deal.map(|d| d.id),
            manager: action.manager().map(str::to_string),
            due: action.due,
            channel: action.channel(),
        }
    }
}

/// Writes actions as activities (see [`add_due_tasks`]).
pub(crate) fn record(
    base: &mut ClientBase,
    write: &str,
    actions: &[Recorded],
    as_of: NaiveDate,
) -> Result<AddedActions> {
    let midnight = |day: NaiveDate| Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN));
    base.journaled(write, |base| {
        let mut added = AddedActions {
            tasks: 0,
            messages: 0,
            unassigned: 0,
            activities: Vec::with_capacity(actions.len()),
            keys: Vec::with_capacity(actions.len()),
        };
        for action in actions {
            let text = format!("{}\n[{}]", action.text, action.key);
            let activity = match action.action {
                ActionKind::Task => {
                    added.tasks += 1;
                    Activity {
                        manager: action.manager.clone(),
                        deal: action.deal,
                        ..Activity::task(
                            action.client,
                            midnight(as_of),
                            midnight(action.due),
                            &text,
                        )
                    }
                }
                ActionKind::NotifyClient => {
                    added.messages += 1;
                    let kind = if action.channel == Some(AudienceChannel::Email) {
                        ActivityKind::Email
                    } else {
                        ActivityKind::Message
                    };
                    Activity {
                        direction: Some(Direction::Outbound),
                        manager: action.manager.clone(),
                        deal: action.deal,
                        text: Some(text),
                        ..Activity::new(action.client, kind, midnight(as_of))
                    }
                }
            };
            if action.manager.is_none() {
                added.unassigned += 1;
            }
            added.activities.push(base.add_activity(activity)?);
            added.keys.push(action.key.clone());
        }
        Ok(added)
    })
}

/// Checks a `done` list's keys are not empty; errors name `done[i]`.
pub(crate) fn check_done(done: &[String]) -> Result<()> {
    for (i, key) in done.iter().enumerate() {
        if key.trim().is_empty() {
            return Err(invalid(format!("done[{i}]"), "an empty key"));
        }
    }
    Ok(())
}

/// The median of the gaps between purchase days (rounded up between two),
/// `gaps` being scratch room reused across calls.
fn median_gap(gaps: &mut Vec<i64>, each: impl Iterator<Item = i64>) -> i64 {
    gaps.clear();
    gaps.extend(each);
    gaps.sort_unstable();
    let n = gaps.len();
    if n % 2 == 1 {
        gaps[n / 2]
    } else {
        (gaps[n / 2 - 1] + gaps[n / 2] + 1) / 2
    }
}
