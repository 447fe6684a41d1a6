//! Normalizing the contact points of a whole base.

use clientbase::{Client, ClientBase, ContactNormalizer, PhoneKind};

fn base() -> ClientBase {
    let mut base = ClientBase::default();
    base.add_client(
        Client::person("Иванов", "Сергей", None)
            .with_phone("8 916 123 45 67, 8 495 765 43 21 (раб.)")
            .with_email("Sergey@Mail.RU"),
    )
    .unwrap();
    base.add_client(
        Client::person("Петрова", "Анна", None)
            .with_phone("тел. 123-45-67")
            .with_phone("+7 (812) 555-12-34 доб. 12")
            .with_email("anna@gmial.com")
            .with_email("anna(at)mail.ru"),
    )
    .unwrap();
    base
}

#[test]
fn normalizes_splits_and_reports() {
    let mut base = base();
    let report = base
        .normalize_contacts(&ContactNormalizer::default())
        .unwrap();
    assert_eq!(report.clients, 2);
    assert_eq!(report.clients_changed, 2);
    assert_eq!(report.split.len(), 1);
    assert_eq!(
        report.split[0].original,
        "8 916 123 45 67, 8 495 765 43 21 (раб.)"
    );
    assert_eq!(report.split[0].into, 2);
    // Two split phones and the email; Anna's second phone and first email.
    assert_eq!(report.changed, 5);
    let invalid: Vec<(String, String)> = report
        .invalid
        .iter()
        .map(|i| (i.field.clone(), i.reason.clone()))
        .collect();
    assert_eq!(
        invalid,
        [
            (
                "phones[0]".to_string(),
                "too short: 7 digits is a local number without its area code".to_string()
            ),
            ("emails[1]".to_string(), "no @".to_string()),
        ]
    );
    assert_eq!(report.suggestions.len(), 1);
    assert_eq!(report.suggestions[0].suggestion, "anna@gmail.com");
    assert!(report.rejected.is_empty());

    let ivanov = base.clients().next().unwrap();
    assert_eq!(ivanov.phones.len(), 2);
    assert_eq!(ivanov.phones[1].kind, Some(PhoneKind::FixedLine));
    assert_eq!(ivanov.phones[1].label.as_deref(), Some("раб."));
    let petrova = base.clients().nth(1).unwrap();
    assert_eq!(petrova.phones[1].e164.as_deref(), Some("+78125551234"));
    assert_eq!(petrova.phones[1].extension.as_deref(), Some("12"));
    assert_eq!(petrova.emails[0].raw, "anna@gmial.com");

    // Normalizing again changes nothing.
    let again = base
        .normalize_contacts(&ContactNormalizer::default())
        .unwrap();
    assert_eq!(again.changed, 0);
    assert_eq!(again.clients_changed, 0);
    assert!(again.split.is_empty());
}

#[test]
fn the_raw_text_survives_a_json_round_trip() {
    let mut base = base();
    base.normalize_contacts(&ContactNormalizer::default())
        .unwrap();
    let back = ClientBase::from_json(&base.to_json().unwrap()).unwrap();
    let phones: Vec<&str> = back
        .clients()
        .flat_map(|c| c.phones.iter().map(|p| p.raw.as_str()))
        .collect();
    assert_eq!(
        phones,
        [
            "8 916 123 45 67",
            "8 495 765 43 21 (раб.)",
            "тел. 123-45-67",
            "+7 (812) 555-12-34 доб. 12"
        ]
    );
}
