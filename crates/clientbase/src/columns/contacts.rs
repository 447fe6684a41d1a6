//! Contact columns of the snapshot: for one audience channel, each client's
//! contacts usable on it (normalized, interned), each with the consent that
//! governs it, and why a client has none; the personal-data consent and the
//! client's manager as typed. An audience is then a pass over these columns
//! and a gather into its table, instead of a walk over every record.
//!
//! A channel's columns are built the first time an audience on it runs over
//! the snapshot (the same judgement the records path makes, once), then
//! kept with the snapshot until the base's next write.

use super::{Columns, Dict, NO_TEXT};
use crate::audience::build::{candidates, Field, NameKey, Readers};
use crate::audience::{AudienceChannel, Reason};
use crate::base::ClientBase;
use crate::client::{Client, Consent, ConsentState};
use chrono::Datelike;
use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock};

/// A consent never valid (none was given).
pub(crate) const NEVER: i32 = i32::MAX;
/// A withdrawn consent.
pub(crate) const WITHDRAWN: i32 = i32::MAX - 1;
/// No consent needed (no personal-data consent recorded).
pub(crate) const ALWAYS: i32 = i32::MIN;

/// A consent as one number: [`WITHDRAWN`], the day number it was given on
/// ([`Datelike::num_days_from_ce`]), or `none` when there is none. It is
/// valid as of day `d` when the number is `<= d` (the two markers never are).
pub(crate) fn consent_code(consent: Option<Consent>, none: i32) -> i32 {
    match consent {
        None => none,
        Some(c) if c.state == ConsentState::Withdrawn => WITHDRAWN,
        Some(c) => c.date.num_days_from_ce(),
    }
}

/// Channels times the two ways of reading contacts.
const SLOTS: usize = AudienceChannel::ALL.len() * 2;

/// The contact columns built so far for a snapshot.
#[derive(Debug, Default)]
pub(crate) struct ContactCache {
    channels: [OnceLock<Arc<ChannelContacts>>; SLOTS],
    people: OnceLock<Arc<People>>,
}

/// What every channel shares: the personal-data consent and the manager.
#[derive(Debug, Default)]
pub(crate) struct People {
    /// Per client: the personal-data consent ([`consent_code`], [`ALWAYS`]
    /// when none is recorded).
    pub personal_data: Vec<i32>,
    /// Per client: the manager as typed ([`NO_TEXT`] for none).
    pub owner: Vec<u32>,
    pub owners: Dict,
}

impl People {
    /// The manager of client `row`, as typed.
    pub(crate) fn owner(&self, row: usize) -> Option<&str> {
        match self.owner[row] {
            NO_TEXT => None,
            id => Some(self.owners.texts[id as usize].as_str()),
        }
    }
}

/// One channel's contacts: per client the usable ones in the order the
/// channel takes them, each with its key (the normalized contact), its
/// field and the consent that governs it.
#[derive(Debug, Default)]
pub(crate) struct ChannelContacts {
    /// Per client: `None` when it has usable contacts, otherwise the reason
    /// it has none ([`Reason::NoContact`] or [`Reason::InvalidContact`]).
    pub lacking: Vec<Option<Reason>>,
    /// Usable contacts of client `i`: `offsets[i]..offsets[i + 1]`.
    pub offsets: Vec<u32>,
    /// Per contact: its key's id in `keys`.
    pub key: Vec<u32>,
    /// Per contact: where it is on the client.
    pub field: Vec<Field>,
    /// Per contact: its own consent, or else the channel's ([`consent_code`],
    /// [`NEVER`] for none).
    pub consent: Vec<i32>,
    /// The distinct keys: key `k` is `text[starts[k]..starts[k + 1]]`.
    pub text: String,
    pub starts: Vec<usize>,
    /// The names of the clients that share a key with another client (the
    /// only ones a duplicate can be told from a shared contact for), by row.
    pub names: FxHashMap<u32, NameKey>,
}

impl ChannelContacts {
    /// The text of key `k`.
    pub(crate) fn key_text(&self, k: u32) -> &str {
        let k = k as usize;
        &self.text[self.starts[k]..self.starts[k + 1]]
    }

    /// The number of distinct keys.
    pub(crate) fn keys(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

/// Clients per chunk of a parallel build.
const CHUNK: usize = 16_384;

/// One chunk's columns, keys not yet interned.
#[derive(Default)]
struct Part {
    lacking: Vec<Option<Reason>>,
    counts: Vec<u32>,
    field: Vec<Field>,
    consent: Vec<i32>,
    /// Keys one after the other; contact `j`'s ends at `ends[j]`.
    text: String,
    ends: Vec<usize>,
}

impl ContactCache {
    /// The shared columns, built on first use.
    pub(crate) fn people(&self, base: &ClientBase) -> Arc<People> {
        Arc::clone(self.people.get_or_init(|| {
            let clients: Vec<&Client> = base.clients().collect();
            let mut people = People {
                personal_data: Vec::with_capacity(clients.len()),
                owner: Vec::with_capacity(clients.len()),
                owners: Dict::default(),
            };
            for client in clients {
                people
                    .personal_data
                    .push(consent_code(client.consents.personal_data, ALWAYS));
                let owner = match client.owner.as_deref() {
                    None => NO_TEXT,
                    Some(text) => people.owners.intern(text),
                };
                people.owner.push(owner);
            }
            Arc::new(people)
        }))
    }

    /// The columns of `channel` read with or without typed contacts, built
    /// on first use.
    pub(crate) fn channel(
        &self,
        base: &ClientBase,
        channel: AudienceChannel,
        typed: bool,
    ) -> Arc<ChannelContacts> {
        let at = AudienceChannel::ALL
            .iter()
            .position(|&c| c == channel)
            .unwrap_or(0)
            * 2
            + usize::from(typed);
        Arc::clone(self.channels[at].get_or_init(|| Arc::new(build(base, channel, typed))))
    }
}

fn build(base: &ClientBase, channel: AudienceChannel, typed: bool) -> ChannelContacts {
    let clients: Vec<&Client> = base.clients().collect();
    let chunks: Vec<&[&Client]> = clients.chunks(CHUNK).collect();
    let readers = Readers::new(typed);
    let parts = crate::batch::map_column_with_min(&chunks, 1, |chunk| {
        let mut part = Part::default();
        for client in chunk.iter() {
            let channel_consent = consent_code(
                client.consents.marketing.get(&channel.consent()).copied(),
                NEVER,
            );
            let (mut any, mut usable) = (false, 0u32);
            for candidate in candidates(client, channel, &readers) {
                any = true;
                let Some(key) = candidate.key else { continue };
                usable += 1;
                part.text.push_str(&key);
                part.ends.push(part.text.len());
                part.field.push(candidate.field);
                part.consent.push(match candidate.consent {
                    Some(own) => consent_code(Some(own), NEVER),
                    None => channel_consent,
                });
            }
            part.lacking.push(if !any {
                Some(Reason::NoContact)
            } else if usable == 0 {
                Some(Reason::InvalidContact)
            } else {
                None
            });
            part.counts.push(usable);
        }
        part
    });
    let contacts: usize = parts.iter().map(|p| p.ends.len()).sum();
    let mut out = ChannelContacts {
        lacking: Vec::with_capacity(clients.len()),
        offsets: Vec::with_capacity(clients.len() + 1),
        key: Vec::with_capacity(contacts),
        field: Vec::with_capacity(contacts),
        consent: Vec::with_capacity(contacts),
        text: String::new(),
        starts: vec![0],
        names: FxHashMap::default(),
    };
    out.offsets.push(0);
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    ids.reserve(contacts);
    let mut total = 0u32;
    for part in &parts {
        out.lacking.extend_from_slice(&part.lacking);
        for &count in &part.counts {
            total += count;
            out.offsets.push(total);
        }
        out.field.extend_from_slice(&part.field);
        out.consent.extend_from_slice(&part.consent);
        let mut start = 0;
        for &end in &part.ends {
            let key = &part.text[start..end];
            start = end;
            let next = out.starts.len() as u32 - 1;
            let id = *ids.entry(key).or_insert_with(|| {
                out.text.push_str(key);
                out.starts.push(out.text.len());
                next
            });
            out.key.push(id);
        }
    }
    drop(ids);
    // Clients with a key another client has too: their names, read once.
    let mut holders = vec![0u8; out.keys()];
    for &k in &out.key {
        holders[k as usize] = holders[k as usize].saturating_add(1);
    }
    let sharing: Vec<u32> = (0..clients.len())
        .filter(|&row| {
            let (lo, hi) = (out.offsets[row] as usize, out.offsets[row + 1] as usize);
            out.key[lo..hi].iter().any(|&k| holders[k as usize] > 1)
        })
        .map(|row| row as u32)
        .collect();
    let names =
        crate::batch::map_column_with_min(&sharing, 64, |&row| NameKey::of(clients[row as usize]));
    out.names = sharing.into_iter().zip(names).collect();
    out
}

impl Columns {
    /// The contact columns of `channel` (see [`ContactCache::channel`]).
    pub(crate) fn channel_contacts(
        &self,
        base: &ClientBase,
        channel: AudienceChannel,
        typed: bool,
    ) -> Arc<ChannelContacts> {
        self.contacts.channel(base, channel, typed)
    }

    /// The personal-data consents and managers (see [`ContactCache::people`]).
    pub(crate) fn people(&self, base: &ClientBase) -> Arc<People> {
        self.contacts.people(base)
    }
}
