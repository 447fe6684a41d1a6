//! Numbers and amounts of money in Russian words, with the agreement of
//! gender and number: «одна тысяча», «два миллиона», «двадцать одна копейка».

use crate::error::{invalid, Result};
use crate::money::{Currency, Money};

/// The grammatical gender a number agrees with: один рубль, одна тысяча,
/// одно евро.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordGender {
    /// один, два (рубль, доллар, миллион).
    Masculine,
    /// одна, две (тысяча, копейка).
    Feminine,
    /// одно, два (евро is masculine by usage; «одно» for neuter nouns).
    Neuter,
}

/// The three forms of a noun after a number: one (1, 21: рубль), few (2–4,
/// 22–24: рубля) and many (0, 5–20, 25–30: рублей).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forms {
    /// After 1, 21, 31, … (not 11): рубль.
    pub one: &'static str,
    /// After 2–4, 22–24, … (not 12–14): рубля.
    pub few: &'static str,
    /// After 0, 5–20, 25–30, …: рублей.
    pub many: &'static str,
    /// The gender the number agrees with.
    pub gender: WordGender,
}

impl Forms {
    /// The form that follows `n`.
    pub fn pick(&self, n: u64) -> &'static str {
        plural(n, self.one, self.few, self.many)
    }
}

/// The form of a noun that follows `n`: `one` after 1, 21, 101 (not 11),
/// `few` after 2–4, 22–24 (not 12–14), `many` otherwise.
pub fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (tens, units) = (n % 100 / 10, n % 10);
    if tens == 1 {
        return many;
    }
    match units {
        1 => one,
        2..=4 => few,
        _ => many,
    }
}

const UNITS_M: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];
const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];
const HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];

/// The groups of three digits above the units: тысяча is feminine, the rest masculine.
const SCALES: [Forms; 6] = [
    Forms {
        one: "тысяча",
        few: "тысячи",
        many: "тысяч",
        gender: WordGender::Feminine,
    },
    Forms {
        one: "миллион",
        few: "миллиона",
        many: "миллионов",
        gender: WordGender::Masculine,
    },
    Forms {
        one: "миллиард",
        few: "миллиарда",
        many: "миллиардов",
        gender: WordGender::Masculine,
    },
    Forms {
        one: "триллион",
        few: "триллиона",
        many: "триллионов",
        gender: WordGender::Masculine,
    },
    Forms {
        one: "квадриллион",
        few: "квадриллиона",
        many: "квадриллионов",
        gender: WordGender::Masculine,
    },
    Forms {
        one: "квинтиллион",
        few: "квинтиллиона",
        many: "квинтиллионов",
        gender: WordGender::Masculine,
    },
];

/// Appends `word` to `out`, after a space unless it is the first word
/// since the byte `start`.
fn push_word(out: &mut String, start: usize, word: &str) {
    if out.len() > start {
        out.push(' ');
    }
    out.push_str(word);
}

/// Appends the words of 1..=999 agreeing with `gender` (the first word
/// since the byte `start` without a space before it).
fn triple(n: u64, gender: WordGender, out: &mut String, start: usize) {
    let (h, t, u) = (
        (n / 100) as usize,
        (n / 10 % 10) as usize,
        (n % 10) as usize,
    );
    if h > 0 {
        push_word(out, start, HUNDREDS[h]);
    }
    if t == 1 {
        push_word(out, start, TEENS[u]);
        return;
    }
    if t > 1 {
        push_word(out, start, TENS[t]);
    }
    match (u, gender) {
        (0, _) => {}
        (1, WordGender::Feminine) => push_word(out, start, "одна"),
        (2, WordGender::Feminine) => push_word(out, start, "две"),
        (1, WordGender::Neuter) => push_word(out, start, "одно"),
        _ => push_word(out, start, UNITS_M[u]),
    }
}

/// A whole number in words, lower case, agreeing with `gender`:
/// `number_words(2001, Feminine)` is «две тысячи одна».
pub fn number_words(n: u64, gender: WordGender) -> String {
    let mut words = String::with_capacity(64);
    number_words_into(&mut words, n, gender);
    words
}

/// [`number_words`] appended to `out`.
fn number_words_into(out: &mut String, n: u64, gender: WordGender) {
    let start = out.len();
    if n == 0 {
        out.push_str("ноль");
        return;
    }
    // The groups of three digits, least significant first (u64 has at most 7).
    let mut groups = [0u64; 7];
    let mut count = 0;
    let mut rest = n;
    while rest > 0 {
        groups[count] = rest % 1000;
        count += 1;
        rest /= 1000;
    }
    for (i, &group) in groups[..count].iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        if i == 0 {
            triple(group, gender, out, start);
        } else {
            let scale = &SCALES[i - 1];
            triple(group, scale.gender, out, start);
            push_word(out, start, scale.pick(group));
        }
    }
}

/// The names of a currency's major and minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyWords {
    /// рубль, рубля, рублей.
    pub major: Forms,
    /// копейка, копейки, копеек.
    pub minor: Forms,
}

/// The words of the currencies amounts can be written in: RUB, USD, EUR.
pub fn currency_words(currency: Currency) -> Option<CurrencyWords> {
    use WordGender::*;
    let cent = Forms {
        one: "цент",
        few: "цента",
        many: "центов",
        gender: Masculine,
    };
    match currency.code() {
        "RUB" => Some(CurrencyWords {
            major: Forms {
                one: "рубль",
                few: "рубля",
                many: "рублей",
                gender: Masculine,
            },
            minor: Forms {
                one: "копейка",
                few: "копейки",
                many: "копеек",
                gender: Feminine,
            },
        }),
        "USD" => Some(CurrencyWords {
            major: Forms {
                one: "доллар",
                few: "доллара",
                many: "долларов",
                gender: Masculine,
            },
            minor: cent,
        }),
        "EUR" => Some(CurrencyWords {
            major: Forms {
                one: "евро",
                few: "евро",
                many: "евро",
                gender: Masculine,
            },
            minor: cent,
        }),
        _ => None,
    }
}

/// How the minor units (kopecks) of an amount in words are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MinorStyle {
    /// In digits, two of them: «… рублей 05 копеек» (the usual form in contracts).
    #[default]
    Digits,
    /// In words: «… рублей пять копеек».
    Words,
    /// Left out: «… рублей».
    None,
}

/// An amount in words with its currency, the first letter capital:
/// 123 456,78 ₽ is «Сто двадцать три тысячи четыреста пятьдесят шесть рублей
/// 78 копеек». RUB, USD and EUR have words; another currency is an error.
pub fn amount_words(amount: Money, minor: MinorStyle) -> Result<String> {
    let currency = amount.currency();
    let words = currency_words(currency).ok_or_else(|| {
        invalid(
            "currency",
            format!("amounts in words are written for RUB, USD and EUR, not {currency}"),
        )
    })?;
    let digits = currency.minor_digits();
    let scale = 10_u64.pow(digits);
    let value = amount.minor().unsigned_abs();
    let (major, cents) = (value / scale, value % scale);
    let mut text = String::with_capacity(192);
    if amount.minor() < 0 {
        text.push_str("минус ");
    }
    number_words_into(&mut text, major, words.major.gender);
    text.push(' ');
    text.push_str(words.major.pick(major));
    if digits > 0 {
        match minor {
            MinorStyle::Digits => {
                text.push(' ');
                // `digits` digits, zeros in front.
                let mut div = scale / 10;
                while div > 0 {
                    text.push(char::from(b'0' + (cents / div % 10) as u8));
                    div /= 10;
                }
                text.push(' ');
                text.push_str(words.minor.pick(cents));
            }
            MinorStyle::Words => {
                text.push(' ');
                text.push_str(&number_words(cents, words.minor.gender));
                text.push(' ');
                text.push_str(words.minor.pick(cents));
            }
            MinorStyle::None => {}
        }
    }
    capitalize_in_place(&mut text);
    Ok(text)
}

/// The first letter of `text` made a capital, in place when it keeps its
/// length (Russian and Latin letters do).
fn capitalize_in_place(text: &mut String) {
    let Some(first) = text.chars().next() else {
        return;
    };
    let mut upper = first.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(capital), None) if capital.len_utf8() == first.len_utf8() => {
            let mut buf = [0u8; 4];
            text.replace_range(..first.len_utf8(), capital.encode_utf8(&mut buf));
        }
        _ => *text = capitalize(text),
    }
}

/// The text with its first letter in upper case.
pub(crate) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let mut out = String::with_capacity(text.len() + 4);
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
            out
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rub(minor: i64) -> String {
        amount_words(Money::from_minor(minor, Currency::RUB), MinorStyle::Digits).unwrap()
    }

    #[test]
    fn the_example_of_the_issue() {
        assert_eq!(
            rub(12_345_678),
            "Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек"
        );
    }

    #[test]
    fn agreement_of_thousands_millions_and_units() {
        assert_eq!(rub(100), "Один рубль 00 копеек");
        assert_eq!(rub(201), "Два рубля 01 копейка");
        assert_eq!(rub(502), "Пять рублей 02 копейки");
        assert_eq!(rub(1100), "Одиннадцать рублей 00 копеек");
        assert_eq!(rub(2100), "Двадцать один рубль 00 копеек");
        assert_eq!(rub(100_000), "Одна тысяча рублей 00 копеек");
        assert_eq!(rub(200_000), "Две тысячи рублей 00 копеек");
        assert_eq!(rub(500_000), "Пять тысяч рублей 00 копеек");
        assert_eq!(rub(100_100), "Одна тысяча один рубль 00 копеек");
        assert_eq!(rub(100_000_000), "Один миллион рублей 00 копеек");
        assert_eq!(rub(200_000_000), "Два миллиона рублей 00 копеек");
        assert_eq!(rub(100_000_000_000), "Один миллиард рублей 00 копеек");
        assert_eq!(rub(0), "Ноль рублей 00 копеек");
        assert_eq!(rub(-150), "Минус один рубль 50 копеек");
        assert_eq!(number_words(2_002, WordGender::Feminine), "две тысячи две");
        assert_eq!(
            number_words(1_001_001, WordGender::Masculine),
            "один миллион одна тысяча один"
        );
        assert_eq!(
            number_words(u64::MAX, WordGender::Masculine)
                .split(' ')
                .next(),
            Some("восемнадцать")
        );
    }

    #[test]
    fn minor_units_in_words_and_other_currencies() {
        let words = |m, c| amount_words(Money::from_minor(m, c), MinorStyle::Words).unwrap();
        assert_eq!(
            words(2122, Currency::RUB),
            "Двадцать один рубль двадцать две копейки"
        );
        assert_eq!(words(101, Currency::USD), "Один доллар один цент");
        assert_eq!(words(500, Currency::EUR), "Пять евро ноль центов");
        let err =
            amount_words(Money::from_minor(1, Currency::KZT), MinorStyle::Digits).unwrap_err();
        assert!(err.to_string().contains("KZT"), "{err}");
    }

    #[test]
    fn plural_forms() {
        let f = |n| plural(n, "день", "дня", "дней");
        assert_eq!(
            [f(1), f(2), f(5), f(11), f(12), f(21), f(104), f(111)],
            ["день", "дня", "дней", "дней", "дней", "день", "дня", "дней"]
        );
    }
}
