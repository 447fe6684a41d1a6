//! Russian names: surnames with their feminine forms, given names with real
//! frequency skew, patronymics, diminutives, spelling variants and transliteration.

use super::pick::Weighted;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// A person's grammatical gender, which the surname and patronymic agree with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Male: Иванов Сергей Петрович.
    Male,
    /// Female: Иванова Анна Петровна.
    Female,
}

impl Gender {
    /// The other gender.
    pub fn opposite(self) -> Gender {
        match self {
            Gender::Male => Gender::Female,
            Gender::Female => Gender::Male,
        }
    }
}

/// Surnames in the masculine form, most frequent first (the weight follows the rank).
static SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Анисимов",
    "Ерёмин",
    "Тихомиров",
    "Галкин",
    "Лукьянов",
    "Михеев",
    "Скворцов",
    "Юдин",
    "Белоусов",
    "Нестеров",
    "Симонов",
    "Прокофьев",
    "Харитонов",
    "Князев",
    "Цветков",
    "Левин",
    "Митрофанов",
    "Воронов",
    "Аксёнов",
    "Шевченко",
    "Бондаренко",
    "Ткаченко",
    "Кравченко",
    "Коваленко",
    "Савченко",
    "Хабибуллин",
    "Гарипов",
    "Сафин",
    "Валиев",
    "Алиев",
    "Мамедов",
    "Гасанов",
    "Юсупов",
    "Ибрагимов",
    "Абдуллаев",
    "Новицкий",
    "Каменский",
    "Покровский",
    "Вишневский",
    "Островский",
    "Жуковский",
    "Успенский",
    "Толстой",
    "Береговой",
    "Луговой",
    "Черных",
    "Седых",
    "Белых",
    "Ковальчук",
    "Полищук",
    "Петросян",
    "Саркисян",
    "Акопян",
    "Григорян",
    "Беридзе",
    "Гелашвили",
    "Ким",
    "Цой",
];

/// Male given names with relative frequency among adults.
static MALE_NAMES: &[(&str, u32)] = &[
    ("Александр", 40),
    ("Сергей", 38),
    ("Дмитрий", 34),
    ("Андрей", 30),
    ("Алексей", 30),
    ("Максим", 22),
    ("Евгений", 20),
    ("Иван", 20),
    ("Михаил", 20),
    ("Владимир", 18),
    ("Артём", 16),
    ("Николай", 14),
    ("Денис", 14),
    ("Павел", 14),
    ("Игорь", 13),
    ("Роман", 13),
    ("Олег", 12),
    ("Никита", 10),
    ("Илья", 10),
    ("Юрий", 9),
    ("Антон", 9),
    ("Виктор", 9),
    ("Кирилл", 9),
    ("Константин", 8),
    ("Егор", 7),
    ("Вадим", 6),
    ("Владислав", 6),
    ("Василий", 6),
    ("Руслан", 6),
    ("Даниил", 5),
    ("Станислав", 5),
    ("Вячеслав", 5),
    ("Тимур", 4),
    ("Валерий", 4),
    ("Анатолий", 4),
    ("Виталий", 4),
    ("Пётр", 4),
    ("Данила", 3),
    ("Григорий", 3),
    ("Геннадий", 3),
    ("Леонид", 3),
    ("Борис", 3),
    ("Георгий", 3),
    ("Фёдор", 3),
    ("Матвей", 3),
    ("Степан", 2),
    ("Лев", 2),
    ("Марк", 2),
    ("Тимофей", 2),
    ("Арсений", 2),
    ("Глеб", 2),
    ("Ярослав", 2),
    ("Семён", 2),
    ("Эдуард", 2),
    ("Валентин", 2),
    ("Богдан", 2),
    ("Филипп", 2),
    ("Марат", 2),
    ("Аркадий", 1),
    ("Ростислав", 1),
    ("Яков", 1),
    ("Савва", 1),
    ("Захар", 1),
    ("Всеволод", 1),
    ("Ринат", 1),
    ("Рустам", 1),
    ("Кузьма", 1),
    ("Лука", 1),
    ("Фома", 1),
];

/// Female given names with relative frequency among adults.
static FEMALE_NAMES: &[(&str, u32)] = &[
    ("Елена", 40),
    ("Ольга", 32),
    ("Наталья", 30),
    ("Татьяна", 28),
    ("Ирина", 26),
    ("Анна", 26),
    ("Мария", 22),
    ("Екатерина", 22),
    ("Светлана", 20),
    ("Юлия", 18),
    ("Анастасия", 18),
    ("Марина", 14),
    ("Дарья", 12),
    ("Ксения", 10),
    ("Виктория", 10),
    ("Людмила", 10),
    ("Галина", 8),
    ("Надежда", 8),
    ("Алина", 7),
    ("Полина", 7),
    ("Оксана", 7),
    ("Валентина", 6),
    ("Любовь", 6),
    ("Александра", 6),
    ("Кристина", 6),
    ("Евгения", 6),
    ("Алёна", 6),
    ("Вера", 5),
    ("Софья", 5),
    ("Елизавета", 5),
    ("Лариса", 5),
    ("Яна", 4),
    ("Маргарита", 4),
    ("Вероника", 4),
    ("Нина", 4),
    ("Валерия", 4),
    ("Диана", 3),
    ("Алла", 3),
    ("Тамара", 3),
    ("Инна", 3),
    ("Жанна", 2),
    ("Ангелина", 2),
    ("Варвара", 2),
    ("Регина", 2),
    ("Лидия", 2),
    ("Милана", 1),
    ("Василиса", 1),
    ("Таисия", 1),
    ("Ульяна", 1),
    ("Эльвира", 1),
    ("Зарина", 1),
    ("Гульнара", 1),
    ("Раиса", 1),
    ("Зинаида", 1),
];

/// Everyday short forms people give instead of the full name.
static DIMINUTIVES: &[(&str, &str)] = &[
    ("Александр", "Саша"),
    ("Алексей", "Лёша"),
    ("Дмитрий", "Дима"),
    ("Сергей", "Серёжа"),
    ("Андрей", "Андрюша"),
    ("Максим", "Макс"),
    ("Евгений", "Женя"),
    ("Иван", "Ваня"),
    ("Михаил", "Миша"),
    ("Владимир", "Вова"),
    ("Николай", "Коля"),
    ("Павел", "Паша"),
    ("Артём", "Тёма"),
    ("Константин", "Костя"),
    ("Владислав", "Влад"),
    ("Вячеслав", "Слава"),
    ("Станислав", "Стас"),
    ("Анатолий", "Толя"),
    ("Виктор", "Витя"),
    ("Юрий", "Юра"),
    ("Елена", "Лена"),
    ("Ольга", "Оля"),
    ("Наталья", "Наташа"),
    ("Татьяна", "Таня"),
    ("Ирина", "Ира"),
    ("Анна", "Аня"),
    ("Мария", "Маша"),
    ("Екатерина", "Катя"),
    ("Светлана", "Света"),
    ("Юлия", "Юля"),
    ("Анастасия", "Настя"),
    ("Дарья", "Даша"),
    ("Ксения", "Ксюша"),
    ("Виктория", "Вика"),
    ("Евгения", "Женя"),
    ("Александра", "Саша"),
    ("Людмила", "Люда"),
    ("Галина", "Галя"),
    ("Надежда", "Надя"),
    ("Елизавета", "Лиза"),
    ("Софья", "Соня"),
    ("Маргарита", "Рита"),
    ("Валентина", "Валя"),
    ("Любовь", "Люба"),
];

/// Official spellings that vary (besides ё written as е).
static SPELLING_VARIANTS: &[(&str, &str)] = &[
    ("Наталья", "Наталия"),
    ("Софья", "София"),
    ("Дарья", "Дария"),
    ("Даниил", "Данил"),
    ("Юлия", "Юлья"),
];

/// Patronymics that do not follow the regular rules.
static IRREGULAR_PATRONYMICS: &[(&str, &str, &str)] = &[
    ("Илья", "Ильич", "Ильинична"),
    ("Никита", "Никитич", "Никитична"),
    ("Кузьма", "Кузьмич", "Кузьминична"),
    ("Фома", "Фомич", "Фоминична"),
    ("Лука", "Лукич", "Лукинична"),
    ("Савва", "Саввич", "Саввична"),
    ("Данила", "Данилович", "Даниловна"),
    ("Лев", "Львович", "Львовна"),
    ("Павел", "Павлович", "Павловна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Яков", "Яковлевич", "Яковлевна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Георгий", "Георгиевич", "Георгиевна"),
];

/// The patronymic of a child of a father called `father` (a male given name),
/// in the child's gender: Сергей → Сергеевич / Сергеевна, Илья → Ильич / Ильинична,
/// Лев → Львович / Львовна, Юрий → Юрьевич / Юрьевна.
///
/// ```
/// use clientbase::generator::{patronymic, Gender};
/// assert_eq!(patronymic("Сергей", Gender::Male), "Сергеевич");
/// assert_eq!(patronymic("Никита", Gender::Female), "Никитична");
/// assert_eq!(patronymic("Игорь", Gender::Female), "Игоревна");
/// ```
pub fn patronymic(father: &str, gender: Gender) -> String {
    if let Some((_, m, f)) = IRREGULAR_PATRONYMICS.iter().find(|(n, _, _)| *n == father) {
        return match gender {
            Gender::Male => m,
            Gender::Female => f,
        }
        .to_string();
    }
    let (male, female) = ("ович", "овна");
    let (soft_male, soft_female) = ("евич", "евна");
    let (stem, suffix_m, suffix_f) = if let Some(stem) = father.strip_suffix("ий") {
        // Юрий → Юрь-евич; Василий → Василь-евич.
        (format!("{stem}ь"), soft_male, soft_female)
    } else if let Some(stem) = father.strip_suffix('й') {
        // Сергей → Серге-евич; Николай → Никола-евич.
        (stem.to_string(), soft_male, soft_female)
    } else if let Some(stem) = father.strip_suffix('ь') {
        // Игорь → Игор-евич.
        (stem.to_string(), soft_male, soft_female)
    } else if let Some(stem) = father.strip_suffix('а') {
        (stem.to_string(), "ич", "ична")
    } else if father.ends_with(['ж', 'ш', 'ч', 'щ', 'ц']) {
        (father.to_string(), soft_male, soft_female)
    } else {
        (father.to_string(), male, female)
    };
    match gender {
        Gender::Male => format!("{stem}{suffix_m}"),
        Gender::Female => format!("{stem}{suffix_f}"),
    }
}

/// The surname in `gender`: Иванов → Иванова, Каменский → Каменская,
/// Толстой → Толстая; Шевченко, Черных, Петросян stay as they are.
///
/// ```
/// use clientbase::generator::{surname_form, Gender};
/// assert_eq!(surname_form("Фёдоров", Gender::Female), "Фёдорова");
/// assert_eq!(surname_form("Жуковский", Gender::Female), "Жуковская");
/// assert_eq!(surname_form("Черных", Gender::Female), "Черных");
/// ```
pub fn surname_form(masculine: &str, gender: Gender) -> String {
    if gender == Gender::Male {
        return masculine.to_string();
    }
    for ending in ["ов", "ев", "ёв", "ин", "ын"] {
        if masculine.ends_with(ending) {
            return format!("{masculine}а");
        }
    }
    for ending in ["ский", "цкий"] {
        if let Some(stem) = masculine.strip_suffix(ending) {
            return format!("{stem}{}ая", &ending[..ending.len() - "ий".len()]);
        }
    }
    if let Some(stem) = masculine.strip_suffix("ой") {
        return format!("{stem}ая");
    }
    masculine.to_string()
}

struct Tables {
    surnames: Weighted,
    male: Weighted,
    female: Weighted,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables {
    // Zipf-like: Иванов is about 4 % of the base, the rarest surnames 0.3 %.
    surnames: Weighted::from_f64((0..SURNAMES.len()).map(|rank| 1.0 / (rank as f64 + 1.0).sqrt())),
    male: Weighted::new(MALE_NAMES.iter().map(|(_, w)| *w as u64)),
    female: Weighted::new(FEMALE_NAMES.iter().map(|(_, w)| *w as u64)),
});

/// A random masculine surname, common ones more often.
pub(crate) fn random_surname<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    SURNAMES[TABLES.surnames.index(rng)]
}

/// A random given name of `gender`.
pub(crate) fn random_given<R: Rng + ?Sized>(rng: &mut R, gender: Gender) -> &'static str {
    match gender {
        Gender::Male => MALE_NAMES[TABLES.male.index(rng)].0,
        Gender::Female => FEMALE_NAMES[TABLES.female.index(rng)].0,
    }
}

/// A random male given name, as a father's name for a patronymic.
pub(crate) fn random_father<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    random_given(rng, Gender::Male)
}

/// The everyday short form of a given name, if it has a common one.
pub(crate) fn diminutive(given: &str) -> Option<&'static str> {
    DIMINUTIVES
        .iter()
        .find(|(n, _)| *n == given)
        .map(|(_, d)| *d)
}

/// The gender of a given name the generator knows (full names only).
pub(crate) fn given_gender(given: &str) -> Option<Gender> {
    if MALE_NAMES.iter().any(|(n, _)| *n == given) {
        Some(Gender::Male)
    } else if FEMALE_NAMES.iter().any(|(n, _)| *n == given) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// The father's name a patronymic of `gender` was made from (`Яковлевна` gives
/// `Яков`), among the male names the generator knows.
pub(crate) fn father_of(patronymic_form: &str, gender: Gender) -> Option<&'static str> {
    MALE_NAMES
        .iter()
        .map(|(n, _)| *n)
        .find(|father| patronymic(father, gender) == patronymic_form)
}

/// The masculine surname whose `gender` form is `surname` (`Иванова` gives
/// `Иванов`), among the surnames the generator knows.
pub(crate) fn masculine_surname(surname: &str, gender: Gender) -> Option<&'static str> {
    SURNAMES
        .iter()
        .copied()
        .find(|s| surname_form(s, gender) == surname)
}

/// Another accepted spelling of a name part: ё written as е, Наталья as Наталия.
pub(crate) fn spelling_variant(part: &str) -> Option<String> {
    if let Some((_, v)) = SPELLING_VARIANTS.iter().find(|(n, _)| *n == part) {
        return Some(v.to_string());
    }
    if part.contains('ё') || part.contains('Ё') {
        return Some(part.replace('ё', "е").replace('Ё', "Е"));
    }
    None
}

/// How Cyrillic is written in Latin letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Translit {
    /// The everyday style used in email addresses and nicknames (Sergey, Yulia).
    Common,
    /// The passport style of 2013 (Sergei, Iuliia).
    Passport,
}

/// `text` in Latin letters; the first letter of each word keeps its case.
pub(crate) fn transliterate(text: &str, style: Translit) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let lower = ch.to_lowercase().next().unwrap_or(ch);
        let upper = ch != lower;
        let latin: &str = match (lower, style) {
            ('а', _) => "a",
            ('б', _) => "b",
            ('в', _) => "v",
            ('г', _) => "g",
            ('д', _) => "d",
            ('е', _) | ('ё', _) | ('э', _) => "e",
            ('ж', _) => "zh",
            ('з', _) => "z",
            ('и', _) => "i",
            ('й', Translit::Common) => "y",
            ('й', Translit::Passport) => "i",
            ('к', _) => "k",
            ('л', _) => "l",
            ('м', _) => "m",
            ('н', _) => "n",
            ('о', _) => "o",
            ('п', _) => "p",
            ('р', _) => "r",
            ('с', _) => "s",
            ('т', _) => "t",
            ('у', _) => "u",
            ('ф', _) => "f",
            ('х', _) => "kh",
            ('ц', _) => "ts",
            ('ч', _) => "ch",
            ('ш', _) => "sh",
            ('щ', _) => "shch",
            ('ъ', Translit::Common) => "",
            ('ъ', Translit::Passport) => "ie",
            ('ы', _) => "y",
            ('ь', _) => "",
            ('ю', Translit::Common) => "yu",
            ('ю', Translit::Passport) => "iu",
            ('я', Translit::Common) => "ya",
            ('я', Translit::Passport) => "ia",
            _ => {
                out.push(ch);
                continue;
            }
        };
        if upper {
            let mut chars = latin.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(latin);
        }
    }
    if style == Translit::Common {
        // Белый reads Bely, not Belyy.
        out = out.replace("yy", "y");
    }
    out
}

/// The lower-case Latin form used in logins and email addresses.
pub(crate) fn login_part(text: &str) -> String {
    transliterate(text, Translit::Common)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patronymics_follow_the_rules_and_exceptions() {
        let cases = [
            ("Сергей", "Сергеевич", "Сергеевна"),
            ("Николай", "Николаевич", "Николаевна"),
            ("Алексей", "Алексеевич", "Алексеевна"),
            ("Иван", "Иванович", "Ивановна"),
            ("Игорь", "Игоревич", "Игоревна"),
            ("Юрий", "Юрьевич", "Юрьевна"),
            ("Василий", "Васильевич", "Васильевна"),
            ("Дмитрий", "Дмитриевич", "Дмитриевна"),
            ("Илья", "Ильич", "Ильинична"),
            ("Никита", "Никитич", "Никитична"),
            ("Лев", "Львович", "Львовна"),
            ("Пётр", "Петрович", "Петровна"),
            ("Павел", "Павлович", "Павловна"),
            ("Михаил", "Михайлович", "Михайловна"),
            ("Артём", "Артёмович", "Артёмовна"),
            ("Кузьма", "Кузьмич", "Кузьминична"),
            ("Данила", "Данилович", "Даниловна"),
            ("Евгений", "Евгеньевич", "Евгеньевна"),
        ];
        for (father, m, f) in cases {
            assert_eq!(patronymic(father, Gender::Male), m, "{father}");
            assert_eq!(patronymic(father, Gender::Female), f, "{father}");
        }
        for (name, _) in MALE_NAMES {
            let p = patronymic(name, Gender::Male);
            assert!(p.ends_with("ич"), "{name} -> {p}");
            assert!(patronymic(name, Gender::Female).ends_with("на"), "{name}");
        }
    }

    #[test]
    fn surnames_agree_in_gender() {
        assert_eq!(surname_form("Иванов", Gender::Female), "Иванова");
        assert_eq!(surname_form("Ильин", Gender::Female), "Ильина");
        assert_eq!(surname_form("Каменский", Gender::Female), "Каменская");
        assert_eq!(surname_form("Новицкий", Gender::Female), "Новицкая");
        assert_eq!(surname_form("Толстой", Gender::Female), "Толстая");
        assert_eq!(surname_form("Шевченко", Gender::Female), "Шевченко");
        assert_eq!(surname_form("Петросян", Gender::Female), "Петросян");
        assert_eq!(surname_form("Ковальчук", Gender::Female), "Ковальчук");
        assert_eq!(surname_form("Иванов", Gender::Male), "Иванов");
    }

    #[test]
    fn transliteration_styles() {
        assert_eq!(
            transliterate("Юлия Щукина", Translit::Common),
            "Yuliya Shchukina"
        );
        assert_eq!(
            transliterate("Юлия Щукина", Translit::Passport),
            "Iuliia Shchukina"
        );
        assert_eq!(
            transliterate("Сергей Фёдоров", Translit::Common),
            "Sergey Fedorov"
        );
        assert_eq!(transliterate("Сергей", Translit::Passport), "Sergei");
        assert_eq!(transliterate("Елена", Translit::Common), "Elena");
        assert_eq!(login_part("Соловьёв"), "solovev");
    }

    #[test]
    fn frequent_surnames_are_frequent() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let n = 50_000;
        let ivanov = (0..n)
            .filter(|_| random_surname(&mut rng) == "Иванов")
            .count();
        let share = ivanov as f64 / n as f64;
        assert!(share > 0.025 && share < 0.055, "{share}");
        let rare = (0..n).filter(|_| random_surname(&mut rng) == "Цой").count();
        assert!(rare > 0 && rare * 5 < ivanov, "{rare} vs {ivanov}");
    }
}
