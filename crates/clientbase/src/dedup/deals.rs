//! Duplicate deals: a new deal that repeats an open one of the same client or
//! decision unit (spouses, relatives, colleagues of one company) is closed as
//! its duplicate, unless the older deal was abandoned or is another manager's;
//! then a person decides.

use super::cluster::Link;
use crate::base::ClientBase;
use crate::client::RelationKind;
use crate::deal::{Deal, DealStatus};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// When a deal counts as a duplicate of an older one.
///
/// In JSON every key is optional (`{"window_days": 30}` keeps the default
/// `abandoned_after_days`) and an unknown key is an error naming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DealRules {
    /// The older deal was opened at most this many days before the newer one
    /// (default 90).
    pub window_days: u32,
    /// The older deal is abandoned after this many days without an activity
    /// (default 30): its duplicate is flagged for a decision, not closed.
    pub abandoned_after_days: u32,
}

impl Default for DealRules {
    fn default() -> DealRules {
        DealRules {
            window_days: 90,
            abandoned_after_days: 30,
        }
    }
}

/// What to do with a duplicate deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DealAction {
    /// Close the newer deal with status duplicate of the older
    /// ([`ClientBase::close_duplicate_deal`]).
    Close,
    /// The older deal had no activity for this many days: maybe the client
    /// came back for real. A person decides.
    ReviewAbandoned {
        /// Days since the older deal's last activity (or its opening).
        idle_days: i64,
    },
    /// The older deal is another manager's. A person decides who keeps it.
    ReviewOtherManager {
        /// The older deal's manager.
        older: String,
        /// The newer deal's manager.
        newer: String,
    },
    /// An open deal in the same pipeline with nothing to compare: a deal
    /// without product lines and another title (the wife of a client asking
    /// about the same flat). Maybe the same purchase; a person decides.
    ReviewSamePipeline,
}

/// A newer deal that repeats an older open one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateDeal {
    /// The newer deal (`None` for a deal not yet added).
    pub newer: Option<DealId>,
    /// The older open deal it repeats.
    pub older: DealId,
    /// The older deal's client: the same client, or another of its decision unit.
    pub older_client: ClientId,
    /// Whether the older deal belongs to another client of the decision unit.
    pub same_decision_unit: bool,
    /// What to do.
    pub action: DealAction,
}

/// Relation kinds whose clients decide purchases together.
fn decides_together(kind: RelationKind) -> bool {
    matches!(
        kind,
        RelationKind::Spouse
            | RelationKind::Relative
            | RelationKind::Colleague
            | RelationKind::EmployeeOf
    )
}

/// The clients of `client`'s decision unit (itself first): recorded relations
/// both ways, and the related links a deduplication found.
pub fn decision_unit(base: &ClientBase, client: ClientId, related: &[Link]) -> Vec<ClientId> {
    let mut unit = vec![client];
    let mut add = |id: ClientId| {
        if !unit.contains(&id) {
            unit.push(id);
        }
    };
    if let Some(c) = base.get_client(client) {
        for r in c.relations.iter().filter(|r| decides_together(r.kind)) {
            add(r.to);
        }
    }
    for (from, kind) in base.related_to(client) {
        if decides_together(kind) {
            add(from);
        }
    }
    for link in related {
        if link.left == client {
            add(link.right);
        } else if link.right == client {
            add(link.left);
        }
    }
    unit
}

/// The open deals of `client`'s decision unit, the client's own first: what to
/// show a manager when a related person comes in as a new lead.
pub fn open_deals(base: &ClientBase, client: ClientId, related: &[Link]) -> Vec<DealId> {
    decision_unit(base, client, related)
        .into_iter()
        .flat_map(|c| {
            base.deals_of(c)
                .filter(|d| d.status == DealStatus::Open)
                .map(|d| d.id)
        })
        .collect()
}

/// How sure it is that two deals are for one purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Purchase {
    /// Nothing to compare: the same pipeline, and a deal without lines.
    Maybe,
    /// The same pipeline and a product or category in common (or no lines on
    /// either and the same title).
    Same,
}

/// Whether two deals may be for the same purchase, and how sure that is.
fn same_purchase(a: &Deal, b: &Deal) -> Option<Purchase> {
    if a.pipeline != b.pipeline || a.amount.currency() != b.amount.currency() {
        return None;
    }
    if a.lines.is_empty() || b.lines.is_empty() {
        let same = a.lines.is_empty() && b.lines.is_empty() && a.title == b.title;
        return Some(if same {
            Purchase::Same
        } else {
            Purchase::Maybe
        });
    }
    a.lines
        .iter()
        .any(|x| {
            b.lines.iter().any(|y| {
                x.product == y.product || (x.category.is_some() && x.category == y.category)
            })
        })
        .then_some(Purchase::Same)
}

/// The older open deal `deal` repeats, if any, with what to do. `deal` may be
/// in the base already or about to be added; `related` are related links from
/// a deduplication (they widen the decision unit). A deal with the same
/// product or category is preferred to one that only shares the pipeline
/// (flagged [`DealAction::ReviewSamePipeline`]).
pub fn find_duplicate_deal(
    base: &ClientBase,
    deal: &Deal,
    rules: &DealRules,
    related: &[Link],
) -> Result<Option<DuplicateDeal>> {
    base.client(deal.client)
        .map_err(|e| e.with_field("client"))?;
    if deal.status != DealStatus::Open {
        return Ok(None);
    }
    let opened = deal.created_at.unwrap_or_else(|| base.now());
    let window = Duration::days(i64::from(rules.window_days));
    let unit = decision_unit(base, deal.client, related);
    let mut best: Option<(Purchase, &Deal)> = None;
    for client in &unit {
        for older in base.deals_of(*client) {
            let older_opened = older.created_at.unwrap_or(opened);
            // A deal not yet added (id 0) repeats deals opened before it.
            let earlier = if deal.id.0 == 0 {
                older_opened <= opened
            } else {
                (older_opened, older.id) < (opened, deal.id)
            };
            if older.id == deal.id
                || older.status != DealStatus::Open
                || !earlier
                || opened - older_opened > window
            {
                continue;
            }
            let Some(purchase) = same_purchase(older, deal) else {
                continue;
            };
            // The surest, then the earliest repeated deal is the one to keep.
            let key = |p: Purchase, d: &Deal| (std::cmp::Reverse(p), d.created_at, d.id);
            if best.is_none_or(|(p, b)| key(purchase, older) < key(p, b)) {
                best = Some((purchase, older));
            }
        }
    }
    let Some((purchase, older)) = best else {
        return Ok(None);
    };
    let last_activity: Option<DateTime<Utc>> =
        base.activities_of_deal(older.id).map(|a| a.at).max();
    let since = last_activity.or(older.created_at).unwrap_or(opened);
    let idle_days = (opened - since).num_days();
    let action = match (&older.owner, &deal.owner) {
        _ if purchase == Purchase::Maybe => DealAction::ReviewSamePipeline,
        _ if idle_days > i64::from(rules.abandoned_after_days) => {
            DealAction::ReviewAbandoned { idle_days }
        }
        (Some(o), Some(n)) if o != n => DealAction::ReviewOtherManager {
            older: o.to_string(),
            newer: n.to_string(),
        },
        _ => DealAction::Close,
    };
    Ok(Some(DuplicateDeal {
        newer: (deal.id.0 != 0 && base.get_deal(deal.id).is_some()).then_some(deal.id),
        older: older.id,
        older_client: older.client,
        same_decision_unit: older.client != deal.client,
        action,
    }))
}

/// Every open deal of the base that repeats an older one, oldest first.
pub fn duplicate_deals(
    base: &ClientBase,
    rules: &DealRules,
    related: &[Link],
) -> Vec<DuplicateDeal> {
    let mut by_client: BTreeMap<ClientId, Vec<Link>> = BTreeMap::new();
    for link in related {
        by_client.entry(link.left).or_default().push(*link);
        by_client.entry(link.right).or_default().push(*link);
    }
    let mut out = Vec::new();
    let mut seen: BTreeSet<DealId> = BTreeSet::new();
    for deal in base.deals().filter(|d| d.status == DealStatus::Open) {
        let links = by_client.get(&deal.client).map_or(&[][..], Vec::as_slice);
        if let Ok(Some(found)) = find_duplicate_deal(base, deal, rules, links) {
            if seen.insert(deal.id) {
                out.push(found);
            }
        }
    }
    out
}

impl ClientBase {
    /// Closes `newer` with status duplicate of `older` (stamping `closed_at`).
    /// Both must be open; a deal cannot duplicate itself.
    pub fn close_duplicate_deal(&mut self, newer: DealId, older: DealId) -> Result<()> {
        if newer == older {
            return Err(
                invalid("status", "a deal cannot duplicate itself").with_record(newer.to_string())
            );
        }
        let older_deal = self.deal(older)?;
        if older_deal.status != DealStatus::Open {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("{older} is closed; a duplicate is closed against an open deal"),
            )
            .with_record(newer.to_string())
            .with_field("status"));
        }
        let mut deal = self.deal(newer)?.clone();
        if deal.status != DealStatus::Open {
            return Err(
                Error::new(ErrorKind::Conflict, "the deal is already closed")
                    .with_record(newer.to_string())
                    .with_field("status"),
            );
        }
        deal.status = DealStatus::DuplicateOf(older);
        deal.closed_at = Some(self.now());
        self.journaled("close_duplicate_deal", |base| base.update_deal(deal))
    }
}
