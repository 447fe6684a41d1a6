//! The habits profile: a second corruption profile, designed apart from the main
//! generator's duplicates, to check that duplicate detection holds on data "of
//! habits the generator did not have" (issue 11).
//!
//! [`generate_habits`] makes a clean base with [`generate`](super::generate) (no
//! duplicates, no relatives, no deals or activities), then, from its own seeded
//! random stream, appends
//!
//! - **duplicate records** of clean clients, each made by one or two habits
//!   ([`DuplicateKind::HABITS`]): initials, the name typed on the Latin keyboard
//!   layout, swapped fields with a short name, another given name, a married
//!   surname, a web lead with a name and a phone only, a new phone, a mistyped
//!   phone digit, birth year or ИНН digit, the city spelled another way, a space
//!   inside a name, swapped neighbouring letters, typos in several fields at once,
//!   and plain re-entry with cosmetic differences; and
//! - **look-alike records** ([`LookAlike`]): different people a matcher must keep
//!   apart (namesakes, twins, siblings with similar names, neighbouring and dotted
//!   mailboxes, the same street address in another city, spouses).
//!
//! The ground truth lists every duplicate with its habits in
//! [`GroundTruth::duplicates`] and every look-alike with its kind in
//! [`GroundTruth::lookalikes`]. [`lookalike_outcomes`] scores a deduplication on
//! the look-alikes; [`accuracy`](crate::dedup::accuracy) gives the recall by habit.
//!
//! ```
//! use clientbase::dedup::{accuracy, Decisions, MatchIndex, MatchOptions};
//! use clientbase::generator::habits::{generate_habits, lookalike_outcomes, HabitsConfig};
//! use clientbase::generator::{DuplicateKind, LookAlike};
//!
//! let generated = generate_habits(&HabitsConfig::new(2_000, 7))?;
//! assert_eq!(generated.base.counts().clients, 2_000);
//! let index = MatchIndex::build(&generated.base, MatchOptions::default())?;
//! let found = index.dedupe(&Decisions::new());
//! let recall = accuracy(&generated.truth, &found).by_kind;
//! let (all, _hit) = recall[&DuplicateKind::KeyboardLayout];
//! assert!(all > 0);
//! let outcomes = lookalike_outcomes(&generated.truth, &found);
//! assert!(outcomes[&LookAlike::Namesake].pairs > 0);
//! # Ok::<(), clientbase::Error>(())
//! ```
//!
//! Some habits need a field the clean original may lack (a birthday for a mistyped
//! year, an address for a twin): the original then gets one, as if a manager had
//! filled it in later, so that the habit shows. Duplicates leave out fields the
//! way re-entered cards do (the email, the address, the patronymic, the region),
//! except the fields their habits are about. One million records take about
//! half a minute on two cores (the `dedupe_habits` benchmark prints the time).

use super::catalog::MANAGERS;
use super::identity::email_key;
use super::names::{self, Gender};
use super::phones::{dress, IntendedPhone, MobileSlot, Noise, Numbering};
use super::pick::{self, one_of, weighted};
use super::places::{random_address, random_city, CITIES};
use super::truth::{
    DuplicateKind, DuplicatePair, EntityId, GroundTruth, LookAlike, LookAlikePair, RecordTruth,
    SharedContact,
};
use super::{generate, Generated, GeneratorConfig};
use crate::client::{complete_inn, Client, Email, Party, PersonName, Phone};
use crate::dedup::Dedupe;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::ClientId;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// What the habits profile makes. Start from [`HabitsConfig::new`] or `Default`.
///
/// ```
/// use clientbase::generator::habits::HabitsConfig;
/// let mut config = HabitsConfig::new(100_000, 42);
/// config.lookalike_rate = 0.05;
/// assert!(config.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HabitsConfig {
    /// The seed: the same config gives the same base and truth.
    pub seed: u64,
    /// The number of client records, duplicates and look-alikes included.
    pub clients: usize,
    /// The share of companies among the clean clients (default 0.12).
    pub company_share: f64,
    /// The share of records that are duplicates made by habits (default 0.10).
    pub duplicate_rate: f64,
    /// The share of records that are look-alikes of another client (default 0.04).
    pub lookalike_rate: f64,
    /// The day the base is generated "on" (default 2025-06-30).
    pub today: NaiveDate,
}

impl Default for HabitsConfig {
    fn default() -> HabitsConfig {
        HabitsConfig {
            seed: 42,
            clients: 10_000,
            company_share: 0.12,
            duplicate_rate: 0.10,
            lookalike_rate: 0.04,
            today: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default(),
        }
    }
}

impl HabitsConfig {
    /// The defaults with `clients` records and `seed`.
    pub fn new(clients: usize, seed: u64) -> HabitsConfig {
        HabitsConfig {
            clients,
            seed,
            ..HabitsConfig::default()
        }
    }

    /// Checks the numbers; errors name the field.
    pub fn check(&self) -> Result<()> {
        let bad = |field: &str, reason: String| {
            Error::new(ErrorKind::InvalidValue, reason)
                .with_record("habits config")
                .with_field(field)
        };
        for (field, value) in [
            ("company_share", self.company_share),
            ("duplicate_rate", self.duplicate_rate),
            ("lookalike_rate", self.lookalike_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(bad(field, format!("{value} is not between 0 and 1")));
            }
        }
        if self.duplicate_rate + self.lookalike_rate > 0.5 {
            return Err(bad(
                "lookalike_rate",
                format!(
                    "duplicate_rate {} and lookalike_rate {} add up to more than 0.5, \
                     which leaves too few clean clients to copy",
                    self.duplicate_rate, self.lookalike_rate
                ),
            ));
        }
        self.clean_config()
            .check()
            .map_err(|e| e.with_record("habits config"))
    }

    /// How many duplicates and look-alikes the base gets.
    fn extra_records(&self) -> (usize, usize) {
        let duplicates = (self.clients as f64 * self.duplicate_rate).floor() as usize;
        let lookalikes = (self.clients as f64 * self.lookalike_rate).floor() as usize;
        (duplicates, lookalikes)
    }

    /// The config of the clean base the habits are applied to.
    fn clean_config(&self) -> GeneratorConfig {
        let (duplicates, lookalikes) = self.extra_records();
        let mut config = GeneratorConfig::new(
            self.clients.saturating_sub(duplicates + lookalikes),
            self.seed,
        );
        config.company_share = self.company_share;
        config.duplicate_rate = 0.0;
        config.related_rate = 0.0;
        config.deals_per_client = 0.0;
        config.lines_per_deal = 1.0;
        config.activities_per_client = 0.0;
        config.today = self.today;
        config
    }
}

/// Generates a base with the habits profile's duplicates and look-alikes and its
/// ground truth. The only error is an invalid config ([`HabitsConfig::check`]).
pub fn generate_habits(config: &HabitsConfig) -> Result<Generated> {
    config.check()?;
    let (duplicates, lookalikes) = config.extra_records();
    let Generated {
        mut base,
        mut truth,
    } = generate(&config.clean_config())?;
    let mut maker = Maker::new(config, &base, &truth);
    for _ in 0..lookalikes {
        maker.lookalike(&base)?;
    }
    for _ in 0..duplicates {
        maker.duplicate(&base)?;
    }
    let (patched, new) = maker.into_parts();
    write(patched, new, &mut base, &mut truth)?;
    Ok(Generated { base, truth })
}

/// What happened to the look-alike pairs of one kind in a deduplication.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookAlikeOutcome {
    /// Pairs of this kind in the truth.
    pub pairs: u64,
    /// Pairs put in one cluster: false merges.
    pub merged: u64,
    /// Pairs not merged but linked as related.
    pub linked: u64,
    /// Pairs neither merged nor linked.
    pub apart: u64,
}

/// How a deduplication treated each kind of look-alike in `truth` (every kind is
/// listed, with zero pairs when the truth has none).
pub fn lookalike_outcomes(
    truth: &GroundTruth,
    found: &Dedupe,
) -> BTreeMap<LookAlike, LookAlikeOutcome> {
    let cluster_of = found.cluster_of();
    let cluster = |id: ClientId| cluster_of.get(&id).copied().unwrap_or(id);
    let linked: HashSet<(ClientId, ClientId)> =
        found.related.iter().map(|l| (l.left, l.right)).collect();
    let mut outcomes: BTreeMap<LookAlike, LookAlikeOutcome> = LookAlike::ALL
        .iter()
        .map(|k| (*k, LookAlikeOutcome::default()))
        .collect();
    for pair in &truth.lookalikes {
        let outcome = outcomes.entry(pair.kind).or_default();
        outcome.pairs += 1;
        let key = (pair.a.min(pair.b), pair.a.max(pair.b));
        if cluster(pair.a) == cluster(pair.b) {
            outcome.merged += 1;
        } else if linked.contains(&key) {
            outcome.linked += 1;
        } else {
            outcome.apart += 1;
        }
    }
    outcomes
}

// ---- the habits --------------------------------------------------------------

/// What a habit changes, so that two habits of one record do not touch the same
/// thing and the fields a habit is about are not left out afterwards.
const NAME: u8 = 1;
const PHONE: u8 = 2;
const BIRTHDAY: u8 = 4;
const CITY: u8 = 8;
const ADDRESS: u8 = 16;
const TAX_ID: u8 = 32;
const EMAIL: u8 = 64;
const EVERYTHING: u8 = u8::MAX;

fn touches(kind: DuplicateKind) -> u8 {
    use DuplicateKind as K;
    match kind {
        K::Initials | K::KeyboardLayout | K::SwappedDiminutive => NAME,
        K::SpaceInName | K::TransposedLetters => NAME,
        K::GivenReplaced => NAME | BIRTHDAY | ADDRESS,
        K::MarriedSurname => NAME | PHONE | BIRTHDAY,
        K::NewPhone | K::PhoneDigitTypo => PHONE,
        K::BirthdayYearTypo => BIRTHDAY,
        K::TaxIdTypo => TAX_ID,
        K::CitySpelling => CITY,
        K::MultiFieldTypos => NAME | ADDRESS | CITY,
        _ => EVERYTHING,
    }
}

/// Sisters' and brothers' given names that differ by a letter or two.
static SIMILAR_GIVEN: &[(&str, &str)] = &[
    ("Дарья", "Мария"),
    ("Алёна", "Алина"),
    ("Юлия", "Юлиана"),
    ("Полина", "Алина"),
    ("Анна", "Инна"),
    ("Яна", "Анна"),
    ("Марина", "Карина"),
    ("Валерия", "Валентина"),
    ("Кристина", "Христина"),
    ("Ксения", "Есения"),
    ("Галина", "Алина"),
    ("Даниил", "Данила"),
    ("Владислав", "Ярослав"),
    ("Валерий", "Виталий"),
    ("Артём", "Артур"),
    ("Марк", "Марат"),
    ("Станислав", "Вячеслав"),
    ("Роман", "Руслан"),
    ("Денис", "Данис"),
];

fn sibling_name(given: &str) -> Option<&'static str> {
    SIMILAR_GIVEN.iter().find_map(|(a, b)| {
        if *a == given {
            Some(*b)
        } else if *b == given {
            Some(*a)
        } else {
            None
        }
    })
}

/// Mailbox providers for new look-alike clients.
static PROVIDERS: &[(&str, u32)] = &[
    ("mail.ru", 30),
    ("yandex.ru", 22),
    ("gmail.com", 18),
    ("bk.ru", 6),
    ("list.ru", 5),
    ("inbox.ru", 4),
];

/// The key a Cyrillic letter shares on the Russian (ЙЦУКЕН) and the Latin
/// (QWERTY) layout: `й` is typed as `q`, `х` as `[`.
fn latin_key(c: char) -> Option<char> {
    const LOWER: [(char, char); 33] = [
        ('й', 'q'),
        ('ц', 'w'),
        ('у', 'e'),
        ('к', 'r'),
        ('е', 't'),
        ('н', 'y'),
        ('г', 'u'),
        ('ш', 'i'),
        ('щ', 'o'),
        ('з', 'p'),
        ('х', '['),
        ('ъ', ']'),
        ('ф', 'a'),
        ('ы', 's'),
        ('в', 'd'),
        ('а', 'f'),
        ('п', 'g'),
        ('р', 'h'),
        ('о', 'j'),
        ('л', 'k'),
        ('д', 'l'),
        ('ж', ';'),
        ('э', '\''),
        ('я', 'z'),
        ('ч', 'x'),
        ('с', 'c'),
        ('м', 'v'),
        ('и', 'b'),
        ('т', 'n'),
        ('ь', 'm'),
        ('б', ','),
        ('ю', '.'),
        ('ё', '`'),
    ];
    let lower = c.to_lowercase().next()?;
    let key = LOWER.iter().find(|(r, _)| *r == lower)?.1;
    if lower == c {
        return Some(key);
    }
    // With Shift held: the capital letter, or the shifted punctuation.
    Some(match key {
        '[' => '{',
        ']' => '}',
        ';' => ':',
        '\'' => '"',
        ',' => '<',
        '.' => '>',
        '`' => '~',
        k => k.to_ascii_uppercase(),
    })
}

/// `text` as typed with the keyboard left on the Latin layout:
/// `Иванов Сергей` gives `Bdfyjd Cthutq`. Other characters stay.
pub fn on_latin_layout(text: &str) -> String {
    text.chars().map(|c| latin_key(c).unwrap_or(c)).collect()
}

fn initial(part: &str) -> String {
    part.chars()
        .next()
        .map(|c| format!("{c}."))
        .unwrap_or_default()
}

fn person_name(client: &Client) -> Option<&PersonName> {
    match &client.party {
        Party::Person(name) => Some(name),
        Party::Company(_) => None,
    }
}

fn name_mut(client: &mut Client) -> Option<&mut PersonName> {
    match &mut client.party {
        Party::Person(name) => Some(name),
        Party::Company(_) => None,
    }
}

/// A person with a surname and a given name.
fn full_person(client: &Client) -> Option<(&str, &str)> {
    let name = person_name(client)?;
    Some((name.surname.as_deref()?, name.given.as_deref()?))
}

/// The gender of a person by the given name, else by the patronymic.
fn gender_of(name: &PersonName) -> Option<Gender> {
    if let Some(g) = name.given.as_deref().and_then(names::given_gender) {
        return Some(g);
    }
    let patronymic = name.patronymic.as_deref()?;
    if patronymic.ends_with("вна") || patronymic.ends_with("чна") {
        Some(Gender::Female)
    } else if patronymic.ends_with("ич") {
        Some(Gender::Male)
    } else {
        None
    }
}

/// The first mobile (+79…) number of a record's phones, with its field index.
fn first_mobile(phones: &[IntendedPhone]) -> Option<(usize, &str)> {
    phones.iter().enumerate().find_map(|(i, p)| {
        p.e164
            .as_deref()
            .filter(|e| e.starts_with("+79") && e.len() == 12)
            .map(|e| (i, e))
    })
}

fn first_number(phones: &[IntendedPhone]) -> Option<&str> {
    phones.iter().find_map(|p| p.e164.as_deref())
}

/// The digits after `+` of a number, as a key of the numbers in use.
fn phone_key(e164: &str) -> u64 {
    e164.bytes().filter(u8::is_ascii_digit).fold(0u64, |n, b| {
        n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    })
}

/// A slip of one letter: doubled, dropped, or a vowel heard as another.
fn letter_slip<R: Rng + ?Sized>(rng: &mut R, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return format!("{word}{}", chars.last().copied().unwrap_or('а'));
    }
    let at = rng.random_range(1..chars.len());
    let mut out = chars.clone();
    const VOWELS: [(char, char); 6] = [
        ('о', 'а'),
        ('а', 'о'),
        ('е', 'и'),
        ('и', 'е'),
        ('я', 'е'),
        ('ы', 'и'),
    ];
    match rng.random_range(0..3) {
        0 => out.insert(at, chars[at]),
        1 => {
            out.remove(at);
        }
        _ => {
            // The first vowel from `at` on heard as another one; else doubled.
            match (at..chars.len()).find_map(|i| {
                VOWELS
                    .iter()
                    .find(|(v, _)| *v == chars[i])
                    .map(|(_, w)| (i, *w))
            }) {
                Some((i, w)) => out[i] = w,
                None => out.insert(at, chars[at]),
            }
        }
    }
    out.into_iter().collect()
}

/// Two neighbouring, different letters swapped (not the first letter when the
/// word is long enough).
fn transpose<R: Rng + ?Sized>(rng: &mut R, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 {
        return word.to_string();
    }
    let from = usize::from(chars.len() >= 4);
    let positions: Vec<usize> = (from..chars.len() - 1)
        .filter(|&i| chars[i] != chars[i + 1])
        .collect();
    if let Some(&i) = positions.get(rng.random_range(0..positions.len().max(1))) {
        chars.swap(i, i + 1);
    }
    chars.into_iter().collect()
}

/// Another way to write the city: `г. Уфа`, `Уфа г.`, `г Уфа`, `город Уфа`, `УФА`.
fn city_variant<R: Rng + ?Sized>(rng: &mut R, city: &str) -> String {
    match rng.random_range(0..6) {
        0 => format!("г. {city}"),
        1 => format!("{city} г."),
        2 => format!("г {city}"),
        3 => format!("город {city}"),
        4 => format!("г.{city}"),
        _ => city.to_uppercase(),
    }
}

/// A year of birth off by one digit: the last two digits swapped when that gives
/// a plausible age, else the last digit one up or down.
fn year_typo<R: Rng + ?Sized>(rng: &mut R, birthday: NaiveDate, today: NaiveDate) -> NaiveDate {
    let year = birthday.year();
    let (tens, ones) = ((year / 10) % 10, year % 10);
    let swapped = year - tens * 10 - ones + ones * 10 + tens;
    let plausible = |y: i32| (today.year() - 95..=today.year() - 16).contains(&y);
    let new_year = if tens != ones && plausible(swapped) && rng.random_bool(0.5) {
        swapped
    } else if ones == 9 || (ones > 0 && rng.random_bool(0.5)) {
        year - 1
    } else {
        year + 1
    };
    birthday
        .with_year(new_year)
        .or_else(|| NaiveDate::from_ymd_opt(new_year, birthday.month(), 28))
        .unwrap_or(birthday)
}

/// An ИНН with one digit of its body changed (not the region code); the check
/// digits follow, or the base would refuse it.
fn tax_id_typo<R: Rng + ?Sized>(rng: &mut R, inn: &str) -> Option<String> {
    let body_len = match inn.len() {
        10 => 9,
        12 => 10,
        _ => return None,
    };
    let mut body: Vec<u8> = inn.bytes().take(body_len).collect();
    let at = rng.random_range(2..body_len);
    let old = body[at] - b'0';
    let new = (old + rng.random_range(1..10u8)) % 10;
    body[at] = b'0' + new;
    complete_inn(std::str::from_utf8(&body).ok()?)
}

/// A random birthday of an adult on `today`.
fn adult_birthday<R: Rng + ?Sized>(rng: &mut R, today: NaiveDate) -> NaiveDate {
    let from = today - Duration::days(75 * 365);
    let to = today - Duration::days(19 * 365);
    pick::day_between(rng, from, to)
}

// ---- the maker -----------------------------------------------------------------

/// Why a record was appended.
enum Origin {
    Duplicate {
        original: ClientId,
        kinds: Vec<DuplicateKind>,
    },
    LookAlike {
        anchor: ClientId,
        kind: LookAlike,
        shared: Vec<SharedContact>,
    },
}

struct NewRecord {
    client: Client,
    phones: Vec<IntendedPhone>,
    origin: Origin,
}

/// Appends the duplicates and look-alikes to a clean base.
struct Maker<'t> {
    rng: ChaCha8Rng,
    today: NaiveDate,
    now: DateTime<Utc>,
    numbering: Numbering,
    next_serial: u64,
    truth: &'t GroundTruth,
    /// The clean records, in id order.
    clean: Vec<ClientId>,
    /// Clean records already copied or imitated, by index in `clean`.
    used: Vec<bool>,
    used_phones: HashSet<u64>,
    used_emails: HashSet<u64>,
    /// Originals with a field filled in or an email changed.
    patched: BTreeMap<ClientId, Client>,
    new: Vec<NewRecord>,
}

/// Draws of a random clean record before a habit gives up on finding one that fits.
const TRIES: usize = 64;

impl<'t> Maker<'t> {
    fn new(config: &HabitsConfig, base: &crate::ClientBase, truth: &'t GroundTruth) -> Maker<'t> {
        let mut used_phones = HashSet::with_capacity(truth.records.len() * 2);
        for record in &truth.records {
            for phone in &record.phones {
                for number in [&phone.e164, &phone.second_e164].into_iter().flatten() {
                    used_phones.insert(phone_key(number));
                }
            }
        }
        let mut used_emails = HashSet::with_capacity(truth.records.len());
        for client in base.clients() {
            for email in &client.emails {
                used_emails.insert(email_key(&email.raw));
            }
        }
        let clean: Vec<ClientId> = truth.records.iter().map(|r| r.client).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        // Its own stream, apart from every stream of the clean base.
        rng.set_stream(0x6861_6269_7473);
        Maker {
            rng,
            today: config.today,
            now: pick::midnight(config.today) + Duration::hours(17),
            numbering: Numbering::new(config.seed),
            // Far above the clean base's serials, below Numbering's limit.
            next_serial: 200_000_000,
            truth,
            used: vec![false; clean.len()],
            clean,
            used_phones,
            used_emails,
            patched: BTreeMap::new(),
            new: Vec::new(),
        }
    }

    /// A clean record (as patched so far) that `fits`, not used before; marks it used.
    fn draw(
        &mut self,
        base: &crate::ClientBase,
        fits: impl Fn(&Client, &[IntendedPhone]) -> bool,
    ) -> Option<(ClientId, Client, Vec<IntendedPhone>)> {
        if self.clean.is_empty() {
            return None;
        }
        for _ in 0..TRIES {
            let i = self.rng.random_range(0..self.clean.len());
            if let Some(found) = self.take(base, i, &fits) {
                return Some(found);
            }
        }
        // Few fit or few are left: look at every record once, from a random start.
        let start = self.rng.random_range(0..self.clean.len());
        let n = self.clean.len();
        (start..n)
            .chain(0..start)
            .find_map(|i| self.take(base, i, &fits))
    }

    /// Clean record `i` (as patched so far) when it is not used yet and
    /// `fits`; marks it used.
    fn take(
        &mut self,
        base: &crate::ClientBase,
        i: usize,
        fits: &impl Fn(&Client, &[IntendedPhone]) -> bool,
    ) -> Option<(ClientId, Client, Vec<IntendedPhone>)> {
        if self.used[i] {
            return None;
        }
        let id = self.clean[i];
        let client = self.patched.get(&id).or_else(|| base.client(id).ok())?;
        let phones = self.truth.intended_phones(id);
        if !fits(client, phones) {
            return None;
        }
        let found = (id, client.clone(), phones.to_vec());
        self.used[i] = true;
        Some(found)
    }

    fn patch(&mut self, client: &Client) {
        self.patched.insert(client.id, client.clone());
    }

    /// Gives `client` a birthday and an address when asked to and it lacks them,
    /// and remembers the patched client.
    fn fill_in(&mut self, client: &mut Client, birthday: bool, address: bool) {
        let mut changed = false;
        if birthday && client.birthday.is_none() {
            client.birthday = Some(adult_birthday(&mut self.rng, self.today));
            changed = true;
        }
        if address && client.address.is_none() {
            client.address = Some(random_address(&mut self.rng, client.is_company()));
            changed = true;
        }
        if changed {
            self.patch(client);
        }
    }

    /// A moment after `after`, before the frozen now.
    fn later(&mut self, after: Option<DateTime<Utc>>) -> DateTime<Utc> {
        let after = after.unwrap_or(self.now - Duration::days(365));
        let delay = Duration::days(1 + pick::geometric(&mut self.rng, 150.0, 1500) as i64)
            + Duration::seconds(pick::office_seconds(&mut self.rng));
        (after + delay)
            .min(self.now - Duration::seconds(1))
            .max(after + Duration::seconds(1))
    }

    fn manager(&mut self) -> String {
        weighted(&mut self.rng, MANAGERS).to_string()
    }

    /// A mobile number nobody in the base has.
    fn fresh_mobile(&mut self) -> String {
        loop {
            let number = self.numbering.mobile(self.next_serial, MobileSlot::Main);
            self.next_serial += 1;
            if self.used_phones.insert(phone_key(&number)) {
                return number;
            }
        }
    }

    /// A phone field typing `number`, as typed this time.
    fn typed(&mut self, number: &str) -> (Phone, IntendedPhone) {
        let messy = dress(&mut self.rng, number, Noise::default(), None);
        (Phone::raw(messy.raw), messy.intended)
    }

    /// Claims a mailbox; false when someone has it.
    fn claim_email(&mut self, address: &str) -> bool {
        self.used_emails.insert(email_key(address))
    }

    /// A new mailbox for a person nobody in the base has.
    fn fresh_email(&mut self, surname: &str, given: &str) -> String {
        let domain = *weighted(&mut self.rng, PROVIDERS);
        let (g, s) = (names::login_part(given), names::login_part(surname));
        let mut local = match self.rng.random_range(0..3) {
            0 => format!("{g}.{s}"),
            1 => format!("{s}.{g}"),
            _ => format!("{g}{s}{}", self.rng.random_range(70..=99)),
        };
        loop {
            let address = format!("{local}@{domain}");
            if self.claim_email(&address) {
                return address;
            }
            local = format!("{local}{}", self.rng.random_range(0..10));
        }
    }

    /// The card of a new person: name, a fresh mobile, maybe a mailbox.
    fn new_person(
        &mut self,
        surname: &str,
        given: &str,
        patronymic: Option<&str>,
        after: Option<DateTime<Utc>>,
        email: f64,
    ) -> (Client, Vec<IntendedPhone>) {
        let mut client = Client::person(surname, given, patronymic);
        let number = self.fresh_mobile();
        let (phone, intended) = self.typed(&number);
        client.phones.push(phone);
        if self.rng.random_bool(email) {
            let address = self.fresh_email(surname, given);
            client.emails.push(Email::raw(address));
        }
        client.created_at = Some(self.later(after));
        client.owner = Some(self.manager());
        (client, vec![intended])
    }

    fn set_city(client: &mut Client, city: usize) {
        client.city = Some(CITIES[city].name.to_string());
        client.region = Some(CITIES[city].region.to_string());
    }

    fn other_city(&mut self, city: Option<&str>) -> usize {
        loop {
            let c = random_city(&mut self.rng);
            if Some(CITIES[c].name) != city {
                return c;
            }
        }
    }

    // ---- look-alikes -------------------------------------------------------

    fn lookalike(&mut self, base: &crate::ClientBase) -> Result<()> {
        for _ in 0..4 {
            let kind = *one_of(&mut self.rng, &LookAlike::ALL);
            if self.try_lookalike(base, kind) {
                return Ok(());
            }
        }
        // Any record will do for this one.
        if self.try_lookalike(base, LookAlike::SameAddressOtherCity) {
            return Ok(());
        }
        Err(no_room("look-alike"))
    }

    fn try_lookalike(&mut self, base: &crate::ClientBase, kind: LookAlike) -> bool {
        match kind {
            LookAlike::Namesake => self.namesake(base),
            LookAlike::Twin => self.twin(base),
            LookAlike::SimilarGiven => self.similar_given(base),
            LookAlike::EmailNeighbour => self.email_neighbour(base),
            LookAlike::DottedEmail => self.dotted_email(base),
            LookAlike::SameAddressOtherCity => self.same_address_other_city(base),
            LookAlike::Spouse => self.spouse(base),
        }
    }

    fn push_lookalike(
        &mut self,
        anchor: ClientId,
        kind: LookAlike,
        shared: Vec<SharedContact>,
        (client, phones): (Client, Vec<IntendedPhone>),
    ) {
        self.new.push(NewRecord {
            client,
            phones,
            origin: Origin::LookAlike {
                anchor,
                kind,
                shared,
            },
        });
    }

    fn namesake(&mut self, base: &crate::ClientBase) -> bool {
        let Some((id, mut anchor, _)) = self.draw(base, |c, _| {
            c.city.is_some()
                && person_name(c).is_some_and(|n| n.patronymic.is_some())
                && full_person(c).is_some()
        }) else {
            return false;
        };
        // The anchor shows a birthday, so that "another birthday" can be seen.
        self.fill_in(&mut anchor, true, false);
        let Some(name) = person_name(&anchor) else {
            return false;
        };
        let mut card = self.new_person(
            name.surname.as_deref().unwrap_or_default(),
            name.given.as_deref().unwrap_or_default(),
            name.patronymic.as_deref(),
            anchor.created_at,
            0.5,
        );
        card.0.city.clone_from(&anchor.city);
        if self.rng.random_bool(0.5) {
            loop {
                let day = adult_birthday(&mut self.rng, self.today);
                if Some(day) != anchor.birthday {
                    card.0.birthday = Some(day);
                    break;
                }
            }
        }
        if self.rng.random_bool(0.4) {
            card.0.address = Some(random_address(&mut self.rng, false));
        }
        self.push_lookalike(id, LookAlike::Namesake, Vec::new(), card);
        true
    }

    fn twin(&mut self, base: &crate::ClientBase) -> bool {
        let Some((id, mut anchor, phones)) = self.draw(base, |c, _| {
            let Some(name) = person_name(c) else {
                return false;
            };
            let (Some(gender), Some(surname), Some(patronymic)) =
                (gender_of(name), &name.surname, &name.patronymic)
            else {
                return false;
            };
            c.city.is_some()
                && name.given.is_some()
                && names::father_of(patronymic, gender).is_some()
                && names::masculine_surname(surname, gender).is_some()
        }) else {
            return false;
        };
        self.fill_in(&mut anchor, true, true);
        let Some(name) = person_name(&anchor).cloned() else {
            return false;
        };
        let gender = gender_of(&name).unwrap_or(Gender::Male);
        let surname = name.surname.as_deref().unwrap_or_default();
        let patronymic = name.patronymic.as_deref().unwrap_or_default();
        let (Some(father), Some(masculine)) = (
            names::father_of(patronymic, gender),
            names::masculine_surname(surname, gender),
        ) else {
            return false;
        };
        let twin_gender = if self.rng.random_bool(0.6) {
            gender
        } else {
            gender.opposite()
        };
        let given = loop {
            let g = names::random_given(&mut self.rng, twin_gender);
            if Some(g) != name.given.as_deref() {
                break g;
            }
        };
        let mut card = self.new_person(
            &names::surname_form(masculine, twin_gender),
            given,
            Some(&names::patronymic(father, twin_gender)),
            anchor.created_at,
            0.4,
        );
        card.0.birthday = anchor.birthday;
        card.0.address.clone_from(&anchor.address);
        card.0.city.clone_from(&anchor.city);
        let mut shared = vec![SharedContact::Address];
        if let Some(number) = first_number(&phones).filter(|_| self.rng.random_bool(0.4)) {
            let (phone, intended) = self.typed(number);
            card.0.phones = vec![phone];
            card.1 = vec![intended];
            shared.insert(0, SharedContact::Phone);
        }
        self.push_lookalike(id, LookAlike::Twin, shared, card);
        true
    }

    fn similar_given(&mut self, base: &crate::ClientBase) -> bool {
        let Some((id, mut anchor, _)) = self.draw(base, |c, _| {
            c.city.is_some() && full_person(c).is_some_and(|(_, g)| sibling_name(g).is_some())
        }) else {
            return false;
        };
        self.fill_in(&mut anchor, false, true);
        let Some((surname, given)) = full_person(&anchor) else {
            return false;
        };
        let Some(sibling) = sibling_name(given) else {
            return false;
        };
        let patronymic = person_name(&anchor)
            .and_then(|n| n.patronymic.clone())
            .filter(|_| self.rng.random_bool(0.7));
        let mut card = self.new_person(
            surname,
            sibling,
            patronymic.as_deref(),
            anchor.created_at,
            0.5,
        );
        card.0.address.clone_from(&anchor.address);
        card.0.city.clone_from(&anchor.city);
        if self.rng.random_bool(0.5) {
            card.0.birthday = Some(match anchor.birthday {
                Some(day) => {
                    let years = self.rng.random_range(1..=12)
                        * if self.rng.random_bool(0.5) { 1 } else { -1 };
                    day + Duration::days(365 * years + self.rng.random_range(1..300))
                }
                None => adult_birthday(&mut self.rng, self.today),
            });
        }
        self.push_lookalike(
            id,
            LookAlike::SimilarGiven,
            vec![SharedContact::Address],
            card,
        );
        true
    }

    fn email_neighbour(&mut self, base: &crate::ClientBase) -> bool {
        let Some((id, mut anchor, _)) = self.draw(base, |c, _| full_person(c).is_some()) else {
            return false;
        };
        let Some(given) = full_person(&anchor).map(|(_, g)| g.to_string()) else {
            return false;
        };
        // The anchor's mailbox if it is the given name and digits, else a new one
        // that is.
        let login = names::login_part(&given);
        let current = anchor.emails.first().map(|e| e.raw.trim().to_lowercase());
        let given_and_digits = |a: &str| {
            a.split('@').next().is_some_and(|l| {
                l.strip_prefix(login.as_str()).is_some_and(|digits| {
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                })
            })
        };
        let (mine, domain, local) = match current.as_deref().filter(|a| given_and_digits(a)) {
            Some(address) => {
                let (local, domain) = address.split_once('@').unwrap_or((address, "mail.ru"));
                (None, domain.to_string(), local.to_string())
            }
            None => {
                let domain = weighted(&mut self.rng, PROVIDERS).to_string();
                let mut found = None;
                for attempt in 0..20 {
                    // andrey1@…, else more digits when those are taken.
                    let top = if attempt < 4 { 10 } else { 1000 };
                    let local = format!("{login}{}", self.rng.random_range(1..top));
                    let address = format!("{local}@{domain}");
                    if self.claim_email(&address) {
                        found = Some((address, local));
                        break;
                    }
                }
                let Some((address, local)) = found else {
                    return false;
                };
                (Some(address), domain, local)
            }
        };
        let last = local
            .chars()
            .last()
            .and_then(|c| c.to_digit(10))
            .unwrap_or(1);
        let stem = &local[..local.len() - 1];
        let mut neighbour = None;
        for step in 1..10 {
            let address = format!("{stem}{}@{domain}", (last + step) % 10);
            if self.claim_email(&address) {
                neighbour = Some(address);
                break;
            }
        }
        let Some(neighbour) = neighbour else {
            return false;
        };
        if let Some(address) = mine {
            if anchor.emails.is_empty() {
                anchor.emails.push(Email::raw(address));
            } else {
                anchor.emails[0] = Email::raw(address);
            }
            self.patch(&anchor);
        }
        let gender = person_name(&anchor)
            .and_then(gender_of)
            .unwrap_or(Gender::Male);
        let anchor_surname = full_person(&anchor).map(|(s, _)| s.to_string());
        let surname = loop {
            let s = names::surname_form(names::random_surname(&mut self.rng), gender);
            if Some(&s) != anchor_surname.as_ref() {
                break s;
            }
        };
        let mut card = self.new_person(&surname, &given, None, anchor.created_at, 0.0);
        card.0.emails.push(Email::raw(neighbour));
        let city = self.other_city(None);
        if self.rng.random_bool(0.7) {
            Self::set_city(&mut card.0, city);
        }
        self.push_lookalike(id, LookAlike::EmailNeighbour, Vec::new(), card);
        true
    }

    fn dotted_email(&mut self, base: &crate::ClientBase) -> bool {
        let Some((id, mut anchor, _)) = self.draw(base, |c, _| {
            full_person(c).is_some() && person_name(c).and_then(gender_of).is_some()
        }) else {
            return false;
        };
        let Some((surname, given)) =
            full_person(&anchor).map(|(s, g)| (s.to_string(), g.to_string()))
        else {
            return false;
        };
        let gender = person_name(&anchor)
            .and_then(gender_of)
            .unwrap_or(Gender::Male);
        let letter = names::login_part(&given).chars().next().unwrap_or('a');
        let login = names::login_part(&surname);
        let domain = weighted(&mut self.rng, PROVIDERS).to_string();
        // e.fedorov@ and efedorov@; when one is taken (common surnames in a large
        // base), e.fedorov85@ and efedorov85@.
        let mut free = None;
        for attempt in 0..8 {
            let digits = if attempt == 0 {
                String::new()
            } else {
                self.rng.random_range(1..100).to_string()
            };
            let dotted = format!("{letter}.{login}{digits}@{domain}");
            let plain = format!("{letter}{login}{digits}@{domain}");
            if !self.used_emails.contains(&email_key(&dotted))
                && !self.used_emails.contains(&email_key(&plain))
            {
                free = Some((dotted, plain));
                break;
            }
        }
        let Some((dotted, plain)) = free else {
            return false;
        };
        self.claim_email(&dotted);
        self.claim_email(&plain);
        let (mine, theirs) = if self.rng.random_bool(0.5) {
            (dotted, plain)
        } else {
            (plain, dotted)
        };
        if anchor.emails.is_empty() {
            anchor.emails.push(Email::raw(mine));
        } else {
            anchor.emails[0] = Email::raw(mine);
        }
        self.patch(&anchor);
        // Another person whose given name starts with the same Latin letter.
        let mut other = None;
        for _ in 0..40 {
            let g = names::random_given(&mut self.rng, gender);
            if g != given && names::login_part(g).starts_with(letter) {
                other = Some(g);
                break;
            }
        }
        let other = match other {
            Some(g) => g,
            None => loop {
                let g = names::random_given(&mut self.rng, gender);
                if g != given {
                    break g;
                }
            },
        };
        let mut card = self.new_person(&surname, other, None, anchor.created_at, 0.0);
        card.0.emails.push(Email::raw(theirs));
        let city = self.other_city(anchor.city.as_deref());
        Self::set_city(&mut card.0, city);
        self.push_lookalike(id, LookAlike::DottedEmail, Vec::new(), card);
        true
    }

    fn same_address_other_city(&mut self, base: &crate::ClientBase) -> bool {
        let Some((id, mut anchor, _)) = self.draw(base, |_, _| true) else {
            return false;
        };
        self.fill_in(&mut anchor, false, true);
        let gender = if self.rng.random_bool(0.5) {
            Gender::Male
        } else {
            Gender::Female
        };
        let surname = names::surname_form(names::random_surname(&mut self.rng), gender);
        let given = names::random_given(&mut self.rng, gender);
        let patronymic = self
            .rng
            .random_bool(0.7)
            .then(|| names::patronymic(names::random_father(&mut self.rng), gender));
        let mut card = self.new_person(
            &surname,
            given,
            patronymic.as_deref(),
            anchor.created_at,
            0.4,
        );
        card.0.address.clone_from(&anchor.address);
        let city = self.other_city(anchor.city.as_deref());
        Self::set_city(&mut card.0, city);
        self.push_lookalike(id, LookAlike::SameAddressOtherCity, Vec::new(), card);
        true
    }

    fn spouse(&mut self, base: &crate::ClientBase) -> bool {
        let Some((id, mut anchor, phones)) = self.draw(base, |c, phones| {
            let Some(name) = person_name(c) else {
                return false;
            };
            let (Some(gender), Some(surname)) = (gender_of(name), &name.surname) else {
                return false;
            };
            c.city.is_some()
                && first_number(phones).is_some()
                && names::masculine_surname(surname, gender).is_some()
        }) else {
            return false;
        };
        self.fill_in(&mut anchor, false, true);
        let Some(name) = person_name(&anchor).cloned() else {
            return false;
        };
        let gender = gender_of(&name).unwrap_or(Gender::Male);
        let Some(masculine) = name
            .surname
            .as_deref()
            .and_then(|s| names::masculine_surname(s, gender))
        else {
            return false;
        };
        let other = gender.opposite();
        let given = names::random_given(&mut self.rng, other);
        let patronymic = self
            .rng
            .random_bool(0.7)
            .then(|| names::patronymic(names::random_father(&mut self.rng), other));
        let mut card = self.new_person(
            &names::surname_form(masculine, other),
            given,
            patronymic.as_deref(),
            anchor.created_at,
            0.4,
        );
        let Some(number) = first_number(&phones).map(str::to_string) else {
            return false;
        };
        let (phone, intended) = self.typed(&number);
        if self.rng.random_bool(0.5) {
            // The shared (home) number only.
            card.0.phones = vec![phone];
            card.1 = vec![intended];
        } else {
            card.0.phones.push(phone);
            card.1.push(intended);
        }
        card.0.address.clone_from(&anchor.address);
        card.0.city.clone_from(&anchor.city);
        if self.rng.random_bool(0.5) {
            let base_day = anchor
                .birthday
                .unwrap_or_else(|| adult_birthday(&mut self.rng, self.today));
            let shift = self.rng.random_range(-2500..2500);
            let day = base_day + Duration::days(if shift == 0 { 1 } else { shift });
            card.0.birthday = Some(day);
        }
        self.push_lookalike(
            id,
            LookAlike::Spouse,
            vec![SharedContact::Phone, SharedContact::Address],
            card,
        );
        true
    }

    // ---- duplicates --------------------------------------------------------

    /// Whether `kind` can be applied to `client` (fields a habit needs and can fill
    /// in itself, a birthday or an address, do not count).
    fn fits(kind: DuplicateKind, client: &Client, phones: &[IntendedPhone]) -> bool {
        use DuplicateKind as K;
        let person = full_person(client);
        let gender = person_name(client).and_then(gender_of);
        match kind {
            K::Initials | K::KeyboardLayout | K::BirthdayYearTypo | K::TransposedLetters => {
                person.is_some()
            }
            K::SpaceInName => person.is_some_and(|(s, _)| s.chars().count() >= 4),
            K::SwappedDiminutive => person.is_some_and(|(_, g)| names::diminutive(g).is_some()),
            K::GivenReplaced => person.is_some() && gender.is_some(),
            K::MarriedSurname => {
                person.is_some() && gender == Some(Gender::Female) && first_mobile(phones).is_some()
            }
            K::WebLead => person.is_some() && first_number(phones).is_some(),
            K::NewPhone => !client.phones.is_empty(),
            K::PhoneDigitTypo => first_mobile(phones).is_some(),
            K::TaxIdTypo => match &client.party {
                Party::Company(c) => c.tax_id.as_deref().is_some_and(|t| {
                    (t.len() == 10 || t.len() == 12) && t.bytes().all(|b| b.is_ascii_digit())
                }),
                Party::Person(_) => false,
            },
            K::CitySpelling => client.city.is_some(),
            K::MultiFieldTypos => person.is_some() && client.city.is_some(),
            K::PlainReentry => {
                person.is_some() && (!client.phones.is_empty() || !client.emails.is_empty())
            }
            _ => false,
        }
    }

    /// One or two habits that fit `client` and do not touch the same things.
    fn choose_habits(&mut self, client: &Client, phones: &[IntendedPhone]) -> Vec<DuplicateKind> {
        let fitting: Vec<(DuplicateKind, u32)> = DuplicateKind::HABITS
            .iter()
            .filter(|k| Self::fits(**k, client, phones))
            .map(|k| (*k, 10))
            .collect();
        if fitting.is_empty() {
            return Vec::new();
        }
        let first = *weighted(&mut self.rng, &fitting);
        let mut kinds = vec![first];
        if self.rng.random_bool(0.3) {
            let second: Vec<(DuplicateKind, u32)> = fitting
                .iter()
                .copied()
                .filter(|(k, _)| touches(*k) & touches(first) == 0)
                .collect();
            if !second.is_empty() {
                kinds.push(*weighted(&mut self.rng, &second));
            }
        }
        kinds.sort();
        kinds
    }

    fn duplicate(&mut self, base: &crate::ClientBase) -> Result<()> {
        // A clean record that some habit fits (every person with a name does).
        let Some((id, mut original, intended)) = self.draw(base, |c, p| {
            DuplicateKind::HABITS.iter().any(|k| Self::fits(*k, c, p))
        }) else {
            return Err(no_room("duplicate"));
        };
        let kinds = self.choose_habits(&original, &intended);
        let needs_birthday = kinds.iter().any(|k| {
            matches!(
                k,
                DuplicateKind::GivenReplaced
                    | DuplicateKind::MarriedSurname
                    | DuplicateKind::BirthdayYearTypo
            )
        });
        let needs_address = kinds.iter().any(|k| {
            matches!(
                k,
                DuplicateKind::GivenReplaced | DuplicateKind::MultiFieldTypos
            )
        });
        self.fill_in(&mut original, needs_birthday, needs_address);

        let mut client = original.clone();
        client.id = ClientId::default();
        client.relations.clear();
        client.updated_at = None;
        client.created_at = Some(self.later(original.created_at));
        if self.rng.random_bool(0.5) {
            client.owner = Some(self.manager());
        }
        if self.rng.random_bool(0.5) {
            client.custom.clear();
        }
        if self.rng.random_bool(0.5) {
            client.tags.clear();
        }
        if self.rng.random_bool(0.6) {
            client.messengers.clear();
        }
        // The phones typed again, each the way this manager types numbers.
        let mut phones = Vec::with_capacity(intended.len());
        for (phone, meant) in client.phones.iter_mut().zip(&intended) {
            if let Some(number) = &meant.e164 {
                let noise = Noise {
                    extension: if meant.extension.is_some() { 1.0 } else { 0.0 },
                    invalid: 0.0,
                };
                let messy = dress(&mut self.rng, number, noise, meant.second_e164.as_deref());
                phone.raw = messy.raw;
                phones.push(messy.intended);
            } else {
                phones.push(meant.clone());
            }
        }
        client.phones.truncate(phones.len());

        let mut protected = 0u8;
        for kind in &kinds {
            protected |= touches(*kind);
            self.apply(*kind, &mut client, &mut phones);
        }
        self.leave_out(&mut client, protected);
        self.new.push(NewRecord {
            client,
            phones,
            origin: Origin::Duplicate {
                original: id,
                kinds,
            },
        });
        Ok(())
    }

    fn apply(&mut self, kind: DuplicateKind, client: &mut Client, phones: &mut Vec<IntendedPhone>) {
        use DuplicateKind as K;
        let today = self.today;
        match kind {
            K::Initials => {
                if let Some(name) = name_mut(client) {
                    let given = name.given.as_deref().map(initial);
                    let patronymic = name.patronymic.as_deref().map(initial);
                    match (self.rng.random_range(0..100), patronymic) {
                        (0..=59, p @ Some(_)) => {
                            name.given = given;
                            name.patronymic = p;
                        }
                        (60..=84, p @ Some(_)) => name.patronymic = p,
                        _ => {
                            name.given = given;
                            name.patronymic = None;
                        }
                    }
                }
            }
            K::KeyboardLayout => {
                let keep_patronymic = self.rng.random_bool(0.5);
                if let Some(name) = name_mut(client) {
                    if !keep_patronymic {
                        name.patronymic = None;
                    }
                    for part in [&mut name.surname, &mut name.given, &mut name.patronymic]
                        .into_iter()
                        .flatten()
                    {
                        *part = on_latin_layout(part);
                    }
                }
            }
            K::SwappedDiminutive => {
                let drop_patronymic = self.rng.random_bool(0.7);
                if let Some(name) = name_mut(client) {
                    let short = name.given.as_deref().and_then(names::diminutive);
                    if let Some(short) = short {
                        name.given = name.surname.take();
                        name.surname = Some(short.to_string());
                    }
                    if drop_patronymic {
                        name.patronymic = None;
                    }
                }
            }
            K::GivenReplaced => {
                if let Some(name) = name_mut(client) {
                    if let Some(gender) = gender_of(name) {
                        for _ in 0..20 {
                            let other = names::random_given(&mut self.rng, gender);
                            if Some(other) != name.given.as_deref() {
                                name.given = Some(other.to_string());
                                break;
                            }
                        }
                    }
                }
            }
            K::MarriedSurname => {
                if let Some(name) = name_mut(client) {
                    for _ in 0..20 {
                        let new = names::surname_form(
                            names::random_surname(&mut self.rng),
                            Gender::Female,
                        );
                        if Some(&new) != name.surname.as_ref() {
                            name.surname = Some(new);
                            break;
                        }
                    }
                }
                // The mobile she kept; a landline may have gone with the old home.
                if let Some((i, _)) = first_mobile(phones) {
                    let (phone, meant) = (client.phones.remove(i), phones.remove(i));
                    client.phones = vec![phone];
                    *phones = vec![meant];
                }
            }
            K::WebLead => {
                let short = self.rng.random_bool(0.4);
                let given = person_name(client).and_then(|n| n.given.clone());
                let given = match (short, given.as_deref().and_then(names::diminutive)) {
                    (true, Some(d)) => Some(d.to_string()),
                    _ => given,
                };
                let number = first_number(phones).map(str::to_string);
                client.party = Party::Person(PersonName {
                    surname: None,
                    given,
                    patronymic: None,
                });
                client.phones.clear();
                phones.clear();
                if let Some(number) = number {
                    let (phone, meant) = self.typed(&number);
                    client.phones.push(phone);
                    phones.push(meant);
                }
                client.emails.clear();
                client.messengers.clear();
                client.custom.clear();
                client.tags.clear();
                client.birthday = None;
                client.city = None;
                client.region = None;
                client.address = None;
                client.source = Some("сайт".to_string());
            }
            K::NewPhone => {
                let number = self.fresh_mobile();
                let (phone, meant) = self.typed(&number);
                client.phones = vec![phone];
                *phones = vec![meant];
            }
            K::PhoneDigitTypo => {
                if let Some((i, number)) = first_mobile(phones) {
                    let mut digits: Vec<u8> = number.bytes().collect();
                    let mut typo = None;
                    for _ in 0..20 {
                        // One of the last seven digits, the subscriber number.
                        let at = self.rng.random_range(digits.len() - 7..digits.len());
                        let old = digits[at];
                        digits[at] = b'0' + (old - b'0' + self.rng.random_range(1..10u8)) % 10;
                        let candidate = String::from_utf8_lossy(&digits).into_owned();
                        digits[at] = old;
                        if self.used_phones.insert(phone_key(&candidate)) {
                            typo = Some(candidate);
                            break;
                        }
                    }
                    if let Some(typo) = typo {
                        let (phone, meant) = self.typed(&typo);
                        client.phones[i].raw = phone.raw;
                        phones[i] = meant;
                    }
                }
            }
            K::BirthdayYearTypo => {
                if let Some(day) = client.birthday {
                    client.birthday = Some(year_typo(&mut self.rng, day, today));
                }
            }
            K::TaxIdTypo => {
                if let Party::Company(company) = &mut client.party {
                    if let Some(inn) = company.tax_id.as_deref() {
                        company.tax_id = tax_id_typo(&mut self.rng, inn).or(company.tax_id.clone());
                    }
                }
            }
            K::CitySpelling => {
                if let Some(city) = client.city.as_deref() {
                    client.city = Some(city_variant(&mut self.rng, city));
                }
            }
            K::SpaceInName => {
                let in_surname = self.rng.random_bool(0.6);
                if let Some(name) = name_mut(client) {
                    let given_long = name.given.as_ref().is_some_and(|g| g.chars().count() >= 4);
                    let target = if in_surname || !given_long {
                        &mut name.surname
                    } else {
                        &mut name.given
                    };
                    if let Some(part) = target {
                        let mut chars: Vec<char> = part.chars().collect();
                        if chars.len() >= 3 {
                            let at = self.rng.random_range(2..chars.len());
                            chars.insert(at, ' ');
                            *part = chars.into_iter().collect();
                        }
                    }
                }
            }
            K::TransposedLetters => {
                if let Some(name) = name_mut(client) {
                    for part in [&mut name.surname, &mut name.given].into_iter().flatten() {
                        *part = transpose(&mut self.rng, part);
                    }
                }
            }
            K::MultiFieldTypos => {
                let in_surname = self.rng.random_bool(0.6);
                if let Some(name) = name_mut(client) {
                    let target = if in_surname {
                        &mut name.surname
                    } else {
                        &mut name.given
                    };
                    if let Some(part) = target {
                        *part = letter_slip(&mut self.rng, part);
                    }
                }
                if let Some(address) = client.address.as_deref() {
                    client.address = Some(self.street_typo(address));
                }
                if let Some(city) = client.city.as_deref() {
                    client.city = Some(letter_slip(&mut self.rng, city));
                }
            }
            K::PlainReentry => self.retype_cosmetically(client),
            _ => {}
        }
    }

    /// A slip in the street name of `ул. Ленина, д. 12` (the word before the first comma).
    fn street_typo(&mut self, address: &str) -> String {
        let (street, rest) = address.split_once(',').unwrap_or((address, ""));
        let (kind, name) = street.rsplit_once(' ').unwrap_or(("", street));
        let name = letter_slip(&mut self.rng, name);
        let sep = if kind.is_empty() { "" } else { " " };
        let comma = if rest.is_empty() && !address.contains(',') {
            ""
        } else {
            ","
        };
        format!("{kind}{sep}{name}{comma}{rest}")
    }

    /// Case and spaces changed, nothing else (the phones are typed again anyway).
    fn retype_cosmetically(&mut self, client: &mut Client) {
        let style = self.rng.random_range(0..4);
        if let Some(name) = name_mut(client) {
            for part in [&mut name.surname, &mut name.given, &mut name.patronymic]
                .into_iter()
                .flatten()
            {
                *part = match style {
                    0 => part.to_uppercase(),
                    1 => part.to_lowercase(),
                    2 => format!(" {part} "),
                    _ => part.replace('ё', "е"),
                };
            }
            if style == 3 {
                if let Some(surname) = &mut name.surname {
                    *surname = surname.to_uppercase();
                }
            }
        }
        if let Some(email) = client.emails.first_mut() {
            if self.rng.random_bool(0.5) {
                email.raw = email.raw.trim().to_uppercase();
            }
        }
        if let Some(address) = &mut client.address {
            if self.rng.random_bool(0.5) {
                *address = address.replace(", ", ",  ");
            }
        }
    }

    /// Leaves out, the way re-entered cards do, fields no habit of the record is about.
    fn leave_out(&mut self, client: &mut Client, protected: u8) {
        if protected & EMAIL == 0 && !client.phones.is_empty() && self.rng.random_bool(0.35) {
            client.emails.clear();
        }
        if protected & ADDRESS == 0 && self.rng.random_bool(0.4) {
            client.address = None;
        }
        if protected & CITY == 0 && self.rng.random_bool(0.5) {
            client.region = None;
        }
        if protected & CITY == 0 && self.rng.random_bool(0.1) {
            client.city = None;
            client.region = None;
        }
        if protected & BIRTHDAY == 0 && self.rng.random_bool(0.25) {
            client.birthday = None;
        }
        if protected & NAME == 0 && self.rng.random_bool(0.25) {
            if let Some(name) = name_mut(client) {
                name.patronymic = None;
            }
        }
    }

    fn into_parts(self) -> (BTreeMap<ClientId, Client>, Vec<NewRecord>) {
        (self.patched, self.new)
    }
}

/// Writes the patched originals and the new records into the base and the truth.
fn write(
    patched: BTreeMap<ClientId, Client>,
    mut new: Vec<NewRecord>,
    base: &mut crate::ClientBase,
    truth: &mut GroundTruth,
) -> Result<()> {
    for (_, client) in patched {
        base.update_client(client)?;
    }
    // In creation order, so that ids follow it among the appended records.
    new.sort_by_key(|r| r.client.created_at);
    let mut duplicates = Vec::new();
    let mut lookalikes = Vec::new();
    for record in new {
        let id = base.add_client(record.client)?;
        let entity = match &record.origin {
            Origin::Duplicate { original, .. } => truth
                .entity_of(*original)
                .ok_or_else(|| internal(format!("{original} has no entity")))?,
            Origin::LookAlike { .. } => {
                truth.entities += 1;
                EntityId(truth.entities)
            }
        };
        truth.records.push(RecordTruth {
            client: id,
            entity,
            phones: record.phones,
        });
        match record.origin {
            Origin::Duplicate { original, kinds } => duplicates.push(DuplicatePair {
                original,
                duplicate: id,
                kinds,
            }),
            Origin::LookAlike {
                anchor,
                kind,
                shared,
            } => lookalikes.push(LookAlikePair {
                a: anchor,
                b: id,
                kind,
                shared,
            }),
        }
    }
    truth.duplicates.extend(duplicates);
    lookalikes.sort_by_key(|p| (p.a, p.b));
    truth.lookalikes = lookalikes;
    Ok(())
}

fn no_room(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("the clean base has no client left to make a {what} from; lower the rates or raise clients"),
    )
    .with_record("habits config")
}

fn internal(what: String) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!("the habits profile made an inconsistent base: {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn small(seed: u64) -> Generated {
        generate_habits(&HabitsConfig::new(4_000, seed)).unwrap()
    }

    fn name_of(client: &Client) -> PersonName {
        person_name(client).cloned().unwrap_or_default()
    }

    #[test]
    fn same_seed_same_base_and_truth() {
        let a = generate_habits(&HabitsConfig::new(1_500, 5)).unwrap();
        let b = generate_habits(&HabitsConfig::new(1_500, 5)).unwrap();
        assert_eq!(a.base.to_json().unwrap(), b.base.to_json().unwrap());
        assert_eq!(a.truth, b.truth);
        let c = generate_habits(&HabitsConfig::new(1_500, 6)).unwrap();
        assert_ne!(a.truth, c.truth);
    }

    #[test]
    fn exact_count_and_consistent_truth() {
        for clients in [0, 1, 7, 333, 4_000] {
            let g = generate_habits(&HabitsConfig::new(clients, 3)).unwrap();
            assert_eq!(g.base.counts().clients, clients);
            assert_eq!(g.truth.records.len(), clients);
        }
        let g = small(3);
        let truth = &g.truth;
        assert_eq!(truth.duplicates.len(), 400);
        assert_eq!(truth.lookalikes.len(), 160);
        assert!(truth.records.windows(2).all(|w| w[0].client < w[1].client));
        for pair in &truth.duplicates {
            assert!(truth.same_entity(pair.original, pair.duplicate), "{pair:?}");
            assert!(pair.original < pair.duplicate);
            assert!(!pair.kinds.is_empty() && pair.kinds.len() <= 2);
            assert!(pair.kinds.iter().all(|k| DuplicateKind::HABITS.contains(k)));
            let original = g.base.client(pair.original).unwrap();
            let duplicate = g.base.client(pair.duplicate).unwrap();
            assert!(duplicate.created_at > original.created_at);
            assert_eq!(
                truth.intended_phones(pair.duplicate).len(),
                duplicate.phones.len()
            );
        }
        let entities: HashSet<EntityId> = truth.records.iter().map(|r| r.entity).collect();
        assert_eq!(entities.len() as u64, truth.entities);
        for pair in &truth.lookalikes {
            assert!(!truth.same_entity(pair.a, pair.b), "{pair:?}");
            assert!(pair.a < pair.b);
        }
        // A look-alike record is nobody's duplicate.
        let copied: HashSet<ClientId> = truth.duplicates.iter().map(|p| p.original).collect();
        assert!(truth.lookalikes.iter().all(|p| !copied.contains(&p.a)));
    }

    #[test]
    fn every_habit_and_lookalike_appears() {
        let g = small(8);
        let counts = g.truth.kind_counts();
        for kind in DuplicateKind::HABITS {
            assert!(
                counts.get(&kind).copied().unwrap_or(0) >= 5,
                "{kind}: {counts:?}"
            );
        }
        let mut lookalikes: HashMap<LookAlike, usize> = HashMap::new();
        for pair in &g.truth.lookalikes {
            *lookalikes.entry(pair.kind).or_default() += 1;
        }
        for kind in LookAlike::ALL {
            assert!(
                lookalikes.get(&kind).copied().unwrap_or(0) >= 5,
                "{kind}: {lookalikes:?}"
            );
        }
    }

    /// The pairs made by one habit alone, as (original, duplicate).
    fn alone(g: &Generated, kind: DuplicateKind) -> Vec<(&Client, &Client)> {
        g.truth
            .duplicates
            .iter()
            .filter(|p| p.kinds == [kind])
            .map(|p| {
                (
                    g.base.client(p.original).unwrap(),
                    g.base.client(p.duplicate).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn habits_do_what_they_say() {
        let g = small(21);
        use DuplicateKind as K;
        for (o, d) in alone(&g, K::Initials) {
            let (o, d) = (name_of(o), name_of(d));
            assert_eq!(o.surname, d.surname);
            let initials = [&d.given, &d.patronymic].into_iter().flatten();
            assert!(
                initials
                    .clone()
                    .any(|p| p.ends_with('.') && p.chars().count() == 2),
                "{d:?}"
            );
        }
        for (o, d) in alone(&g, K::KeyboardLayout) {
            let (o, d) = (name_of(o), name_of(d));
            assert_eq!(d.surname, o.surname.as_deref().map(on_latin_layout));
            assert!(d.surname.as_deref().is_some_and(|s| s.is_ascii()));
        }
        for (o, d) in alone(&g, K::SwappedDiminutive) {
            let (o, d) = (name_of(o), name_of(d));
            assert_eq!(d.given, o.surname);
            assert_eq!(
                d.surname.as_deref(),
                o.given.as_deref().and_then(names::diminutive)
            );
        }
        for (o, d) in alone(&g, K::GivenReplaced) {
            assert_ne!(name_of(o).given, name_of(d).given);
            assert_eq!(name_of(o).surname, name_of(d).surname);
            assert!(o.birthday.is_some() && o.birthday == d.birthday);
            assert!(o.address.is_some() && o.address == d.address);
        }
        for (o, d) in alone(&g, K::MarriedSurname) {
            assert_ne!(name_of(o).surname, name_of(d).surname);
            assert_eq!(gender_of(&name_of(o)), Some(Gender::Female));
            assert!(o.birthday.is_some() && o.birthday == d.birthday);
        }
        for (_, d) in alone(&g, K::WebLead) {
            let name = name_of(d);
            assert!(name.surname.is_none() && name.patronymic.is_none() && name.given.is_some());
            assert_eq!(d.phones.len(), 1);
            assert!(d.emails.is_empty() && d.city.is_none() && d.birthday.is_none());
        }
        for (o, d) in alone(&g, K::BirthdayYearTypo) {
            let (o, d) = (o.birthday.unwrap(), d.birthday.unwrap());
            assert_ne!(o.year(), d.year());
            assert_eq!((o.year() / 100, o.month()), (d.year() / 100, d.month()));
            let diff = format!("{}", o.year())
                .chars()
                .zip(format!("{}", d.year()).chars())
                .filter(|(a, b)| a != b)
                .count();
            assert!(diff == 1 || diff == 2, "{o} {d}");
        }
        for (o, d) in alone(&g, K::TaxIdTypo) {
            let tax = |c: &Client| match &c.party {
                Party::Company(c) => c.tax_id.clone().unwrap(),
                Party::Person(_) => panic!("a person"),
            };
            let (o, d) = (tax(o), tax(d));
            assert_ne!(o, d);
            assert!(crate::client::check_tax_id(&d).is_ok());
            let body = o.len() - if o.len() == 10 { 1 } else { 2 };
            let changed = o[..body]
                .bytes()
                .zip(d[..body].bytes())
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(changed, 1, "{o} {d}");
        }
        for (o, d) in alone(&g, K::CitySpelling) {
            let (o, d) = (o.city.clone().unwrap(), d.city.clone().unwrap());
            assert_ne!(o, d);
            assert!(d.to_lowercase().contains(&o.to_lowercase()), "{o} {d}");
        }
        for (o, d) in alone(&g, K::SpaceInName) {
            let (o, d) = (name_of(o), name_of(d));
            let joined = |n: &PersonName| format!("{:?}{:?}", n.surname, n.given).replace(' ', "");
            assert_eq!(joined(&o), joined(&d));
            assert_ne!(o, d);
        }
        for (o, d) in alone(&g, K::TransposedLetters) {
            let (o, d) = (name_of(o), name_of(d));
            assert_ne!(o.surname, d.surname);
            let sorted = |s: &Option<String>| {
                let mut c: Vec<char> = s.clone().unwrap_or_default().chars().collect();
                c.sort();
                c
            };
            assert_eq!(sorted(&o.surname), sorted(&d.surname));
            assert_eq!(sorted(&o.given), sorted(&d.given));
        }
        for (o, d) in alone(&g, K::MultiFieldTypos) {
            assert_ne!(o.city, d.city);
            assert_ne!(o.address, d.address);
            assert!(o.address.is_some());
        }
        let phone = |c: &Client, g: &Generated| {
            g.truth
                .intended_phones(c.id)
                .first()
                .and_then(|p| p.e164.clone())
        };
        for (o, d) in alone(&g, K::NewPhone) {
            assert_ne!(phone(o, &g), phone(d, &g));
            assert!(phone(d, &g).is_some());
        }
        for (o, d) in alone(&g, K::PhoneDigitTypo) {
            let (o, d) = (g.truth.intended_phones(o.id), g.truth.intended_phones(d.id));
            let differing = o
                .iter()
                .zip(d)
                .filter_map(|(a, b)| Some((a.e164.as_ref()?, b.e164.as_ref()?)))
                .filter(|(a, b)| a != b)
                .map(|(a, b)| a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count())
                .collect::<Vec<_>>();
            assert_eq!(differing, [1]);
        }
        for (o, d) in alone(&g, K::PlainReentry) {
            let norm = |n: PersonName| {
                [n.surname, n.given, n.patronymic]
                    .map(|p| p.map(|p| p.trim().to_lowercase().replace('ё', "е")))
            };
            assert_eq!(norm(name_of(o)), norm(name_of(d)));
            assert_eq!(o.birthday, d.birthday);
        }
    }

    #[test]
    fn lookalikes_look_alike() {
        let g = small(34);
        for pair in &g.truth.lookalikes {
            let (a, b) = (
                g.base.client(pair.a).unwrap(),
                g.base.client(pair.b).unwrap(),
            );
            let (na, nb) = (name_of(a), name_of(b));
            match pair.kind {
                LookAlike::Namesake => {
                    assert_eq!(na, nb);
                    assert_eq!(a.city, b.city);
                    assert!(b.birthday.is_none() || b.birthday != a.birthday);
                }
                LookAlike::Twin => {
                    assert_eq!(na.patronymic.is_some(), nb.patronymic.is_some());
                    assert_ne!(na.given, nb.given);
                    assert!(a.birthday.is_some() && a.birthday == b.birthday);
                    assert!(a.address.is_some() && a.address == b.address);
                }
                LookAlike::SimilarGiven => {
                    assert_eq!(na.surname, nb.surname);
                    assert_eq!(
                        nb.given.as_deref(),
                        na.given.as_deref().and_then(sibling_name)
                    );
                    assert!(a.address.is_some() && a.address == b.address);
                }
                LookAlike::EmailNeighbour => {
                    assert_eq!(na.given, nb.given);
                    let (x, y) = (
                        a.emails[0].raw.to_lowercase(),
                        b.emails[0].raw.to_lowercase(),
                    );
                    assert_eq!(x.len(), y.len());
                    let diff: Vec<(char, char)> =
                        x.chars().zip(y.chars()).filter(|(p, q)| p != q).collect();
                    assert_eq!(diff.len(), 1, "{x} {y}");
                    assert!(diff[0].0.is_ascii_digit() && diff[0].1.is_ascii_digit());
                }
                LookAlike::DottedEmail => {
                    assert_eq!(na.surname, nb.surname);
                    assert_ne!(a.city, b.city);
                    let (x, y) = (a.emails[0].raw.clone(), b.emails[0].raw.clone());
                    assert_ne!(x, y);
                    assert_eq!(x.replace('.', ""), y.replace('.', ""));
                }
                LookAlike::SameAddressOtherCity => {
                    assert!(a.address.is_some() && a.address == b.address);
                    assert_ne!(a.city, b.city);
                }
                LookAlike::Spouse => {
                    assert_ne!(gender_of(&na), gender_of(&nb));
                    let phone = |c: &Client| {
                        g.truth
                            .intended_phones(c.id)
                            .iter()
                            .filter_map(|p| p.e164.clone())
                            .collect::<HashSet<_>>()
                    };
                    assert!(!phone(a).is_disjoint(&phone(b)));
                    assert!(a.address.is_some() && a.address == b.address);
                }
            }
        }
    }

    #[test]
    fn keyboard_layout_and_small_helpers() {
        assert_eq!(on_latin_layout("Иванов Сергей"), "Bdfyjd Cthutq");
        assert_eq!(on_latin_layout("хжэбюё"), "[;',.`");
        assert_eq!(on_latin_layout("Тарасов О."), "Nfhfcjd J.");
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let day = NaiveDate::from_ymd_opt(1985, 3, 14).unwrap();
        let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let years: HashSet<i32> = (0..200)
            .map(|_| year_typo(&mut rng, day, today).year())
            .collect();
        assert_eq!(years, HashSet::from([1958, 1984, 1986]));
        let inn = "7707083893";
        for _ in 0..50 {
            let typo = tax_id_typo(&mut rng, inn).unwrap();
            assert!(crate::client::check_tax_id(&typo).is_ok());
            assert_eq!(&typo[..2], "77");
            assert_ne!(typo, inn);
        }
    }

    #[test]
    fn config_is_checked_and_old_truth_reads() {
        let mut config = HabitsConfig::new(100, 1);
        config.duplicate_rate = 0.4;
        config.lookalike_rate = 0.2;
        let e = config.check().unwrap_err();
        assert_eq!(e.field(), Some("lookalike_rate"));
        config.lookalike_rate = -0.1;
        assert_eq!(config.check().unwrap_err().field(), Some("lookalike_rate"));
        assert!(serde_json::from_str::<HabitsConfig>(r#"{"clients": 5, "colour": 1}"#).is_err());
        let read: HabitsConfig = serde_json::from_str(r#"{"clients": 5}"#).unwrap();
        assert_eq!(read, HabitsConfig::new(5, 42));
        // Truth written before look-alikes existed still reads.
        let old = r#"{"seed":1,"entities":0,"records":[],"duplicates":[],"related":[]}"#;
        let truth: GroundTruth = serde_json::from_str(old).unwrap();
        assert!(truth.lookalikes.is_empty());
        assert!(!serde_json::to_string(&truth)
            .unwrap()
            .contains("lookalikes"));
    }
}
