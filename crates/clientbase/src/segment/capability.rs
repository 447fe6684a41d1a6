//! The segment capabilities: params from JSON data, rules as text or JSON.

use super::{compile, Compiled, Explanation, Options, Rule};
use crate::base::ClientBase;
use crate::error::{invalid, Result};
use crate::ids::ClientId;
use crate::money::Currency;
use crate::table::{Column, Table};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Params of [`segment()`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentParams {
    /// The rule: text (`"city = Москва and consent sms"`) or its JSON form
    /// (`{"version": 1, "rule": {...}}`). Required.
    pub rule: Option<serde_json::Value>,
    /// The analysis date relative conditions count from (default: today in
    /// the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`; `+03:00`,
    /// `Europe/Moscow`, ...).
    pub time_zone: String,
    /// The currency sums run in (default: the base's currency, else RUB).
    pub currency: Option<Currency>,
    /// Named segments the rule may refer to (`in segment "vip"`), each as
    /// text or JSON; they may refer to each other, not in a cycle.
    pub segments: BTreeMap<String, serde_json::Value>,
}

impl Default for SegmentParams {
    fn default() -> SegmentParams {
        SegmentParams {
            rule: None,
            as_of: None,
            time_zone: "UTC".into(),
            currency: None,
            segments: BTreeMap::new(),
        }
    }
}

/// Rule options from params: `as_of` defaults to today in the time zone.
pub(crate) fn options(
    as_of: Option<NaiveDate>,
    time_zone: &str,
    currency: Option<Currency>,
) -> Result<Options> {
    let zone = super::compile::time_zone(time_zone)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().with_timezone(&zone).date_naive());
    Ok(Options {
        as_of,
        time_zone: time_zone.to_string(),
        currency,
    })
}

/// Named segments given as text or JSON, each error under `segments.<name>`.
pub(crate) fn named(
    segments: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, Rule>> {
    segments
        .iter()
        .map(|(name, value)| {
            Rule::from_input(value)
                .map(|rule| (name.clone(), rule))
                .map_err(|e| e.in_field(format!("segments.{name}")))
        })
        .collect()
}

fn required(rule: &Option<serde_json::Value>) -> Result<Rule> {
    let rule = rule
        .as_ref()
        .ok_or_else(|| invalid("rule", "the rule is required, as text or its JSON form"))?;
    Rule::from_input(rule)
}

impl SegmentParams {
    /// The rule compiled against `base`.
    pub fn compile(&self, base: &ClientBase) -> Result<Compiled> {
        let rule = required(&self.rule)?;
        let options = options(self.as_of, &self.time_zone, self.currency)?;
        compile(base, &rule, &options, &named(&self.segments)?)
    }
}

/// The clients who meet the rule: a table with one `client` column (uint64
/// ids, ascending).
pub fn segment(base: &ClientBase, params: &SegmentParams) -> Result<Table> {
    let ids = params.compile(base)?.evaluate(base)?;
    Table::new(vec![Column::from_uint64s(
        "client",
        ids.into_iter().map(|id| Some(id.get())),
    )])
}

/// Params of [`segment_explain`]: those of [`segment()`] and the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExplainParams {
    /// The client to explain. Required.
    pub client: Option<ClientId>,
    /// The rule, as text or JSON. Required.
    pub rule: Option<serde_json::Value>,
    /// The analysis date (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone (default `UTC`).
    pub time_zone: String,
    /// The currency sums run in.
    pub currency: Option<Currency>,
    /// Named segments the rule may refer to.
    pub segments: BTreeMap<String, serde_json::Value>,
}

impl Default for ExplainParams {
    fn default() -> ExplainParams {
        ExplainParams {
            client: None,
            rule: None,
            as_of: None,
            time_zone: "UTC".into(),
            currency: None,
            segments: BTreeMap::new(),
        }
    }
}

/// Why one client is in the segment or not: each condition, whether it
/// held, and the client's value.
pub fn segment_explain(base: &ClientBase, params: &ExplainParams) -> Result<Explanation> {
    let client = params
        .client
        .ok_or_else(|| invalid("client", "the client to explain is required"))?;
    let compiled = SegmentParams {
        rule: params.rule.clone(),
        as_of: params.as_of,
        time_zone: params.time_zone.clone(),
        currency: params.currency,
        segments: params.segments.clone(),
    }
    .compile(base)?;
    compiled.explain(base, client)
}

/// Params of [`segment_sizes`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SizesParams {
    /// The segments, by name, as text or JSON; each may refer to the others.
    pub segments: BTreeMap<String, serde_json::Value>,
    /// The analysis date (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone (default `UTC`).
    pub time_zone: String,
    /// The currency sums run in.
    pub currency: Option<Currency>,
}

impl Default for SizesParams {
    fn default() -> SizesParams {
        SizesParams {
            segments: BTreeMap::new(),
            as_of: None,
            time_zone: "UTC".into(),
            currency: None,
        }
    }
}

/// How many clients each named segment holds, by name.
pub fn segment_sizes(base: &ClientBase, params: &SizesParams) -> Result<BTreeMap<String, u64>> {
    let segments = named(&params.segments)?;
    let options = options(params.as_of, &params.time_zone, params.currency)?;
    segments
        .iter()
        .map(|(name, rule)| {
            let ids = compile(base, rule, &options, &segments)
                .and_then(|c| c.evaluate(base))
                .map_err(|e| e.in_field(format!("segments.{name}")))?;
            Ok((name.clone(), ids.len() as u64))
        })
        .collect()
}

/// Params of [`segment_parse`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParseParams {
    /// The rule, as text or JSON. Required.
    pub rule: Option<serde_json::Value>,
}

/// A rule in both forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParsedRule {
    /// The text syntax.
    pub text: String,
    /// The JSON form.
    pub json: Rule,
}

/// Reads a rule given as text or JSON (checking the syntax and the limits,
/// not the fields: that needs a base) and gives it back in both forms.
pub fn segment_parse(params: &ParseParams) -> Result<ParsedRule> {
    let rule = required(&params.rule)?;
    Ok(ParsedRule {
        text: rule.to_text(),
        json: rule,
    })
}
