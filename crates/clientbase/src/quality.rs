//! Data quality of a base: how complete each field is, which contact points
//! are invalid or not yet normalized, who can be reached by phone only or by
//! email only, how many clients are duplicates and which pairs need a
//! person's eye, consent coverage by channel, tags and fields outside the
//! schema; and per client, a checklist of what is missing or wrong.
//!
//! Nothing is changed: contact points are checked on a copy of each client
//! with the same [`ContactNormalizer`] that `normalize_contacts` uses, so the
//! report says exactly what normalizing would fix and what it could not.
//! The output is deterministic: clients in id order, fields in a fixed order,
//! lists sorted.
//!
//! Required fields are those the schema marks (`"required": true` on a
//! custom field) and those named in [`QualityParams::required`] (standard
//! fields such as `phone`, `email`, `city`, or `custom.<name>`).
//!
//! ```
//! use clientbase::quality::{quality_report, QualityParams};
//! use clientbase::{Client, ClientBase, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! base.add_client(Client::person("Смирнова", "Ольга", None).with_phone("8 916 123-45-67"))?;
//! base.add_client(Client::person("Орлов", "Пётр", None).with_email("petr-at-mail.ru"))?;
//! let params = QualityParams { required: vec!["city".into()], ..QualityParams::default() };
//! let report = quality_report(&base, &params)?;
//! assert_eq!(report.clients, 2);
//! assert_eq!(report.contacts.phone_only, 1);
//! assert_eq!(report.contacts.emails_invalid, 1);
//! assert_eq!(report.contacts.phones_not_normalized, 1);
//! assert_eq!(report.required_complete, 0);
//! # Ok::<(), clientbase::Error>(())
//! ```

use crate::base::ClientBase;
use crate::client::{Channel, Client, Party};
use crate::contacts::ContactNormalizer;
use crate::dedup::{Decisions, MatchIndex, MatchOptions, MatchSettings};
use crate::error::{invalid, Result};
use crate::ids::ClientId;
use crate::schema::Schema;
use crate::table::{Column, Table};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The standard fields whose completeness is measured, in report order.
pub const QUALITY_FIELDS: [&str; 14] = [
    "name",
    "phone",
    "email",
    "messenger",
    "birthday",
    "tax_id",
    "city",
    "region",
    "address",
    "postcode",
    "employer",
    "owner",
    "source",
    "personal_data_consent",
];

/// Bases up to this many clients are checked for duplicates by default.
pub const DUPLICATES_AUTO_LIMIT: usize = 20_000;

/// Params of [`quality_report`] and [`quality_checklist`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityParams {
    /// Fields every client should have besides those the schema marks as
    /// required (default none): names from [`QUALITY_FIELDS`] or
    /// `custom.<name>` of a declared field.
    pub required: Vec<String>,
    /// Look for duplicate clients (default `null`: yes for bases of up to
    /// [`DUPLICATES_AUTO_LIMIT`] clients, where it takes well under a second;
    /// larger bases ask for it with `true`, since it compares every blocked
    /// pair).
    pub duplicates: Option<bool>,
    /// How duplicates are matched (the `dedupe` capability's options).
    pub match_options: MatchSettings,
    /// Duplicate links with a probability below this go to the review queue,
    /// with the links refused from clusters (default 0.99).
    pub review_below: f64,
    /// At most this many review items, least sure first (default 50; 0 lists
    /// them all).
    pub review_limit: usize,
    /// At most this many examples of invalid contact points and of values
    /// outside the schema in the report (default 20; 0 lists them all). The
    /// checklist lists every one.
    pub examples: usize,
    /// The checklist lists only clients with at least one item (default
    /// false: one row per client).
    pub only_issues: bool,
}

impl Default for QualityParams {
    fn default() -> QualityParams {
        QualityParams {
            required: Vec::new(),
            duplicates: None,
            match_options: MatchSettings::default(),
            review_below: 0.99,
            review_limit: 50,
            examples: 20,
            only_issues: false,
        }
    }
}

/// How complete one field is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldCompleteness {
    /// The field (`phone`, `custom.rooms`, …).
    pub field: String,
    /// Whether the schema or the params mark it required.
    pub required: bool,
    /// The clients it applies to (a birthday to persons, a tax id to
    /// companies, the rest to everyone).
    pub applies_to: u64,
    /// How many of them have it.
    pub filled: u64,
    /// `filled / applies_to` (1 when it applies to no one).
    pub share: f64,
}

/// Contact points: how many, how many invalid and not yet normalized, and
/// who can be reached how.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactQuality {
    /// Phones in the base.
    pub phones: u64,
    /// Phones that are not valid numbers.
    pub phones_invalid: u64,
    /// Phones that normalizing would change (no E.164 yet, several numbers
    /// in one field, a label to take out).
    pub phones_not_normalized: u64,
    /// Emails in the base.
    pub emails: u64,
    /// Emails that are not valid addresses.
    pub emails_invalid: u64,
    /// Emails that normalizing would change.
    pub emails_not_normalized: u64,
    /// Clients with a phone but no email.
    pub phone_only: u64,
    /// Clients with an email but no phone.
    pub email_only: u64,
    /// Clients with neither a phone, an email nor a messenger.
    pub no_contact: u64,
}

/// A contact point or value that is wrong, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityIssue {
    /// The client.
    pub client: ClientId,
    /// The field (`phones[0]`, `custom.rooms`, `tags`).
    pub field: String,
    /// The value as stored.
    pub value: String,
    /// What is wrong.
    pub reason: String,
}

/// Consent coverage of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelConsent {
    /// The channel (`personal_data` for the consent to process personal data).
    pub channel: String,
    /// Clients who gave it.
    pub given: u64,
    /// Clients who withdrew it.
    pub withdrawn: u64,
    /// Clients never asked.
    pub unknown: u64,
    /// Clients who may be contacted on the channel (its consent given and
    /// personal-data processing not withdrawn); for `personal_data`, `given`.
    pub allowed: u64,
    /// `allowed` over all clients.
    pub share_allowed: f64,
}

/// A pair of clients for a person to look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The older record.
    pub left: ClientId,
    /// The newer record.
    pub right: ClientId,
    /// The match probability.
    pub probability: f64,
    /// `weak_link` (joined into a cluster with a probability below
    /// `review_below`) or `refused` (a duplicate link left out of clusters).
    pub why: String,
}

/// Duplicates among the clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateQuality {
    /// Clusters of two or more records.
    pub clusters: u64,
    /// Records that merging would remove (members beyond the first).
    pub duplicates: u64,
    /// `duplicates` over all clients.
    pub rate: f64,
    /// The review queue, least sure first.
    pub review: Vec<ReviewItem>,
    /// Review items left out by `review_limit`.
    pub review_more: u64,
}

/// How many clients use a tag or field the schema does not declare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideSchema {
    /// The tag or `custom.<name>`.
    pub name: String,
    /// The clients using it.
    pub clients: u64,
}

/// What [`quality_report`] found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// Clients in the base.
    pub clients: u64,
    /// Completeness of the standard fields, then of each declared custom field.
    pub completeness: Vec<FieldCompleteness>,
    /// The required fields (schema and params), in completeness order.
    pub required: Vec<String>,
    /// Clients with every required field filled.
    pub required_complete: u64,
    /// Contact points.
    pub contacts: ContactQuality,
    /// Examples of invalid contact points, by client.
    pub invalid_contacts: Vec<QualityIssue>,
    /// Invalid contact points left out by `examples`.
    pub invalid_contacts_more: u64,
    /// Consent coverage: personal data first, then each marketing channel.
    pub consents: Vec<ChannelConsent>,
    /// Duplicates, when looked for (`null` when not).
    pub duplicates: Option<DuplicateQuality>,
    /// Tags outside the vocabulary, by name.
    pub tags_outside_schema: Vec<OutsideSchema>,
    /// Custom fields the schema does not declare, by name.
    pub fields_outside_schema: Vec<OutsideSchema>,
    /// Examples of custom values that do not fit their declared type.
    pub invalid_values: Vec<QualityIssue>,
    /// Clients with at least one checklist item.
    pub clients_with_issues: u64,
}

/// What one client lacks or has wrong.
#[derive(Debug, Clone, Default)]
struct ClientCheck {
    filled: Vec<bool>,
    applies: Vec<bool>,
    missing: Vec<String>,
    invalid: Vec<QualityIssue>,
    phones: u64,
    phones_invalid: u64,
    phones_not_normalized: u64,
    emails: u64,
    emails_invalid: u64,
    emails_not_normalized: u64,
    tags_outside: Vec<String>,
    fields_outside: Vec<String>,
    invalid_values: Vec<QualityIssue>,
}

fn filled(text: &Option<String>) -> bool {
    text.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// The fields measured: the standard ones then `custom.<name>` per declared field.
fn field_names(schema: &Schema) -> Vec<String> {
    QUALITY_FIELDS
        .iter()
        .map(|f| f.to_string())
        .chain(schema.fields().map(|f| format!("custom.{}", f.name)))
        .collect()
}

/// The required fields: the schema's and the params', checked.
fn required_fields(schema: &Schema, names: &[String], params: &QualityParams) -> Result<Vec<bool>> {
    let mut required: Vec<bool> = names
        .iter()
        .map(|n| {
            n.strip_prefix("custom.")
                .and_then(|f| schema.field(f))
                .is_some_and(|f| f.required)
        })
        .collect();
    for name in &params.required {
        let Some(i) = names.iter().position(|n| n == name) else {
            return Err(invalid(
                "required",
                format!(
                    "{name:?} is not a field; there are {} and custom.<declared field>",
                    QUALITY_FIELDS.join(", ")
                ),
            ));
        };
        required[i] = true;
    }
    Ok(required)
}

fn check_client(
    client: &Client,
    schema: &Schema,
    names: &[String],
    required: &[bool],
    normalizer: &ContactNormalizer,
) -> ClientCheck {
    let mut check = ClientCheck::default();
    let company = client.is_company();
    let name_filled = match &client.party {
        Party::Person(p) => filled(&p.surname) || filled(&p.given),
        Party::Company(c) => !c.legal_name.trim().is_empty(),
    };
    let tax_id = match &client.party {
        Party::Company(c) => filled(&c.tax_id),
        Party::Person(_) => false,
    };
    let standard: [(bool, bool); 14] = [
        (true, name_filled),
        (true, client.phones.iter().any(|p| !p.raw.trim().is_empty())),
        (true, client.emails.iter().any(|e| !e.raw.trim().is_empty())),
        (true, !client.messengers.is_empty()),
        (!company, client.birthday.is_some()),
        (company, tax_id),
        (true, filled(&client.city)),
        (true, filled(&client.region)),
        (true, filled(&client.address)),
        (true, filled(&client.postcode)),
        (!company, filled(&client.employer)),
        (true, filled(&client.owner)),
        (true, filled(&client.source)),
        (true, client.consents.personal_data.is_some()),
    ];
    for (applies, has) in standard {
        check.applies.push(applies);
        check.filled.push(applies && has);
    }
    for def in schema.fields() {
        check.applies.push(true);
        check.filled.push(client.custom.contains_key(&def.name));
    }
    for (i, name) in names.iter().enumerate() {
        if required[i] && check.applies[i] && !check.filled[i] {
            check.missing.push(name.clone());
        }
    }

    let mut copy = client.clone();
    let report = normalizer.normalize(&mut copy);
    check.phones = client.phones.len() as u64;
    check.emails = client.emails.len() as u64;
    for bad in report.invalid {
        if bad.field.starts_with("phones") {
            check.phones_invalid += 1;
        } else {
            check.emails_invalid += 1;
        }
        check.invalid.push(QualityIssue {
            client: client.id,
            field: bad.field,
            value: bad.raw,
            reason: bad.reason,
        });
    }
    if copy.phones != client.phones {
        let same = copy.phones.len() == client.phones.len();
        check.phones_not_normalized = if same {
            copy.phones
                .iter()
                .zip(&client.phones)
                .filter(|(a, b)| a != b)
                .count() as u64
        } else {
            // A field of several numbers split: each phone of the field.
            client
                .phones
                .iter()
                .filter(|p| normalizer.phones.split_field(&p.raw).len() > 1 || p.e164.is_none())
                .count() as u64
        };
    }
    check.emails_not_normalized = copy
        .emails
        .iter()
        .zip(&client.emails)
        .filter(|(a, b)| a != b)
        .count() as u64;

    for tag in &client.tags {
        if !schema.has_tag(tag) {
            check.tags_outside.push(tag.clone());
        }
    }
    for (name, value) in &client.custom {
        if schema.field(name).is_none() {
            check.fields_outside.push(format!("custom.{name}"));
        } else if let Err(err) = schema.check_value(name, value.clone()) {
            check.invalid_values.push(QualityIssue {
                client: client.id,
                field: format!("custom.{name}"),
                value: value.to_text(),
                reason: err.reason().to_string(),
            });
        }
    }
    check
}

/// Every client checked, in id order, with the duplicate clusters.
struct Checked {
    names: Vec<String>,
    required: Vec<bool>,
    ids: Vec<ClientId>,
    checks: Vec<ClientCheck>,
    duplicates: Option<(crate::dedup::Dedupe, BTreeMap<ClientId, ClientId>)>,
}

fn check_base(base: &ClientBase, params: &QualityParams) -> Result<Checked> {
    if !(0.0..=1.0).contains(&params.review_below) {
        return Err(invalid(
            "review_below",
            format!("{} is not a probability from 0 to 1", params.review_below),
        ));
    }
    let schema = base.schema();
    let names = field_names(schema);
    let required = required_fields(schema, &names, params)?;
    let mut clients: Vec<&Client> = base.clients().collect();
    clients.sort_by_key(|c| c.id);
    let normalizer = ContactNormalizer::default();
    let checks = crate::batch::map_column_with_min(&clients, 64, |c| {
        check_client(c, schema, &names, &required, &normalizer)
    });
    let look = params
        .duplicates
        .unwrap_or(clients.len() <= DUPLICATES_AUTO_LIMIT);
    let duplicates = if look && !clients.is_empty() {
        let options = MatchOptions::from_settings(params.match_options.clone())?;
        let index = MatchIndex::build(base, options)?;
        let found = index.dedupe(&Decisions::new());
        let of = found.cluster_of();
        Some((found, of))
    } else {
        None
    };
    Ok(Checked {
        names,
        required,
        ids: clients.iter().map(|c| c.id).collect(),
        checks,
        duplicates,
    })
}

fn limit<T>(mut items: Vec<T>, n: usize) -> (Vec<T>, u64) {
    if n == 0 || items.len() <= n {
        return (items, 0);
    }
    let more = (items.len() - n) as u64;
    items.truncate(n);
    (items, more)
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The quality report of a base (see the [module docs](self)).
pub fn quality_report(base: &ClientBase, params: &QualityParams) -> Result<QualityReport> {
    let checked = check_base(base, params)?;
    let n = checked.ids.len() as u64;
    let fields = checked.names.len();
    let mut applies = vec![0u64; fields];
    let mut filled_count = vec![0u64; fields];
    let mut contacts = ContactQuality::default();
    let mut invalid_contacts = Vec::new();
    let mut invalid_values = Vec::new();
    let mut tags: BTreeMap<String, u64> = BTreeMap::new();
    let mut custom: BTreeMap<String, u64> = BTreeMap::new();
    let mut required_complete = 0;
    let mut with_issues = 0;
    for (i, check) in checked.checks.iter().enumerate() {
        for f in 0..fields {
            applies[f] += u64::from(check.applies[f]);
            filled_count[f] += u64::from(check.filled[f]);
        }
        required_complete += u64::from(check.missing.is_empty());
        contacts.phones += check.phones;
        contacts.phones_invalid += check.phones_invalid;
        contacts.phones_not_normalized += check.phones_not_normalized;
        contacts.emails += check.emails;
        contacts.emails_invalid += check.emails_invalid;
        contacts.emails_not_normalized += check.emails_not_normalized;
        let (phone, email, messenger) = (check.filled[1], check.filled[2], check.filled[3]);
        contacts.phone_only += u64::from(phone && !email);
        contacts.email_only += u64::from(email && !phone);
        contacts.no_contact += u64::from(!phone && !email && !messenger);
        invalid_contacts.extend(check.invalid.iter().cloned());
        invalid_values.extend(check.invalid_values.iter().cloned());
        for t in &check.tags_outside {
            *tags.entry(t.clone()).or_default() += 1;
        }
        for f in &check.fields_outside {
            *custom.entry(f.clone()).or_default() += 1;
        }
        let id = checked.ids[i];
        with_issues += u64::from(!items(&checked, i, id).is_empty());
    }
    let completeness = (0..fields)
        .map(|f| FieldCompleteness {
            field: checked.names[f].clone(),
            required: checked.required[f],
            applies_to: applies[f],
            filled: filled_count[f],
            share: share(filled_count[f], applies[f]),
        })
        .collect();
    let (invalid_contacts, invalid_contacts_more) = limit(invalid_contacts, params.examples);
    let (invalid_values, _) = limit(invalid_values, params.examples);

    let clients: Vec<&Client> = {
        let mut c: Vec<&Client> = base.clients().collect();
        c.sort_by_key(|c| c.id);
        c
    };
    let mut consents = Vec::new();
    let pd_given = clients
        .iter()
        .filter(|c| c.consents.personal_data.is_some_and(|c| c.is_given()))
        .count() as u64;
    let pd_known = clients
        .iter()
        .filter(|c| c.consents.personal_data.is_some())
        .count() as u64;
    consents.push(ChannelConsent {
        channel: "personal_data".into(),
        given: pd_given,
        withdrawn: pd_known - pd_given,
        unknown: n - pd_known,
        allowed: pd_given,
        share_allowed: share(pd_given, n),
    });
    for channel in Channel::ALL {
        let mut given = 0;
        let mut known = 0;
        let mut allowed = 0;
        for c in &clients {
            if let Some(consent) = c.consents.marketing.get(&channel) {
                known += 1;
                given += u64::from(consent.is_given());
            }
            allowed += u64::from(c.consents.allows(channel));
        }
        consents.push(ChannelConsent {
            channel: channel.name().into(),
            given,
            withdrawn: known - given,
            unknown: n - known,
            allowed,
            share_allowed: share(allowed, n),
        });
    }

    let duplicates = checked.duplicates.as_ref().map(|(found, _)| {
        let mut review: Vec<ReviewItem> = found
            .clusters
            .iter()
            .flat_map(|c| c.links.iter())
            .filter(|l| l.probability < params.review_below)
            .map(|l| (l, "weak_link"))
            .chain(found.refused.iter().map(|l| (l, "refused")))
            .map(|(l, why)| ReviewItem {
                left: l.left,
                right: l.right,
                probability: l.probability,
                why: why.into(),
            })
            .collect();
        review.sort_by(|a, b| {
            a.probability
                .total_cmp(&b.probability)
                .then(a.left.cmp(&b.left))
                .then(a.right.cmp(&b.right))
        });
        let (review, review_more) = limit(review, params.review_limit);
        let dups = found.duplicates() as u64;
        DuplicateQuality {
            clusters: found.clusters.len() as u64,
            duplicates: dups,
            rate: if n == 0 { 0.0 } else { dups as f64 / n as f64 },
            review,
            review_more,
        }
    });
    let outside = |m: BTreeMap<String, u64>| {
        m.into_iter()
            .map(|(name, clients)| OutsideSchema { name, clients })
            .collect()
    };
    Ok(QualityReport {
        clients: n,
        completeness,
        required: (0..fields)
            .filter(|&f| checked.required[f])
            .map(|f| checked.names[f].clone())
            .collect(),
        required_complete,
        contacts,
        invalid_contacts,
        invalid_contacts_more,
        consents,
        duplicates,
        tags_outside_schema: outside(tags),
        fields_outside_schema: outside(custom),
        invalid_values,
        clients_with_issues: with_issues,
    })
}

/// The checklist items of client `i`: `missing:<field>`, `invalid:<field>`,
/// `no_contact`, `not_normalized:<n>`, `tag_outside_schema:<tag>`,
/// `field_outside_schema:<field>`, `duplicate_of:<cluster id>`.
fn items(checked: &Checked, i: usize, id: ClientId) -> Vec<String> {
    let check = &checked.checks[i];
    let mut out: Vec<String> = check
        .missing
        .iter()
        .map(|m| format!("missing:{m}"))
        .collect();
    if !check.filled[1] && !check.filled[2] && !check.filled[3] {
        out.push("no_contact".into());
    }
    out.extend(check.invalid.iter().map(|x| format!("invalid:{}", x.field)));
    out.extend(
        check
            .invalid_values
            .iter()
            .map(|x| format!("invalid:{}", x.field)),
    );
    let not_normalized = check.phones_not_normalized + check.emails_not_normalized;
    if not_normalized > 0 {
        out.push(format!("not_normalized:{not_normalized}"));
    }
    out.extend(
        check
            .tags_outside
            .iter()
            .map(|t| format!("tag_outside_schema:{t}")),
    );
    out.extend(
        check
            .fields_outside
            .iter()
            .map(|f| format!("field_outside_schema:{f}")),
    );
    if let Some((_, of)) = &checked.duplicates {
        if let Some(&cluster) = of.get(&id).filter(|&&c| c != id) {
            out.push(format!("duplicate_of:{}", cluster.get()));
        }
    }
    out
}

/// Per client, what is missing or wrong: one row per client in id order
/// (only those with an item when `only_issues`), with `client` (uint64),
/// `name`, `missing` (the required fields without a value), `invalid` (the
/// contact points and custom values that are not valid, as
/// `field: value: reason`), `not_normalized` (contact points normalizing
/// would change), `no_contact`, `duplicate_of` (the cluster's id, when the
/// client is a later record of a duplicate cluster; null when duplicates
/// were not looked for or it is none), `outside_schema` (tags and custom
/// fields the schema does not declare) and `items` (the number of items).
pub fn quality_checklist(base: &ClientBase, params: &QualityParams) -> Result<Table> {
    let checked = check_base(base, params)?;
    let names: BTreeMap<ClientId, String> =
        base.clients().map(|c| (c.id, c.display_name())).collect();
    let rows: Vec<usize> = (0..checked.ids.len())
        .filter(|&i| !params.only_issues || !items(&checked, i, checked.ids[i]).is_empty())
        .collect();
    let ids = |i: usize| checked.ids[i];
    let duplicate_of = |i: usize| {
        checked.duplicates.as_ref().and_then(|(_, of)| {
            of.get(&ids(i))
                .copied()
                .filter(|&c| c != ids(i))
                .map(|c| c.get())
        })
    };
    let invalid: Vec<Vec<String>> = rows
        .iter()
        .map(|&i| {
            let c = &checked.checks[i];
            c.invalid
                .iter()
                .chain(&c.invalid_values)
                .map(|x| format!("{}: {}: {}", x.field, x.value, x.reason))
                .collect()
        })
        .collect();
    let outside: Vec<Vec<String>> = rows
        .iter()
        .map(|&i| {
            let c = &checked.checks[i];
            let set: BTreeSet<&String> = c.tags_outside.iter().chain(&c.fields_outside).collect();
            set.into_iter().cloned().collect()
        })
        .collect();
    Table::with_rows(
        rows.len(),
        vec![
            Column::from_uint64s("client", rows.iter().map(|&i| Some(ids(i).get()))),
            Column::from_texts(
                "name",
                rows.iter().map(|&i| names.get(&ids(i)).map(String::as_str)),
            ),
            Column::from_text_lists(
                "missing",
                rows.iter()
                    .map(|&i| Some(checked.checks[i].missing.iter().map(String::as_str))),
            ),
            Column::from_text_lists(
                "invalid",
                invalid.iter().map(|v| Some(v.iter().map(String::as_str))),
            ),
            Column::from_int64s(
                "not_normalized",
                rows.iter().map(|&i| {
                    let c = &checked.checks[i];
                    Some((c.phones_not_normalized + c.emails_not_normalized) as i64)
                }),
            ),
            Column::from_bools(
                "no_contact",
                rows.iter().map(|&i| {
                    let c = &checked.checks[i];
                    Some(!c.filled[1] && !c.filled[2] && !c.filled[3])
                }),
            ),
            Column::from_uint64s("duplicate_of", rows.iter().map(|&i| duplicate_of(i))),
            Column::from_text_lists(
                "outside_schema",
                outside.iter().map(|v| Some(v.iter().map(String::as_str))),
            ),
            Column::from_int64s(
                "items",
                rows.iter()
                    .map(|&i| Some(items(&checked, i, ids(i)).len() as i64)),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FieldDef, FieldType, FieldValue};

    /// A base's writes refuse tags and fields outside the schema, so a client
    /// carrying them (a record kept from an older schema) is made by hand.
    #[test]
    fn tags_fields_and_values_outside_the_schema() {
        let mut schema = Schema::new();
        schema.declare_tag("vip").unwrap();
        schema
            .declare_field(FieldDef::new("rooms", FieldType::Integer))
            .unwrap();
        let mut client = Client::person("Орлова", "Нина", None)
            .with_tag("vip")
            .with_tag("old")
            .with_field("rooms", FieldValue::Text("три".into()))
            .with_field("floor", FieldValue::Integer(2));
        client.id = ClientId(5);
        let names = field_names(&schema);
        let required = required_fields(&schema, &names, &QualityParams::default()).unwrap();
        let check = check_client(
            &client,
            &schema,
            &names,
            &required,
            &ContactNormalizer::default(),
        );
        assert_eq!(check.tags_outside, ["old"]);
        assert_eq!(check.fields_outside, ["custom.floor"]);
        assert_eq!(check.invalid_values.len(), 1);
        assert_eq!(check.invalid_values[0].field, "custom.rooms");
        assert_eq!(check.invalid_values[0].value, "три");
        assert!(check.missing.is_empty());
    }
}
