//! The quality report and checklist on a small hand-written base whose
//! answers are counted by hand.

use chrono::NaiveDate;
use clientbase::capability::call_read;
use clientbase::quality::{quality_checklist, quality_report, QualityParams};
use clientbase::table::Value;
use clientbase::{
    Channel, Client, ClientBase, Consent, ErrorKind, FieldDef, FieldType, FieldValue, Schema,
};
use serde_json::json;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Four clients: a complete one, one with an invalid phone and no email, a
/// company with an invalid email, and a second record of the first client.
fn base() -> ClientBase {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema
        .declare_field(FieldDef::new("rooms", FieldType::Integer).as_required())
        .unwrap();
    schema
        .declare_field(FieldDef::new("passport", FieldType::Text))
        .unwrap();
    let mut base = ClientBase::new(schema);
    let mut first = Client::person("Иванов", "Сергей", Some("Петрович"))
        .with_phone("8 916 123-45-67")
        .with_email("sergey.ivanov@mail.ru")
        .with_tag("vip")
        .with_field("rooms", FieldValue::Integer(3))
        .with_consent(Channel::Sms, Consent::given(day("2024-01-01")))
        .with_consent(Channel::Email, Consent::withdrawn(day("2024-02-01")));
    first.city = Some("Москва".into());
    first.consents.personal_data = Some(Consent::given(day("2024-01-01")));
    base.add_client(first).unwrap();
    let mut second = Client::person("Петрова", "Анна", None).with_phone("123");
    second.city = Some("Казань".into());
    base.add_client(second).unwrap();
    let company = Client::company("ООО Ромашка", None).with_email("info-at-romashka.ru");
    base.add_client(company).unwrap();
    let mut again = Client::person("Иванов", "Сергей", Some("Петрович"))
        .with_phone("+7 916 123 45 67")
        .with_email("sergey.ivanov@mail.ru")
        .with_field("rooms", FieldValue::Integer(3));
    again.city = Some("Москва".into());
    again.consents.personal_data = Some(Consent::withdrawn(day("2024-03-01")));
    base.add_client(again).unwrap();
    base
}

fn params() -> QualityParams {
    QualityParams {
        required: vec!["city".into(), "phone".into()],
        ..QualityParams::default()
    }
}

#[test]
fn the_report_counts_by_hand() {
    let base = base();
    let report = quality_report(&base, &params()).unwrap();
    assert_eq!(report.clients, 4);
    assert_eq!(report.required, ["phone", "city", "custom.rooms"]);
    let field = |name: &str| {
        report
            .completeness
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!((field("phone").filled, field("phone").applies_to), (3, 4));
    assert_eq!((field("email").filled, field("email").applies_to), (3, 4));
    assert_eq!((field("city").filled, field("city").applies_to), (3, 4));
    assert_eq!(
        (field("birthday").filled, field("birthday").applies_to),
        (0, 3)
    );
    assert_eq!((field("tax_id").filled, field("tax_id").applies_to), (0, 1));
    assert_eq!(field("custom.rooms").filled, 2);
    assert!(field("custom.rooms").required);
    assert!(!field("custom.passport").required);
    assert_eq!(field("city").share, 0.75);
    // Only the two records of Иванов have phone, city and rooms.
    assert_eq!(report.required_complete, 2);

    let c = &report.contacts;
    assert_eq!((c.phones, c.phones_invalid), (3, 1));
    assert_eq!((c.emails, c.emails_invalid), (3, 1));
    assert_eq!((c.phone_only, c.email_only, c.no_contact), (1, 1, 0));
    // Nothing was normalized yet: both valid phones and both valid emails.
    assert_eq!(c.phones_not_normalized, 2);
    assert_eq!(c.emails_not_normalized, 2);
    assert_eq!(report.invalid_contacts.len(), 2);
    assert_eq!(report.invalid_contacts[0].client.get(), 2);
    assert_eq!(report.invalid_contacts[0].field, "phones[0]");
    assert_eq!(report.invalid_contacts[1].field, "emails[0]");

    let consent = |name: &str| report.consents.iter().find(|c| c.channel == name).unwrap();
    let pd = consent("personal_data");
    assert_eq!((pd.given, pd.withdrawn, pd.unknown), (1, 1, 2));
    let sms = consent("sms");
    assert_eq!(
        (sms.given, sms.withdrawn, sms.unknown, sms.allowed),
        (1, 0, 3, 1)
    );
    assert_eq!(sms.share_allowed, 0.25);
    let email = consent("email");
    assert_eq!((email.given, email.withdrawn, email.allowed), (0, 1, 0));

    let dups = report.duplicates.as_ref().expect("a small base is checked");
    assert_eq!((dups.clusters, dups.duplicates), (1, 1));
    assert_eq!(dups.rate, 0.25);
    assert!(report.tags_outside_schema.is_empty());
    assert!(report.fields_outside_schema.is_empty());
    // Петрова (missing rooms, invalid phone), Ромашка (missing phone, city,
    // rooms; invalid email) and the second Иванов (a duplicate) have items;
    // the first Иванов has contacts to normalize.
    assert_eq!(report.clients_with_issues, 4);

    // Asked not to look for duplicates.
    let off = QualityParams {
        duplicates: Some(false),
        ..params()
    };
    assert!(quality_report(&base, &off).unwrap().duplicates.is_none());
}

#[test]
fn the_review_queue_takes_links_below_the_threshold() {
    let base = base();
    let all = QualityParams {
        review_below: 1.0,
        ..params()
    };
    let report = quality_report(&base, &all).unwrap();
    let review = &report.duplicates.unwrap().review;
    assert_eq!(review.len(), 1);
    assert_eq!((review[0].left.get(), review[0].right.get()), (1, 4));
    assert_eq!(review[0].why, "weak_link");
    let none = QualityParams {
        review_below: 0.0,
        ..params()
    };
    assert!(quality_report(&base, &none)
        .unwrap()
        .duplicates
        .unwrap()
        .review
        .is_empty());
}

fn texts(table: &clientbase::Table, name: &str, row: usize) -> Vec<String> {
    match table.column(name).unwrap().value(row) {
        Value::TextList(items) => items.into_iter().map(str::to_string).collect(),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn the_checklist_lists_each_clients_items() {
    let base = base();
    let table = quality_checklist(&base, &params()).unwrap();
    assert_eq!(table.rows(), 4);
    assert!(texts(&table, "missing", 0).is_empty());
    assert_eq!(texts(&table, "missing", 1), ["custom.rooms"]);
    assert_eq!(
        texts(&table, "missing", 2),
        ["phone", "city", "custom.rooms"]
    );
    assert_eq!(texts(&table, "invalid", 1).len(), 1);
    assert!(texts(&table, "invalid", 1)[0].starts_with("phones[0]: 123: "));
    assert!(texts(&table, "invalid", 2)[0].starts_with("emails[0]: info-at-romashka.ru: "));
    let col = |name: &str, row: usize| table.column(name).unwrap().value(row);
    assert_eq!(col("not_normalized", 0), Value::Int64(2));
    assert_eq!(col("duplicate_of", 3), Value::UInt64(1));
    assert_eq!(col("duplicate_of", 0), Value::Null);
    assert_eq!(col("no_contact", 0), Value::Bool(false));
    // Ромашка: three missing fields and one invalid email.
    assert_eq!(col("items", 2), Value::Int64(4));

    let only = QualityParams {
        only_issues: true,
        duplicates: Some(false),
        required: vec![],
        ..QualityParams::default()
    };
    let table = quality_checklist(&base, &only).unwrap();
    // Without duplicates and without params' required fields, the second
    // Иванов still has contacts to normalize; every client has an item.
    assert_eq!(table.rows(), 4);
}

#[test]
fn bad_params_are_named() {
    let base = base();
    let err = quality_report(
        &base,
        &QualityParams {
            required: vec!["phne".into()],
            ..QualityParams::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("required"));
    assert!(err.reason().contains("phone"), "{err}");
    let err = quality_report(
        &base,
        &QualityParams {
            review_below: 1.5,
            ..QualityParams::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("review_below"));
    let err = call_read(&base, "quality_report", json!({"only_issue": true})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    let out = call_read(&base, "quality_report", json!({"duplicates": false})).unwrap();
    assert!(out.to_json().unwrap().contains("\"clients\":4"));
}
