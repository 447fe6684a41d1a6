//! CSV import and export with column mappings.
//!
//! Client bases arrive as spreadsheets: exported from Excel, 1C or another CRM, with
//! Russian headers, `;` between cells, decimal commas and `dd.mm.yyyy` dates. A
//! [`ColumnMapping`] says which record field each column fills; the import keeps
//! every row that can make a record, sets aside each cell it cannot use and
//! reports it with the line, the column and the reason. Nothing is dropped without
//! a word.
//!
//! ```
//! use clientbase::{ClientBase, ColumnMapping, CsvOptions, Schema};
//!
//! let mut schema = Schema::new();
//! schema.declare_tag("vip")?;
//! let mut base = ClientBase::new(schema);
//!
//! let csv = "\u{feff}Фамилия;Имя;Телефон;Дата рождения;Метки\n\
//!            Иванова;Анна;8 916 123-45-67;05.03.1990;vip\n\
//!            Петров;Пётр;+7 903 000-00-00;31.02.1985;\n";
//! let mapping = ColumnMapping::from_pairs([
//!     ("Фамилия", "surname"),
//!     ("Имя", "given_name"),
//!     ("Телефон", "phone"),
//!     ("Дата рождения", "birthday"),
//!     ("Метки", "tags"),
//! ])?;
//! let report = base.import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
//!
//! // Петров is imported without the date that is not a date, which is set aside.
//! assert_eq!(report.imported.len(), 2);
//! let aside = &report.set_aside[0];
//! assert_eq!(aside.line, 3);
//! assert_eq!(aside.column.as_deref(), Some("Дата рождения"));
//! assert_eq!(aside.field.as_deref(), Some("birthday"));
//! assert_eq!(aside.reason, "\"31.02.1985\" is not a calendar date");
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! The manual is on the public items: [`ColumnMapping`] (targets, reading rules,
//! consents), [`ClientBase::import_clients_csv`] (rejected rows, ids and relations)
//! and [`ClientBase::export_clients_csv`] (the export format and round trips).

use crate::base::ClientBase;
use crate::client::{
    Channel, Client, Company, Consent, Consents, Email, LifecycleStage, Messenger, MessengerKind,
    Party, PartyKind, PersonName, Phone, Relation, Temperature,
};
use crate::dates::{parse_date, parse_datetime};
use crate::deal::{Deal, DealStatus, ProductLine, Recurrence};
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use crate::money::{Currency, Money, Quantity};
use crate::schema::{parse_bool, FieldType, FieldValue, Schema};
use chrono::{DateTime, SecondsFormat, Utc};
use csv::ByteRecord;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{Read, Write};
use std::str::FromStr;

mod cells;
mod export;
mod import_clients;
mod import_deals;
mod mapping;
mod options;
mod read;
mod targets;
#[cfg(test)]
mod tests;

pub use mapping::ColumnMapping;
pub use options::{CsvOptions, ImportReport, RejectedRow};
pub use targets::ColumnTarget;

use cells::*;
use mapping::*;
use options::delimiter_allowed;
pub(crate) use read::detect_delimiter;
use read::*;
use targets::*;
