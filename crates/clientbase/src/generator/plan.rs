//! What a [`GeneratorConfig`] means in numbers: dates, per-record means, and how to
//! fill the schema's tags and custom fields.

use super::catalog::{self, DEMO_TAGS};
use super::phones::Numbering;
use super::GeneratorConfig;
use crate::money::Currency;
use crate::schema::{FieldType, Schema};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Records are generated in chunks of this many, each from its own random stream,
/// so the output does not depend on the number of threads.
pub(crate) const CHUNK: usize = 2048;

/// Mean number of duplicates of an entity that has duplicates (1 to 3: 70/22/8 %).
pub(crate) const MEAN_DUPLICATES: f64 = 1.38;
/// How often, relative to an ordinary person, a record of each kind buys.
pub(crate) const COMPANY_DEAL_FACTOR: f64 = 2.5;
pub(crate) const DUPLICATE_DEAL_FACTOR: f64 = 0.4;
pub(crate) const CONTACT_DEAL_FACTOR: f64 = 0.15;
/// Share of companies with contact persons, and their mean number when present.
pub(crate) const CONTACT_SHARE: f64 = 0.3;
pub(crate) const MEAN_CONTACTS: f64 = 1.2;

/// How a custom field is filled.
#[derive(Debug, Clone)]
pub(crate) enum Fill {
    Pets,
    PetCount,
    Breed,
    Budget,
    FirstVisit,
    Newsletter,
    ContactTime,
    OrgType,
    DeliveryDays,
    /// A field the demo does not know: a plausible value of its type.
    Generic(FieldType),
}

/// A custom field to fill, with the chance a person and a company has it.
#[derive(Debug, Clone)]
pub(crate) struct FieldPlan {
    pub name: String,
    pub fill: Fill,
    pub person: f64,
    pub company: f64,
}

/// Everything chunk generation needs, derived once from the config.
pub(crate) struct Plan {
    pub seed: u64,
    pub today: NaiveDate,
    /// The frozen "now": `today` at 17:00 UTC (20:00 in Moscow). No stamp is later.
    pub now: DateTime<Utc>,
    /// The first day of history.
    pub start: NaiveDate,
    pub currency: Currency,
    pub company_share: f64,
    pub duplicate_rate: f64,
    pub related_rate: f64,
    /// Mean deals of an ordinary person record.
    pub person_deals: f64,
    pub lines_per_deal: f64,
    pub activities_per_client: f64,
    pub numbering: Numbering,
    pub tags: Vec<(String, f64, f64)>,
    pub fields: Vec<FieldPlan>,
}

impl Plan {
    pub(crate) fn new(config: &GeneratorConfig) -> Plan {
        let today = config.today;
        let now = super::pick::midnight(today) + Duration::hours(17);
        let start = today - Duration::days(i64::from(config.years) * 365);
        let s = config.company_share;
        let d = config.duplicate_rate * MEAN_DUPLICATES;
        let r = config.related_rate;
        let contacts = CONTACT_SHARE * MEAN_CONTACTS;
        // Expected deal factor per record, so that `deals_per_client` is the mean over the base.
        let weight = (1.0 - s) * (1.0 + DUPLICATE_DEAL_FACTOR * d + r)
            + s * (COMPANY_DEAL_FACTOR * (1.0 + DUPLICATE_DEAL_FACTOR * d)
                + CONTACT_DEAL_FACTOR * contacts);
        let records = (1.0 - s) * (1.0 + d + r) + s * (1.0 + d + contacts);
        let factor = if weight > 0.0 { weight / records } else { 1.0 };
        Plan {
            seed: config.seed,
            today,
            now,
            start,
            currency: config.schema.currency().unwrap_or(Currency::RUB),
            company_share: s,
            duplicate_rate: config.duplicate_rate,
            related_rate: config.related_rate,
            person_deals: config.deals_per_client / factor,
            lines_per_deal: config.lines_per_deal.max(1.0),
            activities_per_client: config.activities_per_client,
            numbering: Numbering::new(config.seed),
            tags: tag_plan(&config.schema),
            fields: field_plan(&config.schema),
        }
    }
}

fn tag_plan(schema: &Schema) -> Vec<(String, f64, f64)> {
    schema
        .tags()
        .map(|tag| match DEMO_TAGS.iter().find(|(t, _, _)| *t == tag) {
            Some((_, person, company)) => (tag.to_string(), *person, *company),
            None => (tag.to_string(), 0.05, 0.05),
        })
        .collect()
}

fn field_plan(schema: &Schema) -> Vec<FieldPlan> {
    let demo = catalog::demo_schema();
    schema
        .fields()
        .map(|def| {
            let known = demo
                .field(&def.name)
                .filter(|d| d.field_type == def.field_type);
            let (fill, person, company) = match known.map(|d| d.name.as_str()) {
                Some("pets") => (Fill::Pets, 0.7, 0.0),
                Some("pet_count") => (Fill::PetCount, 0.45, 0.0),
                Some("breed") => (Fill::Breed, 0.3, 0.0),
                Some("monthly_budget") => (Fill::Budget, 0.2, 0.4),
                Some("first_visit") => (Fill::FirstVisit, 0.3, 0.2),
                Some("newsletter") => (Fill::Newsletter, 0.4, 0.3),
                Some("contact_time") => (Fill::ContactTime, 0.3, 0.2),
                Some("org_type") => (Fill::OrgType, 0.0, 0.8),
                Some("delivery_days") => (Fill::DeliveryDays, 0.0, 0.5),
                _ => (Fill::Generic(def.field_type.clone()), 0.3, 0.3),
            };
            FieldPlan {
                name: def.name.clone(),
                fill,
                person,
                company,
            }
        })
        .collect()
}
