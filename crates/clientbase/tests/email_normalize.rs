//! Email normalization through the public API: batch, keys, suggestions, errors.

use clientbase::{EmailNormalizer, EmailProblem, ErrorKind};

#[test]
fn batch_keeps_order_and_reasons() {
    let emails = EmailNormalizer::new();
    let inputs = [
        "Anna@Mail.RU",
        "",
        "anna",
        "anna@gmial.com",
        "анна@почта.рф",
    ];
    let results = emails.parse_batch(&inputs);
    assert_eq!(results[0].as_ref().unwrap().address(), "Anna@mail.ru");
    assert_eq!(
        results[1].as_ref().unwrap_err().problem(),
        EmailProblem::Empty
    );
    assert_eq!(results[2].as_ref().unwrap_err().problem(), EmailProblem::At);
    assert_eq!(
        results[3].as_ref().unwrap().suggestion(),
        Some("anna@gmail.com")
    );
    assert_eq!(
        results[4].as_ref().unwrap().domain(),
        "xn--80a1acny.xn--p1ai"
    );
}

#[test]
fn keys_match_spellings_of_one_mailbox() {
    let plain = EmailNormalizer::new();
    let rules = EmailNormalizer::new().with_provider_rules(true);
    let key = |n: &EmailNormalizer, s: &str| n.parse(s).unwrap().key().to_string();
    assert_eq!(key(&plain, "ANNA@mail.ru"), key(&plain, "anna@MAIL.RU"));
    assert_ne!(
        key(&plain, "a.nna@gmail.com"),
        key(&plain, "anna@gmail.com")
    );
    assert_eq!(
        key(&rules, "a.nna+shop@gmail.com"),
        key(&rules, "anna@googlemail.com")
    );
    assert_eq!(
        key(&rules, "anna.petrova@yandex.ru"),
        key(&rules, "anna-petrova@ya.ru")
    );
}

#[test]
fn errors_convert_to_the_crate_error() {
    let err: clientbase::Error = EmailNormalizer::new()
        .parse("anna@mail,ru")
        .unwrap_err()
        .into();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(err.field(), Some("email"));
    assert_eq!(
        err.to_string(),
        "invalid value: field \"email\": ',' cannot be in the domain (did you mean anna@mail.ru?)"
    );
}

proptest::proptest! {
    #[test]
    fn never_panics(input in proptest::prelude::any::<String>()) {
        let _ = EmailNormalizer::new().with_provider_rules(true).parse(&input);
        let _ = EmailNormalizer::new().parse(&format!("{input}@{input}"));
    }
}
