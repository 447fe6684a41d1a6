//! The segment stories of the seeds, each on a base built by hand.

use chrono::{NaiveDate, TimeZone, Utc};
use clientbase::segment::{compile, Options, Rule};
use clientbase::{
    Channel, Client, ClientBase, ClientId, Consent, Currency, Deal, DealStatus, FieldDef,
    FieldType, FieldValue, LifecycleStage, Money, ProductLine, Quantity, Schema, Temperature,
};
use std::collections::BTreeMap;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

fn won(client: ClientId, amount: &str, day: NaiveDate) -> Deal {
    Deal {
        status: DealStatus::Won,
        closed_at: Some(Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap())),
        ..Deal::new(client, rub(amount))
    }
}

fn purchase(client: ClientId, category: &str, day: NaiveDate) -> Deal {
    won(client, "500", day).with_line(
        ProductLine::new("товар", Quantity::units(1), rub("500")).with_category(category),
    )
}

fn segment(base: &ClientBase, text: &str, as_of: NaiveDate) -> Vec<ClientId> {
    let rule = Rule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    // The JSON form reads back to the same rule and gives the same clients.
    let stored = Rule::from_json(&rule.to_json().unwrap()).unwrap();
    assert_eq!(stored, rule);
    let compiled = compile(base, &stored, &Options::new(as_of), &BTreeMap::new())
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    compiled.evaluate(base).unwrap()
}

#[test]
fn bought_books_every_month_last_year() {
    let mut base = ClientBase::new(Schema::new());
    let person = |s: &str| Client::person(s, "Имя", None);
    let every_month = base.add_client(person("Читатель")).unwrap();
    let skipped_two = base.add_client(person("Пропустил")).unwrap();
    let other_goods = base.add_client(person("Игрушки")).unwrap();
    let year_before = base.add_client(person("Позапрошлый")).unwrap();
    let twice_a_month = base.add_client(person("Дважды")).unwrap();
    for month in 1..=12 {
        base.add_deal(purchase(every_month, "Книги", date(2025, month, 28)))
            .unwrap();
        if month != 3 && month != 7 {
            base.add_deal(purchase(skipped_two, "Книги", date(2025, month, 1)))
                .unwrap();
        }
        let category = if month == 6 {
            "Игрушки"
        } else {
            "Книги"
        };
        base.add_deal(purchase(other_goods, category, date(2025, month, 15)))
            .unwrap();
        base.add_deal(purchase(year_before, "Книги", date(2024, month, 15)))
            .unwrap();
        for day in [1, 20] {
            base.add_deal(purchase(twice_a_month, "Книги", date(2025, month, day)))
                .unwrap();
        }
    }
    // A lost deal is not a purchase.
    base.add_deal(Deal {
        status: DealStatus::Lost,
        ..purchase(skipped_two, "Книги", date(2025, 3, 10))
    })
    .unwrap();
    let as_of = date(2026, 1, 20);
    let rule = r#"months(lines where category = "Книги" and date in previous year) = 12"#;
    assert_eq!(
        segment(&base, rule, as_of),
        vec![every_month, twice_a_month]
    );
    // "In at least 10 of the last 12 months": the window is 20 January 2025
    // to 20 January 2026, so the one who skipped two and bought on the 1st
    // has 9 months in it (January 2025 is before it), the one who bought
    // toys in June has 10 (February to December but June).
    let rule = r#"months(lines where category = "книги" and date within last 12 months) >= 10"#;
    assert_eq!(
        segment(&base, rule, as_of),
        vec![every_month, other_goods, twice_a_month]
    );
    let rule = r#"months(lines where category = "книги" and date within last 12 months) = 9"#;
    assert_eq!(segment(&base, rule, as_of), vec![skipped_two]);
}

#[test]
fn spent_over_100_000_roubles_in_two_years() {
    let mut base = ClientBase::new(Schema::new());
    let as_of = date(2026, 12, 7);
    let person = |s: &str| Client::person(s, "Имя", None);
    let over = base.add_client(person("Больше")).unwrap();
    let just_under = base.add_client(person("Чуть меньше")).unwrap();
    let too_long_ago = base.add_client(person("Давно")).unwrap();
    let exactly = base.add_client(person("Ровно")).unwrap();
    let edge = base.add_client(person("На границе")).unwrap();
    base.add_deal(won(over, "60 000,00", date(2025, 3, 1)))
        .unwrap();
    base.add_deal(won(over, "40 000,01", date(2026, 11, 30)))
        .unwrap();
    base.add_deal(won(just_under, "99 999,99", date(2026, 1, 10)))
        .unwrap();
    // Lost and open deals do not count.
    base.add_deal(Deal {
        status: DealStatus::Lost,
        ..won(just_under, "500 000", date(2026, 2, 1))
    })
    .unwrap();
    base.add_deal(Deal::new(just_under, rub("500 000")))
        .unwrap();
    // The big purchase 25 months ago is outside the two years.
    base.add_deal(won(too_long_ago, "150 000", date(2024, 11, 7)))
        .unwrap();
    base.add_deal(won(too_long_ago, "1 000", date(2026, 6, 1)))
        .unwrap();
    base.add_deal(won(exactly, "100 000", date(2026, 6, 1)))
        .unwrap();
    // Exactly 24 months ago is inside.
    base.add_deal(won(edge, "100 000,50", date(2024, 12, 7)))
        .unwrap();
    let rule = "sum(purchases where date within last 24 months) > 100000";
    assert_eq!(segment(&base, rule, as_of), vec![over, edge]);
    let rule = "sum(purchases where date within last 2 years) >= 100000";
    assert_eq!(segment(&base, rule, as_of), vec![over, exactly, edge]);
    let rule = "sum(purchases where date within last 2 years) > 99999.98";
    assert_eq!(
        segment(&base, rule, as_of),
        vec![over, just_under, exactly, edge]
    );
}

#[test]
fn two_rooms_low_floor_with_sms_consent() {
    let mut schema = Schema::new();
    schema
        .declare_field(FieldDef::new("rooms", FieldType::Integer))
        .unwrap();
    schema
        .declare_field(FieldDef::new(
            "floors",
            FieldType::ManyOf {
                options: vec!["low".into(), "middle".into(), "high".into()],
            },
        ))
        .unwrap();
    let mut base = ClientBase::new(schema);
    let given = Consent::given(date(2026, 1, 10));
    let buyer = |surname: &str, rooms: i64, floors: &[&str]| {
        Client::person(surname, "Имя", None)
            .with_field("rooms", FieldValue::Integer(rooms))
            .with_field(
                "floors",
                FieldValue::ManyOf(floors.iter().map(|f| f.to_string()).collect()),
            )
    };
    let fits = base
        .add_client(buyer("Подходит", 2, &["low", "middle"]).with_consent(Channel::Sms, given))
        .unwrap();
    let no_consent = base.add_client(buyer("Без согласия", 2, &["low"])).unwrap();
    let withdrawn = base
        .add_client(
            buyer("Отозвал", 2, &["low"])
                .with_consent(Channel::Sms, Consent::withdrawn(date(2026, 2, 1))),
        )
        .unwrap();
    let email_only = base
        .add_client(buyer("Только почта", 2, &["low"]).with_consent(Channel::Email, given))
        .unwrap();
    let three_rooms = base
        .add_client(buyer("Трёшка", 3, &["low"]).with_consent(Channel::Sms, given))
        .unwrap();
    let high = base
        .add_client(buyer("Высоко", 2, &["high"]).with_consent(Channel::Sms, given))
        .unwrap();
    let unknown = base
        .add_client(Client::person("Неизвестно", "Имя", None).with_consent(Channel::Sms, given))
        .unwrap();
    let as_of = date(2026, 12, 7);
    let rule = r#"floors contains "low" and rooms = 2 and consent sms"#;
    assert_eq!(segment(&base, rule, as_of), vec![fits]);
    assert_eq!(
        segment(
            &base,
            "floors contains low and rooms = 2 and consent смс",
            as_of
        ),
        vec![fits]
    );
    // Without the consent condition the others are in too; the client with no
    // rooms or floors filled in never is (missing values match nothing).
    assert_eq!(
        segment(
            &base,
            "custom.floors contains \"low\" and custom.rooms = 2",
            as_of
        ),
        vec![fits, no_consent, withdrawn, email_only]
    );
    assert_eq!(
        segment(&base, "not rooms = 2", as_of),
        vec![three_rooms, unknown]
    );
    let _ = high;
    // Comparing the set with a number is a compile error, not a silent miss.
    let err = compile(
        &base,
        &Rule::parse("rooms = \"два\"").unwrap(),
        &Options::new(as_of),
        &BTreeMap::new(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), clientbase::ErrorKind::FieldType);
}

#[test]
fn hot_leads_without_an_email() {
    let mut base = ClientBase::new(Schema::new());
    let lead = |surname: &str, temperature: Option<Temperature>| Client {
        stage: LifecycleStage::Lead,
        temperature,
        ..Client::person(surname, "Имя", None)
    };
    let hot = base
        .add_client(lead("Горячий", Some(Temperature::Hot)).with_phone("+7 916 123-45-67"))
        .unwrap();
    base.add_client(lead("Горячий с почтой", Some(Temperature::Hot)).with_email("a@b.ru"))
        .unwrap();
    base.add_client(lead("Тёплый", Some(Temperature::Warm)))
        .unwrap();
    base.add_client(lead("Неизвестный", None)).unwrap();
    base.add_client(Client {
        stage: LifecycleStage::Customer,
        ..lead("Клиент", Some(Temperature::Hot))
    })
    .unwrap();
    let as_of = date(2026, 12, 7);
    assert_eq!(
        segment(
            &base,
            "stage = lead and temperature = hot and not has email",
            as_of
        ),
        vec![hot]
    );
    assert_eq!(
        segment(
            &base,
            "stage = лид and temperature >= горячий and not has email",
            as_of
        ),
        vec![hot]
    );
}
