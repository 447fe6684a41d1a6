//! Adding a whole batch of new records at once, checked on all cores.

use super::activities::check_activity;
use super::clients::{check_relations, index_relations};
use super::ClientBase;
use crate::activity::Activity;
use crate::client::Client;
use crate::deal::Deal;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use std::collections::BTreeMap;

impl ClientBase {
    /// Adds many new records at once: the same checks and stamps as
    /// [`ClientBase::add_client`], [`ClientBase::add_deal`] and
    /// [`ClientBase::add_activity`] in id order, but run on all cores (with the
    /// `parallel` feature) and stored in one pass, which is many times faster for
    /// millions of records.
    ///
    /// Every record comes with its id, in order: clients, deals and activities are
    /// numbered on from the next free id of their kind without gaps. A record may
    /// refer to any record of the base or of the batch. Missing stamps are set to one
    /// "now" for the whole batch. An error names the first bad record of the first
    /// kind that has one, and leaves the base unchanged.
    #[cfg_attr(not(feature = "generator"), allow(dead_code))]
    pub(crate) fn add_bulk(
        &mut self,
        clients: Vec<(ClientId, Client)>,
        deals: Vec<(DealId, Deal)>,
        activities: Vec<(ActivityId, Activity)>,
    ) -> Result<()> {
        self.journaled("add_bulk", |base| {
            base.add_batch(clients, deals, activities, Batch::New)
        })
    }

    /// Adds checked records in one pass. `Batch::New` records are numbered on
    /// from the next free ids and stamped; `Batch::Stored` ones keep their ids
    /// (ascending, unused, gaps allowed) and stamps, as a base read back from
    /// JSON or a file.
    pub(super) fn add_batch(
        &mut self,
        mut clients: Vec<(ClientId, Client)>,
        mut deals: Vec<(DealId, Deal)>,
        mut activities: Vec<(ActivityId, Activity)>,
        batch: Batch,
    ) -> Result<()> {
        match batch {
            Batch::New => {
                check_numbering(
                    clients.iter().map(|(id, _)| id.0),
                    self.next_client,
                    "client",
                )?;
                check_numbering(deals.iter().map(|(id, _)| id.0), self.next_deal, "deal")?;
                check_numbering(
                    activities.iter().map(|(id, _)| id.0),
                    self.next_activity,
                    "activity",
                )?;
            }
            Batch::Stored => {
                check_stored(clients.iter().map(|(id, _)| id.0), "client", |id| {
                    self.clients.contains_key(&ClientId(id))
                })?;
                check_stored(deals.iter().map(|(id, _)| id.0), "deal", |id| {
                    self.deals.contains_key(&DealId(id))
                })?;
                check_stored(activities.iter().map(|(id, _)| id.0), "activity", |id| {
                    self.activities.contains_key(&ActivityId(id))
                })?;
            }
        }
        let stamp = matches!(batch, Batch::New);
        let now = (self.clock)();
        let base = &*self;

        check_each_mut(&mut clients, |(id, client)| {
            base.check_client_fields(client, *id)
                .map_err(|e| e.or_record(|| id.to_string()))?;
            if stamp {
                let created = *client.created_at.get_or_insert(now);
                client.updated_at.get_or_insert(created);
            }
            Ok(())
        })?;
        let client = |id: ClientId| {
            in_batch(&clients, id)
                .map(|(_, c)| c)
                .or_else(|| base.clients.get(&id))
        };
        check_each(&clients, |(id, c)| {
            check_relations(c, client).map_err(|e| e.or_record(|| id.to_string()))
        })?;
        let deal_ids: Vec<u64> = deals.iter().map(|(id, _)| id.0).collect();
        check_each_mut(&mut deals, |(id, deal)| {
            base.check_deal(
                deal,
                *id,
                |c| client(c).is_some(),
                |d| deal_ids.binary_search(&d.0).is_ok() || base.deals.contains_key(&d),
            )
            .map_err(|e| e.or_record(|| id.to_string()))?;
            if stamp {
                deal.created_at.get_or_insert(now);
            }
            Ok(())
        })?;
        let deal_client = |id: DealId| {
            in_batch(&deals, id)
                .map(|(_, d)| d.client)
                .or_else(|| base.deals.get(&id).map(|d| d.client))
        };
        check_each_mut(&mut activities, |(id, activity)| {
            check_activity(activity, *id, |c| client(c).is_some(), deal_client)
                .map_err(|e| e.or_record(|| id.to_string()))
        })?;

        for (id, _) in &clients {
            self.touch_client(*id);
        }
        for (id, _) in &deals {
            self.touch_deal(*id);
        }
        for (id, _) in &activities {
            self.touch_activity(*id);
        }
        let after = |last: Option<u64>, next: u64| last.map_or(next, |l| next.max(l + 1));
        self.next_client = after(clients.last().map(|(id, _)| id.0), self.next_client);
        self.next_deal = after(deals.last().map(|(id, _)| id.0), self.next_deal);
        self.next_activity = after(activities.last().map(|(id, _)| id.0), self.next_activity);
        let ClientBase {
            clients: client_map,
            deals: deal_map,
            activities: activity_map,
            deals_by_client,
            activities_by_client,
            activities_by_deal,
            relations_to,
            ..
        } = self;
        // Each map is built from its sorted run in one pass with full nodes, the
        // three side by side with their indexes.
        join(
            || {
                for (_, client) in &clients {
                    index_relations(relations_to, client);
                }
                client_map.append(&mut BTreeMap::from_iter(clients));
            },
            || {
                join(
                    || {
                        // A client's deals usually follow one another: one index
                        // entry per run.
                        for run in deals.chunk_by(|(_, a), (_, b)| a.client == b.client) {
                            deals_by_client
                                .entry(run[0].1.client)
                                .or_default()
                                .extend(run.iter().map(|(id, _)| *id));
                        }
                        deal_map.append(&mut BTreeMap::from_iter(deals));
                    },
                    || {
                        for run in activities.chunk_by(|(_, a), (_, b)| a.client == b.client) {
                            activities_by_client
                                .entry(run[0].1.client)
                                .or_default()
                                .extend(run.iter().map(|(id, _)| *id));
                        }
                        for (id, activity) in &activities {
                            if let Some(deal) = activity.deal {
                                activities_by_deal.entry(deal).or_default().insert(*id);
                            }
                        }
                        activity_map.append(&mut BTreeMap::from_iter(activities));
                    },
                )
            },
        );
        Ok(())
    }
}

#[cfg(feature = "parallel")]
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    rayon::join(a, b)
}

#[cfg(not(feature = "parallel"))]
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

/// How [`ClientBase::add_batch`] takes the ids and stamps of its records.
#[derive(Clone, Copy)]
pub(super) enum Batch {
    /// New records: numbered on from the next free ids, stamped now.
    New,
    /// Stored records read back: their own ids and stamps.
    Stored,
}

/// The record with `id` in a batch sorted by id.
fn in_batch<K: Copy + Ord, T>(batch: &[(K, T)], id: K) -> Option<&(K, T)> {
    batch
        .binary_search_by_key(&id, |(k, _)| *k)
        .ok()
        .map(|at| &batch[at])
}

/// Stored ids must ascend, start at 1 and not be in the base already.
fn check_stored(
    ids: impl Iterator<Item = u64>,
    kind: &str,
    taken: impl Fn(u64) -> bool,
) -> Result<()> {
    let mut last = 0;
    for id in ids {
        if id <= last || taken(id) {
            let reason = match id {
                0 => "ids start at 1",
                _ if id < last => "the records are not in id order",
                _ => "the id appears twice",
            };
            return Err(Error::new(ErrorKind::Conflict, reason)
                .with_record(format!("{kind} {id}"))
                .with_field("id"));
        }
        last = id;
    }
    Ok(())
}

/// Bulk ids must number on from `first` without gaps.
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn check_numbering(ids: impl Iterator<Item = u64>, first: u64, kind: &str) -> Result<()> {
    for (expected, id) in (first..).zip(ids) {
        if id != expected {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("{kind} {id} of a batch was expected to be {kind} {expected}"),
            )
            .with_field("id"));
        }
    }
    Ok(())
}

/// Runs `check` on every item, on all cores with the `parallel` feature; the
/// error is that of the first failing item in order.
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn check_each_mut<T: Send>(
    items: &mut [T],
    check: impl Fn(&mut T) -> Result<()> + Sync + Send,
) -> Result<()> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items
            .par_iter_mut()
            .with_min_len(256)
            .map(check)
            .find_first(Result::is_err)
            .unwrap_or(Ok(()))
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter_mut().try_for_each(check)
    }
}

/// [`check_each_mut`] for checks that only read.
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn check_each<T: Sync>(items: &[T], check: impl Fn(&T) -> Result<()> + Sync + Send) -> Result<()> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items
            .par_iter()
            .with_min_len(256)
            .map(check)
            .find_first(Result::is_err)
            .unwrap_or(Ok(()))
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().try_for_each(check)
    }
}
