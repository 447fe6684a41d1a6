//! Scoring a deduplication against a generated base's ground truth.

use super::cluster::Dedupe;
use crate::generator::{DuplicateKind, GroundTruth};
use crate::ids::ClientId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How well a deduplication found the true duplicates, pair by pair: a pair
/// of records is predicted when both are in one cluster and true when both
/// are records of one real client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Records scored.
    pub records: u64,
    /// Pairs of records of the same real client.
    pub true_pairs: u64,
    /// Pairs of records put in one cluster.
    pub predicted_pairs: u64,
    /// Pairs both true and predicted.
    pub true_positives: u64,
    /// `true_positives / predicted_pairs` (1 when nothing was predicted).
    pub precision: f64,
    /// `true_positives / true_pairs` (1 when there was nothing to find).
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
    /// Per kind of duplicate: (duplicates of that kind, found in their
    /// original's cluster).
    pub by_kind: BTreeMap<DuplicateKind, (u64, u64)>,
    /// Look-alike pairs of different people (spouses, colleagues) in the truth.
    pub related_pairs: u64,
    /// Of those, put in one cluster (wrongly merged).
    pub related_merged: u64,
    /// Of those that share a contact, linked as related.
    pub related_linked: u64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Scores `found` against the generator's `truth`.
pub fn accuracy(truth: &GroundTruth, found: &Dedupe) -> Accuracy {
    let cluster_of = found.cluster_of();
    let cluster = |id: ClientId| cluster_of.get(&id).copied().unwrap_or(id);
    let mut cells: HashMap<(ClientId, u64), u64> = HashMap::new();
    let mut entities: HashMap<u64, u64> = HashMap::new();
    for record in &truth.records {
        *cells
            .entry((cluster(record.client), record.entity.0))
            .or_insert(0) += 1;
        *entities.entry(record.entity.0).or_insert(0) += 1;
    }
    let true_positives = cells.values().map(|n| pairs(*n)).sum();
    let true_pairs = entities.values().map(|n| pairs(*n)).sum();
    let predicted_pairs = found
        .clusters
        .iter()
        .map(|c| pairs(c.members.len() as u64))
        .sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(true_positives, predicted_pairs);
    let recall = ratio(true_positives, true_pairs);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    let mut by_kind: BTreeMap<DuplicateKind, (u64, u64)> = BTreeMap::new();
    for pair in &truth.duplicates {
        let hit = cluster(pair.original) == cluster(pair.duplicate);
        for kind in &pair.kinds {
            let e = by_kind.entry(*kind).or_insert((0, 0));
            e.0 += 1;
            e.1 += u64::from(hit);
        }
    }
    let linked: std::collections::HashSet<(ClientId, ClientId)> =
        found.related.iter().map(|l| (l.left, l.right)).collect();
    let mut related_merged = 0;
    let mut related_linked = 0;
    for pair in &truth.related {
        let (a, b) = if pair.a < pair.b {
            (pair.a, pair.b)
        } else {
            (pair.b, pair.a)
        };
        related_merged += u64::from(cluster(a) == cluster(b));
        related_linked += u64::from(!pair.shared.is_empty() && linked.contains(&(a, b)));
    }
    Accuracy {
        records: truth.records.len() as u64,
        true_pairs,
        predicted_pairs,
        true_positives,
        precision,
        recall,
        f1,
        by_kind,
        related_pairs: truth.related.len() as u64,
        related_merged,
        related_linked,
    }
}
