//! Typing records from the real clients: the way managers and web forms fill a
//! client card, the duplicates of the same client and its look-alikes.

use super::catalog::{
    self, BEHAVIOURS, COMPANY_SOURCES, CONTACT_TIMES, MANAGERS, ORG_TYPES, PERSON_SOURCES, PETS,
    WEEKDAYS, WHOLESALE_MANAGERS,
};
use super::identity::{Company, Group, Person};
use super::names::{self, transliterate, Translit};
use super::phones::{dress, IntendedPhone, MessyPhone, MobileSlot, Noise};
use super::pick::{self, one_of, weighted};
use super::places::CITIES;
use super::plan::{Fill, Plan, CONTACT_DEAL_FACTOR, DUPLICATE_DEAL_FACTOR};
use super::truth::{DuplicateKind, SharedContact};
use super::typos;
use crate::activity::Activity;
use crate::client::{
    Channel, Client, Consent, Email, Messenger, MessengerKind, Party, Phone, RelationKind,
};
use crate::deal::Deal;
use crate::money::Money;
use crate::schema::{FieldType, FieldValue};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::ops::Range;

/// A client record before it has an id.
pub(crate) struct DraftClient {
    pub client: Client,
    /// The chunk-local entity.
    pub entity: u32,
    pub phones: Vec<IntendedPhone>,
    /// The record's deals and activities in the chunk's lists.
    pub deals: Range<u32>,
    pub activities: Range<u32>,
}

/// A deal before it has an id (its client's [`DraftClient::deals`] lists it).
pub(crate) struct DraftDeal {
    pub deal: Deal,
}

/// An activity before it has an id; `deal` is chunk-local.
pub(crate) struct DraftActivity {
    pub deal: Option<u32>,
    pub activity: Activity,
}

pub(crate) struct DraftDuplicate {
    pub original: u32,
    pub duplicate: u32,
    pub kinds: Vec<DuplicateKind>,
}

pub(crate) struct DraftRelated {
    pub a: u32,
    pub b: u32,
    pub kind: RelationKind,
    pub shared: Vec<SharedContact>,
    pub recorded: bool,
}

/// Everything one chunk produced, with chunk-local references.
#[derive(Default)]
pub(crate) struct Chunk {
    pub clients: Vec<DraftClient>,
    pub deals: Vec<DraftDeal>,
    pub activities: Vec<DraftActivity>,
    pub duplicates: Vec<DraftDuplicate>,
    pub related: Vec<DraftRelated>,
    /// Records whose email was mistyped on purpose: their addresses may collide
    /// with someone else's and are checked once all chunks are done.
    pub typo_emails: Vec<u32>,
}

/// What drives a record's purchases.
pub(crate) struct Buyer {
    pub company: bool,
    pub deal_factor: f64,
    pub favourites: [usize; 2],
}

/// Types the records of one chunk.
pub(crate) struct Typist<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) out: Chunk,
}

/// The real client a duplicate is typed from.
enum Identity<'g> {
    Person(&'g Person),
    Company(&'g Company),
}

impl<'a> Typist<'a> {
    pub(crate) fn new(plan: &'a Plan, rng: ChaCha8Rng) -> Typist<'a> {
        Typist {
            plan,
            rng,
            out: Chunk::default(),
        }
    }

    pub(crate) fn type_groups(mut self, groups: &[Group]) -> Chunk {
        for group in groups {
            match group {
                Group::Person {
                    entity,
                    person,
                    duplicates,
                    relative,
                } => {
                    let created = self.created_at();
                    let (client, phones) = self.person_client(person, created);
                    let buyer = self.person_buyer(1.0);
                    let original = self.push(client, *entity, phones, buyer);
                    for _ in 0..*duplicates {
                        self.duplicate(original, Identity::Person(person));
                    }
                    if let Some(relative) = relative {
                        let created = self.created_at();
                        let (client, phones) = self.person_client(&relative.person, created);
                        let buyer = self.person_buyer(1.0);
                        let b = self.push(client, relative.entity, phones, buyer);
                        let mut shared = Vec::new();
                        if relative.shares_phone {
                            let number = relative.person.home.clone().unwrap_or_default();
                            self.show_phone(original, &number);
                            self.show_phone(b, &number);
                            shared.push(SharedContact::Phone);
                        }
                        if relative.shares_address {
                            for record in [original, b] {
                                let client = &mut self.out.clients[record as usize].client;
                                client.address = Some(person.address.clone());
                                client.city = Some(CITIES[person.city].name.to_string());
                                client.region = Some(CITIES[person.city].region.to_string());
                            }
                            shared.push(SharedContact::Address);
                        }
                        if relative.shares_email {
                            if let Some(email) = &person.email {
                                self.show_email(original, email);
                                self.show_email(b, email);
                                shared.push(SharedContact::Email);
                            }
                        }
                        let recorded = match relative.kind {
                            RelationKind::Spouse => self.rng.random_bool(0.35),
                            _ => self.rng.random_bool(0.2),
                        };
                        self.out.related.push(DraftRelated {
                            a: original,
                            b,
                            kind: relative.kind,
                            shared,
                            recorded,
                        });
                    }
                }
                Group::Company {
                    entity,
                    company,
                    duplicates,
                    contacts,
                } => {
                    let created = self.created_at();
                    let (client, phones) = self.company_client(company, created);
                    let buyer = Buyer {
                        company: true,
                        deal_factor: super::plan::COMPANY_DEAL_FACTOR,
                        favourites: [self.rng.random_range(0..6), self.rng.random_range(0..6)],
                    };
                    let original = self.push(client, *entity, phones, buyer);
                    for _ in 0..*duplicates {
                        self.duplicate(original, Identity::Company(company));
                    }
                    for contact in contacts {
                        // Contacts are added after the company exists.
                        let hours = self.rng.random_range(1..24 * 120);
                        let created = (created + Duration::hours(hours)).min(self.plan.now);
                        let (mut client, phones) = self.person_client(&contact.person, created);
                        client.address = None;
                        let buyer = self.person_buyer(CONTACT_DEAL_FACTOR);
                        let b = self.push(client, contact.entity, phones, buyer);
                        let shared = if contact.shares_phone {
                            if let Some(office) = &company.office {
                                self.show_phone(original, office);
                                self.show_phone(b, office);
                            }
                            vec![SharedContact::Phone]
                        } else {
                            Vec::new()
                        };
                        self.out.related.push(DraftRelated {
                            a: original,
                            b,
                            kind: RelationKind::EmployeeOf,
                            shared,
                            recorded: self.rng.random_bool(0.7),
                        });
                    }
                }
            }
        }
        self.out
    }

    /// When a client was first entered: any day of the history, more often recently
    /// (the business grows).
    pub(crate) fn created_at(&mut self) -> DateTime<Utc> {
        let span = (self.plan.today - self.plan.start).num_days();
        let u: f64 = self.rng.random();
        let day = self.plan.start + Duration::days((span as f64 * u.powf(0.75)) as i64);
        pick::at_office_hours(&mut self.rng, day).min(self.plan.now - Duration::hours(1))
    }

    fn person_buyer(&mut self, deal_factor: f64) -> Buyer {
        let first = match self.rng.random_range(0..100) {
            0..=49 => 0,  // cats
            50..=87 => 1, // dogs
            88..=93 => 7, // birds and rodents
            94..=97 => 6, // fish
            _ => 4,
        };
        let second = match first {
            0 => *weighted(&mut self.rng, &[(2usize, 50), (3, 20), (4, 15), (5, 15)]),
            1 => *weighted(&mut self.rng, &[(3usize, 40), (4, 25), (5, 20), (8, 15)]),
            _ => self.rng.random_range(0..9),
        };
        Buyer {
            company: false,
            deal_factor,
            favourites: [first, second],
        }
    }

    fn push(
        &mut self,
        client: Client,
        entity: u32,
        phones: Vec<IntendedPhone>,
        buyer: Buyer,
    ) -> u32 {
        let index = self.out.clients.len() as u32;
        self.out.clients.push(DraftClient {
            client,
            entity,
            phones,
            deals: 0..0,
            activities: 0..0,
        });
        let (deals, activities) = (self.out.deals.len(), self.out.activities.len());
        self.history(index, &buyer);
        let draft = &mut self.out.clients[index as usize];
        draft.deals = deals as u32..self.out.deals.len() as u32;
        draft.activities = activities as u32..self.out.activities.len() as u32;
        index
    }

    fn push_phone(
        client: &mut Client,
        phones: &mut Vec<IntendedPhone>,
        messy: MessyPhone,
        label: Option<&str>,
    ) {
        let mut phone = Phone::raw(messy.raw);
        phone.label = label.map(str::to_string);
        client.phones.push(phone);
        phones.push(messy.intended);
    }

    /// Makes sure a record lists `number` (a shared phone must be visible on both).
    fn show_phone(&mut self, record: u32, number: &str) {
        let draft = &self.out.clients[record as usize];
        let listed = draft
            .phones
            .iter()
            .any(|p| p.e164.as_deref() == Some(number) || p.second_e164.as_deref() == Some(number));
        if !listed && !number.is_empty() {
            let messy = dress(&mut self.rng, number, Noise::default(), None);
            let draft = &mut self.out.clients[record as usize];
            Self::push_phone(&mut draft.client, &mut draft.phones, messy, None);
        }
    }

    fn show_email(&mut self, record: u32, email: &str) {
        let client = &mut self.out.clients[record as usize].client;
        if !client
            .emails
            .iter()
            .any(|e| e.raw.trim().eq_ignore_ascii_case(email))
        {
            client.emails.push(Email::raw(email));
        }
    }

    fn email_as_typed(&mut self, email: &str) -> String {
        match self.rng.random_range(0..100) {
            0..=4 => {
                // Capitalised by a phone keyboard or a careful manager.
                let mut chars = email.chars();
                match chars.next() {
                    Some(first) => format!("{}{}", first.to_ascii_uppercase(), chars.as_str()),
                    None => String::new(),
                }
            }
            5..=6 => format!(" {email}"),
            7 => email.to_uppercase(),
            _ => email.to_string(),
        }
    }

    fn person_client(
        &mut self,
        p: &Person,
        created: DateTime<Utc>,
    ) -> (Client, Vec<IntendedPhone>) {
        let patronymic = self.rng.random_bool(0.8).then(|| p.patronymic());
        let mut client = Client::person(&p.surname(), p.given, patronymic.as_deref());
        let mut phones = Vec::new();
        let noise = Noise {
            extension: 0.0,
            invalid: 0.02,
        };
        match (&p.mobile, &p.home) {
            (Some(mobile), home) => {
                let together = home.is_some() && self.rng.random_bool(0.15);
                let second = if together { home.as_deref() } else { None };
                let messy = dress(&mut self.rng, mobile, noise, second);
                let label = self.rng.random_bool(0.1).then_some("моб.");
                Self::push_phone(&mut client, &mut phones, messy, label);
                if let (false, Some(home)) = (together, home) {
                    if self.rng.random_bool(0.6) {
                        let messy = dress(&mut self.rng, home, noise, None);
                        let label = self.rng.random_bool(0.5).then_some("дом.");
                        Self::push_phone(&mut client, &mut phones, messy, label);
                    }
                }
            }
            (None, Some(home)) => {
                let messy = dress(&mut self.rng, home, noise, None);
                Self::push_phone(&mut client, &mut phones, messy, None);
            }
            (None, None) => {}
        }
        if let Some(work) = &p.work {
            let work_noise = Noise {
                extension: 0.9,
                invalid: 0.01,
            };
            let messy = dress(&mut self.rng, work, work_noise, None);
            let label = self.rng.random_bool(0.5).then_some("раб.");
            Self::push_phone(&mut client, &mut phones, messy, label);
        }
        if let Some(email) = &p.email {
            if self.rng.random_bool(0.9) || client.phones.is_empty() {
                let typed = self.email_as_typed(email);
                client.emails.push(Email::raw(typed));
            }
        }
        let city = &CITIES[p.city];
        if self.rng.random_bool(0.92) {
            client.city = Some(city.name.to_string());
            if self.rng.random_bool(0.6) {
                client.region = Some(city.region.to_string());
            }
        }
        if self.rng.random_bool(0.45) {
            client.address = Some(p.address.clone());
        }
        if self.rng.random_bool(0.35) {
            client.birthday = Some(p.birthday);
        }
        self.messengers(&mut client, p);
        self.profile(&mut client, false, created);
        (client, phones)
    }

    fn company_client(
        &mut self,
        c: &Company,
        created: DateTime<Utc>,
    ) -> (Client, Vec<IntendedPhone>) {
        let inn = self.rng.random_bool(0.85).then_some(c.inn.as_str());
        let mut client = Client::company(&c.legal_name(), inn);
        let mut phones = Vec::new();
        let office_noise = Noise {
            extension: 0.15,
            invalid: 0.01,
        };
        let together = c.office.is_some() && c.mobile.is_some() && self.rng.random_bool(0.1);
        if let Some(office) = &c.office {
            let second = if together { c.mobile.as_deref() } else { None };
            let messy = dress(&mut self.rng, office, office_noise, second);
            let label = self.rng.random_bool(0.3).then_some("офис");
            Self::push_phone(&mut client, &mut phones, messy, label);
        }
        if let Some(free) = &c.toll_free {
            let messy = dress(&mut self.rng, free, Noise::default(), None);
            Self::push_phone(&mut client, &mut phones, messy, None);
        }
        if let (Some(mobile), false) = (&c.mobile, together) {
            let noise = Noise {
                extension: 0.0,
                invalid: 0.02,
            };
            let messy = dress(&mut self.rng, mobile, noise, None);
            let label = self.rng.random_bool(0.3).then_some("моб.");
            Self::push_phone(&mut client, &mut phones, messy, label);
        }
        if let Some(email) = &c.email {
            if self.rng.random_bool(0.9) {
                let typed = self.email_as_typed(email);
                client.emails.push(Email::raw(typed));
            }
        }
        let city = &CITIES[c.city];
        if self.rng.random_bool(0.95) {
            client.city = Some(city.name.to_string());
            client.region = Some(city.region.to_string());
        }
        if self.rng.random_bool(0.7) {
            client.address = Some(c.address.clone());
        }
        self.profile(&mut client, true, created);
        (client, phones)
    }

    fn messengers(&mut self, client: &mut Client, p: &Person) {
        if self.rng.random_bool(0.12) {
            let login = names::login_part(&format!("{}{}", p.given, p.surname()));
            let n = self.rng.random_range(1..100);
            client.messengers.push(Messenger {
                kind: MessengerKind::Telegram,
                id: format!("@{login}{n}"),
                consent: None,
            });
        }
        if let Some(mobile) = &p.mobile {
            if self.rng.random_bool(0.08) {
                client.messengers.push(Messenger {
                    kind: MessengerKind::Whatsapp,
                    id: mobile.clone(),
                    consent: None,
                });
            }
        }
        if self.rng.random_bool(0.04) {
            client.messengers.push(Messenger {
                kind: MessengerKind::Vk,
                id: format!("id{}", self.rng.random_range(10_000_000..900_000_000)),
                consent: None,
            });
        }
    }

    /// Owner, source, consents, tags and custom fields.
    fn profile(&mut self, client: &mut Client, company: bool, created: DateTime<Utc>) {
        client.created_at = Some(created);
        client.owner = Some(self.manager(company).to_string());
        if self.rng.random_bool(0.85) {
            let sources = if company {
                COMPANY_SOURCES
            } else {
                PERSON_SOURCES
            };
            client.source = Some(weighted(&mut self.rng, sources).to_string());
        }
        self.consents(client, created);
        for (tag, person, for_company) in &self.plan.tags {
            let p = if company { *for_company } else { *person };
            if p > 0.0 && self.rng.random_bool(p) {
                client.tags.insert(tag.clone());
            }
        }
        self.custom_fields(client, company, created);
        if self.rng.random_bool(0.25) {
            client.behaviour = Some(one_of(&mut self.rng, BEHAVIOURS).to_string());
        }
        client.can_refer = !company && self.rng.random_bool(0.1);
    }

    pub(crate) fn manager(&mut self, company: bool) -> &'static str {
        let managers = if company && self.rng.random_bool(0.9) {
            &MANAGERS[..WHOLESALE_MANAGERS]
        } else {
            MANAGERS
        };
        let name: &&'static str = weighted(&mut self.rng, managers);
        name
    }

    fn consents(&mut self, client: &mut Client, created: DateTime<Utc>) {
        let day = created.date_naive();
        let later = |rng: &mut ChaCha8Rng, plan: &Plan| pick::day_between(rng, day, plan.today);
        client.consents = Default::default();
        if self.rng.random_bool(0.88) {
            client.consents.personal_data = Some(if self.rng.random_bool(0.02) {
                Consent::withdrawn(later(&mut self.rng, self.plan))
            } else {
                Consent::given(day)
            });
        }
        for (channel, p) in [
            (Channel::Sms, 0.45),
            (Channel::Email, 0.4),
            (Channel::Calls, 0.25),
            (Channel::Messengers, 0.2),
            (Channel::Ads, 0.1),
        ] {
            if channel == Channel::Email && client.emails.is_empty() {
                continue;
            }
            if self.rng.random_bool(p) {
                let consent = if self.rng.random_bool(0.05) {
                    Consent::withdrawn(later(&mut self.rng, self.plan))
                } else {
                    Consent::given(day)
                };
                client.consents.marketing.insert(channel, consent);
            }
        }
    }

    fn custom_fields(&mut self, client: &mut Client, company: bool, created: DateTime<Utc>) {
        let plan = self.plan;
        let mut pets: Option<BTreeSet<String>> = None;
        for field in &plan.fields {
            let p = if company { field.company } else { field.person };
            if p <= 0.0 || !self.rng.random_bool(p) {
                continue;
            }
            let rng = &mut self.rng;
            let value = match &field.fill {
                Fill::Pets => {
                    let set = pets.get_or_insert_with(|| random_pets(rng)).clone();
                    FieldValue::ManyOf(set)
                }
                Fill::PetCount => {
                    let n = pets.as_ref().map_or(1, BTreeSet::len) as i64;
                    FieldValue::Integer(n + pick::geometric(rng, 0.3, 6) as i64)
                }
                Fill::Breed => {
                    let set = pets.get_or_insert_with(|| random_pets(rng));
                    let breed = if set.contains("собака") {
                        one_of(rng, catalog::DOG_BREEDS)
                    } else {
                        one_of(rng, catalog::CAT_BREEDS)
                    };
                    FieldValue::Text(breed.to_string())
                }
                Fill::Budget => {
                    let (lo, hi) = if company {
                        (20_000, 400_000)
                    } else {
                        (1_000, 15_000)
                    };
                    let roubles = rng.random_range(lo / 500..=hi / 500) * 500;
                    FieldValue::Money(Money::from_minor(roubles * 100, plan.currency))
                }
                Fill::FirstVisit => {
                    FieldValue::Date(pick::day_between(rng, plan.start, created.date_naive()))
                }
                Fill::Newsletter => FieldValue::Bool(rng.random_bool(0.6)),
                Fill::ContactTime => FieldValue::OneOf(one_of(rng, CONTACT_TIMES).to_string()),
                Fill::OrgType => FieldValue::OneOf(one_of(rng, ORG_TYPES).to_string()),
                Fill::DeliveryDays => {
                    let n = rng.random_range(1..=3);
                    let days = (0..n).map(|_| one_of(rng, WEEKDAYS).to_string()).collect();
                    FieldValue::ManyOf(days)
                }
                Fill::Generic(field_type) => generic_value(rng, field_type, plan, created),
            };
            client.custom.insert(field.name.clone(), value);
        }
    }

    /// Types a duplicate of record `original` and records how it differs.
    fn duplicate(&mut self, original: u32, identity: Identity<'_>) {
        let source = &self.out.clients[original as usize];
        let entity = source.entity;
        let mut client = source.client.clone();
        let mut phones = source.phones.clone();
        let original_created = client.created_at.unwrap_or(self.plan.now);
        let delay = Duration::days(1 + pick::geometric(&mut self.rng, 120.0, 1500) as i64)
            + Duration::seconds(self.rng.random_range(-4 * 3600..4 * 3600));
        let created = (original_created + delay)
            .min(self.plan.now - Duration::seconds(1))
            .max(original_created + Duration::seconds(1));
        let company = client.is_company();
        // Another manager, another day: the parts of the card nobody copies over.
        client.relations.clear();
        client.updated_at = None;
        if self.rng.random_bool(0.5) {
            client.owner = Some(self.manager(company).to_string());
        }
        if self.rng.random_bool(0.6) {
            let sources = if company {
                COMPANY_SOURCES
            } else {
                PERSON_SOURCES
            };
            client.source = self
                .rng
                .random_bool(0.8)
                .then(|| weighted(&mut self.rng, sources).to_string());
        }
        if self.rng.random_bool(0.5) {
            client.tags.clear();
        }
        if self.rng.random_bool(0.5) {
            client.custom.clear();
        }
        if self.rng.random_bool(0.5) {
            client.messengers.clear();
        }
        client.created_at = Some(created);
        self.consents(&mut client, created);
        let kinds = self.duplicate_kinds(&client, &phones, &identity);
        let mut typo_email = false;
        for kind in &kinds {
            match kind {
                DuplicateKind::Exact => {}
                DuplicateKind::PhoneRetyped => {
                    self.retype_phones(&mut client, &mut phones, &identity)
                }
                DuplicateKind::EmailTypo => {
                    if let Some(email) = client.emails.first_mut() {
                        email.raw = typos::email_typo(&mut self.rng, email.raw.trim());
                        typo_email = true;
                    }
                }
                DuplicateKind::NameTypo => self.name_typo(&mut client),
                DuplicateKind::SpellingVariant => map_name(&mut client, |part| {
                    names::spelling_variant(part).unwrap_or_else(|| part.to_string())
                }),
                DuplicateKind::Diminutive => {
                    if let Party::Person(name) = &mut client.party {
                        if let Some(short) = name.given.as_deref().and_then(names::diminutive) {
                            name.given = Some(short.to_string());
                        }
                        name.patronymic = None;
                    }
                }
                DuplicateKind::Transliterated => {
                    let style = if self.rng.random_bool(0.4) {
                        Translit::Passport
                    } else {
                        Translit::Common
                    };
                    let keep_patronymic = self.rng.random_bool(0.3);
                    if let Party::Person(name) = &mut client.party {
                        if !keep_patronymic {
                            name.patronymic = None;
                        }
                    }
                    map_name(&mut client, |part| transliterate(part, style));
                }
                DuplicateKind::SwappedNameOrder => {
                    if let Party::Person(name) = &mut client.party {
                        std::mem::swap(&mut name.surname, &mut name.given);
                    }
                }
                DuplicateKind::NameInOneField => {
                    if let Party::Person(name) = &mut client.party {
                        let parts = [&name.surname, &name.given, &name.patronymic];
                        let mut words: Vec<String> = parts.into_iter().flatten().cloned().collect();
                        if self.rng.random_bool(0.3) && words.len() >= 2 {
                            // "Сергей Иванов": given name first.
                            words.swap(0, 1);
                            words.truncate(2);
                        }
                        let full = words.join(" ");
                        name.patronymic = None;
                        if self.rng.random_bool(0.7) {
                            name.surname = Some(full);
                            name.given = None;
                        } else {
                            name.given = Some(full);
                            name.surname = None;
                        }
                    }
                }
                DuplicateKind::MissingField => self.drop_field(&mut client, &mut phones, &kinds),
                DuplicateKind::ContactChanged => {
                    let serial = match &identity {
                        Identity::Person(p) => p.serial,
                        Identity::Company(c) => c.serial,
                    };
                    let number = self.plan.numbering.mobile(serial, MobileSlot::New);
                    let messy = dress(&mut self.rng, &number, Noise::default(), None);
                    client.phones.clear();
                    phones.clear();
                    Self::push_phone(&mut client, &mut phones, messy, None);
                }
                DuplicateKind::CompanyNameVariant => {
                    if let (Identity::Company(c), Party::Company(party)) =
                        (&identity, &mut client.party)
                    {
                        party.legal_name =
                            typos::company_variant(&mut self.rng, c, &party.legal_name);
                    }
                }
                // The habits profile's kinds are never drawn by `duplicate_kinds`.
                _ => {}
            }
        }
        let buyer = match &identity {
            Identity::Person(_) => self.person_buyer(DUPLICATE_DEAL_FACTOR),
            Identity::Company(_) => Buyer {
                company: true,
                deal_factor: super::plan::COMPANY_DEAL_FACTOR * DUPLICATE_DEAL_FACTOR,
                favourites: [self.rng.random_range(0..6), self.rng.random_range(0..6)],
            },
        };
        let duplicate = self.push(client, entity, phones, buyer);
        if typo_email {
            self.out.typo_emails.push(duplicate);
        }
        self.out.duplicates.push(DraftDuplicate {
            original,
            duplicate,
            kinds,
        });
    }

    fn duplicate_kinds(
        &mut self,
        client: &Client,
        phones: &[IntendedPhone],
        identity: &Identity<'_>,
    ) -> Vec<DuplicateKind> {
        use DuplicateKind as K;
        let name = match &client.party {
            Party::Person(name) => Some(name),
            Party::Company(_) => None,
        };
        let has_email = !client.emails.is_empty();
        let has_phone = !client.phones.is_empty();
        let can_change_contact =
            has_phone && (has_email || client.address.is_some() || name.is_some());
        let mut options: Vec<(K, u32)> = vec![(K::MissingField, 20)];
        if has_phone && phones.iter().any(|p| p.e164.is_some()) {
            options.push((K::PhoneRetyped, 30));
        }
        if has_email {
            options.push((K::EmailTypo, 12));
        }
        if can_change_contact {
            options.push((K::ContactChanged, 7));
        }
        match name {
            Some(name) => {
                let given = name.given.as_deref().unwrap_or("");
                let parts = [&name.surname, &name.given, &name.patronymic];
                let variant = parts
                    .into_iter()
                    .flatten()
                    .any(|p| names::spelling_variant(p).is_some());
                options.push((K::NameTypo, 12));
                if variant {
                    options.push((K::SpellingVariant, 10));
                }
                if names::diminutive(given).is_some() {
                    options.push((K::Diminutive, 8));
                }
                options.push((K::Transliterated, 6));
                options.push((K::SwappedNameOrder, 8));
                options.push((K::NameInOneField, 5));
            }
            None => {
                if matches!(identity, Identity::Company(_)) {
                    options.push((K::CompanyNameVariant, 30));
                }
            }
        }
        if self.rng.random_bool(0.05) {
            return vec![K::Exact];
        }
        let count = *weighted(&mut self.rng, &[(1usize, 60), (2, 33), (3, 7)]);
        let is_name_kind = |k: K| {
            matches!(
                k,
                K::NameTypo
                    | K::SpellingVariant
                    | K::Diminutive
                    | K::Transliterated
                    | K::SwappedNameOrder
                    | K::NameInOneField
            )
        };
        let mut kinds: Vec<K> = Vec::new();
        for _ in 0..count {
            // At most one change of the name and one of the phones per duplicate.
            let is_phone_kind = |k: K| matches!(k, K::PhoneRetyped | K::ContactChanged);
            let has_name_kind = kinds.iter().any(|c| is_name_kind(*c));
            let has_phone_kind = kinds.iter().any(|c| is_phone_kind(*c));
            options.retain(|(k, _)| {
                let taken = kinds.contains(k)
                    || (is_name_kind(*k) && has_name_kind)
                    || (is_phone_kind(*k) && has_phone_kind);
                !taken
            });
            if options.is_empty() {
                break;
            }
            kinds.push(*weighted(&mut self.rng, &options));
        }
        // Applied in a fixed order (name and contact changes before leaving a field out).
        kinds.sort();
        kinds
    }

    fn retype_phones(
        &mut self,
        client: &mut Client,
        phones: &mut [IntendedPhone],
        identity: &Identity<'_>,
    ) {
        for (phone, intended) in client.phones.iter_mut().zip(phones.iter_mut()) {
            let number = match &intended.e164 {
                Some(number) => number.clone(),
                None => {
                    // The original was mistyped; this time the number is right.
                    let real = match identity {
                        Identity::Person(p) => p.mobile.clone().or_else(|| p.home.clone()),
                        Identity::Company(c) => c.office.clone().or_else(|| c.mobile.clone()),
                    };
                    match real {
                        Some(real) => real,
                        None => continue,
                    }
                }
            };
            for _ in 0..8 {
                let second = intended.second_e164.as_deref();
                let noise = Noise {
                    extension: if intended.extension.is_some() {
                        1.0
                    } else {
                        0.0
                    },
                    invalid: 0.0,
                };
                let messy = dress(&mut self.rng, &number, noise, second);
                if messy.raw != phone.raw {
                    phone.raw = messy.raw;
                    *intended = messy.intended;
                    break;
                }
            }
        }
    }

    fn name_typo(&mut self, client: &mut Client) {
        if let Party::Person(name) = &mut client.party {
            let target = if self.rng.random_bool(0.7) {
                &mut name.surname
            } else {
                &mut name.given
            };
            if let Some(part) = target {
                *part = typos::slip(&mut self.rng, part);
            }
        }
    }

    /// Leaves out one field the original has, keeping the record valid and still
    /// reachable by some contact or name.
    fn drop_field(
        &mut self,
        client: &mut Client,
        phones: &mut Vec<IntendedPhone>,
        kinds: &[DuplicateKind],
    ) {
        #[derive(Clone, Copy)]
        enum Field {
            Patronymic,
            Email,
            Phone,
            Address,
            City,
            Birthday,
            TaxId,
        }
        let mut options = Vec::new();
        match &client.party {
            Party::Person(name) => {
                if name.patronymic.is_some() {
                    options.push((Field::Patronymic, 30));
                }
            }
            Party::Company(company) => {
                if company.tax_id.is_some() {
                    options.push((Field::TaxId, 30));
                }
            }
        }
        // A field another kind just changed stays, so every kind is visible.
        if !client.emails.is_empty() && !client.phones.is_empty() {
            if !kinds.contains(&DuplicateKind::EmailTypo)
                && !kinds.contains(&DuplicateKind::ContactChanged)
            {
                options.push((Field::Email, 25));
            }
            if !kinds.iter().any(|k| {
                matches!(
                    k,
                    DuplicateKind::PhoneRetyped | DuplicateKind::ContactChanged
                )
            }) {
                options.push((Field::Phone, 15));
            }
        }
        if client.address.is_some() {
            options.push((Field::Address, 15));
        }
        if client.city.is_some() {
            options.push((Field::City, 10));
        }
        if client.birthday.is_some() {
            options.push((Field::Birthday, 10));
        }
        if options.is_empty() {
            // Nothing optional to leave out: the source is the last thing to go.
            client.source = None;
            return;
        }
        match *weighted(&mut self.rng, &options) {
            Field::Patronymic => {
                if let Party::Person(name) = &mut client.party {
                    name.patronymic = None;
                }
            }
            Field::TaxId => {
                if let Party::Company(company) = &mut client.party {
                    company.tax_id = None;
                }
            }
            Field::Email => {
                client.emails.clear();
                client.consents.marketing.remove(&Channel::Email);
            }
            Field::Phone => {
                client.phones.clear();
                phones.clear();
            }
            Field::Address => client.address = None,
            Field::City => {
                client.city = None;
                client.region = None;
            }
            Field::Birthday => client.birthday = None,
        }
    }
}

fn map_name(client: &mut Client, f: impl Fn(&str) -> String) {
    if let Party::Person(name) = &mut client.party {
        for part in [&mut name.surname, &mut name.given, &mut name.patronymic]
            .into_iter()
            .flatten()
        {
            *part = f(part);
        }
    }
}

fn random_pets<R: Rng + ?Sized>(rng: &mut R) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let first = *weighted(
        rng,
        &[(0usize, 50), (1, 38), (2, 4), (3, 4), (4, 3), (5, 1)],
    );
    set.insert(PETS[first].to_string());
    if rng.random_bool(0.2) {
        set.insert(one_of(rng, PETS).to_string());
    }
    set
}

fn generic_value<R: Rng + ?Sized>(
    rng: &mut R,
    field_type: &FieldType,
    plan: &Plan,
    created: DateTime<Utc>,
) -> FieldValue {
    match field_type {
        FieldType::Text => FieldValue::Text(
            one_of(
                rng,
                &["уточнить", "см. примечание", "по договорённости", "нет"],
            )
            .to_string(),
        ),
        FieldType::Integer => FieldValue::Integer(rng.random_range(0..100)),
        FieldType::Money { currency } => FieldValue::Money(Money::from_minor(
            rng.random_range(100..100_000) * 100,
            *currency,
        )),
        FieldType::Date => {
            FieldValue::Date(pick::day_between(rng, plan.start, created.date_naive()))
        }
        FieldType::Bool => FieldValue::Bool(rng.random_bool(0.5)),
        FieldType::OneOf { options } => FieldValue::OneOf(one_of(rng, options).clone()),
        FieldType::ManyOf { options } => {
            let n = rng.random_range(1..=options.len().min(3));
            FieldValue::ManyOf((0..n).map(|_| one_of(rng, options).clone()).collect())
        }
    }
}
