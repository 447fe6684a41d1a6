//! The seeded generator of realistic Russian client bases, for tests, benchmarks
//! and the demo.
//!
//! [`generate`] builds a [`ClientBase`] of people and companies with years of deals
//! and activities, and a [`GroundTruth`] that says which records are the same real
//! client. The same [`GeneratorConfig`] always gives the same base and truth, on
//! any number of threads.
//!
//! ```
//! use clientbase::generator::{generate, GeneratorConfig};
//!
//! let generated = generate(&GeneratorConfig::new(500, 7))?;
//! let counts = generated.base.counts();
//! assert_eq!(counts.clients, 500);
//! assert!(counts.deal_lines > 2_000);
//! // Every duplicate is a separate record of the same real client.
//! for pair in &generated.truth.duplicates {
//!     assert!(generated.truth.same_entity(pair.original, pair.duplicate));
//! }
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! ## What is in a base
//!
//! - **People** with surnames, given names and patronymics in correct gender
//!   agreement (Иванов Сергей Петрович, Иванова Анна Ильинична), common surnames
//!   much more common than rare ones; birthdays, cities with regions, addresses.
//! - **Companies**: ООО, АО and sole proprietors (ИП) with valid ИНН, office
//!   landlines with extensions, 8-800 numbers, mailboxes at their own domains, and
//!   contact persons who work there.
//! - **Phones** as people type them (`8 (916) 123-45-67`, `+7 916 123 45 67`,
//!   `89161234567`, `916 123-45-67`, extensions, two numbers in one field, the odd
//!   mistyped one); normalized forms are left empty for the phone module to fill.
//!   What each field was meant to say is in the ground truth.
//! - **Emails** made from the transliterated name at mail.ru, yandex.ru, gmail.com
//!   and the other providers Russians use; unique per real client.
//! - **Deals** over several years in retail, wholesale and subscription pipelines,
//!   with product lines from a pet supplies catalogue (categories, kilograms with
//!   grams, discounts, prices that rose over the years), statuses and stages that
//!   fit their age, and monthly supplies.
//! - **Activities**: calls with outcomes, emails, messages, meetings, notes, and
//!   tasks with due dates, some still open.
//! - **Consents**, tags from the schema's vocabulary and custom field values of
//!   every type the schema declares ([`demo_schema`] by default).
//! - **Duplicates** the way they happen ([`DuplicateKind`]): a re-typed phone, a
//!   typo in the email, a transliterated or swapped name, a short first name, a
//!   missing field, a new phone number, a company name without its legal form. A
//!   duplicate is a separate record entered later, often by another manager, and
//!   sometimes has deals of its own.
//! - **Look-alikes that are not duplicates** ([`RelatedPair`]): spouses and grown
//!   children with the same surname and address and sometimes the same phone or
//!   mailbox, and company employees reached through the office number.
//!
//! A second corruption profile, designed apart from this one, lives in
//! [`habits`]: duplicates made by other habits (initials, the Latin keyboard
//! layout, a married surname, a web lead, …) and look-alikes of other kinds
//! (namesakes, twins, neighbouring mailboxes, …), to check that duplicate
//! detection holds on data it was not tuned on.
//!
//! Client ids follow creation time, so a duplicate always has a larger id than
//! its original, as in a real CRM; deals and activities are numbered client by
//! client, each client's in time order. The base's clock is frozen at
//! [`GeneratorConfig::today`] (17:00 UTC): later writes are stamped with that
//! moment until [`ClientBase::freeze_clock`]`(None)` is called.
//!
//! ## Speed
//!
//! Records are generated in chunks of 2048, each from its own random stream
//! derived from the seed, in parallel when the `parallel` feature is on. Then they
//! are numbered in creation order and stored by one bulk insert that runs the same
//! checks as [`ClientBase`]'s single adds, on all cores, and builds the maps in one
//! pass. The default config makes about ten deal lines per client: one million
//! clients with ten million lines take about 26 to 32 s of CPU time (a third of it
//! the kernel handing out fresh memory), 29 to 33 s on two cores shared with other
//! work, and 8 GB of memory (the `generate` benchmark prints the figures). Freeing
//! such a base takes a while too; a program that is about to exit may leak it
//! instead.

mod assemble;
mod catalog;
pub mod habits;
mod history;
mod identity;
mod names;
mod orders;
mod phones;
mod pick;
mod places;
mod plan;
mod purchase_histories;
mod records;
mod truth;
mod typos;

pub use catalog::{demo_schema, stage_orders};
pub use habits::{generate_habits, HabitsConfig};
pub use names::{patronymic, surname_form, Gender};
pub use orders::{generate_orders, write_orders_csv_1c, OrderConfig};
pub use phones::{messy_phones, type_phone_messily, IntendedPhone, MessyPhone, MessyPhones};
pub use purchase_histories::{purchase_histories, PurchaseHistoryConfig};
pub use truth::{
    DuplicateKind, DuplicatePair, EntityId, GroundTruth, LookAlike, LookAlikePair, RecordTruth,
    RelatedPair, SharedContact,
};

use crate::base::ClientBase;
use crate::error::{Error, ErrorKind, Result};
use crate::schema::Schema;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What to generate. Start from [`GeneratorConfig::new`] or `Default` and change
/// the public fields.
///
/// ```
/// use clientbase::generator::GeneratorConfig;
/// let mut config = GeneratorConfig::new(100_000, 42);
/// config.duplicate_rate = 0.2;
/// config.years = 3;
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GeneratorConfig {
    /// The seed: the same config with the same seed gives the same base.
    pub seed: u64,
    /// The number of client records in the base, duplicates, relatives and
    /// company contacts included (so a benchmark gets exactly what it asks for).
    pub clients: usize,
    /// The share of real clients that are companies (default 0.12).
    pub company_share: f64,
    /// The share of real clients entered more than once (default 0.10); each of
    /// them gets one to three duplicate records (70 %, 22 %, 8 %).
    pub duplicate_rate: f64,
    /// The share of people who come with a look-alike relative: a spouse or a grown
    /// child sharing the surname, address and maybe a phone (default 0.05).
    pub related_rate: f64,
    /// The mean number of deals per client record over the whole base (default
    /// 3.55). Counts have a long tail (many leads without deals, some regulars with
    /// dozens); companies buy about 2.5 times as often as people, duplicates and
    /// company contacts rarely.
    pub deals_per_client: f64,
    /// The mean number of product lines per deal, at least 1 (default 2.95).
    /// With the defaults one million clients have about ten million lines.
    pub lines_per_deal: f64,
    /// The mean number of calls, emails, messages, meetings, notes and tasks per
    /// client record, besides follow-up tasks of open deals (default 1.5).
    pub activities_per_client: f64,
    /// Years of history before `today` (default 5).
    pub years: u32,
    /// The day the base is generated "on", so that the output never depends on
    /// the wall clock (default 2025-06-30).
    pub today: NaiveDate,
    /// The schema: its tag vocabulary and custom fields are filled (default
    /// [`demo_schema`]). Fields the demo does not know get plausible values of
    /// their type; deals use the schema's currency (RUB when none is set).
    pub schema: Schema,
}

impl Default for GeneratorConfig {
    fn default() -> GeneratorConfig {
        GeneratorConfig {
            seed: 42,
            clients: 10_000,
            company_share: 0.12,
            duplicate_rate: 0.10,
            related_rate: 0.05,
            deals_per_client: 3.55,
            lines_per_deal: 2.95,
            activities_per_client: 1.5,
            years: 5,
            today: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default(),
            schema: demo_schema(),
        }
    }
}

impl GeneratorConfig {
    /// The defaults with `clients` records and `seed`.
    pub fn new(clients: usize, seed: u64) -> GeneratorConfig {
        GeneratorConfig {
            clients,
            seed,
            ..GeneratorConfig::default()
        }
    }

    /// Checks the numbers; errors name the field.
    pub fn check(&self) -> Result<()> {
        let bad = |field: &str, reason: String| {
            Error::new(ErrorKind::InvalidValue, reason)
                .with_record("generator config")
                .with_field(field)
        };
        for (field, value) in [
            ("company_share", self.company_share),
            ("duplicate_rate", self.duplicate_rate),
            ("related_rate", self.related_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(bad(field, format!("{value} is not between 0 and 1")));
            }
        }
        for (field, value, min) in [
            ("deals_per_client", self.deals_per_client, 0.0),
            ("lines_per_deal", self.lines_per_deal, 1.0),
            ("activities_per_client", self.activities_per_client, 0.0),
        ] {
            if !value.is_finite() || value < min || value > 1000.0 {
                return Err(bad(field, format!("{value} is not between {min} and 1000")));
            }
        }
        if !(1..=50).contains(&self.years) {
            return Err(bad(
                "years",
                format!("{} is not between 1 and 50", self.years),
            ));
        }
        if !(1970..=2200).contains(&self.today.year()) {
            return Err(bad(
                "today",
                format!("{} is not between 1970 and 2200", self.today),
            ));
        }
        if self.clients > u32::MAX as usize {
            return Err(bad("clients", format!("{} is too many", self.clients)));
        }
        Ok(())
    }
}

/// A generated base and the truth about it.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The base, every record validated on insert.
    pub base: ClientBase,
    /// Which records are the same client, how duplicates came about, which
    /// look-alikes are different clients, what each phone field means.
    pub truth: GroundTruth,
}

/// What [`generate_with_progress`] is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Making up records; `done` and `total` count client records.
    Generating,
    /// Inserting into the base; `done` and `total` count clients, deals and activities.
    Inserting,
}

/// A progress report: `done` of `total` in `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Progress {
    /// What is being done.
    pub stage: Stage,
    /// How much of it is done.
    pub done: u64,
    /// How much there is.
    pub total: u64,
}

/// Generates a base and its ground truth. The only error is an invalid config
/// ([`GeneratorConfig::check`]).
pub fn generate(config: &GeneratorConfig) -> Result<Generated> {
    generate_with_progress(config, &|_| {})
}

/// [`generate`], reporting progress after each chunk of records and every few
/// thousand inserts. `progress` may be called from several threads.
pub fn generate_with_progress(
    config: &GeneratorConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Generated> {
    config.check()?;
    assemble::run(config, progress)
}
