//! Reminders, stage actions and routing: what the base asks people to do.
//!
//! - [`due`]: for a date, the actions due: next-purchase reminders, recurring
//!   invoices and shipments, birthdays, deals stuck in a stage too long,
//!   clients without a phone or an email (a task for their manager to ask for
//!   it), and what a deal's move to a stage triggers. [`add_due_tasks`]
//!   records them in the base, so the same day run again (or the next day)
//!   never gives a second reminder for what was already done.
//! - [`stage_actions`]: the actions one stage move triggers (the printing
//!   shop's "your order is ready" SMS when a deal moves to `ready`), for a
//!   deal given or for the moves in the change log since a time.
//! - [`route`]: which manager takes an incoming request or lead: a known
//!   client (found by the duplicate [`MatchIndex`](crate::dedup::MatchIndex))
//!   goes to their own manager, the others by rules (request type, amount,
//!   source, the client's segment) to a pool, balanced by open tasks or in
//!   turn, within working hours.
//!
//! ```
//! use clientbase::automation::{due, AutomationRules, DueParams};
//! use clientbase::table::Value;
//! use clientbase::{Client, ClientBase, Schema};
//! use chrono::NaiveDate;
//!
//! let mut base = ClientBase::new(Schema::new());
//! let mut anna = Client::person("Иванова", "Анна", None).with_phone("+7 916 123-45-67");
//! anna.owner = Some("olga".into());
//! base.add_client(anna)?;
//! let rules = AutomationRules::from_json(r#"{"version": 1, "rules": [
//!     {"name": "ask_email", "kind": "missing_contact", "contact": "email"}]}"#)?;
//! let params = DueParams {
//!     as_of: NaiveDate::from_ymd_opt(2026, 12, 7),
//!     rules: Some(rules),
//!     ..DueParams::default()
//! };
//! let actions = due(&base, &params)?;
//! assert_eq!(actions.rows(), 1);
//! assert_eq!(actions.column("key").unwrap().value(0), Value::Text("ask_email/client-1"));
//! assert_eq!(actions.column("manager").unwrap().value(0), Value::Text("olga"));
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! # Rules are data
//!
//! [`AutomationRules`] is JSON, versioned (`"version": 1`), every unknown
//! key refused. Each rule has a `name` (letters, digits, `_` and `-`; unique:
//! it is part of the idempotency key), a `kind` and the keys its kind reads
//! (a key another kind reads is an error naming `rules[i].<key>`):
//!
//! | kind | reads | occurrence |
//! | --- | --- | --- |
//! | `next_purchase` | `lead_days` (default 2) | the earliest expected date in the window of the client's products, by the history method of [`crate::value::next_purchase`] (by product, its defaults) |
//! | `recurring` | `lead_days` (default 3) | each due date of an open or won deal's [`Recurrence`](crate::Recurrence) |
//! | `birthday` | `lead_days` (default 0) | the birthday this year; 29 February is 28 February in other years |
//! | `stuck_in_stage` | `max_days` (required), `pipeline`, `stage` (default: any) | an open deal in the stage more than `max_days` days |
//! | `missing_contact` | `contact` (`phone` or `email`, required) | a client without one: no phone at all, or no email at all |
//! | `stage_entered` | `stage` (required), `pipeline` (default: any) | an open deal that entered the stage |
//!
//! Every kind also reads `when` (a condition on the client in the
//! [segment rule language](crate::segment), text or JSON, compiled once;
//! its errors name `rules[i].when`), `action` (`task`, the default: a task
//! for the manager; or `notify_client`: a message to the client), `channel`
//! (for `notify_client`: `sms` by default, `email`, `whatsapp`, `telegram`,
//! ...), `text` (the message or the task text; a template of
//! [`crate::render`] with the feature `render`, seeing `client`, `deal`,
//! `manager`, `today` and `reason`; required for `notify_client`),
//! `purpose` (for `notify_client`: `marketing`, the default for
//! `next_purchase` and `birthday`, or `service`, the default for the other
//! kinds; see below),
//! `due_in_days` (a task is due this many days after the action's date,
//! default 0) and `catch_up_days` (an occurrence this many days past still
//! counts, so a day the robot did not run is caught up; default 60 for
//! `next_purchase`, 7 for the others; not read by the states
//! `stuck_in_stage` and `missing_contact`, which last as long as they hold).
//!
//! [`AutomationRules::default`] is the documented default set: `next_purchase`,
//! `recurring`, `birthday` (each a task), `ask_phone` and `ask_email`
//! (`missing_contact`), `stuck` (`stuck_in_stage` in any stage, 30 days).
//!
//! # Messages to clients
//!
//! A `notify_client` action goes to the client's contact on the rule's
//! channel. A `marketing` message needs what a marketing
//! [audience](crate::audience) needs: personal-data processing not
//! withdrawn, a usable contact for the channel and the channel's (or the
//! contact's own) marketing consent given on or before the day; the contact
//! is then the one the audience would choose, normalized (E.164, a
//! lower-cased address). A `service` message needs no marketing consent:
//! it goes to the first contact of the channel as stored (E.164 when
//! known), unless personal-data processing is withdrawn (or given only after
//! the day). A message that cannot be sent is never dropped in silence: the
//! action becomes a `task` for the manager with the same key, its reason
//! saying why the message was not sent (`no_contact`, `no_consent`,
//! `consent_withdrawn`, `invalid_contact`) and its text carrying the
//! message.
//!
//! # Idempotency
//!
//! Every action has a key: the rule name, the object and the occurrence
//! date, `next_purchase/client-17/2024-05-31`, `stuck/deal-3/2024-04-01` (the
//! day the deal entered the stage), `ask_email/client-17` (a state has no
//! date: a client is asked once). The same base and day give the same keys.
//! [`add_due_tasks`] writes each action as an activity whose text ends with
//! the line `[key]` (a task for `task` actions; an outbound message or email
//! for `notify_client` ones, which the host calls after sending them);
//! [`due`] skips every key found on the base's activities and the keys in
//! `done`. The key lives in the activity's text, a field every base file
//! already keeps, so it survives a save and a reopen without a new format;
//! the base keeps the keys read as an index until its next write
//! ([`add_due_tasks`] adds its own keys to it).
//!
//! # Time in a stage
//!
//! The day a deal entered its stage comes from the change log of a base
//! kept in a file: the last write that set the deal's `stage` or `pipeline`
//! (or added the deal). A base in memory keeps no log: there the deal's
//! `created_at` is taken (right for a deal that never moved; a deal moved
//! later looks older than it is in its stage). A deal without either has no
//! date and gives no stage action.
//!
//! # Speed
//!
//! Each rule is one pass over the clients or the deals, in parallel chunks.
//! Over the base's columnar snapshot ([`crate::columns`], kept from the
//! second read after a write on, as for segments and audiences) a rule
//! reads columns instead of records: the contact bits for missing contacts,
//! the birthday column, the deals in id order (status, stage, pipeline,
//! creation, client row) for stuck deals, stage moves and recurring deals,
//! each client's won deals and lines for next purchases; a `when`
//! condition is evaluated once per rule over the snapshot. The first read
//! after a write walks the records and gives the same actions
//! (`tests/automation_columns.rs`). The done keys are an index kept next to
//! the base: read from the activities once, then added to by
//! [`add_due_tasks`], so the next day does not read every activity's text
//! again (any other write makes the next call read them once more).
//! Reasons are kept as their parts and written when the table is, each
//! chunk of actions in one pass on all cores. Figures: `benches/RESULTS.md`
//! (the issue's target: a 1M-client base's day under 1 s).

mod done;
mod due;
mod routing;
pub(crate) mod stage;

pub(crate) use done::DoneIndex;
pub use due::{add_due_tasks, due, due_on_columns, due_on_records, AddedActions, DueParams};
pub use routing::{
    route, route_with_index, Lead, ManagerLoad, ManagerShift, RouteCondition, RouteParams,
    RouteReport, RouteRule,
};
pub use stage::{stage_actions, StageParams};

use crate::audience::{AudienceChannel, Purpose};
use crate::error::{invalid, Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The version of [`AutomationRules`] this library reads.
pub const RULES_VERSION: u32 = 1;

/// The most rules one set holds.
pub const MAX_RULES: usize = 200;

/// What a rule looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A client due to buy again by their own rhythm.
    NextPurchase,
    /// A recurring deal's invoice or shipment date.
    Recurring,
    /// A client's birthday.
    Birthday,
    /// An open deal in a stage longer than allowed.
    StuckInStage,
    /// A client without a phone or without an email.
    MissingContact,
    /// An open deal that entered a stage.
    StageEntered,
}

impl RuleKind {
    /// The kind's name (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::NextPurchase => "next_purchase",
            RuleKind::Recurring => "recurring",
            RuleKind::Birthday => "birthday",
            RuleKind::StuckInStage => "stuck_in_stage",
            RuleKind::MissingContact => "missing_contact",
            RuleKind::StageEntered => "stage_entered",
        }
    }

    fn default_lead_days(self) -> u32 {
        match self {
            RuleKind::NextPurchase => 2,
            RuleKind::Recurring => 3,
            _ => 0,
        }
    }

    fn default_catch_up_days(self) -> u32 {
        match self {
            RuleKind::NextPurchase => 60,
            _ => 7,
        }
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// A task for the manager (the default).
    #[default]
    Task,
    /// A message to the client on the rule's channel.
    NotifyClient,
}

impl ActionKind {
    /// The action's name (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Task => "task",
            ActionKind::NotifyClient => "notify_client",
        }
    }
}

/// The contact a `missing_contact` rule looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactNeeded {
    /// A phone number.
    Phone,
    /// An email address.
    Email,
}

impl ContactNeeded {
    /// The contact's name (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            ContactNeeded::Phone => "phone",
            ContactNeeded::Email => "email",
        }
    }
}

/// One automation rule (see the [module docs](self) for what each kind reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutomationRule {
    /// The rule's name: letters, digits, `_` and `-`, unique in the set.
    pub name: String,
    /// What the rule looks for.
    pub kind: RuleKind,
    /// A condition on the client in the segment rule language, text or JSON
    /// (default: every client).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<serde_json::Value>,
    /// `task` (default) or `notify_client`.
    #[serde(default)]
    pub action: ActionKind,
    /// The channel a `notify_client` action goes on (default `sms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<AudienceChannel>,
    /// The message or task text, a template with the `render` feature
    /// (required for `notify_client`; default for a task: the reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Days before the occurrence the action is due (next_purchase 2,
    /// recurring 3, birthday 0). Not read by the other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_days: Option<u32>,
    /// Days after the occurrence it still counts (next_purchase 60, others 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_up_days: Option<u32>,
    /// A task is due this many days after the action's date (default 0).
    #[serde(default)]
    pub due_in_days: u32,
    /// stuck_in_stage, stage_entered: the pipeline (default: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// stuck_in_stage (default: any), stage_entered (required): the stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// stuck_in_stage: the most days a deal may stay in the stage (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_days: Option<u32>,
    /// missing_contact: `phone` or `email` (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactNeeded>,
    /// What a `notify_client` message is for: `marketing` (the channel's
    /// marketing consent as of the day is required, as for an
    /// [audience](crate::audience)) or `service` (an order is ready: no
    /// marketing consent needed; personal-data processing still is).
    /// Default: `marketing` for `next_purchase` and `birthday`, `service`
    /// for the other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
}

impl AutomationRule {
    /// A rule of `kind` named `name`, every other key at its default.
    pub fn new(name: &str, kind: RuleKind) -> AutomationRule {
        AutomationRule {
            name: name.to_string(),
            kind,
            when: None,
            action: ActionKind::Task,
            channel: None,
            text: None,
            lead_days: None,
            catch_up_days: None,
            due_in_days: 0,
            pipeline: None,
            stage: None,
            max_days: None,
            contact: None,
            purpose: None,
        }
    }

    /// What a `notify_client` message is for: the rule's `purpose`, else
    /// `marketing` for `next_purchase` and `birthday`, `service` otherwise.
    pub fn notify_purpose(&self) -> Purpose {
        self.purpose.unwrap_or(match self.kind {
            RuleKind::NextPurchase | RuleKind::Birthday => Purpose::Marketing,
            _ => Purpose::Service,
        })
    }

    /// Days before the occurrence the action is due.
    pub fn lead_days(&self) -> u32 {
        self.lead_days
            .unwrap_or_else(|| self.kind.default_lead_days())
    }

    /// Days after the occurrence it still counts.
    pub fn catch_up_days(&self) -> u32 {
        self.catch_up_days
            .unwrap_or_else(|| self.kind.default_catch_up_days())
    }

    /// The channel of a `notify_client` action (`sms` by default).
    pub fn notify_channel(&self) -> AudienceChannel {
        self.channel.unwrap_or(AudienceChannel::Sms)
    }

    /// Checks the rule's keys against its kind; errors name the key.
    fn validate(&self) -> Result<()> {
        if self.name.is_empty()
            || self.name.chars().count() > 64
            || !self
                .name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Err(invalid(
                "name",
                format!(
                    "{:?} is not a rule name: 1 to 64 letters, digits, `_` or `-`",
                    self.name
                ),
            ));
        }
        let kind = self.kind;
        let refuse = |key: &str, set: bool| -> Result<()> {
            if set {
                Err(invalid(key, format!("a {kind} rule does not read `{key}`")))
            } else {
                Ok(())
            }
        };
        let lead = matches!(
            kind,
            RuleKind::NextPurchase | RuleKind::Recurring | RuleKind::Birthday
        );
        refuse("lead_days", !lead && self.lead_days.is_some())?;
        let state = matches!(kind, RuleKind::StuckInStage | RuleKind::MissingContact);
        refuse("catch_up_days", state && self.catch_up_days.is_some())?;
        let on_deals = matches!(kind, RuleKind::StuckInStage | RuleKind::StageEntered);
        refuse("pipeline", !on_deals && self.pipeline.is_some())?;
        refuse("stage", !on_deals && self.stage.is_some())?;
        refuse(
            "max_days",
            kind != RuleKind::StuckInStage && self.max_days.is_some(),
        )?;
        refuse(
            "contact",
            kind != RuleKind::MissingContact && self.contact.is_some(),
        )?;
        refuse(
            "channel",
            self.action != ActionKind::NotifyClient && self.channel.is_some(),
        )?;
        if self.action != ActionKind::NotifyClient && self.purpose.is_some() {
            return Err(invalid(
                "purpose",
                "only a notify_client action reads `purpose`",
            ));
        }
        if self.channel == Some(AudienceChannel::Ads) {
            return Err(invalid(
                "channel",
                "ads is an audience for ad platforms, not a channel to message a client on",
            ));
        }
        match kind {
            RuleKind::StuckInStage if self.max_days.is_none() => {
                return Err(invalid("max_days", "a stuck_in_stage rule needs max_days"))
            }
            RuleKind::MissingContact if self.contact.is_none() => {
                return Err(invalid(
                    "contact",
                    "a missing_contact rule needs the contact: phone or email",
                ))
            }
            RuleKind::StageEntered if self.stage.is_none() => {
                return Err(invalid("stage", "a stage_entered rule needs the stage"))
            }
            _ => {}
        }
        for (key, value) in [("pipeline", &self.pipeline), ("stage", &self.stage)] {
            if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
                return Err(invalid(key, "empty"));
            }
        }
        for (key, value) in [
            ("lead_days", self.lead_days),
            ("catch_up_days", self.catch_up_days),
            ("max_days", self.max_days),
            ("due_in_days", Some(self.due_in_days)),
        ] {
            if value.is_some_and(|v| v > 3650) {
                return Err(invalid(
                    key,
                    format!("{} is more than 3650 days", value.unwrap_or(0)),
                ));
            }
        }
        match &self.text {
            None if self.action == ActionKind::NotifyClient => {
                return Err(invalid(
                    "text",
                    "a notify_client action needs the text of the message",
                ))
            }
            Some(text) if text.trim().is_empty() => {
                return Err(invalid("text", "empty text: leave it out for a task"))
            }
            Some(text) if text.len() > 4000 => {
                return Err(invalid("text", "longer than 4000 bytes"))
            }
            _ => {}
        }
        Ok(())
    }
}

/// A set of automation rules: versioned JSON, every unknown key refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutomationRules {
    /// The format's version; this library reads [`RULES_VERSION`].
    pub version: u32,
    /// The rules, in the order their actions are listed.
    pub rules: Vec<AutomationRule>,
}

impl Default for AutomationRules {
    /// The default set: `next_purchase` (2 days ahead), `recurring` (3 days
    /// ahead), `birthday` (on the day), `ask_phone` and `ask_email`
    /// (`missing_contact`), `stuck` (any open deal over 30 days in its stage),
    /// each a task for the manager.
    fn default() -> AutomationRules {
        let missing = |name: &str, contact| AutomationRule {
            contact: Some(contact),
            ..AutomationRule::new(name, RuleKind::MissingContact)
        };
        AutomationRules {
            version: RULES_VERSION,
            rules: vec![
                AutomationRule::new("next_purchase", RuleKind::NextPurchase),
                AutomationRule::new("recurring", RuleKind::Recurring),
                AutomationRule::new("birthday", RuleKind::Birthday),
                missing("ask_phone", ContactNeeded::Phone),
                missing("ask_email", ContactNeeded::Email),
                AutomationRule {
                    max_days: Some(30),
                    ..AutomationRule::new("stuck", RuleKind::StuckInStage)
                },
            ],
        }
    }
}

impl AutomationRules {
    /// Reads and validates a rule set from JSON text.
    pub fn from_json(json: &str) -> Result<AutomationRules> {
        if json.len() > 1 << 20 {
            return Err(invalid("rules", "the JSON is longer than 1 MiB"));
        }
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::new(ErrorKind::Json, format!("rules: {e}")).with_field("rules"))?;
        AutomationRules::from_value(&value)
    }

    /// Reads and validates a rule set from JSON data.
    pub fn from_value(value: &serde_json::Value) -> Result<AutomationRules> {
        crate::segment::check_json_depth(value).map_err(|m| invalid("rules", m))?;
        let rules: AutomationRules = crate::capability::from_value("rules", value.clone())?;
        rules.validate()?;
        Ok(rules)
    }

    /// Checks the version, the names and each rule's keys; an error names
    /// `rules[i].<key>`. The `when` conditions are checked when compiled
    /// against a base.
    pub fn validate(&self) -> Result<()> {
        if self.version != RULES_VERSION {
            return Err(invalid(
                "version",
                format!(
                    "version {} is not read by this library (it reads version {RULES_VERSION})",
                    self.version
                ),
            ));
        }
        if self.rules.len() > MAX_RULES {
            return Err(invalid(
                "rules",
                format!("{} rules, more than {MAX_RULES}", self.rules.len()),
            ));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate()
                .map_err(|e| e.in_field(format!("rules[{i}]")))?;
            if self.rules[..i].iter().any(|r| r.name == rule.name) {
                return Err(invalid(
                    format!("rules[{i}].name"),
                    format!("{:?} is the name of an earlier rule", rule.name),
                ));
            }
            if let Some(when) = &rule.when {
                crate::segment::Rule::from_input(when)
                    .map_err(|e| e.in_field(format!("rules[{i}].when")))?;
            }
        }
        Ok(())
    }
}

/// The idempotency key of an action: `rule/deal-N` (or `rule/client-N`)
/// and, for an event, `/yyyy-mm-dd`.
pub(crate) fn action_key(
    rule: &str,
    client: crate::ids::ClientId,
    deal: Option<crate::ids::DealId>,
    date: Option<chrono::NaiveDate>,
) -> String {
    let mut key = String::with_capacity(rule.len() + 32);
    write_action_key(&mut key, rule, client, deal, date);
    key
}

/// [`action_key`], written at the end of `out`.
pub(crate) fn write_action_key(
    out: &mut String,
    rule: &str,
    client: crate::ids::ClientId,
    deal: Option<crate::ids::DealId>,
    date: Option<chrono::NaiveDate>,
) {
    out.push_str(rule);
    match deal {
        Some(d) => {
            out.push_str("/deal-");
            due::push_uint(out, d.get());
        }
        None => {
            out.push_str("/client-");
            due::push_uint(out, client.get());
        }
    }
    if let Some(d) = date {
        out.push('/');
        due::push_date(out, d);
    }
}

/// The key an activity's text carries on its last line (`[key]`), if any.
pub(crate) fn key_of_text(text: &str) -> Option<&str> {
    let last = text.trim_end().rsplit('\n').next()?.trim();
    let key = last.strip_prefix('[')?.strip_suffix(']')?;
    (key.contains('/') && !key.contains(char::is_whitespace)).then_some(key)
}

#[cfg(test)]
mod tests;
