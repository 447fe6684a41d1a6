//! Routing an incoming request or lead to a manager.
//!
//! In order:
//!
//! 1. **A known client.** The lead is matched against the base with the
//!    duplicate [`MatchIndex`] (the same check the duplicates run on
//!    insert). A duplicate whose client has an owner among the managers (or
//!    any owner when no managers are listed) goes to that owner, at any
//!    hour: it is their client (rule `own_manager`).
//! 2. **The rules**, in order: the first whose conditions all hold (request
//!    type, amount range, source, a known or a new client, the matched
//!    client's segment) gives the pool of managers; no rule holding, every
//!    manager listed is the pool (rule `default`).
//! 3. **Working hours and capacity.** Of the pool, the managers at work at
//!    `at` (their days and hours in the time zone) and under their
//!    `max_open` open tasks; the one with the fewest open tasks in the base
//!    (`load`, ties by the pool's order), or the next in turn (`round_robin`:
//!    the `turn`-th, the host counting the leads it routed).
//! 4. **After hours** (nobody of the pool at work): the manager of the pool
//!    whose work starts first after `at` (ties by load), `after_hours: true`
//!    in the report.
//!
//! Nobody available (every manager at capacity, or no managers) routes to
//! no one and the report says why.

use crate::audience::Distribute;
use crate::base::ClientBase;
use crate::client::Client;
use crate::client::PersonName;
use crate::dedup::{MatchIndex, MatchOptions, Verdict};
use crate::error::{invalid, Result};
use crate::ids::ClientId;
use crate::money::Money;
use crate::segment::{compile, Options, Rule};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An incoming request or lead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lead {
    /// A person's full name as typed (`Иванова Анна`).
    pub name: Option<String>,
    /// A company's name.
    pub company: Option<String>,
    /// A phone as typed.
    pub phone: Option<String>,
    /// An email as typed.
    pub email: Option<String>,
    /// The request type (`order`, `question`, `complaint`, ... as the host names them).
    #[serde(rename = "type")]
    pub request_type: Option<String>,
    /// The amount asked about (`{"amount": "150000.00", "currency": "RUB"}`).
    pub amount: Option<Money>,
    /// Where it came from (`site`, `call`, `avito`, ...).
    pub source: Option<String>,
}

impl Lead {
    /// The lead as a client record, for matching.
    fn as_client(&self) -> Client {
        let mut client = match (&self.company, &self.name) {
            (Some(company), name) => {
                let mut c = Client::company(company, None);
                if let (Some(name), crate::client::Party::Company(co)) = (name, &mut c.party) {
                    co.person = PersonName::parse(name);
                }
                c
            }
            (None, Some(name)) => Client {
                party: crate::client::Party::Person(PersonName::parse(name)),
                ..Client::default()
            },
            (None, None) => Client::default(),
        };
        if let Some(phone) = &self.phone {
            client = client.with_phone(phone);
        }
        if let Some(email) = &self.email {
            client = client.with_email(email);
        }
        client
    }
}

/// A manager who takes leads: when they work and how much they may hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManagerShift {
    /// The manager as the base names owners. Required.
    pub name: String,
    /// Working hours, `09:00-18:00` in the time zone (default `null`: any
    /// hour); an end before the start runs past midnight (`20:00-08:00`).
    pub working_hours: Option<String>,
    /// Working days, 1 (Monday) to 7 (default Monday to Friday when hours
    /// are given, every day otherwise).
    pub days: Option<Vec<u8>>,
    /// The most open tasks they may hold to take a new lead (default `null`:
    /// no limit).
    pub max_open: Option<u32>,
}

/// A manager's shift read once.
struct Shift {
    hours: Option<(NaiveTime, NaiveTime)>,
    days: [bool; 7],
}

fn read_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    let ok = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if h == 24 && m == 0 {
        return NaiveTime::from_hms_opt(23, 59, 59);
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

impl ManagerShift {
    fn shift(&self) -> Result<Shift> {
        let hours = match &self.working_hours {
            None => None,
            Some(text) => {
                let parsed = text
                    .split_once('-')
                    .and_then(|(a, b)| Some((read_time(a)?, read_time(b)?)));
                match parsed {
                    Some((a, b)) if a != b => Some((a, b)),
                    _ => {
                        return Err(invalid(
                            "working_hours",
                            format!("{text:?} is not hours such as 09:00-18:00"),
                        ))
                    }
                }
            }
        };
        let mut days = [hours.is_none(); 7];
        match &self.days {
            None if hours.is_some() => days[..5].fill(true),
            None => {}
            Some(list) => {
                days = [false; 7];
                for (i, &d) in list.iter().enumerate() {
                    if !(1..=7).contains(&d) {
                        return Err(invalid(
                            format!("days[{i}]"),
                            format!("{d} is not a weekday 1 (Monday) to 7 (Sunday)"),
                        ));
                    }
                    days[usize::from(d - 1)] = true;
                }
                if list.is_empty() {
                    return Err(invalid("days", "no working day"));
                }
            }
        }
        Ok(Shift { hours, days })
    }
}

impl Shift {
    /// Whether the local time `at` is within the shift (a night shift
    /// belongs to the day it starts on).
    fn works(&self, at: chrono::NaiveDateTime) -> bool {
        let day = |d: chrono::NaiveDate| self.days[d.weekday().num_days_from_monday() as usize];
        match self.hours {
            None => day(at.date()),
            Some((start, end)) if start < end => {
                day(at.date()) && at.time() >= start && at.time() < end
            }
            Some((start, end)) => {
                (day(at.date()) && at.time() >= start)
                    || (at.time() < end && day(at.date() - Duration::days(1)))
            }
        }
    }

    /// Minutes from `at` to the next start of work (0 when at work), within
    /// 8 days.
    fn wait(&self, at: chrono::NaiveDateTime) -> Option<i64> {
        if self.works(at) {
            return Some(0);
        }
        let start = self.hours.map_or(NaiveTime::MIN, |h| h.0);
        (0..=8).find_map(|ahead| {
            let date = at.date() + Duration::days(ahead);
            let begin = date.and_time(start);
            (begin > at && self.days[date.weekday().num_days_from_monday() as usize])
                .then(|| (begin - at).num_minutes())
        })
    }
}

/// When a routing rule holds; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouteCondition {
    /// The request type is one of these (compared without regard to case).
    #[serde(rename = "type")]
    pub request_type: Option<Vec<String>>,
    /// The amount is at least this.
    pub min_amount: Option<Money>,
    /// The amount is less than this.
    pub max_amount: Option<Money>,
    /// The source is one of these.
    pub source: Option<Vec<String>>,
    /// `true`: a known client only; `false`: a new one only.
    pub known_client: Option<bool>,
    /// The matched client meets this segment rule (text or JSON): their
    /// lifecycle stage, tags, purchases, ... A new lead never does.
    pub client: Option<serde_json::Value>,
}

/// A routing rule: a condition and the managers who take what meets it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouteRule {
    /// The rule's name, told in the report. Required.
    pub name: String,
    /// When it holds (default: always).
    pub when: RouteCondition,
    /// The pool (default: every manager listed).
    pub managers: Vec<String>,
}

/// Params of [`route`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouteParams {
    /// The request or lead.
    pub lead: Lead,
    /// The routing rules, first holding wins (default: none: every manager).
    pub rules: Vec<RouteRule>,
    /// The managers who take leads.
    pub managers: Vec<ManagerShift>,
    /// The moment it came in (default: now).
    pub at: Option<DateTime<Utc>>,
    /// The time zone of working hours (default `UTC`; `Europe/Moscow`, `+03:00`).
    pub time_zone: String,
    /// `load` (default: fewest open tasks) or `round_robin` (by `turn`).
    pub distribute: Distribute,
    /// For `round_robin`: how many leads were routed before this one (default 0).
    pub turn: u64,
    /// Give a known client to their own manager (default true).
    pub own_manager: bool,
}

impl Default for RouteParams {
    fn default() -> RouteParams {
        RouteParams {
            lead: Lead::default(),
            rules: Vec::new(),
            managers: Vec::new(),
            at: None,
            time_zone: "UTC".into(),
            distribute: Distribute::Load,
            turn: 0,
            own_manager: true,
        }
    }
}

/// A manager's state when the lead came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerLoad {
    /// The manager.
    pub name: String,
    /// Their open tasks in the base.
    pub open_tasks: u64,
    /// Whether they were at work.
    pub working: bool,
    /// Whether they had reached `max_open`.
    pub at_capacity: bool,
}

/// Where a lead goes, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteReport {
    /// The existing client the lead is (a duplicate by the match index).
    pub client: Option<ClientId>,
    /// The match probability of that client.
    pub probability: Option<f64>,
    /// That client's owner.
    pub client_owner: Option<String>,
    /// The manager chosen; `None` when nobody can take it.
    pub manager: Option<String>,
    /// The rule that chose: `own_manager`, a rule's name, or `default`.
    pub rule: String,
    /// Whether nobody of the pool was at work.
    pub after_hours: bool,
    /// Why, in words.
    pub reason: String,
    /// The pool as it was, in the pool's order.
    pub pool: Vec<ManagerLoad>,
}

impl RouteParams {
    /// Checks the managers and rules; errors name the field.
    pub fn validate(&self) -> Result<()> {
        crate::segment::time_zone(&self.time_zone)?;
        for (i, m) in self.managers.iter().enumerate() {
            if m.name.trim().is_empty() {
                return Err(invalid(format!("managers[{i}].name"), "empty manager name"));
            }
            if self.managers[..i].iter().any(|o| o.name == m.name) {
                return Err(invalid(
                    format!("managers[{i}].name"),
                    format!("{:?} is listed twice", m.name),
                ));
            }
            m.shift()
                .map_err(|e| e.in_field(format!("managers[{i}]")))?;
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let field = |key: &str| format!("rules[{i}].{key}");
            if rule.name.trim().is_empty() {
                return Err(invalid(field("name"), "empty rule name"));
            }
            for (j, name) in rule.managers.iter().enumerate() {
                if !self.managers.iter().any(|m| &m.name == name) {
                    return Err(invalid(
                        format!("rules[{i}].managers[{j}]"),
                        format!("{name:?} is not among the managers"),
                    ));
                }
            }
            if let (Some(lo), Some(hi)) = (rule.when.min_amount, rule.when.max_amount) {
                if lo.currency() != hi.currency() || lo.minor() > hi.minor() {
                    return Err(invalid(
                        field("when.max_amount"),
                        format!("{hi} is not above min_amount {lo}"),
                    ));
                }
            }
            if let Some(rule) = &rule.when.client {
                Rule::from_input(rule).map_err(|e| e.in_field(field("when.client")))?;
            }
        }
        Ok(())
    }
}

/// Routes a lead (see the [module docs](self)), building the match index
/// of the base for the known-client check. A host that keeps an index
/// calls [`route_with_index`].
pub fn route(base: &ClientBase, params: &RouteParams) -> Result<RouteReport> {
    params.validate()?;
    let index = MatchIndex::build(base, MatchOptions::default())?;
    route_with_index(base, &index, params)
}

fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// [`route`] with a match index the host keeps next to the base.
pub fn route_with_index(
    base: &ClientBase,
    index: &MatchIndex,
    params: &RouteParams,
) -> Result<RouteReport> {
    params.validate()?;
    let zone: FixedOffset = crate::segment::time_zone(&params.time_zone)?;
    let at = params.at.unwrap_or_else(Utc::now);
    let local = at.with_timezone(&zone).naive_local();
    let lead = &params.lead;
    let query = lead.as_client();
    let matched = index
        .find(&query, 3)
        .into_iter()
        .find(|c| c.verdict == Verdict::Duplicate)
        .and_then(|c| {
            base.get_client(c.client)
                .map(|client| (client, c.probability))
        });
    let client_owner = matched.and_then(|(c, _)| c.owner.clone());
    let mut load: HashMap<&str, u64> = params
        .managers
        .iter()
        .map(|m| (m.name.as_str(), 0))
        .collect();
    for task in base.activities().filter(|a| a.is_open_task()) {
        if let Some(n) = task.manager.as_deref().and_then(|m| load.get_mut(m)) {
            *n += 1;
        }
    }
    let mut report = RouteReport {
        client: matched.map(|(c, _)| c.id),
        probability: matched.map(|(_, p)| p),
        client_owner: client_owner.clone(),
        manager: None,
        rule: String::new(),
        after_hours: false,
        reason: String::new(),
        pool: Vec::new(),
    };
    if let (true, Some(owner)) = (params.own_manager, &client_owner) {
        if params.managers.is_empty() || params.managers.iter().any(|m| &m.name == owner) {
            report.manager = Some(owner.clone());
            report.rule = "own_manager".into();
            report.reason = format!(
                "a known client ({}), who is {owner}'s",
                matched.map(|(c, _)| c.id.to_string()).unwrap_or_default()
            );
            return Ok(report);
        }
    }
    // The first rule that holds gives the pool.
    let mut chosen: Option<&RouteRule> = None;
    for (i, rule) in params.rules.iter().enumerate() {
        if holds(base, rule, lead, matched.map(|(c, _)| c.id), at, zone)
            .map_err(|e| e.in_field(format!("rules[{i}].when.client")))?
        {
            chosen = Some(rule);
            break;
        }
    }
    let (rule_name, names): (String, Vec<&str>) = match chosen {
        Some(rule) if !rule.managers.is_empty() => (
            rule.name.clone(),
            rule.managers.iter().map(String::as_str).collect(),
        ),
        Some(rule) => (
            rule.name.clone(),
            params.managers.iter().map(|m| m.name.as_str()).collect(),
        ),
        None => (
            "default".into(),
            params.managers.iter().map(|m| m.name.as_str()).collect(),
        ),
    };
    report.rule = rule_name.clone();
    let mut states = Vec::new();
    for name in &names {
        let Some(m) = params.managers.iter().find(|m| m.name == *name) else {
            continue;
        };
        let shift = m.shift()?;
        let open = load.get(name).copied().unwrap_or(0);
        let full = m.max_open.is_some_and(|max| open >= u64::from(max));
        states.push((m, shift, open, full));
    }
    report.pool = states
        .iter()
        .map(|(m, shift, open, full)| ManagerLoad {
            name: m.name.clone(),
            open_tasks: *open,
            working: shift.works(local),
            at_capacity: *full,
        })
        .collect();
    let free: Vec<usize> = (0..states.len()).filter(|&i| !states[i].3).collect();
    if free.is_empty() {
        report.reason = if states.is_empty() {
            "no managers to route to".into()
        } else {
            format!("every manager of {rule_name} is at their open-task limit")
        };
        return Ok(report);
    }
    let working: Vec<usize> = free
        .iter()
        .copied()
        .filter(|&i| states[i].1.works(local))
        .collect();
    let pick = |among: &[usize]| -> usize {
        match params.distribute {
            Distribute::RoundRobin => among[(params.turn % among.len() as u64) as usize],
            Distribute::Load => *among
                .iter()
                .min_by_key(|&&i| (states[i].2, i))
                .unwrap_or(&among[0]),
        }
    };
    let how = match params.distribute {
        Distribute::RoundRobin => "in turn",
        Distribute::Load => "fewest open tasks",
    };
    let new_or_known = if matched.is_some() {
        "a known client without an owner at hand"
    } else {
        "a new lead"
    };
    if !working.is_empty() {
        let i = pick(&working);
        report.manager = Some(states[i].0.name.clone());
        report.reason = format!(
            "{new_or_known}; rule {rule_name}; at work, {how} ({} open)",
            states[i].2
        );
        return Ok(report);
    }
    report.after_hours = true;
    let next = free
        .iter()
        .copied()
        .filter_map(|i| states[i].1.wait(local).map(|w| (w, states[i].2, i)))
        .min();
    match next {
        Some((wait, _, i)) => {
            report.manager = Some(states[i].0.name.clone());
            report.reason = format!(
                "{new_or_known}; rule {rule_name}; after hours: {} starts first, in {} h {:02} min",
                states[i].0.name,
                wait / 60,
                wait % 60
            );
        }
        None => {
            report.reason =
                format!("{new_or_known}; rule {rule_name}; nobody works in the next week");
        }
    }
    Ok(report)
}

fn holds(
    base: &ClientBase,
    rule: &RouteRule,
    lead: &Lead,
    client: Option<ClientId>,
    at: DateTime<Utc>,
    zone: FixedOffset,
) -> Result<bool> {
    let when = &rule.when;
    let one_of = |list: &Option<Vec<String>>, value: &Option<String>| match list {
        None => true,
        Some(list) => value
            .as_deref()
            .is_some_and(|v| list.iter().any(|x| same(x, v))),
    };
    if !one_of(&when.request_type, &lead.request_type) || !one_of(&when.source, &lead.source) {
        return Ok(false);
    }
    let amount_ok = |bound: Option<Money>, above: bool| match (bound, lead.amount) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(b), Some(a)) => {
            a.currency() == b.currency()
                && if above {
                    a.minor() >= b.minor()
                } else {
                    a.minor() < b.minor()
                }
        }
    };
    if !amount_ok(when.min_amount, true) || !amount_ok(when.max_amount, false) {
        return Ok(false);
    }
    if when
        .known_client
        .is_some_and(|known| known != client.is_some())
    {
        return Ok(false);
    }
    if let Some(segment) = &when.client {
        let Some(id) = client else { return Ok(false) };
        let rule = Rule::from_input(segment)?;
        let options =
            Options::new(at.with_timezone(&zone).date_naive()).in_time_zone(&zone.to_string());
        let compiled = compile(base, &rule, &options, &Default::default())?;
        return Ok(compiled.explain(base, id)?.matched);
    }
    Ok(true)
}
