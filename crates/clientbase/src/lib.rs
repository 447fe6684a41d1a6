//! # clientbase
//!
//! An embeddable engine for a company's client base (the CRM «клиентская база»):
//! clients, deals and activities in one always-valid [`ClientBase`], with the
//! tools to keep it clean, understand it and act on it.
//!
//! ```
//! use clientbase::{ClientBase, Client, Deal, Money, Currency, Schema, FieldDef, FieldType, FieldValue};
//!
//! let mut schema = Schema::new();
//! schema.declare_tag("vip")?;
//! schema.declare_field(FieldDef::new("rooms", FieldType::Integer))?;
//! let mut base = ClientBase::new(schema);
//!
//! let id = base.add_client(
//!     Client::person("Смирнова", "Ольга", Some("Игоревна"))
//!         .with_phone("8 (916) 123-45-67")
//!         .with_tag("vip")
//!         .with_field("rooms", FieldValue::Integer(2)),
//! )?;
//! base.add_deal(Deal::new(id, Money::parse("4 990,00", Currency::RUB)?))?;
//!
//! let json = base.to_json()?;
//! assert!(ClientBase::from_json(&json)? == base);
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! ## Modules
//!
//! - the model: [`Client`], [`Deal`], [`Activity`], [`Schema`], [`Money`];
//! - [`ClientBase`]: validated storage with indexes and lossless JSON;
//! - CSV import and export with column mappings and a rejected-rows report;
//! - clean contact data: [`PhoneNormalizer`] (what people type into E.164, with
//!   kind, extension and reason; fields holding several numbers split),
//!   [`EmailNormalizer`] (syntax, IDN, matching keys, typo suggestions), names
//!   ([`PersonName::parse`], [`name_key`], initials), and
//!   [`ClientBase::normalize_contacts`] to apply them to a whole base;
//! - [`capability`]: every capability by name, for bindings: params from JSON
//!   data with defaults and unknown keys refused, a report or a table back;
//! - [`sales`]: won revenue by year and by product category;
//! - [`segment`]: segment rules (text and versioned JSON), compiled against the
//!   schema, evaluated over the whole base in parallel, explained per client;
//! - [`scoring`]: lead scoring (fit and engagement rules, caps, decay),
//!   temperature and grade with the breakdown by rule; behaviour types;
//! - [`value`]: client value (RFM, ABC/XYZ, lifetime value, the next purchase);
//! - [`table`]: typed [`Table`]s of named columns, what capabilities return one
//!   row per client, deal or period ([`ClientBase::clients_table`],
//!   [`ClientBase::deals_table`]), with a JSON form and (feature `arrow`) Arrow
//!   record batches;
//! - [`audience`]: acting on the base: campaign audiences per channel with
//!   consents and exclusions by reason, hashed ad audiences, call tasks;
//! - [`automation`]: the actions due on a day by rules (reminders, recurring
//!   deals, birthdays, stuck deals, missing contacts, stage moves), recorded
//!   once each, and the routing of incoming leads to managers;
//! - [`render`] (feature `render`): documents and messages from Jinja templates,
//!   with amounts in words, names in cases and SMS mail merge;
//! - [`dedup`]: duplicate detection in batch and on insert, with explanations;
//! - [`quality`] and [`analytics`]: data quality of the base and sales analytics
//!   (slices, managers, the funnel, sources, months);
//! - [`history`]: one client's history in time order (deals, activities, merges,
//!   and from a base file's change log consents, contacts and who changed them);
//! - [`report`]: the base as one self-contained HTML page with charts;
//! - [`generator`]: seeded realistic Russian client bases with duplicate ground truth.
//!
//! ## Feature flags
//!
//! - `csv` (default): CSV import and export.
//! - `generator` (default): the seeded data generator.
//! - `parallel` (default): batch operations use all cores through rayon.
//! - `intl-phones` (default): phone numbers of every country through
//!   rlibphonenumber (Google's libphonenumber metadata; needs Rust 1.88). Without
//!   it, Russian numbers are still read by the built-in fast path and other
//!   numbers are a [`PhoneProblem::Unsupported`] error.
//! - `render` (default): [`render`], templates through minijinja (sandboxed).
//! - `docx` (default, with `render`): DOCX templates made in Word or LibreOffice
//!   (zip, quick-xml) and their conversion to PDF with LibreOffice.
//! - `storage` (default): a base kept in a file ([`ClientBase::open`]: SQLite,
//!   bundled) with its change log and backups.
//! - `arrow` (off): [`Table::to_record_batch`] and [`Table::from_record_batch`]
//!   through arrow-rs (`arrow-array`, `arrow-schema`).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod activity;
pub mod analytics;
pub mod audience;
pub mod automation;
mod base;
mod batch;
pub mod capability;
mod client;
mod contacts;
#[cfg(feature = "csv")]
mod csv_io;
mod dates;
mod deal;
pub mod dedup;
mod email;
mod error;
mod ids;
mod money;
mod name;
mod phone;
pub mod quality;
pub mod record;
#[cfg(feature = "render")]
pub mod render;
pub mod sales;
mod schema;
pub mod scoring;
pub mod segment;
pub mod table;
pub mod value;
mod words;

pub use activity::{Activity, ActivityKind, Direction};
#[cfg(feature = "storage")]
pub use base::{Change, ChangesParams, FieldChange, OpenOptions, RecordChange, RecordOp};
pub use base::{ClientBase, Counts, MergeRecord, MergeRules, Survivorship, MERGE_FIELDS};
pub use client::{
    check_postcode, check_tax_id, complete_inn, Channel, Client, Company, Consent, ConsentState,
    Consents, Email, LifecycleStage, Messenger, MessengerKind, Party, PartyKind, PersonName, Phone,
    PhoneKind, Relation, RelationKind, Temperature,
};
pub use contacts::{
    ContactNormalizer, ContactReport, EmailSuggestion, InvalidContact, RejectedClient, SplitContact,
};
#[cfg(feature = "csv")]
pub use csv_io::{ColumnMapping, ColumnTarget, CsvOptions, ImportReport, RejectedRow};
pub use deal::{Deal, DealStatus, Discount, Period, ProductLine, Recurrence};
pub use email::{EmailError, EmailNormalizer, EmailProblem, ParsedEmail};
pub use error::{Error, ErrorKind, Result};
pub use ids::{ActivityId, ClientId, DealId};
pub use money::{Currency, Money, Quantity};
pub use name::{
    clean_name, from_latin_layout, given_name_keys, name_key, short_given_names, transliterate,
    Gender,
};
pub use phone::{
    ParsedPhone, PhoneCandidate, PhoneError, PhoneFormat, PhoneNormalizer, PhoneProblem,
};
pub use record::Record;
pub use schema::{FieldDef, FieldType, FieldValue, Schema};
pub use table::{Column, ColumnData, ColumnType, Table, TableProblem};

#[cfg(feature = "generator")]
pub mod generator;

pub mod history;
pub mod report;

pub mod access;
pub mod columns;

mod shared;
pub use shared::SharedStr;
