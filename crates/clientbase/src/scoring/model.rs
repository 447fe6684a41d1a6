//! The scoring model: its JSON form, its defaults and its checks.

use crate::error::{invalid, Result};
use crate::money::{parse_fixed, Currency};
use crate::segment::{Expr, Rule, Source};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The version of the model's JSON form this library reads and writes.
pub const VERSION: u32 = 1;

/// At most this many rules in a model.
pub const MAX_RULES: usize = 1000;

/// A scoring model: rules that give points, the caps, the decay of old
/// events, and the thresholds of temperature and grade. Stored as JSON;
/// every key is optional except `rules`, every unknown key is refused. A
/// model given without a key has none of that key (no groups, no decay);
/// [`ScoringModel::default`] is a whole model of its own, used when no model
/// is given at all.
///
/// ```json
/// {"version": 1,
///  "rules": [
///    {"name": "moscow", "when": "city = Москва", "points": 10},
///    {"name": "visits", "events": "activities where kind = visit", "points": 3, "max": 15},
///    {"name": "orders", "events": "purchases", "points": 1, "per": "10000"}],
///  "decay": {"percent": 20, "every_days": 30},
///  "temperature": {"warm": 30, "hot": 60}}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringModel {
    /// The version of this form (1, the default).
    #[serde(default = "version")]
    pub version: u32,
    /// The rules, each a fit rule (`when`) or an engagement rule (`events`).
    /// Required.
    pub rules: Vec<ScoreRule>,
    /// Limits of rule groups by name (every group named here must be used
    /// by a rule; a rule's group need not be named here).
    #[serde(default)]
    pub groups: BTreeMap<String, GroupLimits>,
    /// The total score is at most this (no cap by default).
    #[serde(default)]
    pub cap: Option<i64>,
    /// Engagement points lose a share of their value per period of the
    /// event's age (none by default).
    #[serde(default)]
    pub decay: Option<Decay>,
    /// Only events of the last this many days count, up to the analysis date
    /// (all by default). Events after the analysis date never count.
    #[serde(default)]
    pub window_days: Option<u32>,
    /// Where warm and hot begin (default 30 and 60).
    #[serde(default)]
    pub temperature: Thresholds,
    /// The grade letters of the fit score and digits of the engagement score.
    #[serde(default)]
    pub grades: Grades,
}

fn version() -> u32 {
    VERSION
}

/// A rule of a [`ScoringModel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRule {
    /// The rule's name, unique in the model; the breakdown shows it.
    pub name: String,
    /// The group whose cap and floor apply (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// A fit rule: a condition on the client in the segment rule language,
    /// as text or its JSON form (`"city = Москва and has email"`). The client
    /// gets `points` when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<serde_json::Value>,
    /// An engagement rule: the rows to count, as text (`"activities where
    /// kind = visit"`, `"purchases where amount > 5000"`) or as JSON
    /// (`{"of": "activities", "where": {...}}`). The client gets `points` per
    /// row (or per full `per` of the row's amount), decayed by the row's age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<serde_json::Value>,
    /// Points per match or per event; negative points take away.
    pub points: i64,
    /// For events of deals, purchases or lines: `points` for each full
    /// amount of this size (`"10000"`, in the scoring currency) instead of per
    /// event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// The rule gives at most this many points (in absolute value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

/// The limits of a group of rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupLimits {
    /// The group gives at most this many points.
    pub cap: Option<i64>,
    /// The group takes away at most this many points (a floor on its sum,
    /// e.g. `-20`).
    pub floor: Option<i64>,
}

/// Points of an event lose `percent` of their value for each full
/// `every_days` of its age: with 25 % every 30 days an event of 65 days ago
/// counts 0.75² = 56.25 % of its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decay {
    /// The share lost per period, 1 to 100.
    pub percent: u32,
    /// The period in days, at least 1.
    pub every_days: u32,
}

/// Scores from `warm` up are warm, from `hot` up hot, the rest cold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Where warm begins (default 30).
    pub warm: i64,
    /// Where hot begins (default 60).
    pub hot: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { warm: 30, hot: 60 }
    }
}

/// A grade and the lowest score that reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    /// The grade's name (`A`, `1`).
    pub name: String,
    /// The lowest score of the grade; the last grade has none and takes the
    /// rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
}

/// The grade of a client is its fit grade followed by its engagement grade
/// (`B2`): each list is best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grades {
    /// Fit grades (default A from 60, B from 40, C from 20, D).
    pub fit: Vec<Grade>,
    /// Engagement grades (default 1 from 60, 2 from 40, 3 from 20, 4).
    pub engagement: Vec<Grade>,
}

fn ladder(names: [&str; 4]) -> Vec<Grade> {
    names
        .iter()
        .zip([Some(60), Some(40), Some(20), None])
        .map(|(name, min)| Grade {
            name: (*name).to_string(),
            min,
        })
        .collect()
}

impl Default for Grades {
    fn default() -> Grades {
        Grades {
            fit: ladder(["A", "B", "C", "D"]),
            engagement: ladder(["1", "2", "3", "4"]),
        }
    }
}

fn rule(name: &str, group: &str, points: i64) -> ScoreRule {
    ScoreRule {
        name: name.to_string(),
        group: Some(group.to_string()),
        when: None,
        events: None,
        points,
        per: None,
        max: None,
    }
}

fn fit(name: &str, when: &str, points: i64) -> ScoreRule {
    ScoreRule {
        when: Some(serde_json::Value::String(when.to_string())),
        ..rule(name, "profile", points)
    }
}

fn engagement(name: &str, events: &str, points: i64, max: i64) -> ScoreRule {
    ScoreRule {
        events: Some(serde_json::Value::String(events.to_string())),
        max: Some(max),
        ..rule(name, "activity", points)
    }
}

impl Default for ScoringModel {
    /// A general model for a client base (fit: reachable and identified;
    /// engagement: contacts, web activity and purchases of the last year,
    /// losing 20 % per 30 days):
    ///
    /// | rule | points |
    /// |---|---|
    /// | `has phone` | 10 |
    /// | `has email` | 10 |
    /// | `consent sms or consent email or consent messengers` | 10 |
    /// | `city is set` | 5 |
    /// | `kind = company` | 10 |
    /// | `stage = churned` | −20 |
    /// | inbound calls, emails and messages | 10 each, at most 40 |
    /// | meetings | 15 each, at most 30 |
    /// | site visits | 3 each, at most 15 |
    /// | submitted forms | 15 each, at most 30 |
    /// | events attended | 10 each, at most 20 |
    /// | mailings opened or clicked (outbound email whose outcome says so) | 2 each, at most 10 |
    /// | purchases | 10 each, at most 30 |
    ///
    /// Groups: `profile` capped at 50, `activity` at 100; temperature warm
    /// from 30, hot from 60.
    fn default() -> ScoringModel {
        let rules = vec![
            fit("phone", "has phone", 10),
            fit("email", "has email", 10),
            fit(
                "marketing_consent",
                "consent sms or consent email or consent messengers",
                10,
            ),
            fit("city", "city is set", 5),
            fit("company", "kind = company", 10),
            fit("churned", "stage = churned", -20),
            engagement(
                "inbound_contacts",
                "activities where direction = inbound and kind in (call, email, message)",
                10,
                40,
            ),
            engagement("meetings", "activities where kind = meeting", 15, 30),
            engagement("visits", "activities where kind = visit", 3, 15),
            engagement("forms", "activities where kind = form", 15, 30),
            engagement("events", "activities where kind = event", 10, 20),
            engagement(
                "mailing_opens",
                "activities where kind = email and direction = outbound and outcome contains any (opened, clicked, открыто, открыл)",
                2,
                10,
            ),
            engagement("purchases", "purchases", 10, 30),
        ];
        let mut groups = BTreeMap::new();
        groups.insert(
            "profile".to_string(),
            GroupLimits {
                cap: Some(50),
                floor: None,
            },
        );
        groups.insert(
            "activity".to_string(),
            GroupLimits {
                cap: Some(100),
                floor: None,
            },
        );
        ScoringModel {
            version: VERSION,
            rules,
            groups,
            cap: None,
            decay: Some(Decay {
                percent: 20,
                every_days: 30,
            }),
            window_days: Some(365),
            temperature: Thresholds::default(),
            grades: Grades::default(),
        }
    }
}

/// What a rule looks at, read from its JSON.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Fit(Rule),
    Events(Source, Option<Expr>),
}

/// A rule read and checked.
#[derive(Debug, Clone)]
pub(crate) struct CheckedRule {
    pub target: Target,
    /// `per` in minor units.
    pub per: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsJson {
    of: Source,
    #[serde(default, rename = "where")]
    filter: Option<Expr>,
}

fn read_events(value: &serde_json::Value) -> Result<(Source, Option<Expr>)> {
    match value {
        serde_json::Value::String(text) => {
            crate::segment::parse_rows(text).map_err(|e| invalid("events", e.to_string()))
        }
        serde_json::Value::Object(_) => {
            // The depth and size limits of a rule hold for the filter too.
            crate::segment::check_json_depth(value).map_err(|m| invalid("events", m))?;
            let events: EventsJson = crate::capability::from_value("events", value.clone())?;
            if let Some(filter) = &events.filter {
                crate::segment::check_limits(filter).map_err(|m| invalid("events", m))?;
            }
            Ok((events.of, events.filter))
        }
        _ => Err(invalid(
            "events",
            "events are text (`activities where kind = visit`) or {\"of\": ..., \"where\": ...}",
        )),
    }
}

fn check_grades(grades: &[Grade], field: &str) -> Result<()> {
    let Some((last, rest)) = grades.split_last() else {
        return Err(invalid(field, "at least one grade is needed"));
    };
    if last.min.is_some() {
        return Err(invalid(
            format!("{field}[{}].min", grades.len() - 1),
            "the last grade takes every lower score and has no min",
        ));
    }
    let mut above: Option<i64> = None;
    for (i, grade) in rest.iter().enumerate() {
        let Some(min) = grade.min else {
            return Err(invalid(
                format!("{field}[{i}].min"),
                "every grade but the last needs a min",
            ));
        };
        if above.is_some_and(|a| min >= a) {
            return Err(invalid(
                format!("{field}[{i}].min"),
                "grades go best first, each min below the one before",
            ));
        }
        above = Some(min);
    }
    for (i, grade) in grades.iter().enumerate() {
        if grade.name.trim().is_empty() {
            return Err(invalid(
                format!("{field}[{i}].name"),
                "a grade needs a name",
            ));
        }
    }
    Ok(())
}

impl ScoringModel {
    /// Checks the model and reads its rules; an error names the rule
    /// (`rules[3].events`) and the reason.
    pub(crate) fn check(&self, currency: Currency) -> Result<Vec<CheckedRule>> {
        if self.version != VERSION {
            return Err(invalid(
                "version",
                format!(
                    "version {} is not read by this library (it reads version {VERSION})",
                    self.version
                ),
            ));
        }
        if self.rules.is_empty() {
            return Err(invalid("rules", "a model needs at least one rule"));
        }
        if self.rules.len() > MAX_RULES {
            return Err(invalid(
                "rules",
                format!("a model has at most {MAX_RULES} rules"),
            ));
        }
        if let Some(decay) = &self.decay {
            if !(1..=100).contains(&decay.percent) {
                return Err(invalid(
                    "decay.percent",
                    "the share lost is 1 to 100 percent",
                ));
            }
            if decay.every_days == 0 {
                return Err(invalid(
                    "decay.every_days",
                    "the period is at least one day",
                ));
            }
        }
        if self.window_days == Some(0) {
            return Err(invalid("window_days", "the window is at least one day"));
        }
        if self.temperature.warm > self.temperature.hot {
            return Err(invalid(
                "temperature",
                format!(
                    "warm begins at {} and hot at {}: warm cannot begin above hot",
                    self.temperature.warm, self.temperature.hot
                ),
            ));
        }
        check_grades(&self.grades.fit, "grades.fit")?;
        check_grades(&self.grades.engagement, "grades.engagement")?;
        for (name, limits) in &self.groups {
            if let (Some(cap), Some(floor)) = (limits.cap, limits.floor) {
                if floor > cap {
                    return Err(invalid(
                        format!("groups.{name}"),
                        format!("the floor {floor} is above the cap {cap}"),
                    ));
                }
            }
        }
        let mut names = BTreeSet::new();
        let mut group_kind: BTreeMap<&str, bool> = BTreeMap::new();
        let mut checked = Vec::with_capacity(self.rules.len());
        for (i, rule) in self.rules.iter().enumerate() {
            let at = |field: &str| format!("rules[{i}].{field}");
            let name = rule.name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(invalid(
                    at("name"),
                    "a rule needs a name of 1 to 100 characters",
                ));
            }
            if !names.insert(name) {
                return Err(invalid(at("name"), format!("two rules are named {name:?}")));
            }
            if rule.max.is_some_and(|m| m < 0) {
                return Err(invalid(at("max"), "the most a rule gives is not negative"));
            }
            let target = match (&rule.when, &rule.events) {
                (Some(when), None) => {
                    Target::Fit(Rule::from_input(when).map_err(|e| e.in_field(format!("rules[{i}]")))?)
                }
                (None, Some(events)) => {
                    let (of, filter) =
                        read_events(events).map_err(|e| e.in_field(format!("rules[{i}]")))?;
                    Target::Events(of, filter)
                }
                _ => {
                    return Err(invalid(
                        format!("rules[{i}]"),
                        format!(
                            "rule {name:?} needs either `when` (a fit rule) or `events` (an engagement rule)"
                        ),
                    ))
                }
            };
            let per = match (&rule.per, &target) {
                (None, _) => None,
                (Some(_), Target::Fit(_)) | (Some(_), Target::Events(Source::Activities, _)) => {
                    return Err(invalid(
                        at("per"),
                        "points per amount need events of deals, purchases or lines",
                    ))
                }
                (Some(text), Target::Events(..)) => {
                    let minor = parse_fixed(text.trim(), currency.minor_digits())
                        .map_err(|reason| invalid(at("per"), reason))?;
                    if minor <= 0 {
                        return Err(invalid(at("per"), "the amount is above zero"));
                    }
                    Some(minor)
                }
            };
            if let Some(group) = &rule.group {
                let is_fit = matches!(target, Target::Fit(_));
                if let Some(&seen) = group_kind.get(group.as_str()) {
                    if seen != is_fit {
                        return Err(invalid(
                            at("group"),
                            format!("group {group:?} mixes fit rules and engagement rules"),
                        ));
                    }
                }
                group_kind.insert(group, is_fit);
            }
            checked.push(CheckedRule { target, per });
        }
        if let Some(unused) = self
            .groups
            .keys()
            .find(|g| !group_kind.contains_key(g.as_str()))
        {
            return Err(invalid(
                format!("groups.{unused}"),
                format!("no rule is in group {unused:?}"),
            ));
        }
        Ok(checked)
    }
}
