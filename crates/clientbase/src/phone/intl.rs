//! The general path: every country through rlibphonenumber, a port of Google's
//! libphonenumber with its metadata.
//!
//! rlibphonenumber panics on some crafted inputs (`605;phone-context=x;7tel:`
//! slices a string backwards). Inputs of the shapes known to panic are rejected
//! before they reach it, and every call runs under `catch_unwind`, so a panic that
//! is not known yet becomes a [`PhoneProblem::Internal`] error instead of
//! unwinding into the caller. (With `panic = "abort"` a panic still aborts; the
//! pre-checks are what keep the known ones away.)

use super::{ParsedPhone, PhoneError, PhoneFormat, PhoneProblem, RegionCode, E164};
use crate::client::PhoneKind;
use rlibphonenumber::{
    NumberLengthType, ParseError, PhoneNumber, PhoneNumberFormat, PhoneNumberType, PhoneNumberUtil,
    Region, PHONE_NUMBER_UTIL,
};
use std::panic::{catch_unwind, AssertUnwindSafe};

fn util() -> &'static PhoneNumberUtil {
    &PHONE_NUMBER_UTIL
}

/// Runs `f` and turns a panic into an [`PhoneProblem::Internal`] error.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, PhoneError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        PhoneError::new(
            PhoneProblem::Internal,
            "the phone number parser failed on this input",
        )
    })
}

/// A region code the metadata knows, with its country calling code.
pub(super) fn region(code: &str) -> Option<(Region, u16)> {
    let region = Region::from_code(code).ok()?;
    let cc = guarded(|| util().get_country_code_for_region(region))
        .ok()
        .flatten()?;
    Some((region, u16::try_from(cc).ok()?))
}

/// Shapes of input that make rlibphonenumber 2.2 panic, found by reading its
/// source and by fuzzing.
fn known_to_panic(input: &str) -> bool {
    // `build_national_number_for_parsing` slices from after `tel:` to the
    // `;phone-context=` parameter, which panics when `tel:` comes after it.
    if let Some(context) = input.find(";phone-context=") {
        if input.find("tel:").is_some_and(|tel| tel > context) {
            return true;
        }
    }
    false
}

fn kind_of(t: PhoneNumberType) -> PhoneKind {
    match t {
        PhoneNumberType::FixedLine => PhoneKind::FixedLine,
        PhoneNumberType::Mobile => PhoneKind::Mobile,
        PhoneNumberType::FixedLineOrMobile => PhoneKind::FixedLineOrMobile,
        PhoneNumberType::TollFree => PhoneKind::TollFree,
        PhoneNumberType::PremiumRate => PhoneKind::PremiumRate,
        PhoneNumberType::SharedCost => PhoneKind::SharedCost,
        PhoneNumberType::VoIP => PhoneKind::Voip,
        PhoneNumberType::PersonalNumber => PhoneKind::PersonalNumber,
        PhoneNumberType::Pager => PhoneKind::Pager,
        PhoneNumberType::UAN => PhoneKind::Uan,
        PhoneNumberType::VoiceMail => PhoneKind::Voicemail,
        _ => PhoneKind::Unknown,
    }
}

fn parse_error(err: &ParseError, input: &str) -> PhoneError {
    match err {
        ParseError::InvalidCountryCode => {
            let digits: String = input
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .chars()
                .take_while(char::is_ascii_digit)
                .take(3)
                .collect();
            PhoneError::new(
                PhoneProblem::InvalidCountryCode,
                format!("no country has a calling code that starts +{digits}"),
            )
        }
        ParseError::NotANumber(_) => PhoneError::new(
            PhoneProblem::NotANumber,
            "does not look like a phone number",
        ),
        ParseError::TooShortAfterIdd => PhoneError::new(
            PhoneProblem::TooShort,
            "too short after the international prefix",
        ),
        ParseError::TooShortNsn => PhoneError::new(PhoneProblem::TooShort, "too short"),
        ParseError::TooLongNsn => PhoneError::new(PhoneProblem::TooLong, "too long"),
    }
}

/// Why a parsed number is not valid.
fn invalid_reason(number: &PhoneNumber) -> PhoneError {
    let cc = number.country_code;
    let nsn = rlibphonenumber::get_national_significant_number_owned(number);
    let region = guarded(|| util().get_region_for_number(number))
        .ok()
        .flatten()
        .map(|r| r.as_region_str().to_string());
    let possible = guarded(|| util().is_possible_number_with_reason(number));
    let (problem, reason) = match possible {
        Ok(Err(rlibphonenumber::ValidationError::TooShort)) => (
            PhoneProblem::TooShort,
            format!("too short: {} digits after +{cc}", nsn.len()),
        ),
        Ok(Err(rlibphonenumber::ValidationError::TooLong)) => (
            PhoneProblem::TooLong,
            format!("too long: {} digits after +{cc}", nsn.len()),
        ),
        Ok(Err(rlibphonenumber::ValidationError::InvalidCountryCode)) => (
            PhoneProblem::InvalidCountryCode,
            format!("no country has the calling code +{cc}"),
        ),
        Ok(Err(_)) => (
            PhoneProblem::InvalidNumber,
            format!("wrong length: {} digits after +{cc}", nsn.len()),
        ),
        Ok(Ok(NumberLengthType::IsPossibleLocalOnly)) => (
            PhoneProblem::TooShort,
            format!(
                "too short: {} digits is a local number without its area code",
                nsn.len()
            ),
        ),
        _ => match region {
            Some(region) => (
                PhoneProblem::InvalidNumber,
                format!("not a valid number for {region}: +{cc} {nsn} is not in use"),
            ),
            None => (
                PhoneProblem::InvalidNumber,
                format!("not a valid number: +{cc} {nsn} is not in use"),
            ),
        },
    };
    PhoneError::new(problem, reason)
}

/// Builds the result for a number libphonenumber parsed.
fn accept(number: &PhoneNumber) -> Result<ParsedPhone, PhoneError> {
    // A number is valid exactly when its region's metadata gives it a type, so
    // one `get_number_type` does the work of `is_valid_number` as well.
    let (kind, region) = guarded(|| {
        (
            util().get_number_type(number),
            util().get_region_for_number(number),
        )
    })?;
    if kind == PhoneNumberType::Unknown {
        return Err(invalid_reason(number));
    }
    let cc = u16::try_from(number.country_code).unwrap_or(0);
    let nsn = rlibphonenumber::get_national_significant_number_owned(number);
    let e164 = E164::new(&cc.to_string(), &nsn);
    let region = region.map_or(RegionCode::WORLD, |r| RegionCode::new(&r.as_region_str()));
    Ok(ParsedPhone {
        e164,
        extension: number.extension.clone().filter(|e| !e.is_empty()),
        kind: kind_of(kind),
        country_code: cc,
        region,
    })
}

/// Parses `input` with libphonenumber's rules.
pub(super) fn parse(input: &str, default_region: Region) -> Result<ParsedPhone, PhoneError> {
    if known_to_panic(input) {
        return Err(PhoneError::new(
            PhoneProblem::NotANumber,
            "does not look like a phone number",
        ));
    }
    let number = guarded(|| util().parse(input, Some(default_region)))?
        .map_err(|err| parse_error(&err, input))?;
    accept(&number)
}

/// Formats a valid number the way libphonenumber does.
pub(super) fn format(phone: &ParsedPhone, format: PhoneFormat) -> Option<String> {
    let nsn = phone.national_number();
    let zeros = nsn.bytes().take_while(|b| *b == b'0').count();
    let national_number = nsn.parse::<u64>().ok()?;
    let number = PhoneNumber {
        country_code: i32::from(phone.country_code),
        national_number,
        italian_leading_zero: (zeros > 0).then_some(true),
        number_of_leading_zeros: (zeros > 1).then(|| i32::try_from(zeros).unwrap_or(1)),
        ..PhoneNumber::default()
    };
    let format = match format {
        PhoneFormat::E164 => PhoneNumberFormat::E164,
        PhoneFormat::International => PhoneNumberFormat::International,
        PhoneFormat::National => PhoneNumberFormat::National,
    };
    guarded(|| util().format(&number, format).into_owned()).ok()
}
