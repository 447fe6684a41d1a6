//! Phone numbers and the many ways people type them.
//!
//! [`type_phone_messily`] writes one valid number the way a person would type it
//! into a CRM field; [`messy_phones`] produces a realistic stream of phone fields
//! (extensions, two numbers in one field, the occasional invalid one) with the
//! number each was meant to be, to score a phone normalizer against.

use super::pick::{weighted, Weighted};
use super::places::{CITIES, LONG_AREA_CODES};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// What a phone field was meant to say: the ground truth for a normalizer.
///
/// Every generated number is valid in libphonenumber's metadata. One slip is
/// scored by intent: `+8 (916) 123-45-67` (the plus typed with the trunk 8) is
/// meant as +7 916 123-45-67, although a strict reader takes `+8…` as another
/// country code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IntendedPhone {
    /// The (first) number in E.164, or `None` when the field was typed wrong on
    /// purpose (too few or too many digits) and a normalizer should reject it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    /// The extension typed after the number (`доб. 123` gives `"123"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// A second number typed into the same field (`8 916 …, 8 495 … (раб.)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_e164: Option<String>,
}

/// A phone field as typed, with what it was meant to be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessyPhone {
    /// Exactly what was typed.
    pub raw: String,
    /// What it means.
    pub intended: IntendedPhone,
}

#[derive(Clone, Copy)]
enum Grouping {
    /// `123-45-67`
    Dash,
    /// `123 45 67`
    Space,
    /// `1234567`
    Solid,
    /// `123-4567`
    Dash34,
    /// `123.45.67`
    Dot,
}

/// How Russian (and Kazakh) numbers are typed, with relative frequency (per mille).
static NATIONAL_TEMPLATES: &[((&str, Grouping), u32)] = &[
    (("8 ({A}) {S}", Grouping::Dash), 140),
    (("+7 ({A}) {S}", Grouping::Dash), 140),
    (("+7 {A} {S}", Grouping::Space), 80),
    (("8{A}{S}", Grouping::Solid), 120),
    (("+7{A}{S}", Grouping::Solid), 100),
    (("7{A}{S}", Grouping::Solid), 30),
    (("7-{A}-{S}", Grouping::Dash), 30),
    (("8-{A}-{S}", Grouping::Dash), 50),
    (("{A} {S}", Grouping::Dash), 30),
    (("{A}{S}", Grouping::Solid), 30),
    (("+7({A}){S}", Grouping::Solid), 40),
    (("8 {A} {S}", Grouping::Solid), 30),
    (("8 {A} {S}", Grouping::Space), 60),
    (("8({A}){S}", Grouping::Dash), 50),
    (("+7 {A} {S}", Grouping::Dash), 50),
    (("+7 ({A}) {S}", Grouping::Space), 30),
    (("+7-{A}-{S}", Grouping::Dash), 20),
    (("8 ({A}) {S}", Grouping::Space), 30),
    (("+7 {A}-{S}", Grouping::Dash34), 10),
    (("({A}) {S}", Grouping::Dash), 20),
    (("8.{A}.{S}", Grouping::Dot), 5),
    (("+ 7 {A} {S}", Grouping::Space), 8),
    (("8\u{a0}({A})\u{a0}{S}", Grouping::Dash), 15),
    (("тел. 8 ({A}) {S}", Grouping::Dash), 12),
    (("моб. +7 {A} {S}", Grouping::Space), 8),
    ((" 8 ({A}) {S} ", Grouping::Dash), 15),
    (("8 ({A}) {S}", Grouping::Dash34), 10),
    // Typing the plus with an 8 is a common slip; the number is still meant as +7.
    (("+8 ({A}) {S}", Grouping::Dash), 3),
];

/// How foreign numbers are typed: `{C}` is the country code, `{O}` the operator or
/// area code, `{N}` the rest.
static FOREIGN_TEMPLATES: &[(&str, u32)] = &[
    ("+{C} {O} {N}", 40),
    ("+{C}{O}{N}", 20),
    ("+{C} ({O}) {N}", 15),
    ("00{C} {O} {N}", 8),
    ("8 10 {C} {O} {N}", 4),
    ("+{C}-{O}-{N}", 5),
];

static EXTENSIONS: &[(&str, u32)] = &[
    (" доб. {X}", 30),
    (" доб.{X}", 15),
    (", доб. {X}", 10),
    (" (доб. {X})", 10),
    (" вн. {X}", 10),
    (" ext. {X}", 8),
];

static TWO_NUMBERS: &[(&str, u32)] = &[
    ("{1}, {2} (раб.)", 30),
    ("{1}; {2}", 20),
    ("{1}, {2}", 25),
    ("{1} / {2}", 10),
    ("моб. {1}, раб. {2}", 10),
    ("{1}, {2} (дом.)", 5),
];

/// Country codes of the foreign numbers we write, with the operator code length.
static COUNTRIES: &[(&str, usize)] = &[
    ("375", 2),
    ("998", 2),
    ("374", 2),
    ("995", 3),
    ("380", 2),
    ("972", 2),
    ("996", 3),
    ("992", 2),
    ("994", 2),
    ("49", 2),
    ("86", 3),
    ("90", 3),
    ("44", 4),
    ("33", 1),
    ("39", 3),
    ("1", 3),
];

static NATIONAL_PICKER: LazyLock<Weighted> =
    LazyLock::new(|| Weighted::new(NATIONAL_TEMPLATES.iter().map(|(_, w)| *w as u64)));

/// Writes a valid E.164 number the way a person might type it: `8 (916) 123-45-67`,
/// `+7 916 123 45 67`, `89161234567`, `916 123-45-67`, `+7(916)1234567`, ...
/// Numbers outside +7 get international forms (`+375 29 123-45-67`, `00 49 …`,
/// `8 10 49 …`). The result always means `e164` (extensions and second numbers
/// are added by [`messy_phones`]); text that is not E.164 is returned as it is.
///
/// ```
/// use clientbase::generator::type_phone_messily;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let typed = type_phone_messily(&mut rng, "+79161234567");
/// let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
/// assert!(digits.ends_with("9161234567"), "{typed}");
/// ```
pub fn type_phone_messily<R: Rng + ?Sized>(rng: &mut R, e164: &str) -> String {
    let Some(digits) = e164.strip_prefix('+') else {
        return e164.to_string();
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return e164.to_string();
    }
    if let Some(national) = digits.strip_prefix('7').filter(|n| n.len() == 10) {
        type_national(rng, national)
    } else {
        type_foreign(rng, digits)
    }
}

fn type_national<R: Rng + ?Sized>(rng: &mut R, national: &str) -> String {
    let area_len = area_code_len(national);
    let (area, subscriber) = national.split_at(area_len);
    let (template, grouping) = NATIONAL_TEMPLATES[NATIONAL_PICKER.index(rng)].0;
    let grouped = group_subscriber(subscriber, grouping);
    template.replace("{A}", area).replace("{S}", &grouped)
}

fn area_code_len(national: &str) -> usize {
    LONG_AREA_CODES
        .iter()
        .find(|code| national.starts_with(*code))
        .map_or(3, |code| code.len())
}

fn group_subscriber(sub: &str, grouping: Grouping) -> String {
    let parts: Vec<&str> = match (sub.len(), grouping) {
        (_, Grouping::Solid) => vec![sub],
        (7, Grouping::Dash34) => vec![&sub[..3], &sub[3..]],
        (7, _) => vec![&sub[..3], &sub[3..5], &sub[5..]],
        (6, Grouping::Dash34) => vec![&sub[..3], &sub[3..]],
        (6, _) => vec![&sub[..2], &sub[2..4], &sub[4..]],
        (5, _) => vec![&sub[..1], &sub[1..3], &sub[3..]],
        _ => vec![sub],
    };
    let sep = match grouping {
        Grouping::Dash | Grouping::Dash34 => "-",
        Grouping::Space => " ",
        Grouping::Solid => "",
        Grouping::Dot => ".",
    };
    parts.join(sep)
}

fn type_foreign<R: Rng + ?Sized>(rng: &mut R, digits: &str) -> String {
    let (country, operator_len) = COUNTRIES
        .iter()
        .find(|(cc, _)| digits.starts_with(cc) && digits.len() > cc.len() + 4)
        .map_or((&digits[..2.min(digits.len())], 2), |(cc, len)| (*cc, *len));
    let national = &digits[country.len()..];
    let operator_len = operator_len.min(national.len().saturating_sub(4));
    let (operator, rest) = national.split_at(operator_len);
    let template = weighted(rng, FOREIGN_TEMPLATES);
    let rest = if template.contains(' ') && rng.random_bool(0.6) {
        group_foreign(rest, if rng.random_bool(0.5) { "-" } else { " " })
    } else {
        rest.to_string()
    };
    template
        .replace("{C}", country)
        .replace("{O}", operator)
        .replace("{N}", &rest)
}

fn group_foreign(rest: &str, sep: &str) -> String {
    match rest.len() {
        7 => format!("{}{sep}{}{sep}{}", &rest[..3], &rest[3..5], &rest[5..]),
        6 => format!("{}{sep}{}{sep}{}", &rest[..2], &rest[2..4], &rest[4..]),
        8 => format!("{}{sep}{}", &rest[..4], &rest[4..]),
        _ => rest.to_string(),
    }
}

/// Derives distinct phone numbers from distinct serials, so that two people in a
/// generated base never share a number by accident (only on purpose).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Numbering {
    mobile: (u64, u64),
    fixed: (u64, u64),
}

/// Which of an entity's numbers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MobileSlot {
    Main = 0,
    New = 1,
    Work = 2,
}

impl Numbering {
    pub(crate) fn new(seed: u64) -> Numbering {
        let mut state = seed ^ 0x005e_ed0f_9e0e;
        let mut next = || {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let coprime_to_ten = |x: u64, modulus: u64| {
            let mut a = (x % modulus) | 1;
            if a.is_multiple_of(5) {
                a = (a + 2) % modulus;
            }
            a.max(3)
        };
        Numbering {
            mobile: (
                coprime_to_ten(next(), 1_000_000_000),
                next() % 1_000_000_000,
            ),
            fixed: (coprime_to_ten(next(), 10_000_000), next() % 10_000_000),
        }
    }

    /// A Russian mobile number (+7 9xx), distinct for distinct `(serial, slot)`
    /// while `serial` is below 250 million.
    pub(crate) fn mobile(&self, serial: u64, slot: MobileSlot) -> String {
        let key = serial * 4 + slot as u64;
        let permute =
            |x: u64| (x.wrapping_mul(self.mobile.0).wrapping_add(self.mobile.1)) % 1_000_000_000;
        // +7 9300… is partly unassigned: walk the permutation past it, which keeps
        // distinct keys (all far below 300 000 000) on distinct numbers.
        let mut n = permute(key);
        while n / 1_000_000 == 300 {
            n = permute(n);
        }
        format!("+79{n:09}")
    }

    /// A landline in `area` (3 digits), distinct for distinct `(serial, office)`
    /// while `serial` is below 5 million.
    pub(crate) fn landline(&self, area: &str, serial: u64, office: bool) -> String {
        let key = serial * 2 + office as u64;
        let n = (key.wrapping_mul(self.fixed.0).wrapping_add(self.fixed.1)) % 10_000_000;
        format!("+7{area}{n:07}")
    }

    /// `n` digits (at most 8) that differ for distinct serials below `10^n`: the
    /// serial part of a generated ИНН.
    pub(crate) fn digits(&self, serial: u64, n: u32) -> u64 {
        let modulus = 10u64.pow(n.min(8));
        (serial.wrapping_mul(self.fixed.0).wrapping_add(self.fixed.1)) % modulus
    }

    /// An 8-800 free call number, distinct for distinct serials below 5 million.
    pub(crate) fn toll_free(&self, serial: u64) -> String {
        self.landline("800", serial, true)
    }
}

/// Typing noise applied to a number beyond its format.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Noise {
    /// Chance of an extension after the number.
    pub extension: f64,
    /// Chance that the field is typed wrong (too few or too many digits).
    pub invalid: f64,
}

/// Types `e164` messily, maybe with an extension or a typing error, maybe with
/// `second` in the same field.
pub(crate) fn dress<R: Rng + ?Sized>(
    rng: &mut R,
    e164: &str,
    noise: Noise,
    second: Option<&str>,
) -> MessyPhone {
    if e164.starts_with("+7") && rng.random_bool(noise.invalid) {
        return MessyPhone {
            raw: mistype(rng, e164),
            intended: IntendedPhone::default(),
        };
    }
    let mut raw = type_phone_messily(rng, e164);
    let mut extension = None;
    if rng.random_bool(noise.extension) {
        let len = *weighted(rng, &[(1u32, 2), (2, 4), (3, 5), (4, 2)]);
        let ext: String = (0..len)
            .map(|i| {
                let low = if i == 0 { 1 } else { 0 };
                char::from(b'0' + rng.random_range(low..10u8))
            })
            .collect();
        let form = weighted(rng, EXTENSIONS);
        raw = format!("{}{}", raw.trim_end(), form.replace("{X}", &ext));
        extension = Some(ext);
    }
    let second_e164 = second.map(|s| {
        let typed = type_phone_messily(rng, s);
        raw = weighted(rng, TWO_NUMBERS)
            .replace("{1}", raw.trim())
            .replace("{2}", typed.trim());
        s.to_string()
    });
    MessyPhone {
        raw,
        intended: IntendedPhone {
            e164: Some(e164.to_string()),
            extension,
            second_e164,
        },
    }
}

/// A field that does not hold a valid number: digits lost, a local number without
/// its area code, or a digit too many.
fn mistype<R: Rng + ?Sized>(rng: &mut R, e164: &str) -> String {
    let typed = type_phone_messily(rng, e164);
    let digits_at: Vec<usize> = typed
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    match rng.random_range(0..10) {
        0..=1 => {
            // The local number only, area code forgotten.
            let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
            let tail = &digits[digits.len().saturating_sub(7)..];
            if tail.len() == 7 {
                format!("{}-{}-{}", &tail[..3], &tail[3..5], &tail[5..])
            } else {
                tail.to_string()
            }
        }
        2 if digits_at.len() == 11 => {
            // A digit typed twice.
            let at = digits_at[digits_at.len() - 1];
            let mut out = typed.clone();
            let ch = out[at..].chars().next().unwrap_or('0');
            out.insert(at, ch);
            out
        }
        _ => {
            // Lost digits: keep at most 9, which no reading of a +7 number accepts.
            let drop = digits_at.len().saturating_sub(9).max(1);
            let mut out = typed.clone();
            for _ in 0..drop {
                let positions: Vec<usize> = out
                    .char_indices()
                    .filter(|(_, c)| c.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                // Drop from the tail half, where people lose track.
                let from = positions.len() / 2;
                let at = positions[rng.random_range(from..positions.len())];
                out.remove(at);
            }
            out.trim_end_matches(['-', ' ', '.']).to_string()
        }
    }
}

fn random_digits<R: Rng + ?Sized>(rng: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A random Russian mobile number (outside the partly unassigned +7 9300…).
pub(crate) fn random_mobile<R: Rng + ?Sized>(rng: &mut R) -> String {
    loop {
        let digits = random_digits(rng, 9);
        if !digits.starts_with("300") {
            return format!("+79{digits}");
        }
    }
}

/// A random landline number in `area` (3 to 5 digits).
pub(crate) fn random_landline<R: Rng + ?Sized>(rng: &mut R, area: &str) -> String {
    let first = rng.random_range(2..10u8);
    format!(
        "+7{area}{}{}",
        char::from(b'0' + first),
        random_digits(rng, 9 - area.len())
    )
}

/// A random Kazakhstan number: mostly mobile (+7 70x, 747, 77x), some Almaty landlines.
pub(crate) fn random_kazakh<R: Rng + ?Sized>(rng: &mut R) -> String {
    if rng.random_bool(0.8) {
        let code = super::pick::one_of(
            rng,
            &[
                "701", "702", "705", "707", "747", "771", "775", "776", "777", "778",
            ],
        );
        format!("+7{code}{}", random_digits(rng, 7))
    } else {
        let first = if rng.random_bool(0.5) { '2' } else { '3' };
        format!("+7727{first}{}", random_digits(rng, 6))
    }
}

/// A random foreign number from the countries Russian companies deal with most.
pub(crate) fn random_foreign<R: Rng + ?Sized>(rng: &mut R) -> String {
    let (prefix, rest) = *weighted(
        rng,
        &[
            (("375", &["29", "33", "44"][..]), 30),
            (("998", &["90", "91", "93", "94", "97"][..]), 20),
            (("374", &["91", "93", "94", "77"][..]), 8),
            (("995", &["555", "577", "598"][..]), 6),
            (("996", &["555", "700", "777"][..]), 6),
            (("49", &["30", "89", "40"][..]), 8),
            (("86", &["138", "139", "186"][..]), 8),
            (("90", &["532", "533", "542"][..]), 8),
            (("972", &["52", "54"][..]), 4),
            (("1", &["212", "415", "646"][..]), 5),
        ],
    );
    let operator = super::pick::one_of(rng, rest);
    let len = match prefix {
        "375" | "998" | "972" => 7,
        "374" => 6,
        "995" | "996" => 6,
        "49" => 8,
        "86" => 8,
        "90" => 7,
        _ => 7,
    };
    let first = rng.random_range(2..10u8);
    format!(
        "+{prefix}{operator}{}{}",
        char::from(b'0' + first),
        random_digits(rng, len - 1)
    )
}

/// An endless, seeded stream of realistic phone fields with their meaning: mostly
/// Russian mobiles, Moscow and St Petersburg landlines (+7 495, 499, 812), other
/// cities (including 4-digit area codes), 8-800 numbers, Kazakhstan and foreign
/// numbers; some with extensions, some with two numbers, a few typed wrong.
///
/// ```
/// use clientbase::generator::MessyPhones;
/// let phones: Vec<_> = MessyPhones::new(42).take(1000).collect();
/// assert!(phones.iter().any(|p| p.intended.e164.is_none()));
/// assert!(phones.iter().any(|p| p.intended.extension.is_some()));
/// ```
#[derive(Debug, Clone)]
pub struct MessyPhones {
    rng: ChaCha8Rng,
}

impl MessyPhones {
    /// The stream for `seed`; the same seed always gives the same phones.
    pub fn new(seed: u64) -> MessyPhones {
        MessyPhones {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl Iterator for MessyPhones {
    type Item = MessyPhone;

    fn next(&mut self) -> Option<MessyPhone> {
        let rng = &mut self.rng;
        let (number, landline) = match rng.random_range(0..1000) {
            0..=719 => (random_mobile(rng), false),
            720..=819 => {
                let area = weighted(rng, &[("495", 40), ("499", 20), ("812", 40)]);
                (random_landline(rng, area), true)
            }
            820..=869 => {
                let area = if rng.random_bool(0.6) {
                    let city = &CITIES[rng.random_range(0..CITIES.len())];
                    city.area_codes.first().copied().unwrap_or("343")
                } else {
                    super::pick::one_of(rng, LONG_AREA_CODES)
                };
                (random_landline(rng, area), true)
            }
            870..=899 => (random_landline(rng, "800"), true),
            900..=949 => (random_kazakh(rng), false),
            _ => (random_foreign(rng), false),
        };
        let second = rng.random_bool(0.02).then(|| {
            if landline {
                random_mobile(rng)
            } else {
                {
                    let area = *weighted(rng, &[("495", 50), ("812", 50)]);
                    random_landline(rng, area)
                }
            }
        });
        let noise = Noise {
            extension: if landline { 0.25 } else { 0.0 },
            invalid: 0.03,
        };
        Some(dress(rng, &number, noise, second.as_deref()))
    }
}

/// `n` phone fields from [`MessyPhones`] for `seed`.
pub fn messy_phones(seed: u64, n: usize) -> Vec<MessyPhone> {
    MessyPhones::new(seed).take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> String {
        s.chars().filter(char::is_ascii_digit).collect()
    }

    #[test]
    fn typed_numbers_keep_their_digits() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut forms = std::collections::BTreeSet::new();
        for _ in 0..5000 {
            let typed = type_phone_messily(&mut rng, "+79161234567");
            let d = digits(&typed);
            assert!(d.ends_with("9161234567"), "{typed}");
            assert!(
                d.len() == 10 || d.len() == 11 && (d.starts_with('7') || d.starts_with('8')),
                "{typed}"
            );
            forms.insert(typed);
        }
        for expected in [
            "8 (916) 123-45-67",
            "+7 916 123 45 67",
            "89161234567",
            "7-916-123-45-67",
            "916 123-45-67",
            "+7(916)1234567",
        ] {
            assert!(forms.contains(expected), "{expected} never typed");
        }
        let typed = type_phone_messily(&mut rng, "+73452123456");
        assert!(digits(&typed).ends_with("3452123456"));
    }

    #[test]
    fn foreign_numbers_keep_the_country() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..500 {
            let typed = type_phone_messily(&mut rng, "+375291234567");
            let d = digits(&typed);
            assert!(d.ends_with("375291234567"), "{typed}");
        }
        assert_eq!(type_phone_messily(&mut rng, "not a number"), "not a number");
    }

    #[test]
    fn invalid_fields_have_too_few_or_too_many_digits() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..2000 {
            let typed = mistype(&mut rng, "+79161234567");
            let n = digits(&typed).len();
            assert!(n <= 9 || n >= 12, "{typed}");
        }
    }

    #[test]
    fn numbering_is_injective() {
        let numbering = Numbering::new(9);
        let mut seen = std::collections::HashSet::new();
        for serial in 0..100_000 {
            assert!(seen.insert(numbering.mobile(serial, MobileSlot::Main)));
            assert!(seen.insert(numbering.mobile(serial, MobileSlot::New)));
            assert!(seen.insert(numbering.landline("495", serial, false)));
            assert!(seen.insert(numbering.toll_free(serial)));
        }
        assert_eq!(numbering.mobile(1, MobileSlot::Main).len(), 12);
    }

    #[test]
    fn the_stream_is_seeded_and_mixed() {
        let a = messy_phones(1, 3000);
        assert_eq!(a, messy_phones(1, 3000));
        assert_ne!(a, messy_phones(2, 3000));
        let count = |f: &dyn Fn(&MessyPhone) -> bool| a.iter().filter(|p| f(p)).count();
        assert!(count(&|p| p.intended.e164.is_none()) > 30);
        assert!(count(&|p| p.intended.second_e164.is_some()) > 20);
        assert!(
            count(&|p| p
                .intended
                .e164
                .as_deref()
                .is_some_and(|e| e.starts_with("+7812")))
                > 50
        );
        assert!(
            count(&|p| p
                .intended
                .e164
                .as_deref()
                .is_some_and(|e| e.starts_with("+7800")))
                > 30
        );
        assert!(
            count(&|p| p
                .intended
                .e164
                .as_deref()
                .is_some_and(|e| e.starts_with("+77")))
                > 50
        );
        assert!(count(&|p| p.raw.contains("доб")) > 10);
    }
}
