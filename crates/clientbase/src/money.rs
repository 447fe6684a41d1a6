//! Exact money: integer minor units with an ISO 4217 currency, never floating point.
//!
//! ```
//! use clientbase::{Currency, Money};
//! let price = Money::parse("1 234,50", Currency::RUB).unwrap();
//! assert_eq!(price.minor(), 123_450);
//! assert_eq!(price.to_string(), "1234.50 RUB");
//! let total = price.checked_add(Money::from_minor(50, Currency::RUB)).unwrap();
//! assert_eq!(total.amount_string(), "1235.00");
//! ```

use crate::error::{invalid, Error, ErrorKind, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code such as `RUB`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Russian rouble.
    pub const RUB: Currency = Currency(*b"RUB");
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Kazakhstani tenge.
    pub const KZT: Currency = Currency(*b"KZT");
    /// Belarusian rouble.
    pub const BYN: Currency = Currency(*b"BYN");
    /// Chinese yuan.
    pub const CNY: Currency = Currency(*b"CNY");

    /// Parses a three-letter code; lower case is accepted, `₽` and `руб` mean RUB.
    pub fn new(code: &str) -> Result<Currency> {
        let code = code.trim();
        match code {
            "₽" | "руб" | "руб." | "р." | "RUR" => return Ok(Currency::RUB),
            "$" => return Ok(Currency::USD),
            "€" => return Ok(Currency::EUR),
            "₸" => return Ok(Currency::KZT),
            _ => {}
        }
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(invalid(
                "currency",
                format!("{code:?} is not a three-letter ISO 4217 code"),
            ));
        }
        let upper = [
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
            bytes[2].to_ascii_uppercase(),
        ];
        if ISO_4217.binary_search(&upper).is_err() {
            return Err(invalid(
                "currency",
                format!("{code:?} is not an ISO 4217 currency code"),
            ));
        }
        Ok(Currency(upper))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many digits follow the decimal point for this currency (2 for most).
    pub fn minor_digits(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" | b"CLP" | b"ISK" | b"UGX" | b"PYG" | b"XAF" | b"XOF" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" | b"IQD" | b"LYD" => 3,
            _ => 2,
        }
    }

    fn scale(&self) -> i64 {
        10_i64.pow(self.minor_digits())
    }
}

/// The ISO 4217 codes [`Currency::new`] accepts, sorted: the current list
/// (including the funds and metal codes, `XTS` and `XXX`) and the codes
/// withdrawn since 2008 that old records still carry (`BYR`, `EEK`, `HRK`,
/// `LTL`, `LVL`, `MRO`, `STD`, `VEF`).
const ISO_4217: [[u8; 3]; 190] = [
    *b"AED", *b"AFN", *b"ALL", *b"AMD", *b"ANG", *b"AOA", *b"ARS", *b"AUD", *b"AWG", *b"AZN",
    *b"BAM", *b"BBD", *b"BDT", *b"BGN", *b"BHD", *b"BIF", *b"BMD", *b"BND", *b"BOB", *b"BOV",
    *b"BRL", *b"BSD", *b"BTN", *b"BWP", *b"BYN", *b"BYR", *b"BZD", *b"CAD", *b"CDF", *b"CHE",
    *b"CHF", *b"CHW", *b"CLF", *b"CLP", *b"CNY", *b"COP", *b"COU", *b"CRC", *b"CUC", *b"CUP",
    *b"CVE", *b"CZK", *b"DJF", *b"DKK", *b"DOP", *b"DZD", *b"EEK", *b"EGP", *b"ERN", *b"ETB",
    *b"EUR", *b"FJD", *b"FKP", *b"GBP", *b"GEL", *b"GHS", *b"GIP", *b"GMD", *b"GNF", *b"GTQ",
    *b"GYD", *b"HKD", *b"HNL", *b"HRK", *b"HTG", *b"HUF", *b"IDR", *b"ILS", *b"INR", *b"IQD",
    *b"IRR", *b"ISK", *b"JMD", *b"JOD", *b"JPY", *b"KES", *b"KGS", *b"KHR", *b"KMF", *b"KPW",
    *b"KRW", *b"KWD", *b"KYD", *b"KZT", *b"LAK", *b"LBP", *b"LKR", *b"LRD", *b"LSL", *b"LTL",
    *b"LVL", *b"LYD", *b"MAD", *b"MDL", *b"MGA", *b"MKD", *b"MMK", *b"MNT", *b"MOP", *b"MRO",
    *b"MRU", *b"MUR", *b"MVR", *b"MWK", *b"MXN", *b"MXV", *b"MYR", *b"MZN", *b"NAD", *b"NGN",
    *b"NIO", *b"NOK", *b"NPR", *b"NZD", *b"OMR", *b"PAB", *b"PEN", *b"PGK", *b"PHP", *b"PKR",
    *b"PLN", *b"PYG", *b"QAR", *b"RON", *b"RSD", *b"RUB", *b"RWF", *b"SAR", *b"SBD", *b"SCR",
    *b"SDG", *b"SEK", *b"SGD", *b"SHP", *b"SLE", *b"SLL", *b"SOS", *b"SRD", *b"SSP", *b"STD",
    *b"STN", *b"SVC", *b"SYP", *b"SZL", *b"THB", *b"TJS", *b"TMT", *b"TND", *b"TOP", *b"TRY",
    *b"TTD", *b"TWD", *b"TZS", *b"UAH", *b"UGX", *b"USD", *b"USN", *b"UYI", *b"UYU", *b"UYW",
    *b"UZS", *b"VED", *b"VEF", *b"VES", *b"VND", *b"VUV", *b"WST", *b"XAF", *b"XAG", *b"XAU",
    *b"XBA", *b"XBB", *b"XBC", *b"XBD", *b"XCD", *b"XCG", *b"XDR", *b"XOF", *b"XPD", *b"XPF",
    *b"XPT", *b"XSU", *b"XTS", *b"XUA", *b"XXX", *b"YER", *b"ZAR", *b"ZMW", *b"ZWG", *b"ZWL",
];

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Currency> {
        Currency::new(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Currency, D::Error> {
        let text = String::deserialize(d)?;
        Currency::new(&text).map_err(serde::de::Error::custom)
    }
}

/// An exact amount of money in minor units (kopecks, cents) of a currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount given in minor units: `from_minor(12345, RUB)` is 123.45 ₽.
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::from_minor(0, currency)
    }

    /// Parses an amount as people type it: `1234.5`, `1 234,50`, `1\u{a0}234,50 ₽`,
    /// `-10`, `1234.50 RUB`. A currency written in the text must match `currency`.
    /// More fractional digits than the currency has is an error, never rounding.
    pub fn parse(text: &str, currency: Currency) -> Result<Money> {
        let (number, written) = split_currency(text.trim());
        if !number.bytes().any(|b| b.is_ascii_digit()) {
            return Err(invalid("amount", format!("{text:?} is not an amount")));
        }
        if let Some(written) = written {
            let written = Currency::new(written)
                .map_err(|_| invalid("amount", format!("unknown currency in {text:?}")))?;
            if written != currency {
                return Err(Error::new(
                    ErrorKind::CurrencyMismatch,
                    format!("{text:?} is in {written}, expected {currency}"),
                )
                .with_field("amount"));
            }
        }
        let minor = parse_fixed(number, currency.minor_digits())
            .map_err(|reason| invalid("amount", format!("{text:?}: {reason}")))?;
        Ok(Money { minor, currency })
    }

    /// Parses `"1234.50 RUB"` (the [`Display`](fmt::Display) form), taking the currency from the text.
    pub fn parse_with_currency(text: &str) -> Result<Money> {
        let (number, written) = split_currency(text.trim());
        let currency = match written {
            Some(code) => Currency::new(code)?,
            None => return Err(invalid("amount", format!("{text:?} has no currency code"))),
        };
        Money::parse(number, currency)
    }

    /// The amount in minor units.
    pub fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as a plain decimal string with the currency's digits: `"1234.50"`.
    pub fn amount_string(&self) -> String {
        format_fixed(self.minor, self.currency.minor_digits())
    }

    /// Adds two amounts of the same currency; `None` on overflow, an error on different currencies.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or_else(|| invalid("amount", "sum overflows"))
    }

    /// Subtracts an amount of the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or_else(|| invalid("amount", "difference overflows"))
    }

    /// Multiplies by a [`Quantity`], rounding half away from zero to minor units.
    pub fn checked_mul_quantity(self, quantity: Quantity) -> Result<Money> {
        let product = self.minor as i128 * quantity.milli as i128;
        let rounded = div_round(product, 1000);
        i64::try_from(rounded)
            .map(|minor| Money { minor, ..self })
            .map_err(|_| invalid("amount", "product overflows"))
    }

    /// Takes `basis_points / 10000` of the amount, rounding half away from zero.
    pub fn percent_bp(self, basis_points: u32) -> Money {
        let part = div_round(self.minor as i128 * basis_points as i128, 10_000);
        Money {
            minor: part as i64,
            ..self
        }
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::CurrencyMismatch,
                format!("cannot combine {} with {}", self.currency, other.currency),
            ))
        }
    }
}

fn div_round(value: i128, divisor: i128) -> i128 {
    let half = divisor / 2;
    if value >= 0 {
        (value + half) / divisor
    } else {
        (value - half) / divisor
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyRepr {
    amount: String,
    currency: Currency,
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        MoneyRepr {
            amount: self.amount_string(),
            currency: self.currency,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Money, D::Error> {
        let repr = MoneyRepr::deserialize(d)?;
        Money::parse(&repr.amount, repr.currency).map_err(serde::de::Error::custom)
    }
}

/// A quantity of a product with three decimals (`2.5` kg is 2500 thousandths).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Quantity {
    milli: i64,
}

impl Quantity {
    /// One piece.
    pub const ONE: Quantity = Quantity { milli: 1000 };

    /// A whole number of units.
    pub fn units(units: i64) -> Quantity {
        Quantity {
            milli: units.saturating_mul(1000),
        }
    }

    /// A quantity in thousandths of a unit.
    pub fn from_milli(milli: i64) -> Quantity {
        Quantity { milli }
    }

    /// The quantity in thousandths.
    pub fn milli(&self) -> i64 {
        self.milli
    }

    /// Parses `3`, `2,5`, `0.125`; more than three decimals is an error.
    pub fn parse(text: &str) -> Result<Quantity> {
        parse_fixed(text.trim(), 3)
            .map(|milli| Quantity { milli })
            .map_err(|reason| invalid("quantity", format!("{text:?}: {reason}")))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format_fixed(self.milli, 3);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        f.write_str(text)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Quantity, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Int(i64),
            Text(String),
        }
        match Repr::deserialize(d)? {
            Repr::Int(units) => Ok(Quantity::units(units)),
            Repr::Text(text) => Quantity::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

/// Splits a trailing or leading currency marker off a number.
fn split_currency(text: &str) -> (&str, Option<&str>) {
    let is_number_char = |c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '.' | ',' | '-' | '+' | ' ' | '\u{a0}' | '\u{202f}' | '\''
            )
    };
    let end = text.trim_end_matches(|c: char| !is_number_char(c));
    if end.len() < text.len() {
        let marker = text[end.len()..].trim();
        return (end.trim(), Some(marker).filter(|m| !m.is_empty()));
    }
    let start = text.trim_start_matches(|c: char| !is_number_char(c));
    if start.len() < text.len() {
        let marker = text[..text.len() - start.len()].trim();
        return (start.trim(), Some(marker).filter(|m| !m.is_empty()));
    }
    (text, None)
}

/// Parses a decimal with `digits` fractional digits into an integer, accepting
/// `.` or `,` as the decimal mark and spaces or apostrophes between thousands.
pub(crate) fn parse_fixed(text: &str, digits: u32) -> std::result::Result<i64, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if cleaned.is_empty() {
        return Err("empty number".into());
    }
    let (negative, body) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let marks = body.matches(['.', ',']).count();
    if marks > 1 {
        return Err("more than one decimal mark".into());
    }
    let (whole, fraction) = match body.find(['.', ',']) {
        Some(at) => (&body[..at], &body[at + 1..]),
        None => (body, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err("no digits".into());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a number".into());
    }
    if fraction.len() > digits as usize {
        return Err(format!("more than {digits} decimal places"));
    }
    let scale = 10_i64.pow(digits);
    let whole_value: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "number too large".to_string())?
    };
    let mut fraction_value: i64 = 0;
    for (i, b) in fraction.bytes().enumerate() {
        fraction_value += (b - b'0') as i64 * 10_i64.pow(digits - 1 - i as u32);
    }
    let value = whole_value
        .checked_mul(scale)
        .and_then(|v| v.checked_add(fraction_value))
        .ok_or_else(|| "number too large".to_string())?;
    Ok(if negative { -value } else { value })
}

fn format_fixed(value: i64, digits: u32) -> String {
    if digits == 0 {
        return value.to_string();
    }
    let scale = 10_u64.pow(digits);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = digits as usize
    )
}

impl Currency {
    /// Minor units in one major unit (100 for RUB).
    pub(crate) fn minor_per_unit(&self) -> i64 {
        self.scale()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_russian_and_english_forms() {
        let rub = Currency::RUB;
        assert_eq!(Money::parse("1 234,50", rub).unwrap().minor(), 123_450);
        assert_eq!(
            Money::parse("1\u{a0}234,5 ₽", rub).unwrap().minor(),
            123_450
        );
        assert_eq!(Money::parse("1234.50 RUB", rub).unwrap().minor(), 123_450);
        assert_eq!(Money::parse("-10", rub).unwrap().minor(), -1000);
        assert_eq!(Money::parse(",5", rub).unwrap().minor(), 50);
    }

    #[test]
    fn rejects_what_would_lose_precision_or_mix_currencies() {
        let rub = Currency::RUB;
        assert_eq!(
            Money::parse("1.005", rub).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            Money::parse("10 USD", rub).unwrap_err().kind(),
            ErrorKind::CurrencyMismatch
        );
        assert!(Money::parse("1.2.3", rub).is_err());
        assert_eq!(
            Money::parse("много", rub).unwrap_err().reason(),
            "\"много\" is not an amount"
        );
        assert!(Money::parse("", rub).is_err());
        assert!(Money::parse("99999999999999999999", rub).is_err());
    }

    #[test]
    fn only_iso_4217_codes_are_currencies() {
        assert!(
            ISO_4217.windows(2).all(|w| w[0] < w[1]),
            "sorted, once each"
        );
        for code in ["RUB", "usd", "Kzt", "BYN", "XXX", "HRK", "руб", "₸"] {
            assert!(Currency::new(code).is_ok(), "{code}");
        }
        for code in ["ZZZ", "abc", "RUS"] {
            let err = Currency::new(code).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue);
            assert_eq!(err.field(), Some("currency"));
            assert_eq!(
                err.reason(),
                format!("{code:?} is not an ISO 4217 currency code")
            );
        }
        let err = Money::parse("10 ZZZ", Currency::RUB).unwrap_err();
        assert_eq!(err.reason(), "unknown currency in \"10 ZZZ\"");
        let err = serde_json::from_str::<Currency>("\"ZZZ\"").unwrap_err();
        assert!(err.to_string().contains("ISO 4217"), "{err}");
    }

    #[test]
    fn zero_and_three_digit_currencies() {
        let jpy = Currency::new("jpy").unwrap();
        assert_eq!(Money::parse("1500", jpy).unwrap().to_string(), "1500 JPY");
        assert!(Money::parse("1500.5", jpy).is_err());
        let kwd = Currency::new("KWD").unwrap();
        assert_eq!(Money::parse("1.5", kwd).unwrap().minor(), 1500);
    }

    #[test]
    fn arithmetic_is_exact() {
        let rub = Currency::RUB;
        let price = Money::parse("0.10", rub).unwrap();
        let mut sum = Money::zero(rub);
        for _ in 0..10 {
            sum = sum.checked_add(price).unwrap();
        }
        assert_eq!(sum.amount_string(), "1.00");
        let q = Quantity::parse("2,5").unwrap();
        assert_eq!(
            Money::parse("99.99", rub)
                .unwrap()
                .checked_mul_quantity(q)
                .unwrap()
                .minor(),
            24_998 // 249.975 rounds half away from zero
        );
        assert_eq!(Money::from_minor(1000, rub).percent_bp(1250).minor(), 125);
        assert!(price.checked_add(Money::zero(Currency::USD)).is_err());
    }

    #[test]
    fn json_round_trip() {
        let m = Money::parse("-0.05", Currency::RUB).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"-0.05","currency":"RUB"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        let q = Quantity::parse("0.125").unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), r#""0.125""#);
        assert_eq!(
            serde_json::from_str::<Quantity>("3").unwrap(),
            Quantity::units(3)
        );
    }
}
