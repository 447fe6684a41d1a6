//! Behaviour types from purchase history: the first named condition that
//! holds for a client.

use crate::base::ClientBase;
use crate::columns::Columns;
use crate::error::{invalid, Result};
use crate::money::Currency;
use crate::segment::{compile_parts, PartSpec, Rule};
use crate::segment::{named, options};
use crate::table::{Column, Table};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A behaviour type and the condition (segment rule language, text or JSON)
/// that gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourRule {
    /// The type's name (`loyal`), unique in the list.
    pub name: String,
    /// The condition.
    pub when: serde_json::Value,
}

fn rule(name: &str, when: &str) -> BehaviourRule {
    BehaviourRule {
        name: name.to_string(),
        when: serde_json::Value::String(when.to_string()),
    }
}

/// Params of [`behaviour_types`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BehaviourParams {
    /// The types in order; a client gets the first whose condition holds,
    /// or none. The default list, over the twelve months before the
    /// analysis date:
    ///
    /// | type | condition |
    /// |---|---|
    /// | `loyal` | bought in at least 4 different months, the last time within 3 months |
    /// | `discount_driven` | at least 3 discounted product lines and at most 2 at full price |
    /// | `impulsive` | at least 3 purchases within 90 days, in at most 2 months of the year |
    /// | `purposeful` | bought, with at most 2 site visits in the 90 days before |
    /// | `browsing` | no purchase, at least 3 site visits within 90 days |
    pub rules: Vec<BehaviourRule>,
    /// The analysis date (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`).
    pub time_zone: String,
    /// The currency of amounts (default: the base's currency, else RUB).
    pub currency: Option<Currency>,
    /// Named segments the conditions may refer to.
    pub segments: BTreeMap<String, serde_json::Value>,
}

impl Default for BehaviourParams {
    fn default() -> BehaviourParams {
        BehaviourParams {
            rules: vec![
                rule(
                    "loyal",
                    "months(purchases where date within last 12 months) >= 4 and last_purchase within last 3 months",
                ),
                rule(
                    "discount_driven",
                    "count(lines where discounted = true and date within last 12 months) >= 3 and count(lines where discounted = false and date within last 12 months) <= 2",
                ),
                rule(
                    "impulsive",
                    "count(purchases where date within last 90 days) >= 3 and months(purchases where date within last 12 months) <= 2",
                ),
                rule(
                    "purposeful",
                    "count(purchases where date within last 12 months) >= 1 and count(activities where kind = visit and date within last 90 days) <= 2",
                ),
                rule(
                    "browsing",
                    "count(purchases where date within last 12 months) = 0 and count(activities where kind = visit and date within last 90 days) >= 3",
                ),
            ],
            as_of: None,
            time_zone: "UTC".into(),
            currency: None,
            segments: BTreeMap::new(),
        }
    }
}

/// The behaviour type of every client, a table in id order: `client` and
/// `behaviour` (the first type whose condition holds, null when none does).
///
/// Runs over the base's columnar snapshot when it keeps one, or from the
/// second evaluation after a write, which builds it
/// ([`Columns::when_worth_it`]); the first runs on the records. The result
/// is the same.
pub fn behaviour_types(base: &ClientBase, params: &BehaviourParams) -> Result<Table> {
    let columns = Columns::when_worth_it(base);
    behaviour_types_with(base, columns.as_deref(), params)
}

/// [`behaviour_types`] by the record interpreter (`columns` none) or over a
/// given snapshot of `base` (one [`Columns::build`] made of this very base).
pub fn behaviour_types_with(
    base: &ClientBase,
    columns: Option<&Columns>,
    params: &BehaviourParams,
) -> Result<Table> {
    if params.rules.is_empty() {
        return Err(invalid("rules", "at least one behaviour type is needed"));
    }
    if params.rules.len() > super::MAX_RULES {
        return Err(invalid(
            "rules",
            format!("at most {} behaviour types", super::MAX_RULES),
        ));
    }
    let mut names = BTreeSet::new();
    let mut rules = Vec::with_capacity(params.rules.len());
    for (i, r) in params.rules.iter().enumerate() {
        let name = r.name.trim();
        if name.is_empty() {
            return Err(invalid(format!("rules[{i}].name"), "a type needs a name"));
        }
        if !names.insert(name) {
            return Err(invalid(
                format!("rules[{i}].name"),
                format!("two types are named {name:?}"),
            ));
        }
        rules.push(Rule::from_input(&r.when).map_err(|e| e.in_field(format!("rules[{i}]")))?);
    }
    let specs: Vec<PartSpec<'_>> = rules.iter().map(|r| PartSpec::Condition(&r.rule)).collect();
    let options = options(params.as_of, &params.time_zone, params.currency)?;
    let (compiled, parts) = compile_parts(
        base,
        &specs,
        |i| format!("rules[{i}].when"),
        &options,
        &named(&params.segments)?,
    )?;
    let found = match columns {
        Some(columns) => compiled.map_parts_columns(base, columns, &parts, |client, view| {
            (client, (0..parts.len()).position(|i| view.holds(i)))
        })?,
        None => compiled.map_clients(base, |client, view| {
            let first = parts.iter().position(|part| match part {
                crate::segment::Part::Condition(node) => view.holds(node),
                crate::segment::Part::Rows(..) => false,
            });
            (client.id, first)
        })?,
    };
    Table::new(vec![
        Column::from_uint64s("client", found.iter().map(|(id, _)| Some(id.get()))),
        Column::from_texts(
            "behaviour",
            found
                .iter()
                .map(|(_, i)| i.map(|i| params.rules[i].name.trim())),
        ),
    ])
}
