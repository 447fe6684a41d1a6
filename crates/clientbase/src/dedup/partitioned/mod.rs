//! The whole-base deduplication split into steps that run on partitions of a
//! base (Spark's `mapInArrow` and `applyInArrow`, or any engine that can sort
//! and group), giving exactly what [`MatchIndex::dedupe`] gives on one machine.
//!
//! 1. [`prepare`]: each client reduced to its matching keys, encoded as a
//!    versioned blob ([`encode_features`], [`decode_features`]), with the
//!    hashes of its blocking keys, of its term-frequency values and of every
//!    value a comparison may look up.
//! 2. The engine counts the term-frequency values ([`GlobalStats`] and
//!    [`TermCount`]s) and the block sizes, drops blocks over
//!    [`MatchOptions::max_block`] and lists each record's remaining keys.
//! 3. [`BlockScorer`]: records sorted by block key, runs of one key compared
//!    pair by pair; a pair sharing several keys is compared only under the
//!    smallest, so it is compared once however the blocks are spread.
//! 4. The engine finds the connected components of the duplicate links;
//!    [`cluster_component`] clusters each one with the chain guard, the
//!    cluster size limit and the "not a duplicate" decisions.
//!
//! Every score goes through the matcher's own scorer and every cluster
//! through its own clustering, with the global term frequencies: the steps
//! only decide where each piece of work runs.
//!
//! With the `arrow` feature the steps also take and give Arrow record batches
//! ([`prepare_batch`], [`BlockScorer::push_batch`], [`cluster_batch`],
//! [`components_batch`]): what an engine's per-batch function calls.
//!
//! [`MatchIndex::dedupe`]: super::MatchIndex::dedupe

#[cfg(all(feature = "arrow", feature = "csv"))]
mod batches;
#[cfg(all(feature = "arrow", feature = "csv"))]
pub use batches::{cluster_batch, components_batch, prepare_batch};

use super::blocking::{BlockingKey, BlockingStats};
use super::cluster::{cluster_links, Cluster, Decisions, Link};
use super::compare::{compare, MatchField, FIELDS};
use super::features::{EmailKeys, Features};
use super::index::MatchOptions;
use super::model::{key_hash, probability, Scorer, TermFrequencies, Verdict};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::ClientId;
use crate::name::Gender;
use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The version of the feature blob [`encode_features`] writes; a blob of
/// another version is refused, not misread.
pub const BLOB_VERSION: u8 = 1;

/// A client's matching keys as bytes, with its id and keys as hashes
/// (`i64`: engines such as Spark have no unsigned integers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    /// The client's id.
    pub id: i64,
    /// Its matching keys ([`encode_features`]).
    pub blob: Vec<u8>,
    /// Its blocking key hashes, each with the [`BlockingKey`] (its position
    /// in [`BlockingKey::ALL`]), sorted, without repeats.
    pub block_keys: Vec<(i64, u8)>,
    /// Its term-frequency values: the [`MatchField`] (position in
    /// [`MatchField::ALL`]) and the value's hash, one entry per value counted.
    pub term_values: Vec<(u8, i64)>,
    /// The hashes a comparison with this record may look up in the term
    /// frequencies, sorted, without repeats.
    pub lookups: Vec<i64>,
}

/// How many records of the base hold one value of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCount {
    /// The [`MatchField`]'s position in [`MatchField::ALL`].
    pub field: u8,
    /// The value's hash (as in [`Prepared::term_values`]).
    pub hash: i64,
    /// Records with that value.
    pub count: u64,
}

/// What every partition needs to know about the whole base.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GlobalStats {
    /// Records in the base (default 0).
    pub records: u64,
    /// Term-frequency values counted per field, by position in
    /// [`MatchField::ALL`] (default: none; missing fields count 0).
    pub totals: Vec<u64>,
}

impl GlobalStats {
    /// Reads the statistics from JSON.
    pub fn from_json(json: &str) -> Result<GlobalStats> {
        serde_json::from_str(json).map_err(|e| {
            Error::new(ErrorKind::Json, format!("global statistics: {e}")).with_field("stats")
        })
    }

    fn check(&self) -> Result<()> {
        if self.totals.len() > FIELDS {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "{} term-frequency totals given, the matcher has {FIELDS} fields",
                    self.totals.len()
                ),
            )
            .with_field("totals"));
        }
        Ok(())
    }
}

/// The features of `clients` (which carry their ids), with `options`'s
/// normalizer and identifiers.
pub fn prepare(clients: &[Client], options: &MatchOptions) -> Vec<Prepared> {
    crate::batch::map_column(clients, |client| {
        let f = Features::of(client, &options.normalizer, &options.identifiers);
        prepared(&f, &options.keys)
    })
}

fn prepared(f: &Features, keys: &[BlockingKey]) -> Prepared {
    let mut block_keys = Vec::new();
    for key in keys {
        key.values(f, &mut |h| block_keys.push((h as i64, *key as u8)));
    }
    block_keys.sort_unstable();
    block_keys.dedup();
    let mut term_values = Vec::new();
    TermFrequencies::each_value(f, |field, hash| {
        term_values.push((field.index() as u8, hash as i64));
    });
    let mut lookups: Vec<i64> = f.phones.iter().map(|p| *p as i64).collect();
    let mut text = |s: &str| lookups.push(key_hash(0, s) as i64);
    let single = [
        &f.surname,
        &f.family,
        &f.patronymic,
        &f.tax_id,
        &f.company_name,
        &f.city,
        &f.address,
        &f.postcode,
    ];
    for s in single.into_iter().flatten() {
        text(s);
    }
    for s in f.given.iter().chain(&f.surname_as_given) {
        text(s);
    }
    for e in &f.emails {
        text(&e.key);
        text(&e.address);
        text(e.local());
    }
    for (_, value) in &f.identifiers {
        text(value);
    }
    lookups.sort_unstable();
    lookups.dedup();
    Prepared {
        id: f.id.0 as i64,
        blob: encode_features(f),
        block_keys,
        term_values,
        lookups,
    }
}

/// Reads the clients of a table whose columns are import targets (as for
/// [`ClientBase::import_clients_table`](crate::ClientBase::import_clients_table))
/// plus `id_column`, a column of ids (whole numbers from 1). Rows that cannot
/// be read as clients (as an import would reject them) are left out; their
/// row numbers come back as the second value.
#[cfg(feature = "csv")]
pub fn read_clients(
    table: &crate::table::Table,
    id_column: &str,
) -> Result<(Vec<Client>, Vec<usize>)> {
    use crate::table::{Table, Value};
    let ids = table.column(id_column).ok_or_else(|| {
        Error::new(
            ErrorKind::UnknownField,
            format!("the table has no id column {id_column:?}"),
        )
        .with_field(id_column)
    })?;
    let ids: Vec<u64> = (0..table.rows())
        .map(|row| match ids.value(row) {
            Value::Int64(v) if v > 0 => Ok(v as u64),
            Value::UInt64(v) if v > 0 => Ok(v),
            other => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("an id must be a whole number from 1, not {other:?}"),
            )
            .with_record(format!("row {row}"))
            .with_field(id_column)),
        })
        .collect::<Result<_>>()?;
    let rest: Vec<_> = table
        .columns()
        .iter()
        .zip(table.column_names())
        .filter(|(_, name)| *name != id_column)
        .map(|(c, _)| c.clone())
        .collect();
    let rest = Table::new(rest)?;
    let leads = crate::table::read_leads(&rest, &[], crate::Schema::default())?;
    let mut clients = Vec::with_capacity(leads.len());
    let mut skipped = Vec::new();
    for (row, lead) in leads.into_iter().enumerate() {
        match lead {
            Ok(mut client) => {
                client.id = ClientId(ids[row]);
                clients.push(client);
            }
            Err(_) => skipped.push(row),
        }
    }
    Ok((clients, skipped))
}

// ---- the blob --------------------------------------------------------------------

const COMPANY: u8 = 1;
const GIVEN_INITIAL: u8 = 2;
const GIVEN_KNOWN: u8 = 4;
const PATRONYMIC_INITIAL: u8 = 8;

/// A client's matching keys as bytes: [`BLOB_VERSION`], then every key in a
/// fixed order (lengths as little-endian `u32`, numbers little-endian).
pub(crate) fn encode_features(f: &Features) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.push(BLOB_VERSION);
    out.extend_from_slice(&f.id.0.to_le_bytes());
    let flag = |on: bool, bit: u8| if on { bit } else { 0 };
    let flags = flag(f.company, COMPANY)
        | flag(f.given_initial, GIVEN_INITIAL)
        | flag(f.given_known, GIVEN_KNOWN)
        | flag(f.patronymic_initial, PATRONYMIC_INITIAL);
    out.push(flags);
    out.push(match f.gender {
        None => 0,
        Some(Gender::Male) => 1,
        Some(Gender::Female) => 2,
    });
    match f.birthday {
        Some(day) => {
            out.push(1);
            out.extend_from_slice(&day.to_epoch_days().to_le_bytes());
        }
        None => out.push(0),
    }
    let put = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    let opt = |out: &mut Vec<u8>, s: &Option<Arc<str>>| match s {
        Some(s) => {
            out.push(1);
            put(out, s);
        }
        None => out.push(0),
    };
    for s in [
        &f.surname,
        &f.family,
        &f.patronymic,
        &f.tax_id,
        &f.company_name,
        &f.city,
        &f.address,
        &f.postcode,
    ] {
        opt(&mut out, s);
    }
    for list in [&f.given, &f.surname_as_given] {
        out.extend_from_slice(&(list.len() as u32).to_le_bytes());
        for s in list {
            put(&mut out, s);
        }
    }
    out.extend_from_slice(&(f.phones.len() as u32).to_le_bytes());
    for p in &f.phones {
        out.extend_from_slice(&p.to_le_bytes());
    }
    out.extend_from_slice(&(f.emails.len() as u32).to_le_bytes());
    for e in &f.emails {
        put(&mut out, &e.address);
        put(&mut out, &e.key);
    }
    out.extend_from_slice(&(f.identifiers.len() as u32).to_le_bytes());
    for (field, value) in &f.identifiers {
        out.extend_from_slice(&field.to_le_bytes());
        put(&mut out, value);
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
}

fn bad_blob(reason: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("not a feature blob: {}", reason.into()),
    )
    .with_field("blob")
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(bad_blob(format!(
                "{n} bytes wanted, {} left",
                self.bytes.len()
            )));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn len(&mut self) -> Result<usize> {
        let n = u32::from_le_bytes(self.array()?) as usize;
        // Every entry takes at least one byte: a longer count is a bad blob,
        // refused before anything is allocated for it.
        if n > self.bytes.len() {
            return Err(bad_blob(format!(
                "a count of {n} with {} bytes left",
                self.bytes.len()
            )));
        }
        Ok(n)
    }
    fn text(&mut self) -> Result<Arc<str>> {
        let n = self.len()?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(Arc::from)
            .map_err(|e| bad_blob(format!("text that is not UTF-8 ({e})")))
    }
    fn opt_text(&mut self) -> Result<Option<Arc<str>>> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.text().map(Some),
            b => Err(bad_blob(format!("a presence byte of {b}"))),
        }
    }
}

/// Reads a blob written by [`encode_features`]; anything else (another
/// version, cut short, trailing bytes, text that is not UTF-8) is an
/// [`ErrorKind::InvalidValue`] error about the `blob` field.
pub(crate) fn decode_features(bytes: &[u8]) -> Result<Features> {
    let mut r = Reader { bytes };
    let version = r.byte()?;
    if version != BLOB_VERSION {
        return Err(bad_blob(format!(
            "version {version}, this build reads version {BLOB_VERSION}"
        )));
    }
    let id = ClientId(u64::from_le_bytes(r.array()?));
    let flags = r.byte()?;
    if flags & !(COMPANY | GIVEN_INITIAL | GIVEN_KNOWN | PATRONYMIC_INITIAL) != 0 {
        return Err(bad_blob(format!("flags {flags:#x}")));
    }
    let gender = match r.byte()? {
        0 => None,
        1 => Some(Gender::Male),
        2 => Some(Gender::Female),
        g => return Err(bad_blob(format!("gender {g}"))),
    };
    let birthday = match r.byte()? {
        0 => None,
        1 => {
            let days = i32::from_le_bytes(r.array()?);
            Some(
                NaiveDate::from_epoch_days(days)
                    .ok_or_else(|| bad_blob(format!("a birthday {days} days from 1970")))?,
            )
        }
        b => return Err(bad_blob(format!("a presence byte of {b}"))),
    };
    let mut f = Features {
        id,
        company: flags & COMPANY != 0,
        given_initial: flags & GIVEN_INITIAL != 0,
        given_known: flags & GIVEN_KNOWN != 0,
        patronymic_initial: flags & PATRONYMIC_INITIAL != 0,
        gender,
        birthday,
        ..Features::default()
    };
    f.surname = r.opt_text()?;
    f.family = r.opt_text()?;
    f.patronymic = r.opt_text()?;
    f.tax_id = r.opt_text()?;
    f.company_name = r.opt_text()?;
    f.city = r.opt_text()?;
    f.address = r.opt_text()?;
    f.postcode = r.opt_text()?;
    for list in [&mut f.given, &mut f.surname_as_given] {
        let n = r.len()?;
        for _ in 0..n {
            list.push(r.text()?);
        }
    }
    let n = r.len()?;
    for _ in 0..n {
        f.phones.push(u64::from_le_bytes(r.array()?));
    }
    let n = r.len()?;
    for _ in 0..n {
        let address = r.text()?;
        let key = r.text()?;
        f.emails.push(EmailKeys { address, key });
    }
    let n = r.len()?;
    for _ in 0..n {
        let field = u16::from_le_bytes(r.array()?);
        f.identifiers.push((field, r.text()?));
    }
    if !r.bytes.is_empty() {
        return Err(bad_blob(format!("{} bytes after the end", r.bytes.len())));
    }
    Ok(f)
}

/// The id of the client a feature blob holds (the blob read whole: an
/// [`ErrorKind::InvalidValue`] error when it is not one).
pub fn blob_id(blob: &[u8]) -> Result<i64> {
    Ok(decode_features(blob)?.id.0 as i64)
}

// ---- term frequencies from global counts -----------------------------------------

/// A frequency table holding the global counts of the given values and the
/// global totals: for any value in `counts`, as the whole base's table.
fn local_tf<'a>(
    stats: &GlobalStats,
    counts: impl Iterator<Item = &'a TermCount>,
) -> Result<TermFrequencies> {
    stats.check()?;
    let mut tf = TermFrequencies::new();
    for (i, total) in stats.totals.iter().enumerate() {
        tf.totals[i] = *total;
    }
    for c in counts {
        let table = tf.counts.get_mut(c.field as usize).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("field {} of a term count is not a match field", c.field),
            )
            .with_field("field")
        })?;
        table.insert(c.hash as u64, u32::try_from(c.count).unwrap_or(u32::MAX));
    }
    Ok(tf)
}

// ---- scoring sorted blocks ------------------------------------------------------

/// Rows of records sorted by block key, as columns: row `i` is record
/// `ids[i]` in the block `hashes[i]`.
#[derive(Debug, Clone, Default)]
pub struct BlockRows<'a> {
    /// The block key of each row; rows come sorted by it.
    pub hashes: Vec<i64>,
    /// The record's id.
    pub ids: Vec<i64>,
    /// The record's feature blob.
    pub blobs: Vec<&'a [u8]>,
    /// The global counts of the record's lookups.
    pub terms: Vec<Vec<TermCount>>,
    /// Every block key of the record that survived the block guard, sorted.
    pub keys: Vec<Vec<i64>>,
}

struct RunRecord {
    features: Features,
    terms: Vec<TermCount>,
    keys: Vec<i64>,
}

/// Scores the pairs of every run of rows with one block key, a run carried
/// over from one batch to the next; keys must come in ascending order
/// (within a partition), or [`BlockScorer::push`] fails.
pub struct BlockScorer {
    options: MatchOptions,
    stats: GlobalStats,
    key: Option<i64>,
    run: Vec<RunRecord>,
    links: Vec<Link>,
    comparisons: u64,
}

impl BlockScorer {
    /// A scorer with `options` (the model, and its blocks' guard) and the
    /// base's `stats`.
    pub fn new(options: MatchOptions, stats: GlobalStats) -> Result<BlockScorer> {
        options.check()?;
        stats.check()?;
        Ok(BlockScorer {
            options,
            stats,
            key: None,
            run: Vec::new(),
            links: Vec::new(),
            comparisons: 0,
        })
    }

    /// Takes in a batch of rows; the runs it completes are scored.
    pub fn push(&mut self, rows: BlockRows<'_>) -> Result<()> {
        let n = rows.hashes.len();
        if [
            rows.ids.len(),
            rows.blobs.len(),
            rows.terms.len(),
            rows.keys.len(),
        ]
        .iter()
        .any(|l| *l != n)
        {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                "the columns of a batch of block rows differ in length",
            )
            .with_field("rows"));
        }
        for (i, ((terms, keys), blob)) in rows
            .terms
            .into_iter()
            .zip(rows.keys)
            .zip(rows.blobs)
            .enumerate()
        {
            let hash = rows.hashes[i];
            if let Some(key) = self.key {
                if hash < key {
                    return Err(Error::new(
                        ErrorKind::InvalidValue,
                        format!("block keys out of order: {hash} after {key}; sort each partition by key"),
                    )
                    .with_record(format!("client {}", rows.ids[i]))
                    .with_field("hash"));
                }
                if hash != key {
                    self.score_run()?;
                }
            }
            self.key = Some(hash);
            let features = decode_features(blob)
                .map_err(|e| e.with_record(format!("client {}", rows.ids[i])))?;
            if features.id.0 as i64 != rows.ids[i] {
                return Err(bad_blob(format!(
                    "the blob of client {} holds client {}",
                    rows.ids[i], features.id.0
                ))
                .with_record(format!("client {}", rows.ids[i])));
            }
            self.run.push(RunRecord {
                features,
                terms,
                keys,
            });
        }
        Ok(())
    }

    /// Scores the last run (call after the last batch).
    pub fn finish(&mut self) -> Result<()> {
        self.score_run()?;
        self.key = None;
        Ok(())
    }

    /// The duplicate and related links found so far (taken out).
    pub fn take_links(&mut self) -> Vec<Link> {
        std::mem::take(&mut self.links)
    }

    /// Pairs compared so far.
    pub fn comparisons(&self) -> u64 {
        self.comparisons
    }

    fn score_run(&mut self) -> Result<()> {
        let run = std::mem::take(&mut self.run);
        let Some(key) = self.key else {
            return Ok(());
        };
        if run.len() < 2 {
            return Ok(());
        }
        if run.len() > self.options.max_block {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "a block of {} records, over the guard of {}: drop oversized blocks first",
                    run.len(),
                    self.options.max_block
                ),
            )
            .with_field("hash"));
        }
        let tf = local_tf(&self.stats, run.iter().flat_map(|r| &r.terms))?;
        let scorer = Scorer::new(&self.options.model, &tf, self.stats.records as usize);
        for (i, a) in run.iter().enumerate() {
            for b in &run[i + 1..] {
                if a.features.id == b.features.id || first_common(&a.keys, &b.keys) != Some(key) {
                    continue;
                }
                self.comparisons += 1;
                if let Some(link) = score_pair(&scorer, &a.features, &b.features) {
                    self.links.push(link);
                }
            }
        }
        Ok(())
    }
}

/// The smallest value two sorted lists share.
fn first_common(a: &[i64], b: &[i64]) -> Option<i64> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => return Some(a[i]),
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    None
}

/// A pair's link as [`MatchIndex::dedupe`](super::MatchIndex::dedupe) makes
/// it, or `None` for distinct clients.
fn score_pair(scorer: &Scorer<'_>, a: &Features, b: &Features) -> Option<Link> {
    let score = scorer.score(a, b, &compare(a, b));
    let verdict = scorer.verdict(&score);
    if verdict == Verdict::Distinct {
        return None;
    }
    let (left, right) = if a.id < b.id {
        (a.id, b.id)
    } else {
        (b.id, a.id)
    };
    Some(Link {
        left,
        right,
        weight: score.weight,
        probability: probability(score.weight),
        verdict,
    })
}

// ---- clustering one component ---------------------------------------------------

/// The records of one connected component, as columns.
#[derive(Debug, Clone, Default)]
pub struct ComponentMembers<'a> {
    /// The record's id.
    pub ids: Vec<i64>,
    /// Its feature blob.
    pub blobs: Vec<&'a [u8]>,
    /// The global counts of its lookups.
    pub terms: Vec<Vec<TermCount>>,
}

/// Clusters the duplicate `links` of one connected component (the pairs
/// `(left, right, weight)`) as [`MatchIndex::dedupe`](super::MatchIndex::dedupe)
/// clusters them: strongest first, under the chain guard, the cluster size
/// limit and `decisions`. Returns the clusters and the refused links.
pub fn cluster_component(
    options: &MatchOptions,
    stats: &GlobalStats,
    links: &[(i64, i64, f64)],
    members: ComponentMembers<'_>,
    decisions: &Decisions,
) -> Result<(Vec<Cluster>, Vec<Link>)> {
    options.check()?;
    let n = members.ids.len();
    if members.blobs.len() != n || members.terms.len() != n {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            "the columns of a component's members differ in length",
        )
        .with_field("members"));
    }
    let tf = local_tf(stats, members.terms.iter().flatten())?;
    let mut features: FxHashMap<ClientId, Features> = FxHashMap::default();
    for (id, blob) in members.ids.iter().zip(&members.blobs) {
        let f = decode_features(blob).map_err(|e| e.with_record(format!("client {id}")))?;
        features.insert(f.id, f);
    }
    let mut seen = FxHashSet::default();
    let links: Vec<Link> = links
        .iter()
        .filter(|(l, r, _)| seen.insert((*l.min(r), *l.max(r))))
        .map(|(l, r, weight)| {
            let (left, right) = (ClientId(*l.min(r) as u64), ClientId(*l.max(r) as u64));
            Link {
                left,
                right,
                weight: *weight,
                probability: probability(*weight),
                verdict: Verdict::Duplicate,
            }
        })
        .collect();
    let scorer = Scorer::new(&options.model, &tf, stats.records as usize);
    Ok(cluster_links(
        links,
        decisions,
        options.max_cluster,
        &scorer,
        |id| features.get(&id),
    ))
}

/// The blocking statistics of block sizes counted elsewhere, as
/// [`MatchIndex::dedupe`](super::MatchIndex::dedupe) reports them: `blocks`
/// holds `(key, records in a block, blocks of that key and size)`, the key
/// as its position in [`BlockingKey::ALL`] (blocks of one record count for
/// nothing; an unknown key is left out).
pub fn blocking_stats(blocks: &[(u8, u64, u64)], max_block: usize) -> Vec<BlockingStats> {
    let mut stats: Vec<BlockingStats> = BlockingKey::ALL
        .iter()
        .map(|k| BlockingStats {
            key: Some(*k),
            ..BlockingStats::default()
        })
        .collect();
    for &(kind, n, times) in blocks {
        let Some(s) = stats.get_mut(kind as usize) else {
            continue;
        };
        if n < 2 || times == 0 {
            continue;
        }
        if n > max_block as u64 {
            s.oversized_blocks += times;
            s.oversized_records += n * times;
        } else {
            s.blocks += times;
            s.comparisons += n * (n - 1) / 2 * times;
            s.largest_block = s.largest_block.max(n);
        }
    }
    stats
}

/// The connected components of an undirected graph given by its `edges`:
/// every node once, with its component named by the component's smallest
/// node, sorted by node (a union-find, for graphs that fit one machine).
pub fn components(edges: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut parent: FxHashMap<i64, i64> = FxHashMap::default();
    fn root(parent: &mut FxHashMap<i64, i64>, x: i64) -> i64 {
        let mut r = x;
        while let Some(&up) = parent.get(&r) {
            if up == r {
                break;
            }
            r = up;
        }
        // Path compression.
        let mut y = x;
        while y != r {
            let up = parent[&y];
            parent.insert(y, r);
            y = up;
        }
        r
    }
    for &(a, b) in edges {
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    let nodes: Vec<i64> = parent.keys().copied().collect();
    let mut out: Vec<(i64, i64)> = nodes
        .into_iter()
        .map(|x| (x, root(&mut parent, x)))
        .collect();
    out.sort_unstable();
    out
}

/// The probability of a match weight in bits, as links report it.
pub fn link_probability(weight: f64) -> f64 {
    probability(weight)
}

/// The matcher's fields by name, in the order their positions number them.
pub fn field_names() -> Vec<&'static str> {
    MatchField::ALL.iter().map(|f| f.name()).collect()
}

#[cfg(all(test, feature = "generator"))]
mod tests {
    use super::*;
    use crate::dedup::MatchIndex;
    use proptest::prelude::*;

    fn base() -> &'static crate::ClientBase {
        static BASE: std::sync::OnceLock<crate::ClientBase> = std::sync::OnceLock::new();
        BASE.get_or_init(|| {
            crate::generator::generate(&crate::generator::GeneratorConfig::new(600, 5))
                .unwrap()
                .base
        })
    }

    #[test]
    fn blobs_round_trip_every_record() {
        let base = base();
        let index = MatchIndex::build(base, MatchOptions::default()).unwrap();
        for f in &index.records {
            let blob = encode_features(f);
            assert_eq!(&decode_features(&blob).unwrap(), f);
            assert_eq!(blob_id(&blob).unwrap(), f.id.0 as i64);
        }
        let mut blob = encode_features(&index.records[0]);
        blob[0] = 2;
        assert!(decode_features(&blob)
            .unwrap_err()
            .reason()
            .contains("version 2"));
        blob[0] = BLOB_VERSION;
        blob.push(0);
        assert!(decode_features(&blob)
            .unwrap_err()
            .reason()
            .contains("after the end"));
    }

    /// The whole pipeline on one machine, the blocks and counts computed
    /// here as an engine would: equal to `MatchIndex::dedupe`.
    #[test]
    fn partitioned_steps_equal_one_machine() {
        let base = base();
        let options = MatchOptions {
            max_block: 6,
            ..MatchOptions::default()
        };
        let index = MatchIndex::build(base, options.clone()).unwrap();
        let mut decisions = Decisions::new();
        let expected = index.dedupe(&Decisions::new());
        let decided = expected.clusters[0].links[0];
        decisions.not_duplicate(decided.left, decided.right);
        let expected = index.dedupe(&decisions);
        let clients: Vec<Client> = base.clients().cloned().collect();
        let prepared = prepare(&clients, &options);
        // Counts.
        let mut counts: FxHashMap<(u8, i64), u64> = FxHashMap::default();
        let mut totals = vec![0u64; FIELDS];
        for p in &prepared {
            for (field, hash) in &p.term_values {
                *counts.entry((*field, *hash)).or_default() += 1;
                totals[*field as usize] += 1;
            }
        }
        let stats = GlobalStats {
            records: prepared.len() as u64,
            totals,
        };
        let terms_of = |p: &Prepared| -> Vec<TermCount> {
            let mut out = Vec::new();
            for ((field, hash), count) in &counts {
                if p.lookups.binary_search(hash).is_ok() {
                    out.push(TermCount {
                        field: *field,
                        hash: *hash,
                        count: *count,
                    });
                }
            }
            out
        };
        let mut sizes: std::collections::BTreeMap<i64, (u8, u64)> = Default::default();
        for p in &prepared {
            for (hash, kind) in &p.block_keys {
                sizes.entry(*hash).or_insert((*kind, 0)).1 += 1;
            }
        }
        let blocks: Vec<(u8, u64, u64)> = sizes.values().map(|(k, n)| (*k, *n, 1)).collect();
        assert_eq!(
            blocking_stats(&blocks, options.max_block),
            expected.blocking
        );
        let keep = |h: &i64| (2..=options.max_block as u64).contains(&sizes[h].1);
        let mut rows: Vec<(i64, usize)> = Vec::new();
        let keys: Vec<Vec<i64>> = prepared
            .iter()
            .map(|p| {
                let mut k: Vec<i64> = p.block_keys.iter().map(|k| k.0).filter(keep).collect();
                k.dedup();
                k
            })
            .collect();
        for (i, k) in keys.iter().enumerate() {
            rows.extend(k.iter().map(|h| (*h, i)));
        }
        rows.sort_unstable_by_key(|(h, i)| (*h, prepared[*i].id));
        let terms: Vec<Vec<TermCount>> = prepared.iter().map(terms_of).collect();
        let mut scorer = BlockScorer::new(options.clone(), stats.clone()).unwrap();
        // Three batches, so runs cross batch boundaries.
        for chunk in rows.chunks(rows.len() / 3 + 1) {
            scorer
                .push(BlockRows {
                    hashes: chunk.iter().map(|r| r.0).collect(),
                    ids: chunk.iter().map(|r| prepared[r.1].id).collect(),
                    blobs: chunk
                        .iter()
                        .map(|r| prepared[r.1].blob.as_slice())
                        .collect(),
                    terms: chunk.iter().map(|r| terms[r.1].clone()).collect(),
                    keys: chunk.iter().map(|r| keys[r.1].clone()).collect(),
                })
                .unwrap();
        }
        scorer.finish().unwrap();
        assert_eq!(scorer.comparisons(), expected.comparisons);
        let mut links = scorer.take_links();
        links.sort_by_key(|l| (l.left, l.right));
        let mut expected_links: Vec<Link> = expected.related.clone();
        for c in &expected.clusters {
            expected_links.extend(&c.links);
        }
        expected_links.extend(&expected.refused);
        expected_links.sort_by_key(|l| (l.left, l.right));
        let related: Vec<Link> = links
            .iter()
            .filter(|l| l.verdict == Verdict::Related)
            .copied()
            .collect();
        for l in &expected_links {
            assert!(links.contains(l), "{l:?} not scored alike");
        }
        // Components, by a plain union-find here.
        let dup: Vec<(i64, i64, f64)> = links
            .iter()
            .filter(|l| l.verdict == Verdict::Duplicate)
            .map(|l| (l.left.0 as i64, l.right.0 as i64, l.weight))
            .collect();
        let mut parent: FxHashMap<i64, i64> = FxHashMap::default();
        fn root(p: &mut FxHashMap<i64, i64>, x: i64) -> i64 {
            let up = *p.entry(x).or_insert(x);
            if up == x {
                x
            } else {
                let r = root(p, up);
                p.insert(x, r);
                r
            }
        }
        for (l, r, _) in &dup {
            let (a, b) = (root(&mut parent, *l), root(&mut parent, *r));
            parent.insert(a.max(b), a.min(b));
        }
        let mut comps: std::collections::BTreeMap<i64, Vec<(i64, i64, f64)>> = Default::default();
        for link in &dup {
            let c = root(&mut parent, link.0);
            comps.entry(c).or_default().push(*link);
        }
        let by_id: FxHashMap<i64, usize> = prepared
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i))
            .collect();
        let (mut clusters, mut refused) = (Vec::new(), Vec::new());
        for comp_links in comps.values() {
            let mut ids: Vec<i64> = comp_links.iter().flat_map(|l| [l.0, l.1]).collect();
            ids.sort_unstable();
            ids.dedup();
            let members = ComponentMembers {
                blobs: ids
                    .iter()
                    .map(|i| prepared[by_id[i]].blob.as_slice())
                    .collect(),
                terms: ids.iter().map(|i| terms[by_id[i]].clone()).collect(),
                ids,
            };
            let (c, r) =
                cluster_component(&options, &stats, comp_links, members, &decisions).unwrap();
            clusters.extend(c);
            refused.extend(r);
        }
        clusters.sort_by_key(|c| c.id);
        refused.sort_by_key(|l| (l.left, l.right));
        assert_eq!(clusters, expected.clusters);
        assert_eq!(refused, expected.refused);
        assert!(refused
            .iter()
            .any(|l| (l.left, l.right) == (decided.left, decided.right)));
        let cluster_of = expected.cluster_of();
        let kept: Vec<Link> = related
            .into_iter()
            .filter(|l| {
                !cluster_of.contains_key(&l.left)
                    || cluster_of.get(&l.left) != cluster_of.get(&l.right)
            })
            .collect();
        assert_eq!(kept, expected.related);
    }

    #[test]
    fn components_name_each_by_its_smallest_node() {
        let chain: Vec<(i64, i64)> = (0..1000)
            .map(|i| ((i * 7919) % 1000 + 10, ((i + 1) * 7919) % 1000 + 10))
            .collect();
        let mut edges = chain;
        edges.push((5000, 5001));
        edges.push((5002, 5001));
        let found = components(&edges);
        assert_eq!(found.len(), 1003);
        assert!(found[..1000].iter().all(|(_, c)| *c == 10));
        assert_eq!(&found[1000..], &[(5000, 5000), (5001, 5000), (5002, 5000)]);
    }

    #[test]
    fn keys_out_of_order_are_an_error() {
        let base = base();
        let clients: Vec<Client> = base.clients().take(2).cloned().collect();
        let prepared = prepare(&clients, &MatchOptions::default());
        let mut scorer = BlockScorer::new(MatchOptions::default(), GlobalStats::default()).unwrap();
        let err = scorer
            .push(BlockRows {
                hashes: vec![5, 3],
                ids: prepared.iter().map(|p| p.id).collect(),
                blobs: prepared.iter().map(|p| p.blob.as_slice()).collect(),
                terms: vec![Vec::new(), Vec::new()],
                keys: vec![vec![5], vec![3]],
            })
            .unwrap_err();
        assert!(err.reason().contains("out of order"), "{err}");
        assert_eq!(err.field(), Some("hash"));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_decode_to_an_error_or_a_blob_that_round_trips(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
            version_first in any::<bool>(),
        ) {
            let mut bytes = bytes;
            if version_first && !bytes.is_empty() {
                bytes[0] = BLOB_VERSION;
            }
            match decode_features(&bytes) {
                Ok(f) => prop_assert_eq!(encode_features(&f), bytes),
                Err(e) => prop_assert_eq!(e.field(), Some("blob")),
            }
        }

        #[test]
        fn truncated_blobs_are_refused(cut in 0usize..400, record in 0usize..600) {
            let base = base();
            let clients: Vec<Client> = base.clients().skip(record).take(1).cloned().collect();
            let prepared = prepare(&clients, &MatchOptions::default());
            let blob = &prepared[0].blob;
            let cut = cut.min(blob.len() - 1);
            prop_assert!(decode_features(&blob[..cut]).is_err());
        }
    }
}
