//! The ground truth of a generated base: which records are the same real client,
//! how each duplicate came about, which look-alikes are different people, and what
//! every phone field was meant to say.

use super::phones::IntendedPhone;
use crate::client::RelationKind;
use crate::ids::ClientId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A real-world client (person or company). Every record of the same client
/// shares its entity id; entity ids are numbered 1, 2, … in the order of their
/// first record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct EntityId(pub u64);

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entity {}", self.0)
    }
}

/// How a duplicate record differs from the original, the way it happens in real CRMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DuplicateKind {
    /// Entered again exactly as before (a form sent twice, a repeated import).
    Exact,
    /// The same phone number typed in another format (`+7 916…` for `8 (916)…`).
    PhoneRetyped,
    /// One letter or digit changed, dropped, doubled or swapped in the email, or a
    /// mistyped provider (`mial.ru`).
    EmailTypo,
    /// One letter changed, dropped, doubled or swapped in the surname or given name.
    NameTypo,
    /// Another accepted spelling: ё written as е, Наталья as Наталия.
    SpellingVariant,
    /// The everyday short form of the given name (Саша for Александр), no patronymic.
    Diminutive,
    /// The name in Latin letters (Ivanov Sergey, Iuliia), usually without patronymic.
    Transliterated,
    /// Surname and given name in each other's fields.
    SwappedNameOrder,
    /// The whole name typed into one field.
    NameInOneField,
    /// A field the original has is missing (patronymic, email, phone, address, ИНН, …).
    MissingField,
    /// The client came back with a new phone number (other details still match).
    ContactChanged,
    /// The company name written differently: without the legal form, quotes changed,
    /// legal form spelled out or moved, in Latin letters.
    CompanyNameVariant,
    /// Given name and/or patronymic written as initials (`Тарасов О. Я.`).
    /// Made by the habits profile ([`habits`](super::habits)), like every kind below.
    Initials,
    /// The Cyrillic name typed with the keyboard on the Latin layout
    /// (`Иванов Сергей` as `Bdfyjd Cthutq`).
    KeyboardLayout,
    /// Surname and given name in each other's fields, and the given name as its
    /// short form (`Саша` in the surname field, `Иванов` in the given name field).
    SwappedDiminutive,
    /// Another given name of the same gender with the same surname, birthday and
    /// address: a mistake of the manager, counted as the same client by policy.
    GivenReplaced,
    /// A woman's new surname after marriage; the phone and birthday are the same.
    MarriedSurname,
    /// A lead from a web form: only the given name (maybe its short form) and the phone.
    WebLead,
    /// A new phone number instead of the old one; the other details are kept.
    NewPhone,
    /// One digit of the phone mistyped, which gives a valid-looking other number
    /// (the record's intended phone in the truth is that other number: a normalizer
    /// cannot know better).
    PhoneDigitTypo,
    /// The year of birth off by one digit (1985 as 1958 or 1986).
    BirthdayYearTypo,
    /// A company's ИНН with one digit of its body changed (the check digits fit it,
    /// as a form that completes them would make them).
    TaxIdTypo,
    /// The city written another way: `г. Уфа`, `Уфа г.`, `город Уфа`, in capitals.
    CitySpelling,
    /// A space typed inside a name part (`Иван ов`).
    SpaceInName,
    /// Two neighbouring letters swapped in both the surname and the given name.
    TransposedLetters,
    /// Typos in the name, the street address and the city of one record.
    MultiFieldTypos,
    /// The same details typed again with cosmetic differences: letter case, spaces,
    /// the phone in another format.
    PlainReentry,
}

impl DuplicateKind {
    /// Every kind.
    pub const ALL: [DuplicateKind; 27] = [
        DuplicateKind::Exact,
        DuplicateKind::PhoneRetyped,
        DuplicateKind::EmailTypo,
        DuplicateKind::NameTypo,
        DuplicateKind::SpellingVariant,
        DuplicateKind::Diminutive,
        DuplicateKind::Transliterated,
        DuplicateKind::SwappedNameOrder,
        DuplicateKind::NameInOneField,
        DuplicateKind::MissingField,
        DuplicateKind::ContactChanged,
        DuplicateKind::CompanyNameVariant,
        DuplicateKind::Initials,
        DuplicateKind::KeyboardLayout,
        DuplicateKind::SwappedDiminutive,
        DuplicateKind::GivenReplaced,
        DuplicateKind::MarriedSurname,
        DuplicateKind::WebLead,
        DuplicateKind::NewPhone,
        DuplicateKind::PhoneDigitTypo,
        DuplicateKind::BirthdayYearTypo,
        DuplicateKind::TaxIdTypo,
        DuplicateKind::CitySpelling,
        DuplicateKind::SpaceInName,
        DuplicateKind::TransposedLetters,
        DuplicateKind::MultiFieldTypos,
        DuplicateKind::PlainReentry,
    ];

    /// The kinds the main generator ([`generate`](super::generate)) makes.
    pub const GENERATOR: [DuplicateKind; 12] = [
        DuplicateKind::Exact,
        DuplicateKind::PhoneRetyped,
        DuplicateKind::EmailTypo,
        DuplicateKind::NameTypo,
        DuplicateKind::SpellingVariant,
        DuplicateKind::Diminutive,
        DuplicateKind::Transliterated,
        DuplicateKind::SwappedNameOrder,
        DuplicateKind::NameInOneField,
        DuplicateKind::MissingField,
        DuplicateKind::ContactChanged,
        DuplicateKind::CompanyNameVariant,
    ];

    /// The kinds the habits profile ([`habits`](super::habits)) makes.
    pub const HABITS: [DuplicateKind; 15] = [
        DuplicateKind::Initials,
        DuplicateKind::KeyboardLayout,
        DuplicateKind::SwappedDiminutive,
        DuplicateKind::GivenReplaced,
        DuplicateKind::MarriedSurname,
        DuplicateKind::WebLead,
        DuplicateKind::NewPhone,
        DuplicateKind::PhoneDigitTypo,
        DuplicateKind::BirthdayYearTypo,
        DuplicateKind::TaxIdTypo,
        DuplicateKind::CitySpelling,
        DuplicateKind::SpaceInName,
        DuplicateKind::TransposedLetters,
        DuplicateKind::MultiFieldTypos,
        DuplicateKind::PlainReentry,
    ];

    /// The snake_case name (`phone_retyped`).
    pub fn name(self) -> &'static str {
        match self {
            DuplicateKind::Exact => "exact",
            DuplicateKind::PhoneRetyped => "phone_retyped",
            DuplicateKind::EmailTypo => "email_typo",
            DuplicateKind::NameTypo => "name_typo",
            DuplicateKind::SpellingVariant => "spelling_variant",
            DuplicateKind::Diminutive => "diminutive",
            DuplicateKind::Transliterated => "transliterated",
            DuplicateKind::SwappedNameOrder => "swapped_name_order",
            DuplicateKind::NameInOneField => "name_in_one_field",
            DuplicateKind::MissingField => "missing_field",
            DuplicateKind::ContactChanged => "contact_changed",
            DuplicateKind::CompanyNameVariant => "company_name_variant",
            DuplicateKind::Initials => "initials",
            DuplicateKind::KeyboardLayout => "keyboard_layout",
            DuplicateKind::SwappedDiminutive => "swapped_diminutive",
            DuplicateKind::GivenReplaced => "given_replaced",
            DuplicateKind::MarriedSurname => "married_surname",
            DuplicateKind::WebLead => "web_lead",
            DuplicateKind::NewPhone => "new_phone",
            DuplicateKind::PhoneDigitTypo => "phone_digit_typo",
            DuplicateKind::BirthdayYearTypo => "birthday_year_typo",
            DuplicateKind::TaxIdTypo => "tax_id_typo",
            DuplicateKind::CitySpelling => "city_spelling",
            DuplicateKind::SpaceInName => "space_in_name",
            DuplicateKind::TransposedLetters => "transposed_letters",
            DuplicateKind::MultiFieldTypos => "multi_field_typos",
            DuplicateKind::PlainReentry => "plain_reentry",
        }
    }
}

impl fmt::Display for DuplicateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that width and alignment work in tables.
        f.pad(self.name())
    }
}

/// A duplicate record and the original it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DuplicatePair {
    /// The first record of the client.
    pub original: ClientId,
    /// The later record of the same client.
    pub duplicate: ClientId,
    /// How the duplicate differs from the original (at least one).
    pub kinds: Vec<DuplicateKind>,
}

/// What two different clients have in common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedContact {
    /// A phone number (a home landline, a spouse's mobile, an office switchboard).
    Phone,
    /// The street address.
    Address,
    /// An email address (a family mailbox).
    Email,
}

/// Two different clients that look alike and must not be merged: spouses and
/// relatives (same surname, same address, maybe the same phone), and company
/// employees reached through the company's number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RelatedPair {
    /// The earlier record.
    pub a: ClientId,
    /// The later record.
    pub b: ClientId,
    /// How they are related.
    pub kind: RelationKind,
    /// What contact details they share.
    pub shared: Vec<SharedContact>,
    /// Whether the base records the relation (as a [`Relation`](crate::Relation)
    /// on the later record); often nobody entered it.
    pub recorded: bool,
}

/// How two different clients of the habits profile ([`habits`](super::habits))
/// look alike. None of them is a duplicate: a matcher must keep them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LookAlike {
    /// The same surname, given name and patronymic in the same city; another
    /// phone, another or no birthday. Without the birthday such a pair looks
    /// exactly like a [`DuplicateKind::NewPhone`] duplicate.
    Namesake,
    /// Twins: the same surname, patronymic, birthday and address, maybe the same
    /// phone; another given name, of the same or the other gender.
    Twin,
    /// Sisters or brothers whose given names are close in spelling (Дарья and
    /// Мария, Алёна and Алина), with the same surname and address.
    SimilarGiven,
    /// The same given name and mailboxes that differ in one digit
    /// (`andrey1@mail.ru`, `andrey2@mail.ru`); other phones.
    EmailNeighbour,
    /// The same surname and mailboxes that differ by a dot (`e.fedorov@mail.ru`,
    /// `efedorov@mail.ru`); another city and phone.
    DottedEmail,
    /// The same street address string in another city; other people and phones.
    SameAddressOtherCity,
    /// Husband and wife (Иванов and Иванова) with a shared phone and address.
    Spouse,
}

impl LookAlike {
    /// Every kind.
    pub const ALL: [LookAlike; 7] = [
        LookAlike::Namesake,
        LookAlike::Twin,
        LookAlike::SimilarGiven,
        LookAlike::EmailNeighbour,
        LookAlike::DottedEmail,
        LookAlike::SameAddressOtherCity,
        LookAlike::Spouse,
    ];

    /// The snake_case name (`same_address_other_city`).
    pub fn name(self) -> &'static str {
        match self {
            LookAlike::Namesake => "namesake",
            LookAlike::Twin => "twin",
            LookAlike::SimilarGiven => "similar_given",
            LookAlike::EmailNeighbour => "email_neighbour",
            LookAlike::DottedEmail => "dotted_email",
            LookAlike::SameAddressOtherCity => "same_address_other_city",
            LookAlike::Spouse => "spouse",
        }
    }
}

impl fmt::Display for LookAlike {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that width and alignment work in tables.
        f.pad(self.name())
    }
}

/// Two different clients made to look alike by the habits profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LookAlikePair {
    /// The earlier record (from the clean base).
    pub a: ClientId,
    /// The later record, made to look like `a`.
    pub b: ClientId,
    /// How they look alike.
    pub kind: LookAlike,
    /// What contact details they share.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared: Vec<SharedContact>,
}

/// The truth about one client record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordTruth {
    /// The record.
    pub client: ClientId,
    /// The real client it belongs to.
    pub entity: EntityId,
    /// What each of the record's phone fields was meant to say, in field order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<IntendedPhone>,
}

/// Everything the generator knows about the base it made, for scoring later features.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// The seed the base was generated from.
    pub seed: u64,
    /// The number of real clients (entities).
    pub entities: u64,
    /// One entry per client record, in id order.
    pub records: Vec<RecordTruth>,
    /// Every duplicate with its original, ordered by duplicate id. Records of an
    /// entity with several duplicates each pair with the original; any two records
    /// with the same [`EntityId`] are duplicates of each other.
    pub duplicates: Vec<DuplicatePair>,
    /// Look-alike pairs of different clients, ordered by `(a, b)`.
    pub related: Vec<RelatedPair>,
    /// Look-alikes of the habits profile ([`habits`](super::habits)) by kind, ordered
    /// by `(a, b)`; empty for the main generator. They are not in `related`, so
    /// [`accuracy`](crate::dedup::accuracy) does not count them: score them with
    /// [`habits::lookalike_outcomes`](super::habits::lookalike_outcomes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookalikes: Vec<LookAlikePair>,
}

impl GroundTruth {
    fn record(&self, id: ClientId) -> Option<&RecordTruth> {
        self.records
            .binary_search_by_key(&id, |r| r.client)
            .ok()
            .map(|i| &self.records[i])
    }

    /// The entity of a client record.
    pub fn entity_of(&self, id: ClientId) -> Option<EntityId> {
        self.record(id).map(|r| r.entity)
    }

    /// Whether two records are the same real client.
    pub fn same_entity(&self, a: ClientId, b: ClientId) -> bool {
        match (self.entity_of(a), self.entity_of(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    /// What each phone field of a record was meant to say.
    pub fn intended_phones(&self, id: ClientId) -> &[IntendedPhone] {
        self.record(id).map_or(&[], |r| &r.phones)
    }

    /// The records of every entity that has more than one, by entity.
    pub fn duplicate_groups(&self) -> BTreeMap<EntityId, Vec<ClientId>> {
        let mut groups: BTreeMap<EntityId, Vec<ClientId>> = BTreeMap::new();
        for r in &self.records {
            groups.entry(r.entity).or_default().push(r.client);
        }
        groups.retain(|_, ids| ids.len() > 1);
        groups
    }

    /// How many duplicates show each kind (a duplicate with two kinds counts twice).
    pub fn kind_counts(&self) -> BTreeMap<DuplicateKind, usize> {
        let mut counts = BTreeMap::new();
        for pair in &self.duplicates {
            for kind in &pair.kinds {
                *counts.entry(*kind).or_insert(0) += 1;
            }
        }
        counts
    }
}
