//! Scoring: points for who a client is (fit) and what they do (engagement),
//! mapped to a temperature (cold, warm, hot) and a fit × engagement grade,
//! with the breakdown by rule; and behaviour types from purchase history.
//!
//! A [`ScoringModel`] is data (JSON, versioned, unknown keys refused), in the
//! style of marketing-automation tools:
//!
//! - a **fit rule** gives its points when a condition in the segment rule
//!   language ([`crate::segment`]) holds for the client: `"kind = company
//!   and city in (Москва, Казань)"`;
//! - an **engagement rule** gives its points per event: per activity (site
//!   visit, form, event attended, inbound call, a mailing opened: an outbound
//!   email whose outcome says so), per deal or purchase, or per full amount
//!   of a purchase (`"per": "10000"`). Events are written as the rows of an
//!   aggregate: `"activities where kind = visit"`, `"purchases where amount
//!   > 5000"`;
//! - points may be negative; a rule's points are capped by its `max`, a
//!   group's by its `cap` and `floor`, the total by the model's `cap`;
//! - old events count less: `decay` takes a share of an event's points per
//!   full period of its age, and `window_days` drops events older than that.
//!   Events after the analysis date never count; an event without a date (a
//!   deal with no creation or close date) counts only in a model with
//!   neither decay nor window.
//!
//! Scores are points with two decimals (decay makes fractions); the total is
//! fit plus engagement. Temperature compares the total with the thresholds;
//! the grade is the fit grade (A–D by default) followed by the engagement
//! grade (1–4), `B2`.
//!
//! ```
//! use clientbase::scoring::{score_clients, ScoreParams, ScoringModel};
//! use clientbase::{Client, ClientBase, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! let anna = base.add_client(Client { city: Some("Москва".into()), ..Client::person("Иванова", "Анна", None) })?;
//! let model: ScoringModel = serde_json::from_value(serde_json::json!({
//!     "rules": [{"name": "moscow", "when": "city = Москва", "points": 40}],
//! })).unwrap();
//! let params = ScoreParams { model, as_of: Some("2024-06-30".parse().unwrap()), ..Default::default() };
//! let scores = score_clients(&base, &params)?;
//! assert_eq!(scores[0].client, anna);
//! assert_eq!(scores[0].score, 40.0);
//! assert_eq!(scores[0].temperature, clientbase::Temperature::Warm);
//! assert_eq!(scores[0].grade, "B4");
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! Behaviour types ([`behaviour_types`]) are the first of an ordered list of
//! named conditions that holds for the client; the default list is in
//! [`BehaviourParams`].

mod behaviour;
mod model;

pub use behaviour::{behaviour_types, behaviour_types_with, BehaviourParams, BehaviourRule};
pub use model::{
    Decay, Grade, Grades, GroupLimits, ScoreRule, ScoringModel, Thresholds, MAX_RULES, VERSION,
};

use crate::base::ClientBase;
use crate::client::Temperature;
use crate::columns::Columns;
use crate::error::{invalid, Result};
use crate::ids::ClientId;
use crate::money::Currency;
use crate::segment::{
    compile_parts, named, options, ColumnView, Compiled, EventRow, Options, Part, PartSpec,
    PartView, Rule, Step,
};
use crate::table::{Column, Table};
use chrono::{Datelike, NaiveDate};
use model::{CheckedRule, Target};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Params of [`score`] and [`score_clients`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreParams {
    /// The scoring model (default: [`ScoringModel::default`], a general
    /// model of contacts, consent, activity and purchases).
    pub model: ScoringModel,
    /// The analysis date (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`).
    pub time_zone: String,
    /// The currency of amounts (default: the base's currency, else RUB).
    pub currency: Option<Currency>,
    /// Named segments the rules may refer to (`in segment "vip"`).
    pub segments: BTreeMap<String, serde_json::Value>,
    /// Add a `breakdown` column to the table: the points of each rule that
    /// gave any, as a JSON object (default false).
    pub breakdown: bool,
}

impl Default for ScoreParams {
    fn default() -> ScoreParams {
        ScoreParams {
            model: ScoringModel::default(),
            as_of: None,
            time_zone: "UTC".into(),
            currency: None,
            segments: BTreeMap::new(),
            breakdown: false,
        }
    }
}

/// Params of [`score_explain`]: those of [`score`] and the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreExplainParams {
    /// The client. Required.
    pub client: Option<ClientId>,
    /// The scoring model (default: [`ScoringModel::default`]).
    pub model: ScoringModel,
    /// The analysis date (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`).
    pub time_zone: String,
    /// The currency of amounts (default: the base's currency, else RUB).
    pub currency: Option<Currency>,
    /// Named segments the rules may refer to.
    pub segments: BTreeMap<String, serde_json::Value>,
}

impl Default for ScoreExplainParams {
    fn default() -> ScoreExplainParams {
        let p = ScoreParams::default();
        ScoreExplainParams {
            client: None,
            model: p.model,
            as_of: p.as_of,
            time_zone: p.time_zone,
            currency: p.currency,
            segments: p.segments,
        }
    }
}

/// The score of one client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The client.
    pub client: ClientId,
    /// Fit plus engagement, within the model's cap.
    pub score: f64,
    /// The points of fit rules, after group limits.
    pub fit: f64,
    /// The points of engagement rules, after group limits.
    pub engagement: f64,
    /// Cold, warm or hot, by the model's thresholds on `score`.
    pub temperature: Temperature,
    /// The fit grade followed by the engagement grade (`B2`).
    pub grade: String,
    /// Each rule's points, in the model's order (filled by
    /// [`score_explain`]; empty in [`score_clients`] unless asked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RulePoints>,
    /// Groups whose cap or floor changed their sum.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limited: Vec<GroupPoints>,
}

/// What one rule gave a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulePoints {
    /// The rule's name.
    pub name: String,
    /// `fit` or `engagement`.
    pub kind: String,
    /// The rule's group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The points, after decay and the rule's max.
    pub points: f64,
    /// For a fit rule 1 when it held, else 0; for an engagement rule the
    /// number of events counted.
    pub matched: u64,
    /// For a fit rule in an explanation: each condition, whether it held and
    /// the client's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<Step>,
}

/// A group whose limit applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupPoints {
    /// The group.
    pub group: String,
    /// The sum of its rules' points.
    pub sum: f64,
    /// What counted after its cap or floor.
    pub points: f64,
}

/// A model compiled against a base.
struct Scorer<'m> {
    model: &'m ScoringModel,
    rules: Vec<CheckedRule>,
    /// The groups rules name, in name order, with their limits.
    groups: Vec<Group<'m>>,
    /// Each rule's group, by position in `groups`.
    group_of: Vec<Option<usize>>,
    compiled: Compiled,
    parts: Vec<Part>,
    /// The analysis date as a day number from the common era.
    as_of: i64,
    /// [`Scorer::weight`] of the events of age 0, 1, ... days, up to the
    /// window (or [`WEIGHTS`] days): computed once, as it would be per event.
    weights: Vec<Option<f64>>,
    /// The grades, by fit grade and engagement grade (`B2`).
    grade_names: Vec<Vec<String>>,
}

/// Ages of events whose weight is computed once per evaluation when the
/// model has no window.
const WEIGHTS: i64 = 4 * 366;

/// At most this many groups have their sums on the stack.
const GROUPS_ON_STACK: usize = 8;

/// The points of an engagement rule's events and their number.
struct Events<'s> {
    scorer: &'s Scorer<'s>,
    points: f64,
    per: Option<i64>,
    sum: f64,
    count: u64,
}

impl Events<'_> {
    #[inline]
    fn add(&mut self, row: EventRow) {
        let Some(weight) = self.scorer.weight(row.day) else {
            return;
        };
        self.count += 1;
        let units = match self.per {
            None => 1.0,
            Some(per) => row.amount.map_or(0.0, |a| (a.max(0) / per) as f64),
        };
        self.sum += self.points * units * weight;
    }
}

struct Group<'m> {
    name: &'m str,
    is_fit: bool,
    floor: Option<i64>,
    cap: Option<i64>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn clamp(x: f64, floor: Option<i64>, cap: Option<i64>) -> f64 {
    let x = cap.map_or(x, |c| x.min(c as f64));
    floor.map_or(x, |f| x.max(f as f64))
}

/// The position of the first grade `points` reach.
fn grade(grades: &[Grade], points: f64) -> Option<usize> {
    grades
        .iter()
        .position(|g| g.min.is_none_or(|m| points >= m as f64))
}

impl<'m> Scorer<'m> {
    fn new(
        base: &ClientBase,
        model: &'m ScoringModel,
        options: &Options,
        segments: &BTreeMap<String, Rule>,
    ) -> Result<Scorer<'m>> {
        let currency = options
            .currency
            .or(base.schema().currency())
            .unwrap_or(Currency::RUB);
        let rules = model.check(currency).map_err(|e| e.in_field("model"))?;
        let specs: Vec<PartSpec<'_>> = rules
            .iter()
            .map(|r| match &r.target {
                Target::Fit(rule) => PartSpec::Condition(&rule.rule),
                Target::Events(of, filter) => PartSpec::Rows(*of, filter.as_ref()),
            })
            .collect();
        let (compiled, parts) = compile_parts(
            base,
            &specs,
            |i| match rules[i].target {
                Target::Fit(_) => format!("model.rules[{i}].when"),
                Target::Events(..) => format!("model.rules[{i}].events"),
            },
            options,
            segments,
        )?;
        let mut names: Vec<&str> = model
            .rules
            .iter()
            .filter_map(|r| r.group.as_deref())
            .collect();
        names.sort_unstable();
        names.dedup();
        let groups: Vec<Group<'m>> = names
            .iter()
            .map(|&name| {
                let first = model
                    .rules
                    .iter()
                    .zip(&rules)
                    .find(|(r, _)| r.group.as_deref() == Some(name));
                let limits = model.groups.get(name);
                Group {
                    name,
                    is_fit: first.is_some_and(|(_, c)| matches!(c.target, Target::Fit(_))),
                    floor: limits.and_then(|l| l.floor),
                    cap: limits.and_then(|l| l.cap),
                }
            })
            .collect();
        let group_of = model
            .rules
            .iter()
            .map(|r| {
                r.group
                    .as_deref()
                    .and_then(|g| names.binary_search(&g).ok())
            })
            .collect();
        let mut scorer = Scorer {
            model,
            rules,
            groups,
            group_of,
            compiled,
            parts,
            as_of: i64::from(options.as_of.num_days_from_ce()),
            weights: Vec::new(),
            grade_names: model
                .grades
                .fit
                .iter()
                .map(|f| {
                    model
                        .grades
                        .engagement
                        .iter()
                        .map(|e| format!("{}{}", f.name, e.name))
                        .collect()
                })
                .collect(),
        };
        let ages = model.window_days.map_or(WEIGHTS, i64::from).min(WEIGHTS);
        scorer.weights = (0..=ages).map(|age| scorer.weight_of_age(age)).collect();
        Ok(scorer)
    }

    /// The decayed share of an event of `day` (a day number from the
    /// common era), or none when it does not count. An event without a date
    /// counts in full when the model has neither decay nor a window, and not
    /// at all otherwise.
    #[inline]
    fn weight(&self, day: Option<i64>) -> Option<f64> {
        let Some(day) = day else {
            return (self.model.decay.is_none() && self.model.window_days.is_none()).then_some(1.0);
        };
        let age = self.as_of - day;
        match usize::try_from(age).ok().and_then(|a| self.weights.get(a)) {
            Some(weight) => *weight,
            None => self.weight_of_age(age),
        }
    }

    /// The weight of an event `age` days old (none when it does not count).
    fn weight_of_age(&self, age: i64) -> Option<f64> {
        if age < 0 || self.model.window_days.is_some_and(|w| age > i64::from(w)) {
            return None;
        }
        Some(match &self.model.decay {
            None => 1.0,
            Some(decay) => {
                let periods = age / i64::from(decay.every_days);
                let keep = 1.0 - f64::from(decay.percent) / 100.0;
                keep.powi(i32::try_from(periods).unwrap_or(i32::MAX))
            }
        })
    }

    /// A sum of an engagement rule's events, added in the interpreter's
    /// order.
    fn events<'s>(&'s self, rule: &ScoreRule, checked: &CheckedRule) -> Events<'s> {
        Events {
            scorer: self,
            points: rule.points as f64,
            per: checked.per,
            sum: 0.0,
            count: 0,
        }
    }

    /// A client's score from the records.
    fn score(&self, client: ClientId, view: &PartView<'_>, detail: bool, explain: bool) -> Score {
        self.total(client, detail, explain, |i, rule, checked| {
            match &self.parts[i] {
                Part::Condition(node) => {
                    let held = view.holds(node);
                    let points = if held { rule.points as f64 } else { 0.0 };
                    (points, u64::from(held), explain.then(|| view.explain(node)))
                }
                Part::Rows(of, filter) => {
                    let mut events = self.events(rule, checked);
                    view.each_row(*of, filter.as_ref(), checked.per.is_some(), |row| {
                        events.add(EventRow {
                            day: row.date.map(|d| i64::from(d.num_days_from_ce())),
                            amount: row.amount,
                        })
                    });
                    (events.sum, events.count, None)
                }
            }
        })
    }

    /// A client's score from the columnar snapshot: the same as
    /// [`Scorer::score`] without an explanation.
    fn score_columns(&self, client: ClientId, view: &ColumnView<'_>, detail: bool) -> Score {
        self.total(client, detail, false, |i, rule, checked| {
            match &self.parts[i] {
                Part::Condition(_) => {
                    let held = view.holds(i);
                    let points = if held { rule.points as f64 } else { 0.0 };
                    (points, u64::from(held), None)
                }
                Part::Rows(..) => {
                    let mut events = self.events(rule, checked);
                    view.each_row(i, checked.per.is_some(), |row| events.add(row));
                    (events.sum, events.count, None)
                }
            }
        })
    }

    /// The score from each rule's points before its max, the number of
    /// matches and the explanation (`rule(i, ..)` for rule `i`).
    fn total(
        &self,
        client: ClientId,
        detail: bool,
        explain: bool,
        mut rule_points: impl FnMut(usize, &ScoreRule, &CheckedRule) -> (f64, u64, Option<Step>),
    ) -> Score {
        let model = self.model;
        let mut rules = Vec::with_capacity(if detail { model.rules.len() } else { 0 });
        let mut fit = 0.0;
        let mut engagement = 0.0;
        let mut on_stack = [0.0f64; GROUPS_ON_STACK];
        let mut on_heap = Vec::new();
        let sums: &mut [f64] = if self.groups.len() <= GROUPS_ON_STACK {
            &mut on_stack[..self.groups.len()]
        } else {
            on_heap.resize(self.groups.len(), 0.0);
            &mut on_heap
        };
        for (i, ((rule, checked), group)) in model
            .rules
            .iter()
            .zip(&self.rules)
            .zip(&self.group_of)
            .enumerate()
        {
            let is_fit = matches!(checked.target, Target::Fit(_));
            let (raw, matched, why) = rule_points(i, rule, checked);
            let points = rule.max.map_or(raw, |m| raw.clamp(-(m as f64), m as f64));
            match group {
                Some(g) => sums[*g] += points,
                None if is_fit => fit += points,
                None => engagement += points,
            }
            if detail && (explain || points != 0.0) {
                rules.push(RulePoints {
                    name: rule.name.clone(),
                    kind: if is_fit { "fit" } else { "engagement" }.into(),
                    group: rule.group.clone(),
                    points: round2(points),
                    matched,
                    why,
                });
            }
        }
        let mut limited = Vec::new();
        for (group, &mut sum) in self.groups.iter().zip(sums) {
            let points = clamp(sum, group.floor, group.cap);
            if detail && points != sum {
                limited.push(GroupPoints {
                    group: group.name.to_string(),
                    sum: round2(sum),
                    points: round2(points),
                });
            }
            if group.is_fit {
                fit += points;
            } else {
                engagement += points;
            }
        }
        let (fit, engagement) = (round2(fit), round2(engagement));
        let total = round2(clamp(fit + engagement, None, model.cap));
        let t = &model.temperature;
        let temperature = if total >= t.hot as f64 {
            Temperature::Hot
        } else if total >= t.warm as f64 {
            Temperature::Warm
        } else {
            Temperature::Cold
        };
        Score {
            client,
            score: total,
            fit,
            engagement,
            temperature,
            grade: match (
                grade(&model.grades.fit, fit),
                grade(&model.grades.engagement, engagement),
            ) {
                (Some(f), Some(e)) => self.grade_names[f][e].clone(),
                (f, e) => format!(
                    "{}{}",
                    f.map_or("", |f| model.grades.fit[f].name.as_str()),
                    e.map_or("", |e| model.grades.engagement[e].name.as_str())
                ),
            },
            rules,
            limited,
        }
    }
}

/// The score of every client of the base, in id order (on all cores with
/// the `parallel` feature). With `params.breakdown` each score lists the
/// rules that gave points and the groups whose limits applied.
///
/// Runs over the base's columnar snapshot when it keeps one, or from the
/// second evaluation after a write, which builds it
/// ([`Columns::when_worth_it`]); the first runs on the records
/// ([`score_clients_records`]). The result is the same.
pub fn score_clients(base: &ClientBase, params: &ScoreParams) -> Result<Vec<Score>> {
    match Columns::when_worth_it(base) {
        Some(columns) => score_clients_columns(base, &columns, params),
        None => score_clients_records(base, params),
    }
}

/// [`score_clients`] by the record interpreter: each client's records
/// followed one by one. The reference the columnar scoring is tested
/// against; same result.
pub fn score_clients_records(base: &ClientBase, params: &ScoreParams) -> Result<Vec<Score>> {
    let options = options(params.as_of, &params.time_zone, params.currency)?;
    let scorer = Scorer::new(base, &params.model, &options, &named(&params.segments)?)?;
    scorer.compiled.map_clients(base, |client, view| {
        scorer.score(client.id, view, params.breakdown, false)
    })
}

/// [`score_clients`] over a given snapshot of `base` (one
/// [`Columns::build`] made of this very base): rules whose fields the
/// columns hold run as column tests, the others through the record
/// interpreter for each client.
pub fn score_clients_columns(
    base: &ClientBase,
    columns: &Columns,
    params: &ScoreParams,
) -> Result<Vec<Score>> {
    let options = options(params.as_of, &params.time_zone, params.currency)?;
    let scorer = Scorer::new(base, &params.model, &options, &named(&params.segments)?)?;
    scorer
        .compiled
        .map_parts_columns(base, columns, &scorer.parts, |client, view| {
            scorer.score_columns(client, view, params.breakdown)
        })
}

/// The scores as a table, one row per client in id order: `client`,
/// `score`, `fit`, `engagement` (float64 points), `temperature` (`cold`,
/// `warm`, `hot`), `grade` (`B2`), and with `breakdown` a `breakdown` column
/// (`{"phone": 10.0, "visits": 5.4}`).
pub fn score(base: &ClientBase, params: &ScoreParams) -> Result<Table> {
    let scores = score_clients(base, params)?;
    let mut columns = vec![
        Column::from_uint64s("client", scores.iter().map(|s| Some(s.client.get()))),
        Column::from_float64s("score", scores.iter().map(|s| Some(s.score))),
        Column::from_float64s("fit", scores.iter().map(|s| Some(s.fit))),
        Column::from_float64s("engagement", scores.iter().map(|s| Some(s.engagement))),
        Column::from_texts(
            "temperature",
            scores.iter().map(|s| Some(s.temperature.name())),
        ),
        Column::from_texts("grade", scores.iter().map(|s| Some(s.grade.as_str()))),
    ];
    if params.breakdown {
        let texts: Vec<String> = scores
            .iter()
            .map(|s| {
                let map: serde_json::Map<String, serde_json::Value> = s
                    .rules
                    .iter()
                    .map(|r| (r.name.clone(), serde_json::json!(r.points)))
                    .collect();
                serde_json::Value::Object(map).to_string()
            })
            .collect();
        columns.push(Column::from_texts(
            "breakdown",
            texts.iter().map(|t| Some(t.as_str())),
        ));
    }
    Table::new(columns)
}

/// One client's score with every rule's points and, for fit rules, which
/// conditions held.
pub fn score_explain(base: &ClientBase, params: &ScoreExplainParams) -> Result<Score> {
    let client = params
        .client
        .ok_or_else(|| invalid("client", "the client to explain is required"))?;
    let options = options(params.as_of, &params.time_zone, params.currency)?;
    let scorer = Scorer::new(base, &params.model, &options, &named(&params.segments)?)?;
    scorer.compiled.with_client(base, client, |record, view| {
        scorer.score(record.id, view, true, true)
    })
}
