//! The fast path: numbers typed in Russia, read by hand exactly as libphonenumber
//! reads them with RU as the default region, without regular expressions or
//! allocations beyond the result.
//!
//! The rules below mirror libphonenumber's `parse` for the RU metadata: general
//! description `8\d{13}|[347-9]\d{9}`, national prefix `8`, international prefix
//! `810`, possible lengths 10 and 14, local-only length 7. Anything the scanner does
//! not recognise with certainty (letters other than a known extension label, `#`,
//! `;`, `,`, `/`, tabs, non-ASCII digits, `810…`, `00…`, a plus before a country
//! code other than 7) is declined and goes to the general path, so this path only
//! ever has to be right on plain digits.

use super::{PhoneError, PhoneProblem, RegionCode};
use crate::client::PhoneKind;

/// The most digits the scanner keeps; longer inputs go to the general path.
const MAX_DIGITS: usize = 24;

/// An input the fast path can read: its digits, whether it began with a plus and
/// the extension digits, if any.
pub(super) struct Scanned<'a> {
    digits: [u8; MAX_DIGITS],
    len: usize,
    plus: bool,
    extension: Option<&'a str>,
}

impl Scanned<'_> {
    fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }

    /// The international prefix typed before `7` without a plus: `00` (typed
    /// as two zeros together at the start of `input`, which is how the
    /// general path reads it too) or `810` (the Russian one, separators
    /// allowed, as libphonenumber reads it: `8 10 7 …`). `None` for anything else.
    pub(super) fn international_prefix(&self, input: &str) -> Option<InternationalPrefix> {
        let digits = self.digits();
        if self.plus {
            return None;
        }
        if digits.starts_with(b"007")
            && input
                .trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+')
                .starts_with("00")
        {
            return Some(InternationalPrefix::DoubleZero);
        }
        digits
            .starts_with(b"8107")
            .then_some(InternationalPrefix::EightTen)
    }

    /// Drops an international prefix: the digits left are read as typed after a plus.
    pub(super) fn strip_international_prefix(&mut self, prefix: InternationalPrefix) {
        let n = match prefix {
            InternationalPrefix::DoubleZero => 2,
            InternationalPrefix::EightTen => 3,
        };
        self.digits.copy_within(n..self.len, 0);
        self.len -= n;
        self.plus = true;
    }
}

/// An international prefix typed instead of a plus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InternationalPrefix {
    /// `00`, the prefix of most of the world.
    DoubleZero,
    /// `8 10`, the Russian prefix.
    EightTen,
}

/// An extension label: what follows the number, and the most digits it takes.
struct Label {
    /// Lower-case spellings, matched case-insensitively.
    spellings: &'static [&'static str],
    /// libphonenumber takes up to 20 digits after an explicit label and 9 after
    /// the ambiguous `x`.
    max_digits: usize,
}

const LABELS: &[Label] = &[
    Label {
        spellings: &["доб", "ext", "вн", "доп"],
        max_digits: 20,
    },
    Label {
        spellings: &["x"],
        max_digits: 9,
    },
];

/// Matches `prefix` at the start of `s`, ignoring case (ASCII and Cyrillic).
fn starts_with_ignore_case(s: &str, prefix: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    for expected in prefix.chars() {
        let (_, c) = chars.next()?;
        if c != expected && c.to_lowercase().ne(std::iter::once(expected)) {
            return None;
        }
    }
    Some(chars.next().map_or(s.len(), |(i, _)| i))
}

/// Reads an extension at the start of `rest` (`доб. 123`, `ext.123`, `x 12`,
/// `вн. 5`), which must run to the end of the input apart from trailing spaces,
/// dots and closing parentheses. Returns the extension digits.
fn scan_extension(rest: &str) -> Option<&str> {
    for label in LABELS {
        for spelling in label.spellings {
            let Some(after) = starts_with_ignore_case(rest, spelling) else {
                continue;
            };
            let mut tail = &rest[after..];
            if let Some(t) = tail.strip_prefix(['.', ':']) {
                tail = t;
            }
            tail = tail.trim_start_matches([' ', '-', '\u{a0}']);
            let digits_len = tail.bytes().take_while(u8::is_ascii_digit).count();
            if digits_len == 0 || digits_len > label.max_digits {
                return None;
            }
            let (digits, after_digits) = tail.split_at(digits_len);
            if after_digits
                .chars()
                .all(|c| matches!(c, ' ' | '.' | ')' | '\u{a0}'))
            {
                return Some(digits);
            }
            return None;
        }
    }
    None
}

/// Scans `input` if it holds only ASCII digits, the separators people type
/// (` -.()` and no-break spaces), one leading plus and an optional extension.
pub(super) fn scan(input: &str) -> Option<Scanned<'_>> {
    let bytes = input.as_bytes();
    let mut out = Scanned {
        digits: [0; MAX_DIGITS],
        len: 0,
        plus: false,
        extension: None,
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b @ b'0'..=b'9' => {
                if out.len == MAX_DIGITS {
                    return None;
                }
                out.digits[out.len] = b;
                out.len += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => i += 1,
            b'+' if out.len == 0 && !out.plus => out.plus = true,
            b'+' => return None,
            _ => {
                // Only an extension may follow; it needs a number before it.
                if out.len < 3 || !input.is_char_boundary(i) {
                    return None;
                }
                let mut rest = &input[i..];
                // `, доб. 123`: a comma may separate the number from the label.
                if let Some(r) = rest.strip_prefix(',') {
                    rest = r.trim_start_matches([' ', '\u{a0}']);
                }
                out.extension = Some(scan_extension(rest)?);
                break;
            }
        }
        i += 1;
    }
    (out.len > 0).then_some(out)
}

/// What the fast path made of an input.
pub(super) enum Reading {
    /// A valid +7 number: its national significant number, kind and region.
    Valid(NsnBuf, PhoneKind, RegionCode),
    /// Not a valid number, and why.
    Invalid(PhoneError),
}

/// A national significant number of at most 17 digits, on the stack.
#[derive(Clone, Copy)]
pub(super) struct NsnBuf {
    buf: [u8; 17],
    len: u8,
}

impl NsnBuf {
    fn new(digits: &[u8]) -> NsnBuf {
        let mut buf = [0; 17];
        let len = digits.len().min(17);
        buf[..len].copy_from_slice(&digits[..len]);
        NsnBuf {
            buf,
            len: len as u8,
        }
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }

    pub(super) fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

/// RU general description: `8\d{13}|[347-9]\d{9}`.
fn general_desc(d: &[u8]) -> bool {
    match d.len() {
        10 => matches!(d[0], b'3' | b'4' | b'7' | b'8' | b'9'),
        14 => d[0] == b'8',
        _ => false,
    }
}

/// libphonenumber's `maybeStripNationalPrefixAndCarrierCode` for RU: the leading
/// 8 goes unless the number was viable with it and is not without it (which is
/// how `812 …` keeps its 8).
fn strip_national_prefix(d: &[u8]) -> &[u8] {
    match d.split_first() {
        Some((b'8', rest)) if !general_desc(d) || general_desc(rest) => rest,
        _ => d,
    }
}

#[derive(PartialEq, Eq)]
enum Length {
    Possible,
    LocalOnly,
    TooShort,
    Invalid,
    TooLong,
}

/// libphonenumber's `testNumberLength` for RU (lengths 10 and 14, local-only 7).
fn test_length(len: usize) -> Length {
    match len {
        7 => Length::LocalOnly,
        10 | 14 => Length::Possible,
        0..=9 => Length::TooShort,
        11..=13 => Length::Invalid,
        _ => Length::TooLong,
    }
}

/// RU fixed-line area codes (ABC), from the metadata's fixed-line pattern.
fn is_fixed_line_code(abc: u16) -> bool {
    matches!(
        abc,
        301 | 302 | 336 | 341 | 342 | 343 | 345 | 346 | 347 | 349 | 351 | 352 | 353 | 365
            | 381..=385 | 388 | 390 | 391 | 394 | 395
            | 401 | 411 | 413 | 415 | 416 | 421 | 423 | 424 | 426 | 427
            | 471..=475 | 481..=487 | 491..=496 | 498 | 499
            | 811..=818 | 820 | 821 | 831 | 833..=836 | 840..=848
            | 851 | 855 | 856 | 857 | 860..=863 | 865 | 866 | 867 | 869
            | 871 | 872 | 873 | 877 | 878 | 879
    )
}

/// RU mobile pattern: every `9xx` except parts of `9300…`.
fn is_mobile(d: &[u8]) -> bool {
    if d[0] != b'9' {
        return false;
    }
    if &d[1..4] != b"300" {
        return true;
    }
    let y = d[5];
    match d[4] {
        b'0' => y == b'5',
        b'1' | b'2' | b'4' | b'5' | b'7' | b'9' => true,
        b'3' => y <= b'7',
        b'6' => y <= b'4' || y == b'9',
        b'8' => y == b'0' || y >= b'4',
        _ => false,
    }
}

/// The kind of a Russian national significant number, or `None` when it is not
/// valid. Mirrors `getNumberTypeHelper` with the RU metadata.
pub(super) fn russian_kind(d: &[u8]) -> Option<PhoneKind> {
    if !general_desc(d) {
        return None;
    }
    if d.len() == 14 {
        return d.starts_with(b"8108").then_some(PhoneKind::TollFree);
    }
    let abc = d[..3]
        .iter()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
    match abc {
        803 | 809 => Some(PhoneKind::PremiumRate),
        800 | 804 => Some(PhoneKind::TollFree),
        808 => Some(PhoneKind::PersonalNumber),
        _ if is_fixed_line_code(abc) => Some(PhoneKind::FixedLine),
        900..=999 if is_mobile(d) => Some(PhoneKind::Mobile),
        _ => None,
    }
}

/// KZ fixed-line area codes: the four digits after the leading 7, from the
/// metadata's fixed-line pattern
/// `7(?:1(?:0(?:[23]\d|4[0-3]|59|63)|1(?:[23]\d|4[0-79]|59)|…)|2(?:…))\d{5}`.
fn is_kazakh_fixed_line(a: u8, b: u8, c: u8, d: u8) -> bool {
    match (a, b) {
        (1, 0) => matches!((c, d), (2 | 3, _) | (4, 0..=3) | (5, 9) | (6, 3)),
        (1, 1) => matches!((c, d), (2 | 3, _) | (4, 0..=7 | 9) | (5, 9)),
        (1, 2) => matches!((c, d), (2 | 3, _) | (5, 9)),
        (1, 3) => matches!((c, d), (2, _) | (3, 0..=7 | 9) | (4, 0..=3 | 5..=9) | (5, 9)),
        (1, 4) => matches!(
            (c, d),
            (2 | 4, _) | (3, 0 | 1 | 3..=9) | (5, 1..=9) | (9, 7)
        ),
        (1, 5) => matches!((c, d), (2, _) | (3, 1..=9) | (4, 0..=7) | (5, 9)),
        (1, 6) => matches!((c, d), (2..=4, _) | (5, 1 | 9) | (6, 1)),
        (1, 7) => c == 2,
        (1, 8) => matches!((c, d), (2 | 7, _) | (3, 1..=4 | 6..=9) | (4, 0..=5) | (5, 9)),
        (2, 1) => matches!((c, d), (2 | 3, _) | (4, 4 | 6..=9) | (5, 3 | 4 | 6 | 9)),
        (2, 2) => matches!(
            (c, d),
            (2, _) | (3, 0 | 6 | 7 | 9) | (4, 6) | (5, 1 | 2 | 6 | 7 | 9)
        ),
        (2, 3) => matches!((c, d), (2..=4, _) | (5, 1 | 3 | 9)),
        (2, 4) => matches!((c, d), (2, _) | (3, 1..=3 | 5..=9) | (5, 9)),
        (2, 5) => matches!((c, d), (2 | 3, _) | (4, 0..=8) | (5, 9) | (6, 1)),
        (2, 6) => matches!((c, d), (2, _) | (3, 1..=9) | (4, 0..=4) | (5, 9)),
        (2, 7) => matches!((c, d), (2 | 3 | 7 | 9, _) | (4, 0) | (5, 2 | 7 | 9)),
        (2, 8) => matches!((c, d), (2 | 3, _) | (4, 0..=3) | (5, 9)),
        (2, 9) => matches!((c, d), (2, _) | (3, 1 | 2 | 4 | 5 | 7 | 8) | (5, 9)),
        _ => false,
    }
}

/// The kind of a Kazakh national significant number (`7…`), or `None` when it is
/// not valid. Mirrors `getNumberTypeHelper` with the KZ metadata: VoIP `751`,
/// fixed line by area code, mobile `7(?:0[0-25-8]|47|6[0-4]|7[15-8]|85)`.
pub(super) fn kazakh_kind(d: &[u8]) -> Option<PhoneKind> {
    if d.len() != 10 || d[0] != b'7' {
        return None;
    }
    let n = |i: usize| d[i] - b'0';
    if d.starts_with(b"751") {
        return Some(PhoneKind::Voip);
    }
    if is_kazakh_fixed_line(n(1), n(2), n(3), n(4)) {
        return Some(PhoneKind::FixedLine);
    }
    let mobile = matches!(
        (n(1), n(2)),
        (0, 0..=2 | 5..=8) | (4, 7) | (6, 0..=4) | (7, 1 | 5..=8) | (8, 5)
    );
    mobile.then_some(PhoneKind::Mobile)
}

fn error(problem: PhoneProblem, reason: String) -> Reading {
    Reading::Invalid(PhoneError::new(problem, reason))
}

/// Reads scanned digits the way libphonenumber does with RU as the default
/// region. `None` when the digits need the general path (`810…` and `00…`
/// international prefixes, a plus before another country code).
pub(super) fn read(scanned: &Scanned<'_>) -> Option<Reading> {
    let digits = scanned.digits();
    let typed = digits.len();
    let nsn: &[u8] = if scanned.plus {
        if digits[0] != b'7' {
            return None;
        }
        if typed <= 2 {
            return Some(error(
                PhoneProblem::TooShort,
                format!(
                    "too short: {} digits after +7, a number needs 10",
                    typed - 1
                ),
            ));
        }
        &digits[1..]
    } else {
        if digits.starts_with(b"810") || digits.starts_with(b"00") {
            return None;
        }
        match digits.split_first() {
            Some((b'7', rest)) => {
                let potential = strip_national_prefix(rest);
                if (!general_desc(digits) && general_desc(potential))
                    || test_length(typed) == Length::TooLong
                {
                    potential
                } else {
                    digits
                }
            }
            _ => digits,
        }
    };
    let stripped = strip_national_prefix(nsn);
    let nsn = match test_length(stripped.len()) {
        Length::TooShort | Length::LocalOnly | Length::Invalid => nsn,
        Length::Possible | Length::TooLong => stripped,
    };
    // Which country of +7: RU's leading digits are `[3489]`, KZ's `7`.
    let valid = match nsn.first() {
        Some(b'3' | b'4' | b'8' | b'9') => russian_kind(nsn).map(|kind| (kind, RegionCode::RU)),
        Some(b'7') => kazakh_kind(nsn).map(|kind| (kind, RegionCode::KZ)),
        _ => None,
    };
    Some(match valid {
        Some((kind, region)) => Reading::Valid(NsnBuf::new(nsn), kind, region),
        None => Reading::Invalid(invalid_reason(scanned.plus, typed, nsn)),
    })
}

/// Why digits that libphonenumber rejects are not a number, in the user's terms:
/// how many digits they typed and what a Russian number needs.
fn invalid_reason(plus: bool, typed: usize, nsn: &[u8]) -> PhoneError {
    let shape = "a Russian number has 10 digits, or 11 with a leading 8 or 7";
    let (problem, reason) = if plus && nsn.len() < 10 {
        (
            PhoneProblem::TooShort,
            format!(
                "too short: {} digits after +7, a number needs 10",
                nsn.len()
            ),
        )
    } else if plus && nsn.len() > 10 && nsn.len() != 14 {
        (
            PhoneProblem::TooLong,
            format!("too long: {} digits after +7, a number needs 10", nsn.len()),
        )
    } else if !plus && typed == 7 {
        (
            PhoneProblem::TooShort,
            "too short: 7 digits is a local number without its area code".to_string(),
        )
    } else if !plus && typed == 10 && nsn.len() == 10 && nsn[0] == b'8' {
        (
            PhoneProblem::TooShort,
            "too short: 9 digits after the leading 8, a number needs 10".to_string(),
        )
    } else if !plus && typed < 10 {
        (
            PhoneProblem::TooShort,
            format!("too short: {typed} digits, {shape}"),
        )
    } else if !plus && typed > 11 && nsn.len() != 14 {
        (
            PhoneProblem::TooLong,
            format!("too long: {typed} digits, {shape}"),
        )
    } else if nsn.len() != 10 && nsn.len() != 14 {
        (
            PhoneProblem::InvalidNumber,
            format!("{typed} digits: {shape}"),
        )
    } else if nsn[0] == b'7' {
        (
            PhoneProblem::InvalidNumber,
            format!(
                "not a valid number for KZ: +7 {} is not in use",
                String::from_utf8_lossy(&nsn[..4])
            ),
        )
    } else if matches!(nsn[0], b'3' | b'4' | b'8' | b'9') {
        let shown = if nsn.starts_with(b"9300") { 6 } else { 3 };
        let code = String::from_utf8_lossy(&nsn[..shown]);
        (
            PhoneProblem::InvalidNumber,
            format!("not a valid number for RU: +7 {code} is not in use"),
        )
    } else {
        (
            PhoneProblem::InvalidNumber,
            format!(
                "not a valid number: no Russian or Kazakh number starts with +7 {}",
                char::from(nsn[0])
            ),
        )
    };
    PhoneError::new(problem, reason)
}

/// The extension the scanner found.
pub(super) fn extension<'a>(scanned: &Scanned<'a>) -> Option<&'a str> {
    scanned.extension
}

/// Formats a valid Russian number nationally (`8 (916) 123-45-67`) or
/// internationally (`+7 916 123-45-67`), as libphonenumber does.
pub(super) fn format_russian(nsn: &str, international: bool) -> String {
    let d = nsn.as_bytes();
    let (area, rest): (&str, String) = if d.len() == 14 {
        (
            &nsn[..4],
            format!("{} {} {}", &nsn[4..8], &nsn[8..11], &nsn[11..]),
        )
    } else if d.len() == 10 {
        (
            &nsn[..3],
            format!("{}-{}-{}", &nsn[3..6], &nsn[6..8], &nsn[8..]),
        )
    } else {
        return if international {
            format!("+7 {nsn}")
        } else {
            nsn.to_string()
        };
    };
    if international {
        format!("+7 {area} {rest}")
    } else {
        format!("8 ({area}) {rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Option<String> {
        let scanned = scan(s)?;
        match read(&scanned)? {
            Reading::Valid(nsn, kind, RegionCode::RU) => {
                Some(format!("+7{} {kind:?}", nsn.as_str()))
            }
            Reading::Valid(nsn, kind, region) => {
                Some(format!("+7{} {kind:?} {region:?}", nsn.as_str()))
            }
            Reading::Invalid(e) => Some(format!("invalid: {}", e.reason())),
        }
    }

    #[test]
    fn reads_what_people_type() {
        for (input, want) in [
            ("8 (916) 123-45-67", "+79161234567 Mobile"),
            ("+7916 123 45 67", "+79161234567 Mobile"),
            ("7 916 123 45 67", "+79161234567 Mobile"),
            ("9161234567", "+79161234567 Mobile"),
            ("8-800-555-35-35", "+78005553535 TollFree"),
            ("+7 812 123-45-67", "+78121234567 FixedLine"),
            ("8121234567", "+78121234567 FixedLine"),
            ("88121234567", "+78121234567 FixedLine"),
            ("+7 8 916 123 45 67", "+79161234567 Mobile"),
            ("+7 (8108) 1234 123 456", "+781081234123456 TollFree"),
            ("+7 701 123 45 67", "+77011234567 Mobile \"KZ\""),
            ("8 7172 12 34 56", "+77172123456 FixedLine \"KZ\""),
            ("+7 751 123 45 67", "+77511234567 Voip \"KZ\""),
            ("8 809 123 45 67", "+78091234567 PremiumRate"),
            ("8 808 123 45 67", "+78081234567 PersonalNumber"),
        ] {
            assert_eq!(read_str(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn gives_reasons() {
        assert_eq!(
            read_str("123-45-67").unwrap(),
            "invalid: too short: 7 digits is a local number without its area code"
        );
        assert_eq!(
            read_str("+7 916 123 45 6").unwrap(),
            "invalid: too short: 9 digits after +7, a number needs 10"
        );
        assert_eq!(
            read_str("+7 600 123 45 67").unwrap(),
            "invalid: not a valid number: no Russian or Kazakh number starts with +7 6"
        );
        assert_eq!(
            read_str("8 (805) 123-45-67").unwrap(),
            "invalid: not a valid number for RU: +7 805 is not in use"
        );
    }

    #[test]
    fn scans_extensions() {
        for input in [
            "8 495 123-45-67 доб. 123",
            "8 495 123-45-67 доб 123",
            "8 495 123-45-67 ДОБ.123",
            "8 495 123-45-67, доб. 123",
            "8 495 123-45-67 (доб. 123)",
            "8 495 123-45-67 вн. 123",
            "8 495 123-45-67 ext. 123",
            "8 495 123-45-67 x123",
        ] {
            let s = scan(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(extension(&s), Some("123"), "{input}");
        }
        for declined in [
            "8 495 123-45-67 #123",
            "8 495 123-45-67 доб. 12-3",
            "тел. 8 495 123-45-67",
            "8 495 123-45-67, 8 495 765-43-21",
            "8\t495",
            "++7 916",
        ] {
            assert!(scan(declined).is_none(), "{declined}");
        }
    }

    #[test]
    fn formats_like_libphonenumber() {
        assert_eq!(format_russian("9161234567", false), "8 (916) 123-45-67");
        assert_eq!(format_russian("9161234567", true), "+7 916 123-45-67");
        assert_eq!(
            format_russian("81081234123456", false),
            "8 (8108) 1234 123 456"
        );
    }
}
