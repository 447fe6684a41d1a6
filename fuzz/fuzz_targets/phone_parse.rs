//! Phone parsing and field splitting on arbitrary input.
//!
//! libFuzzer's panic hook aborts on any panic, including the ones the guard in
//! `PhoneNormalizer::parse` would catch, so this finds every input that makes
//! the parser (ours or rlibphonenumber) panic. Run with
//! `cargo +nightly fuzz run phone_parse` from `fuzz/`.
#![no_main]

use clientbase::{PhoneFormat, PhoneNormalizer};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static RUSSIA: LazyLock<PhoneNormalizer> = LazyLock::new(PhoneNormalizer::default);
static GERMANY: LazyLock<PhoneNormalizer> =
    LazyLock::new(|| PhoneNormalizer::new("DE").expect("DE is a region"));

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    for phones in [&*RUSSIA, &*GERMANY] {
        if let Ok(phone) = phones.parse(input) {
            for format in [PhoneFormat::E164, PhoneFormat::International, PhoneFormat::National] {
                let _ = phone.format(format);
            }
        }
        for candidate in phones.split_field(input) {
            assert!(input.contains(candidate.raw));
            let _ = phones.parse(candidate.text);
        }
    }
});
