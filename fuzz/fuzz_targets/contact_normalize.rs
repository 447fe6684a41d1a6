//! Emails and names on arbitrary input: no panic, and normalizing twice
//! changes nothing the second time.
#![no_main]

use clientbase::{name_key, Client, ContactNormalizer, EmailNormalizer, PersonName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let _ = EmailNormalizer::new().with_provider_rules(true).parse(input);
    let name = PersonName::parse(input);
    let _ = (name.initials(), name.key(), name.gender(), name_key(input));
    let mut client = Client::person("Иванов", "Иван", None)
        .with_phone(input)
        .with_email(input);
    let normalizer = ContactNormalizer::default();
    normalizer.normalize(&mut client);
    let again = normalizer.normalize(&mut client);
    assert_eq!(again.changed, 0, "normalizing twice changed {input:?}");
});
