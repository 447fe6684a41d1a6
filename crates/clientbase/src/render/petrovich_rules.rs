//! The rules of names in grammatical cases, in the format of the open
//! petrovich rules: for each part of a name (surname, given name,
//! patronymic) a list of exceptions (whole words) and a list of suffix rules,
//! each with the gender it applies to and five modifications, one per case
//! (genitive, dative, accusative, instrumental, prepositional).
//!
//! A modification is read left to right: each `-` removes one letter from
//! the end of the word, the letters after them are appended, and `.` leaves
//! the word as it is. The first rule whose gender fits and whose suffix the
//! word ends with wins, so rules for longer, more special endings come first.

use super::petrovich::RuleGender::{self, Any, Female, Male};

/// One rule: the gender, the endings (or whole words, for exceptions) it
/// matches, and the modification of each of the five cases.
pub(crate) struct Rule {
    pub gender: RuleGender,
    pub test: &'static [&'static str],
    pub mods: [&'static str; 5],
}

const fn r(gender: RuleGender, test: &'static [&'static str], mods: [&'static str; 5]) -> Rule {
    Rule { gender, test, mods }
}

const KEEP: [&str; 5] = [".", ".", ".", ".", "."];

/// First words of compound surnames that do not change when another word
/// follows (petrovich's `first_word` tag): Бонч-Бруевич, фон Мекк, ван Гог.
pub(crate) static SURNAME_FIRST_WORDS: &[&str] = &[
    "бонч",
    "абдул",
    "белиц",
    "гасан",
    "дюссар",
    "дюмон",
    "книппер",
    "корвин",
    "ван",
    "шолом",
    "тер",
    "призван",
    "мелик",
    "вар",
    "фон",
];

/// Whole surnames with their own forms.
pub(crate) static SURNAME_EXCEPTIONS: &[Rule] = &[
    r(
        Any,
        &[
            "дюма",
            "тома",
            "дега",
            "люка",
            "ферма",
            "гамарра",
            "петипа",
            "шандра",
            "скаля",
            "каруана",
        ],
        KEEP,
    ),
    r(
        Any,
        &[
            "гусь",
            "ремень",
            "камень",
            "онук",
            "богода",
            "нечипас",
            "долгопалец",
            "маненок",
            "рева",
            "кива",
        ],
        KEEP,
    ),
    r(
        Any,
        &["вий", "сой", "цой", "хой"],
        ["-я", "-ю", "-я", "-ем", "-е"],
    ),
    r(Any, &["я"], KEEP),
];

/// Surname endings.
pub(crate) static SURNAME_SUFFIXES: &[Rule] = &[
    // Feminine surnames that end in a consonant do not change: Анна Гринберг.
    r(
        Female,
        &[
            "б", "в", "г", "д", "ж", "з", "й", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х",
            "ц", "ч", "ш", "щ", "ъ", "ь",
        ],
        KEEP,
    ),
    r(Any, &["гава", "орота"], KEEP),
    r(Female, &["ска", "цка"], ["-ой", "-ой", "-ую", "-ой", "-ой"]),
    r(
        Female,
        &["цкая", "ская", "ная", "ая"],
        ["--ой", "--ой", "--ую", "--ой", "--ой"],
    ),
    r(Female, &["яя"], ["--ей", "--ей", "--юю", "--ей", "--ей"]),
    r(
        Female,
        &["ова", "ева", "ёва", "ина", "ына"],
        ["-ой", "-ой", "-у", "-ой", "-ой"],
    ),
    r(Male, &["иной"], ["-я", "-ю", "-я", "-ем", "-е"]),
    r(Male, &["уй"], ["-я", "-ю", "-я", "-ем", "-е"]),
    r(Any, &["ца"], ["-ы", "-е", "-у", "-ей", "-е"]),
    r(Male, &["рих"], ["а", "у", "а", "ом", "е"]),
    // Vowel endings of borrowed and Ukrainian surnames do not change:
    // Шевченко, Гюго, Дурново; neither do the old genitive plurals: Черных.
    r(Any, &["иа", "аа", "оа", "уа", "ыа", "еа", "юа", "эа"], KEEP),
    r(Any, &["их", "ых"], KEEP),
    r(Any, &["о", "е", "э", "и", "ы", "у", "ю"], KEEP),
    r(Any, &["ия"], ["-и", "-и", "-ю", "-ей", "-и"]),
    r(
        Any,
        &["га", "ка", "ха", "ча", "ща", "жа", "ша"],
        ["-и", "-е", "-у", "-ой", "-е"],
    ),
    r(Any, &["а"], ["-ы", "-е", "-у", "-ой", "-е"]),
    r(Male, &["ь"], ["-я", "-ю", "-я", "-ем", "-е"]),
    r(Any, &["я"], ["-и", "-е", "-ю", "-ей", "-е"]),
    r(
        Male,
        &["ей", "ай", "яй", "юй"],
        ["-я", "-ю", "-я", "-ем", "-е"],
    ),
    r(
        Male,
        &["кой", "гой", "хой", "жой", "шой", "щой", "чой"],
        ["-го", "-му", "-го", "--им", "-м"],
    ),
    r(Male, &["ой"], ["-го", "-му", "-го", "--ым", "-м"]),
    r(
        Male,
        &["ший", "щий", "жий", "чий", "ний"],
        ["--его", "--ему", "--его", "-м", "--ем"],
    ),
    r(Male, &["ый"], ["--ого", "--ому", "--ого", "-м", "--ом"]),
    r(
        Male,
        &["кий", "гий", "хий"],
        ["--ого", "--ому", "--ого", "-м", "--ом"],
    ),
    r(Male, &["ий"], ["-я", "-ю", "-я", "-ем", "-и"]),
    r(
        Male,
        &["ян", "ан", "йн", "ен", "нн", "он", "ун"],
        ["а", "у", "а", "ом", "е"],
    ),
    r(
        Male,
        &["ов", "ев", "ёв", "ин", "ын"],
        ["а", "у", "а", "ым", "е"],
    ),
    r(Male, &["ц", "ч", "ш", "щ", "ж"], ["а", "у", "а", "ем", "е"]),
    r(
        Male,
        &[
            "б", "в", "г", "д", "з", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х",
        ],
        ["а", "у", "а", "ом", "е"],
    ),
];

/// Whole given names with their own forms.
pub(crate) static GIVEN_EXCEPTIONS: &[Rule] = &[
    r(
        Male,
        &["лев"],
        ["--ьва", "--ьву", "--ьва", "--ьвом", "--ьве"],
    ),
    r(
        Male,
        &["пётр", "петр"],
        ["---етра", "---етру", "---етра", "---етром", "---етре"],
    ),
    r(Male, &["павел"], ["--ла", "--лу", "--ла", "--лом", "--ле"]),
    r(Male, &["илья"], ["-и", "-е", "-ю", "-ёй", "-е"]),
    r(Male, &["шота"], KEEP),
    r(
        Female,
        &[
            "агнес",
            "айгюль",
            "айгуль",
            "нинель",
            "рашель",
            "николь",
            "габриэль",
            "даниэль",
        ],
        KEEP,
    ),
];

/// Given-name endings.
pub(crate) static GIVEN_SUFFIXES: &[Rule] = &[
    r(Any, &["е", "ё", "и", "о", "у", "ы", "э", "ю"], KEEP),
    r(
        Female,
        &[
            "б", "в", "г", "д", "ж", "з", "й", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х",
            "ц", "ч", "ш", "щ", "ъ",
        ],
        KEEP,
    ),
    // Любовь, Юдифь.
    r(Female, &["ь"], ["-и", "-и", ".", "ю", "-и"]),
    r(Male, &["ь"], ["-я", "-ю", "-я", "-ем", "-е"]),
    r(
        Any,
        &["га", "ка", "ха", "ча", "ща", "жа"],
        ["-и", "-е", "-у", "-ой", "-е"],
    ),
    r(Any, &["ша"], ["-и", "-е", "-у", "-ей", "-е"]),
    r(Any, &["ца"], ["-ы", "-е", "-у", "-ей", "-е"]),
    r(Any, &["а"], ["-ы", "-е", "-у", "-ой", "-е"]),
    // Мария, Наталия: the dative and prepositional end in -и.
    r(Any, &["ия"], ["-и", "-и", "-ю", "-ей", "-и"]),
    r(Any, &["я"], ["-и", "-е", "-ю", "-ей", "-е"]),
    r(Male, &["ий"], ["-я", "-ю", "-я", "-ем", "-и"]),
    r(Male, &["й"], ["-я", "-ю", "-я", "-ем", "-е"]),
    r(Male, &["ж", "ц", "ч", "ш", "щ"], ["а", "у", "а", "ем", "е"]),
    r(
        Male,
        &[
            "б", "в", "г", "д", "з", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х",
        ],
        ["а", "у", "а", "ом", "е"],
    ),
];

/// Whole patronymics with their own forms (none: the endings say it all).
pub(crate) static PATRONYMIC_EXCEPTIONS: &[Rule] =
    &[r(Any, &["оглы", "кызы", "улы", "уулу"], KEEP)];

/// Patronymic endings.
pub(crate) static PATRONYMIC_SUFFIXES: &[Rule] = &[
    r(Male, &["ич"], ["а", "у", "а", "ем", "е"]),
    r(Female, &["на"], ["-ы", "-е", "-у", "-ой", "-е"]),
];
