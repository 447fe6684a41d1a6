//! Phone numbers as people type them, read into E.164 with their kind.
//!
//! [`PhoneNormalizer`] reads what people type into a phone field (`8 (916)
//! 123-45-67`, `+7916…`, `7 916…`, ten bare digits, `8-800-…`, `+7 812 …`,
//! Kazakhstan's `+7 7xx`, foreign numbers after `+`, `00` or `8 10`, extensions
//! after `доб.`, `доб`, `вн.`, `ext.` or `x`) against a default region (Russia
//! unless configured), tells mobile from fixed line, toll free and the rest, says
//! why an invalid number is invalid, and formats for display.
//!
//! ```
//! use clientbase::{PhoneNormalizer, PhoneFormat, PhoneKind};
//! let phones = PhoneNormalizer::default();
//! let phone = phones.parse("8 (812) 123-45-67 доб. 12")?;
//! assert_eq!(phone.e164(), "+78121234567");
//! assert_eq!(phone.extension(), Some("12"));
//! assert_eq!(phone.kind(), PhoneKind::FixedLine);
//! assert_eq!(phone.format(PhoneFormat::National), "8 (812) 123-45-67 доб. 12");
//! assert_eq!(phone.format(PhoneFormat::International), "+7 812 123-45-67 ext. 12");
//!
//! let err = phones.parse("8 (916) 123-45-6").unwrap_err();
//! assert_eq!(err.reason(), "too short: 9 digits after the leading 8, a number needs 10");
//!
//! // A field with several numbers is never read as one.
//! let field = "8 916 123 45 67, 8 495 765 43 21 (раб.)";
//! assert!(phones.parse(field).is_err());
//! let numbers: Vec<_> = phones.split_field(field).into_iter().map(|c| (c.text, c.label)).collect();
//! assert_eq!(numbers, [("8 916 123 45 67", None), ("8 495 765 43 21", Some("раб."))]);
//! # Ok::<(), clientbase::PhoneError>(())
//! ```
//!
//! # Correctness
//!
//! The reference is Google's libphonenumber: `tests/vectors/phones.json` holds
//! tens of thousands of messy inputs with the output of the Python `phonenumbers`
//! package, and the Rust, C and Python tests run all of them. +7 numbers (Russia
//! and Kazakhstan) go through a hand-written fast path that mirrors
//! libphonenumber's parsing rules and the RU and KZ metadata (it is tested against
//! the vectors and, exhaustively over number prefixes, against rlibphonenumber,
//! which would fail the build's tests if its metadata moved); everything else goes through
//! [rlibphonenumber](https://crates.io/crates/rlibphonenumber), a port of
//! libphonenumber with its metadata, under a panic guard: no input can make
//! [`PhoneNormalizer::parse`] panic.
//!
//! # Where we deliberately differ from libphonenumber
//!
//! Each difference only turns a rejected input into a number; none changes a
//! number libphonenumber accepts. The vector file marks every affected case with
//! `"differs"` and the reason.
//!
//! - **Several numbers in one field** (`8 916 …, 8 495 … (раб.)`, `;`, `/`, `или`):
//!   an error ([`PhoneProblem::SeveralNumbers`]); use
//!   [`PhoneNormalizer::split_field`]. libphonenumber reads the field as one
//!   string and rejects it or, rarely, reads the second number as an extension.
//! - **Labels** (`тел.`, `моб.`, `(раб.)`, `work:`) around a number are set aside
//!   (see [`PhoneCandidate::label`]); libphonenumber rejects Cyrillic text and turns
//!   three or more Latin letters into keypad digits.
//! - **`вн.` and `вн`** (внутренний) mark an extension like `доб.`; libphonenumber
//!   knows only `доб`.
//! - **An extension after `;`, `|`, a line break or `или`** (`8 916 … ; доб. 12`)
//!   belongs to the number before it, as after a comma; libphonenumber rejects
//!   the field.
//! - **`00` as the international prefix** with a default region in +7:
//!   libphonenumber only knows Russia's `8 10`, and reads `0049…` as an invalid
//!   national number.
//! - **`+8` for `+7`**, a common slip: when libphonenumber finds no valid number
//!   and the ten digits after `+8` are a valid Russian number, that is the number.
//! - **Extensions in display formats** are written `доб.` in the national format
//!   (`8 (495) 123-45-67 доб. 12`); libphonenumber writes `ext.`.
//!
//! # Performance
//!
//! The fast path reads a typical Russian number in well under a microsecond
//! without regular expressions, also when it is typed with an international
//! prefix instead of the plus (`00 7 …`, `8 10 7 …`: about 100 ns, where the
//! general path took 2 µs for `8 10 7 …`); [`PhoneNormalizer::parse_batch`] runs on all
//! cores with the `parallel` feature. Without the `intl-phones` feature the fast
//! path still reads every +7 number (Russia and Kazakhstan); others are a
//! [`PhoneProblem::Unsupported`] error.

use crate::client::{Phone, PhoneKind};
use crate::error::{invalid, Error};
use std::fmt;

#[cfg(feature = "intl-phones")]
mod intl;
mod russia;
mod split;

/// A region code (`RU`, `KZ`, or `001` for non-geographic numbers), inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RegionCode {
    buf: [u8; 3],
    len: u8,
}

impl RegionCode {
    const RU: RegionCode = RegionCode {
        buf: *b"RU\0",
        len: 2,
    };
    const KZ: RegionCode = RegionCode {
        buf: *b"KZ\0",
        len: 2,
    };
    #[cfg(feature = "intl-phones")]
    const WORLD: RegionCode = RegionCode {
        buf: *b"001",
        len: 3,
    };

    #[cfg(feature = "intl-phones")]
    fn new(code: &str) -> RegionCode {
        let mut buf = [0; 3];
        let len = code.len().min(3);
        buf[..len].copy_from_slice(&code.as_bytes()[..len]);
        RegionCode {
            buf,
            len: len as u8,
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// An E.164 number (`+` and at most 3 + 17 digits) stored inline, so a parsed
/// phone needs no allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct E164 {
    buf: [u8; 21],
    len: u8,
}

impl E164 {
    /// `+`, the country code and the national significant number; digits past
    /// the 21st byte are dropped (no valid number has them).
    fn new(country_code: &str, nsn: &str) -> E164 {
        let mut e = E164 {
            buf: [0; 21],
            len: 0,
        };
        for b in std::iter::once(b'+')
            .chain(country_code.bytes())
            .chain(nsn.bytes())
            .take(21)
        {
            e.buf[e.len as usize] = b;
            e.len += 1;
        }
        e
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Debug for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// How to write a phone number for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneFormat {
    /// `+79161234567`: for storage and matching; never carries the extension.
    E164,
    /// `+7 916 123-45-67`, extension as ` ext. 12`.
    International,
    /// `8 (916) 123-45-67`, extension as ` доб. 12`.
    National,
}

/// What is wrong with a phone number, in broad strokes; [`PhoneError::reason`]
/// says it in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PhoneProblem {
    /// Nothing was typed.
    Empty,
    /// The text does not look like a phone number (no digits, stray text).
    NotANumber,
    /// The field holds several numbers; split it with [`PhoneNormalizer::split_field`].
    SeveralNumbers,
    /// The number starts with a plus and a code no country has.
    InvalidCountryCode,
    /// Digits are missing.
    TooShort,
    /// There are digits too many.
    TooLong,
    /// The length is plausible but no number of that country looks like this.
    InvalidNumber,
    /// The number is foreign and the `intl-phones` feature is off.
    Unsupported,
    /// The parser failed on this input (a bug; please report the input).
    Internal,
}

impl PhoneProblem {
    /// Every variant, in declaration order (what bindings mirror).
    pub const ALL: &'static [PhoneProblem] = &[
        PhoneProblem::Empty,
        PhoneProblem::NotANumber,
        PhoneProblem::SeveralNumbers,
        PhoneProblem::InvalidCountryCode,
        PhoneProblem::TooShort,
        PhoneProblem::TooLong,
        PhoneProblem::InvalidNumber,
        PhoneProblem::Unsupported,
        PhoneProblem::Internal,
    ];

    /// The stable snake_case name (`too_short`), for bindings and reports.
    pub fn name(self) -> &'static str {
        match self {
            PhoneProblem::Empty => "empty",
            PhoneProblem::NotANumber => "not_a_number",
            PhoneProblem::SeveralNumbers => "several_numbers",
            PhoneProblem::InvalidCountryCode => "invalid_country_code",
            PhoneProblem::TooShort => "too_short",
            PhoneProblem::TooLong => "too_long",
            PhoneProblem::InvalidNumber => "invalid_number",
            PhoneProblem::Unsupported => "unsupported",
            PhoneProblem::Internal => "internal",
        }
    }
}

/// Why a phone number could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneError {
    problem: PhoneProblem,
    reason: String,
}

impl PhoneError {
    fn new(problem: PhoneProblem, reason: impl Into<String>) -> PhoneError {
        PhoneError {
            problem,
            reason: reason.into(),
        }
    }

    /// What is wrong, as a code.
    pub fn problem(&self) -> PhoneProblem {
        self.problem
    }

    /// What is wrong, in words (`too short: 9 digits after +7, a number needs 10`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for PhoneError {}

impl From<PhoneError> for Error {
    /// An [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) about the field `phone`.
    fn from(err: PhoneError) -> Error {
        invalid("phone", err.reason)
    }
}

impl PhoneKind {
    /// Every variant, in declaration order (what bindings mirror).
    pub const ALL: &'static [PhoneKind] = &[
        PhoneKind::Mobile,
        PhoneKind::FixedLine,
        PhoneKind::FixedLineOrMobile,
        PhoneKind::TollFree,
        PhoneKind::PremiumRate,
        PhoneKind::SharedCost,
        PhoneKind::Voip,
        PhoneKind::PersonalNumber,
        PhoneKind::Pager,
        PhoneKind::Uan,
        PhoneKind::Voicemail,
        PhoneKind::Unknown,
    ];

    /// The stable snake_case name (`mobile`, `fixed_line`, `toll_free`, ...), as
    /// serialized.
    pub fn name(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::FixedLine => "fixed_line",
            PhoneKind::FixedLineOrMobile => "fixed_line_or_mobile",
            PhoneKind::TollFree => "toll_free",
            PhoneKind::PremiumRate => "premium_rate",
            PhoneKind::SharedCost => "shared_cost",
            PhoneKind::Voip => "voip",
            PhoneKind::PersonalNumber => "personal_number",
            PhoneKind::Pager => "pager",
            PhoneKind::Uan => "uan",
            PhoneKind::Voicemail => "voicemail",
            PhoneKind::Unknown => "unknown",
        }
    }
}

/// A valid phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParsedPhone {
    e164: E164,
    extension: Option<String>,
    kind: PhoneKind,
    country_code: u16,
    region: RegionCode,
}

impl ParsedPhone {
    /// The number in E.164 (`+79161234567`), without the extension.
    pub fn e164(&self) -> &str {
        self.e164.as_str()
    }

    /// The extension digits (`доб. 123` gives `123`).
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// Mobile, fixed line, toll free, ...
    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The country calling code (`7`).
    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// The region the number belongs to (`RU`, `KZ`, `DE`; `001` for
    /// non-geographic numbers such as +800).
    pub fn region(&self) -> &str {
        self.region.as_str()
    }

    /// The national significant number: the digits after the country code.
    pub fn national_number(&self) -> &str {
        let cc_digits = match self.country_code {
            0..=9 => 1,
            10..=99 => 2,
            _ => 3,
        };
        self.e164().get(1 + cc_digits..).unwrap_or("")
    }

    /// The number written for display; see [`PhoneFormat`].
    pub fn format(&self, format: PhoneFormat) -> String {
        let base = if format == PhoneFormat::E164 {
            return self.e164().to_string();
        } else if self.country_code == 7 && self.region == RegionCode::RU {
            russia::format_russian(self.national_number(), format == PhoneFormat::International)
        } else {
            self.format_intl(format)
        };
        match (&self.extension, format) {
            (Some(ext), PhoneFormat::National) => format!("{base} доб. {ext}"),
            (Some(ext), _) => format!("{base} ext. {ext}"),
            (None, _) => base,
        }
    }

    #[cfg(feature = "intl-phones")]
    fn format_intl(&self, format: PhoneFormat) -> String {
        intl::format(self, format).unwrap_or_else(|| self.e164().to_string())
    }

    /// Without the metadata only +7 numbers exist; Kazakh ones get the plain
    /// `3-3-4` grouping libphonenumber gives most of them.
    #[cfg(not(feature = "intl-phones"))]
    fn format_intl(&self, format: PhoneFormat) -> String {
        let n = self.national_number();
        match (n.get(..3), n.get(3..6), n.get(6..)) {
            (Some(a), Some(b), Some(c)) if format == PhoneFormat::National => {
                format!("8 ({a}) {b} {c}")
            }
            (Some(a), Some(b), Some(c)) => format!("+7 {a} {b} {c}"),
            _ => self.e164().to_string(),
        }
    }

    /// Writes the normalized form into a [`Phone`]: `e164`, `extension` and `kind`;
    /// `raw` and the rest stay as they are. Returns whether anything changed.
    pub fn apply_to(&self, phone: &mut Phone) -> bool {
        let e164 = Some(self.e164());
        let kind = Some(self.kind);
        let changed = phone.e164.as_deref() != e164
            || phone.extension.as_deref() != self.extension()
            || phone.kind != kind;
        if changed {
            phone.e164 = Some(self.e164().to_string());
            phone.extension = self.extension.clone();
            phone.kind = kind;
        }
        changed
    }
}

impl fmt::Display for ParsedPhone {
    /// The international format.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(PhoneFormat::International))
    }
}

/// One number found in a field that may hold several; see
/// [`PhoneNormalizer::split_field`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhoneCandidate<'a> {
    /// The piece of the field as typed, label included (`8 495 765 43 21 (раб.)`).
    pub raw: &'a str,
    /// The text to parse, without the label (`8 495 765 43 21`).
    pub text: &'a str,
    /// A label typed next to the number (`раб.`, `моб.`, `work`), without brackets.
    pub label: Option<&'a str>,
}

/// What the fast path made of an input.
enum Fast {
    /// Read: a valid +7 number or why it is not one.
    Done(Result<ParsedPhone, PhoneError>),
    /// Only digits and separators, but not a +7 number (a foreign number, `00…`).
    Clean,
    /// Anything else: labels, several numbers, letters, another default region.
    Messy,
}

/// Reads phone numbers against a default region.
#[derive(Debug, Clone)]
pub struct PhoneNormalizer {
    region: RegionCode,
    country_code: u16,
    #[cfg(feature = "intl-phones")]
    lib_region: rlibphonenumber::Region,
}

impl Default for PhoneNormalizer {
    /// Russia as the default region.
    fn default() -> PhoneNormalizer {
        PhoneNormalizer {
            region: RegionCode::RU,
            country_code: 7,
            #[cfg(feature = "intl-phones")]
            lib_region: rlibphonenumber::Region::RU,
        }
    }
}

impl PhoneNormalizer {
    /// A normalizer that reads numbers typed without a country code as numbers of
    /// `default_region` (an ISO 3166 code such as `RU`, `KZ`, `DE`). Without the
    /// `intl-phones` feature only `RU` is available.
    pub fn new(default_region: &str) -> Result<PhoneNormalizer, Error> {
        let code = default_region.trim().to_ascii_uppercase();
        if code == "RU" {
            return Ok(PhoneNormalizer::default());
        }
        #[cfg(feature = "intl-phones")]
        if let Some((lib_region, country_code)) = intl::region(&code) {
            if code.len() == 2 {
                return Ok(PhoneNormalizer {
                    region: RegionCode::new(&code),
                    country_code,
                    lib_region,
                });
            }
        }
        Err(invalid(
            "region",
            format!("{default_region:?} is not a region code with phone numbers"),
        ))
    }

    /// The default region (`RU`).
    pub fn default_region(&self) -> &str {
        self.region.as_str()
    }

    /// Reads one phone number. A field holding several numbers is an error
    /// ([`PhoneProblem::SeveralNumbers`]); labels around the number are ignored.
    /// Never panics, whatever the input.
    pub fn parse(&self, input: &str) -> Result<ParsedPhone, PhoneError> {
        let clean = match self.fast(input) {
            Fast::Done(result) => return result,
            Fast::Clean => true,
            Fast::Messy => false,
        };
        let general = || {
            if clean {
                self.parse_text(input)
            } else {
                self.parse_general(input)
            }
        };
        std::panic::catch_unwind(general).unwrap_or_else(|_| {
            Err(PhoneError::new(
                PhoneProblem::Internal,
                "the phone number parser failed on this input",
            ))
        })
    }

    /// Finds the numbers in a field that may hold several (`8 916 123 45 67,
    /// 8 495 765 43 21 (раб.)`, separated by `,` `;` `/` `или` ...), each with
    /// its raw piece and label. A field with one number gives one candidate; one
    /// without digits gives none. Parse each [`PhoneCandidate::text`] with
    /// [`PhoneNormalizer::parse`].
    pub fn split_field<'a>(&self, field: &'a str) -> Vec<PhoneCandidate<'a>> {
        split::split(field)
    }

    /// Reads many numbers, in parallel with the `parallel` feature; the results
    /// are in input order.
    pub fn parse_batch<S: AsRef<str> + Sync>(
        &self,
        inputs: &[S],
    ) -> Vec<Result<ParsedPhone, PhoneError>> {
        crate::batch::map_column(inputs, |s| self.parse(s.as_ref()))
    }

    /// The fast path for +7 numbers, also typed with an international prefix
    /// instead of the plus (`00 7 …`, `8 10 7 …`).
    fn fast(&self, input: &str) -> Fast {
        if self.region != RegionCode::RU {
            return Fast::Messy;
        }
        let Some(mut scanned) = russia::scan(input) else {
            return Fast::Messy;
        };
        let prefix = scanned.international_prefix(input);
        if let Some(prefix) = prefix {
            scanned.strip_international_prefix(prefix);
        }
        match russia::read(&scanned) {
            // What is wrong with an `8 10 7 …` number is said by the general
            // path, as it always was (it reads `8 10` itself).
            Some(russia::Reading::Invalid(_))
                if prefix == Some(russia::InternationalPrefix::EightTen) =>
            {
                Fast::Clean
            }
            Some(russia::Reading::Valid(nsn, kind, region)) => Fast::Done(Ok(ParsedPhone {
                e164: E164::new("7", nsn.as_str()),
                extension: russia::extension(&scanned).map(str::to_string),
                kind,
                country_code: 7,
                region,
            })),
            Some(russia::Reading::Invalid(err)) => Fast::Done(Err(err)),
            None => Fast::Clean,
        }
    }

    fn parse_general(&self, input: &str) -> Result<ParsedPhone, PhoneError> {
        if input.trim().is_empty() {
            return Err(PhoneError::new(PhoneProblem::Empty, "empty"));
        }
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(PhoneError::new(
                PhoneProblem::TooLong,
                format!("too long: more than {MAX_INPUT_CHARS} characters"),
            ));
        }
        let candidates = split::split(input);
        let text = match candidates.as_slice() {
            [] => {
                return Err(PhoneError::new(
                    PhoneProblem::NotANumber,
                    "no digits: does not look like a phone number",
                ))
            }
            [one] => one.text,
            several => {
                return Err(PhoneError::new(
                    PhoneProblem::SeveralNumbers,
                    format!(
                        "{} numbers in one field; split it into one number each",
                        several.len()
                    ),
                ))
            }
        };
        // `…; доб. 12` is read as `…, доб. 12`.
        let joined = split::join_extension(text);
        let text = joined.as_deref().unwrap_or(text);
        match self.fast(text) {
            Fast::Done(result) => result,
            _ => self.parse_text(text),
        }
    }

    /// Reads one number's text (no labels, no second number) the general way.
    fn parse_text(&self, text: &str) -> Result<ParsedPhone, PhoneError> {
        let rewritten = self.rewrite(text);
        let text = rewritten.as_deref().unwrap_or(text);
        if rewritten.is_some() {
            if let Fast::Done(result) = self.fast(text) {
                return result;
            }
        }
        match self.general(text) {
            Ok(phone) => Ok(phone),
            Err(err) => self.rescue_plus_eight(text).ok_or(err),
        }
    }

    /// Rewrites what libphonenumber would reject but we read: `вн.` as an
    /// extension label, `00` as the international prefix in a +7 region.
    fn rewrite(&self, text: &str) -> Option<String> {
        let mut out: Option<String> = None;
        if text.contains(|c: char| c.is_whitespace() && c != ' ' && c != '\u{a0}') {
            out = Some(text.replace(|c: char| c.is_whitespace() && c != '\u{a0}', " "));
        }
        if let Some((at, len)) = find_extension_label(out.as_deref().unwrap_or(text)) {
            let current = out.as_deref().unwrap_or(text);
            out = Some(format!("{} доб{}", &current[..at], &current[at + len..]));
        }
        if self.country_code == 7 {
            let current = out.as_deref().unwrap_or(text);
            let start = current.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+');
            if let Some(rest) = start.strip_prefix("00") {
                let at = current.len() - start.len();
                out = Some(format!("{}+{rest}", &current[..at]));
            }
        }
        out
    }

    /// `+8 916 …`: when the ten digits after `+8` are a valid Russian number.
    fn rescue_plus_eight(&self, text: &str) -> Option<ParsedPhone> {
        if self.country_code != 7 {
            return None;
        }
        let start = text.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+');
        let rest = start.strip_prefix('+')?;
        let rest = rest.trim_start();
        if !rest.starts_with('8') || rest.chars().filter(char::is_ascii_digit).count() != 11 {
            return None;
        }
        match PhoneNormalizer::default().fast(rest) {
            Fast::Done(Ok(phone)) if phone.region == RegionCode::RU => Some(phone),
            _ => None,
        }
    }

    #[cfg(feature = "intl-phones")]
    fn general(&self, text: &str) -> Result<ParsedPhone, PhoneError> {
        intl::parse(text, self.lib_region)
    }

    #[cfg(not(feature = "intl-phones"))]
    fn general(&self, text: &str) -> Result<ParsedPhone, PhoneError> {
        let foreign = text
            .trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+')
            .starts_with('+')
            || text.contains(char::is_alphabetic);
        if foreign {
            Err(PhoneError::new(
                PhoneProblem::Unsupported,
                "only Russian numbers can be read without the intl-phones feature",
            ))
        } else {
            Err(PhoneError::new(
                PhoneProblem::NotANumber,
                "does not look like a phone number",
            ))
        }
    }
}

/// libphonenumber's limit on the length of input.
const MAX_INPUT_CHARS: usize = 250;

/// Extension labels libphonenumber does not know: `вн` (внутренний) and `доп`
/// (дополнительный).
const EXTRA_EXTENSION_LABELS: [&str; 2] = ["вн", "доп"];

/// Where a label libphonenumber does not know begins an extension at the end of
/// `text` (after a digit and separators, before digits), with the label's length.
fn find_extension_label(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return None;
    }
    EXTRA_EXTENSION_LABELS.iter().find_map(|label| {
        let at = lower.rfind(label)?;
        let before = text[..at].trim_end_matches([' ', ',', '(', '\u{a0}']);
        let after = text[at + label.len()..].trim_start_matches(['.', ':', ' ', '-', '\u{a0}']);
        let ends_with_digit = before.ends_with(|c: char| c.is_ascii_digit() || c == ')');
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let tail_ok = after[digits..]
            .chars()
            .all(|c| matches!(c, ' ' | '.' | ')'));
        (ends_with_digit && digits > 0 && tail_ok).then_some((at, label.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_issue_examples() {
        let n = PhoneNormalizer::default();
        for (input, e164) in [
            ("8 (916) 123-45-67", "+79161234567"),
            ("+7916 123 45 67", "+79161234567"),
            ("7 916 123 45 67", "+79161234567"),
            ("916 123 45 67", "+79161234567"),
            ("8-800-555-35-35", "+78005553535"),
            ("+7 812 123-45-67", "+78121234567"),
            ("тел. 8 (916) 123-45-67", "+79161234567"),
            ("+8 (916) 123-45-67", "+79161234567"),
        ] {
            assert_eq!(
                n.parse(input).as_ref().map(ParsedPhone::e164),
                Ok(e164),
                "{input}"
            );
        }
    }

    #[cfg(feature = "intl-phones")]
    #[test]
    fn reads_foreign_numbers() {
        let n = PhoneNormalizer::default();
        for (input, e164, region) in [
            ("00 49 30 12345678", "+493012345678", "DE"),
            ("8 10 49 30 12345678", "+493012345678", "DE"),
            ("+375 29 123-45-67", "+375291234567", "BY"),
            ("+7 701 123 45 67", "+77011234567", "KZ"),
        ] {
            let p = n.parse(input).unwrap();
            assert_eq!((p.e164(), p.region()), (e164, region), "{input}");
        }
        let de = PhoneNormalizer::new("de").unwrap();
        assert_eq!(de.parse("030 12345678").unwrap().e164(), "+493012345678");
        assert!(PhoneNormalizer::new("XX").is_err());
    }

    /// Inputs typed with an international prefix, valid or not: every
    /// three-digit code after +7, with a few random subscriber numbers, in
    /// each shape, some with an extension.
    #[cfg(feature = "intl-phones")]
    fn international_prefix_inputs() -> Vec<String> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        let mut inputs = Vec::new();
        for code in 300..1000 {
            let nsn = format!("{code}{:07}", next(10_000_000));
            let short = &nsn[..9];
            let long = format!("{nsn}{}", next(10));
            for digits in [nsn.as_str(), short, long.as_str()] {
                let (a, b) = digits.split_at(3);
                inputs.extend([
                    format!("007{digits}"),
                    format!("007 {a} {b}"),
                    format!("00 7 ({a}) {b}"),
                    format!("810 7 {a} {b}"),
                    format!("8 10 7 {a} {b}"),
                    format!("8107{digits}"),
                    format!("8 10 7 8 {a} {b}"),
                    format!("8 10 7 {a} {b} доб. 12"),
                    format!("00 7 {a}-{b} ext 5"),
                ]);
            }
        }
        inputs
    }

    #[test]
    fn international_prefixes_take_the_fast_path() {
        let n = PhoneNormalizer::default();
        for input in [
            "007 916 123-45-67",
            "00 7 916 1234567",
            "8 10 7 916 123 45 67",
        ] {
            assert!(
                matches!(n.fast(input), Fast::Done(Ok(_))),
                "{input} is read by the fast path"
            );
            assert_eq!(n.parse(input).unwrap().e164(), "+79161234567", "{input}");
        }
        let kz = n.parse("8 10 7 701 123 45 67").unwrap();
        assert_eq!((kz.e164(), kz.region()), ("+77011234567", "KZ"));
        // Another country, or 00 not typed together, is left to the general path.
        for input in [
            "0049 30 12345678",
            "8 10 49 30 12345678",
            "0 07 916 123 45 67",
        ] {
            assert!(matches!(n.fast(input), Fast::Clean), "{input}");
        }
    }

    /// The fast path reads a number with an international prefix as the
    /// general path does: the same number, kind, region and extension; the
    /// same error for `8 10 7 …` (which it leaves to the general path), an
    /// error for `00 7 …` too.
    #[cfg(feature = "intl-phones")]
    #[test]
    fn international_prefixes_read_as_the_general_path_does() {
        let n = PhoneNormalizer::default();
        let mut valid = 0;
        for input in international_prefix_inputs() {
            let general = match input.strip_prefix("00") {
                // libphonenumber knows only 810 in Russia; 00 is read as `+`.
                Some(rest) => n.general(&format!("+{rest}")),
                None => n
                    .general(&input)
                    .or_else(|err| n.rescue_plus_eight(&input).ok_or(err)),
            };
            let ours = n.parse(&input);
            match (&ours, &general) {
                (Ok(_), _) | (_, Ok(_)) => {
                    valid += 1;
                    assert_eq!(ours, general, "{input}");
                }
                (Err(_), Err(g)) if input.starts_with('8') => {
                    assert_eq!(ours.as_ref().unwrap_err(), g, "{input}")
                }
                (Err(_), Err(_)) => {}
            }
        }
        assert!(valid > 1000, "{valid} valid inputs");
    }

    #[cfg(not(feature = "intl-phones"))]
    #[test]
    fn foreign_numbers_need_the_feature() {
        let n = PhoneNormalizer::default();
        let problem = |s: &str| n.parse(s).unwrap_err().problem();
        assert_eq!(problem("+49 30 12345678"), PhoneProblem::Unsupported);
        let kz = n.parse("+7 7172 12 34 56").unwrap();
        assert_eq!((kz.region(), kz.kind()), ("KZ", PhoneKind::FixedLine));
        assert_eq!(kz.format(PhoneFormat::National), "8 (717) 212 3456");
        assert!(PhoneNormalizer::new("DE").is_err());
    }

    #[test]
    fn several_numbers_are_an_error() {
        let n = PhoneNormalizer::default();
        let err = n
            .parse("8 916 123 45 67, 8 495 765 43 21 (раб.)")
            .unwrap_err();
        assert_eq!(err.problem(), PhoneProblem::SeveralNumbers);
    }

    #[test]
    fn extensions_with_vn() {
        let n = PhoneNormalizer::default();
        let p = n.parse("+7 (495) 123-45-67, вн. 42").unwrap();
        assert_eq!(p.extension(), Some("42"));
        let p = n.parse("тел. +7 (495) 123-45-67 вн. 42").unwrap();
        assert_eq!(p.extension(), Some("42"));
    }
}

#[cfg(test)]
mod all_phonekind_tests {
    use super::*;

    /// `ALL` lists every variant: adding one breaks this exhaustive match
    /// until it is listed there too.
    #[test]
    fn all_lists_every_variant() {
        let listed = |v: PhoneKind| match v {
            PhoneKind::Mobile
            | PhoneKind::FixedLine
            | PhoneKind::FixedLineOrMobile
            | PhoneKind::TollFree
            | PhoneKind::PremiumRate
            | PhoneKind::SharedCost
            | PhoneKind::Voip
            | PhoneKind::PersonalNumber
            | PhoneKind::Pager
            | PhoneKind::Uan
            | PhoneKind::Voicemail
            | PhoneKind::Unknown => PhoneKind::ALL.contains(&v),
        };
        assert!(PhoneKind::ALL.iter().all(|&v| listed(v)));
        assert_eq!(PhoneKind::ALL.len(), 12);
    }
}

#[cfg(test)]
mod all_phoneproblem_tests {
    use super::*;

    /// `ALL` lists every variant: adding one breaks this exhaustive match
    /// until it is listed there too.
    #[test]
    fn all_lists_every_variant() {
        let listed = |v: PhoneProblem| match v {
            PhoneProblem::Empty
            | PhoneProblem::NotANumber
            | PhoneProblem::SeveralNumbers
            | PhoneProblem::InvalidCountryCode
            | PhoneProblem::TooShort
            | PhoneProblem::TooLong
            | PhoneProblem::InvalidNumber
            | PhoneProblem::Unsupported
            | PhoneProblem::Internal => PhoneProblem::ALL.contains(&v),
        };
        assert!(PhoneProblem::ALL.iter().all(|&v| listed(v)));
        assert_eq!(PhoneProblem::ALL.len(), 9);
    }
}
