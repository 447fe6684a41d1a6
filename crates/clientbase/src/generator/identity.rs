//! The real people and companies behind the records: who they are, where they
//! live, their true phone numbers and email addresses. Records are typed from
//! these (see `records`), duplicates included.

use super::catalog::{LegalForm, COMPANY_SUFFIXES, COMPANY_WORDS, LEGAL_FORMS};
use super::names::{self, login_part, Gender};
use super::phones::MobileSlot;
use super::pick::{one_of, weighted};
use super::places::{self, CITIES};
use super::plan::{Plan, CHUNK, CONTACT_SHARE};
use crate::client::{complete_inn, RelationKind};
use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// A real person.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub gender: Gender,
    /// The surname in its masculine form.
    pub surname: &'static str,
    pub given: &'static str,
    /// The father's given name, for the patronymic.
    pub father: &'static str,
    pub birthday: NaiveDate,
    pub city: usize,
    pub address: String,
    pub mobile: Option<String>,
    /// A home landline.
    pub home: Option<String>,
    /// An office number reached through an extension (company contacts).
    pub work: Option<String>,
    pub email: Option<String>,
    /// The number of serial this person's own numbers derive from.
    pub serial: u64,
}

impl Person {
    pub(crate) fn surname(&self) -> String {
        names::surname_form(self.surname, self.gender)
    }

    pub(crate) fn patronymic(&self) -> String {
        names::patronymic(self.father, self.gender)
    }

    pub(crate) fn full_name(&self) -> String {
        format!("{} {} {}", self.surname(), self.given, self.patronymic())
    }

    pub(crate) fn initials_name(&self) -> String {
        let initial = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!(
            "{} {}. {}.",
            self.surname(),
            initial(self.given),
            initial(&self.patronymic())
        )
    }

    pub(crate) fn age_on(&self, day: NaiveDate) -> i32 {
        day.year() - self.birthday.year()
    }
}

/// A real company.
#[derive(Debug, Clone)]
pub(crate) struct Company {
    /// The serial this company's numbers derive from.
    pub serial: u64,
    pub form: LegalForm,
    /// The name without the legal form (`Зоомир`), or the owner's full name for an ИП.
    pub name: String,
    /// The owner, for a sole proprietor.
    pub owner: Option<Person>,
    pub inn: String,
    pub city: usize,
    pub address: String,
    pub office: Option<String>,
    pub toll_free: Option<String>,
    pub mobile: Option<String>,
    pub domain: Option<String>,
    pub email: Option<String>,
}

impl Company {
    /// The legal name as the registry writes it: `ООО «Зоомир»`, `ИП Иванов Сергей Петрович`.
    pub(crate) fn legal_name(&self) -> String {
        match self.form {
            LegalForm::Ooo => format!("ООО «{}»", self.name),
            LegalForm::Ao => format!("АО «{}»", self.name),
            LegalForm::Ip => format!("ИП {}", self.name),
        }
    }
}

/// A relative of a person: a different client who looks alike.
#[derive(Debug, Clone)]
pub(crate) struct Relative {
    pub entity: u32,
    pub person: Person,
    pub kind: RelationKind,
    pub shares_phone: bool,
    pub shares_address: bool,
    /// Resolved after email deduplication: the relative uses the family mailbox.
    pub shares_email: bool,
}

/// A contact person at a company.
#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub entity: u32,
    pub person: Person,
    /// Reached through the company's office number with an extension.
    pub shares_phone: bool,
}

/// One real client and the records the base will hold about it and its look-alikes.
#[derive(Debug, Clone)]
pub(crate) enum Group {
    Person {
        entity: u32,
        person: Person,
        duplicates: u8,
        relative: Option<Relative>,
    },
    Company {
        entity: u32,
        company: Company,
        duplicates: u8,
        contacts: Vec<Contact>,
    },
}

impl Group {
    /// How many client records the group becomes.
    pub(crate) fn records(&self) -> usize {
        match self {
            Group::Person {
                duplicates,
                relative,
                ..
            } => 1 + *duplicates as usize + relative.is_some() as usize,
            Group::Company {
                duplicates,
                contacts,
                ..
            } => 1 + *duplicates as usize + contacts.len(),
        }
    }
}

static PROVIDERS: &[(&str, u32)] = &[
    ("mail.ru", 30),
    ("yandex.ru", 22),
    ("gmail.com", 18),
    ("bk.ru", 6),
    ("list.ru", 5),
    ("inbox.ru", 4),
    ("rambler.ru", 5),
    ("ya.ru", 3),
    ("icloud.com", 2),
    ("outlook.com", 1),
];

static NICKNAMES: &[&str] = &[
    "kotik", "sunny", "lisa", "tiger", "murka", "zvezda", "bars", "koshka", "volk", "angel",
    "lucky", "pushok",
];

static COMPANY_MAILBOXES: &[(&str, u32)] = &[
    ("info", 40),
    ("office", 15),
    ("zakaz", 15),
    ("sales", 10),
    ("opt", 10),
    ("buh", 5),
    ("director", 5),
];

/// Plans one chunk: the groups whose records add up to exactly `quota`.
pub(crate) struct Planner<'a> {
    plan: &'a Plan,
    rng: ChaCha8Rng,
    chunk: usize,
    entities: u32,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(plan: &'a Plan, chunk: usize, rng: ChaCha8Rng) -> Planner<'a> {
        Planner {
            plan,
            rng,
            chunk,
            entities: 0,
        }
    }

    pub(crate) fn groups(mut self, quota: usize) -> Vec<Group> {
        let mut left = quota;
        let mut groups = Vec::new();
        while left > 0 {
            let group = if self.rng.random_bool(self.plan.company_share) {
                self.company_group(left)
            } else {
                self.person_group(left)
            };
            left -= group.records();
            groups.push(group);
        }
        groups
    }

    fn next_entity(&mut self) -> u32 {
        let e = self.entities;
        self.entities += 1;
        e
    }

    fn serial(&self, entity: u32) -> u64 {
        (self.chunk * CHUNK) as u64 + u64::from(entity)
    }

    fn duplicate_count(&mut self) -> u8 {
        if self.rng.random_bool(self.plan.duplicate_rate) {
            *weighted(&mut self.rng, &[(1u8, 70), (2, 22), (3, 8)])
        } else {
            0
        }
    }

    fn person_group(&mut self, room: usize) -> Group {
        let entity = self.next_entity();
        let person = self.person(entity, None, None);
        let mut duplicates = self.duplicate_count();
        let wants_relative = self.rng.random_bool(self.plan.related_rate);
        let relative = (wants_relative && room >= 2).then(|| self.relative(&person));
        let room_for_duplicates = room - 1 - relative.is_some() as usize;
        duplicates = duplicates.min(room_for_duplicates as u8);
        Group::Person {
            entity,
            person,
            duplicates,
            relative,
        }
    }

    fn company_group(&mut self, room: usize) -> Group {
        let entity = self.next_entity();
        let company = self.company(entity);
        let mut duplicates = self.duplicate_count();
        let mut contacts = Vec::new();
        if self.rng.random_bool(CONTACT_SHARE) {
            let n = if self.rng.random_bool(0.2) { 2 } else { 1 };
            for _ in 0..n.min(room - 1) {
                let contact_entity = self.next_entity();
                let contact = self.contact(&company, contact_entity);
                contacts.push(contact);
            }
        }
        duplicates = duplicates.min((room - 1 - contacts.len()) as u8);
        Group::Company {
            entity,
            company,
            duplicates,
            contacts,
        }
    }

    /// A birthday that makes the person `age` years old today.
    fn birthday(&mut self, age: i32) -> NaiveDate {
        let today = self.plan.today;
        let anniversary =
            NaiveDate::from_ymd_opt(today.year() - age, today.month(), today.day().min(28))
                .unwrap_or(today);
        anniversary - Duration::days(self.rng.random_range(0..365))
    }

    fn random_age(&mut self) -> i32 {
        let u: f64 = self.rng.random();
        18 + (62.0 * u.powf(1.4)) as i32
    }

    /// A new person whose numbers derive from `entity`'s serial.
    fn person(&mut self, entity: u32, gender: Option<Gender>, age: Option<i32>) -> Person {
        let serial = self.serial(entity);
        let gender = gender.unwrap_or_else(|| {
            if self.rng.random_bool(0.57) {
                Gender::Female
            } else {
                Gender::Male
            }
        });
        let surname = names::random_surname(&mut self.rng);
        let given = names::random_given(&mut self.rng, gender);
        let father = names::random_father(&mut self.rng);
        let age = age.unwrap_or_else(|| self.random_age());
        let birthday = self.birthday(age);
        let city = places::random_city(&mut self.rng);
        let address = places::random_address(&mut self.rng, false);
        let numbering = self.plan.numbering;
        let mobile = match self.rng.random_range(0..1000) {
            0..=29 => None,
            // A Kazakhstan mobile (+7 7xx), from the same serial so it stays unique.
            30..=41 => {
                let code = one_of(
                    &mut self.rng,
                    &["701", "702", "705", "707", "747", "771", "777"],
                );
                Some(numbering.landline(code, serial, false))
            }
            // A foreign mobile: Belarus, Uzbekistan, Armenia.
            42..=47 => {
                let prefix = one_of(
                    &mut self.rng,
                    &["37529", "37533", "99890", "99893", "37491"],
                );
                let digits = if prefix.starts_with("374") { 5 } else { 6 };
                // Subscriber numbers do not start with 0.
                let first = self.rng.random_range(1..10);
                let body = numbering.digits(serial, digits);
                Some(format!(
                    "+{prefix}{first}{body:0width$}",
                    width = digits as usize
                ))
            }
            _ => Some(numbering.mobile(serial, MobileSlot::Main)),
        };
        let home = match CITIES[city].area_codes {
            [] => None,
            codes if self.rng.random_bool(0.15) => {
                let area = one_of(&mut self.rng, codes);
                Some(self.plan.numbering.landline(area, serial, false))
            }
            _ => None,
        };
        let mut person = Person {
            gender,
            surname,
            given,
            father,
            birthday,
            city,
            address,
            mobile,
            home,
            work: None,
            email: None,
            serial,
        };
        if self.rng.random_bool(0.68) || (person.mobile.is_none() && person.home.is_none()) {
            person.email = Some(personal_email(&mut self.rng, &person));
        }
        person
    }

    fn relative(&mut self, primary: &Person) -> Relative {
        let entity = self.next_entity();
        let primary_age = primary.age_on(self.plan.today);
        let child = primary_age >= 42 && self.rng.random_bool(0.3);
        let (kind, mut person) = if child {
            let age = self.rng.random_range(18..=(primary_age - 20).clamp(18, 40));
            let mut p = self.person(entity, None, Some(age));
            if primary.gender == Gender::Male {
                p.father = primary.given;
            }
            (RelationKind::Relative, p)
        } else {
            let age = (primary_age + self.rng.random_range(-6..=6)).max(18);
            (
                RelationKind::Spouse,
                self.person(entity, Some(primary.gender.opposite()), Some(age)),
            )
        };
        person.surname = primary.surname;
        let shares_address = kind == RelationKind::Spouse || self.rng.random_bool(0.7);
        if shares_address {
            person.city = primary.city;
            person.address = primary.address.clone();
        }
        let shared_number = primary.home.clone().or_else(|| primary.mobile.clone());
        let shares_phone = shared_number.is_some() && self.rng.random_bool(0.45);
        if shares_phone {
            // The household landline, or the partner's mobile given as a contact.
            person.home = shared_number;
            if self.rng.random_bool(0.5) {
                person.mobile = None;
            }
        } else if primary.home.is_some() && person.home.is_some() {
            person.home = None;
        }
        let shares_email = primary.email.is_some() && self.rng.random_bool(0.12);
        Relative {
            entity,
            person,
            kind,
            shares_phone,
            shares_address,
            shares_email,
        }
    }

    fn company(&mut self, entity: u32) -> Company {
        let serial = self.serial(entity);
        let form = *weighted(&mut self.rng, LEGAL_FORMS);
        let city = places::random_city(&mut self.rng);
        let region = CITIES[city].tax_region;
        let numbering = self.plan.numbering;
        let (name, owner, inn) = if form == LegalForm::Ip {
            // The owner's own numbers use the company's serial; the slots differ.
            let age = self.rng.random_range(25..65);
            let mut owner = self.person(entity, None, Some(age));
            owner.city = city;
            let body = numbering.digits(serial, 8);
            let inn = complete_inn(&format!("{region}{body:08}")).unwrap_or_default();
            (owner.full_name(), Some(owner), inn)
        } else {
            let word = one_of(&mut self.rng, COMPANY_WORDS);
            let suffix = weighted(&mut self.rng, COMPANY_SUFFIXES);
            let body = numbering.digits(serial, 7);
            let inn = complete_inn(&format!("{region}{body:07}")).unwrap_or_default();
            (format!("{word}{suffix}"), None, inn)
        };
        let address = places::random_address(&mut self.rng, true);
        let office = match CITIES[city].area_codes {
            [] => None,
            codes if self.rng.random_bool(0.75) => {
                let area = one_of(&mut self.rng, codes);
                Some(numbering.landline(area, serial, true))
            }
            _ => None,
        };
        let toll_free = (form != LegalForm::Ip && self.rng.random_bool(0.12))
            .then(|| numbering.toll_free(serial));
        let wants_mobile = if form == LegalForm::Ip { 0.85 } else { 0.2 };
        let mut mobile = self
            .rng
            .random_bool(wants_mobile)
            .then(|| numbering.mobile(serial, MobileSlot::Work));
        if office.is_none() && toll_free.is_none() && mobile.is_none() {
            mobile = Some(numbering.mobile(serial, MobileSlot::Work));
        }
        let domain = (form != LegalForm::Ip && self.rng.random_bool(0.7)).then(|| {
            let base = login_part(&name);
            let tld = if self.rng.random_bool(0.85) {
                "ru"
            } else {
                "com"
            };
            let city_tag = match self.rng.random_range(0..10) {
                0 => "-msk",
                1 => "-spb",
                2 => "24",
                3 => "-opt",
                _ => "",
            };
            format!("{base}{city_tag}.{tld}")
        });
        let email = match (&domain, &owner) {
            (Some(domain), _) => {
                let mailbox = weighted(&mut self.rng, COMPANY_MAILBOXES);
                Some(format!("{mailbox}@{domain}"))
            }
            (None, Some(owner)) if self.rng.random_bool(0.7) => {
                Some(personal_email(&mut self.rng, owner))
            }
            _ => None,
        };
        Company {
            serial,
            form,
            name,
            owner,
            inn,
            city,
            address,
            office,
            toll_free,
            mobile,
            domain,
            email,
        }
    }

    fn contact(&mut self, company: &Company, entity: u32) -> Contact {
        let age = self.rng.random_range(23..60);
        let mut person = self.person(entity, None, Some(age));
        person.city = company.city;
        person.home = None;
        let shares_phone = company.office.is_some() && self.rng.random_bool(0.5);
        if shares_phone {
            person.work = company.office.clone();
            if self.rng.random_bool(0.6) {
                person.mobile = None;
            }
        }
        person.email = match &company.domain {
            Some(domain) if self.rng.random_bool(0.6) => {
                let g = login_part(person.given);
                let s = login_part(&person.surname());
                let initial: String = g.chars().take(1).collect();
                Some(format!("{initial}.{s}@{domain}"))
            }
            _ if self.rng.random_bool(0.3) => Some(personal_email(&mut self.rng, &person)),
            _ => None,
        };
        if person.mobile.is_none() && person.work.is_none() && person.email.is_none() {
            person.mobile = Some(self.plan.numbering.mobile(person.serial, MobileSlot::Main));
        }
        Contact {
            entity,
            person,
            shares_phone,
        }
    }
}

/// A personal mailbox at a big provider, from the transliterated name.
pub(crate) fn personal_email<R: Rng + ?Sized>(rng: &mut R, person: &Person) -> String {
    let g = login_part(person.given);
    let s = login_part(&person.surname());
    let g0: String = g.chars().take(1).collect();
    let year = person.birthday.year();
    let yy = year % 100;
    let n = rng.random_range(1..1000);
    let local = match rng.random_range(0..20) {
        0..=3 => format!("{g}.{s}"),
        4..=5 => format!("{s}.{g}"),
        6..=7 => format!("{g0}.{s}"),
        8..=9 => format!("{s}{yy:02}"),
        10..=11 => format!("{g}{s}{n}"),
        12 => format!("{s}_{g0}"),
        13..=14 => format!("{g}_{s}{year}"),
        15..=16 => format!("{s}{g0}{n}"),
        17..=18 => format!("{g}.{s}{yy:02}"),
        _ => format!("{}{n}", one_of(rng, NICKNAMES)),
    };
    let domain = weighted(rng, PROVIDERS);
    format!("{local}@{domain}")
}

/// Makes every real client's email addresses unique across the whole base (two
/// people never share a mailbox by accident), then gives relatives who share the
/// family mailbox the final address. Runs once over all chunks, in order.
pub(crate) fn deduplicate_emails(chunks: &mut [Vec<Group>]) {
    let groups = chunks.iter().map(Vec::len).sum::<usize>();
    let mut used: HashSet<u64> = HashSet::with_capacity(groups * 2);
    let mut claim = |email: &mut Option<String>| {
        if let Some(address) = email {
            make_unique(address, &mut used);
        }
    };
    for groups in chunks.iter_mut() {
        for group in groups.iter_mut() {
            match group {
                Group::Person {
                    person, relative, ..
                } => {
                    claim(&mut person.email);
                    if let Some(relative) = relative {
                        if relative.shares_email {
                            relative.person.email = person.email.clone();
                        } else {
                            claim(&mut relative.person.email);
                        }
                    }
                }
                Group::Company {
                    company, contacts, ..
                } => {
                    claim(&mut company.email);
                    for contact in contacts {
                        claim(&mut contact.person.email);
                    }
                }
            }
        }
    }
}

/// A 64-bit FNV-1a hash of the trimmed, lower-cased address. Sets of these stand
/// in for sets of addresses: a collision only makes an address look taken, which
/// costs a few digits, never a shared mailbox.
pub(crate) fn email_key(address: &str) -> u64 {
    let fnv = |h: u64, c: u32| (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
    let address = address.trim();
    if address.is_ascii() {
        // The same hash without the general lower-casing, which a million
        // addresses feel.
        return address.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            fnv(h, u32::from(b.to_ascii_lowercase()))
        });
    }
    address
        .chars()
        .flat_map(char::to_lowercase)
        .fold(0xcbf2_9ce4_8422_2325u64, |h, c| fnv(h, u32::from(c)))
}

/// Claims `address`; a taken one gets digits after the mailbox name, as the
/// provider would have asked for (`elena.ivanova@…` becomes `elena.ivanova87@…`).
pub(crate) fn make_unique(address: &mut String, used: &mut HashSet<u64>) {
    if used.insert(email_key(address)) {
        return;
    }
    let (local, domain) = address.split_once('@').unwrap_or((address.as_str(), ""));
    let (local, domain) = (local.to_string(), domain.to_string());
    // FNV-1a: the digits depend on the address only, so the choice is deterministic
    // and popular names do not walk through 2, 3, 4, ... one by one.
    let hash = email_key(address);
    for attempt in 0u64.. {
        let n = match attempt {
            0..=9 => 10 + hash.wrapping_add(attempt * 7919) % 90,
            10..=29 => 100 + hash.wrapping_add(attempt * 7919) % 900,
            30..=9_029 => 1000 + hash.wrapping_add(attempt * 7919) % 9000,
            // Every 4-digit suffix taken: count on from 10000.
            _ => 10_000 + attempt,
        };
        let candidate = format!("{local}{n}@{domain}");
        if used.insert(email_key(&candidate)) {
            *address = candidate;
            return;
        }
    }
}
