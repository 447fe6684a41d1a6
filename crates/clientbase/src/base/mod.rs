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

mod activities;
mod bulk;
mod clients;
mod deals;
mod id_set;
mod json;
mod merge;
mod restrict;
#[cfg(feature = "storage")]
mod store;

pub use merge::{MergeRecord, MergeRules, Survivorship, MERGE_FIELDS};
#[cfg(feature = "storage")]
pub use store::{Change, ChangesParams, FieldChange, OpenOptions, RecordChange, RecordOp};

use crate::activity::Activity;
use crate::client::{Client, RelationKind};
use crate::deal::Deal;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ActivityId, ClientId, DealId};
use crate::money::Currency;
use crate::schema::{FieldDef, Schema};
use chrono::{DateTime, Utc};
use id_set::IdSet;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
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
    deals_by_client: HashMap<ClientId, IdSet<DealId>>,
    activities_by_client: HashMap<ClientId, IdSet<ActivityId>>,
    activities_by_deal: HashMap<DealId, IdSet<ActivityId>>,
    relations_to: HashMap<ClientId, BTreeSet<(ClientId, RelationKind)>>,
    /// The merges made and not undone, oldest first.
    merges: Vec<MergeRecord>,
    clock: Clock,
    /// Who makes the writes, for the change log.
    actor: Option<String>,
    /// How many writes were started on this base (see [`ClientBase::version`]).
    version: u64,
    /// The file the base is kept in, if any.
    #[cfg_attr(not(feature = "storage"), allow(dead_code))]
    journal: Attached,
    /// The columnar snapshot of the clients, deals and activities, built on
    /// first use and forgotten by every write to them (each calls a
    /// `touch_*` first) ([`crate::columns`]).
    columns: crate::columns::Cache,
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
            actor: None,
            version: 0,
            journal: Attached::default(),
            columns: crate::columns::Cache::default(),
        }
    }

    /// The columnar snapshot's cache: forgotten by every write.
    pub(crate) fn columns_cache(&self) -> &crate::columns::Cache {
        &self.columns
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

    /// Names who makes the following writes (a manager's name or id), for the
    /// change log of a base kept in a file. `None` (the start) logs no actor.
    pub fn set_actor(&mut self, actor: Option<&str>) {
        self.actor = actor.map(str::to_string);
    }

    /// Who makes the following writes, as [`ClientBase::set_actor`] said.
    pub fn actor(&self) -> Option<&str> {
        self.actor.as_deref()
    }

    /// A number that changes whenever the records or the schema may have
    /// changed: it counts the writes started on this base (a refused write
    /// counts too). A [`View`](crate::access::View) rebuilds itself when it
    /// differs from the one it was built at.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Adds a tag to the vocabulary.
    pub fn declare_tag(&mut self, tag: impl Into<String>) -> Result<()> {
        self.journaled("declare_tag", |base| {
            base.touch_schema();
            base.schema.declare_tag(tag)
        })
    }

    /// Declares a custom field.
    pub fn declare_field(&mut self, field: FieldDef) -> Result<()> {
        self.journaled("declare_field", |base| {
            base.touch_schema();
            base.schema.declare_field(field)
        })
    }

    /// Sets the accounting currency. Existing deals in another currency make this a
    /// [`ErrorKind::Conflict`] and nothing changes.
    pub fn set_currency(&mut self, currency: Option<Currency>) -> Result<()> {
        self.journaled("set_currency", |base| base.set_currency_now(currency))
    }

    fn set_currency_now(&mut self, currency: Option<Currency>) -> Result<()> {
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
        self.touch_schema();
        self.schema.set_currency(currency);
        Ok(())
    }
}

#[cfg(feature = "storage")]
use store::Attached;

/// Without the `storage` feature a base is always in memory.
#[cfg(not(feature = "storage"))]
#[derive(Clone, Default)]
struct Attached {}

#[cfg(not(feature = "storage"))]
impl ClientBase {
    pub(crate) fn journaled<T>(
        &mut self,
        _action: &str,
        write: impl FnOnce(&mut ClientBase) -> Result<T>,
    ) -> Result<T> {
        self.version = self.version.wrapping_add(1);
        write(self)
    }
    fn touch_client(&mut self, _id: ClientId) {
        self.columns.forget();
    }
    fn touch_deal(&mut self, _id: DealId) {
        self.columns.forget();
    }
    fn touch_activity(&mut self, _id: ActivityId) {
        self.columns.forget();
    }
    fn touch_schema(&mut self) {
        self.columns.forget();
    }
    fn touch_merge_pushed(&mut self) {
        self.columns.forget();
    }
    fn touch_merge_removed(&mut self, _at: usize) {
        self.columns.forget();
    }
    pub(crate) fn log_export(&self, _action: &str, _exported: usize) -> Result<()> {
        Ok(())
    }
}

fn unknown(what: String) -> Error {
    Error::new(ErrorKind::UnknownId, format!("{what} does not exist"))
}

fn in_use(what: String) -> Error {
    Error::new(ErrorKind::Conflict, format!("{what} already exists")).with_field("id")
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
        assert_eq!(b.get_client(a).unwrap().created_at, Some(fixed_clock()));
        assert_eq!(b.get_client(a).unwrap().updated_at, Some(fixed_clock()));
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
        let mut h = b.get_client(husband).unwrap().clone();
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
