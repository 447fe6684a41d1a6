//! The actions due on a day, and recording them in the base.

use super::{
    action_key, key_of_text, write_action_key, ActionKind, AutomationRule, AutomationRules,
    ContactNeeded,
};
use super::{RuleKind, MAX_RULES};
use crate::activity::{Activity, ActivityKind, Direction};
use crate::audience::build::{judge, standing, Readers, Standing, Verdict};
use crate::audience::{AudienceChannel, Purpose, Reason};
use crate::base::ClientBase;
use crate::client::{Client, MessengerKind};
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

/// One action of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Action<'a> {
    pub rule: std::sync::Arc<str>,
    pub kind: RuleKind,
    pub action: ActionKind,
    /// The client; its name and manager are read from it when the action
    /// is written out, not copied for every action.
    pub client: &'a Client,
    pub deal: Option<&'a Deal>,
    pub due: NaiveDate,
    pub occurs: Option<NaiveDate>,
    pub reason: Cow<'static, str>,
    pub channel: Option<AudienceChannel>,
    pub contact: Option<String>,
    /// The rendered text; `None`: the reason.
    pub text: Option<String>,
}

impl Action<'_> {
    /// The text: the rendered one, else the reason.
    pub(crate) fn text(&self) -> &str {
        self.text.as_deref().unwrap_or(&self.reason)
    }

    /// The idempotency key (see [`action_key`]).
    pub(crate) fn key(&self) -> String {
        action_key(
            &self.rule,
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
/// meet it, its text template compiled.
pub(crate) struct Prepared<'r> {
    pub rule: &'r AutomationRule,
    name: std::sync::Arc<str>,
    pub index: usize,
    members: Option<Vec<ClientId>>,
    #[cfg(feature = "render")]
    template: Option<crate::render::Template>,
}

impl Prepared<'_> {
    pub(crate) fn admits(&self, client: ClientId) -> bool {
        self.members
            .as_ref()
            .is_none_or(|m| m.binary_search(&client).is_ok())
    }
}

/// What the planner of one call knows: the base, the day, the rules.
pub(crate) struct Planner<'a> {
    pub base: &'a ClientBase,
    pub as_of: NaiveDate,
    pub zone: FixedOffset,
    /// The keys done, read once: (rule index, whether the object is a
    /// deal, its id, the occurrence day or `i32::MIN`). Keys of rules not in
    /// the set cannot match and are not kept.
    done: rustc_hash::FxHashSet<DoneKey>,
    /// Contact readers for marketing messages, made on first use.
    readers: std::sync::OnceLock<Readers>,
}

pub(crate) type DoneKey = (u32, bool, u64, i32);

/// `yyyy-mm-dd` as the key writes it, without the general date parser.
fn parse_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// A key read back into its parts, for the rule at its index in `rules`.
pub(crate) fn parse_key(key: &str, rules: &HashMap<&str, u32>) -> Option<DoneKey> {
    let mut parts = key.splitn(3, '/');
    let rule = *rules.get(parts.next()?)?;
    let (is_deal, id) = match parts.next()?.split_once('-')? {
        ("deal", id) => (true, id.parse().ok()?),
        ("client", id) => (false, id.parse().ok()?),
        _ => return None,
    };
    let day = match parts.next() {
        None => i32::MIN,
        Some(date) => crate::table::date_to_days(parse_day(date)?),
    };
    Some((rule, is_deal, id, day))
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
        let mut keys = rustc_hash::FxHashSet::default();
        keys.extend(done.iter().filter_map(|k| parse_key(k.trim(), &names)));
        // Only tasks and messages carry keys; read them on all cores.
        let texts: Vec<&str> = base
            .activities()
            .filter(|a| {
                matches!(
                    a.kind,
                    ActivityKind::Task | ActivityKind::Message | ActivityKind::Email
                )
            })
            .filter_map(|a| a.text.as_deref())
            .collect();
        let parsed = crate::batch::map_column(&texts, |text| {
            key_of_text(text).and_then(|k| parse_key(k, &names))
        });
        keys.extend(parsed.into_iter().flatten());
        Ok(Planner {
            base,
            as_of,
            zone,
            done: keys,
            readers: std::sync::OnceLock::new(),
        })
    }

    /// Compiles each rule's `when` and text; errors name `rules[i].when` and
    /// `rules[i].text`.
    pub(crate) fn prepare<'r>(
        &self,
        rules: &'r AutomationRules,
        segments: &BTreeMap<String, serde_json::Value>,
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
            let members = match &rule.when {
                None => None,
                Some(when) => {
                    let field = format!("rules[{index}].when");
                    let parsed = Rule::from_input(when).map_err(|e| e.in_field(&field))?;
                    let compiled = compile(self.base, &parsed, &options, &named)
                        .map_err(|e| e.in_field(&field))?;
                    Some(
                        compiled
                            .evaluate(self.base)
                            .map_err(|e| e.in_field(&field))?,
                    )
                }
            };
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
                name: rule.name.as_str().into(),
                index,
                members,
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
        prepared: &Prepared<'_>,
        client: &'c Client,
        deal: Option<&'c Deal>,
        occurs: Option<NaiveDate>,
        reason: impl FnOnce() -> Cow<'static, str>,
    ) -> Result<Option<Action<'c>>> {
        let rule = prepared.rule;
        if !self.done.is_empty() {
            let done = (
                prepared.index as u32,
                deal.is_some(),
                deal.map_or(client.id.get(), |d| d.id.get()),
                occurs.map_or(i32::MIN, crate::table::date_to_days),
            );
            if self.done.contains(&done) {
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
        let mut text = self.text(prepared, client, deal, &reason)?;
        if let Some((channel, why)) = unsent {
            reason = Cow::Owned(format!(
                "{reason}; the {channel} message was not sent: {}",
                why.name()
            ));
            let note = format!("The {channel} message was not sent ({})", why.name());
            text = Some(match text {
                Some(message) => format!("{note}: {message}"),
                None => note,
            });
        }
        Ok(Some(Action {
            rule: prepared.name.clone(),
            kind: rule.kind,
            action,
            client,
            deal,
            due,
            occurs,
            reason,
            channel,
            contact,
            text,
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
    /// kept in a file, else (and for deals the log does not tell) the
    /// deal's creation.
    pub(crate) fn stage_entries(&self) -> Result<HashMap<DealId, DateTime<Utc>>> {
        #[cfg(feature = "storage")]
        if self.base.path().is_some() {
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
    let mut gaps: Vec<i32> = Vec::new();
    for group in lines.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
        if group.len() < 2 {
            continue;
        }
        gaps.clear();
        gaps.extend(group.windows(2).map(|w| w[1].2 - w[0].2));
        gaps.sort_unstable();
        let n = gaps.len();
        let median = if n % 2 == 1 {
            gaps[n / 2]
        } else {
            (gaps[n / 2 - 1] + gaps[n / 2] + 1) / 2
        };
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

/// Runs `each` over `items` in chunks, on all cores with the `parallel`
/// feature, and appends the actions to `actions` in the items' order (or
/// gives the first error).
fn gather<'a, S: Sync>(
    actions: &mut Vec<Action<'a>>,
    items: &[S],
    each: impl Fn(&S, &mut Found<'a>) + Sync + Send,
) -> Result<()> {
    let run = |chunk: &[S]| {
        let mut found = Found::default();
        for item in chunk {
            each(item, &mut found);
        }
        found
    };
    #[cfg(feature = "parallel")]
    let chunks: Vec<Found> = {
        use rayon::prelude::*;
        items.par_chunks(8192).map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let chunks = vec![run(items)];
    actions.reserve(chunks.iter().map(|c| c.actions.len()).sum());
    for chunk in chunks {
        if let Some(e) = chunk.error {
            return Err(e);
        }
        actions.extend(chunk.actions);
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

/// The actions of the day, rule by rule in the rules' order, each rule's in
/// client and deal id order.
pub(crate) fn plan<'a>(
    base: &'a ClientBase,
    params: &DueParams,
) -> Result<(Vec<Action<'a>>, NaiveDate)> {
    let rules = rules_of(&params.rules)?;
    let planner = Planner::new(base, params.as_of, &params.time_zone, &params.done, &rules)?;
    let prepared = planner.prepare(&rules, &params.segments, |_| true)?;
    let as_of = planner.as_of;
    let purchases = if prepared
        .iter()
        .any(|p| p.rule.kind == RuleKind::NextPurchase)
    {
        expected_purchases(base, as_of)
    } else {
        Default::default()
    };
    let on_stage = prepared
        .iter()
        .any(|p| matches!(p.rule.kind, RuleKind::StuckInStage | RuleKind::StageEntered));
    let entries = if on_stage {
        planner.stage_entries()?
    } else {
        HashMap::new()
    };
    let on_clients = prepared.iter().any(|p| {
        matches!(
            p.rule.kind,
            RuleKind::Birthday | RuleKind::MissingContact | RuleKind::NextPurchase
        )
    });
    let clients: Vec<&Client> = if on_clients {
        base.clients().collect()
    } else {
        Vec::new()
    };
    let deals: Vec<&Deal> = if prepared.iter().any(|p| {
        matches!(
            p.rule.kind,
            RuleKind::Recurring | RuleKind::StuckInStage | RuleKind::StageEntered
        )
    }) {
        base.deals().collect()
    } else {
        Vec::new()
    };
    let mut actions = Vec::new();
    for p in &prepared {
        let rule = p.rule;
        match rule.kind {
            RuleKind::NextPurchase => {
                let (lead, catch_up) = (rule.lead_days(), rule.catch_up_days());
                gather(&mut actions, &clients, |client, out| {
                    let Some(expected) = purchases.get(&client.id) else {
                        return;
                    };
                    if !p.admits(client.id) {
                        return;
                    }
                    let Some((expected, last, product)) = expected
                        .iter()
                        .filter(|e| in_window(e.0, as_of, lead, catch_up))
                        .min_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(b.2)))
                    else {
                        return;
                    };
                    let reason = || {
                        let every = (*expected - *last).num_days();
                        let ago = (as_of - *last).num_days();
                        if product.is_empty() {
                            format!("last bought {ago} days ago, usually every {every}").into()
                        } else {
                            format!("bought {product} {ago} days ago, usually every {every}").into()
                        }
                    };
                    out.push(planner.action(p, client, None, Some(*expected), reason));
                })?
            }
            RuleKind::Recurring => {
                let lead = rule.lead_days();
                let catch_up = rule.catch_up_days();
                let from = as_of.checked_sub_days(days(catch_up)).unwrap_or(as_of);
                let count = (catch_up as usize + lead as usize + 1).min(10_000);
                gather(&mut actions, &deals, |deal, out| {
                    let Some(recurrence) = &deal.recurrence else {
                        return;
                    };
                    let start = match deal.status {
                        DealStatus::Won => deal.closed_at.or(deal.created_at),
                        DealStatus::Open => deal.created_at,
                        _ => return,
                    };
                    let Some(start) = start.map(|s| s.with_timezone(&planner.zone).date_naive())
                    else {
                        return;
                    };
                    if !p.admits(deal.client) {
                        return;
                    }
                    let Some(client) = base.get_client(deal.client) else {
                        return;
                    };
                    let dates = match next_due_dates(recurrence, start, from, count) {
                        Ok(dates) => dates,
                        Err(e) => return out.push(Err(e.with_record(deal.id.to_string()))),
                    };
                    for day in dates
                        .into_iter()
                        .filter(|d| in_window(*d, as_of, lead, catch_up))
                    {
                        let reason = || {
                            let what = deal.title.as_deref().unwrap_or("recurring deal");
                            format!("{what}: invoice and shipment due {day}").into()
                        };
                        out.push(planner.action(p, client, Some(deal), Some(day), reason));
                    }
                })?
            }
            RuleKind::Birthday => {
                let window = BirthdayWindow::new(as_of, rule.lead_days(), rule.catch_up_days());
                gather(&mut actions, &clients, |client, out| {
                    let Some(born) = client.birthday else { return };
                    for &day in window.of(born) {
                        if day.year() <= born.year() || !p.admits(client.id) {
                            continue;
                        }
                        let reason = || {
                            format!("birthday on {day}: turns {}", day.year() - born.year()).into()
                        };
                        out.push(planner.action(p, client, None, Some(day), reason));
                    }
                })?
            }
            RuleKind::MissingContact => {
                let need = rule.contact.unwrap_or(ContactNeeded::Email);
                gather(&mut actions, &clients, |client, out| {
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
                    let reason = || {
                        Cow::Borrowed(match need {
                            ContactNeeded::Phone => "no phone: ask the client for one",
                            ContactNeeded::Email => "no email: ask the client for one",
                        })
                    };
                    out.push(planner.action(p, client, None, None, reason));
                })?
            }
            RuleKind::StuckInStage | RuleKind::StageEntered => {
                gather(&mut actions, &deals, |deal, out| {
                    if !stage_rule_applies(rule, deal, &deal.stage) || !p.admits(deal.client) {
                        return;
                    }
                    let Some(entered) = planner.entered(&entries, deal) else {
                        return;
                    };
                    let in_stage = (as_of - entered).num_days();
                    let max = rule.max_days.unwrap_or(0);
                    let held = if rule.kind == RuleKind::StuckInStage {
                        in_stage > i64::from(max)
                    } else {
                        (0..=i64::from(rule.catch_up_days())).contains(&in_stage)
                    };
                    if !held {
                        return;
                    }
                    let Some(client) = base.get_client(deal.client) else {
                        return;
                    };
                    let reason = || {
                        if rule.kind == RuleKind::StuckInStage {
                            format!(
                                "in stage «{}» of «{}» for {in_stage} days, more than {max}",
                                deal.stage, deal.pipeline
                            )
                            .into()
                        } else {
                            format!("moved to stage «{}» on {entered}", deal.stage).into()
                        }
                    };
                    out.push(planner.action(p, client, Some(deal), Some(entered), reason));
                })?
            }
        }
    }
    Ok((actions, as_of))
}

/// The actions as a table.
pub(crate) fn actions_table(actions: &[Action<'_>]) -> Result<Table> {
    Table::with_rows(
        actions.len(),
        vec![
            written_column("key", actions, |a, out| {
                write_action_key(out, &a.rule, a.client.id, a.deal.map(|d| d.id), a.occurs)
            })?,
            Column::from_texts("rule", actions.iter().map(|a| Some(&*a.rule))),
            Column::from_texts("kind", actions.iter().map(|a| Some(a.kind.name()))),
            Column::from_texts("action", actions.iter().map(|a| Some(a.action.name()))),
            Column::from_uint64s("client", actions.iter().map(|a| Some(a.client.id.get()))),
            written_column("name", actions, |a, out| write_name(a.client, out))?,
            Column::from_uint64s("deal", actions.iter().map(|a| a.deal.map(|d| d.id.get()))),
            Column::from_texts("manager", actions.iter().map(Action::manager)),
            Column::from_dates("due", actions.iter().map(|a| Some(a.due))),
            Column::from_dates("occurs", actions.iter().map(|a| a.occurs)),
            Column::from_texts("reason", actions.iter().map(|a| Some(&*a.reason))),
            Column::from_texts(
                "channel",
                actions.iter().map(|a| a.channel.map(|c| c.name())),
            ),
            Column::from_texts("contact", actions.iter().map(|a| a.contact.as_deref())),
            Column::from_texts("text", actions.iter().map(|a| Some(a.text()))),
        ],
    )
}

/// A text column of what `write` writes for each action, written in
/// parallel chunks and joined in order (no text allocated per action).
fn written_column(
    name: &str,
    actions: &[Action<'_>],
    write: impl Fn(&Action<'_>, &mut String) + Sync + Send,
) -> Result<Column> {
    let chunks: Vec<&[Action<'_>]> = actions.chunks(8192).collect();
    let parts = crate::batch::map_column_with_min(&chunks, 1, |chunk| {
        let mut text = String::with_capacity(chunk.len() * 24);
        let mut ends = Vec::with_capacity(chunk.len());
        for action in chunk.iter() {
            write(action, &mut text);
            ends.push(text.len());
        }
        (text, ends)
    });
    let bytes = parts.iter().map(|p| p.0.len()).sum();
    let mut values = TextValues::with_capacity(actions.len(), bytes);
    for (text, ends) in &parts {
        let mut start = 0;
        for &end in ends {
            values.push(&text[start..end]);
            start = end;
        }
    }
    Column::new(name, ColumnData::Text(values), None)
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
/// out (see the [module docs](super)).
pub fn due(base: &ClientBase, params: &DueParams) -> Result<Table> {
    actions_table(&plan(base, params)?.0)
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
/// `[key]`, so that [`due`] never gives the action again.
pub fn add_due_tasks(base: &mut ClientBase, params: &DueParams) -> Result<AddedActions> {
    let (actions, as_of) = plan(base, params)?;
    let actions: Vec<Recorded> = actions.iter().map(Recorded::of).collect();
    record(base, "add_due_tasks", &actions, as_of)
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
            text: action.text().to_string(),
            action: action.action,
            client: action.client.id,
            deal: action.deal.map(|d| d.id),
            manager: action.manager().map(str::to_string),
            due: action.due,
            channel: action.channel,
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
