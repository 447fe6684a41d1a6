//! No input may crash the caller: arbitrary strings, phone-like strings and
//! RFC 3966 shapes (the kind that makes rlibphonenumber panic) go through every
//! entry point. A panic that the guard inside `parse` catches would show as
//! `PhoneProblem::Internal`, which fails the test too: each one is a shape to
//! reject before it reaches the parser. The cargo-fuzz target in `fuzz/` does
//! the same with coverage guidance.

use clientbase::{PhoneFormat, PhoneNormalizer, PhoneProblem};
use proptest::prelude::*;

fn exercise(phones: &PhoneNormalizer, input: &str) {
    match phones.parse(input) {
        Ok(p) => {
            assert!(p.e164().starts_with('+'), "{input:?}");
            for format in [
                PhoneFormat::E164,
                PhoneFormat::International,
                PhoneFormat::National,
            ] {
                assert!(!p.format(format).is_empty());
            }
        }
        Err(err) => assert_ne!(err.problem(), PhoneProblem::Internal, "{input:?}: {err}"),
    }
    for candidate in phones.split_field(input) {
        assert!(input.contains(candidate.raw));
        if let Err(err) = phones.parse(candidate.text) {
            assert_ne!(err.problem(), PhoneProblem::Internal, "{input:?}: {err}");
        }
    }
}

fn rfc3966_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("tel:".to_string()),
        Just(";phone-context=".to_string()),
        Just(";ext=".to_string()),
        Just(";isub=".to_string()),
        Just("+".to_string()),
        Just(";".to_string()),
        Just(" доб. ".to_string()),
        Just(" вн ".to_string()),
        Just("00".to_string()),
        Just("8 10 ".to_string()),
        Just("+8".to_string()),
        Just(", ".to_string()),
        "[0-9]{1,12}",
        "[a-z.-]{1,8}",
        "[ ()#*x-]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn arbitrary_strings(input in any::<String>()) {
        exercise(&PhoneNormalizer::default(), &input);
    }

    #[test]
    fn phone_like_strings(input in "[0-9０-９+() .,;/#*xX\u{a0}\t-]{0,40}(доб|вн|ext|или)?[0-9 .]{0,8}") {
        exercise(&PhoneNormalizer::default(), &input);
    }

    #[test]
    fn rfc3966_shapes(pieces in prop::collection::vec(rfc3966_piece(), 0..10)) {
        let input = pieces.concat();
        exercise(&PhoneNormalizer::default(), &input);
        #[cfg(feature = "intl-phones")]
        exercise(&PhoneNormalizer::new("DE").unwrap(), &input);
    }
}

#[test]
fn known_panicking_inputs() {
    let phones = PhoneNormalizer::default();
    for input in [
        "605;phone-context=x;7tel:",
        "1;phone-context=+7;tel:",
        "tel:;phone-context=",
        ";phone-context=tel:",
        "tel:+7;phone-context=+7tel:",
        ";phone-context=+1;tel:+1",
        "tel:tel:;phone-context=;phone-context=",
        &"9".repeat(10_000),
        &"+7 ".repeat(1_000),
        "\u{0}\u{ffff}",
    ] {
        exercise(&phones, input);
    }
}
