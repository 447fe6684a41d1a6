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
//! until the next write: every write to the base forgets it.

use crate::base::ClientBase;
use crate::client::{Channel, LifecycleStage, PhoneKind, Temperature};
use crate::deal::{DealStatus, Discount};
use crate::ids::ClientId;
use crate::money::Currency;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The snapshot kept in a base until its next write.
#[derive(Clone, Default)]
pub(crate) struct Cache(OnceLock<Arc<Columns>>);

impl Cache {
    /// Drops the snapshot (a write changed the base).
    pub(crate) fn forget(&mut self) {
        self.0 = OnceLock::new();
    }
}

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
    index: HashMap<String, u32>,
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
}

impl TextColumn {
    /// Pushes a text as the segment rules read it: trimmed, none when blank.
    fn push_opt(&mut self, text: Option<&str>) {
        let id = match text.map(str::trim) {
            Some(t) if !t.is_empty() => self.dict.intern(t),
            _ => NO_TEXT,
        };
        self.ids.push(id);
    }

    /// Pushes a text as it is (never none).
    fn push_raw(&mut self, text: &str) {
        let id = self.dict.intern(text);
        self.ids.push(id);
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
    /// What the base held when the snapshot was built (clients, deals),
    /// checked again when the snapshot is reused.
    counts: (usize, usize),
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

    /// Builds a snapshot of `base` without keeping it.
    pub fn build(base: &ClientBase) -> Columns {
        let n = base.clients().len();
        let mut c = ClientColumns {
            ids: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            stage: Vec::with_capacity(n),
            temperature: Vec::with_capacity(n),
            loyalty: Vec::with_capacity(n),
            can_refer: Vec::with_capacity(n),
            birthday: Vec::with_capacity(n),
            created: Vec::with_capacity(n),
            updated: Vec::with_capacity(n),
            consent: Vec::with_capacity(n),
            contacts: Vec::with_capacity(n),
            tag_offsets: Vec::with_capacity(n + 1),
            ..ClientColumns::default()
        };
        c.tag_offsets.push(0);
        for client in base.clients() {
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

        // Deals grouped by client with a counting pass: the base's deals in
        // id order, placed stably after the deals of the clients before.
        let mut per_client = vec![0usize; n + 1];
        let position = |client: ClientId| c.ids.binary_search(&client).ok();
        let all: Vec<&crate::deal::Deal> = base.deals().collect();
        let mut owners: Vec<usize> = Vec::with_capacity(all.len());
        for deal in &all {
            // A deal always has its client in the base; one without is skipped.
            let at = position(deal.client).unwrap_or(usize::MAX);
            owners.push(at);
            if at != usize::MAX {
                per_client[at + 1] += 1;
            }
        }
        for i in 0..n {
            per_client[i + 1] += per_client[i];
        }
        let deal_offsets = per_client.clone();
        let placed = deal_offsets[n];
        let mut order: Vec<usize> = vec![0; placed];
        let mut next = per_client;
        for (d, &at) in owners.iter().enumerate() {
            if at != usize::MAX {
                order[next[at]] = d;
                next[at] += 1;
            }
        }
        let mut d = DealColumns {
            offsets: deal_offsets,
            id: Vec::with_capacity(placed),
            status: Vec::with_capacity(placed),
            amount: Vec::with_capacity(placed),
            currency: Vec::with_capacity(placed),
            created: Vec::with_capacity(placed),
            closed: Vec::with_capacity(placed),
            recurring: Vec::with_capacity(placed),
            ..DealColumns::default()
        };
        let line_count: usize = all.iter().map(|d| d.lines.len()).sum();
        let mut l = LineColumns {
            offsets: Vec::with_capacity(placed + 1),
            quantity: Vec::with_capacity(line_count),
            total: Vec::with_capacity(line_count),
            currency: Vec::with_capacity(line_count),
            discounted: Vec::with_capacity(line_count),
            ..LineColumns::default()
        };
        l.offsets.push(0);
        for &index in &order {
            let deal = all[index];
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
        Columns {
            counts: (n, all.len()),
            clients: c,
            deals: d,
            lines: l,
        }
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
    }
}

fn counts(base: &ClientBase) -> (usize, usize) {
    (base.clients().len(), base.deals().len())
}

#[cfg(test)]
mod tests;
