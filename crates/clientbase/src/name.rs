//! People's names: clean-up, splitting a full name, gender, initials and
//! matching keys across Cyrillic and Latin.
//!
//! ```
//! use clientbase::{PersonName, Gender, name_key};
//! let name = PersonName::parse("  сергей  петрович ИВАНОВ ");
//! assert_eq!(name.surname.as_deref(), Some("Иванов"));
//! assert_eq!(name.given.as_deref(), Some("Сергей"));
//! assert_eq!(name.patronymic.as_deref(), Some("Петрович"));
//! assert_eq!(name.gender(), Some(Gender::Male));
//! assert_eq!(name.initials(), "Иванов С. П.");
//!
//! // One key for both scripts and the usual spellings.
//! assert_eq!(PersonName::parse("Ivanov Sergey").key(), PersonName::parse("Иванов Сергей").key());
//! assert_eq!(name_key("Sergei"), name_key("Сергей"));
//! assert_eq!(name_key("Семёнов"), name_key("Семенов"));
//! ```
//!
//! # Splitting
//!
//! [`PersonName::parse`] finds the patronymic by its ending (`-ович`, `-евич`,
//! `-ич` of a short list, `-овна`, `-евна`, `-ична`, `-инична`, and `оглы` /
//! `кызы` after the father's name), the given name by a list of common names and
//! its place just before the patronymic, and the surname by its ending (`-ов`,
//! `-ин`, `-ский`, `-енко`, ...). When nothing tells, the order is taken to be
//! the official one: surname, given name, patronymic.
//!
//! # Keys
//!
//! [`name_key`] lowercases, folds `ё` into `е`, transliterates Cyrillic to Latin
//! (ICAO 9303, the scheme of Russian passports) and then folds the spellings that
//! differ between transliteration schemes, so `Sergey`, `Sergei` and `Сергей` all
//! give `sergei`, `Yulia`, `Julia` and `Юлия` give `iulia`: `x` → `ks`, `w` → `v`,
//! `ph` → `f`, `yo` → `e`, `shch`/`sch` → `sh`, `kh` → `h`, `c` → `k` (not in
//! `ch`), `j` and `y` → `i`, `ie` → `e`, and doubled letters → one.

use crate::client::PersonName;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A person's gender, as a patronymic tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Male (`-ович`, `-евич`, `оглы`).
    Male,
    /// Female (`-овна`, `-евна`, `-ична`, `кызы`).
    Female,
}

impl Gender {
    /// Every variant, in declaration order (what bindings mirror).
    pub const ALL: &'static [Gender] = &[Gender::Male, Gender::Female];

    /// The stable name (`male`, `female`), as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// Common Russian given names (and a few of the former USSR), male then female.
const MALE_NAMES: &[&str] = &[
    "Александр",
    "Алексей",
    "Анатолий",
    "Андрей",
    "Антон",
    "Аркадий",
    "Арсений",
    "Артём",
    "Артем",
    "Артур",
    "Богдан",
    "Борис",
    "Вадим",
    "Валентин",
    "Валерий",
    "Василий",
    "Вениамин",
    "Виктор",
    "Виталий",
    "Владимир",
    "Владислав",
    "Всеволод",
    "Вячеслав",
    "Гавриил",
    "Геннадий",
    "Георгий",
    "Герман",
    "Глеб",
    "Григорий",
    "Давид",
    "Даниил",
    "Данил",
    "Денис",
    "Дмитрий",
    "Евгений",
    "Егор",
    "Елисей",
    "Захар",
    "Иван",
    "Игорь",
    "Илья",
    "Иннокентий",
    "Иосиф",
    "Кирилл",
    "Константин",
    "Лев",
    "Леонид",
    "Макар",
    "Максим",
    "Марат",
    "Марк",
    "Матвей",
    "Михаил",
    "Назар",
    "Никита",
    "Николай",
    "Олег",
    "Павел",
    "Платон",
    "Пётр",
    "Петр",
    "Прохор",
    "Радик",
    "Ренат",
    "Роберт",
    "Родион",
    "Роман",
    "Ростислав",
    "Руслан",
    "Рустам",
    "Савелий",
    "Святослав",
    "Семён",
    "Семен",
    "Серафим",
    "Сергей",
    "Станислав",
    "Степан",
    "Тарас",
    "Тимофей",
    "Тимур",
    "Тихон",
    "Фёдор",
    "Федор",
    "Филипп",
    "Эдуард",
    "Эльдар",
    "Эмиль",
    "Юрий",
    "Яков",
    "Ярослав",
    "Ахмед",
    "Али",
    "Азат",
    "Айдар",
    "Ильдар",
    "Ильназ",
    "Рамиль",
    "Ринат",
    "Фарид",
];
const FEMALE_NAMES: &[&str] = &[
    "Агата",
    "Аделина",
    "Алевтина",
    "Александра",
    "Алёна",
    "Алена",
    "Алина",
    "Алиса",
    "Алла",
    "Альбина",
    "Анастасия",
    "Ангелина",
    "Анжела",
    "Анна",
    "Антонина",
    "Арина",
    "Валентина",
    "Валерия",
    "Вера",
    "Вероника",
    "Виктория",
    "Виолетта",
    "Галина",
    "Дарья",
    "Диана",
    "Дина",
    "Ева",
    "Евгения",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Жанна",
    "Зарина",
    "Злата",
    "Зоя",
    "Инна",
    "Ирина",
    "Камилла",
    "Карина",
    "Кира",
    "Кристина",
    "Ксения",
    "Лариса",
    "Лидия",
    "Лилия",
    "Любовь",
    "Людмила",
    "Маргарита",
    "Марина",
    "Мария",
    "Милана",
    "Надежда",
    "Наталья",
    "Наталия",
    "Нина",
    "Оксана",
    "Олеся",
    "Ольга",
    "Полина",
    "Раиса",
    "Регина",
    "Светлана",
    "София",
    "Софья",
    "Стефания",
    "Таисия",
    "Тамара",
    "Татьяна",
    "Ульяна",
    "Эвелина",
    "Элина",
    "Эльвира",
    "Юлия",
    "Яна",
    "Ярослава",
    "Айгуль",
    "Гульнара",
    "Диляра",
    "Лейла",
    "Нелли",
    "Эльмира",
];

/// `-ич` patronymics that are not `-ович`/`-евич`.
const SHORT_PATRONYMICS: &[&str] = &[
    "ильич",
    "кузьмич",
    "лукич",
    "фомич",
    "никитич",
    "саввич",
    "ильинич",
];

/// Words after the father's name that make a Turkic patronymic.
const TURKIC_MALE: &[&str] = &["оглы", "улы", "ogly", "oglu", "uly"];
const TURKIC_FEMALE: &[&str] = &["кызы", "гызы", "qizi", "kyzy", "kizi"];

/// Surname endings, Cyrillic and Latin.
const SURNAME_ENDINGS: &[&str] = &[
    "ов",
    "ев",
    "ёв",
    "ин",
    "ын",
    "ова",
    "ева",
    "ёва",
    "ина",
    "ына",
    "ский",
    "цкий",
    "ской",
    "ская",
    "цкая",
    "енко",
    "ук",
    "юк",
    "ян",
    "янц",
    "дзе",
    "швили",
    "их",
    "ых",
    "ко",
    "ov",
    "ev",
    "in",
    "yn",
    "ova",
    "eva",
    "ina",
    "yna",
    "sky",
    "skiy",
    "skii",
    "skaya",
    "enko",
    "yan",
    "dze",
    "shvili",
];

/// A single letter and a dot: `И.`.
fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_alphabetic())
}

/// Initials typed together (`И.И.`, `И.И`) as separate words (`И.`, `И.`); any
/// other word as it is.
fn split_initials(word: &str) -> Vec<String> {
    let parts: Vec<&str> = word.split('.').filter(|p| !p.is_empty()).collect();
    let all_letters = parts.len() >= 2
        && parts
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    if all_letters {
        parts.iter().map(|p| format!("{p}.")).collect()
    } else {
        vec![word.to_string()]
    }
}

/// Cleans one name or a full name: NFKC, single spaces, and words typed all in
/// lower or all in upper case capitalized (`иванова-петрова` → `Иванова-Петрова`;
/// `McDonald` stays). `оглы` and `кызы` stay lower case.
pub fn clean_name(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    nfkc.split_whitespace()
        .map(fix_case)
        .collect::<Vec<_>>()
        .join(" ")
}

fn fix_case(word: &str) -> String {
    let lower = word.to_lowercase();
    if TURKIC_MALE.contains(&lower.as_str()) || TURKIC_FEMALE.contains(&lower.as_str()) {
        return lower;
    }
    let has_lower = word.chars().any(char::is_lowercase);
    let has_upper = word.chars().any(char::is_uppercase);
    if has_lower && has_upper {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in lower.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.push(c);
        }
        // `Петрова-Водкина`, and initials typed together: `И.И.`.
        if c == '-' || c == '.' {
            start = true;
        }
    }
    out
}

fn lower_yo(word: &str) -> String {
    word.to_lowercase().replace('ё', "е")
}

/// Whether a word has the form of a patronymic, and of which gender.
fn patronymic_gender(word: &str) -> Option<Gender> {
    let w = lower_yo(word);
    let last = w.rsplit('-').next().unwrap_or(&w);
    if TURKIC_MALE.contains(&last) {
        return Some(Gender::Male);
    }
    if TURKIC_FEMALE.contains(&last) {
        return Some(Gender::Female);
    }
    let long_enough = w.chars().count() >= 6;
    if SHORT_PATRONYMICS.contains(&w.as_str())
        || (long_enough
            && ["ович", "евич", "ovich", "evich", "ovitch", "evitch"]
                .iter()
                .any(|e| w.ends_with(e)))
    {
        return Some(Gender::Male);
    }
    if long_enough
        && [
            "овна",
            "евна",
            "ична",
            "инична",
            "ovna",
            "evna",
            "ichna",
            "inichna",
        ]
        .iter()
        .any(|e| w.ends_with(e))
    {
        return Some(Gender::Female);
    }
    None
}

fn is_given_name(word: &str) -> bool {
    let key = name_key(word);
    static KEYS: std::sync::LazyLock<std::collections::HashSet<String>> =
        std::sync::LazyLock::new(|| {
            MALE_NAMES
                .iter()
                .chain(FEMALE_NAMES)
                .map(|n| name_key(n))
                .collect()
        });
    KEYS.contains(&key)
}

/// The gender of a given name's [`name_key`], from the lists of common names
/// (`None` for names of both genders, such as Женя, and names not listed).
pub(crate) fn given_key_gender(key: &str) -> Option<Gender> {
    given_key_gender_table().get(key).copied().flatten()
}

/// Every listed given name and short form by key, with its gender (`None`
/// for names of both genders).
fn given_key_gender_table() -> &'static std::collections::HashMap<String, Option<Gender>> {
    static GENDERS: std::sync::LazyLock<std::collections::HashMap<String, Option<Gender>>> =
        std::sync::LazyLock::new(|| {
            let mut map = std::collections::HashMap::new();
            let male = MALE_NAMES.iter().map(|n| (n, Gender::Male));
            let female = FEMALE_NAMES.iter().map(|n| (n, Gender::Female));
            for (name, gender) in male.chain(female) {
                let forms = std::iter::once(*name).chain(short_given_names(name).iter().copied());
                for form in forms {
                    map.entry(name_key(form))
                        .and_modify(|g: &mut Option<Gender>| {
                            if *g != Some(gender) {
                                *g = None;
                            }
                        })
                        .or_insert(Some(gender));
                }
            }
            map
        });
    &GENDERS
}

/// Whether a given name's [`name_key`] is a listed given name or short form.
pub(crate) fn is_known_given_key(key: &str) -> bool {
    given_key_gender_table().contains_key(key)
}

/// The Cyrillic letter on the key of a Latin layout character (`d` → `в`,
/// `[` → `х`), for text typed with the wrong keyboard layout.
fn layout_letter(c: char) -> Option<char> {
    const LOWER: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    const CYRILLIC: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    const UPPER: &str = "QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~";
    if let Some(i) = LOWER.chars().position(|l| l == c) {
        return CYRILLIC.chars().nth(i);
    }
    let i = UPPER.chars().position(|u| u == c)?;
    CYRILLIC
        .chars()
        .nth(i)
        .and_then(|l| l.to_uppercase().next())
}

/// A name typed on the Latin keyboard layout read back as the Cyrillic it was
/// meant to be (`Bdfyjd Cthutq` → `Иванов Сергей`), or `None` when the text
/// has a character no Russian letter sits on (a digit, a Cyrillic letter).
/// Whether the reading makes sense is for the caller to judge: any Latin
/// word has one.
///
/// ```
/// assert_eq!(clientbase::from_latin_layout("Bdfyjd Cthutq").as_deref(), Some("Иванов Сергей"));
/// assert_eq!(clientbase::from_latin_layout("Иванов"), None);
/// ```
pub fn from_latin_layout(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() * 2);
    let mut letters = 0;
    for c in text.chars() {
        if c == ' ' || c == '-' {
            out.push(c);
        } else {
            out.push(layout_letter(c)?);
            letters += 1;
        }
    }
    (letters > 0).then_some(out)
}

/// Whether a Cyrillic reading of a name looks like a Russian name part: a
/// listed given name, a patronymic or a surname ending.
pub(crate) fn reads_as_name(part: NamePart, word: &str) -> bool {
    match part {
        NamePart::Given => is_known_given_key(&name_key(word)),
        NamePart::Patronymic => patronymic_gender(word).is_some(),
        NamePart::Surname => looks_like_surname(word),
    }
}

/// A part of a person's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NamePart {
    Surname,
    Given,
    Patronymic,
}

fn looks_like_surname(word: &str) -> bool {
    let w = lower_yo(word);
    let last = w.rsplit('-').next().unwrap_or(&w);
    last.chars().count() > 3 && SURNAME_ENDINGS.iter().any(|e| last.ends_with(e))
}

impl PersonName {
    /// Splits a full name typed in any order (`Иванов Сергей Петрович`, `Сергей
    /// Петрович Иванов`, `Ivanov Sergey`) into surname, given name and patronymic,
    /// cleaned with [`clean_name`]. See the [module docs](self) for the rules.
    pub fn parse(full_name: &str) -> PersonName {
        let cleaned = clean_name(&full_name.replace([',', ';'], " "));
        let mut words: Vec<String> = Vec::new();
        for word in cleaned
            .split(' ')
            .filter(|w| !w.is_empty())
            .flat_map(split_initials)
        {
            let lower = word.to_lowercase();
            let turkic =
                TURKIC_MALE.contains(&lower.as_str()) || TURKIC_FEMALE.contains(&lower.as_str());
            match words.last_mut() {
                // `Гусейн оглы`: the father's name and the word make the patronymic.
                Some(prev) if turkic => {
                    prev.push(' ');
                    prev.push_str(&word);
                }
                _ => words.push(word),
            }
        }
        let mut name = PersonName::default();
        if words.is_empty() {
            return name;
        }
        // `Иванов И. И.`, `И.И. Иванов`: one or two initials beside the surname
        // are the given name and the patronymic, in that order.
        let (initials, rest): (Vec<&String>, Vec<&String>) =
            words.iter().partition(|w| is_initial(w));
        if (1..=2).contains(&initials.len()) && !rest.is_empty() {
            name.given = Some(initials[0].clone());
            name.patronymic = initials.get(1).map(|p| p.to_string());
            name.surname = Some(
                rest.iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            return name;
        }
        // The patronymic: a word of that form, preferring one after a given name.
        let patronymics: Vec<usize> = (0..words.len())
            .filter(|&i| {
                let last = words[i].rsplit(' ').next().unwrap_or(&words[i]);
                patronymic_gender(last).is_some() && (words.len() > 1 || i == 0)
            })
            .collect();
        let p = patronymics
            .iter()
            .copied()
            .find(|&i| i > 0 && is_given_name(&words[i - 1]))
            .or_else(|| patronymics.last().copied());
        if let Some(p) = p {
            name.patronymic = Some(words.remove(p));
            // The given name comes right before the patronymic.
            if p > 0
                && (is_given_name(&words[p - 1])
                    || !looks_like_surname(&words[p - 1])
                    || words.len() == 1)
            {
                name.given = Some(words.remove(p - 1));
            }
        }
        if name.given.is_none() && !words.is_empty() {
            let given = match words.len() {
                1 if name.patronymic.is_some() || is_given_name(&words[0]) => Some(0),
                1 => None,
                _ => {
                    let known: Vec<usize> = (0..words.len())
                        .filter(|&i| is_given_name(&words[i]))
                        .collect();
                    match known.as_slice() {
                        [one] => Some(*one),
                        _ => {
                            // Both or neither known: the one that is not surname-like,
                            // else the official order (surname first).
                            let candidates: Vec<usize> = if known.is_empty() {
                                (0..words.len()).collect()
                            } else {
                                known
                            };
                            candidates
                                .iter()
                                .copied()
                                .find(|&i| !looks_like_surname(&words[i]) && i > 0)
                                .or_else(|| candidates.iter().copied().find(|&i| i > 0))
                        }
                    }
                }
            };
            if let Some(i) = given {
                name.given = Some(words.remove(i));
            }
        }
        if !words.is_empty() {
            name.surname = Some(words.join(" "));
        }
        name
    }

    /// The gender the patronymic tells (`-ович` male, `-овна` female), if there is one.
    pub fn gender(&self) -> Option<Gender> {
        let patronymic = self.patronymic.as_deref()?;
        patronymic_gender(patronymic.rsplit(' ').next().unwrap_or(patronymic))
    }

    /// Surname and initials: `Иванов С. П.`, `Петрова-Водкина А.-М.`; just the
    /// surname or the given name when that is all there is.
    pub fn initials(&self) -> String {
        let initial = |part: &str| -> String {
            part.split('-')
                .filter_map(|p| p.chars().next())
                .map(|c| format!("{}.", c.to_uppercase()))
                .collect::<Vec<_>>()
                .join("-")
        };
        let mut out: Vec<String> = Vec::new();
        if let Some(surname) = &self.surname {
            out.push(surname.clone());
        }
        match (&self.surname, &self.given) {
            (Some(_), Some(given)) => {
                let mut initials = initial(given);
                if let Some(p) = &self.patronymic {
                    initials.push(' ');
                    initials.push_str(&initial(p));
                }
                out.push(initials);
            }
            (None, Some(given)) => {
                out.push(given.clone());
                out.extend(self.patronymic.clone());
            }
            _ => {}
        }
        out.join(" ")
    }

    /// The matching key of the whole name, surname first: the same for `Иванов
    /// Сергей`, `Ivanov Sergey` and `Сергей Иванов` once split (see [`name_key`]).
    pub fn key(&self) -> String {
        [&self.surname, &self.given, &self.patronymic]
            .into_iter()
            .flatten()
            .map(|part| name_key(part))
            .filter(|k| !k.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The name with each part cleaned by [`clean_name`]; empty parts become `None`.
    pub fn cleaned(&self) -> PersonName {
        let clean =
            |part: &Option<String>| part.as_deref().map(clean_name).filter(|p| !p.is_empty());
        PersonName {
            surname: clean(&self.surname),
            given: clean(&self.given),
            patronymic: clean(&self.patronymic),
        }
    }
}

/// Full given names with the everyday short forms people give instead (the most
/// common first): what lets `Саша Иванов` meet `Александр Иванов`.
static GIVEN_NAME_FORMS: &[(&str, &[&str])] = &[
    ("Александр", &["Саша", "Саня", "Шура", "Алекс"]),
    ("Алексей", &["Лёша", "Алёша", "Лёха"]),
    ("Анатолий", &["Толя"]),
    ("Андрей", &["Андрюша"]),
    ("Артём", &["Тёма"]),
    ("Борис", &["Боря"]),
    ("Вадим", &["Вадик"]),
    ("Валентин", &["Валя"]),
    ("Валерий", &["Валера"]),
    ("Василий", &["Вася"]),
    ("Виктор", &["Витя"]),
    ("Виталий", &["Виталик"]),
    ("Владимир", &["Вова", "Володя"]),
    ("Владислав", &["Влад", "Владик"]),
    ("Вячеслав", &["Слава"]),
    ("Геннадий", &["Гена"]),
    ("Георгий", &["Гоша", "Жора"]),
    ("Григорий", &["Гриша"]),
    ("Даниил", &["Даня"]),
    ("Денис", &["Дэн"]),
    ("Дмитрий", &["Дима", "Митя"]),
    ("Евгений", &["Женя"]),
    ("Егор", &["Гоша"]),
    ("Иван", &["Ваня"]),
    ("Игорь", &["Гарик"]),
    ("Илья", &["Илюша"]),
    ("Кирилл", &["Киря"]),
    ("Константин", &["Костя"]),
    ("Леонид", &["Лёня"]),
    ("Максим", &["Макс"]),
    ("Михаил", &["Миша"]),
    ("Никита", &["Никитка"]),
    ("Николай", &["Коля"]),
    ("Олег", &["Олежка"]),
    ("Павел", &["Паша"]),
    ("Пётр", &["Петя"]),
    ("Роман", &["Рома"]),
    ("Святослав", &["Слава"]),
    ("Семён", &["Сёма"]),
    ("Сергей", &["Серёжа", "Серж"]),
    ("Станислав", &["Стас"]),
    ("Степан", &["Стёпа"]),
    ("Тимофей", &["Тима"]),
    ("Фёдор", &["Федя"]),
    ("Юрий", &["Юра"]),
    ("Ярослав", &["Слава"]),
    ("Александра", &["Саша", "Шура"]),
    ("Алёна", &["Алёнка"]),
    ("Алла", &["Аллочка"]),
    ("Анастасия", &["Настя"]),
    ("Анна", &["Аня"]),
    ("Валентина", &["Валя"]),
    ("Валерия", &["Лера"]),
    ("Вера", &["Верочка"]),
    ("Виктория", &["Вика"]),
    ("Галина", &["Галя"]),
    ("Дарья", &["Даша"]),
    ("Евгения", &["Женя"]),
    ("Екатерина", &["Катя"]),
    ("Елена", &["Лена"]),
    ("Елизавета", &["Лиза"]),
    ("Зинаида", &["Зина"]),
    ("Ирина", &["Ира"]),
    ("Ксения", &["Ксюша"]),
    ("Лариса", &["Лара"]),
    ("Любовь", &["Люба"]),
    ("Людмила", &["Люда", "Мила"]),
    ("Маргарита", &["Рита"]),
    ("Марина", &["Мариша"]),
    ("Мария", &["Маша"]),
    ("Надежда", &["Надя"]),
    ("Наталья", &["Наташа"]),
    ("Нина", &["Ниночка"]),
    ("Ольга", &["Оля"]),
    ("Полина", &["Поля"]),
    ("Светлана", &["Света"]),
    ("Софья", &["Соня"]),
    ("Тамара", &["Тома"]),
    ("Татьяна", &["Таня"]),
    ("Юлия", &["Юля"]),
];

/// The everyday short forms of a full given name, the most common first
/// (`Александр` → `Саша`, `Саня`, …); empty when the name has none listed.
///
/// ```
/// assert_eq!(clientbase::short_given_names("Дмитрий")[0], "Дима");
/// ```
pub fn short_given_names(full: &str) -> &'static [&'static str] {
    GIVEN_NAME_FORMS
        .iter()
        .find(|(name, _)| *name == full)
        .map_or(&[], |(_, short)| short)
}

/// The given names a name can stand for, as [`name_key`] keys: its own key
/// first and, for a short form, the key of every full name it is short for
/// (`Женя`: itself, `Евгений` and `Евгения`). Spellings of either script meet
/// (`Sasha` gives the keys of `Александр` and `Александра`).
///
/// ```
/// use clientbase::{given_name_keys, name_key};
/// assert!(given_name_keys("Саша").contains(&name_key("Александр")));
/// assert!(given_name_keys("Sasha").contains(&name_key("Александра")));
/// assert_eq!(given_name_keys("Ольга"), vec![name_key("Ольга")]);
/// ```
pub fn given_name_keys(given: &str) -> Vec<String> {
    let own = name_key(given);
    let mut keys = vec![own.clone()];
    if own.is_empty() {
        return keys;
    }
    for (full, shorts) in short_name_keys() {
        if shorts.contains(&own) && !keys.contains(full) {
            keys.push(full.clone());
        }
    }
    keys
}

/// [`GIVEN_NAME_FORMS`] as keys, made once.
fn short_name_keys() -> &'static [(String, Vec<String>)] {
    static KEYS: std::sync::OnceLock<Vec<(String, Vec<String>)>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        GIVEN_NAME_FORMS
            .iter()
            .map(|(full, shorts)| (name_key(full), shorts.iter().map(|s| name_key(s)).collect()))
            .collect()
    })
}

/// ICAO 9303 transliteration of one lower-case Cyrillic letter (Russian, plus the
/// Ukrainian, Belarusian and Kazakh letters).
fn icao(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "ie",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "iu",
        'я' => "ia",
        'і' => "i",
        'ї' => "i",
        'є' => "ie",
        'ґ' => "g",
        'ў' => "u",
        'ә' => "a",
        'ғ' => "g",
        'қ' => "k",
        'ң' => "n",
        'ө' => "o",
        'ұ' => "u",
        'ү' => "u",
        'һ' => "h",
        _ => return None,
    })
}

/// Transliterates Cyrillic to Latin by ICAO 9303, the scheme of Russian
/// passports (`Иванов Сергей` → `Ivanov Sergei`); other characters stay.
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        match icao(lower) {
            Some(latin) if lower != c => {
                let mut chars = latin.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
    }
    out
}

/// The matching key of a name or a piece of one: words of lower-case Latin
/// letters with spellings folded, so Cyrillic and Latin spellings of one name
/// meet (`Sergey`, `Sergei`, `Сергей` → `sergei`). See the [module docs](self).
pub fn name_key(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    let mut latin = String::with_capacity(nfkc.len());
    for c in nfkc.to_lowercase().chars() {
        match icao(c) {
            Some(l) => latin.push_str(l),
            None if c.is_ascii_alphabetic() => latin.push(c),
            None if c.is_alphabetic() => {
                // Accented Latin letters: their base letter.
                latin.extend(c.to_string().nfd().filter(char::is_ascii_alphabetic));
            }
            None => latin.push(' '),
        }
    }
    latin
        .split_whitespace()
        .map(fold_word)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Folds one lower-case Latin word so transliteration variants meet.
fn fold_word(word: &str) -> String {
    let mut w = word
        .replace('x', "ks")
        .replace('w', "v")
        .replace("ph", "f")
        .replace("yo", "e")
        .replace("shch", "sh")
        .replace("sch", "sh")
        .replace("kh", "h");
    let bytes: Vec<char> = w.chars().collect();
    let mut out = String::with_capacity(w.len());
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            'c' if bytes.get(i + 1) != Some(&'h') => out.push('k'),
            'j' | 'y' => out.push('i'),
            _ => out.push(c),
        }
    }
    w = out.replace("ie", "e");
    let mut folded = String::with_capacity(w.len());
    for c in w.chars() {
        if !folded.ends_with(c) {
            folded.push(c);
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latin_layout_reads_back_to_cyrillic() {
        assert_eq!(from_latin_layout("Cthutq").as_deref(), Some("Сергей"));
        assert_eq!(
            from_latin_layout("[fhbnjyjdf").as_deref(),
            Some("харитонова")
        );
        assert_eq!(from_latin_layout("Ctv`y").as_deref(), Some("Семён"));
        assert_eq!(
            from_latin_layout("Gtnhjd-Djlrby").as_deref(),
            Some("Петров-Водкин")
        );
        assert_eq!(from_latin_layout("Ivan2"), None);
        assert_eq!(from_latin_layout(""), None);
        assert!(reads_as_name(NamePart::Given, "Сергей"));
        assert!(reads_as_name(NamePart::Patronymic, "Петрович"));
        assert!(reads_as_name(NamePart::Surname, "Иванов"));
        assert!(!reads_as_name(NamePart::Given, "Ыуктун"));
    }

    #[test]
    fn initials_beside_a_surname_are_given_name_and_patronymic() {
        for text in ["ИВАНОВ И.И.", "Иванов И. И.", "И.И. Иванов", "иванов и.и"]
        {
            let name = PersonName::parse(text);
            assert_eq!(name.surname.as_deref(), Some("Иванов"), "{text}");
            assert_eq!(name.given.as_deref(), Some("И."), "{text}");
            assert_eq!(name.patronymic.as_deref(), Some("И."), "{text}");
            assert_eq!(name.initials(), "Иванов И. И.", "{text}");
        }
        let one = PersonName::parse("Петрова А.");
        assert_eq!(one.surname.as_deref(), Some("Петрова"));
        assert_eq!(one.given.as_deref(), Some("А."));
        assert_eq!(one.patronymic, None);
        // A surname with a hyphen keeps its capitals; a full name is read as before.
        assert_eq!(clean_name("ПЕТРОВА-ВОДКИНА"), "Петрова-Водкина");
        let full = PersonName::parse("Смирнова Ольга Игоревна");
        assert_eq!(full.given.as_deref(), Some("Ольга"));
    }

    fn parts(s: &str) -> (Option<String>, Option<String>, Option<String>) {
        let n = PersonName::parse(s);
        (n.surname, n.given, n.patronymic)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn splits_in_any_order() {
        let want = (some("Иванов"), some("Сергей"), some("Петрович"));
        for typed in [
            "Иванов Сергей Петрович",
            "Сергей Петрович Иванов",
            "иванов сергей петрович",
            "ИВАНОВ СЕРГЕЙ ПЕТРОВИЧ",
            "  Иванов,  Сергей Петрович ",
            "Сергей Иванов Петрович",
        ] {
            assert_eq!(parts(typed), want, "{typed}");
        }
        assert_eq!(
            parts("Ivanov Sergey"),
            (some("Ivanov"), some("Sergey"), None)
        );
        assert_eq!(
            parts("Sergey Ivanov"),
            (some("Ivanov"), some("Sergey"), None)
        );
        assert_eq!(
            parts("Сергей Иванов"),
            (some("Иванов"), some("Сергей"), None)
        );
        assert_eq!(
            parts("Иванов Сергей"),
            (some("Иванов"), some("Сергей"), None)
        );
        assert_eq!(
            parts("Сергей Петрович"),
            (None, some("Сергей"), some("Петрович"))
        );
        assert_eq!(parts("Сергей"), (None, some("Сергей"), None));
        assert_eq!(parts("Иванов"), (some("Иванов"), None, None));
        assert_eq!(parts(""), (None, None, None));
    }

    #[test]
    fn female_and_hyphenated_names() {
        assert_eq!(
            parts("Анна Сергеевна Петрова-Водкина"),
            (some("Петрова-Водкина"), some("Анна"), some("Сергеевна"))
        );
        assert_eq!(
            parts("Полина Ильинична Смирнова"),
            (some("Смирнова"), some("Полина"), some("Ильинична"))
        );
        assert_eq!(parts("Кузьмина Марина Никитична").0, some("Кузьмина"));
        assert_eq!(
            PersonName::parse("Смирнова Ольга Игоревна").gender(),
            Some(Gender::Female)
        );
        assert_eq!(
            PersonName::parse("Ленин Владимир Ильич").gender(),
            Some(Gender::Male)
        );
        assert_eq!(PersonName::parse("Иванов Сергей").gender(), None);
    }

    #[test]
    fn turkic_patronymics() {
        assert_eq!(
            parts("Мамедов Эльдар Гусейн оглы"),
            (some("Мамедов"), some("Эльдар"), some("Гусейн оглы"))
        );
        let n = PersonName::parse("Алиева Лейла Ахмед кызы");
        assert_eq!(n.patronymic.as_deref(), Some("Ахмед кызы"));
        assert_eq!(n.gender(), Some(Gender::Female));
        assert_eq!(
            PersonName::parse("Мамедов Эльдар Гусейн оглы").gender(),
            Some(Gender::Male)
        );
    }

    #[test]
    fn initials() {
        assert_eq!(
            PersonName::parse("Иванов Сергей Петрович").initials(),
            "Иванов С. П."
        );
        assert_eq!(PersonName::parse("Иванов Сергей").initials(), "Иванов С.");
        assert_eq!(
            PersonName::parse("Петрова-Водкина Анна-Мария").initials(),
            "Петрова-Водкина А.-М."
        );
        assert_eq!(PersonName::parse("Ivanov Sergey").initials(), "Ivanov S.");
        assert_eq!(
            PersonName::parse("Сергей Петрович").initials(),
            "Сергей Петрович"
        );
    }

    #[test]
    fn keys_meet_across_scripts_and_spellings() {
        for group in [
            &["Сергей", "Sergey", "Sergei", "SERGEJ"][..],
            &["Юлия", "Yulia", "Julia", "Yuliya", "Iuliia"],
            &["Дмитрий", "Dmitry", "Dmitriy", "Dmitrii"],
            &["Алексей", "Alexey", "Aleksei", "Aleksey"],
            &["Михаил", "Mikhail", "Mihail"],
            &["Наталья", "Natalya", "Natalia"],
            &["Фёдор", "Федор", "Fyodor", "Fedor"],
            &["Семёнов", "Семенов", "Semyonov", "Semenov"],
            &["Евгений", "Yevgeny", "Evgeniy", "Evgenii"],
            &["Щукин", "Shchukin", "Schukin"],
            &["Васильев", "Vasilyev", "Vasiliev", "Vasilev"],
            &["Андреевич", "Andreyevich", "Andreevich"],
            &["Кирилл", "Kirill", "Kiril"],
            &["Цой", "Tsoi", "Tsoy"],
        ] {
            let keys: Vec<String> = group.iter().map(|n| name_key(n)).collect();
            assert!(keys.iter().all(|k| *k == keys[0]), "{group:?} → {keys:?}");
        }
        assert_ne!(name_key("Иван"), name_key("Иванов"));
        assert_eq!(
            PersonName::parse("Ivanov Sergey Petrovich").key(),
            PersonName::parse("Сергей Петрович Иванов").key()
        );
    }

    #[test]
    fn transliterates() {
        assert_eq!(transliterate("Иванов Сергей"), "Ivanov Sergei");
        assert_eq!(transliterate("Щукина Юлия"), "Shchukina Iuliia");
    }

    #[test]
    fn cleans() {
        assert_eq!(
            clean_name("  иванова-петрова   анна "),
            "Иванова-Петрова Анна"
        );
        assert_eq!(clean_name("McDonald"), "McDonald");
        assert_eq!(clean_name("ＩＶＡＮ"), "Ivan");
        assert_eq!(clean_name("Гусейн ОГЛЫ"), "Гусейн оглы");
    }
}

#[cfg(test)]
mod all_gender_tests {
    use super::*;

    /// `ALL` lists every variant: adding one breaks this exhaustive match
    /// until it is listed there too.
    #[test]
    fn all_lists_every_variant() {
        let listed = |v: Gender| match v {
            Gender::Male | Gender::Female => Gender::ALL.contains(&v),
        };
        assert!(Gender::ALL.iter().all(|&v| listed(v)));
        assert_eq!(Gender::ALL.len(), 2);
    }
}
