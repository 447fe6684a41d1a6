//! The hand-written fast path for Russian numbers against rlibphonenumber (the
//! libphonenumber port that reads every other number), over every three-digit
//! prefix, the ranges that depend on more digits and random digit strings of
//! every length, in each shape people type.
#![cfg(feature = "intl-phones")]

use clientbase::{PhoneKind, PhoneNormalizer};
use rlibphonenumber::{PhoneNumberFormat, PhoneNumberType, Region, PHONE_NUMBER_UTIL};

fn kind_name(t: PhoneNumberType) -> &'static str {
    match t {
        PhoneNumberType::FixedLine => "fixed_line",
        PhoneNumberType::Mobile => "mobile",
        PhoneNumberType::FixedLineOrMobile => "fixed_line_or_mobile",
        PhoneNumberType::TollFree => "toll_free",
        PhoneNumberType::PremiumRate => "premium_rate",
        PhoneNumberType::SharedCost => "shared_cost",
        PhoneNumberType::VoIP => "voip",
        PhoneNumberType::PersonalNumber => "personal_number",
        PhoneNumberType::Pager => "pager",
        PhoneNumberType::UAN => "uan",
        PhoneNumberType::VoiceMail => "voicemail",
        _ => "unknown",
    }
}

/// libphonenumber's reading: E.164 and kind of a valid number, `None` otherwise.
fn reference(input: &str) -> Option<(String, &'static str)> {
    let number = PHONE_NUMBER_UTIL.parse(input, Some(Region::RU)).ok()?;
    PHONE_NUMBER_UTIL.is_valid_number(&number).then(|| {
        (
            PHONE_NUMBER_UTIL
                .format(&number, PhoneNumberFormat::E164)
                .into_owned(),
            kind_name(PHONE_NUMBER_UTIL.get_number_type(&number)),
        )
    })
}

fn ours(phones: &PhoneNormalizer, input: &str) -> Option<(String, &'static str)> {
    let p = phones.parse(input).ok()?;
    Some((p.e164().to_string(), p.kind().name()))
}

fn check(phones: &PhoneNormalizer, input: &str, failures: &mut Vec<String>) {
    // A deliberate difference: clientbase reads a leading 00 as the international prefix.
    let want = match input.strip_prefix("00") {
        Some(rest) => reference(&format!("+{rest}")),
        None => reference(input),
    };
    let got = ours(phones, input);
    if want != got {
        failures.push(format!(
            "{input:?}: libphonenumber {want:?}, clientbase {got:?}"
        ));
    }
}

fn shapes(nsn: &str) -> [String; 6] {
    [
        format!("+7{nsn}"),
        format!("8{nsn}"),
        format!("7{nsn}"),
        nsn.to_string(),
        format!("+7 8{nsn}"),
        format!(
            "8 ({}) {}",
            &nsn[..nsn.len().min(3)],
            &nsn[nsn.len().min(3)..]
        ),
    ]
}

/// A small deterministic generator (splitmix64), so the test needs no crates.
struct Digits(u64);

impl Digits {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn string(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_three_digit_prefix() {
    let phones = PhoneNormalizer::default();
    let mut rng = Digits(7);
    let mut failures = Vec::new();
    for prefix in 0..1000 {
        for _ in 0..2 {
            let nsn = format!("{prefix:03}{}", rng.string(7));
            for input in shapes(&nsn) {
                check(&phones, &input, &mut failures);
            }
        }
    }
    report(failures);
}

#[test]
fn ranges_that_depend_on_more_digits() {
    let phones = PhoneNormalizer::default();
    let mut rng = Digits(11);
    let mut failures = Vec::new();
    for xy in 0..100 {
        let nsn = format!("9300{xy:02}{}", rng.string(4));
        for input in shapes(&nsn) {
            check(&phones, &input, &mut failures);
        }
    }
    // Kazakhstan's area codes: every 7abcd.
    for prefix in 0..10_000 {
        let nsn = format!("7{prefix:04}{}", rng.string(5));
        for input in [format!("+7{nsn}"), format!("8{nsn}"), nsn.clone()] {
            check(&phones, &input, &mut failures);
        }
    }
    for prefix in 0..10_000 {
        if prefix % 10 == 0 || prefix / 1000 == 8 {
            let nsn = format!("{prefix:04}{}", rng.string(10));
            for input in shapes(&nsn) {
                check(&phones, &input, &mut failures);
            }
        }
    }
    report(failures);
}

#[test]
fn random_digit_strings_of_every_length() {
    let phones = PhoneNormalizer::default();
    let mut rng = Digits(13);
    let mut failures = Vec::new();
    for len in 1..=18 {
        for _ in 0..400 {
            let lead = ["", "7", "8", "9", "+7", "+78", "77", "87", "88", "78"]
                [(rng.next() % 10) as usize];
            let input = format!("{lead}{}", rng.string(len));
            check(&phones, &input, &mut failures);
        }
    }
    report(failures);
}

#[test]
fn kinds_on_the_fast_path() {
    let phones = PhoneNormalizer::default();
    for (input, kind) in [
        ("+7 916 123-45-67", PhoneKind::Mobile),
        ("+7 495 123-45-67", PhoneKind::FixedLine),
        ("8 800 555-35-35", PhoneKind::TollFree),
        ("8 809 555-35-35", PhoneKind::PremiumRate),
        ("8 808 555-35-35", PhoneKind::PersonalNumber),
        ("+7 701 123 45 67", PhoneKind::Mobile),
        ("+7 7172 12 34 56", PhoneKind::FixedLine),
        ("+7 751 123 45 67", PhoneKind::Voip),
    ] {
        assert_eq!(phones.parse(input).map(|p| p.kind()), Ok(kind), "{input}");
    }
}
