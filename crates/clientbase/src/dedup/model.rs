//! The Fellegi-Sunter match model: m and u probabilities per field and level,
//! term-frequency adjustment, match weights and their explanation, and the EM
//! estimation of m from the data.

use super::compare::{Comparison, MatchField, FIELDS};
use super::features::Features;
use crate::error::{invalid, Result};
use crate::ids::ClientId;
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

/// The m and u probabilities of one field's agreement levels.
///
/// `m[l]` is how often two records of the *same* client agree at level `l`,
/// `u[l]` how often two records of *different* clients do. Level 0 (missing on
/// one side) weighs nothing and its entries are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldWeights {
    /// The field.
    pub field: MatchField,
    /// m per level, in [`MatchField::levels`] order.
    pub m: Vec<f64>,
    /// u per level, in [`MatchField::levels`] order.
    pub u: Vec<f64>,
}

impl FieldWeights {
    /// The weight (log2 of m/u) of a level without term frequencies.
    pub fn weight(&self, level: usize) -> f64 {
        if level == 0 {
            return 0.0;
        }
        (self.m[level] / self.u[level]).log2()
    }

    fn check(&self) -> Result<()> {
        let levels = self.field.levels().len();
        let field = self.field.name();
        if self.m.len() != levels || self.u.len() != levels {
            return Err(invalid(
                "weights",
                format!(
                    "{field}: m and u need {levels} levels each ({:?})",
                    self.field.levels()
                ),
            ));
        }
        for (name, values) in [("m", &self.m), ("u", &self.u)] {
            if let Some(bad) = values[1..].iter().find(|v| !(**v > 0.0 && **v <= 1.0)) {
                return Err(invalid(
                    "weights",
                    format!("{field}: {name} = {bad} is not a probability above 0"),
                ));
            }
        }
        Ok(())
    }
}

/// The unsupervised defaults, from what is known about client bases rather
/// than from any one of them: how often a duplicate keeps each detail (m) and
/// how often two different clients share it by chance (u).
fn default_weights(field: MatchField) -> FieldWeights {
    // Index 0 is the "missing" level and is never used.
    let (m, u): (&[f64], &[f64]) = match field {
        MatchField::Phone => (&[0.0, 0.85, 0.02, 0.13], &[0.0, 1e-6, 2e-5, 1.0 - 2.1e-5]),
        MatchField::Email => (&[0.0, 0.85, 0.12, 0.03], &[0.0, 1e-7, 1e-5, 1.0 - 1.01e-5]),
        MatchField::Surname => (
            &[0.0, 0.85, 0.08, 0.01, 0.06],
            &[0.0, 0.002, 0.004, 0.001, 0.993],
        ),
        MatchField::Given => (
            &[0.0, 0.85, 0.07, 0.03, 0.05],
            &[0.0, 0.02, 0.01, 0.04, 0.93],
        ),
        MatchField::Patronymic => (
            &[0.0, 0.88, 0.04, 0.04, 0.04],
            &[0.0, 0.02, 0.01, 0.005, 0.965],
        ),
        MatchField::Birthday => (
            &[0.0, 0.9, 0.03, 0.04, 0.03],
            &[0.0, 5e-5, 5e-5, 2e-3, 0.998],
        ),
        MatchField::TaxId => (&[0.0, 0.95, 0.03, 0.02], &[0.0, 1e-7, 1e-6, 1.0 - 1.1e-6]),
        MatchField::CompanyName => (&[0.0, 0.6, 0.3, 0.1], &[0.0, 1e-5, 1e-4, 0.9999]),
        MatchField::City => (&[0.0, 0.92, 0.03, 0.05], &[0.0, 0.05, 0.002, 0.948]),
        MatchField::Address => (&[0.0, 0.8, 0.1, 0.1], &[0.0, 1e-5, 1e-4, 0.9999]),
        MatchField::Identifier => (&[0.0, 0.9, 0.05, 0.05], &[0.0, 1e-7, 1e-6, 1.0 - 1.1e-6]),
    };
    FieldWeights {
        field,
        m: m.to_vec(),
        u: u.to_vec(),
    }
}

/// A Fellegi-Sunter model: weights per field, the prior, and the threshold.
///
/// ```
/// use clientbase::dedup::{MatchField, MatchModel};
/// let model = MatchModel::default();
/// // Sharing a phone number is strong evidence, different birthdays strong evidence against.
/// assert!(model.field(MatchField::Phone).weight(1) > 15.0);
/// assert!(model.field(MatchField::Birthday).weight(4) < -4.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchModel {
    /// Weights per field, in [`MatchField::ALL`] order.
    pub fields: Vec<FieldWeights>,
    /// How many duplicates a record has on average (the prior: two random
    /// records of a base of `n` are the same client with probability
    /// `2 × duplicates_per_record / (n − 1)`).
    pub duplicates_per_record: f64,
    /// The probability from which a pair is a duplicate (default 0.9).
    pub threshold: f64,
    /// Whether exact agreement on a common value (a common surname, an office
    /// switchboard) counts for less than on a rare one.
    pub term_frequencies: bool,
    /// Whether two different given names show two different people however
    /// much else agrees (default `true`): twins and siblings share a surname,
    /// patronymic, birthday or address, and a CRM must not merge them. Off,
    /// a different given name is evidence against (its weight), not a veto,
    /// for data where a given name is sometimes replaced by another (a
    /// nickname, an anglicised name, a registration under a relative's
    /// name); twins who share everything else then merge.
    #[serde(default = "yes")]
    pub given_name_veto: bool,
}

fn yes() -> bool {
    true
}

impl Default for MatchModel {
    fn default() -> MatchModel {
        MatchModel {
            fields: MatchField::ALL.into_iter().map(default_weights).collect(),
            duplicates_per_record: 0.1,
            threshold: 0.9,
            term_frequencies: true,
            given_name_veto: true,
        }
    }
}

impl MatchModel {
    /// The weights of one field.
    pub fn field(&self, field: MatchField) -> &FieldWeights {
        &self.fields[field.index()]
    }

    /// The weights of one field, to set by hand.
    pub fn field_mut(&mut self, field: MatchField) -> &mut FieldWeights {
        &mut self.fields[field.index()]
    }

    /// Checks that every probability is one and the model is complete.
    pub fn check(&self) -> Result<()> {
        if self.fields.len() != FIELDS
            || self
                .fields
                .iter()
                .zip(MatchField::ALL)
                .any(|(w, f)| w.field != f)
        {
            return Err(invalid(
                "weights",
                "the model needs one entry per field, in MatchField::ALL order",
            ));
        }
        for w in &self.fields {
            w.check()?;
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(invalid(
                "threshold",
                format!("{} is not a probability between 0 and 1", self.threshold),
            ));
        }
        if !(self.duplicates_per_record > 0.0 && self.duplicates_per_record < 1.0) {
            return Err(invalid(
                "duplicates_per_record",
                format!("{} is not between 0 and 1", self.duplicates_per_record),
            ));
        }
        Ok(())
    }

    /// The prior weight for a base of `records`.
    pub(crate) fn prior_weight(&self, records: usize) -> f64 {
        let pairs_per_record = (records.max(2) - 1) as f64 / 2.0;
        let lambda = (self.duplicates_per_record / pairs_per_record).min(0.5);
        (lambda / (1.0 - lambda)).log2()
    }

    /// The match weight from which a pair is a duplicate.
    pub(crate) fn threshold_weight(&self) -> f64 {
        (self.threshold / (1.0 - self.threshold)).log2()
    }

    /// The weight of one field's level, adjusted by how common the agreed value is.
    fn field_weight(
        &self,
        field: MatchField,
        level: u8,
        frequency: Option<f64>,
    ) -> (f64, Option<f64>) {
        let weights = self.field(field);
        let level = level as usize;
        if level == 0 {
            return (0.0, None);
        }
        match frequency {
            Some(tf) if level == 1 && self.term_frequencies && field.term_frequency() => {
                ((weights.m[1] / tf).log2(), Some(tf))
            }
            _ => (weights.weight(level), None),
        }
    }
}

/// Hashes a key for the frequency tables and the blocking index.
pub(crate) fn key_hash(tag: u8, key: &str) -> u64 {
    parts_hash(tag, &[key.as_bytes()])
}

/// Hashes a key of several parts without joining them.
pub(crate) fn parts_hash(tag: u8, parts: &[&[u8]]) -> u64 {
    let mut h = FxHasher::default();
    h.write_u8(tag);
    for part in parts {
        h.write(part);
        h.write_u8(0xff);
    }
    h.finish()
}

/// What a value only the compared pair has counts as in term frequencies.
const OWN_SHARE: f64 = 0.5;

/// How often each value of a field occurs in a base.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermFrequencies {
    pub(crate) counts: Vec<FxHashMap<u64, u32>>,
    pub(crate) totals: [u64; FIELDS],
}

impl TermFrequencies {
    pub fn new() -> TermFrequencies {
        TermFrequencies {
            counts: vec![FxHashMap::default(); FIELDS],
            totals: [0; FIELDS],
        }
    }

    /// The counted values of one field of `f`.
    fn field_values(f: &Features, field: MatchField, mut each: impl FnMut(u64)) {
        let text = match field {
            MatchField::Phone => {
                f.phones.iter().for_each(|p| each(*p));
                return;
            }
            MatchField::Email => {
                f.emails.iter().for_each(|e| each(key_hash(0, &e.key)));
                return;
            }
            MatchField::Surname => f.surname.as_deref(),
            MatchField::Given => f.given_key(),
            MatchField::Patronymic => f.patronymic.as_deref(),
            MatchField::City => f.city.as_deref(),
            MatchField::Address => f.address.as_deref(),
            MatchField::CompanyName => f.company_name.as_deref(),
            MatchField::Birthday | MatchField::TaxId | MatchField::Identifier => None,
        };
        if let Some(v) = text {
            each(key_hash(0, v));
        }
    }

    /// The counted values of `f`, by field.
    pub(crate) fn each_value(f: &Features, mut each: impl FnMut(MatchField, u64)) {
        for field in MatchField::ALL {
            Self::field_values(f, field, |hash| each(field, hash));
        }
    }

    /// Counts the values of every record, each field's table on its own core.
    pub fn of(records: &[Features]) -> TermFrequencies {
        let fields: Vec<MatchField> = MatchField::ALL.to_vec();
        let tables = crate::batch::map_column_with_min(&fields, 1, |field| {
            let mut table: FxHashMap<u64, u32> = FxHashMap::default();
            let mut total = 0u64;
            for f in records {
                Self::field_values(f, *field, |hash| {
                    *table.entry(hash).or_insert(0) += 1;
                    total += 1;
                });
            }
            (table, total)
        });
        let mut tf = TermFrequencies::new();
        for (i, (table, total)) in tables.into_iter().enumerate() {
            tf.counts[i] = table;
            tf.totals[i] = total;
        }
        tf
    }

    /// Counts the values of one record in (or, with `-1`, out).
    pub fn count(&mut self, f: &Features, delta: i32) {
        let (counts, totals) = (&mut self.counts, &mut self.totals);
        Self::each_value(f, |field, hash| {
            let i = field.index();
            let c = counts[i].entry(hash).or_insert(0);
            *c = c.saturating_add_signed(delta);
            totals[i] = totals[i].saturating_add_signed(delta.into());
        });
    }

    /// The share of a value only the two compared records have, the rarest
    /// an agreement can be.
    fn rarest(&self, field: MatchField) -> Option<f64> {
        let total = self.totals[field.index()];
        (total >= 2).then(|| OWN_SHARE / total as f64)
    }

    /// How common the agreed value is among records other than the two
    /// compared (which have it whether or not they are one client), as a
    /// share of the records with `field`; a value nobody else has counts as
    /// half a record.
    fn frequency(&self, field: MatchField, hash: u64) -> Option<f64> {
        let i = field.index();
        let total = self.totals[i];
        if total < 2 {
            return None;
        }
        let count = self.counts[i].get(&hash).copied().unwrap_or(0).max(2);
        let others = (f64::from(count) - 2.0).max(OWN_SHARE);
        Some(others / total as f64)
    }
}

/// What two clients are to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The same client: merge them.
    Duplicate,
    /// Different people who share a phone, email or address (spouse, relative,
    /// colleague): link them, never merge.
    Related,
    /// Nothing to do.
    Distinct,
}

impl Verdict {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Duplicate => "duplicate",
            Verdict::Related => "related",
            Verdict::Distinct => "distinct",
        }
    }
}

/// What one field contributed to a match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEvidence {
    /// The field.
    pub field: MatchField,
    /// Its agreement level (`same`, `one_typo`, `different`, …).
    pub level: String,
    /// Its weight in bits (log2 of m/u): positive for, negative against.
    pub weight: f64,
    /// For exact agreement on a value, the share of the other records (all
    /// but the two compared) that have it: a common surname weighs less.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_frequency: Option<f64>,
    /// The first client's value, as compared (a matching key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
    /// The second client's value, as compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<String>,
}

/// Why two clients are (or are not) the same client: every field's evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The first client.
    pub left: ClientId,
    /// The second client.
    pub right: ClientId,
    /// The prior: how likely two records of a base this size are the same
    /// client before looking at them, in bits.
    pub prior_weight: f64,
    /// Each compared field (fields missing on either side are left out).
    pub fields: Vec<FieldEvidence>,
    /// The sum of the prior and the field weights.
    pub weight: f64,
    /// The match probability, `2^weight / (1 + 2^weight)`.
    pub probability: f64,
    /// Surname and given name agreed only crosswise (typed in each other's fields).
    pub swapped_names: bool,
    /// A field that shows two different people however much else agrees
    /// (different given names, birthdays or tax ids, a man and a woman).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<MatchField>,
    /// Something beyond the name agrees (a phone, email, birthday, tax id,
    /// identifier or address, exactly or nearly); a pair without it is never
    /// a duplicate.
    #[serde(default = "yes")]
    pub identified: bool,
    /// The decision.
    pub verdict: Verdict,
}

impl Explanation {
    /// The evidence of one field, if it was compared.
    pub fn evidence(&self, field: MatchField) -> Option<&FieldEvidence> {
        self.fields.iter().find(|e| e.field == field)
    }

    /// The evidence in one line, strongest first:
    /// `phone same +18.4; surname same +7.9; given different -4.2`.
    pub fn summary(&self) -> String {
        let mut fields: Vec<&FieldEvidence> = self.fields.iter().collect();
        fields.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        fields
            .iter()
            .map(|e| format!("{} {} {:+.1}", e.field.name(), e.level, e.weight))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// One line per field, strongest first: `phone  same  +18.4`.
    pub fn to_text(&self) -> String {
        let mut fields: Vec<&FieldEvidence> = self.fields.iter().collect();
        fields.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        let mut out = format!(
            "{} ~ {}: {} (probability {:.4}, weight {:+.1}, prior {:+.1}){}\n",
            self.left,
            self.right,
            self.verdict.name(),
            self.probability,
            self.weight,
            self.prior_weight,
            if self.swapped_names {
                ", names in each other's fields"
            } else {
                ""
            }
        );
        if !self.identified {
            out.push_str("  nothing beyond the name agrees: never a duplicate on a name alone\n");
        }
        for e in fields {
            let values = match (&e.left, &e.right) {
                (Some(l), Some(r)) if l == r => format!("  {l}"),
                (Some(l), Some(r)) => format!("  {l} | {r}"),
                _ => String::new(),
            };
            let tf = e
                .term_frequency
                .map(|tf| {
                    format!(
                        "  (value shared by {:.3}% of the other records)",
                        tf * 100.0
                    )
                })
                .unwrap_or_default();
            let conflict = if self.conflict == Some(e.field) {
                "  ← different people"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {:<13}{:<18}{:+6.1}{values}{tf}{conflict}\n",
                e.field.name(),
                e.level,
                e.weight
            ));
        }
        out
    }
}

/// A scored pair: the weight, and whatever decides its verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Score {
    pub weight: f64,
    pub conflict: Option<MatchField>,
    pub shares_contact: bool,
    /// Something beyond the name agrees: see [`identifying`].
    pub identified: bool,
}

/// Scores comparisons against a base of a given size.
pub(crate) struct Scorer<'m> {
    pub model: &'m MatchModel,
    pub tf: &'m TermFrequencies,
    pub prior: f64,
    pub threshold: f64,
}

impl<'m> Scorer<'m> {
    pub fn new(model: &'m MatchModel, tf: &'m TermFrequencies, records: usize) -> Scorer<'m> {
        Scorer {
            model,
            tf,
            prior: model.prior_weight(records),
            threshold: model.threshold_weight(),
        }
    }

    fn frequency(&self, field: MatchField, c: &Comparison) -> Option<f64> {
        let hash = match field {
            MatchField::Phone => c.agreed_phone?,
            _ => key_hash(0, c.agreed[field.index()]?),
        };
        match field {
            // A word can be a surname or a given name (Павел, Павлов, Роман);
            // typed in the wrong field, it is as common as its commoner reading.
            MatchField::Surname | MatchField::Given => {
                let as_surname = self.tf.frequency(MatchField::Surname, hash);
                let as_given = self.tf.frequency(MatchField::Given, hash);
                match (as_surname, as_given) {
                    (Some(s), Some(g)) => Some(s.max(g)),
                    (s, g) => s.or(g),
                }
            }
            _ => self.tf.frequency(field, hash),
        }
    }

    /// The weight of every field's level. A near agreement (one typo, one
    /// digit, a close spelling) weighs at least a bit less than an exact
    /// agreement on a value only these two records have would.
    fn field_weights(&self, c: &Comparison) -> [(f64, Option<f64>); FIELDS] {
        let mut out = [(0.0, None); FIELDS];
        for field in MatchField::ALL {
            let level = c.levels[field.index()];
            let tf = if level == 1 {
                self.frequency(field, c)
            } else {
                None
            };
            let (mut weight, tf) = self.model.field_weight(field, level, tf);
            let near = level > 1 && level < field.different();
            if near && weight > 0.0 && self.model.term_frequencies && field.term_frequency() {
                if let Some(rarest) = self.tf.rarest(field) {
                    let exact = (self.model.field(field).m[1] / rarest).log2();
                    weight = weight.min(exact - 1.0).max(0.0);
                }
            }
            out[field.index()] = (weight, tf);
        }
        out
    }

    pub fn score(&self, a: &Features, b: &Features, c: &Comparison) -> Score {
        let weight = self.prior + self.field_weights(c).iter().map(|w| w.0).sum::<f64>();
        let level = |f: MatchField| c.levels[f.index()];
        // One street address in two cities is two homes.
        let same_home = level(MatchField::Address) == 1
            && level(MatchField::City) != MatchField::City.different();
        Score {
            weight,
            conflict: conflict(self.model, a, b, c),
            shares_contact: level(MatchField::Phone) == 1
                || level(MatchField::Email) == 1
                || same_home,
            identified: identifying(c),
        }
    }

    pub fn verdict(&self, score: &Score) -> Verdict {
        if score.weight >= self.threshold && score.conflict.is_none() && score.identified {
            Verdict::Duplicate
        } else if score.shares_contact {
            Verdict::Related
        } else {
            Verdict::Distinct
        }
    }

    pub fn explain(&self, a: &Features, b: &Features, c: &Comparison) -> Explanation {
        let score = self.score(a, b, c);
        let weights = self.field_weights(c);
        let fields = MatchField::ALL
            .into_iter()
            .filter(|f| c.levels[f.index()] != 0)
            .map(|field| {
                let (weight, tf) = weights[field.index()];
                let (left, right) = shown_values(field, a, b, c.swapped_names);
                FieldEvidence {
                    field,
                    level: field.levels()[c.levels[field.index()] as usize].to_string(),
                    weight,
                    term_frequency: tf,
                    left,
                    right,
                }
            })
            .collect();
        Explanation {
            left: a.id,
            right: b.id,
            prior_weight: self.prior,
            fields,
            weight: score.weight,
            probability: probability(score.weight),
            swapped_names: c.swapped_names,
            conflict: score.conflict,
            identified: score.identified,
            verdict: self.verdict(&score),
        }
    }
}

/// The probability of a match weight.
pub(crate) fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

/// Whether something beyond the name agrees, exactly or nearly: a phone, an
/// email, the birthday, the tax id, an identifier, or the address (unless
/// the given names are only close). Namesakes in one city share all of a
/// name; without such a detail a pair is never a duplicate, however rare the
/// name.
pub(crate) fn identifying(c: &Comparison) -> bool {
    let level = |f: MatchField| c.levels[f.index()];
    let agrees = |f: MatchField| level(f) != 0 && level(f) != f.different();
    // Siblings share an address and often a surname and patronymic: a home
    // confirms a given name that agrees, not one that is only close to it
    // (Ксения, Есения).
    let home = agrees(MatchField::Address) && level(MatchField::Given) != 2;
    agrees(MatchField::Phone)
        || agrees(MatchField::Email)
        || agrees(MatchField::Birthday)
        || agrees(MatchField::TaxId)
        || agrees(MatchField::Identifier)
        || home
}

/// A field that shows two different people whatever else agrees.
fn conflict(model: &MatchModel, a: &Features, b: &Features, c: &Comparison) -> Option<MatchField> {
    if a.company != b.company {
        return Some(MatchField::CompanyName);
    }
    let level = |f: MatchField| c.levels[f.index()];
    let differ = |f: MatchField| level(f) == f.different();
    if a.company {
        return differ(MatchField::TaxId).then_some(MatchField::TaxId);
    }
    // Евгений and Евгения are one letter apart and two people.
    let genders_differ = matches!((a.gender, b.gender), (Some(x), Some(y)) if x != y);
    let given_differs = differ(MatchField::Given) && model.given_name_veto;
    if given_differs || (genders_differ && level(MatchField::Given) != 0) {
        return Some(MatchField::Given);
    }
    if differ(MatchField::Birthday) {
        return Some(MatchField::Birthday);
    }
    if differ(MatchField::Patronymic) {
        return Some(MatchField::Patronymic);
    }
    // Иванов and Иванова: a man and a woman, unless their names say otherwise.
    if level(MatchField::Surname) == 3 {
        return Some(MatchField::Surname);
    }
    None
}

fn shown_values(
    field: MatchField,
    a: &Features,
    b: &Features,
    swapped: bool,
) -> (Option<String>, Option<String>) {
    let text = |f: &Features| -> Option<String> {
        match field {
            MatchField::Phone => Some(
                f.phones
                    .iter()
                    .map(|p| super::features::show_phone(*p))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            MatchField::Email => Some(
                f.emails
                    .iter()
                    .map(|e| e.address.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            MatchField::Surname => f.surname.as_deref().map(str::to_string),
            MatchField::Given => f.given_key().map(str::to_string),
            MatchField::Patronymic => f.patronymic.as_deref().map(str::to_string),
            MatchField::Birthday => f.birthday.map(|d| d.to_string()),
            MatchField::TaxId => f.tax_id.as_deref().map(str::to_string),
            MatchField::CompanyName => f.company_name.as_deref().map(str::to_string),
            MatchField::City => f.city.as_deref().map(str::to_string),
            MatchField::Address => f.address.as_deref().map(str::to_string),
            MatchField::Identifier => Some(
                f.identifiers
                    .iter()
                    .map(|(_, v)| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    };
    let right = if swapped && field == MatchField::Surname {
        b.given_key().map(str::to_string)
    } else if swapped && field == MatchField::Given {
        b.surname.as_deref().map(str::to_string)
    } else {
        text(b)
    };
    (text(a), right)
}

/// What estimating the weights did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Candidate pairs the m probabilities were estimated from.
    pub pairs: u64,
    /// Distinct comparison patterns among them.
    pub patterns: usize,
    /// Random pairs the u probabilities were estimated from.
    pub random_pairs: u64,
    /// EM iterations run.
    pub iterations: u32,
    /// The share of candidate pairs EM takes to be matches.
    pub match_share: f64,
    /// The estimated number of duplicates per record (the model's prior).
    pub duplicates_per_record: f64,
}

/// Counts of comparison patterns, the input of EM.
pub(crate) type Patterns = FxHashMap<[u8; FIELDS], u64>;

/// The expected number of matches among pairs with these patterns.
pub(crate) fn expected_matches(model: &MatchModel, patterns: &Patterns, prior: f64) -> f64 {
    patterns
        .iter()
        .map(|(pattern, n)| {
            let mut weight = prior;
            for field in MatchField::ALL {
                weight += model.field(field).weight(pattern[field.index()] as usize);
            }
            probability(weight) * *n as f64
        })
        .sum()
}

/// Estimates u from random pairs: how often different clients agree by chance.
/// Levels never seen keep a small floor so no weight is infinite.
pub(crate) fn estimate_u(model: &mut MatchModel, random: &Patterns) {
    for field in MatchField::ALL {
        let i = field.index();
        let levels = field.levels().len();
        let mut counts = vec![0u64; levels];
        for (pattern, n) in random {
            counts[pattern[i] as usize] += n;
        }
        let compared: u64 = counts[1..].iter().sum();
        if compared < 1000 {
            continue;
        }
        let defaults = default_weights(field);
        let w = model.field_mut(field);
        for (l, count) in counts.iter().enumerate().skip(1) {
            // Agreement too rare for the sample to see keeps the default.
            w.u[l] = if *count < 10 {
                defaults.u[l].min(10.0 / compared as f64)
            } else {
                *count as f64 / compared as f64
            };
        }
    }
}

/// Estimates m (and the share of matches) by expectation maximisation over the
/// comparison patterns of pairs blocked on the `fixed` fields, u held fixed;
/// the fixed fields are left out.
pub(crate) fn estimate_m(
    model: &mut MatchModel,
    patterns: &Patterns,
    fixed: &[MatchField],
    max_iterations: u32,
) -> (u32, f64) {
    let patterns: Vec<(&[u8; FIELDS], f64)> =
        patterns.iter().map(|(p, n)| (p, *n as f64)).collect();
    let total: f64 = patterns.iter().map(|p| p.1).sum();
    let mut lambda: f64 = 0.1;
    let mut iterations = 0;
    for _ in 0..max_iterations {
        iterations += 1;
        let mut m_counts: Vec<Vec<f64>> = MatchField::ALL
            .iter()
            .map(|f| vec![0.0; f.levels().len()])
            .collect();
        let mut matched = 0.0;
        for (pattern, n) in &patterns {
            let mut log_m = 0.0;
            let mut log_u = 0.0;
            for field in MatchField::ALL {
                let l = pattern[field.index()] as usize;
                // The blocking fields agree in every pair by construction: they
                // tell nothing here and are estimated in another session.
                if l == 0 || fixed.contains(&field) {
                    continue;
                }
                let w = model.field(field);
                log_m += w.m[l].ln();
                log_u += w.u[l].ln();
            }
            let a = lambda.ln() + log_m;
            let b = (1.0 - lambda).ln() + log_u;
            let p = 1.0 / (1.0 + (b - a).exp());
            matched += p * n;
            for field in MatchField::ALL {
                let l = pattern[field.index()] as usize;
                m_counts[field.index()][l] += p * n;
            }
        }
        let new_lambda = (matched / total).clamp(1e-9, 1.0 - 1e-9);
        let mut change: f64 = (new_lambda - lambda).abs();
        lambda = new_lambda;
        for field in MatchField::ALL {
            let counts = &m_counts[field.index()];
            let compared: f64 = counts[1..].iter().sum();
            if compared < 1.0 || fixed.contains(&field) {
                continue;
            }
            let w = model.field_mut(field);
            for (l, count) in counts.iter().enumerate().skip(1) {
                let m = (count / compared).max(1e-6);
                change = change.max((m - w.m[l]).abs());
                w.m[l] = m;
            }
        }
        if change < 1e-5 {
            break;
        }
    }
    (iterations, lambda)
}
