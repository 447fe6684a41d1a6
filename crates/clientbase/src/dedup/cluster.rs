//! Deduplicating a whole base: score every blocked pair, cluster the duplicates
//! into clients with stable ids, guard against chains, and keep related links
//! and "not a duplicate" decisions apart.

use super::blocking::BlockingStats;
use super::compare::compare;
use super::features::Features;
use super::index::MatchIndex;
use super::model::{probability, Scorer, Verdict};
use crate::ids::ClientId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Two clients linked by the matcher.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The older record (smaller id).
    pub left: ClientId,
    /// The newer record.
    pub right: ClientId,
    /// The match weight in bits.
    pub weight: f64,
    /// The match probability.
    pub probability: f64,
    /// Duplicate or related.
    pub verdict: Verdict,
}

/// Records of one client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// The cluster's id: the id of its oldest record, so it stays the same
    /// across runs while that record is in it, whatever else joins.
    pub id: ClientId,
    /// The records, oldest first.
    pub members: Vec<ClientId>,
    /// The links that joined the records (a spanning tree), strongest first.
    pub links: Vec<Link>,
}

impl Cluster {
    /// The weakest link, the first to review.
    pub fn weakest(&self) -> Option<&Link> {
        self.links.last()
    }

    /// The strongest link.
    pub fn strongest(&self) -> Option<&Link> {
        self.links.first()
    }
}

/// "These two are not the same client": decisions a person made in review,
/// remembered so the pair is not proposed again (serializable, to keep next to
/// the base).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "DecisionsData")]
pub struct Decisions {
    not_duplicates: BTreeSet<(ClientId, ClientId)>,
}

/// Decisions as written: pairs in any order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionsData {
    #[serde(default)]
    not_duplicates: Vec<(ClientId, ClientId)>,
}

impl From<DecisionsData> for Decisions {
    fn from(data: DecisionsData) -> Decisions {
        data.not_duplicates.into_iter().collect()
    }
}

/// Decisions from `(a, b)` pairs of different clients, in any order.
impl FromIterator<(ClientId, ClientId)> for Decisions {
    fn from_iter<I: IntoIterator<Item = (ClientId, ClientId)>>(pairs: I) -> Decisions {
        let mut decisions = Decisions::new();
        for (a, b) in pairs {
            decisions.not_duplicate(a, b);
        }
        decisions
    }
}

impl Decisions {
    /// No decisions.
    pub fn new() -> Decisions {
        Decisions::default()
    }

    /// Reads decisions from JSON (`{"not_duplicates": [[1, 2]]}`); an unknown
    /// key is an error naming it.
    pub fn from_json(json: &str) -> crate::error::Result<Decisions> {
        serde_json::from_str(json).map_err(|e| {
            crate::error::Error::new(crate::error::ErrorKind::Json, format!("decisions: {e}"))
                .with_field("not_duplicates")
        })
    }

    fn key(a: ClientId, b: ClientId) -> (ClientId, ClientId) {
        if a <= b {
            (a, b)
        } else {
            (b, a)
        }
    }

    /// Records that `a` and `b` are different clients.
    pub fn not_duplicate(&mut self, a: ClientId, b: ClientId) {
        self.not_duplicates.insert(Decisions::key(a, b));
    }

    /// Takes a decision back.
    pub fn forget(&mut self, a: ClientId, b: ClientId) -> bool {
        self.not_duplicates.remove(&Decisions::key(a, b))
    }

    /// Whether `a` and `b` were decided to be different clients.
    pub fn is_not_duplicate(&self, a: ClientId, b: ClientId) -> bool {
        self.not_duplicates.contains(&Decisions::key(a, b))
    }

    /// Every decided pair.
    pub fn pairs(&self) -> impl Iterator<Item = (ClientId, ClientId)> + '_ {
        self.not_duplicates.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_read_pairs_in_either_order() {
        let read: Decisions =
            serde_json::from_str(r#"{"not_duplicates": [[8, 3], [1, 2]]}"#).unwrap();
        assert!(read.is_not_duplicate(ClientId(3), ClientId(8)));
        assert!(read.is_not_duplicate(ClientId(2), ClientId(1)));
        let again: Decisions =
            serde_json::from_str(&serde_json::to_string(&read).unwrap()).unwrap();
        assert_eq!(again, read);
    }

    #[test]
    fn decisions_about_clients_not_in_the_base_are_refused() {
        let mut base = crate::ClientBase::default();
        for given in ["Анна", "Ольга", "Пётр", "Иван", "Олег"] {
            base.add_client(crate::Client::person("Иванов", given, None))
                .unwrap();
        }
        let index = MatchIndex::build(&base, super::super::MatchOptions::default()).unwrap();
        let mut decisions = Decisions::new();
        decisions.not_duplicate(ClientId(2), ClientId(1));
        assert!(index.check_decisions(&decisions).is_ok());
        decisions.not_duplicate(ClientId(5), ClientId(99_999));
        let err = index.check_decisions(&decisions).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::UnknownId);
        assert_eq!(err.record(), Some("client 99999"));
        assert_eq!(err.field(), Some("not_duplicates"));
        assert_eq!(
            err.reason(),
            "the pair [5, 99999] names client 99999, which is not in the base"
        );
    }
}

/// What deduplicating a base found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dedupe {
    /// Clients compared.
    pub records: u64,
    /// Distinct pairs compared.
    pub comparisons: u64,
    /// What each blocking key did.
    pub blocking: Vec<BlockingStats>,
    /// Clusters of two or more records, by id.
    pub clusters: Vec<Cluster>,
    /// Related clients (sharing a phone, email or address, not the same
    /// person), in no cluster together, by ids.
    pub related: Vec<Link>,
    /// Duplicate links left out of clusters: the records would have joined a
    /// cluster with a clearly different person, a pair decided not to be
    /// duplicates, or one over the size limit.
    pub refused: Vec<Link>,
}

impl Dedupe {
    /// The cluster of every record in a cluster.
    pub fn cluster_of(&self) -> BTreeMap<ClientId, ClientId> {
        self.clusters
            .iter()
            .flat_map(|c| c.members.iter().map(move |m| (*m, c.id)))
            .collect()
    }

    /// How many records would be merged away (members beyond the first).
    pub fn duplicates(&self) -> usize {
        self.clusters.iter().map(|c| c.members.len() - 1).sum()
    }
}

impl MatchIndex {
    /// Checks that every client `decisions` names is in the index: a decision
    /// about a client the index does not hold (a typo, or a decision kept for
    /// another base) is an `UnknownId` error naming the client and the pair,
    /// not a decision silently ignored. Call it on decisions a user gave,
    /// before [`MatchIndex::dedupe`].
    pub fn check_decisions(&self, decisions: &Decisions) -> crate::Result<()> {
        for (a, b) in decisions.pairs() {
            for id in [a, b] {
                if self.slot(id).is_err() {
                    return Err(crate::Error::new(
                        crate::ErrorKind::UnknownId,
                        format!(
                            "the pair [{}, {}] names {id}, which is not in the base",
                            a.0, b.0
                        ),
                    )
                    .with_record(id.to_string())
                    .with_field("not_duplicates"));
                }
            }
        }
        Ok(())
    }

    /// Deduplicates every indexed client: blocks, scores each candidate pair,
    /// clusters the duplicates and lists related clients. Pairs in `decisions`
    /// are never put in one cluster; decisions about clients not in the index
    /// change nothing ([`MatchIndex::check_decisions`] refuses them).
    ///
    /// ```
    /// use clientbase::generator::{generate, GeneratorConfig};
    /// use clientbase::dedup::{Decisions, MatchIndex, MatchOptions};
    ///
    /// let generated = generate(&GeneratorConfig::new(2_000, 7))?;
    /// let index = MatchIndex::build(&generated.base, MatchOptions::default())?;
    /// let found = index.dedupe(&Decisions::new());
    /// assert!(!found.clusters.is_empty());
    /// for cluster in &found.clusters {
    ///     assert_eq!(cluster.id, cluster.members[0]);
    /// }
    /// # Ok::<(), clientbase::Error>(())
    /// ```
    pub fn dedupe(&self, decisions: &Decisions) -> Dedupe {
        let (blocks, live) = self.current_blocks();
        let (pairs, blocking) = blocks.pairs(self.options.max_block);
        drop(blocks);
        let scorer = self.scorer();
        let records = &self.records;
        let chunks: Vec<&[u64]> = pairs.chunks(16 * 1024).collect();
        let scored: Vec<Vec<Link>> = crate::batch::map_column(&chunks, |chunk| {
            let mut out = Vec::new();
            for p in *chunk {
                let a = &records[live[(p >> 32) as usize] as usize];
                let b = &records[live[(p & 0xffff_ffff) as usize] as usize];
                let score = scorer.score(a, b, &compare(a, b));
                let verdict = scorer.verdict(&score);
                if verdict != Verdict::Distinct {
                    let (left, right) = if a.id < b.id {
                        (a.id, b.id)
                    } else {
                        (b.id, a.id)
                    };
                    out.push(Link {
                        left,
                        right,
                        weight: score.weight,
                        probability: probability(score.weight),
                        verdict,
                    });
                }
            }
            out
        });
        let mut duplicates = Vec::new();
        let mut related = Vec::new();
        for link in scored.into_iter().flatten() {
            match link.verdict {
                Verdict::Duplicate => duplicates.push(link),
                _ => related.push(link),
            }
        }
        let (clusters, refused) = self.cluster(duplicates, decisions);
        let cluster_of: BTreeMap<ClientId, ClientId> = clusters
            .iter()
            .flat_map(|c| c.members.iter().map(move |m| (*m, c.id)))
            .collect();
        related.retain(|l| {
            !cluster_of.contains_key(&l.left) || cluster_of.get(&l.left) != cluster_of.get(&l.right)
        });
        related.sort_by_key(|l| (l.left, l.right));
        Dedupe {
            records: live.len() as u64,
            comparisons: pairs.len() as u64,
            blocking,
            clusters,
            related,
            refused,
        }
    }

    /// Joins duplicate links strongest first, refusing a join that would put
    /// two clearly different records (or a decided pair) in one cluster.
    fn cluster(&self, links: Vec<Link>, decisions: &Decisions) -> (Vec<Cluster>, Vec<Link>) {
        let scorer = self.scorer();
        cluster_links(links, decisions, self.options.max_cluster, &scorer, |id| {
            self.slot(id).ok().map(|s| &self.records[s as usize])
        })
    }
}

/// Joins duplicate `links` strongest first, refusing a join that would put
/// two clearly different records (or a decided pair) in one cluster, or grow
/// one over `max_cluster`; `features` gives a record's keys (a record it does
/// not know clashes with everything). Shared by [`MatchIndex::dedupe`] and the
/// partitioned dedupe, which runs it on one connected component at a time.
pub(crate) fn cluster_links<'f>(
    mut links: Vec<Link>,
    decisions: &Decisions,
    max_cluster: usize,
    scorer: &Scorer<'_>,
    features: impl Fn(ClientId) -> Option<&'f Features>,
) -> (Vec<Cluster>, Vec<Link>) {
    links.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(a.left.cmp(&b.left))
            .then(a.right.cmp(&b.right))
    });
    let mut cluster_of: BTreeMap<ClientId, usize> = BTreeMap::new();
    let mut groups: Vec<(Vec<ClientId>, Vec<Link>)> = Vec::new();
    let mut refused = Vec::new();
    for link in links {
        if decisions.is_not_duplicate(link.left, link.right) {
            refused.push(link);
            continue;
        }
        let (ga, gb) = (
            cluster_of.get(&link.left).copied(),
            cluster_of.get(&link.right).copied(),
        );
        if ga.is_some() && ga == gb {
            continue;
        }
        let one = |id: ClientId| vec![id];
        let a_members = ga.map_or_else(|| one(link.left), |g| groups[g].0.clone());
        let b_members = gb.map_or_else(|| one(link.right), |g| groups[g].0.clone());
        if a_members.len() + b_members.len() > max_cluster {
            refused.push(link);
            continue;
        }
        let clash = a_members.iter().any(|x| {
            b_members.iter().any(|y| {
                if decisions.is_not_duplicate(*x, *y) {
                    return true;
                }
                let (Some(fx), Some(fy)) = (features(*x), features(*y)) else {
                    return true;
                };
                scorer.score(fx, fy, &compare(fx, fy)).conflict.is_some()
            })
        });
        if clash {
            refused.push(link);
            continue;
        }
        let target = match (ga, gb) {
            (Some(g), None) | (None, Some(g)) => g,
            (Some(g), Some(h)) => {
                let (members, moved) = std::mem::take(&mut groups[h]);
                for m in &members {
                    cluster_of.insert(*m, g);
                }
                groups[g].0.extend(members);
                groups[g].1.extend(moved);
                g
            }
            (None, None) => {
                groups.push((Vec::new(), Vec::new()));
                groups.len() - 1
            }
        };
        for id in [link.left, link.right] {
            if cluster_of.insert(id, target).is_none() {
                groups[target].0.push(id);
            }
        }
        groups[target].1.push(link);
    }
    let mut clusters: Vec<Cluster> = groups
        .into_iter()
        .filter(|g| g.0.len() > 1)
        .map(|(mut members, mut links)| {
            members.sort_unstable();
            links.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            Cluster {
                id: members[0],
                members,
                links,
            }
        })
        .collect();
    clusters.sort_by_key(|c| c.id);
    refused.sort_by_key(|l| (l.left, l.right));
    (clusters, refused)
}
