//! Runs the phases of generation and puts the chunks together: ids in creation
//! order, relations, the validated inserts and the ground truth.

use super::identity::{self, Group, Planner};
use super::plan::{Plan, CHUNK};
use super::records::{Chunk, DraftClient, Typist};
use super::truth::{DuplicatePair, EntityId, GroundTruth, RecordTruth, RelatedPair};
use super::typos;
use super::{Generated, GeneratorConfig, Progress, Stage};
use crate::activity::Activity;
use crate::base::ClientBase;
use crate::client::{Relation, RelationKind};
use crate::deal::Deal;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

/// Inserts between two progress reports.
const REPORT_EVERY: u64 = 1 << 16;

/// The random stream of one chunk in one phase; independent of threads.
fn stream(seed: u64, chunk: usize, phase: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(chunk as u64 * 4 + phase);
    rng
}

#[cfg(feature = "parallel")]
fn map_chunks<T: Send, U: Send>(items: Vec<T>, f: impl Fn(usize, T) -> U + Sync + Send) -> Vec<U> {
    use rayon::prelude::*;
    items
        .into_par_iter()
        .enumerate()
        .map(|(i, item)| f(i, item))
        .collect()
}

#[cfg(not(feature = "parallel"))]
fn map_chunks<T, U>(items: Vec<T>, f: impl Fn(usize, T) -> U) -> Vec<U> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| f(i, item))
        .collect()
}

pub(crate) fn run(
    config: &GeneratorConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Generated> {
    let plan = Plan::new(config);
    let total = config.clients;
    let quotas: Vec<usize> = (0..total.div_ceil(CHUNK))
        .map(|i| CHUNK.min(total - i * CHUNK))
        .collect();
    progress(Progress {
        stage: Stage::Generating,
        done: 0,
        total: total as u64,
    });
    // Who the clients are, then (once, in order) unique mailboxes, then their records.
    let mut groups: Vec<Vec<Group>> = map_chunks(quotas, |i, quota| {
        Planner::new(&plan, i, stream(plan.seed, i, 0)).groups(quota)
    });
    identity::deduplicate_emails(&mut groups);
    let done = AtomicU64::new(0);
    let mut chunks: Vec<Chunk> = map_chunks(groups, |i, groups| {
        let chunk = Typist::new(&plan, stream(plan.seed, i, 1)).type_groups(&groups);
        let n = chunk.clients.len() as u64;
        let now = done.fetch_add(n, Ordering::Relaxed) + n;
        progress(Progress {
            stage: Stage::Generating,
            done: now,
            total: total as u64,
        });
        chunk
    });
    fix_typo_emails(&plan, &mut chunks);
    build(&plan, config, chunks, progress)
}

/// A mistyped email must not turn into another client's real address.
fn fix_typo_emails(plan: &Plan, chunks: &mut [Chunk]) {
    if chunks.iter().all(|c| c.typo_emails.is_empty()) {
        return;
    }
    let mut typo_records: HashSet<(usize, u32)> = HashSet::new();
    for (c, chunk) in chunks.iter().enumerate() {
        typo_records.extend(chunk.typo_emails.iter().map(|&i| (c, i)));
    }
    let records = chunks.iter().map(|c| c.clients.len()).sum::<usize>();
    let mut used: HashSet<u64> = HashSet::with_capacity(records + records / 4);
    for (c, chunk) in chunks.iter().enumerate() {
        for (i, draft) in chunk.clients.iter().enumerate() {
            let skip_first = typo_records.contains(&(c, i as u32));
            for (k, email) in draft.client.emails.iter().enumerate() {
                if !(skip_first && k == 0) {
                    used.insert(identity::email_key(&email.raw));
                }
            }
        }
    }
    for (c, chunk) in chunks.iter_mut().enumerate() {
        for &i in &chunk.typo_emails {
            let Some(email) = chunk.clients[i as usize].client.emails.first_mut() else {
                continue;
            };
            let mut rng = stream(plan.seed ^ 0x7970_6f73, c, 2);
            let mut key = identity::email_key(&email.raw);
            while used.contains(&key) {
                email.raw = typos::email_typo(&mut rng, email.raw.trim());
                key = identity::email_key(&email.raw);
            }
            used.insert(key);
        }
    }
}

/// Orders records by `(time, chunk, index)`: creation order, ties broken the same
/// way on every run.
fn creation_order<T>(
    chunks: &[Chunk],
    items: impl Fn(&Chunk) -> &[T],
    time: impl Fn(&T) -> i64,
) -> Vec<(i64, u32, u32)> {
    let mut order: Vec<(i64, u32, u32)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(c, chunk)| {
            items(chunk)
                .iter()
                .enumerate()
                .map(move |(i, item)| (c, i, item))
        })
        .map(|(c, i, item)| (time(item), c as u32, i as u32))
        .collect();
    sort(&mut order);
    order
}

#[cfg(feature = "parallel")]
fn sort(order: &mut [(i64, u32, u32)]) {
    use rayon::slice::ParallelSliceMut;
    order.par_sort_unstable();
}

#[cfg(not(feature = "parallel"))]
fn sort(order: &mut [(i64, u32, u32)]) {
    order.sort_unstable();
}

fn internal(what: String) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!("the generator made an inconsistent base: {what}"),
    )
}

/// Runs `a` and `b`, side by side with the `parallel` feature.
#[cfg(feature = "parallel")]
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    rayon::join(a, b)
}

#[cfg(not(feature = "parallel"))]
fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

/// The deals or activities of one chunk with their ids set, and the order in
/// which to take them: by client in id order, each client's in time order.
struct Numbered<T> {
    records: Vec<Option<T>>,
    order: Vec<u32>,
}

/// Gives the records of a chunk their ids: clients `ids`, and from `first_ids` on
/// a client's deals and activities in time order; activities learn the ids of
/// their deals.
fn number(
    mut chunk: Chunk,
    ids: &[ClientId],
    first_ids: &[(u64, u64)],
) -> (Vec<DraftClient>, Numbered<Deal>, Numbered<Activity>) {
    let mut clients: Vec<u32> = (0..chunk.clients.len() as u32).collect();
    clients.sort_unstable_by_key(|&i| ids[i as usize]);
    let mut deals = Numbered {
        order: Vec::with_capacity(chunk.deals.len()),
        records: std::mem::take(&mut chunk.deals)
            .into_iter()
            .map(|d| Some(d.deal))
            .collect(),
    };
    let activity_deals: Vec<Option<u32>> = chunk.activities.iter().map(|a| a.deal).collect();
    let mut activities = Numbered {
        order: Vec::with_capacity(chunk.activities.len()),
        records: std::mem::take(&mut chunk.activities)
            .into_iter()
            .map(|a| Some(a.activity))
            .collect(),
    };
    let mut deal_ids = vec![DealId(0); deals.records.len()];
    let mut in_time_order: Vec<(i64, u32)> = Vec::new();
    for &i in &clients {
        let draft = &mut chunk.clients[i as usize];
        let id = ids[i as usize];
        draft.client.id = id;
        let (first_deal, first_activity) = first_ids[i as usize];

        in_time_order.clear();
        in_time_order.extend(draft.deals.clone().map(|d| {
            let at = deals.records[d as usize]
                .as_ref()
                .and_then(|deal| deal.created_at);
            (at.map_or(0, |t| t.timestamp()), d)
        }));
        in_time_order.sort_unstable();
        for (&(_, d), k) in in_time_order.iter().zip(0..) {
            if let Some(deal) = &mut deals.records[d as usize] {
                deal.id = DealId(first_deal + k);
                deal.client = id;
                deal_ids[d as usize] = deal.id;
            }
            deals.order.push(d);
        }

        in_time_order.clear();
        in_time_order.extend(draft.activities.clone().map(|a| {
            let at = activities.records[a as usize].as_ref().map(|act| act.at);
            (at.map_or(0, |t| t.timestamp()), a)
        }));
        in_time_order.sort_unstable();
        for (&(_, a), k) in in_time_order.iter().zip(0..) {
            if let Some(activity) = &mut activities.records[a as usize] {
                activity.id = ActivityId(first_activity + k);
                activity.client = id;
                activity.deal = activity_deals[a as usize].map(|d| deal_ids[d as usize]);
            }
            activities.order.push(a);
        }
    }
    (chunk.clients, deals, activities)
}

/// Takes the numbered records of every chunk in id order: `order` says where each
/// client in creation order is, `counts` how many records it has.
fn gather<T, I>(
    order: &[(i64, u32, u32)],
    counts: impl Fn(usize) -> u32,
    mut parts: Vec<Numbered<T>>,
    id: impl Fn(&T) -> I,
    total: usize,
    report: &(dyn Fn(u64) + Sync),
) -> Result<Vec<(I, T)>> {
    let mut out = Vec::with_capacity(total);
    let mut taken = vec![0usize; parts.len()];
    for (k, &(_, c, _)) in order.iter().enumerate() {
        let c = c as usize;
        let part = &mut parts[c];
        let count = counts(k) as usize;
        let from = taken[c];
        let indexes = part
            .order
            .get(from..from + count)
            .ok_or_else(|| internal(format!("chunk {c} ran out of records")))?;
        for &i in indexes {
            let record = part.records[i as usize]
                .take()
                .ok_or_else(|| internal(format!("record {i} of chunk {c} is used twice")))?;
            out.push((id(&record), record));
        }
        taken[c] += count;
        report(count as u64);
    }
    Ok(out)
}

fn build(
    plan: &Plan,
    config: &GeneratorConfig,
    mut chunks: Vec<Chunk>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Generated> {
    let client_order = creation_order(
        &chunks,
        |c| &c.clients,
        |d| d.client.created_at.map_or(0, |t| t.timestamp()),
    );
    let mut ids: Vec<Vec<ClientId>> = chunks
        .iter()
        .map(|c| vec![ClientId(0); c.clients.len()])
        .collect();
    for (k, &(_, c, i)) in client_order.iter().enumerate() {
        ids[c as usize][i as usize] = ClientId(k as u64 + 1);
    }

    // A relation is held by the later record and points at the earlier one.
    let mut related = Vec::new();
    for (c, chunk) in chunks.iter_mut().enumerate() {
        for r in std::mem::take(&mut chunk.related) {
            let (a, b) = (ids[c][r.a as usize], ids[c][r.b as usize]);
            let (first, second, holder) = if a < b { (a, b, r.b) } else { (b, a, r.a) };
            // Only the employee can hold `employee_of`.
            let recorded = r.recorded && (r.kind != RelationKind::EmployeeOf || holder == r.b);
            if recorded {
                chunk.clients[holder as usize]
                    .client
                    .relations
                    .push(Relation {
                        kind: r.kind,
                        to: first,
                    });
            }
            related.push(RelatedPair {
                a: first,
                b: second,
                kind: r.kind,
                shared: r.shared,
                recorded,
            });
        }
    }
    related.sort_by_key(|p| (p.a, p.b));
    let mut duplicates: Vec<DuplicatePair> = Vec::new();
    for (c, chunk) in chunks.iter_mut().enumerate() {
        for d in std::mem::take(&mut chunk.duplicates) {
            duplicates.push(DuplicatePair {
                original: ids[c][d.original as usize],
                duplicate: ids[c][d.duplicate as usize],
                kinds: d.kinds,
            });
        }
    }
    duplicates.sort_by_key(|p| p.duplicate);

    // Who each record is in the truth, and where its deals and activities start in
    // id order: a client's come right after those of the client before it.
    let mut entity_ids: Vec<Vec<u64>> = chunks.iter().map(|_| vec![0; CHUNK]).collect();
    let mut entities = 0u64;
    let mut records = Vec::with_capacity(client_order.len());
    let mut first_ids: Vec<Vec<(u64, u64)>> = chunks
        .iter()
        .map(|c| vec![(0, 0); c.clients.len()])
        .collect();
    let mut counts: Vec<(u32, u32)> = Vec::with_capacity(client_order.len());
    let (mut next_deal, mut next_activity) = (1u64, 1u64);
    for (k, &(_, c, i)) in client_order.iter().enumerate() {
        let (c, i) = (c as usize, i as usize);
        let draft = &mut chunks[c].clients[i];
        let slot = &mut entity_ids[c][draft.entity as usize];
        if *slot == 0 {
            entities += 1;
            *slot = entities;
        }
        records.push(RecordTruth {
            client: ClientId(k as u64 + 1),
            entity: EntityId(*slot),
            phones: std::mem::take(&mut draft.phones),
        });
        first_ids[c][i] = (next_deal, next_activity);
        let count = (draft.deals.len() as u32, draft.activities.len() as u32);
        counts.push(count);
        next_deal += u64::from(count.0);
        next_activity += u64::from(count.1);
    }
    let (deal_total, activity_total) = ((next_deal - 1) as usize, (next_activity - 1) as usize);
    let total_inserts = (client_order.len() + deal_total + activity_total) as u64;
    let gathered = AtomicU64::new(0);
    let report = |n: u64| {
        let before = gathered.fetch_add(n, Ordering::Relaxed);
        if before / REPORT_EVERY != (before + n) / REPORT_EVERY {
            // Storing is the last step; the total is reported when it is done.
            progress(Progress {
                stage: Stage::Inserting,
                done: (before + n).min(total_inserts.saturating_sub(1)),
                total: total_inserts,
            });
        }
    };

    // Each chunk numbers its records (on all cores), the records are gathered in id
    // order (clients, deals and activities side by side), and the base checks and
    // stores them in one go.
    let numbered = map_chunks(
        chunks.into_iter().zip(ids).zip(first_ids).collect(),
        |_, ((chunk, ids), first_ids)| number(chunk, &ids, &first_ids),
    );
    let mut drafts = Vec::with_capacity(numbered.len());
    let mut deal_parts = Vec::with_capacity(numbered.len());
    let mut activity_parts = Vec::with_capacity(numbered.len());
    for (d, deals, activities) in numbered {
        drafts.push(d);
        deal_parts.push(deals);
        activity_parts.push(activities);
    }
    let (clients, (deals, activities)) = join(
        || {
            let mut clients = Vec::with_capacity(client_order.len());
            for &(_, c, i) in &client_order {
                let client = std::mem::take(&mut drafts[c as usize][i as usize].client);
                clients.push((client.id, client));
                report(1);
            }
            drop(drafts);
            clients
        },
        || {
            join(
                || {
                    let count = |k: usize| counts[k].0;
                    gather(
                        &client_order,
                        count,
                        deal_parts,
                        |d| d.id,
                        deal_total,
                        &report,
                    )
                },
                || {
                    let count = |k: usize| counts[k].1;
                    let id = |a: &Activity| a.id;
                    gather(
                        &client_order,
                        count,
                        activity_parts,
                        id,
                        activity_total,
                        &report,
                    )
                },
            )
        },
    );

    let mut base = ClientBase::new(config.schema.clone());
    base.freeze_clock(Some(plan.now));
    base.add_bulk(clients, deals?, activities?)?;
    progress(Progress {
        stage: Stage::Inserting,
        done: total_inserts,
        total: total_inserts,
    });

    let truth = GroundTruth {
        seed: plan.seed,
        entities,
        records,
        duplicates,
        related,
        lookalikes: Vec::new(),
    };
    Ok(Generated { base, truth })
}
