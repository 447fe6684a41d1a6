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
//! - [`generator`]: seeded realistic Russian client bases with duplicate ground truth.
//!
//! ## Feature flags
//!
//! - `csv` (default): CSV import and export.
//! - `generator` (default): the seeded data generator.
//! - `parallel` (default): batch operations use all cores through rayon.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod activity;
mod base;
mod client;
#[cfg(feature = "csv")]
mod csv_io;
mod dates;
mod deal;
mod error;
mod ids;
mod money;
mod phone;
mod schema;

pub use activity::{Activity, ActivityKind, Direction};
pub use base::{ClientBase, Counts};
pub use client::{
    check_tax_id, complete_inn, Channel, Client, Company, Consent, ConsentState, Consents, Email,
    LifecycleStage, Messenger, MessengerKind, Party, PersonName, Phone, PhoneKind, Relation,
    RelationKind, Temperature,
};
#[cfg(feature = "csv")]
pub use csv_io::{ColumnMapping, ColumnTarget, CsvOptions, ImportReport, RejectedRow};
pub use deal::{Deal, DealStatus, Discount, Period, ProductLine, Recurrence};
pub use error::{Error, ErrorKind, Result};
pub use ids::{ActivityId, ClientId, DealId};
pub use money::{Currency, Money, Quantity};
pub use phone::{
    ParsedPhone, PhoneCandidate, PhoneError, PhoneFormat, PhoneNormalizer, PhoneProblem,
};
pub use schema::{FieldDef, FieldType, FieldValue, Schema};

#[cfg(feature = "generator")]
pub mod generator;
