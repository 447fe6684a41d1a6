//! What the matcher compares: a client reduced to normalized keys, computed once
//! per record.

use crate::client::{Client, Party, PersonName};
use crate::contacts::ContactNormalizer;
use crate::ids::ClientId;
use crate::name::{
    from_latin_layout, given_key_gender, given_name_keys, is_known_given_key, name_key,
    reads_as_name, Gender, NamePart,
};
use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::sync::Arc;

/// A client's matching keys. Strings are matching keys (see
/// [`name_key`](crate::name_key)), not display text.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Features {
    pub id: ClientId,
    pub company: bool,
    pub surname: Option<Arc<str>>,
    /// The surname with its feminine ending folded (`ivanova` → `ivanov`).
    pub family: Option<Arc<str>>,
    /// The given name's key first, then the full names it is short for.
    pub given: Vec<Arc<str>>,
    /// The given name is an initial (`С.`).
    pub given_initial: bool,
    /// The given name is a listed given name or short form.
    pub given_known: bool,
    /// The given names the surname's word stands for, when it is one (a name
    /// typed in swapped fields: surname `Саша`).
    pub surname_as_given: Vec<Arc<str>>,
    pub patronymic: Option<Arc<str>>,
    /// The patronymic is an initial (`П.`).
    pub patronymic_initial: bool,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    /// E.164 numbers as integers, sorted, without repeats.
    pub phones: Vec<u64>,
    /// Normalized addresses (`local@domain`) with their matching keys.
    pub emails: Vec<EmailKeys>,
    pub tax_id: Option<Arc<str>>,
    /// The company name without legal form and quotes.
    pub company_name: Option<Arc<str>>,
    pub city: Option<Arc<str>>,
    pub address: Option<Arc<str>>,
    /// The address's postcode: letters and digits, upper case.
    pub postcode: Option<Arc<str>>,
    /// Identifying custom fields: the field's position among the identifier
    /// names, and the value's key (letters and digits, upper case).
    pub identifiers: Vec<(u16, Arc<str>)>,
}

/// One email address as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EmailKeys {
    /// `local@domain`, lowercased, domain in ASCII.
    pub address: Arc<str>,
    /// The provider-aware key of the mailbox.
    pub key: Arc<str>,
}

impl EmailKeys {
    /// The local part of the address.
    pub fn local(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map_or(&*self.address, |(l, _)| l)
    }
}

fn boxed(key: String) -> Option<Arc<str>> {
    (!key.is_empty()).then(|| Arc::from(key))
}

impl Features {
    /// The keys of `client`; phones and emails not yet normalized are read with
    /// `normalizer` (what was typed stays in the client untouched), and the
    /// custom fields named in `identifiers` are kept as identifiers.
    pub fn of(client: &Client, normalizer: &ContactNormalizer, identifiers: &[String]) -> Features {
        let mut f = Features {
            id: client.id,
            company: client.is_company(),
            birthday: client.birthday,
            city: client
                .city
                .as_deref()
                .and_then(|c| cached(Part::City, c).key),
            address: client.address.as_deref().map(address_key).and_then(boxed),
            postcode: client.postcode.as_deref().and_then(|p| {
                boxed(
                    p.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_uppercase())
                        .collect(),
                )
            }),
            ..Features::default()
        };
        match &client.party {
            Party::Person(name) => f.set_name(name),
            Party::Company(company) => {
                f.company_name = boxed(company_name_key(&company.legal_name));
                f.tax_id = company
                    .tax_id
                    .as_deref()
                    .map(|t| t.chars().filter(char::is_ascii_digit).collect::<String>())
                    .and_then(boxed);
            }
        }
        for phone in &client.phones {
            match &phone.e164 {
                Some(e164) => f.phones.extend(e164_number(e164)),
                None => {
                    for candidate in normalizer.phones.split_field(&phone.raw) {
                        match normalizer.phones.parse(candidate.text) {
                            Ok(parsed) => f.phones.extend(e164_number(parsed.e164())),
                            // A number typed wrong the same way twice still tells.
                            Err(_) => f.phones.extend(invalid_number(candidate.text)),
                        }
                    }
                }
            }
        }
        f.phones.sort_unstable();
        f.phones.dedup();
        for (i, name) in identifiers.iter().enumerate() {
            if let Some(value) = client.custom.get(name) {
                let key: String = value
                    .to_text()
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_uppercase)
                    .collect();
                if !key.is_empty() {
                    f.identifiers.push((i as u16, key.into()));
                }
            }
        }
        for email in &client.emails {
            let raw = email.normalized.as_deref().unwrap_or(&email.raw);
            if let Ok(parsed) = normalizer.emails.parse(raw) {
                let keys = EmailKeys {
                    address: parsed.address().to_lowercase().into(),
                    key: parsed.key().into(),
                };
                if !f.emails.contains(&keys) {
                    f.emails.push(keys);
                }
            }
        }
        f
    }

    fn set_name(&mut self, name: &PersonName) {
        let relaid = latin_layout_read_back(name);
        let name = relaid.as_ref().unwrap_or(name);
        let parts = [&name.surname, &name.given, &name.patronymic];
        // The whole name typed into one field leaves another field empty; with
        // all three filled, a space is one typed inside a word (`Алек сандр`).
        let one_field = parts.iter().any(|p| p.is_none())
            && parts
                .iter()
                .any(|p| p.as_deref().is_some_and(holds_several_name_words));
        let parsed;
        let name = if one_field {
            let full: Vec<&str> = parts.into_iter().flatten().map(String::as_str).collect();
            parsed = PersonName::parse(&full.join(" "));
            &parsed
        } else {
            name
        };
        if let Some(surname) = &name.surname {
            let keys = cached(Part::Surname, surname);
            self.surname = keys.key;
            self.family = keys.family;
            self.surname_as_given = keys.given;
        }
        if let Some(given) = &name.given {
            let keys = cached(Part::Given, given);
            self.given = keys.given;
            self.gender = keys.gender;
            self.given_known = keys.known;
            self.given_initial = is_initial(given);
        }
        if let Some(patronymic) = &name.patronymic {
            let keys = cached(Part::Patronymic, patronymic);
            self.patronymic = keys.key;
            self.gender = keys.gender.or(self.gender);
            self.patronymic_initial = is_initial(patronymic);
        }
    }

    /// The first letter of the given name, for initials (`С.`).
    pub fn given_key(&self) -> Option<&str> {
        self.given.first().map(|g| &**g)
    }

    /// The birthday's year, month and day.
    pub fn birthday_parts(&self) -> Option<(i32, u32, u32)> {
        self.birthday.map(|d| (d.year(), d.month(), d.day()))
    }
}

/// Whether a name field holds more than one word of a name (`Иванов Сергей`,
/// `Тарасов О.Я.`): the whole name typed into one field. A space typed inside
/// one word (`Иван ов`) leaves a fragment too short to be a name and does not count.
fn holds_several_name_words(text: &str) -> bool {
    let text = text.trim();
    if text.matches('.').count() >= 2 {
        return true;
    }
    text.split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3 || w.ends_with('.'))
        .count()
        >= 2
}

/// A single letter, with or without a dot: `С.`, `С`.
fn is_initial(text: &str) -> bool {
    let mut letters = text.trim().trim_end_matches('.').chars();
    matches!((letters.next(), letters.next()), (Some(c), None) if c.is_alphabetic())
}

/// A name typed with the Latin keyboard layout on (`Bdfyjd Cthutq`), read back
/// in Cyrillic (`Иванов Сергей`) when the reading is a Russian name and the
/// text as typed is not.
fn latin_layout_read_back(name: &PersonName) -> Option<PersonName> {
    let parts = [&name.surname, &name.given, &name.patronymic];
    // Most names are Cyrillic, or a Latin name with a listed given name:
    // nothing to read back, found without converting anything.
    let latin = |p: &&Option<String>| p.as_deref().is_none_or(|t| t.is_ascii());
    if parts.iter().all(|p| p.is_none()) || !parts.iter().all(latin) {
        return None;
    }
    if name
        .given
        .as_deref()
        .is_some_and(|g| cached(Part::Given, g).known)
    {
        return None;
    }
    let mut read = PersonName::default();
    let mut reads = 0;
    let mut names_as_typed = 0;
    for (part, (typed, out)) in [NamePart::Surname, NamePart::Given, NamePart::Patronymic]
        .into_iter()
        .zip(
            parts
                .into_iter()
                .zip([&mut read.surname, &mut read.given, &mut read.patronymic]),
        )
    {
        let Some(typed) = typed.as_deref() else {
            continue;
        };
        let relaid = from_latin_layout(typed.trim())?;
        // The whole name may sit in one field: judge it word by word.
        for (typed_word, word) in typed.split_whitespace().zip(relaid.split_whitespace()) {
            let as_given = NamePart::Given;
            if reads_as_name(part, word) || reads_as_name(as_given, word) {
                reads += 1;
            }
            if reads_as_name(as_given, typed_word) || reads_as_name(part, typed_word) {
                names_as_typed += 1;
            }
        }
        *out = Some(relaid);
    }
    (reads > 0 && names_as_typed == 0).then_some(read)
}

/// Which part of a name a word is.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Surname,
    Given,
    Patronymic,
    City,
}

/// The keys of one name part.
#[derive(Clone, Default)]
struct PartKeys {
    /// The key, spaces typed inside the word dropped (`Иван ов`).
    key: Option<Arc<str>>,
    family: Option<Arc<str>>,
    given: Vec<Arc<str>>,
    gender: Option<Gender>,
    /// A given name's key is a listed given name or short form.
    known: bool,
}

/// Keys of name parts and cities, made once per thread for each spelling: a
/// base has millions of names but only thousands of distinct words in them.
fn cached(part: Part, raw: &str) -> PartKeys {
    const LIMIT: usize = 200_000;
    thread_local! {
        static CACHE: RefCell<[FxHashMap<Box<str>, PartKeys>; 4]> =
            RefCell::new(Default::default());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let cache = &mut cache[part as usize];
        if let Some(keys) = cache.get(raw) {
            return keys.clone();
        }
        let key = match part {
            Part::City => boxed(city_key(raw)),
            _ => boxed(name_key(raw).replace(' ', "")),
        };
        let keys = match part {
            Part::Surname => PartKeys {
                family: key.as_deref().map(family_key).and_then(boxed),
                given: as_given_name(raw),
                key,
                ..PartKeys::default()
            },
            Part::Given => {
                let mut keys = given_name_keys(raw);
                if let Some(own) = keys.first_mut() {
                    own.retain(|c| c != ' ');
                }
                let given: Vec<Arc<str>> = keys
                    .into_iter()
                    .filter(|k| !k.is_empty())
                    .map(Arc::from)
                    .collect();
                PartKeys {
                    gender: given.first().and_then(|k| given_key_gender(k)),
                    known: given.first().is_some_and(|k| is_known_given_key(k)),
                    given,
                    ..PartKeys::default()
                }
            }
            Part::Patronymic => PartKeys {
                gender: PersonName {
                    patronymic: Some(raw.to_string()),
                    ..PersonName::default()
                }
                .gender(),
                key,
                ..PartKeys::default()
            },
            Part::City => PartKeys {
                key,
                ..PartKeys::default()
            },
        };
        if cache.len() >= LIMIT {
            cache.clear();
        }
        cache.insert(raw.into(), keys.clone());
        keys
    })
}

/// The given-name keys of a word typed as a surname, when it is a listed
/// given name or short form (`Саша` → `sasha`, `aleksandr`, `aleksandra`).
fn as_given_name(raw: &str) -> Vec<Arc<str>> {
    let keys = given_name_keys(raw);
    if keys.first().is_some_and(|k| is_known_given_key(k)) {
        keys.into_iter().map(Arc::from).collect()
    } else {
        Vec::new()
    }
}

/// Words that name the kind of settlement, written before or after its name
/// (`г. Уфа`, `Уфа г.`, `город Уфа`, `пгт Янтарный`), as name keys.
const SETTLEMENT_WORDS: &[&str] = &[
    "g", "gor", "gorod", "pgt", "pos", "posel", "poselok", "s", "selo", "st", "stanitsa", "d",
    "der", "derevnia", "rp", "aul",
];

/// A city's key: its name key without the kind of settlement.
pub(crate) fn city_key(city: &str) -> String {
    let key = name_key(city);
    let words: Vec<&str> = key
        .split(' ')
        .filter(|w| !SETTLEMENT_WORDS.contains(w))
        .collect();
    if words.is_empty() {
        key
    } else {
        words.join(" ")
    }
}

/// `+79161234567` as the integer 79161234567.
pub(crate) fn e164_number(e164: &str) -> Option<u64> {
    e164.strip_prefix('+')?.parse().ok()
}

/// Marks the digits of a number that is not a valid phone, so they meet only
/// the same digits typed the same wrong way.
pub(crate) const INVALID_NUMBER: u64 = 1 << 63;

/// How a phone value reads in an explanation.
pub(crate) fn show_phone(value: u64) -> String {
    if value & INVALID_NUMBER != 0 {
        format!("{} (not a valid number)", value & !INVALID_NUMBER)
    } else {
        format!("+{value}")
    }
}

/// The digits of a number that did not parse (7 to 15 of them), marked.
fn invalid_number(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if !(7..=15).contains(&digits.len()) {
        return None;
    }
    digits.parse::<u64>().ok().map(|d| d | INVALID_NUMBER)
}

/// A surname key with the feminine ending folded, so a wife and husband meet
/// (`ivanova`, `ivanov` → `ivanov`; `chaikovskaia` → `chaikovski`).
pub(crate) fn family_key(surname: &str) -> String {
    if let Some(stem) = surname.strip_suffix("aia") {
        return format!("{stem}i");
    }
    for ending in ["ova", "eva", "ina", "yna"] {
        if surname.ends_with(ending) {
            return surname[..surname.len() - 1].to_string();
        }
    }
    surname.to_string()
}

/// Legal forms written before or after a company's name.
const LEGAL_FORMS: &[&str] = &[
    "общество с ограниченной ответственностью",
    "публичное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "ооо",
    "пао",
    "зао",
    "оао",
    "ао",
    "ип",
    "нко",
    "llc",
    "ltd",
    "inc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "ip",
];

/// A company name's key: without its legal form and quotes, in Latin letters.
pub(crate) fn company_name_key(legal_name: &str) -> String {
    let lower = legal_name.to_lowercase().replace('ё', "е");
    let mut text: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    for form in LEGAL_FORMS {
        if form.contains(' ') {
            text = text.replace(form, " ");
        }
    }
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !LEGAL_FORMS.contains(w))
        .collect();
    name_key(&words.join(" "))
}

/// Street words and their short forms, so `улица Ленина, дом 5` meets `ул. Ленина, д. 5`.
const ADDRESS_WORDS: &[(&str, &str)] = &[
    ("улица", "ул"),
    ("проспект", "пр"),
    ("пр-т", "пр"),
    ("просп", "пр"),
    ("переулок", "пер"),
    ("бульвар", "б"),
    ("бул", "б"),
    ("шоссе", "ш"),
    ("площадь", "пл"),
    ("набережная", "наб"),
    ("дом", "д"),
    ("квартира", "кв"),
    ("корпус", "к"),
    ("корп", "к"),
    ("строение", "стр"),
    ("офис", "оф"),
    ("город", "г"),
];

/// An address's key: lower case, `ё` as `е`, punctuation dropped and street
/// words shortened.
pub(crate) fn address_key(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let short = ADDRESS_WORDS
            .iter()
            .find(|(long, _)| *long == word.as_str())
            .map_or(word.as_str(), |(_, short)| short);
        out.push_str(short);
        word.clear();
    };
    for c in address.chars() {
        if c.is_alphanumeric() || c == '-' {
            for lower in c.to_lowercase() {
                word.push(if lower == 'ё' { 'е' } else { lower });
            }
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;

    #[test]
    fn keys_fold_what_people_vary() {
        assert_eq!(family_key("ivanova"), "ivanov");
        assert_eq!(family_key("ivanov"), "ivanov");
        assert_eq!(family_key("chaikovskaia"), "chaikovski");
        assert_eq!(
            company_name_key("ООО «Ромашка»"),
            company_name_key("Ромашка ООО")
        );
        assert_eq!(
            company_name_key("Общество с ограниченной ответственностью \"Ромашка\""),
            company_name_key("OOO Romashka")
        );
        assert_eq!(
            address_key("улица Ленина, дом 5, квартира 7"),
            address_key("ул. Ленина, д. 5, кв. 7")
        );
    }

    #[test]
    fn a_name_typed_into_one_field_is_split() {
        let normalizer = ContactNormalizer::default();
        let mut one = Client::person("Иванов Сергей Петрович", "", None);
        one.party = Party::Person(PersonName {
            surname: Some("Иванов Сергей Петрович".into()),
            given: None,
            patronymic: None,
        });
        let f = Features::of(&one, &normalizer, &[]);
        assert_eq!(f.surname.as_deref(), Some("ivanov"));
        assert_eq!(f.given_key(), Some("sergei"));
        assert_eq!(f.patronymic.as_deref(), Some("petrovich"));
        assert_eq!(f.gender, Some(Gender::Male));
    }

    #[test]
    fn initials_layout_slips_spaces_and_city_spellings() {
        let normalizer = ContactNormalizer::default();
        let f = Features::of(
            &Client::person("Тарасов", "О.", Some("Я.")),
            &normalizer,
            &[],
        );
        assert!(f.given_initial && f.patronymic_initial);
        assert_eq!(f.given_key(), Some("o"));
        let f = Features::of(&Client::person("Тарасов О.Я.", "", None), &normalizer, &[]);
        assert_eq!(f.surname.as_deref(), Some("tarasov"));
        assert!(f.given_initial && f.patronymic_initial, "{f:?}");
        let f = Features::of(&Client::person("Bdfyjd", "Cthutq", None), &normalizer, &[]);
        assert_eq!(f.surname.as_deref(), Some("ivanov"));
        assert_eq!(f.given_key(), Some("sergei"));
        let f = Features::of(&Client::person("Bdfyjd Cthutq", "", None), &normalizer, &[]);
        assert_eq!(f.given_key(), Some("sergei"), "{f:?}");
        // Latin letters that are a name as typed stay as typed.
        let f = Features::of(&Client::person("Ivanov", "Nina", None), &normalizer, &[]);
        assert_eq!(f.surname.as_deref(), Some("ivanov"));
        assert_eq!(f.given_key(), Some("nina"));
        let f = Features::of(&Client::person("Smith", "Hayden", None), &normalizer, &[]);
        assert_eq!(f.surname.as_deref(), Some("smith"));
        // A space typed inside a word is not a second word.
        let f = Features::of(&Client::person("Иван ов", "Сергей", None), &normalizer, &[]);
        assert_eq!(f.surname.as_deref(), Some("ivanov"));
        assert_eq!(f.given_key(), Some("sergei"));
        let typed = Client::person("Матвеев", "Алек сандр", Some("Кириллович"));
        let f = Features::of(&typed, &normalizer, &[]);
        assert_eq!(f.surname.as_deref(), Some("matvev"));
        assert_eq!(f.given_key(), Some("aleksandr"));
        let f = Features::of(&Client::person("Саша", "Смирнов", None), &normalizer, &[]);
        assert!(f
            .surname_as_given
            .iter()
            .any(|k| **k == name_key("Александр")));
        for spelling in ["г. Уфа", "Уфа г.", "город Уфа", "УФА", "г.Уфа"] {
            assert_eq!(city_key(spelling), "ufa", "{spelling}");
        }
        assert_eq!(city_key("Санкт-Петербург"), city_key("санкт петербург"));
    }

    #[test]
    fn phones_and_emails_are_read_when_not_yet_normalized() {
        let normalizer = ContactNormalizer::default();
        let client = Client::person("Иванов", "Саша", None)
            .with_phone("8 (916) 123-45-67, +7 495 765-43-21")
            .with_email(" Ivan.Ivanov@Mail.RU ");
        let f = Features::of(&client, &normalizer, &[]);
        assert_eq!(f.phones, vec![74957654321, 79161234567]);
        assert_eq!(&*f.emails[0].address, "ivan.ivanov@mail.ru");
        assert_eq!(f.emails[0].local(), "ivan.ivanov");
        assert!(f.given.iter().any(|g| **g == name_key("Александр")));
    }
}
