//! Field by field comparison of two clients into agreement levels.

use super::features::Features;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A field the matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchField {
    /// Phone numbers in E.164: any number in common, or two numbers one digit
    /// apart.
    Phone,
    /// Email addresses: the same mailbox, or one typo apart.
    Email,
    /// Surname (фамилия), across scripts; a feminine form is the same family.
    Surname,
    /// Given name (имя), short forms included (Саша for Александр).
    Given,
    /// Patronymic (отчество).
    Patronymic,
    /// Birthday, with day and month swapped or one part mistyped.
    Birthday,
    /// A company's tax id (ИНН), or one digit of it mistyped.
    TaxId,
    /// A company's name without its legal form.
    CompanyName,
    /// City.
    City,
    /// Street address.
    Address,
    /// Custom fields the schema marks as identifying (a passport, СНИЛС, a
    /// loyalty card): the same value of one field, one character mistyped.
    Identifier,
}

/// How many fields there are.
pub(crate) const FIELDS: usize = 11;

impl MatchField {
    /// Every field, in the order explanations list them.
    pub const ALL: [MatchField; FIELDS] = [
        MatchField::Phone,
        MatchField::Email,
        MatchField::Surname,
        MatchField::Given,
        MatchField::Patronymic,
        MatchField::Birthday,
        MatchField::TaxId,
        MatchField::CompanyName,
        MatchField::City,
        MatchField::Address,
        MatchField::Identifier,
    ];

    /// The snake_case name (`company_name`).
    pub fn name(self) -> &'static str {
        match self {
            MatchField::Phone => "phone",
            MatchField::Email => "email",
            MatchField::Surname => "surname",
            MatchField::Given => "given",
            MatchField::Patronymic => "patronymic",
            MatchField::Birthday => "birthday",
            MatchField::TaxId => "tax_id",
            MatchField::CompanyName => "company_name",
            MatchField::City => "city",
            MatchField::Address => "address",
            MatchField::Identifier => "identifier",
        }
    }

    /// The field with this name.
    pub fn from_name(name: &str) -> Option<MatchField> {
        MatchField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The names of the field's agreement levels, level 0 (missing on one side)
    /// first and "different" last.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            MatchField::Phone => &["missing", "same", "one_digit", "different"],
            MatchField::TaxId => &["missing", "same", "one_digit", "different"],
            MatchField::City => &["missing", "same", "close", "different"],
            MatchField::Email | MatchField::Identifier => {
                &["missing", "same", "one_typo", "different"]
            }
            MatchField::Surname => &["missing", "same", "close", "same_family", "different"],
            MatchField::Given => &["missing", "same", "close", "initial", "different"],
            MatchField::Patronymic => &["missing", "same", "close", "initial", "different"],
            MatchField::CompanyName | MatchField::Address => {
                &["missing", "same", "close", "different"]
            }
            MatchField::Birthday => &[
                "missing",
                "same",
                "day_month_swapped",
                "one_part_differs",
                "different",
            ],
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The level that means the values disagree.
    pub(crate) fn different(self) -> u8 {
        (self.levels().len() - 1) as u8
    }

    /// Whether an exact agreement is weighed by how common the value is.
    pub(crate) fn term_frequency(self) -> bool {
        matches!(
            self,
            MatchField::Phone
                | MatchField::Email
                | MatchField::Surname
                | MatchField::Given
                | MatchField::Patronymic
                | MatchField::City
                | MatchField::Address
                | MatchField::CompanyName
        )
    }
}

impl fmt::Display for MatchField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const MISSING: u8 = 0;
const SAME: u8 = 1;

/// Two clients compared: a level per field and, where they agree exactly, the
/// value they agree on (for term frequencies).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison<'a> {
    pub levels: [u8; FIELDS],
    pub agreed: [Option<&'a str>; FIELDS],
    /// Phones agree on this number (kept apart: it is an integer).
    pub agreed_phone: Option<u64>,
    /// Surname and given name were compared crosswise (typed in each other's fields).
    pub swapped_names: bool,
}

/// Jaro-Winkler similarity that counts as a close spelling of a name.
const CLOSE_NAME: f64 = 0.92;
/// Jaro-Winkler similarity that counts as a close address or company name.
const CLOSE_TEXT: f64 = 0.90;

/// Compares two clients field by field.
pub(crate) fn compare<'a>(a: &'a Features, b: &'a Features) -> Comparison<'a> {
    let mut c = Comparison {
        levels: [MISSING; FIELDS],
        agreed: [None; FIELDS],
        agreed_phone: None,
        swapped_names: false,
    };
    let mut set = |field: MatchField, level: u8, agreed: Option<&'a str>| {
        c.levels[field.index()] = level;
        if level == SAME {
            c.agreed[field.index()] = agreed;
        }
    };
    let phone = shared_phone(&a.phones, &b.phones);
    if !a.phones.is_empty() && !b.phones.is_empty() {
        let level = if phone.is_some() {
            SAME
        } else if one_digit_apart(&a.phones, &b.phones) {
            2
        } else {
            3
        };
        set(MatchField::Phone, level, None);
    }
    if !a.emails.is_empty() && !b.emails.is_empty() {
        let (level, key) = compare_emails(a, b);
        set(MatchField::Email, level, key);
    }
    if !a.company && !b.company {
        let (s, g, swapped) = compare_names(a, b);
        set(MatchField::Surname, s.0, s.1);
        set(MatchField::Given, g.0, g.1);
        c.swapped_names = swapped;
        let (level, key) = compare_patronymics(a, b);
        set(MatchField::Patronymic, level, key);
        set(MatchField::Birthday, compare_birthdays(a, b), None);
    }
    if let (Some(x), Some(y)) = (&a.tax_id, &b.tax_id) {
        let level = if x == y {
            SAME
        } else if tax_id_typo(x, y) {
            2
        } else {
            3
        };
        set(MatchField::TaxId, level, Some(x));
    }
    let (level, key) = compare_text(
        a.company_name.as_deref(),
        b.company_name.as_deref(),
        MatchField::CompanyName,
    );
    set(MatchField::CompanyName, level, key);
    let (level, key) = compare_words(a.city.as_deref(), b.city.as_deref(), MatchField::City);
    set(MatchField::City, level, key);
    let (mut level, mut key) = compare_text(
        a.address.as_deref(),
        b.address.as_deref(),
        MatchField::Address,
    );
    if let (Some(x), Some(y)) = (&a.postcode, &b.postcode) {
        if x != y && level != MISSING && level != MatchField::Address.different() {
            // One street address under two postcodes is two places (the same
            // street name in two towns): no evidence either way.
            (level, key) = (MISSING, None);
        } else if x == y && level == 2 {
            // A typo in the street, under one postcode, is the same address.
            (level, key) = (SAME, a.address.as_deref());
        }
    }
    set(MatchField::Address, level, key);
    if !a.identifiers.is_empty() && !b.identifiers.is_empty() {
        set(MatchField::Identifier, compare_identifiers(a, b), None);
    }
    c.agreed_phone = phone;
    c
}

/// The first number two sorted lists share.
fn shared_phone(a: &[u64], b: &[u64]) -> Option<u64> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => return Some(a[i]),
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    None
}

/// Whether two tax ids are one digit apart, check digits aside: a digit
/// mistyped in an ИНН body that a form then "fixed" by recomputing the check
/// digits differs in those too.
fn tax_id_typo(x: &str, y: &str) -> bool {
    let body = |t: &str| match t.len() {
        10 => t.len() - 1,
        12 => t.len() - 2,
        n => n,
    };
    edits_within(x.as_bytes(), y.as_bytes(), 1)
        || (x.len() == y.len()
            && edits_within(&x.as_bytes()[..body(x)], &y.as_bytes()[..body(y)], 1))
}

/// Whether two valid numbers of the lists are one digit apart: one digit
/// mistyped, or two neighbours swapped.
fn one_digit_apart(a: &[u64], b: &[u64]) -> bool {
    let valid = |p: &&u64| **p & super::features::INVALID_NUMBER == 0;
    a.iter().filter(valid).any(|x| {
        b.iter()
            .filter(valid)
            .any(|y| numbers_one_digit_apart(*x, *y))
    })
}

/// Two numbers of as many digits that differ in one digit or in two
/// neighbours swapped, compared digit by digit from the right.
fn numbers_one_digit_apart(mut x: u64, mut y: u64) -> bool {
    let mut differ = [0usize; 2];
    let mut count = 0;
    let mut digits = ([0u8; 20], [0u8; 20]);
    let mut i = 0;
    while x > 0 || y > 0 {
        if x == 0 || y == 0 {
            return false;
        }
        let (dx, dy) = ((x % 10) as u8, (y % 10) as u8);
        digits.0[i] = dx;
        digits.1[i] = dy;
        if dx != dy {
            if count == 2 {
                return false;
            }
            differ[count] = i;
            count += 1;
        }
        x /= 10;
        y /= 10;
        i += 1;
    }
    match count {
        1 => true,
        2 => {
            let (p, q) = (differ[0], differ[1]);
            q == p + 1 && digits.0[p] == digits.1[q] && digits.0[q] == digits.1[p]
        }
        _ => false,
    }
}

/// Identifiers of the same field: equal, one character apart, or different
/// (missing when the two records fill no field in common).
fn compare_identifiers(a: &Features, b: &Features) -> u8 {
    let (mut typo, mut differ) = (false, false);
    for (field, x) in &a.identifiers {
        for (_, y) in b.identifiers.iter().filter(|(o, _)| o == field) {
            if x == y {
                return SAME;
            }
            if edits_within(x.as_bytes(), y.as_bytes(), 1) {
                typo = true;
            } else {
                differ = true;
            }
        }
    }
    if typo {
        2
    } else if differ {
        3
    } else {
        MISSING
    }
}

fn compare_emails<'a>(a: &'a Features, b: &'a Features) -> (u8, Option<&'a str>) {
    let mut best = 3;
    for x in &a.emails {
        for y in &b.emails {
            if x.key == y.key {
                return (SAME, Some(&x.key));
            }
            if best > 2 && one_typo_apart(x, y) {
                best = 2;
            }
        }
    }
    (best, None)
}

/// One letter changed, dropped, added or swapped anywhere in the address
/// (`mial.ru` for `mail.ru` too). Digits are not typos: `andrey1` and
/// `andrey2` are two mailboxes, usually of two people.
fn one_typo_apart(x: &super::features::EmailKeys, y: &super::features::EmailKeys) -> bool {
    let (ax, ay) = (&*x.address, &*y.address);
    ax.chars()
        .filter(char::is_ascii_digit)
        .eq(ay.chars().filter(char::is_ascii_digit))
        && edits_within(ax.as_bytes(), ay.as_bytes(), 1)
}

/// Jaro-Winkler similarity of two keys, over bytes and without allocating for
/// keys up to 64 bytes (longer ones go to `strsim`).
pub(crate) fn jaro_winkler(x: &str, y: &str) -> f64 {
    let (a, b) = (x.as_bytes(), y.as_bytes());
    const MAX: usize = 64;
    if a.len() > MAX || b.len() > MAX {
        return strsim::jaro_winkler(x, y);
    }
    if a.is_empty() || b.is_empty() {
        return if a.len() == b.len() { 1.0 } else { 0.0 };
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_hit = [false; MAX];
    let mut b_hit = [false; MAX];
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_hit[j] && b[j] == c {
                a_hit[i] = true;
                b_hit[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0;
    for (i, &c) in a.iter().enumerate() {
        if a_hit[i] {
            while !b_hit[j] {
                j += 1;
            }
            if c != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(p, q)| p == q).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// Whether `a` becomes `b` in at most `max` edits (a letter changed, dropped,
/// added, or two neighbours swapped), without allocating for short strings.
pub(crate) fn edits_within(a: &[u8], b: &[u8], max: usize) -> bool {
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    // Common prefix and suffix cost nothing.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len()) <= max;
    }
    const MAX: usize = 64;
    if a.len() >= MAX || b.len() >= MAX {
        return strsim::osa_distance(&String::from_utf8_lossy(a), &String::from_utf8_lossy(b))
            <= max;
    }
    // Optimal string alignment distance over three rotating rows of one buffer.
    let width = b.len() + 1;
    let mut rows = [0u8; 3 * (MAX + 1)];
    let row = |i: usize| (i % 3) * width;
    for (j, cell) in rows.iter_mut().enumerate().take(width) {
        *cell = j as u8;
    }
    for i in 1..=a.len() {
        let (cur, prev, back) = (row(i), row(i - 1), row(i.wrapping_sub(2)));
        rows[cur] = i as u8;
        let mut row_min = i as u8;
        for j in 1..=b.len() {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev + j] + 1)
                .min(rows[cur + j - 1] + 1)
                .min(rows[prev + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[back + j - 2] + 1);
            }
            rows[cur + j] = d;
            row_min = row_min.min(d);
        }
        if usize::from(row_min) > max {
            return false;
        }
    }
    usize::from(rows[row(a.len()) + b.len()]) <= max
}

type Agreement<'a> = (u8, Option<&'a str>);

/// Surname and given name, straight or crosswise, whichever agrees better.
fn compare_names<'a>(a: &'a Features, b: &'a Features) -> (Agreement<'a>, Agreement<'a>, bool) {
    let straight = (
        compare_surnames(a.surname.as_deref(), b.surname.as_deref(), a, b),
        compare_given_keys(&a.given, Given::of(a), &b.given, Given::of(b)),
    );
    let (Some(a_surname), Some(b_surname), Some(a_given), Some(b_given)) = (
        a.surname.as_deref(),
        b.surname.as_deref(),
        a.given.first(),
        b.given.first(),
    ) else {
        return (straight.0, straight.1, false);
    };
    if straight.0 .0 == SAME && straight.1 .0 == SAME {
        return (straight.0, straight.1, false);
    }
    // Typed in each other's fields: a's surname against b's given name and
    // back. The word in the surname field may be a short form (`Саша`).
    let as_given = |f: &'a Features, surname: &'a str| -> Vec<&'a str> {
        if f.surname_as_given.is_empty() {
            vec![surname]
        } else {
            f.surname_as_given.iter().map(|k| &**k).collect()
        }
    };
    let crossed = [
        (
            compare_surnames(Some(a_surname), Some(b_given), a, b),
            compare_given_keys(
                &a.given,
                Given::of(a),
                &as_given(b, b_surname),
                Given::as_surname(b),
            ),
        ),
        (
            compare_surnames(Some(a_given), Some(b_surname), a, b),
            compare_given_keys(
                &b.given,
                Given::of(b),
                &as_given(a, a_surname),
                Given::as_surname(a),
            ),
        ),
    ];
    let rank = |level: u8, field: MatchField| -> u8 {
        match level {
            MISSING => 2,
            SAME => 0,
            l if l == field.different() => 3,
            _ => 1,
        }
    };
    let score = |p: &(Agreement, Agreement)| {
        rank(p.0 .0, MatchField::Surname) + rank(p.1 .0, MatchField::Given)
    };
    let best = crossed
        .into_iter()
        .min_by_key(|p| score(p))
        .filter(|p| score(p) < score(&straight));
    match best {
        Some((surname, given)) => (surname, given, true),
        None => (straight.0, straight.1, false),
    }
}

fn compare_surnames<'a>(
    x: Option<&'a str>,
    y: Option<&'a str>,
    a: &Features,
    b: &Features,
) -> Agreement<'a> {
    let (Some(x), Some(y)) = (x, y) else {
        return (MISSING, None);
    };
    if x == y {
        return (SAME, Some(x));
    }
    if let (Some(fa), Some(fb)) = (&a.family, &b.family) {
        let same_gender = a.gender.is_some() && a.gender == b.gender;
        if fa == fb && (fa.len() < x.len() || fb.len() < y.len()) && !same_gender {
            return (3, None);
        }
    }
    if close_names(x, y) {
        return (2, None);
    }
    (4, None)
}

/// One typo apart (two in a name of six letters or more: one Cyrillic letter
/// can be two Latin ones), or close by Jaro-Winkler.
fn close_names(x: &str, y: &str) -> bool {
    let shorter = x.len().min(y.len());
    if x.len().abs_diff(y.len()) > 2 || shorter < 3 {
        return false;
    }
    let typos = if shorter >= 6 { 2 } else { 1 };
    edits_within(x.as_bytes(), y.as_bytes(), typos) || jaro_winkler(x, y) >= CLOSE_NAME
}

/// Given names: the same name or short form, a close spelling, an initial
/// against a name it begins. Two listed names that are not forms of one
/// another are two people however alike they are spelled (Дарья, Мария).
/// What is known of a given name beyond its keys.
#[derive(Clone, Copy)]
struct Given {
    /// Typed as an initial (`С.`).
    initial: bool,
    /// A listed given name or short form.
    known: bool,
}

impl Given {
    fn of(f: &Features) -> Given {
        Given {
            initial: f.given_initial,
            known: f.given_known,
        }
    }

    /// The word in the surname field read as a given name (swapped fields).
    fn as_surname(f: &Features) -> Given {
        Given {
            initial: false,
            known: !f.surname_as_given.is_empty(),
        }
    }
}

fn compare_given_keys<'a, Y: AsRef<str>>(
    x: &'a [std::sync::Arc<str>],
    x_is: Given,
    y: &[Y],
    y_is: Given,
) -> Agreement<'a> {
    let (x_initial, y_initial) = (x_is.initial, y_is.initial);
    let (Some(fx), Some(fy)) = (x.first(), y.first()) else {
        return (MISSING, None);
    };
    let fy = fy.as_ref();
    if x_initial || y_initial {
        let agree = if x_initial && y_initial {
            **fx == *fy
        } else if x_initial {
            y.iter().any(|n| n.as_ref().starts_with(&**fx))
        } else {
            x.iter().any(|n| n.starts_with(fy))
        };
        return (if agree { 3 } else { 4 }, None);
    }
    // A short form agrees with its full name through the full name's key.
    if let Some(common) = x.iter().find(|k| y.iter().any(|g| g.as_ref() == &***k)) {
        return (SAME, Some(common));
    }
    // A typo of a listed name is one letter off it.
    let listed = u8::from(x_is.known) + u8::from(y_is.known);
    let close = match listed {
        0 => close_names(fx, fy),
        1 => edits_within(fx.as_bytes(), fy.as_bytes(), 1),
        _ => false,
    };
    (if close { 2 } else { 4 }, None)
}

/// Patronymics: the same, a close spelling, or an initial against the
/// patronymic it begins (`Я.` for `Яковлевич`).
fn compare_patronymics<'a>(a: &'a Features, b: &'a Features) -> Agreement<'a> {
    let (Some(x), Some(y)) = (a.patronymic.as_deref(), b.patronymic.as_deref()) else {
        return (MISSING, None);
    };
    if a.patronymic_initial || b.patronymic_initial {
        let agree = if a.patronymic_initial && b.patronymic_initial {
            x == y
        } else if a.patronymic_initial {
            y.starts_with(x)
        } else {
            x.starts_with(y)
        };
        return (if agree { 3 } else { 4 }, None);
    }
    compare_words(Some(x), Some(y), MatchField::Patronymic)
}

fn compare_words<'a>(x: Option<&'a str>, y: Option<&'a str>, field: MatchField) -> Agreement<'a> {
    let (Some(x), Some(y)) = (x, y) else {
        return (MISSING, None);
    };
    if x == y {
        (SAME, Some(x))
    } else if close_names(x, y) {
        (2, None)
    } else {
        (field.different(), None)
    }
}

/// The numbers in a text (house, building, flat).
fn numbers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
}

fn compare_text<'a>(x: Option<&'a str>, y: Option<&'a str>, field: MatchField) -> Agreement<'a> {
    let (Some(x), Some(y)) = (x, y) else {
        return (MISSING, None);
    };
    if x == y {
        (SAME, Some(x))
    } else if !numbers(x).eq(numbers(y)) {
        // Another house or flat on the same street is another address.
        (field.different(), None)
    } else if jaro_winkler(x, y) >= CLOSE_TEXT || x.contains(y) || y.contains(x) {
        (2, None)
    } else {
        (field.different(), None)
    }
}

fn compare_birthdays(a: &Features, b: &Features) -> u8 {
    let (Some((ya, ma, da)), Some((yb, mb, db))) = (a.birthday_parts(), b.birthday_parts()) else {
        return MISSING;
    };
    if (ya, ma, da) == (yb, mb, db) {
        SAME
    } else if ya == yb && ma == db && da == mb {
        2
    } else if u8::from(ya == yb) + u8::from(ma == mb) + u8::from(da == db) == 2 {
        3
    } else {
        4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::contacts::ContactNormalizer;
    use chrono::NaiveDate;

    fn features(client: Client) -> Features {
        Features::of(&client, &ContactNormalizer::default(), &[])
    }

    fn level(c: &Comparison, field: MatchField) -> &'static str {
        field.levels()[c.levels[field.index()] as usize]
    }

    #[test]
    fn names_across_scripts_short_forms_and_swapped_fields() {
        let a = features(Client::person("Иванов", "Александр", Some("Петрович")));
        let b = features(Client::person("Ivanov", "Sasha", None));
        let c = compare(&a, &b);
        assert_eq!(level(&c, MatchField::Surname), "same");
        assert_eq!(level(&c, MatchField::Given), "same");
        assert_eq!(level(&c, MatchField::Patronymic), "missing");
        let swapped = features(Client::person("Александр", "Иванов", None));
        let c = compare(&a, &swapped);
        assert!(c.swapped_names);
        assert_eq!(level(&c, MatchField::Surname), "same");
        assert_eq!(level(&c, MatchField::Given), "same");
        let wife = features(Client::person("Иванова", "Мария", Some("Сергеевна")));
        let c = compare(&a, &wife);
        assert_eq!(level(&c, MatchField::Surname), "same_family");
        assert_eq!(level(&c, MatchField::Given), "different");
        let typo = features(Client::person("Иваноф", "Алексанр", Some("Петрович")));
        let c = compare(&a, &typo);
        assert_eq!(level(&c, MatchField::Surname), "close");
        assert_eq!(level(&c, MatchField::Given), "close");
    }

    #[test]
    fn postcodes_tell_places_with_one_street_address_apart() {
        let at = |address: &str, postcode: Option<&str>| {
            let mut c = Client::person("Петров", "Олег", None);
            c.address = Some(address.into());
            c.postcode = postcode.map(Into::into);
            features(c)
        };
        let home = at("ул. Дзержинского, д. 17", Some("190000"));
        let other1 = at("ул. Дзержинского, д. 17", Some("190 000"));
        let c = compare(&home, &other1);
        assert_eq!(level(&c, MatchField::Address), "same");
        // Another town's street of the same name: no evidence either way.
        let other2 = at("ул. Дзержинского, д. 17", Some("101000"));
        let c = compare(&home, &other2);
        assert_eq!(level(&c, MatchField::Address), "missing");
        // A typo in the street under one postcode is the same address.
        let other3 = at("ул. Дзержинскго, д. 17", Some("190000"));
        let c = compare(&home, &other3);
        assert_eq!(level(&c, MatchField::Address), "same");
        let other4 = at("ул. Дзержинскго, д. 17", None);
        let c = compare(&home, &other4);
        assert_eq!(level(&c, MatchField::Address), "close");
        // Another house stays another address whatever the postcode.
        let other5 = at("ул. Дзержинского, д. 19", Some("190000"));
        let c = compare(&home, &other5);
        assert_eq!(level(&c, MatchField::Address), "different");
    }

    #[test]
    fn emails_phones_and_birthdays() {
        let mut a = Client::person("Иванов", "Сергей", None)
            .with_phone("8 916 123-45-67")
            .with_email("sergey.ivanov@mail.ru");
        a.birthday = NaiveDate::from_ymd_opt(1985, 3, 7);
        let mut b = Client::person("Иванов", "Сергей", None)
            .with_phone("+7 (916) 1234567")
            .with_email("sergei.ivanov@mail.ru");
        b.birthday = NaiveDate::from_ymd_opt(1985, 7, 3);
        let (fa, fb) = (features(a.clone()), features(b.clone()));
        let c = compare(&fa, &fb);
        assert_eq!(level(&c, MatchField::Phone), "same");
        assert_eq!(c.agreed_phone, Some(79161234567));
        assert_eq!(level(&c, MatchField::Email), "one_typo");
        assert_eq!(level(&c, MatchField::Birthday), "day_month_swapped");
        b.emails[0].raw = "sergey.ivanov@mial.ru".into();
        b.birthday = NaiveDate::from_ymd_opt(1985, 3, 8);
        let (fa, fb) = (features(a.clone()), features(b.clone()));
        let c = compare(&fa, &fb);
        assert_eq!(level(&c, MatchField::Email), "one_typo");
        assert_eq!(level(&c, MatchField::Birthday), "one_part_differs");
        b.emails[0].raw = "petrov@yandex.ru".into();
        b.phones[0].raw = "8 903 000-00-00".into();
        b.birthday = NaiveDate::from_ymd_opt(1990, 1, 1);
        let (fa, fb) = (features(a), features(b));
        let c = compare(&fa, &fb);
        assert_eq!(level(&c, MatchField::Email), "different");
        assert_eq!(level(&c, MatchField::Phone), "different");
        assert_eq!(level(&c, MatchField::Birthday), "different");
    }

    #[test]
    fn jaro_winkler_agrees_with_strsim() {
        for (a, b) in [
            ("martha", "marhta"),
            ("dwayne", "duane"),
            ("ivanov", "ivanova"),
            ("sergei", "maria"),
            ("ул ленина д 5", "ул ленина д 5 кв 7"),
            ("a", "b"),
            ("abc", "abc"),
        ] {
            let ours = jaro_winkler(a, b);
            let theirs = strsim::jaro_winkler(a, b);
            if a.is_ascii() && b.is_ascii() {
                assert!((ours - theirs).abs() < 1e-9, "{a} {b}: {ours} {theirs}");
            } else {
                assert!((0.0..=1.0).contains(&ours));
            }
        }
    }

    #[test]
    fn edit_distance_bounds() {
        assert!(edits_within(b"mail.ru", b"mial.ru", 1));
        assert!(edits_within(b"ivanov", b"ivanv", 1));
        assert!(edits_within(b"ivanov", b"ivanovv", 1));
        assert!(!edits_within(b"ivanov", b"ivnaovv", 1));
        assert!(edits_within(b"tatiana", b"tatchna", 2));
        assert!(!edits_within(b"tatiana", b"tatchna", 1));
        assert!(!edits_within(b"abc", b"xyz", 2));
        assert!(edits_within(b"", b"a", 1));
        for (a, b) in [
            ("kitten", "sitting"),
            ("ca", "abc"),
            ("stepanova87", "stepanova97"),
        ] {
            let d = strsim::osa_distance(a, b);
            assert!(edits_within(a.as_bytes(), b.as_bytes(), d), "{a} {b}");
            assert!(!edits_within(a.as_bytes(), b.as_bytes(), d - 1), "{a} {b}");
        }
    }

    #[test]
    fn numbers_a_digit_apart() {
        assert!(numbers_one_digit_apart(79161234567, 79161234568));
        assert!(numbers_one_digit_apart(79161234567, 79161234576));
        assert!(numbers_one_digit_apart(79161234567, 79161243567));
        assert!(!numbers_one_digit_apart(79161234567, 79161234567 + 11));
        assert!(!numbers_one_digit_apart(79161234567, 7916123456));
        assert!(!numbers_one_digit_apart(79161234567, 79161235476));
    }

    #[test]
    fn a_tax_id_typo_is_not_another_company() {
        assert!(tax_id_typo("7707083893", "7707083894"));
        // A body digit changed and the check digit recomputed.
        assert!(tax_id_typo("6614584775", "6634584773"));
        assert!(tax_id_typo("630345955906", "630345955293"));
        assert!(!tax_id_typo("7707083893", "7736207543"));
        let a = features(Client::company("ООО «Ромашка»", Some("6614584775")));
        let b = features(Client::company("ООО «Ромашка»", Some("6634584773")));
        assert_eq!(level(&compare(&a, &b), MatchField::TaxId), "one_digit");
    }

    #[test]
    fn companies_by_tax_id_and_name() {
        let a = features(Client::company("ООО «Ромашка»", Some("7707083893")));
        let b = features(Client::company("Romashka", Some("7707083893")));
        let c = compare(&a, &b);
        assert_eq!(level(&c, MatchField::TaxId), "same");
        assert_eq!(level(&c, MatchField::CompanyName), "same");
        assert_eq!(level(&c, MatchField::Surname), "missing");
    }
}
