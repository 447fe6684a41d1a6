//! The match index: a base's clients reduced to matching keys and blocked, to
//! match one new record on insert or the whole base at once.

use super::blocking::{BlockIndex, BlockingKey};
use super::compare::compare;
use super::features::Features;
use super::model::{
    estimate_m, estimate_u, expected_matches, probability, Estimate, Explanation, MatchModel,
    Patterns, Scorer, TermFrequencies, Verdict,
};
use crate::base::ClientBase;
use crate::client::Client;
use crate::contacts::ContactNormalizer;
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::ClientId;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// How clients are matched.
#[derive(Debug, Clone)]
pub struct MatchOptions {
    /// The match model (weights, prior, threshold).
    pub model: MatchModel,
    /// The blocking keys (all of them by default).
    pub keys: Vec<BlockingKey>,
    /// Blocks larger than this are skipped (default 20 records: a name more
    /// common than that cannot make a match on its own, and two records of
    /// one client that share it usually share a phone, email, birthday or
    /// address too, whose blocks are small).
    pub max_block: usize,
    /// Clusters never grow beyond this many records (default 50); a larger
    /// group is a chain of look-alikes, not one client.
    pub max_cluster: usize,
    /// Candidates below this probability are not returned on insert unless they
    /// are related (default 0.01).
    pub candidate_floor: f64,
    /// How phones and emails not yet normalized are read.
    pub normalizer: ContactNormalizer,
    /// Custom fields compared as identifiers (a passport, СНИЛС, a loyalty
    /// card), besides those the base's schema marks as identifying.
    pub identifiers: Vec<String>,
}

impl Default for MatchOptions {
    fn default() -> MatchOptions {
        MatchOptions {
            model: MatchModel::default(),
            keys: BlockingKey::ALL.to_vec(),
            max_block: 20,
            max_cluster: 50,
            candidate_floor: 0.01,
            normalizer: ContactNormalizer::default(),
            identifiers: Vec::new(),
        }
    }
}

/// [`MatchOptions`] as data (JSON, Python dicts): every entry optional.
///
/// ```
/// use clientbase::dedup::MatchOptions;
/// let options = MatchOptions::from_json(r#"{"max_block": 100, "keys": ["phone", "email"], "threshold": 0.95}"#)?;
/// assert_eq!(options.max_block, 100);
/// assert_eq!(options.model.threshold, 0.95);
/// assert!(MatchOptions::from_json(r#"{"keys": ["shoe_size"]}"#).is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSettings {
    /// The whole model (weights, prior, threshold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<MatchModel>,
    /// Just the threshold probability of the default or given model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Blocking keys by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    /// The block size guard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_block: Option<usize>,
    /// The cluster size limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cluster: Option<usize>,
    /// The candidate floor on insert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_floor: Option<f64>,
    /// Whether different given names veto a match (see
    /// [`MatchModel::given_name_veto`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name_veto: Option<bool>,
    /// The default region for phones typed without a country code (`RU`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_region: Option<String>,
    /// Custom fields compared as identifiers, besides those the schema marks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Vec<String>>,
}

impl MatchOptions {
    /// Options from [`MatchSettings`]; what is not set keeps its default.
    pub fn from_settings(settings: MatchSettings) -> Result<MatchOptions> {
        let mut options = MatchOptions::default();
        if let Some(model) = settings.model {
            options.model = model;
        }
        if let Some(threshold) = settings.threshold {
            options.model.threshold = threshold;
        }
        if let Some(keys) = settings.keys {
            options.keys = keys
                .iter()
                .map(|k| {
                    BlockingKey::from_name(k).ok_or_else(|| {
                        let names: Vec<&str> = BlockingKey::ALL.iter().map(|k| k.name()).collect();
                        invalid(
                            "keys",
                            format!("{k:?} is not a blocking key ({})", names.join(", ")),
                        )
                    })
                })
                .collect::<Result<_>>()?;
        }
        if let Some(veto) = settings.given_name_veto {
            options.model.given_name_veto = veto;
        }
        if let Some(max_block) = settings.max_block {
            options.max_block = max_block;
        }
        if let Some(max_cluster) = settings.max_cluster {
            options.max_cluster = max_cluster;
        }
        if let Some(floor) = settings.candidate_floor {
            options.candidate_floor = floor;
        }
        if let Some(identifiers) = settings.identifiers {
            options.identifiers = identifiers;
        }
        if let Some(region) = settings.phone_region {
            options.normalizer.phones = crate::phone::PhoneNormalizer::new(&region)?;
        }
        options.check()?;
        Ok(options)
    }

    /// Options from [`MatchSettings`] as JSON; an empty object gives the defaults.
    pub fn from_json(json: &str) -> Result<MatchOptions> {
        let settings: MatchSettings = serde_json::from_str(json).map_err(|e| {
            Error::new(ErrorKind::Json, format!("match options: {e}")).with_field("options")
        })?;
        MatchOptions::from_settings(settings)
    }

    /// Checks the options.
    pub fn check(&self) -> Result<()> {
        self.model.check()?;
        if self.max_block < 2 {
            return Err(invalid("max_block", "blocks need room for two records"));
        }
        if self.max_cluster < 2 {
            return Err(invalid("max_cluster", "clusters need room for two records"));
        }
        if self.keys.is_empty() {
            return Err(invalid("keys", "at least one blocking key is needed"));
        }
        Ok(())
    }
}

/// An existing client that may be the same as (or related to) a new record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The existing client.
    pub client: ClientId,
    /// The match probability.
    pub probability: f64,
    /// The match weight in bits.
    pub weight: f64,
    /// Duplicate, related or distinct.
    pub verdict: Verdict,
    /// Field by field, why.
    pub explanation: Explanation,
}

/// A base's clients, indexed for matching. Build it once, keep it next to the
/// base, and [`insert`](MatchIndex::insert) every client you add.
///
/// ```
/// use clientbase::{Client, ClientBase};
/// use clientbase::dedup::{MatchIndex, MatchOptions, Verdict};
///
/// let mut base = ClientBase::default();
/// let mut old = Client::person("Иванов", "Сергей", Some("Петрович")).with_phone("8 916 123-45-67");
/// old.birthday = chrono::NaiveDate::from_ymd_opt(1985, 3, 7);
/// let id = base.add_client(old)?;
/// let index = MatchIndex::build(&base, MatchOptions::default())?;
///
/// // Is this lead already a client?
/// let mut lead = Client::person("Ivanov", "Sergey", None).with_phone("+7 916 1234567");
/// lead.birthday = chrono::NaiveDate::from_ymd_opt(1985, 3, 7);
/// let found = index.find(&lead, 5);
/// assert_eq!(found[0].client, id);
/// assert_eq!(found[0].verdict, Verdict::Duplicate);
/// println!("{}", found[0].explanation.to_text());
/// # Ok::<(), clientbase::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MatchIndex {
    pub(crate) options: MatchOptions,
    pub(crate) records: Vec<Features>,
    live: Vec<bool>,
    live_count: usize,
    by_id: FxHashMap<ClientId, u32>,
    blocks: BlockIndex,
    /// Key values of records inserted since the blocks were built.
    added: FxHashMap<u64, Vec<u32>>,
    pub(crate) tf: TermFrequencies,
}

impl MatchIndex {
    /// Indexes every client of `base`.
    pub fn build(base: &ClientBase, mut options: MatchOptions) -> Result<MatchIndex> {
        options.check()?;
        for name in &options.identifiers {
            if base.schema().field(name).is_none() {
                return Err(invalid(
                    "identifiers",
                    format!("{name:?} is not a custom field of the schema"),
                ));
            }
        }
        for field in base.schema().fields().filter(|f| f.identifier) {
            if !options.identifiers.contains(&field.name) {
                options.identifiers.push(field.name.clone());
            }
        }
        let clients: Vec<&Client> = base.clients().collect();
        let records: Vec<Features> = crate::batch::map_column(&clients, |c| {
            Features::of(c, &options.normalizer, &options.identifiers)
        });
        let blocks = BlockIndex::build(&records, &options.keys);
        let tf = TermFrequencies::of(&records);
        let by_id = records
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id, i as u32))
            .collect();
        Ok(MatchIndex {
            live: vec![true; records.len()],
            live_count: records.len(),
            options,
            records,
            by_id,
            blocks,
            added: FxHashMap::default(),
            tf,
        })
    }

    /// How many clients are indexed.
    pub fn len(&self) -> usize {
        self.live_count
    }

    /// Whether no client is indexed.
    pub fn is_empty(&self) -> bool {
        self.live_count == 0
    }

    /// The options the index matches with.
    pub fn options(&self) -> &MatchOptions {
        &self.options
    }

    /// The model the index scores with.
    pub fn model(&self) -> &MatchModel {
        &self.options.model
    }

    /// Replaces the model (weights set by hand or estimated elsewhere).
    pub fn set_model(&mut self, model: MatchModel) -> Result<()> {
        model.check()?;
        self.options.model = model;
        Ok(())
    }

    /// Adds a client added to the base (or replaces the entry of one updated).
    /// A client not yet in the base has no id to index: that is an
    /// [`ErrorKind::InvalidValue`] error about its `id`, and the index is
    /// unchanged.
    pub fn insert(&mut self, client: &Client) -> Result<()> {
        if client.id == ClientId::default() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "a client not yet in the base has no id to index; add it to the base first",
            )
            .with_record("new client")
            .with_field("id"));
        }
        self.remove(client.id);
        let features = Features::of(client, &self.options.normalizer, &self.options.identifiers);
        let slot = self.records.len() as u32;
        for key in &self.options.keys {
            let added = &mut self.added;
            key.values(&features, &mut |h| {
                let list = added.entry(h).or_default();
                if list.last() != Some(&slot) {
                    list.push(slot);
                }
            });
        }
        self.tf.count(&features, 1);
        self.by_id.insert(client.id, slot);
        self.records.push(features);
        self.live.push(true);
        self.live_count += 1;
        Ok(())
    }

    /// Takes a client removed from the base (or merged away) out of the index.
    pub fn remove(&mut self, id: ClientId) -> bool {
        let Some(slot) = self.by_id.remove(&id) else {
            return false;
        };
        self.live[slot as usize] = false;
        self.live_count -= 1;
        self.tf.count(&self.records[slot as usize], -1);
        true
    }

    pub(crate) fn scorer(&self) -> Scorer<'_> {
        Scorer::new(&self.options.model, &self.tf, self.live_count)
    }

    pub(crate) fn slot(&self, id: ClientId) -> Result<u32> {
        self.by_id.get(&id).copied().ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownId,
                format!("client {id} is not in the match index"),
            )
            .with_record(id.to_string())
        })
    }

    /// Every slot sharing a blocking key with `features`, skipping blocks over
    /// the guard.
    fn candidate_slots(&self, features: &Features) -> Vec<u32> {
        let mut seen = FxHashSet::default();
        let max = self.options.max_block;
        for key in &self.options.keys {
            key.values(features, &mut |h| {
                let old = self.blocks.block(h);
                let new = self.added.get(&h).map_or(&[][..], Vec::as_slice);
                if old.len() + new.len() > max {
                    return;
                }
                seen.extend(old.iter().chain(new).copied());
            });
        }
        let mut slots: Vec<u32> = seen
            .into_iter()
            .filter(|s| self.live[*s as usize] && self.records[*s as usize].id != features.id)
            .collect();
        slots.sort_unstable();
        slots
    }

    /// The existing clients that may be `client` (a new lead, a record being
    /// typed), best first, at most `limit`: duplicates and related clients, and
    /// anything above the candidate floor, each with its explanation.
    pub fn find(&self, client: &Client, limit: usize) -> Vec<Candidate> {
        let query = Features::of(client, &self.options.normalizer, &self.options.identifiers);
        let scorer = self.scorer();
        let floor = self.options.candidate_floor;
        let mut found: Vec<(f64, u32, super::model::Score)> = self
            .candidate_slots(&query)
            .into_iter()
            .filter_map(|slot| {
                let other = &self.records[slot as usize];
                let score = scorer.score(&query, other, &compare(&query, other));
                let keep = scorer.verdict(&score) != Verdict::Distinct
                    || probability(score.weight) >= floor;
                keep.then_some((score.weight, slot, score))
            })
            .collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        found.truncate(limit);
        found
            .into_iter()
            .map(|(weight, slot, score)| {
                let other = &self.records[slot as usize];
                let explanation = scorer.explain(&query, other, &compare(&query, other));
                Candidate {
                    client: other.id,
                    probability: probability(weight),
                    weight,
                    verdict: scorer.verdict(&score),
                    explanation,
                }
            })
            .collect()
    }

    /// [`MatchIndex::find`] for many leads at once, on all cores with the
    /// `parallel` feature; one list of candidates per lead, in input order.
    pub fn find_many(&self, clients: &[Client], limit: usize) -> Vec<Vec<Candidate>> {
        crate::batch::map_column_with_min(clients, 64, |client| self.find(client, limit))
    }

    /// Why two indexed clients are (or are not) the same client.
    pub fn explain(&self, a: ClientId, b: ClientId) -> Result<Explanation> {
        let (x, y) = (self.slot(a)?, self.slot(b)?);
        let (x, y) = (&self.records[x as usize], &self.records[y as usize]);
        Ok(self.scorer().explain(x, y, &compare(x, y)))
    }

    /// The blocks of the live records: the built ones, or rebuilt when records
    /// were inserted or removed since.
    pub(crate) fn current_blocks(&self) -> (std::borrow::Cow<'_, BlockIndex>, Vec<u32>) {
        let live: Vec<u32> = (0..self.records.len() as u32)
            .filter(|s| self.live[*s as usize])
            .collect();
        if self.added.is_empty() && live.len() == self.records.len() {
            return (std::borrow::Cow::Borrowed(&self.blocks), live);
        }
        let records: Vec<Features> = live
            .iter()
            .map(|s| self.records[*s as usize].clone())
            .collect();
        (
            std::borrow::Cow::Owned(BlockIndex::build(&records, &self.options.keys)),
            live,
        )
    }

    /// Estimates the weights from the base itself, without labels: u from
    /// `random_pairs` random pairs of clients (how often strangers agree), then
    /// m and the prior by expectation maximisation over the blocked candidate
    /// pairs. The estimated model replaces the index's.
    pub fn estimate(&mut self, random_pairs: u64, seed: u64) -> Result<Estimate> {
        let n = self.live_count;
        if n < 100 {
            return Err(invalid(
                "records",
                format!("{n} clients are too few to estimate weights from (100 or more)"),
            ));
        }
        let (blocks, live) = self.current_blocks();
        let max_block = self.options.max_block;
        let records = &self.records;
        let pattern_of =
            |a: u32, b: u32| compare(&records[a as usize], &records[b as usize]).levels;
        let mut random = Patterns::default();
        let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
        for _ in 0..random_pairs {
            let a = live[(splitmix(&mut state) % n as u64) as usize];
            let b = live[(splitmix(&mut state) % n as u64) as usize];
            if a != b {
                *random.entry(pattern_of(a, b)).or_insert(0) += 1;
            }
        }
        let mut model = self.options.model.clone();
        estimate_u(&mut model, &random);
        // One EM session per blocking key, as Splink trains: within a key's
        // blocks its own fields always agree, so they are left out and the
        // other fields' m estimated; later sessions refine what earlier ones set.
        let mut iterations = 0;
        for key in [BlockingKey::Phone, BlockingKey::Name] {
            if !self.options.keys.contains(&key) {
                continue;
            }
            let (pairs, _) = blocks.pairs_of(Some(key), max_block);
            let patterns = count_patterns(&pairs, &live, pattern_of);
            iterations += estimate_m(&mut model, &patterns, key.fields(), 100).0;
        }
        let (pairs, _) = blocks.pairs(max_block);
        drop(blocks);
        let candidate = count_patterns(&pairs, &live, pattern_of);
        // The prior: as many duplicates per record as the candidate pairs are
        // expected to hold under it (a fixed point, reached in a few rounds).
        let mut matches = 0.0;
        for _ in 0..20 {
            matches = expected_matches(&model, &candidate, model.prior_weight(n));
            let next = (matches / n as f64).clamp(1e-6, 0.5);
            let settled = (next - model.duplicates_per_record).abs() < 1e-4;
            model.duplicates_per_record = next;
            if settled {
                break;
            }
        }
        let share = matches / pairs.len().max(1) as f64;
        model.check()?;
        let estimate = Estimate {
            pairs: pairs.len() as u64,
            patterns: candidate.len(),
            random_pairs,
            iterations,
            match_share: share,
            duplicates_per_record: model.duplicates_per_record,
        };
        self.options.model = model;
        Ok(estimate)
    }
}

/// Counts the comparison patterns of candidate pairs (slots of `live` packed
/// as in [`BlockIndex::pairs`]).
fn count_patterns<F>(pairs: &[u64], live: &[u32], pattern: F) -> Patterns
where
    F: Fn(u32, u32) -> [u8; super::compare::FIELDS] + Sync,
{
    let chunks: Vec<&[u64]> = pairs.chunks(64 * 1024).collect();
    let partial = crate::batch::map_column(&chunks, |chunk| {
        let mut counts = Patterns::default();
        for p in *chunk {
            let (a, b) = (live[(p >> 32) as usize], live[(p & 0xffff_ffff) as usize]);
            *counts.entry(pattern(a, b)).or_insert(0) += 1;
        }
        counts
    });
    let mut total = Patterns::default();
    for counts in partial {
        for (k, v) in counts {
            *total.entry(k).or_insert(0) += v;
        }
    }
    total
}

/// A small seeded generator for sampling pairs.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
