//! Blocking: which pairs of clients are worth comparing. Each key puts clients
//! that share it in one block; blocks larger than the guard are skipped (a
//! switchboard shared by a thousand employees says nothing about any two).

use super::compare::MatchField;
use super::features::{Features, INVALID_NUMBER};
use super::model::{key_hash, parts_hash};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A way of putting clients that may be the same in one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockingKey {
    /// A phone number in E.164.
    Phone,
    /// An email's matching key.
    Email,
    /// The mailbox name before `@` (a mistyped provider still meets).
    EmailLocal,
    /// Surname and given name in either order, short forms under their full name.
    Name,
    /// Surname and the given name's first letter (`Кравченко Д. В.` meets
    /// `Кравченко Дмитрий`, and a typo later in the given name).
    SurnameInitial,
    /// The surname (or given name) with the digits of a phone in odd places,
    /// and with those in even places: a digit mistyped leaves one of them, so
    /// a mistyped number still meets.
    NamePhoneHalf,
    /// Surname, given name or patronymic with the birthday (a typo in the
    /// other parts still meets).
    NameBirthday,
    /// A company's tax id.
    TaxId,
    /// A company's name without its legal form.
    CompanyName,
    /// The street address (households, and related persons).
    Address,
    /// An identifying custom field's value (a passport, a loyalty card).
    Identifier,
}

impl BlockingKey {
    /// Every key, in report order.
    pub const ALL: [BlockingKey; 11] = [
        BlockingKey::Phone,
        BlockingKey::Email,
        BlockingKey::EmailLocal,
        BlockingKey::Name,
        BlockingKey::SurnameInitial,
        BlockingKey::NamePhoneHalf,
        BlockingKey::NameBirthday,
        BlockingKey::TaxId,
        BlockingKey::CompanyName,
        BlockingKey::Address,
        BlockingKey::Identifier,
    ];

    /// The snake_case name (`name_birthday`).
    pub fn name(self) -> &'static str {
        match self {
            BlockingKey::Phone => "phone",
            BlockingKey::Email => "email",
            BlockingKey::EmailLocal => "email_local",
            BlockingKey::Name => "name",
            BlockingKey::SurnameInitial => "surname_initial",
            BlockingKey::NamePhoneHalf => "name_phone_half",
            BlockingKey::NameBirthday => "name_birthday",
            BlockingKey::TaxId => "tax_id",
            BlockingKey::CompanyName => "company_name",
            BlockingKey::Address => "address",
            BlockingKey::Identifier => "identifier",
        }
    }

    /// The key with this name.
    pub fn from_name(name: &str) -> Option<BlockingKey> {
        BlockingKey::ALL.into_iter().find(|k| k.name() == name)
    }

    fn tag(self) -> u8 {
        self as u8 + 1
    }

    /// The fields every pair of one of this key's blocks agrees on.
    pub(crate) fn fields(self) -> &'static [MatchField] {
        match self {
            BlockingKey::Phone => &[MatchField::Phone],
            BlockingKey::Email | BlockingKey::EmailLocal => &[MatchField::Email],
            BlockingKey::Name => &[MatchField::Surname, MatchField::Given],
            BlockingKey::SurnameInitial => &[MatchField::Surname],
            BlockingKey::NamePhoneHalf => &[],
            BlockingKey::NameBirthday => {
                &[MatchField::Surname, MatchField::Given, MatchField::Birthday]
            }
            BlockingKey::TaxId => &[MatchField::TaxId],
            BlockingKey::CompanyName => &[MatchField::CompanyName],
            BlockingKey::Address => &[MatchField::Address],
            BlockingKey::Identifier => &[MatchField::Identifier],
        }
    }

    /// Calls `each` with the hash of every value of this key `f` has.
    pub(crate) fn values(self, f: &Features, each: &mut dyn FnMut(u64)) {
        let tag = self.tag();
        match self {
            BlockingKey::Phone => {
                for p in &f.phones {
                    each(parts_hash(tag, &[&p.to_le_bytes()]));
                }
            }
            BlockingKey::Email => {
                for e in &f.emails {
                    each(key_hash(tag, &e.key));
                }
            }
            BlockingKey::EmailLocal => {
                for e in &f.emails {
                    // Short mailbox names (`info`, `anna`) are shared by strangers.
                    if e.local().len() >= 5 {
                        each(key_hash(tag, e.local()));
                    }
                }
            }
            BlockingKey::Name => {
                let mut pair = |x: &str, y: &str| {
                    let (x, y) = if x < y { (x, y) } else { (y, x) };
                    each(parts_hash(tag, &[x.as_bytes(), y.as_bytes()]));
                };
                if let Some(surname) = f.surname.as_deref() {
                    for given in &f.given {
                        pair(surname, given);
                    }
                    // A short form typed as the surname (`Саша` `Смирнов`)
                    // meets the full name beside the given name.
                    if let Some(given) = f.given_key() {
                        for full in f.surname_as_given.iter().skip(1) {
                            pair(given, full);
                        }
                    }
                }
            }
            BlockingKey::SurnameInitial => {
                if let (Some(surname), Some(given)) = (f.surname.as_deref(), f.given_key()) {
                    let initial = &given.as_bytes()[..1];
                    each(parts_hash(tag, &[surname.as_bytes(), initial]));
                }
            }
            BlockingKey::NamePhoneHalf => {
                let Some(word) = f.surname.as_deref().or(f.given_key()) else {
                    return;
                };
                for phone in f.phones.iter().filter(|p| **p & INVALID_NUMBER == 0) {
                    // The digits in odd places, and those in even places:
                    // both halves spread over the whole number, so neither
                    // is just the operator's prefix.
                    let (mut rest, mut odd, mut even, mut place) = (*phone, 0u64, 0u64, 0);
                    while rest > 0 {
                        let digit = rest % 10;
                        if place % 2 == 0 {
                            even = even * 10 + digit;
                        } else {
                            odd = odd * 10 + digit;
                        }
                        rest /= 10;
                        place += 1;
                    }
                    for (half, value) in [(0u8, even), (1, odd)] {
                        each(parts_hash(
                            tag,
                            &[word.as_bytes(), &[half], &value.to_le_bytes()],
                        ));
                    }
                }
            }
            BlockingKey::NameBirthday => {
                if let Some(day) = f.birthday {
                    let day = day.to_epoch_days().to_le_bytes();
                    // The patronymic too: a typo in both names still meets.
                    let patronymic = f.patronymic.as_deref().filter(|_| !f.patronymic_initial);
                    let words = f.surname.as_deref().into_iter().chain(f.given_key());
                    for word in words.chain(patronymic) {
                        each(parts_hash(tag, &[word.as_bytes(), &day]));
                    }
                }
            }
            BlockingKey::TaxId => {
                if let Some(t) = &f.tax_id {
                    each(key_hash(tag, t));
                }
            }
            BlockingKey::CompanyName => {
                if let Some(n) = &f.company_name {
                    each(key_hash(tag, n));
                }
            }
            BlockingKey::Address => {
                if let Some(a) = &f.address {
                    each(key_hash(tag, a));
                }
            }
            BlockingKey::Identifier => {
                for (field, value) in &f.identifiers {
                    each(parts_hash(tag, &[&field.to_le_bytes(), value.as_bytes()]));
                }
            }
        }
    }
}

impl fmt::Display for BlockingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one blocking key did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingStats {
    /// The key.
    pub key: Option<BlockingKey>,
    /// Blocks of two or more records.
    pub blocks: u64,
    /// Pairs the key proposed for comparison (a pair two keys propose is
    /// compared once, and counted under both).
    pub comparisons: u64,
    /// Blocks skipped for being larger than the guard.
    pub oversized_blocks: u64,
    /// Records in the skipped blocks.
    pub oversized_records: u64,
    /// The largest block compared.
    pub largest_block: u64,
}

/// Records by key value, built once (sorted runs, searched by binary search).
#[derive(Debug, Clone, Default)]
pub(crate) struct BlockIndex {
    /// Distinct key hashes, sorted.
    keys: Vec<u64>,
    /// `starts[i]..starts[i + 1]` are the members of `keys[i]` in `members`.
    starts: Vec<u32>,
    members: Vec<u32>,
    /// Which blocking key each entry of `keys` belongs to.
    kinds: Vec<u8>,
}

impl BlockIndex {
    /// Indexes `records` under `keys`.
    pub fn build(records: &[Features], keys: &[BlockingKey]) -> BlockIndex {
        let mut entries: Vec<(u64, u32, u8)> = crate::batch::flat_map_indexed(records, |i, f| {
            let mut out = Vec::new();
            for key in keys {
                key.values(f, &mut |h| out.push((h, i as u32, *key as u8)));
            }
            out.sort_unstable();
            out.dedup();
            out
        });
        crate::batch::sort_unstable(&mut entries);
        let mut index = BlockIndex {
            keys: Vec::new(),
            starts: Vec::new(),
            members: Vec::with_capacity(entries.len()),
            kinds: Vec::new(),
        };
        for (hash, member, kind) in entries {
            if index.keys.last() != Some(&hash) {
                index.keys.push(hash);
                index.kinds.push(kind);
                index.starts.push(index.members.len() as u32);
            }
            index.members.push(member);
        }
        index.starts.push(index.members.len() as u32);
        index
    }

    /// The records with key value `hash`.
    pub fn block(&self, hash: u64) -> &[u32] {
        match self.keys.binary_search(&hash) {
            Ok(i) => &self.members[self.starts[i] as usize..self.starts[i + 1] as usize],
            Err(_) => &[],
        }
    }

    /// Every block of two or more with its key.
    pub fn blocks(&self) -> impl Iterator<Item = (BlockingKey, &[u32])> + '_ {
        (0..self.keys.len()).filter_map(move |i| {
            let members = &self.members[self.starts[i] as usize..self.starts[i + 1] as usize];
            (members.len() > 1).then(|| (BlockingKey::ALL[self.kinds[i] as usize], members))
        })
    }

    /// The candidate pairs of the whole index (each once, `(low, high)` packed
    /// as `low << 32 | high`, sorted), and what each key did.
    pub fn pairs(&self, max_block: usize) -> (Vec<u64>, Vec<BlockingStats>) {
        self.pairs_of(None, max_block)
    }

    /// The candidate pairs of one key's blocks (all keys with `None`).
    pub fn pairs_of(
        &self,
        only: Option<BlockingKey>,
        max_block: usize,
    ) -> (Vec<u64>, Vec<BlockingStats>) {
        let mut stats: Vec<BlockingStats> = BlockingKey::ALL
            .iter()
            .map(|k| BlockingStats {
                key: Some(*k),
                ..BlockingStats::default()
            })
            .collect();
        let mut blocks: Vec<&[u32]> = Vec::new();
        for (key, members) in self.blocks() {
            if only.is_some_and(|k| k != key) {
                continue;
            }
            let s = &mut stats[key as usize];
            let n = members.len() as u64;
            if members.len() > max_block {
                s.oversized_blocks += 1;
                s.oversized_records += n;
                continue;
            }
            s.blocks += 1;
            s.comparisons += n * (n - 1) / 2;
            s.largest_block = s.largest_block.max(n);
            blocks.push(members);
        }
        let mut pairs: Vec<u64> = crate::batch::flat_map_indexed(&blocks, |_, members| {
            let mut out = Vec::with_capacity(members.len() * (members.len() - 1) / 2);
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    out.push(u64::from(lo) << 32 | u64::from(hi));
                }
            }
            out
        });
        crate::batch::sort_unstable(&mut pairs);
        pairs.dedup();
        (pairs, stats)
    }
}
