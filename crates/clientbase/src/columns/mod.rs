//! A columnar snapshot of a base: what the segment evaluator (and the
//! campaign tools after it) scan instead of following records.
//!
//! Clients are in id order, one value per client in each column; deals are
//! in client order (then deal id order) with an offset per client, product
//! lines in deal order with an offset per deal. Texts a rule compares often
//! (city, region, owner, source, behaviour, a deal's pipeline, stage,
//! owner and source, a line's product and category) are interned once per
//! column: a rule's text test is then decided once per distinct text, not
//! once per row. Timestamps are whole seconds since 1970 (the time zone is
//! applied when a rule runs), money is minor units with its currency.
//!
//! [`Columns::of`] builds the snapshot on first use and keeps it in the base
//! until the next write to its clients, deals, activities or schema, which
//! forgets it. Activities are in client order too (`activities.rs`).

pub(crate) mod contacts;

use crate::base::ClientBase;
use crate::client::{Channel, Client, LifecycleStage, PhoneKind, Temperature};
use crate::deal::{Deal, DealStatus, Discount};
use crate::ids::ClientId;
use crate::money::Currency;
use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

mod activities;
pub(crate) use activities::{ActivityColumns, INBOUND, OUTBOUND};
pub(crate) mod deals_by_id;
pub(crate) mod done;

/// The snapshot kept in a base until its next write, and the index of
/// the automation keys done (kept across writes, checked against the
/// base's version: see [`done::DoneSlot`]).
#[derive(Clone, Default)]
pub(crate) struct Cache(
    OnceLock<Arc<Columns>>,
    Arc<AtomicU32>,
    pub(crate) done::DoneSlot,
);

impl Cache {
    /// Drops the snapshot (a write changed the base).
    pub(crate) fn forget(&mut self) {
        self.0 = OnceLock::new();
        self.1 = Arc::default();
    }
}

/// Clients per chunk of a parallel build.
const CHUNK: usize = 16_384;

/// No value in an interned text column.
pub(crate) const NO_TEXT: u32 = u32::MAX;
/// No timestamp.
pub(crate) const NO_TIME: i64 = i64::MIN;
/// No value in a small integer column.
pub(crate) const NO_INT: i16 = -1;
/// A line whose total does not compute (an overflow).
pub(crate) const NO_MONEY: i64 = i64::MIN;

/// The distinct texts of one column, each once.
#[derive(Debug, Default, Clone)]
pub(crate) struct Dict {
    /// The texts by id.
    pub texts: Vec<String>,
    index: FxHashMap<String, u32>,
}

impl Dict {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let id = u32::try_from(self.texts.len()).unwrap_or(NO_TEXT - 1);
        self.texts.push(text.to_string());
        self.index.insert(text.to_string(), id);
        id
    }

    /// The id of `text`, if the column holds it.
    pub(crate) fn get(&self, text: &str) -> Option<u32> {
        self.index.get(text).copied()
    }

    fn bytes(&self) -> usize {
        self.texts
            .iter()
            .map(|t| t.capacity() * 2 + 48)
            .sum::<usize>()
    }
}

/// An interned text column: one id per row, [`NO_TEXT`] for none.
#[derive(Debug, Default, Clone)]
pub(crate) struct TextColumn {
    pub ids: Vec<u32>,
    pub dict: Dict,
    /// The id pushed last: runs of one text skip the hash.
    last: Option<u32>,
}

impl TextColumn {
    /// Pushes a text as the segment rules read it: trimmed, none when blank.
    fn push_opt(&mut self, text: Option<&str>) {
        let id = match text.map(str::trim) {
            Some(t) if !t.is_empty() => self.id_of(t),
            _ => NO_TEXT,
        };
        self.ids.push(id);
    }

    /// Pushes a text as it is (never none).
    fn push_raw(&mut self, text: &str) {
        let id = self.id_of(text);
        self.ids.push(id);
    }

    fn id_of(&mut self, text: &str) -> u32 {
        if let Some(last) = self.last {
            if self.dict.texts[last as usize] == text {
                return last;
            }
        }
        let id = self.dict.intern(text);
        self.last = Some(id);
        id
    }

    /// Appends another column, its texts interned in this one's.
    fn append(&mut self, other: TextColumn) {
        let map: Vec<u32> = other
            .dict
            .texts
            .iter()
            .map(|t| self.dict.intern(t))
            .collect();
        self.ids.extend(other.ids.iter().map(|&id| {
            if id == NO_TEXT {
                NO_TEXT
            } else {
                map[id as usize]
            }
        }));
    }

    fn bytes(&self) -> usize {
        self.ids.capacity() * 4 + self.dict.bytes()
    }
}

/// Client columns, one row per client in id order.
#[derive(Debug, Default)]
pub(crate) struct ClientColumns {
    pub ids: Vec<ClientId>,
    /// 0 person, 1 company.
    pub kind: Vec<u8>,
    /// Index in [`LifecycleStage::ALL`].
    pub stage: Vec<u8>,
    /// Index in [`Temperature::ALL`], [`NO_INT`] for none.
    pub temperature: Vec<i16>,
    /// [`NO_INT`] for none.
    pub loyalty: Vec<i16>,
    pub can_refer: Vec<bool>,
    /// Day numbers from the common era ([`chrono::Datelike::num_days_from_ce`]), `i32::MIN` for none.
    pub birthday: Vec<i32>,
    pub created: Vec<i64>,
    pub updated: Vec<i64>,
    pub city: TextColumn,
    pub region: TextColumn,
    pub owner: TextColumn,
    pub source: TextColumn,
    pub behaviour: TextColumn,
    /// Bit `i` set: marketing on [`Channel::ALL`]`[i]` is allowed
    /// ([`crate::Consents::allows`]).
    pub consent: Vec<u8>,
    /// Bits [`PHONE`], [`MOBILE`], [`EMAIL`], [`MESSENGER`].
    pub contacts: Vec<u8>,
    /// Tags of client `i`: `tag_ids[tag_offsets[i]..tag_offsets[i + 1]]`.
    pub tag_offsets: Vec<usize>,
    pub tag_ids: Vec<u32>,
    pub tags: Dict,
}

/// A phone that is not blank.
pub(crate) const PHONE: u8 = 1;
/// A mobile phone.
pub(crate) const MOBILE: u8 = 2;
/// An email that is not blank.
pub(crate) const EMAIL: u8 = 4;
/// A messenger.
pub(crate) const MESSENGER: u8 = 8;

/// Deal columns, in client order and then deal id order.
#[derive(Debug, Default)]
pub(crate) struct DealColumns {
    /// Deals of client `i`: `offsets[i]..offsets[i + 1]`.
    pub offsets: Vec<usize>,
    pub id: Vec<u64>,
    /// 0 open, 1 won, 2 lost, 3 duplicate (the segment rules' order).
    pub status: Vec<u8>,
    pub amount: Vec<i64>,
    pub currency: Vec<Currency>,
    pub created: Vec<i64>,
    pub closed: Vec<i64>,
    pub recurring: Vec<bool>,
    pub pipeline: TextColumn,
    pub stage: TextColumn,
    pub owner: TextColumn,
    pub source: TextColumn,
}

/// Product line columns, in deal order.
#[derive(Debug, Default)]
pub(crate) struct LineColumns {
    /// Lines of deal `d`: `offsets[d]..offsets[d + 1]`.
    pub offsets: Vec<usize>,
    pub product: TextColumn,
    pub category: TextColumn,
    /// Thousandths.
    pub quantity: Vec<i64>,
    /// The line's total in minor units, [`NO_MONEY`] when it does not compute.
    pub total: Vec<i64>,
    pub currency: Vec<Currency>,
    pub discounted: Vec<bool>,
}

/// The columnar snapshot of a base.
#[derive(Debug, Default)]
pub struct Columns {
    pub(crate) clients: ClientColumns,
    pub(crate) deals: DealColumns,
    pub(crate) lines: LineColumns,
    pub(crate) activities: ActivityColumns,
    /// What the base held when the snapshot was built (clients, deals),
    /// checked again when the snapshot is reused.
    counts: (usize, usize),
    /// Per-channel contact columns, built when an audience first needs them.
    pub(crate) contacts: contacts::ContactCache,
    /// The deals in id order, built when an automation rule first needs them.
    by_id: OnceLock<deals_by_id::DealsById>,
}

fn stamp(at: Option<DateTime<Utc>>) -> i64 {
    at.map_or(NO_TIME, |t| t.timestamp())
}

/// The day number (from the common era) of 1970-01-01.
pub(crate) const EPOCH_DAY: i64 = 719_163;

/// The local day number of a timestamp in a zone `offset` seconds east of
/// UTC, as [`chrono::Datelike::num_days_from_ce`] numbers days.
#[inline]
pub(crate) fn local_day(seconds: i64, offset: i64) -> i64 {
    (seconds + offset).div_euclid(86_400) + EPOCH_DAY
}

impl Columns {
    /// The snapshot kept by `base`, if it keeps one; otherwise, from the
    /// second call since the base's last write on, a new one (kept). The
    /// first evaluation after a write runs on the records: building the
    /// snapshot costs several evaluations' worth of time and pays only when
    /// the base is read again before its next write.
    pub fn when_worth_it(base: &ClientBase) -> Option<Arc<Columns>> {
        let cache = base.columns_cache();
        if let Some(columns) = cache.0.get() {
            if columns.counts == counts(base) {
                return Some(Arc::clone(columns));
            }
        }
        if cache.1.fetch_add(1, Ordering::Relaxed) == 0 {
            return None;
        }
        Some(Columns::of(base))
    }

    /// The snapshot of `base`: the one kept since its last write, or a new
    /// one (kept until the next write).
    pub fn of(base: &ClientBase) -> Arc<Columns> {
        let cache = &base.columns_cache().0;
        if let Some(columns) = cache.get() {
            if columns.counts == counts(base) {
                return Arc::clone(columns);
            }
            // A write this crate did not see would be a bug; the check is
            // cheap and never serves a stale snapshot for it.
            return Arc::new(Columns::build(base));
        }
        Arc::clone(cache.get_or_init(|| Arc::new(Columns::build(base))))
    }

    /// Builds a snapshot of `base` without keeping it: the clients in
    /// chunks on all cores (with the `parallel` feature), each chunk with its
    /// deals and lines and its own interned texts, joined in order.
    pub fn build(base: &ClientBase) -> Columns {
        Columns::build_in(base, CHUNK)
    }

    fn build_in(base: &ClientBase, chunk: usize) -> Columns {
        let chunk = chunk.max(1);
        let clients: Vec<&Client> = base.clients().collect();
        let n = clients.len();
        let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
        // Deals grouped by client: each deal's client position (a binary
        // search in the sorted ids), then a stable counting pass keeps the
        // deal id order within a client.
        let all: Vec<&Deal> = base.deals().collect();
        let owners: Vec<usize> = crate::batch::map_column(&all, |deal| {
            // A deal always has its client in the base; one without is skipped.
            ids.binary_search(&deal.client).unwrap_or(usize::MAX)
        });
        let mut starts = vec![0usize; n + 1];
        for &at in &owners {
            if at != usize::MAX {
                starts[at + 1] += 1;
            }
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut order: Vec<&Deal> = Vec::with_capacity(starts[n]);
        {
            let mut slots: Vec<Option<&Deal>> = vec![None; starts[n]];
            let mut next = starts.clone();
            for (deal, &at) in all.iter().zip(&owners) {
                if at != usize::MAX {
                    slots[next[at]] = Some(deal);
                    next[at] += 1;
                }
            }
            order.extend(slots.into_iter().flatten());
        }
        drop(owners);
        let chunks: Vec<(usize, usize)> = (0..n)
            .step_by(chunk)
            .map(|lo| (lo, lo.saturating_add(chunk).min(n)))
            .collect();
        let parts = crate::batch::map_column_with_min(&chunks, 1, |&(lo, hi)| {
            let mut part = Columns::default();
            part.push_clients(&clients[lo..hi]);
            part.push_deals(&order[starts[lo]..starts[hi]], &starts[lo..=hi]);
            part.activities.push(base, &clients[lo..hi]);
            part
        });
        let mut out = Columns {
            counts: (n, all.len()),
            ..Columns::default()
        };
        out.reserve(&parts);
        out.clients.tag_offsets.push(0);
        out.deals.offsets.push(0);
        out.lines.offsets.push(0);
        for part in parts {
            out.append(part);
        }
        out
    }

    /// Room for the rows of `parts`, so that joining them copies each once.
    fn reserve(&mut self, parts: &[Columns]) {
        let sum = |f: fn(&Columns) -> usize| parts.iter().map(f).sum::<usize>();
        let (n, deals, lines) = (
            sum(Columns::clients),
            sum(Columns::deals),
            sum(Columns::lines),
        );
        let tags = sum(|p| p.clients.tag_ids.len());
        let c = &mut self.clients;
        c.ids.reserve(n);
        c.kind.reserve(n);
        c.stage.reserve(n);
        c.temperature.reserve(n);
        c.loyalty.reserve(n);
        c.can_refer.reserve(n);
        c.birthday.reserve(n);
        c.created.reserve(n);
        c.updated.reserve(n);
        c.consent.reserve(n);
        c.contacts.reserve(n);
        c.tag_offsets.reserve(n + 1);
        c.tag_ids.reserve(tags);
        for column in [
            &mut c.city,
            &mut c.region,
            &mut c.owner,
            &mut c.source,
            &mut c.behaviour,
        ] {
            column.ids.reserve(n);
        }
        let d = &mut self.deals;
        d.offsets.reserve(n + 1);
        d.id.reserve(deals);
        d.status.reserve(deals);
        d.amount.reserve(deals);
        d.currency.reserve(deals);
        d.created.reserve(deals);
        d.closed.reserve(deals);
        d.recurring.reserve(deals);
        for column in [&mut d.pipeline, &mut d.stage, &mut d.owner, &mut d.source] {
            column.ids.reserve(deals);
        }
        let l = &mut self.lines;
        l.offsets.reserve(deals + 1);
        l.quantity.reserve(lines);
        l.total.reserve(lines);
        l.currency.reserve(lines);
        l.discounted.reserve(lines);
        l.product.ids.reserve(lines);
        l.category.ids.reserve(lines);
    }

    /// Pushes client columns (without the leading 0 of the tag offsets).
    fn push_clients(&mut self, clients: &[&Client]) {
        let c = &mut self.clients;
        let n = clients.len();
        c.ids.reserve(n);
        c.kind.reserve(n);
        c.stage.reserve(n);
        c.temperature.reserve(n);
        c.loyalty.reserve(n);
        c.can_refer.reserve(n);
        c.birthday.reserve(n);
        c.created.reserve(n);
        c.updated.reserve(n);
        c.consent.reserve(n);
        c.contacts.reserve(n);
        c.tag_offsets.reserve(n);
        for client in clients {
            c.ids.push(client.id);
            c.kind.push(u8::from(client.is_company()));
            c.stage.push(
                LifecycleStage::ALL
                    .iter()
                    .position(|s| *s == client.stage)
                    .unwrap_or(0) as u8,
            );
            c.temperature.push(
                client
                    .temperature
                    .and_then(|t| Temperature::ALL.iter().position(|x| *x == t))
                    .map_or(NO_INT, |i| i as i16),
            );
            c.loyalty
                .push(client.loyalty_percent.map_or(NO_INT, i16::from));
            c.can_refer.push(client.can_refer);
            c.birthday.push(
                client
                    .birthday
                    .map_or(i32::MIN, |b| chrono::Datelike::num_days_from_ce(&b)),
            );
            c.created.push(stamp(client.created_at));
            c.updated.push(stamp(client.updated_at));
            c.city.push_opt(client.city.as_deref());
            c.region.push_opt(client.region.as_deref());
            c.owner.push_opt(client.owner.as_deref());
            c.source.push_opt(client.source.as_deref());
            c.behaviour.push_opt(client.behaviour.as_deref());
            let mut consent = 0u8;
            for (i, channel) in Channel::ALL.iter().enumerate() {
                if client.consents.allows(*channel) {
                    consent |= 1 << i;
                }
            }
            c.consent.push(consent);
            let mut contacts = 0u8;
            if client.phones.iter().any(|p| !p.raw.trim().is_empty()) {
                contacts |= PHONE;
            }
            if client
                .phones
                .iter()
                .any(|p| p.kind == Some(PhoneKind::Mobile))
            {
                contacts |= MOBILE;
            }
            if client.emails.iter().any(|e| !e.raw.trim().is_empty()) {
                contacts |= EMAIL;
            }
            if !client.messengers.is_empty() {
                contacts |= MESSENGER;
            }
            c.contacts.push(contacts);
            for tag in &client.tags {
                let id = c.tags.intern(tag);
                c.tag_ids.push(id);
            }
            c.tag_offsets.push(c.tag_ids.len());
        }
    }

    /// Pushes deal and line columns for `deals`, grouped by client at
    /// `starts` (global positions; the offsets pushed are relative to the
    /// first, without a leading 0).
    fn push_deals(&mut self, deals: &[&Deal], starts: &[usize]) {
        let d = &mut self.deals;
        let l = &mut self.lines;
        let first = starts.first().copied().unwrap_or(0);
        d.offsets.extend(starts.iter().skip(1).map(|s| s - first));
        let n = deals.len();
        d.id.reserve(n);
        d.status.reserve(n);
        d.amount.reserve(n);
        d.currency.reserve(n);
        d.created.reserve(n);
        d.closed.reserve(n);
        d.recurring.reserve(n);
        l.offsets.reserve(n);
        for deal in deals {
            d.id.push(deal.id.get());
            d.status.push(match deal.status {
                DealStatus::Open => 0,
                DealStatus::Won => 1,
                DealStatus::Lost => 2,
                DealStatus::DuplicateOf(_) => 3,
            });
            d.amount.push(deal.amount.minor());
            d.currency.push(deal.amount.currency());
            d.created.push(stamp(deal.created_at));
            d.closed.push(stamp(deal.closed_at));
            d.recurring.push(deal.recurrence.is_some());
            d.pipeline.push_raw(&deal.pipeline);
            d.stage.push_raw(&deal.stage);
            d.owner.push_opt(deal.owner.as_deref());
            d.source.push_opt(deal.source.as_deref());
            for line in &deal.lines {
                l.product.push_raw(&line.product);
                l.category.push_opt(line.category.as_deref());
                l.quantity.push(line.quantity.milli());
                match line.total() {
                    Ok(total) => {
                        l.total.push(total.minor());
                        l.currency.push(total.currency());
                    }
                    Err(_) => {
                        l.total.push(NO_MONEY);
                        l.currency.push(line.unit_price.currency());
                    }
                }
                l.discounted.push(!matches!(line.discount, Discount::None));
            }
            l.offsets.push(l.quantity.len());
        }
    }

    /// Appends a part built by [`Columns::push_clients`] and
    /// [`Columns::push_deals`]: offsets moved, texts interned again.
    fn append(&mut self, part: Columns) {
        let Columns {
            clients: pc,
            deals: pd,
            lines: pl,
            activities: pa,
            ..
        } = part;
        self.activities.append(pa);
        let c = &mut self.clients;
        let tag_base = c.tag_ids.len();
        c.tag_offsets
            .extend(pc.tag_offsets.iter().map(|o| o + tag_base));
        let tags: Vec<u32> = pc.tags.texts.iter().map(|t| c.tags.intern(t)).collect();
        c.tag_ids
            .extend(pc.tag_ids.iter().map(|&id| tags[id as usize]));
        c.ids.extend(pc.ids);
        c.kind.extend(pc.kind);
        c.stage.extend(pc.stage);
        c.temperature.extend(pc.temperature);
        c.loyalty.extend(pc.loyalty);
        c.can_refer.extend(pc.can_refer);
        c.birthday.extend(pc.birthday);
        c.created.extend(pc.created);
        c.updated.extend(pc.updated);
        c.consent.extend(pc.consent);
        c.contacts.extend(pc.contacts);
        c.city.append(pc.city);
        c.region.append(pc.region);
        c.owner.append(pc.owner);
        c.source.append(pc.source);
        c.behaviour.append(pc.behaviour);
        let d = &mut self.deals;
        let deal_base = d.id.len();
        d.offsets.extend(pd.offsets.iter().map(|o| o + deal_base));
        d.id.extend(pd.id);
        d.status.extend(pd.status);
        d.amount.extend(pd.amount);
        d.currency.extend(pd.currency);
        d.created.extend(pd.created);
        d.closed.extend(pd.closed);
        d.recurring.extend(pd.recurring);
        d.pipeline.append(pd.pipeline);
        d.stage.append(pd.stage);
        d.owner.append(pd.owner);
        d.source.append(pd.source);
        let l = &mut self.lines;
        let line_base = l.quantity.len();
        l.offsets.extend(pl.offsets.iter().map(|o| o + line_base));
        l.quantity.extend(pl.quantity);
        l.total.extend(pl.total);
        l.currency.extend(pl.currency);
        l.discounted.extend(pl.discounted);
        l.product.append(pl.product);
        l.category.append(pl.category);
    }

    /// The number of clients.
    pub fn clients(&self) -> usize {
        self.clients.ids.len()
    }

    /// The number of deals.
    pub fn deals(&self) -> usize {
        self.deals.id.len()
    }

    /// The number of product lines.
    pub fn lines(&self) -> usize {
        self.lines.quantity.len()
    }

    /// About how many bytes the snapshot holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        let c = &self.clients;
        let d = &self.deals;
        let l = &self.lines;
        c.ids.capacity() * 8
            + c.kind.capacity()
            + c.stage.capacity()
            + c.temperature.capacity() * 2
            + c.loyalty.capacity() * 2
            + c.can_refer.capacity()
            + c.birthday.capacity() * 4
            + c.created.capacity() * 8
            + c.updated.capacity() * 8
            + c.city.bytes()
            + c.region.bytes()
            + c.owner.bytes()
            + c.source.bytes()
            + c.behaviour.bytes()
            + c.consent.capacity()
            + c.contacts.capacity()
            + c.tag_offsets.capacity() * 8
            + c.tag_ids.capacity() * 4
            + c.tags.bytes()
            + d.offsets.capacity() * 8
            + d.id.capacity() * 8
            + d.status.capacity()
            + d.amount.capacity() * 8
            + d.currency.capacity() * 3
            + d.created.capacity() * 8
            + d.closed.capacity() * 8
            + d.recurring.capacity()
            + d.pipeline.bytes()
            + d.stage.bytes()
            + d.owner.bytes()
            + d.source.bytes()
            + l.offsets.capacity() * 8
            + l.product.bytes()
            + l.category.bytes()
            + l.quantity.capacity() * 8
            + l.total.capacity() * 8
            + l.currency.capacity() * 3
            + l.discounted.capacity()
            + self.activities.bytes()
            + self.by_id.get().map_or(0, deals_by_id::DealsById::bytes)
    }
}

fn counts(base: &ClientBase) -> (usize, usize) {
    (base.clients().len(), base.deals().len())
}

#[cfg(all(test, feature = "generator"))]
mod tests {
    use super::*;

    fn text(column: &TextColumn, at: usize) -> String {
        match column.ids[at] {
            NO_TEXT => "-".into(),
            id => column.dict.texts[id as usize].clone(),
        }
    }

    /// Every row of the snapshot written out, texts resolved.
    fn rows(c: &Columns) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..c.clients() {
            let k = &c.clients;
            let tags: Vec<&str> = k.tag_ids[k.tag_offsets[i]..k.tag_offsets[i + 1]]
                .iter()
                .map(|&t| k.tags.texts[t as usize].as_str())
                .collect();
            out.push(format!(
                "client {:?} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {:?} deals {}..{}",
                k.ids[i],
                k.kind[i],
                k.stage[i],
                k.temperature[i],
                k.loyalty[i],
                k.can_refer[i],
                k.birthday[i],
                k.created[i],
                k.updated[i],
                text(&k.city, i),
                text(&k.region, i),
                text(&k.owner, i),
                text(&k.source, i),
                text(&k.behaviour, i),
                k.consent[i],
                k.contacts[i],
                tags.len(),
                tags,
                c.deals.offsets[i],
                c.deals.offsets[i + 1],
            ));
        }
        let d = &c.deals;
        for j in 0..c.deals() {
            out.push(format!(
                "deal {} {} {} {} {} {} {} {} {} {} {} lines {}..{}",
                d.id[j],
                d.status[j],
                d.amount[j],
                d.currency[j],
                d.created[j],
                d.closed[j],
                d.recurring[j],
                text(&d.pipeline, j),
                text(&d.stage, j),
                text(&d.owner, j),
                text(&d.source, j),
                c.lines.offsets[j],
                c.lines.offsets[j + 1],
            ));
        }
        let l = &c.lines;
        for j in 0..c.lines() {
            out.push(format!(
                "line {} {} {} {} {} {}",
                text(&l.product, j),
                text(&l.category, j),
                l.quantity[j],
                l.total[j],
                l.currency[j],
                l.discounted[j],
            ));
        }
        out
    }

    #[test]
    fn chunks_join_into_the_same_snapshot() {
        let config = crate::generator::GeneratorConfig::new(150, 3);
        let base = crate::generator::generate(&config).unwrap().base;
        let whole = Columns::build_in(&base, usize::MAX);
        assert_eq!(whole.clients(), 150);
        assert!(whole.deals() > 0 && whole.lines() > whole.deals());
        for chunk in [1, 7, 64] {
            assert_eq!(
                rows(&Columns::build_in(&base, chunk)),
                rows(&whole),
                "chunk {chunk}"
            );
        }
        // The deals of each client are the base's, in id order.
        for (i, client) in base.clients().enumerate() {
            let ids: Vec<u64> = base.deals_of(client.id).map(|d| d.id.get()).collect();
            let d = &whole.deals;
            assert_eq!(&d.id[d.offsets[i]..d.offsets[i + 1]], ids.as_slice());
        }
    }
}
