//! Stage actions: what a deal's move to a stage triggers.
//!
//! The printing shop's story: an order moves to `ready`, and the client gets
//! an SMS "your order is ready". The rule is a `stage_entered` rule of the
//! set ([`AutomationRules`](super::AutomationRules)); this module answers,
//! for one move a host just made (a deal and its new stage), or for every
//! move the change log holds since a time, which actions it triggers.

use super::due::{actions_table, rules_of, stage_rule_applies, Action, Planner, Why};
use super::{AutomationRules, RuleKind};
use crate::base::ClientBase;
use crate::error::{invalid, Result};
use crate::ids::DealId;
use crate::table::Table;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Params of [`stage_actions`]: one move (`deal`, with `stage`) or the
/// moves of the change log since a time (`since`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageParams {
    /// The deal that moved (or give `since`).
    pub deal: Option<DealId>,
    /// The stage it moved to (default: the deal's stage now).
    pub stage: Option<String>,
    /// Every move in the change log at or after this time (a base kept in
    /// a file only).
    pub since: Option<DateTime<Utc>>,
    /// The day of the move given by `deal` (default: today in the time zone).
    pub as_of: Option<NaiveDate>,
    /// The time zone dates are read in (default `UTC`).
    pub time_zone: String,
    /// The rules; only `stage_entered` ones are read (default: the default
    /// set, which has none).
    pub rules: Option<AutomationRules>,
    /// Named segments the rules' `when` conditions may refer to.
    pub segments: BTreeMap<String, serde_json::Value>,
    /// Keys of actions already done elsewhere.
    pub done: Vec<String>,
}

impl Default for StageParams {
    fn default() -> StageParams {
        StageParams {
            deal: None,
            stage: None,
            since: None,
            as_of: None,
            time_zone: "UTC".into(),
            rules: None,
            segments: BTreeMap::new(),
            done: Vec::new(),
        }
    }
}

/// The actions the stage moves trigger, as the table of
/// [`due`](super::due()) (key `rule/deal-N/yyyy-mm-dd`, the day of the move).
/// A move is of an open deal into the rule's stage (and pipeline, when the
/// rule names one), its client meeting the rule's `when`; the deal's other
/// fields are read as they are now. With `since`, each move the log holds
/// (the deal added in the stage, or its `stage` changed), for deals still
/// in the base; on a base in memory without a change log
/// ([`ClientBase::keep_change_log`]) that is an
/// [`ErrorKind::Storage`](crate::ErrorKind::Storage) error. Actions whose
/// key is done (on the base's activities or in `done`) are left out.
pub fn stage_actions(base: &ClientBase, params: &StageParams) -> Result<Table> {
    stage_actions_in(base, base, params)
}

/// [`stage_actions`] on the clients and deals of `base`, the moves of `since`
/// read from the change log of `log`: a role's view (a copy that keeps no
/// log) reads the moves of the base it was made from, and a move of a deal
/// outside the view gives nothing.
pub(crate) fn stage_actions_in(
    base: &ClientBase,
    log: &ClientBase,
    params: &StageParams,
) -> Result<Table> {
    let rules = rules_of(&params.rules)?;
    let planner = Planner::new(base, params.as_of, &params.time_zone, &params.done, &rules)?;
    let prepared = planner.prepare(&rules, &params.segments, None, |r| {
        r.kind == RuleKind::StageEntered
    })?;
    let moves: Vec<(DealId, String, NaiveDate)> = match (params.deal, params.since) {
        (Some(_), Some(_)) => {
            return Err(invalid("since", "give a deal or since, not both"));
        }
        (Some(id), None) => {
            let deal = base.deal(id).map_err(|e| e.with_field("deal"))?;
            let stage = match &params.stage {
                Some(s) if s.trim().is_empty() => return Err(invalid("stage", "empty")),
                Some(s) => s.clone(),
                None => deal.stage.to_string(),
            };
            vec![(id, stage, planner.as_of)]
        }
        (None, Some(since)) => {
            if params.stage.is_some() {
                return Err(invalid("stage", "the stages come from the log with since"));
            }
            moves_since(log, since, &planner)?
        }
        (None, None) => {
            return Err(invalid(
                "deal",
                "give the deal that moved, or since to read the moves of the change log",
            ))
        }
    };
    let mut actions: Vec<Action> = Vec::new();
    for p in &prepared {
        for (id, stage, day) in &moves {
            let Some(deal) = base.get_deal(*id) else {
                continue;
            };
            if !stage_rule_applies(p.rule, deal, stage) || !p.admits(deal.client) {
                continue;
            }
            let Some(client) = base.get_client(deal.client) else {
                continue;
            };
            let reason = || Why::Text(format!("moved to stage «{stage}» on {day}").into());
            if let Some(action) = planner.action(p, client, Some(deal), Some(*day), reason)? {
                if !actions.iter().any(|a| a.key() == action.key()) {
                    actions.push(action);
                }
            }
        }
    }
    actions_table(std::slice::from_ref(&actions))
}

#[cfg(feature = "storage")]
fn moves_since(
    base: &ClientBase,
    since: DateTime<Utc>,
    planner: &Planner<'_>,
) -> Result<Vec<(DealId, String, NaiveDate)>> {
    let params = crate::base::ChangesParams {
        since: Some(since),
        ..Default::default()
    };
    let mut moves = Vec::new();
    for change in base.changes(&params)? {
        for record in &change.records {
            let Some(id) = super::due::deal_of_record(&record.record) else {
                continue;
            };
            let Some(stage) = record.fields.get("stage").and_then(|f| f.after.as_str()) else {
                continue;
            };
            let day = change.at.with_timezone(&planner.zone).date_naive();
            moves.push((id, stage.to_string(), day));
        }
    }
    Ok(moves)
}

#[cfg(not(feature = "storage"))]
fn moves_since(
    _base: &ClientBase,
    _since: DateTime<Utc>,
    _planner: &Planner<'_>,
) -> Result<Vec<(DealId, String, NaiveDate)>> {
    Err(crate::error::Error::new(
        crate::error::ErrorKind::Storage,
        "the base is in memory and keeps no change log (the storage feature is off)",
    )
    .with_field("since"))
}
