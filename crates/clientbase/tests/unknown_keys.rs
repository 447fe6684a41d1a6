//! Every options, rules and record type read from JSON: a typo in a key is
//! refused and named with the keys allowed, a partial object gets the defaults,
//! and the full form round-trips.

use clientbase::dedup::{DealRules, Decisions, MatchModel, MatchOptions, MatchSettings};
use clientbase::{
    Activity, Client, ClientBase, ClientId, Consent, Consents, Deal, Email, ErrorKind, FieldDef,
    MergeRules, Messenger, Money, Party, Phone, ProductLine, Recurrence, Relation, Schema,
    Survivorship,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// Reads `json` as `T` and expects the error to name `key` and list `allowed`.
fn refused<T: DeserializeOwned + Debug>(json: &str, key: &str, allowed: &str) -> String {
    let err = serde_json::from_str::<T>(json).expect_err(json);
    let message = err.to_string();
    assert!(message.contains(&format!("`{key}`")), "{json}: {message}");
    assert!(
        message.contains(allowed),
        "{json}: {message} should list {allowed}"
    );
    // The crate's error keeps serde's message and is a JSON error.
    let err = clientbase::Error::from(err);
    assert_eq!(err.kind(), ErrorKind::Json);
    message
}

/// Writes `value`, reads it back and compares: the full form round-trips.
fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(&back, value, "{json}");
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

#[test]
fn deal_rules() {
    let rules: DealRules = serde_json::from_str(r#"{"window_days": 30}"#).unwrap();
    assert_eq!(rules.window_days, 30);
    assert_eq!(
        rules.abandoned_after_days,
        DealRules::default().abandoned_after_days
    );
    let empty: DealRules = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, DealRules::default());
    refused::<DealRules>(
        r#"{"window_days": 30, "abandoned_days": 5}"#,
        "abandoned_days",
        "`window_days` or `abandoned_after_days`",
    );
    round_trips(&DealRules {
        window_days: 7,
        abandoned_after_days: 3,
    });
}

#[test]
fn merge_rules() {
    let rules: MergeRules =
        serde_json::from_str(r#"{"fields": {"city": "most_frequent"}}"#).unwrap();
    assert_eq!(rules.default, Survivorship::MostRecent);
    assert_eq!(rules.fields["city"], Survivorship::MostFrequent);
    refused::<MergeRules>(
        r#"{"default": "most_recent", "feilds": {"city": "most_frequent"}}"#,
        "feilds",
        "`default` or `fields`",
    );
    let err = serde_json::from_str::<MergeRules>(r#"{"default": "newest"}"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown variant `newest`"),
        "{err}"
    );
    round_trips(
        &MergeRules::new(Survivorship::MostComplete)
            .with_field("owner", Survivorship::SourcePriority(vec!["1c".into()]))
            .with_field("custom.rooms", Survivorship::Manual(ClientId(2))),
    );
}

#[test]
fn merge_record() {
    let mut base = ClientBase::new(Schema::new());
    let a = base
        .add_client(Client::person("Иванов", "Иван", None))
        .unwrap();
    let b = base
        .add_client(Client::person("Иванов", "Ваня", None))
        .unwrap();
    let record = base.merge_clients(a, &[b], &MergeRules::default()).unwrap();
    round_trips(&record);
    let mut json = serde_json::to_value(&record).unwrap();
    json.as_object_mut()
        .unwrap()
        .insert("mergd".into(), serde_json::json!([2]));
    let err = serde_json::from_value::<clientbase::MergeRecord>(json).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown field `mergd`, expected one of"),
        "{err}"
    );
}

#[test]
fn decisions() {
    refused::<Decisions>(
        r#"{"not_duplicate": [[1, 2]]}"#,
        "not_duplicate",
        "not_duplicates",
    );
    let empty: Decisions = serde_json::from_str("{}").unwrap();
    assert_eq!(empty.pairs().count(), 0);
    let read: Decisions = serde_json::from_str(r#"{"not_duplicates": [[2, 1]]}"#).unwrap();
    assert!(read.is_not_duplicate(ClientId(1), ClientId(2)));
    round_trips(&read);
}

#[cfg(feature = "csv")]
#[test]
fn csv_options() {
    use clientbase::CsvOptions;
    refused::<CsvOptions>(
        r#"{"delimeter": ";"}"#,
        "delimeter",
        "`delimiter`, `currency`, `strict`",
    );
    refused::<CsvOptions>(
        r#"{"currensy": "USD"}"#,
        "currensy",
        "`delimiter`, `currency`, `strict`",
    );
    for bad in [
        r#"{"delimiter": 5}"#,
        r#"{"delimiter": "\u0001"}"#,
        r#"{"delimiter": "\""}"#,
    ] {
        let err = serde_json::from_str::<CsvOptions>(bad).expect_err(bad);
        assert!(err.to_string().contains("delimiter"), "{bad}: {err}");
    }
    let partial: CsvOptions = serde_json::from_str(r#"{"delimiter": 59}"#).unwrap();
    assert_eq!(partial.delimiter, Some(b';'));
    assert_eq!(partial.currency, None);
    let tab: CsvOptions = serde_json::from_str(r#"{"delimiter": "\t"}"#).unwrap();
    assert_eq!(tab.delimiter, Some(b'\t'));
    round_trips(&CsvOptions {
        delimiter: Some(b'|'),
        currency: Some(clientbase::Currency::USD),
        strict: true,
    });
    round_trips(&CsvOptions::default());
}

#[cfg(feature = "csv")]
#[test]
fn a_control_character_set_in_rust_is_refused_on_import() {
    use clientbase::{ColumnMapping, CsvOptions};
    let mut base = ClientBase::new(Schema::new());
    let mapping = ColumnMapping::from_pairs([("a", "surname")]).unwrap();
    let options = CsvOptions {
        delimiter: Some(5),
        ..CsvOptions::default()
    };
    let err = base
        .import_clients_csv("a\nИванов\n".as_bytes(), &mapping, &options)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Csv);
    assert!(err.to_string().contains("cannot be a delimiter"), "{err}");
}

#[cfg(feature = "csv")]
#[test]
fn column_mapping() {
    use clientbase::ColumnMapping;
    let err = ColumnMapping::from_json(r#"{"Фамилия": "surnme"}"#).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("\"surnme\""), "{message}");
    assert!(
        message.contains("targets are ignore, id, kind, surname"),
        "{message}"
    );
    assert!(message.contains("Фамилия"), "{message}");
    let mapping =
        ColumnMapping::from_json(r#"[["Фамилия", "surname"], ["Тел", "phone"]]"#).unwrap();
    assert_eq!(
        mapping,
        ColumnMapping::from_pairs([("Фамилия", "surname"), ("Тел", "phone")]).unwrap()
    );
}

#[test]
fn match_settings_and_model() {
    refused::<MatchSettings>(r#"{"treshold": 0.9}"#, "treshold", "`threshold`");
    let err = MatchOptions::from_json(r#"{"treshold": 0.9}"#).unwrap_err();
    assert!(err.to_string().contains("`treshold`"), "{err}");
    let options = MatchOptions::from_json(r#"{"threshold": 0.9}"#).unwrap();
    assert_eq!(options.model.threshold, 0.9);
    assert_eq!(options.max_block, MatchOptions::default().max_block);
    let model = serde_json::to_value(MatchModel::default()).unwrap();
    let mut typo = model.clone();
    typo.as_object_mut()
        .unwrap()
        .insert("treshold".into(), 0.5.into());
    let err = serde_json::from_value::<MatchModel>(typo).unwrap_err();
    assert!(err.to_string().contains("`treshold`"), "{err}");
    round_trips(&MatchModel::default());
    round_trips(&MatchSettings {
        threshold: Some(0.8),
        keys: Some(vec!["phone".into()]),
        ..MatchSettings::default()
    });
}

#[test]
fn schema() {
    refused::<Schema>(
        r#"{"tagz": ["vip"]}"#,
        "tagz",
        "`tags`, `fields`, `currency`",
    );
    refused::<FieldDef>(
        r#"{"name": "rooms", "type": "integer", "lable": "x"}"#,
        "lable",
        "`label`",
    );
    let err =
        serde_json::from_str::<FieldDef>(r#"{"name": "rooms", "type": "integer", "options": []}"#)
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("`options` is not a key of a integer field"),
        "{err}"
    );
    let err =
        serde_json::from_str::<FieldDef>(r#"{"name": "price", "type": "money"}"#).unwrap_err();
    assert!(err.to_string().contains("`currency`"), "{err}");
    let partial: Schema = serde_json::from_str(r#"{"tags": ["vip"]}"#).unwrap();
    assert!(partial.has_tag("vip"));
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema
        .declare_field(FieldDef::new("rooms", clientbase::FieldType::Integer).with_label("Комнат"))
        .unwrap();
    schema
        .declare_field(FieldDef::new(
            "floor",
            clientbase::FieldType::OneOf {
                options: vec!["low".into(), "high".into()],
            },
        ))
        .unwrap();
    schema
        .declare_field(FieldDef::new(
            "budget",
            clientbase::FieldType::Money {
                currency: clientbase::Currency::RUB,
            },
        ))
        .unwrap();
    round_trips(&schema);
}

#[test]
fn client() {
    let json = r#"{"kind": "person", "surname": "Иванов", "given_name": "Иван", "phone": "8 916 123-45-67"}"#;
    let client: Client = serde_json::from_str(json).unwrap();
    assert_eq!(client.display_name(), "Иванов Иван");
    assert_eq!(client.phones, vec![Phone::raw("8 916 123-45-67")]);
    let client: Client = serde_json::from_str(
        r#"{"surname": "Петрова", "phones": ["+7 903 000-00-00", {"raw": "8 800 100-00-00", "label": "раб."}], "email": "a@b.ru"}"#,
    )
    .unwrap();
    assert_eq!(client.phones.len(), 2);
    assert_eq!(client.phones[1].label.as_deref(), Some("раб."));
    assert_eq!(client.emails, vec![Email::raw("a@b.ru")]);
    assert!(!client.is_company());
    let company: Client =
        serde_json::from_str(r#"{"kind": "company", "company": "ООО «Ромашка»"}"#).unwrap();
    assert_eq!(company.display_name(), "ООО «Ромашка»");

    let message = refused::<Client>(
        r#"{"surname": "Иванов", "nickname": "Ваня"}"#,
        "nickname",
        "`surname`",
    );
    assert!(
        message.contains("`given_name`") && message.contains("`phones`"),
        "{message}"
    );
    refused::<Client>(
        r#"{"surname": "И", "phones": [{"raw": "1", "lable": "x"}]}"#,
        "lable",
        "`label`",
    );
    refused::<Client>(
        r#"{"surname": "И", "emails": [{"adress": "x"}]}"#,
        "adress",
        "`raw`",
    );
    refused::<Client>(
        r#"{"surname": "И", "consents": {"marketting": {}}}"#,
        "marketting",
        "`personal_data` or `marketing`",
    );
    refused::<Client>(
        r#"{"surname": "И", "messengers": [{"kind": "telegram", "id": "x", "nick": "y"}]}"#,
        "nick",
        "`consent`",
    );
    refused::<Client>(
        r#"{"surname": "И", "relations": [{"kind": "spouse", "id": 2}]}"#,
        "id",
        "`to`",
    );
    let err =
        serde_json::from_str::<Client>(r#"{"kind": "person", "legal_name": "ООО"}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("`legal_name` is not a field of a person"),
        "{err}"
    );
    let err = serde_json::from_str::<Client>(
        r#"{"kind": "company", "legal_name": "ООО", "employer": "И"}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("`employer` is not a field of a company"),
        "{err}"
    );
    // The person behind a company is data (an ИП's owner).
    let ip = serde_json::from_str::<Client>(
        r#"{"kind": "company", "legal_name": "ИП Иванов", "surname": "Иванов"}"#,
    )
    .unwrap();
    assert_eq!(ip.person_name().surname.as_deref(), Some("Иванов"));
    let err =
        serde_json::from_str::<Client>(r#"{"surname": "И", "given": "А", "given_name": "Б"}"#)
            .unwrap_err();
    assert!(err.to_string().contains("duplicate field `given`"), "{err}");

    let mut full = Client::person("Смирнова", "Ольга", Some("Игоревна"))
        .with_phone("8 916 123-45-67")
        .with_email("olga@example.ru")
        .with_tag("vip")
        .with_field("rooms", clientbase::FieldValue::Integer(2));
    full.id = ClientId(5);
    full.city = Some("Казань".into());
    full.can_refer = true;
    full.temperature = Some(clientbase::Temperature::Hot);
    full.relations.push(Relation {
        kind: clientbase::RelationKind::Spouse,
        to: ClientId(6),
    });
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
    full.consents = Consents::default();
    full.consents.personal_data = Some(Consent::given(day));
    full.consents
        .marketing
        .insert(clientbase::Channel::Sms, Consent::withdrawn(day));
    full.messengers.push(Messenger {
        kind: clientbase::MessengerKind::Telegram,
        id: "@olga".into(),
        consent: None,
    });
    round_trips(&full);
    round_trips(&Client::company("ООО «Ромашка»", Some("7707083893")));
    assert!(matches!(Client::default().party, Party::Person(_)));
}

#[test]
fn deal_and_lines() {
    let money = r#"{"amount": "100.00", "currency": "RUB"}"#;
    let deal: Deal =
        serde_json::from_str(&format!(r#"{{"client_id": 3, "amount": {money}}}"#)).unwrap();
    assert_eq!(deal.client, ClientId(3));
    assert_eq!(deal.pipeline, "default");
    refused::<Deal>(
        &format!(r#"{{"client": 3, "amount": {money}, "titel": "Кухня"}}"#),
        "titel",
        "`title`",
    );
    refused::<Deal>(
        &format!(
            r#"{{"client": 3, "amount": {money}, "lines": [{{"product": "x", "quantity": 1, "unit_price": {money}, "qty": 2}}]}}"#
        ),
        "qty",
        "`quantity`",
    );
    refused::<Deal>(
        &format!(
            r#"{{"client": 3, "amount": {money}, "recurrence": {{"every": 1, "period": "month", "dy": 5}}}}"#
        ),
        "dy",
        "`day`",
    );
    refused::<Money>(
        r#"{"amount": "1", "currency": "RUB", "cents": 5}"#,
        "cents",
        "`amount` or `currency`",
    );
    let mut full = Deal::new(
        ClientId(3),
        Money::parse("4 900,00", clientbase::Currency::RUB).unwrap(),
    )
    .with_line(ProductLine::new(
        "Корм",
        clientbase::Quantity::units(2),
        Money::parse("2 450,00", clientbase::Currency::RUB).unwrap(),
    ));
    full.title = Some("Корм на год".into());
    full.recurrence = Some(Recurrence::monthly_on(5));
    round_trips(&full);
}

#[test]
fn activity() {
    let json = r#"{"client_id": 1, "kind": "call", "at": "2024-05-01T10:00:00Z"}"#;
    let activity: Activity = serde_json::from_str(json).unwrap();
    assert_eq!(activity.client, ClientId(1));
    assert!(!activity.done);
    refused::<Activity>(
        r#"{"client": 1, "kind": "call", "at": "2024-05-01T10:00:00Z", "note": "x"}"#,
        "note",
        "`text`",
    );
    round_trips(&activity);
}

#[test]
fn base_json_round_trips_and_names_the_bad_record() {
    let mut base = ClientBase::new(Schema::new());
    let id = base
        .add_client(Client::person("Иванов", "Иван", None).with_phone("8 916 123-45-67"))
        .unwrap();
    base.add_deal(Deal::new(
        id,
        Money::parse("10", clientbase::Currency::RUB).unwrap(),
    ))
    .unwrap();
    let json = base.to_json().unwrap();
    let back = ClientBase::from_json(&json).unwrap();
    assert!(back == base);
    assert_eq!(back.to_json().unwrap(), json);

    let bad = json.replacen("\"surname\"", "\"surnam\"", 1);
    let err = ClientBase::from_json(&bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(
        err.to_string().contains("client 1: unknown field `surnam`"),
        "{err}"
    );
    assert_eq!(err.field(), Some("surnam"));
    let err = ClientBase::read_json(bad.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("client 1: unknown field `surnam`"),
        "{err}"
    );
    let bad = json.replacen("\"pipeline\"", "\"pipe\"", 1);
    let err = ClientBase::from_json(&bad).unwrap_err();
    assert!(
        err.to_string().contains("deal 1: unknown field `pipe`"),
        "{err}"
    );
    let bad = json.replacen("\"next_ids\"", "\"next\"", 1);
    assert!(ClientBase::from_json(&bad).is_err());
}

#[test]
fn reports_carry_typed_error_kinds_named_in_json() {
    let report = clientbase::ContactReport {
        rejected: vec![clientbase::RejectedClient {
            client: ClientId(3),
            kind: ErrorKind::UnknownTag,
            reason: "unknown tag: client 3, field \"tags\": \"gold\"".into(),
        }],
        ..Default::default()
    };
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["rejected"][0]["kind"], "unknown_tag");
    round_trips(&report);
    let mut typo = json.clone();
    typo["rejected"][0]["kind"] = "unknown_tags".into();
    let err = serde_json::from_value::<clientbase::ContactReport>(typo).unwrap_err();
    assert!(
        err.to_string().contains("unknown variant `unknown_tags`"),
        "{err}"
    );
}
