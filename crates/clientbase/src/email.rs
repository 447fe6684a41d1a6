//! Email addresses: checked, normalized, keyed for matching, with typo suggestions.
//!
//! [`EmailNormalizer::parse`] trims what was typed, checks the syntax (a practical
//! subset of RFC 5321/6531: dot-atom local parts, Unicode letters allowed, no
//! quoted strings or IP literals) with a reason that says what is wrong,
//! lowercases the domain and writes internationalized domains in ASCII
//! (`почта.рф` → `xn--80a1acny.xn--p1ai`). The local part keeps its case, as mail
//! servers may treat it as significant.
//!
//! ```
//! use clientbase::EmailNormalizer;
//! let emails = EmailNormalizer::new();
//! let email = emails.parse("  Anna.Petrova@Mail.RU ")?;
//! assert_eq!(email.address(), "Anna.Petrova@mail.ru");
//! assert_eq!(email.key(), "anna.petrova@mail.ru");
//!
//! // Likely typos are suggested, never applied.
//! let email = emails.parse("ivan@gmial.com")?;
//! assert_eq!(email.address(), "ivan@gmial.com");
//! assert_eq!(email.suggestion(), Some("ivan@gmail.com"));
//!
//! // Provider rules make one mailbox's spellings one key.
//! let gmail = EmailNormalizer::new().with_provider_rules(true);
//! assert_eq!(gmail.parse("Ivan.Petrov+shop@googlemail.com")?.key(), "ivanpetrov@gmail.com");
//!
//! let err = emails.parse("ivan.petrov.mail.ru").unwrap_err();
//! assert_eq!(err.reason(), "no @");
//! # Ok::<(), clientbase::EmailError>(())
//! ```
//!
//! # Matching keys
//!
//! [`ParsedEmail::key`] is the address with the local part lowercased. With
//! [`EmailNormalizer::with_provider_rules`] the key also follows what these
//! providers deliver to one mailbox:
//!
//! | Provider | Rule |
//! |---|---|
//! | `gmail.com`, `googlemail.com` | dots ignored, `+tag` dropped, domain `gmail.com` |
//! | `yandex.ru`, `ya.ru`, `yandex.com`, `yandex.by`, `yandex.kz`, `yandex.ua` | `-` is `.`, `+tag` dropped, domain `yandex.ru` |
//! | `outlook.com`, `hotmail.com`, `live.com` | `+tag` dropped |

use crate::client::Email;
use crate::error::{invalid, Error};
use std::fmt;

/// The longest local part (RFC 5321).
const MAX_LOCAL: usize = 64;
/// The longest address (RFC 5321 path limit less the brackets).
const MAX_ADDRESS: usize = 254;

/// Domains people mean, most used first (ties in suggestions go to the earlier one).
const KNOWN_DOMAINS: &[&str] = &[
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "rambler.ru",
    "ya.ru",
    "icloud.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "yandex.com",
    "internet.ru",
    "me.com",
    "live.com",
    "protonmail.com",
    "mail.com",
    "googlemail.com",
];

/// Typos too far from the domain for the distance rule, seen often enough to name.
const KNOWN_TYPOS: &[(&str, &str)] = &[
    ("gmail.ru", "gmail.com"),
    ("gmal.ru", "gmail.com"),
    ("gmail.ri", "gmail.com"),
    ("hotmail.ru", "hotmail.com"),
    ("outlook.ru", "outlook.com"),
    ("icloud.ru", "icloud.com"),
    ("yahoo.ru", "yahoo.com"),
    ("yandex.ry", "yandex.ru"),
    ("mail.ry", "mail.ru"),
    ("mail.ru.ru", "mail.ru"),
    ("yandex.ru.ru", "yandex.ru"),
    ("gmail.com.com", "gmail.com"),
    ("gmail.com.ru", "gmail.com"),
];

/// What is wrong with an email address, in broad strokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EmailProblem {
    /// Nothing was typed.
    Empty,
    /// There is no `@`, or more than one.
    At,
    /// The part before the `@` is empty or has characters an address cannot have.
    LocalPart,
    /// The part after the `@` is not a domain name.
    Domain,
    /// The address or its local part is too long.
    TooLong,
}

impl EmailProblem {
    /// Every variant, in declaration order (what bindings mirror).
    pub const ALL: &'static [EmailProblem] = &[
        EmailProblem::Empty,
        EmailProblem::At,
        EmailProblem::LocalPart,
        EmailProblem::Domain,
        EmailProblem::TooLong,
    ];

    /// The stable snake_case name (`local_part`), for bindings and reports.
    pub fn name(self) -> &'static str {
        match self {
            EmailProblem::Empty => "empty",
            EmailProblem::At => "at",
            EmailProblem::LocalPart => "local_part",
            EmailProblem::Domain => "domain",
            EmailProblem::TooLong => "too_long",
        }
    }
}

/// Why an email address was rejected, with a likely fix when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailError {
    problem: EmailProblem,
    reason: String,
    suggestion: Option<String>,
}

impl EmailError {
    fn new(problem: EmailProblem, reason: impl Into<String>) -> EmailError {
        EmailError {
            problem,
            reason: reason.into(),
            suggestion: None,
        }
    }

    /// What is wrong, as a code.
    pub fn problem(&self) -> EmailProblem {
        self.problem
    }

    /// What is wrong, in words (`the domain "mail" has no dot`).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// A likely intended address (`ivan@mail.ru` for `ivan@mail,ru`), to offer.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean {s}?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for EmailError {}

impl From<EmailError> for Error {
    /// An [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) about the field `email`.
    fn from(err: EmailError) -> Error {
        invalid("email", err.to_string())
    }
}

/// A checked email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParsedEmail {
    address: String,
    at: usize,
    key: String,
    suggestion: Option<String>,
}

impl ParsedEmail {
    /// The normalized address: local part as typed, `@`, the domain lowercased and in ASCII.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The part before the `@`, as typed.
    pub fn local(&self) -> &str {
        &self.address[..self.at]
    }

    /// The domain, lowercased, internationalized names in ASCII (`xn--…`).
    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }

    /// The domain for display, internationalized names in Unicode (`почта.рф`).
    pub fn domain_unicode(&self) -> String {
        idna::domain_to_unicode(self.domain()).0
    }

    /// The key two spellings of one mailbox share: the local part lowercased and,
    /// with provider rules, the provider's equivalences applied.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The address with a likely domain typo fixed (`ivan@gmail.com` for
    /// `ivan@gmial.com`), to offer the user; `None` when the domain looks right.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }

    /// Writes the normalized address into an [`Email`]; `raw` and the rest stay.
    /// Returns whether anything changed.
    pub fn apply_to(&self, email: &mut Email) -> bool {
        if email.normalized.as_deref() == Some(self.address.as_str()) {
            return false;
        }
        email.normalized = Some(self.address.clone());
        true
    }
}

impl fmt::Display for ParsedEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

/// Checks and normalizes email addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmailNormalizer {
    provider_rules: bool,
}

impl EmailNormalizer {
    /// A normalizer whose keys only lowercase the local part.
    pub fn new() -> EmailNormalizer {
        EmailNormalizer::default()
    }

    /// Whether keys follow the providers' rules (Gmail dots, `+tags`, Yandex
    /// domains); see the [module docs](self).
    pub fn with_provider_rules(mut self, on: bool) -> EmailNormalizer {
        self.provider_rules = on;
        self
    }

    /// Checks and normalizes one address.
    pub fn parse(&self, input: &str) -> Result<ParsedEmail, EmailError> {
        let text = strip_wrapping(input);
        if text.is_empty() {
            return Err(EmailError::new(EmailProblem::Empty, "empty"));
        }
        let Some(at) = text.rfind('@') else {
            return Err(EmailError::new(EmailProblem::At, "no @"));
        };
        let (local, domain) = (&text[..at], &text[at + 1..]);
        if local.contains('@') {
            return Err(EmailError::new(
                EmailProblem::At,
                "more than one @ (quoted local parts are not supported)",
            ));
        }
        check_local(local)?;
        let domain = check_domain(domain).map_err(|mut err| {
            err.suggestion = suggest_domain_fix(domain).map(|d| format!("{local}@{d}"));
            err
        })?;
        let address = format!("{local}@{domain}");
        if address.len() > MAX_ADDRESS {
            return Err(EmailError::new(
                EmailProblem::TooLong,
                format!("longer than {MAX_ADDRESS} characters"),
            ));
        }
        let key = self.key_of(local, &domain);
        let suggestion = suggest_domain(&domain).map(|d| format!("{local}@{d}"));
        Ok(ParsedEmail {
            at: local.len(),
            address,
            key,
            suggestion,
        })
    }

    /// Checks many addresses, in parallel with the `parallel` feature; results in
    /// input order.
    pub fn parse_batch<S: AsRef<str> + Sync>(
        &self,
        inputs: &[S],
    ) -> Vec<Result<ParsedEmail, EmailError>> {
        crate::batch::map_column(inputs, |s| self.parse(s.as_ref()))
    }

    fn key_of(&self, local: &str, domain: &str) -> String {
        let mut local = local.to_lowercase();
        let mut domain = domain;
        if self.provider_rules {
            let untagged = |l: &str| l.split('+').next().unwrap_or(l).to_string();
            match domain {
                "gmail.com" | "googlemail.com" => {
                    local = untagged(&local).replace('.', "");
                    domain = "gmail.com";
                }
                "yandex.ru" | "ya.ru" | "yandex.com" | "yandex.by" | "yandex.kz" | "yandex.ua" => {
                    local = untagged(&local).replace('-', ".");
                    domain = "yandex.ru";
                }
                "outlook.com" | "hotmail.com" | "live.com" => local = untagged(&local),
                _ => {}
            }
        }
        format!("{local}@{domain}")
    }
}

/// Trims whitespace, a `mailto:` prefix and angle brackets (`<ivan@mail.ru>`).
fn strip_wrapping(input: &str) -> &str {
    let mut text = input.trim();
    if text.len() >= 7 && text.is_char_boundary(7) && text[..7].eq_ignore_ascii_case("mailto:") {
        text = text[7..].trim();
    }
    if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        text = inner.trim();
    }
    text
}

fn check_local(local: &str) -> Result<(), EmailError> {
    let err = |reason: String| Err(EmailError::new(EmailProblem::LocalPart, reason));
    if local.is_empty() {
        return err("nothing before the @".into());
    }
    if local.len() > MAX_LOCAL {
        return Err(EmailError::new(
            EmailProblem::TooLong,
            format!("the part before the @ is longer than {MAX_LOCAL} characters"),
        ));
    }
    if local.starts_with('.') || local.ends_with('.') {
        return err("the part before the @ starts or ends with a dot".into());
    }
    if local.contains("..") {
        return err("two dots in a row before the @".into());
    }
    if let Some(c) = local.chars().find(|c| !is_local_char(*c)) {
        let what = if c.is_whitespace() {
            "a space".to_string()
        } else {
            format!("{c:?}")
        };
        return err(format!("{what} cannot be in the part before the @"));
    }
    Ok(())
}

/// RFC 5322 `atext` plus the dot, and letters and digits of any script (RFC 6531).
fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~.".contains(c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// The domain lowercased and in ASCII, or why it is not a domain name.
fn check_domain(domain: &str) -> Result<String, EmailError> {
    let err = |reason: String| Err(EmailError::new(EmailProblem::Domain, reason));
    if domain.is_empty() {
        return err("nothing after the @".into());
    }
    if domain.starts_with('[') {
        return err("IP address literals are not supported".into());
    }
    if domain.ends_with('.') {
        return err(format!("the domain {domain:?} ends with a dot"));
    }
    if let Some(c) = domain.chars().find(|c| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | '@' | '/' | '\\' | '(' | ')' | '<' | '>' | '"' | '\''
            )
    }) {
        let what = if c.is_whitespace() {
            "a space".to_string()
        } else {
            format!("{c:?}")
        };
        return err(format!("{what} cannot be in the domain"));
    }
    let ascii = match idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::EMPTY) {
        Ok(ascii) => ascii.into_owned(),
        Err(_) => {
            return err(format!(
                "{domain:?} is not a valid internationalized domain name"
            ))
        }
    };
    if ascii.len() > 253 {
        return err("the domain is longer than 253 characters".into());
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return err(format!("the domain {domain:?} has no dot"));
    }
    for label in &labels {
        if label.is_empty() {
            return err(format!("the domain {domain:?} has an empty part"));
        }
        if label.len() > 63 {
            return err("a part of the domain is longer than 63 characters".into());
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return err(format!("{c:?} cannot be in the domain"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return err(format!(
                "a part of the domain {domain:?} starts or ends with a hyphen"
            ));
        }
    }
    let tld = labels[labels.len() - 1];
    if tld.len() < 2 || tld.bytes().all(|b| b.is_ascii_digit()) {
        return err(format!("{tld:?} is not a top-level domain"));
    }
    Ok(ascii)
}

/// The optimal string alignment distance (edits, adjacent swaps count as one),
/// capped: anything above `cap` is `cap + 1`.
fn distance(a: &str, b: &str, cap: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(cap + 1)
}

/// A known domain a valid `domain` is probably a typo of.
fn suggest_domain(domain: &str) -> Option<&'static str> {
    if KNOWN_DOMAINS.contains(&domain) {
        return None;
    }
    if let Some((_, fix)) = KNOWN_TYPOS.iter().find(|(typo, _)| *typo == domain) {
        return Some(fix);
    }
    // One edit for short names, two for long ones; the first best one wins.
    let allowed = if domain.len() >= 8 { 2 } else { 1 };
    let mut best: Option<(usize, &'static str)> = None;
    for known in KNOWN_DOMAINS {
        let d = distance(domain, known, allowed);
        let better = match best {
            Some((b, _)) => d < b,
            None => true,
        };
        if d <= allowed && better {
            best = Some((d, known));
        }
    }
    best.map(|(_, known)| known)
}

/// A likely fix for a domain that is not valid (`mail,ru`, `mailru`, `gmail.com.`).
fn suggest_domain_fix(domain: &str) -> Option<&'static str> {
    let lower = domain.to_lowercase();
    let cleaned = lower
        .trim_end_matches('.')
        .replace([',', ' '], ".")
        .replace("..", ".");
    if let Some(known) = KNOWN_DOMAINS.iter().find(|k| **k == cleaned) {
        return Some(known);
    }
    // A missing dot: `mailru`, `gmailcom`.
    if let Some(known) = KNOWN_DOMAINS.iter().find(|k| k.replace('.', "") == cleaned) {
        return Some(known);
    }
    check_domain(&cleaned)
        .ok()
        .and_then(|ascii| suggest_domain(&ascii))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ParsedEmail, EmailError> {
        EmailNormalizer::new().parse(s)
    }

    #[test]
    fn normalizes() {
        let e = parse(" <Ivan.Petrov@Example.COM> ").unwrap();
        assert_eq!(e.address(), "Ivan.Petrov@example.com");
        assert_eq!(e.local(), "Ivan.Petrov");
        assert_eq!(e.domain(), "example.com");
        assert_eq!(e.key(), "ivan.petrov@example.com");
        assert_eq!(parse("mailto:a@b.ru").unwrap().address(), "a@b.ru");
    }

    #[test]
    fn idn_domains_to_ascii() {
        let e = parse("Иван@Почта.РФ").unwrap();
        assert_eq!(e.address(), "Иван@xn--80a1acny.xn--p1ai");
        assert_eq!(e.domain_unicode(), "почта.рф");
        assert_eq!(e.key(), "иван@xn--80a1acny.xn--p1ai");
    }

    #[test]
    fn reasons() {
        let reason = |s: &str| parse(s).unwrap_err().reason().to_string();
        assert_eq!(reason(""), "empty");
        assert_eq!(reason("ivan"), "no @");
        assert_eq!(
            reason("a@b@c.ru"),
            "more than one @ (quoted local parts are not supported)"
        );
        assert_eq!(reason("@mail.ru"), "nothing before the @");
        assert_eq!(reason("ivan@"), "nothing after the @");
        assert_eq!(
            reason(".ivan@mail.ru"),
            "the part before the @ starts or ends with a dot"
        );
        assert_eq!(reason("iv..an@mail.ru"), "two dots in a row before the @");
        assert_eq!(
            reason("iv an@mail.ru"),
            "a space cannot be in the part before the @"
        );
        assert_eq!(reason("ivan@mail"), "the domain \"mail\" has no dot");
        assert_eq!(
            reason("ivan@mail..ru"),
            "the domain \"mail..ru\" has an empty part"
        );
        assert_eq!(
            reason("ivan@-mail.ru"),
            "a part of the domain \"-mail.ru\" starts or ends with a hyphen"
        );
        assert_eq!(reason("ivan@mail.r"), "\"r\" is not a top-level domain");
        assert_eq!(reason("ivan@mail_box.ru"), "'_' cannot be in the domain");
        assert_eq!(
            reason("ivan@[127.0.0.1]"),
            "IP address literals are not supported"
        );
        assert_eq!(
            reason(&format!("{}@mail.ru", "a".repeat(65))),
            "the part before the @ is longer than 64 characters"
        );
    }

    #[test]
    fn suggests_but_never_applies() {
        for (typed, meant) in [
            ("ivan@gmial.com", "ivan@gmail.com"),
            ("ivan@gmail.co", "ivan@gmail.com"),
            ("ivan@gmail.ru", "ivan@gmail.com"),
            ("ivan@yandex.ri", "ivan@yandex.ru"),
            ("ivan@yadnex.ru", "ivan@yandex.ru"),
            ("ivan@mail.ri", "ivan@mail.ru"),
            ("ivan@maill.ru", "ivan@mail.ru"),
            ("ivan@mai.ru", "ivan@mail.ru"),
            ("ivan@mail.ru.ru", "ivan@mail.ru"),
            ("ivan@rambler.ri", "ivan@rambler.ru"),
        ] {
            let e = parse(typed).unwrap();
            assert_eq!(e.address(), typed);
            assert_eq!(e.suggestion(), Some(meant), "{typed}");
        }
        for fine in [
            "ivan@mail.ru",
            "ivan@yandex.ru",
            "ivan@company.ru",
            "ivan@mail.com",
            "ivan@bk.ru",
        ] {
            assert_eq!(parse(fine).unwrap().suggestion(), None, "{fine}");
        }
        let err = parse("ivan@mail,ru").unwrap_err();
        assert_eq!(err.suggestion(), Some("ivan@mail.ru"));
        assert_eq!(
            parse("ivan@mailru").unwrap_err().suggestion(),
            Some("ivan@mail.ru")
        );
        assert_eq!(
            parse("ivan@gmail.com.").unwrap_err().suggestion(),
            Some("ivan@gmail.com")
        );
    }

    #[test]
    fn provider_rules() {
        let n = EmailNormalizer::new().with_provider_rules(true);
        let key = |s: &str| n.parse(s).unwrap().key().to_string();
        assert_eq!(key("I.van+promo@gmail.com"), "ivan@gmail.com");
        assert_eq!(key("ivan@googlemail.com"), "ivan@gmail.com");
        assert_eq!(key("ivan-petrov+x@ya.ru"), "ivan.petrov@yandex.ru");
        assert_eq!(key("ivan+x@hotmail.com"), "ivan@hotmail.com");
        assert_eq!(key("i.van+x@mail.ru"), "i.van+x@mail.ru");
        let plain = EmailNormalizer::new();
        assert_eq!(
            plain.parse("I.van+promo@gmail.com").unwrap().key(),
            "i.van+promo@gmail.com"
        );
    }
}

#[cfg(test)]
mod all_emailproblem_tests {
    use super::*;

    /// `ALL` lists every variant: adding one breaks this exhaustive match
    /// until it is listed there too.
    #[test]
    fn all_lists_every_variant() {
        let listed = |v: EmailProblem| match v {
            EmailProblem::Empty
            | EmailProblem::At
            | EmailProblem::LocalPart
            | EmailProblem::Domain
            | EmailProblem::TooLong => EmailProblem::ALL.contains(&v),
        };
        assert!(EmailProblem::ALL.iter().all(|&v| listed(v)));
        assert_eq!(EmailProblem::ALL.len(), 5);
    }
}
