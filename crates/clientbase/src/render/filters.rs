//! The filters of Russian business formats, and the template objects for
//! money and people they read.
//!
//! | filter | gives |
//! | --- | --- |
//! | `money` | `123 456,78 ₽`: a no-break space (U+00A0) between thousands and before the sign, a decimal comma; `money("руб.")` another sign, `money("")` none |
//! | `amount_words` | `Сто двадцать три тысячи … рублей 78 копеек` (RUB, USD, EUR); `amount_words("words")` kopecks in words, `amount_words("none")` left out |
//! | `number_words` | a whole number in words, `number_words("f")` feminine (`две`) |
//! | `plural("товар", "товара", "товаров")` | the form that follows the number |
//! | `vat(20)` | the VAT included in an amount at 20 %, as money, rounded half away from zero |
//! | `date_ru` | `22 ноября 2026 г.`; `date_ru("short")` `22.11.2026` |
//! | `initials` / `initials_first` | `Иванов С. П.` / `С. П. Иванов`, with no-break spaces |
//! | `inflect("genitive")` (alias `case`) | a name in a case: `Иванова Сергея Петровича`; an optional second argument `"male"` / `"female"` |
//!
//! Money is exact everywhere: a template's money values are [`Money`]
//! objects, and a filter given text (`"123456.78"`) or a whole number reads
//! it as an exact decimal; a float is refused, since it may not be exact.

use super::petrovich::{inflect, inflect_into, inflect_name, Case, NamePart};
use super::words::{amount_words, number_words, plural, MinorStyle, WordGender};
use crate::client::PersonName;
use crate::money::{Currency, Money};
use crate::name::Gender;
use chrono::{Datelike, NaiveDate};
use minijinja::value::{Object, ObjectRepr, Value, ValueKind};
use minijinja::{Error as MjError, ErrorKind as MjKind};
use std::fmt;
use std::sync::Arc;

/// The no-break space between thousands, before `₽` and in initials.
pub const NBSP: char = '\u{a0}';

fn bad(message: impl Into<String>) -> MjError {
    MjError::new(MjKind::InvalidOperation, message.into())
}

/// Money in a template: prints as [`format_money`], with the attributes
/// `amount` (`"4990.00"`), `currency` (`"RUB"`), `minor` (499000),
/// `major` (4990) and `cents` (0).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoneyValue(pub Money);

impl Object for MoneyValue {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let m = self.0;
        let scale = 10_i64.pow(m.currency().minor_digits());
        Some(match key.as_str()? {
            "amount" => Value::from(m.amount_string()),
            "currency" => Value::from(m.currency().code()),
            "minor" => Value::from(m.minor()),
            "major" => Value::from(m.minor() / scale),
            "cents" => Value::from((m.minor() % scale).abs()),
            _ => return None,
        })
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.0.minor() != 0
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        with_buffer(|buf| {
            write_money(buf, self.0, None);
            f.write_str(buf)
        })
    }
}

/// Runs `f` with an empty scratch text of this thread, kept between calls
/// so that a filter's text costs no allocation.
fn with_buffer<R>(f: impl FnOnce(&mut String) -> R) -> R {
    thread_local! {
        static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let result = f(&mut buf);
            if buf.capacity() > 4096 {
                *buf = String::new();
            }
            result
        }
        // Called again from inside `f`: a text of its own.
        Err(_) => f(&mut String::new()),
    })
}

/// A person's name in a template: prints in full (`Иванов Сергей
/// Петрович`), with the attributes `surname`, `given`, `patronymic`,
/// `gender`.
#[derive(Debug, Clone)]
pub(crate) struct PersonValue {
    pub name: PersonName,
    pub gender: Option<Gender>,
}

impl PersonValue {
    fn full(&self) -> String {
        full_name(&self.name)
    }
}

fn full_name(name: &PersonName) -> String {
    [&name.surname, &name.given, &name.patronymic]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Object for PersonValue {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let part = |p: &Option<String>| Value::from(p.clone());
        Some(match key.as_str()? {
            "surname" => part(&self.name.surname),
            "given" => part(&self.name.given),
            "patronymic" => part(&self.name.patronymic),
            "gender" => Value::from(self.gender.map(Gender::name)),
            "full" => Value::from(self.full()),
            _ => return None,
        })
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.full().is_empty()
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full())
    }
}

/// `123 456,78 ₽`: no-break spaces between thousands and before the
/// sign, a decimal comma; `suffix` replaces the sign (`Some("")`: none).
pub fn format_money(amount: Money, suffix: Option<&str>) -> String {
    let mut out = String::with_capacity(24);
    write_money(&mut out, amount, suffix);
    out
}

/// The numbers 000 to 999, three digits each, one after the other.
const TRIPLES: &str = {
    const BYTES: [u8; 3000] = {
        let mut bytes = [0u8; 3000];
        let mut n = 0;
        while n < 1000 {
            bytes[3 * n] = b'0' + (n / 100) as u8;
            bytes[3 * n + 1] = b'0' + (n / 10 % 10) as u8;
            bytes[3 * n + 2] = b'0' + (n % 10) as u8;
            n += 1;
        }
        bytes
    };
    match std::str::from_utf8(&BYTES) {
        Ok(text) => text,
        Err(_) => panic!("digits are text"),
    }
};

/// The last `width` (1 to 3) digits of `n` (below 1000), zeros in front.
fn digits(n: u64, width: usize) -> &'static str {
    let at = 3 * n as usize;
    &TRIPLES[at + 3 - width..at + 3]
}

/// `n` (below 1000) in decimal.
pub(crate) fn small_number(n: u64) -> &'static str {
    let width = if n >= 100 {
        3
    } else if n >= 10 {
        2
    } else {
        1
    };
    digits(n % 1000, width)
}

/// Appends `n` in decimal, its groups of three digits taken whole from
/// [`TRIPLES`] and parted by `separator` when there is one.
fn push_groups(out: &mut String, n: u64, separator: Option<char>) {
    // The groups, least significant first (u64 has at most 7).
    let mut groups = [0u64; 7];
    let mut count = 0;
    let mut rest = n;
    loop {
        groups[count] = rest % 1000;
        count += 1;
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    out.push_str(small_number(groups[count - 1]));
    for &group in groups[..count - 1].iter().rev() {
        if let Some(separator) = separator {
            out.push(separator);
        }
        out.push_str(digits(group, 3));
    }
}

/// [`format_money`] appended to `out`: the whole part in groups of three
/// digits, each group taken whole from [`TRIPLES`].
fn write_money(out: &mut String, amount: Money, suffix: Option<&str>) {
    let currency = amount.currency();
    let minor_digits = currency.minor_digits();
    let scale = 10_u64.pow(minor_digits);
    let value = amount.minor().unsigned_abs();
    let (whole, fraction) = (value / scale, value % scale);
    // Sign, seven groups with their separators, comma, fraction and symbol.
    out.reserve(1 + 7 * 5 + 1 + minor_digits as usize + 8);
    if amount.minor() < 0 {
        out.push('-');
    }
    push_groups(out, whole, Some(NBSP));
    if minor_digits > 0 {
        out.push(',');
        // At most three minor digits (see `Currency::minor_digits`).
        let width = (minor_digits as usize).min(3);
        out.push_str(digits(fraction % 1000, width));
    }
    let symbol = match suffix {
        Some(s) => s,
        None => match currency {
            Currency::RUB => "₽",
            Currency::USD => "$",
            Currency::EUR => "€",
            Currency::KZT => "₸",
            _ => currency.code(),
        },
    };
    if !symbol.is_empty() {
        out.push(NBSP);
        out.push_str(symbol);
    }
}

/// Reads an exact amount from a template value: a money object, text
/// (`"123456.78"`, `"123 456,78 ₽"`, in RUB unless it says otherwise) or a
/// whole number of roubles.
pub(crate) fn money_of(value: &Value) -> Result<Money, MjError> {
    if let Some(m) = value.downcast_object_ref::<MoneyValue>() {
        return Ok(m.0);
    }
    match value.kind() {
        ValueKind::String => {
            let text = value.as_str().unwrap_or_default();
            Money::parse_with_currency(text)
                .or_else(|_| Money::parse(text, Currency::RUB))
                .map_err(|e| bad(format!("{text:?} is not an amount: {}", e.reason())))
        }
        ValueKind::Number => match value.as_i64() {
            Some(n) if value.is_integer() => n
                .checked_mul(100)
                .map(|minor| Money::from_minor(minor, Currency::RUB))
                .ok_or_else(|| bad(format!("{n} is too large an amount"))),
            _ => Err(bad(format!(
                "{value} is a fractional number, which may not be exact: give amounts as money or as text (\"{value}\")"
            ))),
        },
        ValueKind::Undefined => Err(MjError::new(MjKind::UndefinedError, "undefined value")),
        _ => Err(bad(format!("{value} is not an amount of money"))),
    }
}

pub(crate) fn money(value: &Value, suffix: Option<&str>) -> Result<Value, MjError> {
    let amount = money_of(value)?;
    Ok(with_buffer(|buf| {
        write_money(buf, amount, suffix);
        Value::from(buf.as_str())
    }))
}

pub(crate) fn amount_words_filter(value: &Value, style: Option<&str>) -> Result<String, MjError> {
    let style = match style.unwrap_or("digits") {
        "digits" => MinorStyle::Digits,
        "words" => MinorStyle::Words,
        "none" => MinorStyle::None,
        other => {
            return Err(bad(format!(
                "amount_words({other:?}): the kopecks are \"digits\", \"words\" or \"none\""
            )))
        }
    };
    amount_words(money_of(value)?, style).map_err(|e| bad(e.reason().to_string()))
}

fn whole_number(value: &Value, filter: &str) -> Result<i64, MjError> {
    match value.as_i64() {
        Some(n) if value.is_integer() => Ok(n),
        _ => match value.as_str().map(|s| s.trim().parse::<i64>()) {
            Some(Ok(n)) => Ok(n),
            _ => Err(bad(format!("{filter}: {value} is not a whole number"))),
        },
    }
}

pub(crate) fn number_words_filter(value: &Value, gender: Option<&str>) -> Result<String, MjError> {
    let n = whole_number(value, "number_words")?;
    let gender = match gender.unwrap_or("m") {
        "m" | "male" | "masculine" | "м" => WordGender::Masculine,
        "f" | "female" | "feminine" | "ж" => WordGender::Feminine,
        "n" | "neuter" | "с" => WordGender::Neuter,
        other => {
            return Err(bad(format!(
                "number_words({other:?}): the gender is \"m\", \"f\" or \"n\""
            )))
        }
    };
    let words = number_words(n.unsigned_abs(), gender);
    Ok(if n < 0 {
        format!("минус {words}")
    } else {
        words
    })
}

pub(crate) fn plural_filter(
    value: &Value,
    one: &str,
    few: &str,
    many: &str,
) -> Result<Value, MjError> {
    let n = whole_number(value, "plural")?;
    Ok(Value::from(plural(n.unsigned_abs(), one, few, many)))
}

pub(crate) fn vat_filter(value: &Value, rate: Option<Value>) -> Result<Value, MjError> {
    let amount = money_of(value)?;
    let rate = match rate {
        None => 20,
        Some(r) => whole_number(&r, "vat").and_then(|r| {
            u32::try_from(r)
                .ok()
                .filter(|r| *r <= 100)
                .ok_or_else(|| bad(format!("vat({r}): the rate is a whole percent 0 to 100")))
        })? as i128,
    };
    // VAT inside a gross amount: gross × rate / (100 + rate), half away from zero.
    let num = amount.minor() as i128 * rate;
    let den = 100 + rate;
    let vat = if num >= 0 {
        (num * 2 + den) / (den * 2)
    } else {
        (num * 2 - den) / (den * 2)
    };
    Ok(Value::from_object(MoneyValue(Money::from_minor(
        vat as i64,
        amount.currency(),
    ))))
}

const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// `22 ноября 2026 г.` (`short`: `22.11.2026`).
pub fn format_date_ru(date: NaiveDate, short: bool) -> String {
    if short {
        return date.format("%d.%m.%Y").to_string();
    }
    let mut text = String::with_capacity(32);
    push_integer(&mut text, i64::from(date.day()));
    text.push(' ');
    text.push_str(MONTHS_GENITIVE[date.month0() as usize]);
    text.push(' ');
    push_integer(&mut text, i64::from(date.year()));
    text.push_str(" г.");
    text
}

/// Appends `n` in decimal.
pub(crate) fn push_integer(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_groups(out, n.unsigned_abs(), None);
}

/// A date written `YYYY-MM-DD` (how the context writes dates), read
/// without the general date reader; `None` for any other text.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digit(0)? * 1000 + digit(1)? * 100 + digit(2)? * 10 + digit(3)?;
    let month = digit(5)? * 10 + digit(6)?;
    let day = digit(8)? * 10 + digit(9)?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

pub(crate) fn date_ru(value: &Value, style: Option<&str>) -> Result<String, MjError> {
    let short = match style.unwrap_or("long") {
        "long" => false,
        "short" => true,
        other => {
            return Err(bad(format!(
                "date_ru({other:?}): the style is \"long\" or \"short\""
            )))
        }
    };
    let text = value
        .as_str()
        .ok_or_else(|| bad(format!("date_ru: {value} is not a date (YYYY-MM-DD)")))?;
    let date = match iso_date(text) {
        Some(date) => date,
        None => crate::dates::parse_date(text)
            .map_err(|reason| bad(format!("date_ru: {text:?} is not a date: {reason}")))?,
    };
    Ok(format_date_ru(date, short))
}

/// A person read from a value: the name, its gender if known, and for a
/// name written as text, which part each word is (in the text's order).
type PersonRead = (PersonName, Option<Gender>, Option<Vec<NamePart>>);

/// The person a value names: a person object, a map with `surname`,
/// `given`, `patronymic`, or a full name as text.
fn person_of(value: &Value) -> Result<PersonRead, MjError> {
    if let Some(p) = value.downcast_object_ref::<PersonValue>() {
        return Ok((p.name.clone(), p.gender, None));
    }
    if let Some(text) = value.as_str() {
        let name = PersonName::parse(text);
        // Keep the order the text has: each word inflected as the part it is.
        let order = text
            .split_whitespace()
            .map(|w| {
                if name
                    .patronymic
                    .as_deref()
                    .is_some_and(|p| p.split_whitespace().any(|x| x == w))
                {
                    NamePart::Patronymic
                } else if name.given.as_deref() == Some(w) {
                    NamePart::Given
                } else {
                    NamePart::Surname
                }
            })
            .collect();
        return Ok((name, None, Some(order)));
    }
    if value.kind() == ValueKind::Map {
        let part = |key: &str| -> Option<String> {
            value
                .get_attr(key)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .filter(|s| !s.is_empty())
        };
        let name = PersonName {
            surname: part("surname"),
            given: part("given"),
            patronymic: part("patronymic"),
        };
        if name.surname.is_some() || name.given.is_some() || name.patronymic.is_some() {
            let gender = part("gender").and_then(|g| gender_of(&g).ok().flatten());
            return Ok((name, gender, None));
        }
    }
    if value.is_undefined() {
        return Err(MjError::new(MjKind::UndefinedError, "undefined value"));
    }
    Err(bad(format!("{value} is not a person's name")))
}

fn gender_of(text: &str) -> Result<Option<Gender>, MjError> {
    match text.trim().to_lowercase().as_str() {
        "" | "auto" => Ok(None),
        "male" | "m" | "м" | "муж" | "мужской" => Ok(Some(Gender::Male)),
        "female" | "f" | "ж" | "жен" | "женский" => Ok(Some(Gender::Female)),
        other => Err(bad(format!(
            "{other:?} is not a gender: \"male\" or \"female\""
        ))),
    }
}

/// Appends the initial of a name part (`С.`, `Ж.-П.` of Жан-Пьер).
fn push_initial(out: &mut String, part: &str) {
    let mut first = true;
    for piece in part.split('-') {
        if let Some(c) = piece.chars().next() {
            if !first {
                out.push('-');
            }
            out.extend(c.to_uppercase());
            out.push('.');
            first = false;
        }
    }
}

fn initials_of(name: &PersonName) -> String {
    let mut out = String::with_capacity(16);
    push_initials(&mut out, name);
    out
}

/// Appends the initials of the given name and patronymic (`С. П.`).
fn push_initials(out: &mut String, name: &PersonName) {
    for (i, part) in [&name.given, &name.patronymic]
        .into_iter()
        .flatten()
        .enumerate()
    {
        if i > 0 {
            out.push(NBSP);
        }
        push_initial(out, part);
    }
}

/// `Иванов С. П.` with no-break spaces.
pub(crate) fn initials(value: &Value) -> Result<String, MjError> {
    if let Some(p) = value.downcast_object_ref::<PersonValue>() {
        // As below, without copying the name.
        let mut out = String::with_capacity(32);
        if let Some(s) = &p.name.surname {
            out.push_str(s);
            out.push(NBSP);
        }
        let start = out.len();
        push_initials(&mut out, &p.name);
        if out.len() == start && p.name.surname.is_some() {
            out.pop();
        }
        return Ok(out);
    }
    let (name, _, _) = person_of(value)?;
    let initials = initials_of(&name);
    Ok(match (&name.surname, initials.is_empty()) {
        (Some(s), false) => format!("{s}{NBSP}{initials}"),
        (Some(s), true) => s.clone(),
        (None, _) => initials,
    })
}

/// `С. П. Иванов` with no-break spaces.
pub(crate) fn initials_first(value: &Value) -> Result<String, MjError> {
    let (name, _, _) = person_of(value)?;
    let initials = initials_of(&name);
    Ok(match (&name.surname, initials.is_empty()) {
        (Some(s), false) => format!("{initials}{NBSP}{s}"),
        (Some(s), true) => s.clone(),
        (None, _) => initials,
    })
}

/// A name in a grammatical case, in the order it was written.
pub(crate) fn inflect_filter(
    value: &Value,
    case: &str,
    gender: Option<&str>,
) -> Result<String, MjError> {
    let case = Case::parse(case).map_err(|e| bad(e.reason().to_string()))?;
    let given_gender = gender.map(gender_of).transpose()?.flatten();
    if let Some(p) = value.downcast_object_ref::<PersonValue>() {
        // As `inflect_name` then `full_name`, written into one text.
        let gender = given_gender
            .or(p.gender)
            .or_else(|| super::petrovich::name_gender(&p.name));
        let parts = [
            (&p.name.surname, NamePart::Surname),
            (&p.name.given, NamePart::Given),
            (&p.name.patronymic, NamePart::Patronymic),
        ];
        let mut out = String::with_capacity(64);
        for (i, (text, part)) in parts
            .into_iter()
            .filter_map(|(t, part)| t.as_deref().map(|t| (t, part)))
            .enumerate()
        {
            if i > 0 {
                out.push(' ');
            }
            inflect_into(&mut out, text, part, case, gender);
        }
        return Ok(out);
    }
    let (name, own_gender, order) = person_of(value)?;
    let gender = given_gender
        .or(own_gender)
        .or_else(|| super::petrovich::name_gender(&name));
    match (order, value.as_str()) {
        (Some(order), Some(text)) => {
            let words: Vec<String> = text
                .split_whitespace()
                .zip(order)
                .map(|(w, part)| inflect(w, part, case, gender))
                .collect();
            Ok(words.join(" "))
        }
        _ => Ok(full_name(&inflect_name(&name, case, gender))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_no_break_spaces_and_a_comma() {
        let m = Money::from_minor(12_345_678, Currency::RUB);
        assert_eq!(format_money(m, None), "123\u{a0}456,78\u{a0}₽");
        assert_eq!(
            format_money(Money::from_minor(-100_000_050, Currency::USD), None),
            "-1\u{a0}000\u{a0}000,50\u{a0}$"
        );
        assert_eq!(
            format_money(Money::from_minor(99, Currency::RUB), Some("")),
            "0,99"
        );
        assert_eq!(
            format_money(Money::from_minor(5, Currency::new("JPY").unwrap()), None),
            "5\u{a0}JPY"
        );
    }

    #[test]
    fn dates_in_russian() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(format_date_ru(d, false), "22 ноября 2026 г.");
        assert_eq!(format_date_ru(d, true), "22.11.2026");
    }

    #[test]
    fn initials_both_ways() {
        let v = Value::from("Иванов Сергей Петрович");
        assert_eq!(initials(&v).unwrap(), "Иванов\u{a0}С.\u{a0}П.");
        assert_eq!(initials_first(&v).unwrap(), "С.\u{a0}П.\u{a0}Иванов");
        assert_eq!(
            inflect_filter(&v, "genitive", None).unwrap(),
            "Иванова Сергея Петровича"
        );
        let v = Value::from("Сергей Петрович Иванов");
        assert_eq!(
            inflect_filter(&v, "dative", None).unwrap(),
            "Сергею Петровичу Иванову"
        );
    }

    #[test]
    fn vat_inside_an_amount() {
        let v = vat_filter(&Value::from("120.00"), None).unwrap();
        assert_eq!(
            v.downcast_object_ref::<MoneyValue>().unwrap().0.minor(),
            2000
        );
        assert!(money_of(&Value::from(1.5)).is_err());
        assert_eq!(money_of(&Value::from(7)).unwrap().minor(), 700);
    }

    /// Money as it was first written: digit by digit, a no-break space
    /// before each group of three.
    fn reference_money(amount: Money) -> String {
        let digits = amount.currency().minor_digits();
        let scale = 10_u64.pow(digits);
        let value = amount.minor().unsigned_abs();
        let whole = (value / scale).to_string();
        let mut out = String::new();
        if amount.minor() < 0 {
            out.push('-');
        }
        for (i, d) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push(NBSP);
            }
            out.push(d);
        }
        if digits > 0 {
            out.push(',');
            out.push_str(&format!(
                "{:0width$}",
                value % scale,
                width = digits as usize
            ));
        }
        let currency = amount.currency();
        let symbol = match currency.code() {
            "RUB" => "₽",
            "USD" => "$",
            "EUR" => "€",
            "KZT" => "₸",
            code => code,
        };
        out.push(NBSP);
        out.push_str(symbol);
        out
    }

    proptest::proptest! {
        #[test]
        fn money_reads_as_digit_by_digit(minor in proptest::num::i64::ANY, code in 0..6_usize) {
            let currency = Currency::new(["RUB", "USD", "EUR", "KZT", "JPY", "KWD"][code]).unwrap();
            let m = Money::from_minor(minor, currency);
            proptest::prop_assert_eq!(format_money(m, None), reference_money(m));
        }

        #[test]
        fn integers_read_as_rust_prints_them(n in proptest::num::i64::ANY) {
            let mut text = String::new();
            push_integer(&mut text, n);
            proptest::prop_assert_eq!(text, n.to_string());
        }

        #[test]
        fn iso_dates_read_as_the_general_reader_reads_them(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9-]{10}") {
            let general = crate::dates::parse_date(&text).ok();
            let quick = iso_date(&text);
            if quick.is_some() {
                proptest::prop_assert_eq!(quick, general);
            } else if text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-'
                && text.bytes().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
            {
                // Well formed but not a calendar date: the general reader says why.
                proptest::prop_assert_eq!(general, None);
            }
        }

        #[test]
        fn dates_in_words_as_format_writes_them(days in 0..200_000_i32) {
            let date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(i64::from(days));
            proptest::prop_assert_eq!(
                format_date_ru(date, false),
                format!("{} {} {} г.", date.day(), MONTHS_GENITIVE[date.month0() as usize], date.year())
            );
        }
    }

    #[test]
    fn initials_of_a_person_object() {
        let person = |surname: Option<&str>, given: Option<&str>, patronymic: Option<&str>| {
            Value::from_object(PersonValue {
                name: PersonName {
                    surname: surname.map(str::to_string),
                    given: given.map(str::to_string),
                    patronymic: patronymic.map(str::to_string),
                },
                gender: None,
            })
        };
        let cases = [
            (
                person(Some("Иванов"), Some("Сергей"), Some("Петрович")),
                "Иванов\u{a0}С.\u{a0}П.",
            ),
            (person(Some("Иванов"), None, None), "Иванов"),
            (person(None, Some("Жан-Пьер"), None), "Ж.-П."),
            (
                person(Some("Петрова"), Some("анна"), None),
                "Петрова\u{a0}А.",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(initials(&value).unwrap(), expected);
        }
        // The same as the name written as text.
        let text = Value::from("Иванов Сергей Петрович");
        assert_eq!(initials(&text).unwrap(), "Иванов\u{a0}С.\u{a0}П.");
    }
}
