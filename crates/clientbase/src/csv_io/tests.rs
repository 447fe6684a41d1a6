//! Tests of CSV import and export.

use super::*;

#[test]
fn every_simple_target_name_round_trips() {
    for (name, target) in &SIMPLE_TARGETS {
        assert_eq!(name.parse::<ColumnTarget>().unwrap(), *target);
        assert_eq!(target.to_string(), *name);
    }
    for name in ["messenger.telegram", "custom.rooms", "consent.sms"] {
        assert_eq!(name.parse::<ColumnTarget>().unwrap().to_string(), name);
    }
    assert_eq!(
        "Consent.Personal_Data".parse::<ColumnTarget>().unwrap(),
        ColumnTarget::PersonalDataConsent
    );
    assert!("consent.fax".parse::<ColumnTarget>().is_err());
    assert!("custom.".parse::<ColumnTarget>().is_err());
}

#[test]
fn delimiter_detection_ignores_quoted_text() {
    assert_eq!(detect_delimiter(b"a;b;c\n1,2;3"), b';');
    assert_eq!(detect_delimiter(b"\"a;b\",c,d\n"), b',');
    assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
    assert_eq!(detect_delimiter(b"single"), b',');
}

#[test]
fn consent_cells() {
    let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
    let f = "consents.marketing.sms";
    assert_eq!(consent_cell("да 10.01.2024", f).unwrap(), Consent::given(d));
    assert_eq!(
        consent_cell("Given, 2024-01-10", f).unwrap(),
        Consent::given(d)
    );
    assert_eq!(consent_cell("10.01.2024", f).unwrap(), Consent::given(d));
    assert_eq!(
        consent_cell("нет: 10.01.2024", f).unwrap(),
        Consent::withdrawn(d)
    );
    assert_eq!(
        consent_cell("withdrawn 2024-01-10", f).unwrap(),
        Consent::withdrawn(d)
    );
    assert!(consent_cell("да", f)
        .unwrap_err()
        .reason()
        .contains("no date"));
    assert!(consent_cell("может быть 10.01.2024", f).is_err());
    assert_eq!(
        consent_cell("- 10.01.2024", f).unwrap(),
        Consent::withdrawn(d)
    );
    assert!(consent_cell(", 10.01.2024", f).is_err());
}

#[test]
fn statuses_and_small_cells() {
    assert_eq!(DealStatus::from_str("Выиграна").unwrap(), DealStatus::Won);
    assert_eq!(
        DealStatus::from_str("duplicate_of:7").unwrap(),
        DealStatus::DuplicateOf(DealId(7))
    );
    assert_eq!(
        DealStatus::from_str("Дубль #12").unwrap(),
        DealStatus::DuplicateOf(DealId(12))
    );
    assert!(DealStatus::from_str("maybe").is_err());
    assert_eq!(percent_cell("15,0 %").unwrap(), 15);
    assert!(percent_cell("15,5").is_err());
    assert!(percent_cell("140").is_err());
    assert!(kind_cell("Юр. лицо").unwrap());
    assert!(!kind_cell("физ.лицо").unwrap());
    assert_eq!(
        LifecycleStage::from_str("Ушёл").unwrap(),
        LifecycleStage::Churned
    );
    assert_eq!(id_cell(" 17 ", "id").unwrap(), 17);
    assert!(id_cell("0", "id").is_err());
    assert!(id_cell("18446744073709551615", "id").is_err());
    assert_eq!(split_field("lines[2].unit_price"), ("lines", Some(2)));
    assert_eq!(split_field("custom.rooms"), ("custom", None));
}

#[test]
fn options_json() {
    let options: CsvOptions = serde_json::from_str(r#"{"delimiter": ";"}"#).unwrap();
    assert_eq!(options.delimiter, Some(b';'));
    let options: CsvOptions =
        serde_json::from_str(r#"{"delimiter": 9, "currency": "usd"}"#).unwrap();
    assert_eq!(options.delimiter, Some(b'\t'));
    assert_eq!(options.currency, Some(Currency::USD));
    assert_eq!(
        serde_json::from_str::<CsvOptions>("{}").unwrap(),
        CsvOptions::default()
    );
    let json = serde_json::to_string(&CsvOptions {
        delimiter: Some(b';'),
        currency: None,
        strict: false,
    })
    .unwrap();
    assert_eq!(json, r#"{"delimiter":";"}"#);
}
