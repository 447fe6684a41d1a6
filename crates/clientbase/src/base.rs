//! [`ClientBase`]: owns clients, deals and activities with stable ids, validates
//! every write and keeps the indexes later features need.
//!
//! ```
//! use clientbase::{ClientBase, Client, Deal, Money, Currency, Schema};
//! let mut schema = Schema::new();
//! schema.declare_tag("vip").unwrap();
//! let mut base = ClientBase::new(schema);
//! let anna = base.add_client(Client::person("Иванова", "Анна", None).with_tag("vip")).unwrap();
//! base.add_deal(Deal::new(anna, Money::parse("15 000", Currency::RUB).unwrap())).unwrap();
//! assert_eq!(base.deals_of(anna).count(), 1);
//! // Tags outside the vocabulary are refused, and the error says where.
//! let err = base.add_client(Client::person("Петров", "Пётр", None).with_tag("gold")).unwrap_err();
//! assert_eq!(err.to_string(), "unknown tag: new client, field \"tags\": \"gold\" is not in the tag vocabulary");
//! ```

mod merge;

pub use merge::{MergeRecord, MergeRules, Survivorship, MERGE_FIELDS};

use crate::activity::Activity;
use crate::client::{Client, Party, Relation, RelationKind};
use crate::deal::{Deal, DealStatus};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use crate::money::Currency;
use crate::schema::{FieldDef, FieldValue, Schema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;

/// The source of "now" for created/updated stamps.
type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Counts of what a base holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// All clients.
    pub clients: usize,
    /// Clients that are people.
    pub persons: usize,
    /// Clients that are companies.
    pub companies: usize,
    /// All deals.
    pub deals: usize,
    /// Deals still open.
    pub open_deals: usize,
    /// All product lines over all deals.
    pub deal_lines: usize,
    /// All activities.
    pub activities: usize,
    /// Tasks not yet done.
    pub open_tasks: usize,
}

/// A company's client base: clients, deals and activities, always valid.
///
/// Every write is checked against the [`Schema`] and the records it refers to; a
/// rejected write leaves the base unchanged. The base is `Send + Sync`; share it
/// behind an `RwLock` for read-heavy use.
#[derive(Clone)]
pub struct ClientBase {
    schema: Schema,
    clients: BTreeMap<ClientId, Client>,
    deals: BTreeMap<DealId, Deal>,
    activities: BTreeMap<ActivityId, Activity>,
    next_client: u64,
    next_deal: u64,
    next_activity: u64,
    deals_by_client: HashMap<ClientId, BTreeSet<DealId>>,
    activities_by_client: HashMap<ClientId, BTreeSet<ActivityId>>,
    activities_by_deal: HashMap<DealId, BTreeSet<ActivityId>>,
    relations_to: HashMap<ClientId, BTreeSet<(ClientId, RelationKind)>>,
    /// The merges made and not undone, oldest first.
    merges: Vec<MergeRecord>,
    clock: Clock,
}

impl fmt::Debug for ClientBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBase")
            .field("counts", &self.counts())
            .finish_non_exhaustive()
    }
}

impl Default for ClientBase {
    fn default() -> ClientBase {
        ClientBase::new(Schema::new())
    }
}

impl PartialEq for ClientBase {
    /// Two bases are equal when they hold the same schema, records, id counters
    /// and merge log.
    fn eq(&self, other: &ClientBase) -> bool {
        self.schema == other.schema
            && self.merges == other.merges
            && self.clients == other.clients
            && self.deals == other.deals
            && self.activities == other.activities
            && self.next_client == other.next_client
            && self.next_deal == other.next_deal
            && self.next_activity == other.next_activity
    }
}

impl ClientBase {
    /// An empty base with `schema`.
    pub fn new(schema: Schema) -> ClientBase {
        ClientBase {
            schema,
            clients: BTreeMap::new(),
            deals: BTreeMap::new(),
            activities: BTreeMap::new(),
            next_client: 1,
            next_deal: 1,
            next_activity: 1,
            deals_by_client: HashMap::new(),
            activities_by_client: HashMap::new(),
            activities_by_deal: HashMap::new(),
            relations_to: HashMap::new(),
            merges: Vec::new(),
            clock: Arc::new(Utc::now),
        }
    }

    /// Replaces the clock used to stamp `created_at` and `updated_at` (tests, replays).
    pub fn set_clock(&mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) {
        self.clock = Arc::new(clock);
    }

    /// Freezes the clock at `now` (`None` follows the system clock again). Useful
    /// for replaying history or importing "as of" a date, and for reproducible tests.
    pub fn freeze_clock(&mut self, now: Option<DateTime<Utc>>) {
        match now {
            Some(at) => self.set_clock(move || at),
            None => self.clock = Arc::new(Utc::now),
        }
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Adds a tag to the vocabulary.
    pub fn declare_tag(&mut self, tag: impl Into<String>) -> Result<()> {
        self.schema.declare_tag(tag)
    }

    /// Declares a custom field.
    pub fn declare_field(&mut self, field: FieldDef) -> Result<()> {
        self.schema.declare_field(field)
    }

    /// Sets the accounting currency. Existing deals in another currency make this a
    /// [`ErrorKind::Conflict`] and nothing changes.
    pub fn set_currency(&mut self, currency: Option<Currency>) -> Result<()> {
        if let Some(required) = currency {
            if let Some(deal) = self
                .deals
                .values()
                .find(|d| d.amount.currency() != required)
            {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!(
                        "{} is in {}, not {required}",
                        deal.id,
                        deal.amount.currency()
                    ),
                )
                .with_field("currency"));
            }
        }
        self.schema.set_currency(currency);
        Ok(())
    }

    // ---- clients -------------------------------------------------------------

    /// Validates and adds a client, assigning a new id (the `id` given is ignored).
    /// Stamps `created_at` when missing and sets `updated_at` to it when missing.
    pub fn add_client(&mut self, client: Client) -> Result<ClientId> {
        let id = ClientId(self.next_client);
        let mut client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(|| "new client".into()))?;
        let now = (self.clock)();
        let created = *client.created_at.get_or_insert(now);
        client.updated_at.get_or_insert(created);
        self.next_client += 1;
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(id)
    }

    /// Replaces a client (found by `client.id`) after validating it; `updated_at`
    /// is set to now and a missing `created_at` is kept from the stored client.
    pub fn update_client(&mut self, client: Client) -> Result<()> {
        let id = client.id;
        let record = || id.to_string();
        let stored_created = match self.clients.get(&id) {
            Some(stored) => stored.created_at,
            None => return Err(unknown(id.to_string()).with_record(record())),
        };
        let mut client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(record))?;
        if client.created_at.is_none() {
            client.created_at = stored_created;
        }
        let now = (self.clock)();
        client.updated_at = Some(client.created_at.map_or(now, |c| c.max(now)));
        let old = self.clients.remove(&id);
        if let Some(old) = &old {
            self.unindex_relations(old);
        }
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(())
    }

    /// Removes a client that nothing refers to any more. A client with deals,
    /// activities or incoming relations is a [`ErrorKind::Conflict`].
    pub fn remove_client(&mut self, id: ClientId) -> Result<Client> {
        let record = || id.to_string();
        if !self.clients.contains_key(&id) {
            return Err(unknown(id.to_string()).with_record(record()));
        }
        let in_use = |what: &str, n: usize| {
            Error::new(ErrorKind::Conflict, format!("{n} {what} still refer to it"))
                .with_record(record())
        };
        let deals = self.deals_by_client.get(&id).map_or(0, BTreeSet::len);
        if deals > 0 {
            return Err(in_use("deals", deals));
        }
        let activities = self.activities_by_client.get(&id).map_or(0, BTreeSet::len);
        if activities > 0 {
            return Err(in_use("activities", activities));
        }
        let incoming = self
            .relations_to
            .get(&id)
            .map_or(0, |s| s.iter().filter(|(from, _)| *from != id).count());
        if incoming > 0 {
            return Err(in_use("relations of other clients", incoming));
        }
        let client = self
            .clients
            .remove(&id)
            .ok_or_else(|| unknown(id.to_string()))?;
        self.unindex_relations(&client);
        Ok(client)
    }

    /// The client with `id`, or an [`ErrorKind::UnknownId`] error naming it.
    pub fn get_client(&self, id: ClientId) -> Result<&Client> {
        self.clients
            .get(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))
    }

    /// The client with `id`.
    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    /// All clients in id order.
    pub fn clients(&self) -> impl ExactSizeIterator<Item = &Client> + Clone {
        self.clients.values()
    }

    /// Clients whose relations point at `id`, with the relation kind.
    pub fn related_to(&self, id: ClientId) -> impl Iterator<Item = (ClientId, RelationKind)> + '_ {
        self.relations_to.get(&id).into_iter().flatten().copied()
    }

    /// Adds a client under the id it carries when that id is not 0 (CSV import keeps
    /// the ids of an export), otherwise exactly like [`ClientBase::add_client`]. An id
    /// already in use is a [`ErrorKind::Conflict`]; new ids stay above every id inserted.
    #[cfg_attr(not(feature = "csv"), allow(dead_code))]
    pub(crate) fn insert_client(&mut self, client: Client) -> Result<ClientId> {
        let id = client.id;
        if id.0 == 0 {
            return self.add_client(client);
        }
        let record = || id.to_string();
        if self.clients.contains_key(&id) {
            return Err(in_use(id.to_string()).with_record(record()));
        }
        let mut client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(record))?;
        let now = (self.clock)();
        let created = *client.created_at.get_or_insert(now);
        client.updated_at.get_or_insert(created);
        self.next_client = self.next_client.max(id.0.saturating_add(1));
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(id)
    }

    /// Replaces the relations of a stored client after checking them, leaving its
    /// stamps alone (CSV import attaches relations once every row is in).
    #[cfg_attr(not(feature = "csv"), allow(dead_code))]
    pub(crate) fn set_relations(&mut self, id: ClientId, relations: Vec<Relation>) -> Result<()> {
        let mut client = self
            .clients
            .get(&id)
            .cloned()
            .ok_or_else(|| unknown(id.to_string()))?;
        client.relations = relations;
        let client = self
            .validated_client(client, id)
            .map_err(|e| e.or_record(|| id.to_string()))?;
        if let Some(old) = self.clients.remove(&id) {
            self.unindex_relations(&old);
        }
        self.index_relations(&client);
        self.clients.insert(id, client);
        Ok(())
    }

    pub(crate) fn validated_client(&self, mut client: Client, id: ClientId) -> Result<Client> {
        self.check_client_fields(&mut client, id)?;
        check_relations(&client, |to| self.clients.get(&to))?;
        Ok(client)
    }

    /// Everything [`ClientBase::validated_client`] checks but the relations.
    fn check_client_fields(&self, client: &mut Client, id: ClientId) -> Result<()> {
        client.id = id;
        client.check_own_fields()?;
        for tag in &client.tags {
            self.schema.check_tag(tag)?;
        }
        // Checked in place: rebuilding the map would allocate it anew.
        for (name, value) in client.custom.iter_mut() {
            let given = std::mem::replace(value, FieldValue::Bool(false));
            *value = self.schema.check_value(name, given)?;
        }
        Ok(())
    }

    fn index_relations(&mut self, client: &Client) {
        index_relations(&mut self.relations_to, client);
    }

    fn unindex_relations(&mut self, client: &Client) {
        for relation in &client.relations {
            if let Some(set) = self.relations_to.get_mut(&relation.to) {
                set.remove(&(client.id, relation.kind));
                if set.is_empty() {
                    self.relations_to.remove(&relation.to);
                }
            }
        }
    }

    // ---- deals ---------------------------------------------------------------

    /// Validates and adds a deal, assigning a new id.
    pub fn add_deal(&mut self, deal: Deal) -> Result<DealId> {
        let id = DealId(self.next_deal);
        let mut deal = self
            .validated_deal(deal, id)
            .map_err(|e| e.or_record(|| "new deal".into()))?;
        deal.created_at.get_or_insert_with(|| (self.clock)());
        self.next_deal += 1;
        self.deals_by_client
            .entry(deal.client)
            .or_default()
            .insert(id);
        self.deals.insert(id, deal);
        Ok(id)
    }

    /// Replaces a deal (found by `deal.id`) after validating it. The deal may move
    /// to another client only if it has no activities.
    pub fn update_deal(&mut self, deal: Deal) -> Result<()> {
        let id = deal.id;
        let record = || id.to_string();
        let Some(old) = self.deals.get(&id) else {
            return Err(unknown(id.to_string()).with_record(record()));
        };
        let (old_client, old_created) = (old.client, old.created_at);
        let mut deal = self
            .validated_deal(deal, id)
            .map_err(|e| e.or_record(record))?;
        if deal.client != old_client
            && self
                .activities_by_deal
                .get(&id)
                .is_some_and(|s| !s.is_empty())
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                "a deal with activities cannot move to another client",
            )
            .with_record(record())
            .with_field("client"));
        }
        if deal.created_at.is_none() {
            deal.created_at = old_created;
        }
        if deal.client != old_client {
            if let Some(set) = self.deals_by_client.get_mut(&old_client) {
                set.remove(&id);
            }
            self.deals_by_client
                .entry(deal.client)
                .or_default()
                .insert(id);
        }
        self.deals.insert(id, deal);
        Ok(())
    }

    /// Removes a deal that no activity and no other deal refers to.
    pub fn remove_deal(&mut self, id: DealId) -> Result<Deal> {
        let record = || id.to_string();
        if !self.deals.contains_key(&id) {
            return Err(unknown(id.to_string()).with_record(record()));
        }
        if let Some(n) = self
            .activities_by_deal
            .get(&id)
            .map(BTreeSet::len)
            .filter(|n| *n > 0)
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("{n} activities still refer to it"),
            )
            .with_record(record()));
        }
        if let Some(other) = self
            .deals
            .values()
            .find(|d| d.status == DealStatus::DuplicateOf(id))
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("{} is marked as its duplicate", other.id),
            )
            .with_record(record()));
        }
        let deal = self
            .deals
            .remove(&id)
            .ok_or_else(|| unknown(id.to_string()))?;
        if let Some(set) = self.deals_by_client.get_mut(&deal.client) {
            set.remove(&id);
        }
        Ok(deal)
    }

    /// The deal with `id`, or an [`ErrorKind::UnknownId`] error naming it.
    pub fn get_deal(&self, id: DealId) -> Result<&Deal> {
        self.deals
            .get(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))
    }

    /// The deal with `id`.
    pub fn deal(&self, id: DealId) -> Option<&Deal> {
        self.deals.get(&id)
    }

    /// All deals in id order.
    pub fn deals(&self) -> impl ExactSizeIterator<Item = &Deal> + Clone {
        self.deals.values()
    }

    /// The deals of a client in id order.
    pub fn deals_of(&self, client: ClientId) -> impl Iterator<Item = &Deal> + '_ {
        self.deals_by_client
            .get(&client)
            .into_iter()
            .flatten()
            .filter_map(|id| self.deals.get(id))
    }

    /// Adds a deal under the id it carries when that id is not 0 (CSV import keeps
    /// the ids of an export), otherwise exactly like [`ClientBase::add_deal`]. An id
    /// already in use is a [`ErrorKind::Conflict`]; new ids stay above every id inserted.
    #[cfg_attr(not(feature = "csv"), allow(dead_code))]
    pub(crate) fn insert_deal(&mut self, deal: Deal) -> Result<DealId> {
        let id = deal.id;
        if id.0 == 0 {
            return self.add_deal(deal);
        }
        let record = || id.to_string();
        if self.deals.contains_key(&id) {
            return Err(in_use(id.to_string()).with_record(record()));
        }
        let mut deal = self
            .validated_deal(deal, id)
            .map_err(|e| e.or_record(record))?;
        deal.created_at.get_or_insert_with(|| (self.clock)());
        self.next_deal = self.next_deal.max(id.0.saturating_add(1));
        self.deals_by_client
            .entry(deal.client)
            .or_default()
            .insert(id);
        self.deals.insert(id, deal);
        Ok(id)
    }

    fn validated_deal(&self, mut deal: Deal, id: DealId) -> Result<Deal> {
        self.check_deal(
            &mut deal,
            id,
            |client| self.clients.contains_key(&client),
            |deal| self.deals.contains_key(&deal),
        )?;
        Ok(deal)
    }

    /// Checks a deal that is to get `id`; the `*_exists` functions say which
    /// records it may refer to.
    fn check_deal(
        &self,
        deal: &mut Deal,
        id: DealId,
        client_exists: impl Fn(ClientId) -> bool,
        deal_exists: impl Fn(DealId) -> bool,
    ) -> Result<()> {
        deal.id = id;
        if !client_exists(deal.client) {
            return Err(unknown(deal.client.to_string()).with_field("client"));
        }
        deal.check_own_fields(self.schema.currency())?;
        if let DealStatus::DuplicateOf(original) = deal.status {
            if original == id {
                return Err(invalid("status", "a deal cannot duplicate itself"));
            }
            if !deal_exists(original) {
                return Err(unknown(original.to_string()).with_field("status"));
            }
        }
        Ok(())
    }

    // ---- activities ----------------------------------------------------------

    /// Validates and adds an activity, assigning a new id.
    pub fn add_activity(&mut self, activity: Activity) -> Result<ActivityId> {
        let id = ActivityId(self.next_activity);
        let activity = self
            .validated_activity(activity, id)
            .map_err(|e| e.or_record(|| "new activity".into()))?;
        self.next_activity += 1;
        self.index_activity(&activity);
        self.activities.insert(id, activity);
        Ok(id)
    }

    /// Replaces an activity (found by `activity.id`) after validating it.
    pub fn update_activity(&mut self, activity: Activity) -> Result<()> {
        let id = activity.id;
        let record = || id.to_string();
        if !self.activities.contains_key(&id) {
            return Err(unknown(id.to_string()).with_record(record()));
        }
        let activity = self
            .validated_activity(activity, id)
            .map_err(|e| e.or_record(record))?;
        if let Some(old) = self.activities.remove(&id) {
            self.unindex_activity(&old);
        }
        self.index_activity(&activity);
        self.activities.insert(id, activity);
        Ok(())
    }

    /// Removes an activity.
    pub fn remove_activity(&mut self, id: ActivityId) -> Result<Activity> {
        let activity = self
            .activities
            .remove(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))?;
        self.unindex_activity(&activity);
        Ok(activity)
    }

    /// The activity with `id`, or an [`ErrorKind::UnknownId`] error naming it.
    pub fn get_activity(&self, id: ActivityId) -> Result<&Activity> {
        self.activities
            .get(&id)
            .ok_or_else(|| unknown(id.to_string()).with_record(id.to_string()))
    }

    /// The activity with `id`.
    pub fn activity(&self, id: ActivityId) -> Option<&Activity> {
        self.activities.get(&id)
    }

    /// All activities in id order.
    pub fn activities(&self) -> impl ExactSizeIterator<Item = &Activity> + Clone {
        self.activities.values()
    }

    /// The activities of a client in id order.
    pub fn activities_of(&self, client: ClientId) -> impl Iterator<Item = &Activity> + '_ {
        self.activities_by_client
            .get(&client)
            .into_iter()
            .flatten()
            .filter_map(|id| self.activities.get(id))
    }

    /// The activities linked to a deal in id order.
    pub fn activities_of_deal(&self, deal: DealId) -> impl Iterator<Item = &Activity> + '_ {
        self.activities_by_deal
            .get(&deal)
            .into_iter()
            .flatten()
            .filter_map(|id| self.activities.get(id))
    }

    fn validated_activity(&self, mut activity: Activity, id: ActivityId) -> Result<Activity> {
        check_activity(
            &mut activity,
            id,
            |client| self.clients.contains_key(&client),
            |deal| self.deals.get(&deal).map(|d| d.client),
        )?;
        Ok(activity)
    }

    fn index_activity(&mut self, activity: &Activity) {
        self.activities_by_client
            .entry(activity.client)
            .or_default()
            .insert(activity.id);
        if let Some(deal) = activity.deal {
            self.activities_by_deal
                .entry(deal)
                .or_default()
                .insert(activity.id);
        }
    }

    fn unindex_activity(&mut self, activity: &Activity) {
        if let Some(set) = self.activities_by_client.get_mut(&activity.client) {
            set.remove(&activity.id);
        }
        if let Some(deal) = activity.deal {
            if let Some(set) = self.activities_by_deal.get_mut(&deal) {
                set.remove(&activity.id);
            }
        }
    }

    // ---- bulk ------------------------------------------------------------------

    /// Adds many new records at once: the same checks and stamps as
    /// [`ClientBase::add_client`], [`ClientBase::add_deal`] and
    /// [`ClientBase::add_activity`] in id order, but run on all cores (with the
    /// `parallel` feature) and stored in one pass, which is many times faster for
    /// millions of records.
    ///
    /// Every record comes with its id, in order: clients, deals and activities are
    /// numbered on from the next free id of their kind without gaps. A record may
    /// refer to any record of the base or of the batch. Missing stamps are set to one
    /// "now" for the whole batch. An error names the first bad record of the first
    /// kind that has one, and leaves the base unchanged.
    #[cfg_attr(not(feature = "generator"), allow(dead_code))]
    pub(crate) fn add_bulk(
        &mut self,
        mut clients: Vec<(ClientId, Client)>,
        mut deals: Vec<(DealId, Deal)>,
        mut activities: Vec<(ActivityId, Activity)>,
    ) -> Result<()> {
        let first_client = self.next_client;
        let first_deal = self.next_deal;
        let first_activity = self.next_activity;
        check_numbering(clients.iter().map(|(id, _)| id.0), first_client, "client")?;
        check_numbering(deals.iter().map(|(id, _)| id.0), first_deal, "deal")?;
        check_numbering(
            activities.iter().map(|(id, _)| id.0),
            first_activity,
            "activity",
        )?;
        let now = (self.clock)();
        let base = &*self;

        check_each_mut(&mut clients, |(id, client)| {
            base.check_client_fields(client, *id)
                .map_err(|e| e.or_record(|| id.to_string()))?;
            let created = *client.created_at.get_or_insert(now);
            client.updated_at.get_or_insert(created);
            Ok(())
        })?;
        let client = |id: ClientId| {
            in_batch(&clients, first_client, id.0)
                .map(|(_, c)| c)
                .or_else(|| base.clients.get(&id))
        };
        check_each(&clients, |(id, c)| {
            check_relations(c, client).map_err(|e| e.or_record(|| id.to_string()))
        })?;
        let deal_count = deals.len() as u64;
        check_each_mut(&mut deals, |(id, deal)| {
            base.check_deal(
                deal,
                *id,
                |c| client(c).is_some(),
                |d| d.0.wrapping_sub(first_deal) < deal_count || base.deals.contains_key(&d),
            )
            .map_err(|e| e.or_record(|| id.to_string()))?;
            deal.created_at.get_or_insert(now);
            Ok(())
        })?;
        let deal_client = |id: DealId| {
            in_batch(&deals, first_deal, id.0)
                .map(|(_, d)| d.client)
                .or_else(|| base.deals.get(&id).map(|d| d.client))
        };
        check_each_mut(&mut activities, |(id, activity)| {
            check_activity(activity, *id, |c| client(c).is_some(), deal_client)
                .map_err(|e| e.or_record(|| id.to_string()))
        })?;

        self.next_client += clients.len() as u64;
        self.next_deal += deal_count;
        self.next_activity += activities.len() as u64;
        let ClientBase {
            clients: client_map,
            deals: deal_map,
            activities: activity_map,
            deals_by_client,
            activities_by_client,
            activities_by_deal,
            relations_to,
            ..
        } = self;
        // Each map is built from its sorted run in one pass with full nodes, the
        // three side by side with their indexes.
        join(
            || {
                for (_, client) in &clients {
                    index_relations(relations_to, client);
                }
                client_map.append(&mut BTreeMap::from_iter(clients));
            },
            || {
                join(
                    || {
                        // A client's deals usually follow one another: one index
                        // entry per run.
                        for run in deals.chunk_by(|(_, a), (_, b)| a.client == b.client) {
                            deals_by_client
                                .entry(run[0].1.client)
                                .or_default()
                                .extend(run.iter().map(|(id, _)| *id));
                        }
                        deal_map.append(&mut BTreeMap::from_iter(deals));
                    },
                    || {
                        for run in activities.chunk_by(|(_, a), (_, b)| a.client == b.client) {
                            activities_by_client
                                .entry(run[0].1.client)
                                .or_default()
                                .extend(run.iter().map(|(id, _)| *id));
                        }
                        for (id, activity) in &activities {
                            if let Some(deal) = activity.deal {
                                activities_by_deal.entry(deal).or_default().insert(*id);
                            }
                        }
                        activity_map.append(&mut BTreeMap::from_iter(activities));
                    },
                )
            },
        );
        Ok(())
    }

    // ---- summary and serialization --------------------------------------------

    /// Counts of clients, deals, lines and activities.
    pub fn counts(&self) -> Counts {
        let companies = self.clients.values().filter(|c| c.is_company()).count();
        Counts {
            clients: self.clients.len(),
            persons: self.clients.len() - companies,
            companies,
            deals: self.deals.len(),
            open_deals: self
                .deals
                .values()
                .filter(|d| !d.status.is_closed())
                .count(),
            deal_lines: self.deals.values().map(|d| d.lines.len()).sum(),
            activities: self.activities.len(),
            open_tasks: self
                .activities
                .values()
                .filter(|a| a.is_open_task())
                .count(),
        }
    }

    /// Writes the whole base as JSON. [`ClientBase::read_json`] gives back an equal base.
    pub fn write_json<W: Write>(&self, writer: W) -> Result<()> {
        let snapshot = SnapshotRef {
            format: FORMAT,
            version: VERSION,
            schema: &self.schema,
            next_ids: NextIds {
                client: self.next_client,
                deal: self.next_deal,
                activity: self.next_activity,
            },
            clients: self.clients.values().collect(),
            deals: self.deals.values().collect(),
            activities: self.activities.values().collect(),
            merges: &self.merges,
        };
        serde_json::to_writer(writer, &snapshot)?;
        Ok(())
    }

    /// The whole base as a JSON string.
    pub fn to_json(&self) -> Result<String> {
        let mut out = Vec::new();
        self.write_json(&mut out)?;
        String::from_utf8(out).map_err(|e| Error::new(ErrorKind::Json, e.to_string()))
    }

    /// Reads a base written by [`ClientBase::write_json`], validating every record.
    /// Errors name the record (`client 17`) and the field.
    pub fn read_json<R: Read>(reader: R) -> Result<ClientBase> {
        let snapshot: Snapshot = serde_json::from_reader(std::io::BufReader::new(reader))?;
        ClientBase::from_snapshot(snapshot)
    }

    /// Reads a base from a JSON string.
    pub fn from_json(json: &str) -> Result<ClientBase> {
        let snapshot: Snapshot = serde_json::from_str(json)?;
        ClientBase::from_snapshot(snapshot)
    }

    fn from_snapshot(snapshot: Snapshot) -> Result<ClientBase> {
        if snapshot.format != FORMAT {
            return Err(invalid(
                "format",
                format!("{:?} is not {FORMAT:?}", snapshot.format),
            ));
        }
        if snapshot.version != VERSION {
            return Err(invalid(
                "version",
                format!(
                    "version {} is not supported (this library reads {VERSION})",
                    snapshot.version
                ),
            ));
        }
        let mut base = ClientBase::new(snapshot.schema);
        // Relations may point forward, so clients are checked against the full set.
        let mut clients = BTreeMap::new();
        for client in snapshot.clients {
            let id = client.id;
            if id.0 == 0 {
                return Err(invalid("id", "ids start at 1").with_record(id.to_string()));
            }
            if clients.insert(id, client).is_some() {
                return Err(Error::new(ErrorKind::Conflict, "the id appears twice")
                    .with_record(id.to_string()));
            }
        }
        base.clients = clients;
        let ids: Vec<ClientId> = base.clients.keys().copied().collect();
        for id in ids {
            let client = base
                .clients
                .get(&id)
                .cloned()
                .ok_or_else(|| unknown(id.to_string()))?;
            let client = base
                .validated_client(client, id)
                .map_err(|e| e.or_record(|| id.to_string()))?;
            base.index_relations(&client);
            base.clients.insert(id, client);
        }
        for deal in snapshot.deals {
            let id = deal.id;
            if id.0 == 0 || base.deals.contains_key(&id) {
                return Err(invalid("id", "missing or repeated id").with_record(id.to_string()));
            }
            base.deals.insert(id, deal);
        }
        let ids: Vec<DealId> = base.deals.keys().copied().collect();
        for id in ids {
            let deal = base
                .deals
                .get(&id)
                .cloned()
                .ok_or_else(|| unknown(id.to_string()))?;
            let deal = base
                .validated_deal(deal, id)
                .map_err(|e| e.or_record(|| id.to_string()))?;
            base.deals_by_client
                .entry(deal.client)
                .or_default()
                .insert(id);
            base.deals.insert(id, deal);
        }
        for activity in snapshot.activities {
            let id = activity.id;
            if id.0 == 0 || base.activities.contains_key(&id) {
                return Err(invalid("id", "missing or repeated id").with_record(id.to_string()));
            }
            let activity = base
                .validated_activity(activity, id)
                .map_err(|e| e.or_record(|| id.to_string()))?;
            base.index_activity(&activity);
            base.activities.insert(id, activity);
        }
        let max_plus_one = |max: Option<u64>| max.map_or(1, |m| m + 1);
        base.next_client = snapshot
            .next_ids
            .client
            .max(max_plus_one(base.clients.keys().next_back().map(|i| i.0)));
        base.next_deal = snapshot
            .next_ids
            .deal
            .max(max_plus_one(base.deals.keys().next_back().map(|i| i.0)));
        base.next_activity = snapshot.next_ids.activity.max(max_plus_one(
            base.activities.keys().next_back().map(|i| i.0),
        ));
        base.merges = snapshot.merges;
        Ok(base)
    }

    /// Whether a client with a Russian tax id is already in the base (companies only).
    pub fn find_company_by_tax_id(&self, tax_id: &str) -> Option<ClientId> {
        self.clients.values().find_map(|c| match &c.party {
            Party::Company(company) if company.tax_id.as_deref() == Some(tax_id) => Some(c.id),
            _ => None,
        })
    }
}

const FORMAT: &str = "clientbase";
const VERSION: u32 = 1;

fn unknown(what: String) -> Error {
    Error::new(ErrorKind::UnknownId, format!("{what} does not exist"))
}

fn index_relations(
    relations_to: &mut HashMap<ClientId, BTreeSet<(ClientId, RelationKind)>>,
    client: &Client,
) {
    for relation in &client.relations {
        relations_to
            .entry(relation.to)
            .or_default()
            .insert((client.id, relation.kind));
    }
}

/// Runs `a` and `b`, side by side with the `parallel` feature.
#[cfg(feature = "parallel")]
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    rayon::join(a, b)
}

#[cfg(not(feature = "parallel"))]
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

/// The record with `id` in a batch numbered from `first`.
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn in_batch<T>(batch: &[T], first: u64, id: u64) -> Option<&T> {
    batch.get(usize::try_from(id.checked_sub(first)?).ok()?)
}

/// Bulk ids must number on from `first` without gaps.
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn check_numbering(ids: impl Iterator<Item = u64>, first: u64, kind: &str) -> Result<()> {
    for (expected, id) in (first..).zip(ids) {
        if id != expected {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("{kind} {id} of a batch was expected to be {kind} {expected}"),
            )
            .with_field("id"));
        }
    }
    Ok(())
}

/// Runs `check` on every item, on all cores with the `parallel` feature; the
/// error is that of the first failing item in order.
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn check_each_mut<T: Send>(
    items: &mut [T],
    check: impl Fn(&mut T) -> Result<()> + Sync + Send,
) -> Result<()> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items
            .par_iter_mut()
            .with_min_len(256)
            .map(check)
            .find_first(Result::is_err)
            .unwrap_or(Ok(()))
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter_mut().try_for_each(check)
    }
}

/// [`check_each_mut`] for checks that only read.
#[cfg_attr(not(feature = "generator"), allow(dead_code))]
fn check_each<T: Sync>(items: &[T], check: impl Fn(&T) -> Result<()> + Sync + Send) -> Result<()> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items
            .par_iter()
            .with_min_len(256)
            .map(check)
            .find_first(Result::is_err)
            .unwrap_or(Ok(()))
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().try_for_each(check)
    }
}

/// Checks an activity that is to get `id`; `deal_client` gives the client of each
/// deal it may refer to.
fn check_activity(
    activity: &mut Activity,
    id: ActivityId,
    client_exists: impl Fn(ClientId) -> bool,
    deal_client: impl Fn(DealId) -> Option<ClientId>,
) -> Result<()> {
    activity.id = id;
    if !client_exists(activity.client) {
        return Err(unknown(activity.client.to_string()).with_field("client"));
    }
    if let Some(deal_id) = activity.deal {
        match deal_client(deal_id) {
            None => return Err(unknown(deal_id.to_string()).with_field("deal")),
            Some(client) if client != activity.client => {
                return Err(invalid(
                    "deal",
                    format!("{deal_id} belongs to {client}, not {}", activity.client),
                ))
            }
            Some(_) => {}
        }
    }
    activity.check_own_fields()
}

/// Checks the relations of `client`, finding their targets with `lookup`.
fn check_relations<'a>(
    client: &Client,
    lookup: impl Fn(ClientId) -> Option<&'a Client>,
) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (i, relation) in client.relations.iter().enumerate() {
        let field = || format!("relations[{i}]");
        if relation.to == client.id {
            return Err(invalid(field(), "a client cannot be related to itself"));
        }
        let Some(target) = lookup(relation.to) else {
            return Err(unknown(relation.to.to_string()).with_field(field()));
        };
        if relation.kind == RelationKind::EmployeeOf && !target.is_company() {
            return Err(invalid(
                field(),
                format!(
                    "employee_of must point at a company, {} is a person",
                    relation.to
                ),
            ));
        }
        if !seen.insert(*relation) {
            return Err(invalid(
                field(),
                format!(
                    "{} to {} is listed twice",
                    relation.kind.name(),
                    relation.to
                ),
            ));
        }
    }
    Ok(())
}

#[cfg_attr(not(feature = "csv"), allow(dead_code))]
fn in_use(what: String) -> Error {
    Error::new(ErrorKind::Conflict, format!("{what} already exists")).with_field("id")
}

#[derive(Serialize, Deserialize, Default)]
struct NextIds {
    client: u64,
    deal: u64,
    activity: u64,
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'a str,
    version: u32,
    schema: &'a Schema,
    next_ids: NextIds,
    clients: Vec<&'a Client>,
    deals: Vec<&'a Deal>,
    activities: Vec<&'a Activity>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    merges: &'a [MergeRecord],
}

#[derive(Deserialize)]
struct Snapshot {
    format: String,
    version: u32,
    #[serde(default)]
    schema: Schema,
    #[serde(default)]
    next_ids: NextIds,
    #[serde(default)]
    clients: Vec<Client>,
    #[serde(default)]
    deals: Vec<Deal>,
    #[serde(default)]
    activities: Vec<Activity>,
    #[serde(default)]
    merges: Vec<MergeRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::ActivityKind;
    use crate::client::Relation;
    use crate::money::Money;
    use crate::schema::{FieldType, FieldValue};
    use chrono::TimeZone;

    fn fixed_clock() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap()
    }

    fn base() -> ClientBase {
        let mut b = ClientBase::default();
        b.set_clock(fixed_clock);
        b.declare_tag("vip").unwrap();
        b.declare_field(FieldDef::new("rooms", FieldType::Integer))
            .unwrap();
        b
    }

    #[test]
    fn base_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<ClientBase>();
    }

    #[test]
    fn add_assigns_ids_and_stamps_times() {
        let mut b = base();
        let a = b.add_client(Client::person("A", "B", None)).unwrap();
        let c = b.add_client(Client::person("C", "D", None)).unwrap();
        assert_eq!((a, c), (ClientId(1), ClientId(2)));
        assert_eq!(b.client(a).unwrap().created_at, Some(fixed_clock()));
        assert_eq!(b.client(a).unwrap().updated_at, Some(fixed_clock()));
    }

    #[test]
    fn rejected_writes_leave_the_base_unchanged() {
        let mut b = base();
        let before = b.clone();
        let err = b
            .add_client(
                Client::person("A", "B", None)
                    .with_field("rooms", FieldValue::Text("много".into())),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FieldType);
        assert_eq!(err.record(), Some("new client"));
        assert_eq!(err.field(), Some("custom.rooms"));
        assert!(b == before);
        let err = b
            .add_deal(Deal::new(ClientId(9), Money::zero(Currency::RUB)))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownId);
        assert_eq!(err.field(), Some("client"));
    }

    #[test]
    fn relations_are_checked_and_indexed() {
        let mut b = base();
        let firm = b.add_client(Client::company("ООО Ромашка", None)).unwrap();
        let wife = b
            .add_client(Client::person("Иванова", "Анна", None))
            .unwrap();
        let husband = b
            .add_client(
                Client::person("Иванов", "Иван", None)
                    .with_relation(RelationKind::Spouse, wife)
                    .with_relation(RelationKind::EmployeeOf, firm),
            )
            .unwrap();
        assert_eq!(
            b.related_to(wife).collect::<Vec<_>>(),
            vec![(husband, RelationKind::Spouse)]
        );
        let err = b
            .add_client(
                Client::person("X", "Y", None).with_relation(RelationKind::EmployeeOf, wife),
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("relations[0]"));
        assert_eq!(
            b.remove_client(wife).unwrap_err().kind(),
            ErrorKind::Conflict
        );
        let mut h = b.client(husband).unwrap().clone();
        h.relations
            .retain(|r: &Relation| r.kind != RelationKind::Spouse);
        b.update_client(h).unwrap();
        assert_eq!(b.related_to(wife).count(), 0);
        b.remove_client(wife).unwrap();
    }

    #[test]
    fn activities_must_match_their_deal_client() {
        let mut b = base();
        let a = b.add_client(Client::person("A", "B", None)).unwrap();
        let c = b.add_client(Client::person("C", "D", None)).unwrap();
        let deal = b
            .add_deal(Deal::new(a, Money::zero(Currency::RUB)))
            .unwrap();
        let mut act = Activity::new(c, ActivityKind::Call, fixed_clock());
        act.deal = Some(deal);
        let err = b.add_activity(act.clone()).unwrap_err();
        assert_eq!(err.field(), Some("deal"));
        act.client = a;
        let id = b.add_activity(act).unwrap();
        assert_eq!(b.activities_of_deal(deal).next().unwrap().id, id);
        assert_eq!(b.remove_deal(deal).unwrap_err().kind(), ErrorKind::Conflict);
    }

    /// A company, then a batch numbered after it: two people, three deals (the
    /// first and third of one client) and two activities.
    #[allow(clippy::type_complexity)]
    fn company_and_batch() -> (
        ClientBase,
        Vec<(ClientId, Client)>,
        Vec<(DealId, Deal)>,
        Vec<(ActivityId, Activity)>,
    ) {
        let mut b = base();
        let firm = b.add_client(Client::company("ООО Ромашка", None)).unwrap();
        let (anna, ivan) = (ClientId(2), ClientId(3));
        let clients = vec![
            (
                anna,
                Client::person("Иванова", "Анна", None)
                    .with_tag("vip")
                    .with_field("rooms", FieldValue::Integer(2))
                    .with_relation(RelationKind::EmployeeOf, firm),
            ),
            (
                ivan,
                Client::person("Иванов", "Иван", None).with_relation(RelationKind::Spouse, anna),
            ),
        ];
        let rub = |text| Money::parse(text, Currency::RUB).unwrap();
        let deals = vec![
            (DealId(1), Deal::new(anna, rub("10"))),
            (DealId(2), Deal::new(ivan, rub("20"))),
            (DealId(3), Deal::new(anna, rub("30"))),
        ];
        let mut call = Activity::new(ivan, ActivityKind::Call, fixed_clock());
        call.deal = Some(DealId(2));
        let note = Activity::new(anna, ActivityKind::Note, fixed_clock());
        let activities = vec![(ActivityId(1), call), (ActivityId(2), note)];
        (b, clients, deals, activities)
    }

    #[test]
    fn bulk_adds_equal_single_adds() {
        let (mut bulk, clients, deals, activities) = company_and_batch();
        let mut single = bulk.clone();
        for (_, client) in clients.clone() {
            single.add_client(client).unwrap();
        }
        for (_, deal) in deals.clone() {
            single.add_deal(deal).unwrap();
        }
        for (_, activity) in activities.clone() {
            single.add_activity(activity).unwrap();
        }
        bulk.add_bulk(clients, deals, activities).unwrap();
        assert!(bulk == single);
        assert_eq!(bulk.to_json().unwrap(), single.to_json().unwrap());
        for id in 1..=3 {
            let id = ClientId(id);
            let ids = |b: &ClientBase| {
                (
                    b.deals_of(id).map(|d| d.id).collect::<Vec<_>>(),
                    b.activities_of(id).map(|a| a.id).collect::<Vec<_>>(),
                    b.related_to(id).collect::<Vec<_>>(),
                )
            };
            assert_eq!(ids(&bulk), ids(&single));
        }
        assert_eq!(bulk.activities_of_deal(DealId(2)).count(), 1);
        assert_eq!(
            bulk.add_client(Client::person("Н", "Н", None)).unwrap(),
            ClientId(4)
        );
    }

    #[test]
    fn a_bad_bulk_names_the_record_and_changes_nothing() {
        let (mut b, clients, deals, mut activities) = company_and_batch();
        let before = b.clone();
        activities[0].1.deal = Some(DealId(1));
        let err = b
            .add_bulk(clients.clone(), deals.clone(), activities.clone())
            .unwrap_err();
        assert_eq!(err.record(), Some("activity 1"));
        assert_eq!(err.field(), Some("deal"));
        assert!(b == before);

        let mut unknown_tag = clients.clone();
        unknown_tag[1].1.tags.insert("gold".into());
        let err = b
            .add_bulk(unknown_tag, deals.clone(), Vec::new())
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.record()),
            (ErrorKind::UnknownTag, Some("client 3"))
        );
        let mut gap = deals;
        gap[2].0 = DealId(4);
        let err = b.add_bulk(clients, gap, Vec::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(b == before);
    }

    #[test]
    fn json_round_trip_is_lossless() {
        let mut b = base();
        let a = b
            .add_client(
                Client::person("Иванов", "Иван", Some("Иванович"))
                    .with_tag("vip")
                    .with_field("rooms", FieldValue::Integer(3)),
            )
            .unwrap();
        b.add_deal(Deal::new(a, Money::parse("10,50", Currency::RUB).unwrap()))
            .unwrap();
        let json = b.to_json().unwrap();
        let back = ClientBase::from_json(&json).unwrap();
        assert!(back == b);
        assert_eq!(back.to_json().unwrap(), json);
    }

    #[test]
    fn json_errors_name_the_record() {
        let json = r#"{"format":"clientbase","version":1,"clients":[{"id":4,"kind":"person","surname":"A","tags":["gold"]}]}"#;
        let err = ClientBase::from_json(json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownTag);
        assert_eq!(err.record(), Some("client 4"));
    }
}
