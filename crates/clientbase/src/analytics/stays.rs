//! How long deals stayed in each stage, read from the change log of a base
//! kept in a file or of a base in memory that keeps one (a deal record holds
//! only its current stage).
//!
//! A stay starts when a deal is added (at its `created_at` when it has one,
//! so that a deal imported with its history starts when it was made) or
//! moved into a stage or pipeline, and ends when the deal is moved on or
//! closed (won, lost or a duplicate). A reopened deal starts a new stay. The
//! stage a deal was in before its first logged move is read from that move,
//! so deals written before the log began count too, from their `created_at`.

use crate::base::ClientBase;
use crate::error::Result;
use crate::ids::DealId;
#[cfg(feature = "storage")]
use chrono::{DateTime, Utc};
#[cfg(feature = "storage")]
use serde_json::Value;
use std::collections::HashMap;

/// A finished stay of one deal in one stage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stay {
    pub pipeline: String,
    pub stage: String,
    /// Its length in days (fractional).
    pub days: f64,
}

/// Where a deal is, as the log tells it so far.
#[cfg(feature = "storage")]
#[derive(Default)]
struct Place {
    pipeline: Option<String>,
    stage: Option<String>,
    /// Since when (`None`: not known, or the deal is closed).
    since: Option<DateTime<Utc>>,
    closed: bool,
}

#[cfg(feature = "storage")]
fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The finished stays of every deal of `base`, by deal; `None` when the
/// base keeps no change log (a base in memory without one).
pub(crate) fn finished_stays(base: &ClientBase) -> Result<Option<HashMap<DealId, Vec<Stay>>>> {
    #[cfg(feature = "storage")]
    {
        if !base.keeps_change_log() {
            return Ok(None);
        }
        let changes = base.changes(&crate::base::ChangesParams::default())?;
        let mut places: HashMap<DealId, Place> = HashMap::new();
        let mut stays: HashMap<DealId, Vec<Stay>> = HashMap::new();
        for change in &changes {
            for record in &change.records {
                let Some(id) = record
                    .record
                    .strip_prefix("deal ")
                    .and_then(|n| n.parse().ok())
                    .map(DealId)
                else {
                    continue;
                };
                let Some(deal) = base.get_deal(id) else {
                    continue;
                };
                let field = |name: &str| record.fields.get(name);
                match record.op {
                    crate::base::RecordOp::Removed => {
                        places.remove(&id);
                    }
                    crate::base::RecordOp::Added => {
                        let after = |name: &str| field(name).and_then(|f| text(&f.after));
                        let closed = field("status")
                            .is_some_and(|f| f.after.as_str().is_some_and(|s| s != "open"));
                        places.insert(
                            id,
                            Place {
                                pipeline: after("pipeline"),
                                stage: after("stage"),
                                since: (!closed).then(|| deal.created_at.unwrap_or(change.at)),
                                closed,
                            },
                        );
                    }
                    crate::base::RecordOp::Changed => {
                        let moved = field("stage").or(field("pipeline")).is_some();
                        let status = field("status");
                        if !moved && status.is_none() {
                            continue;
                        }
                        let place = places.entry(id).or_insert_with(|| Place {
                            // First seen in the log: in its stage since it was made.
                            since: deal.created_at,
                            ..Place::default()
                        });
                        let before = |name: &str, known: &Option<String>| {
                            field(name)
                                .and_then(|f| text(&f.before))
                                .or_else(|| known.clone())
                        };
                        let was_closed = status
                            .map(|f| f.before.as_str().is_some_and(|s| s != "open"))
                            .unwrap_or(place.closed);
                        let now_closed = status
                            .map(|f| f.after.as_str().is_some_and(|s| s != "open"))
                            .unwrap_or(was_closed);
                        let pipeline = before("pipeline", &place.pipeline);
                        let stage = before("stage", &place.stage);
                        if !was_closed {
                            if let (Some(since), Some(pipeline), Some(stage)) =
                                (place.since, pipeline.clone(), stage.clone())
                            {
                                if moved || now_closed {
                                    let days = (change.at - since).num_seconds() as f64 / 86_400.0;
                                    stays.entry(id).or_default().push(Stay {
                                        pipeline,
                                        stage,
                                        days: days.max(0.0),
                                    });
                                }
                            }
                        }
                        let after = |name: &str, known: Option<String>| match field(name) {
                            Some(f) => text(&f.after),
                            None => known,
                        };
                        place.pipeline = after("pipeline", pipeline);
                        place.stage = after("stage", stage);
                        place.closed = now_closed;
                        if now_closed {
                            place.since = None;
                        } else if moved || was_closed {
                            place.since = Some(change.at);
                        }
                    }
                }
            }
        }
        Ok(Some(stays))
    }
    #[cfg(not(feature = "storage"))]
    {
        let _ = base;
        Ok(None)
    }
}
