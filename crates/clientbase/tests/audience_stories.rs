//! The stories of acting on the base, each on a base built by hand.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use clientbase::audience::{
    ad_audience, add_call_tasks, audience, audience_summary, call_tasks, hash_email, hash_phone,
    AdParams, AdPlatform, AudienceChannel, AudienceParams, CallTasksParams, Distribute, Purpose,
};
use clientbase::table::{Table, Value};
use clientbase::{
    Activity, Channel, Client, ClientBase, ClientId, Consent, Currency, Deal, DealStatus, FieldDef,
    FieldType, FieldValue, Money, ProductLine, Quantity, Schema,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ids(table: &Table) -> Vec<ClientId> {
    let column = table.column("client").unwrap();
    (0..table.rows())
        .map(|i| match column.value(i) {
            Value::UInt64(id) => ClientId(id),
            other => panic!("client {other:?}"),
        })
        .collect()
}

fn texts(table: &Table, name: &str) -> Vec<Option<String>> {
    let column = table.column(name).unwrap();
    (0..table.rows())
        .map(|i| match column.value(i) {
            Value::Text(t) => Some(t.to_string()),
            Value::Null => None,
            other => panic!("{name} {other:?}"),
        })
        .collect()
}

fn flats() -> ClientBase {
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
    ClientBase::new(schema)
}

fn buyer(surname: &str, rooms: i64, floor: &str, owner: Option<&str>) -> Client {
    Client {
        owner: owner.map(str::to_string),
        ..Client::person(surname, "Имя", None)
            .with_field("rooms", FieldValue::Integer(rooms))
            .with_field("floors", FieldValue::ManyOf([floor.to_string()].into()))
    }
}

#[test]
fn low_floor_two_rooms_as_sms_audience_and_call_list() {
    let mut base = flats();
    let given = Consent::given(date(2026, 1, 10));
    let sms = |c: Client| c.with_consent(Channel::Sms, given);
    let calls = |c: Client| c.with_consent(Channel::Calls, given);
    let anna = base
        .add_client(calls(sms(
            buyer("Анна", 2, "low", Some("Ольга")).with_phone("8 916 111-11-11")
        )))
        .unwrap();
    let boris = base
        .add_client(calls(sms(
            buyer("Борис", 2, "low", None).with_phone("+7 916 222-22-22")
        )))
        .unwrap();
    let vera = base
        .add_client(calls(sms(
            buyer("Вера", 2, "low", None).with_phone("+7 916 333-33-33")
        )))
        .unwrap();
    let no_consent = base
        .add_client(buyer("Гоша", 2, "low", None).with_phone("+7 916 444-44-44"))
        .unwrap();
    let withdrawn = base
        .add_client(
            buyer("Дина", 2, "low", None)
                .with_phone("+7 916 555-55-55")
                .with_consent(Channel::Sms, Consent::withdrawn(date(2026, 3, 1))),
        )
        .unwrap();
    let landline = base
        .add_client(sms(
            buyer("Егор", 2, "low", None).with_phone("+7 495 123-45-67")
        ))
        .unwrap();
    let no_phone = base
        .add_client(sms(
            buyer("Жанна", 2, "low", None).with_email("zh@example.ru")
        ))
        .unwrap();
    let twin = base
        .add_client(sms(
            buyer("Анна", 2, "low", None).with_phone("+7 (916) 111 11 11")
        ))
        .unwrap();
    // Not in the segment: three rooms, a high floor.
    base.add_client(sms(
        buyer("Зоя", 3, "low", None).with_phone("+7 916 666-66-66")
    ))
    .unwrap();
    base.add_client(sms(
        buyer("Ира", 2, "high", None).with_phone("+7 916 777-77-77")
    ))
    .unwrap();
    let as_of = date(2026, 12, 7);
    let segment = r#"floors contains "low" and rooms = 2"#;
    let params = AudienceParams {
        segment: Some(segment.into()),
        channel: Some(AudienceChannel::Sms),
        as_of: Some(as_of),
        ..AudienceParams::default()
    };
    let table = audience(&base, &params).unwrap();
    assert_eq!(ids(&table), vec![anna, boris, vera]);
    assert_eq!(
        texts(&table, "contact"),
        ["+79161111111", "+79162222222", "+79163333333"].map(|c| Some(c.to_string()))
    );
    let summary = audience_summary(&base, &params).unwrap();
    assert_eq!(summary.segment, 8);
    let e = summary.excluded;
    assert_eq!(
        (
            e.no_consent,
            e.consent_withdrawn,
            e.invalid_contact,
            e.no_contact,
            e.duplicate
        ),
        (1, 1, 1, 1, 1)
    );
    let _ = (no_consent, withdrawn, landline, no_phone, twin);

    // The call list: the consent to calls, Анна to her own manager, the rest shared out.
    let tasks = call_tasks(
        &base,
        &CallTasksParams {
            segment: Some(format!("{segment} and consent sms").into()),
            as_of: Some(as_of),
            managers: vec!["Пётр".into(), "Ольга".into()],
            distribute: Distribute::RoundRobin,
            due_in_days: 2,
            script: "Добрый день! Есть двухкомнатные квартиры на нижних этажах.".into(),
            ..CallTasksParams::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&tasks), vec![anna, boris, vera]);
    assert_eq!(
        texts(&tasks, "manager"),
        ["Ольга", "Пётр", "Ольга"].map(|m| Some(m.to_string()))
    );
    assert_eq!(
        tasks.column("own_manager").unwrap().value(0),
        Value::Bool(true)
    );
    assert_eq!(
        tasks.column("due").unwrap().value(1),
        Value::Date(date(2026, 12, 9))
    );
    assert_eq!(
        texts(&tasks, "reason")[0].as_deref(),
        Some(r#"in segment: floors contains "low" and rooms = 2 and consent sms"#)
    );
}

#[test]
fn the_completeness_robot_asks_for_the_missing_contact() {
    let mut base = ClientBase::new(Schema::new());
    let with_owner = |c: Client, owner: &str| Client {
        owner: Some(owner.into()),
        ..c
    };
    let no_email = base
        .add_client(with_owner(
            Client::person("Без", "Почты", None).with_phone("+7 916 100-00-00"),
            "Ольга",
        ))
        .unwrap();
    let no_phone = base
        .add_client(with_owner(
            Client::person("Без", "Телефона", None).with_email("bez@example.ru"),
            "Пётр",
        ))
        .unwrap();
    let complete = base
        .add_client(with_owner(
            Client::person("Всё", "Есть", None)
                .with_phone("+7 916 200-00-00")
                .with_email("vse@example.ru"),
            "Ольга",
        ))
        .unwrap();
    let as_of = date(2026, 12, 7);
    // Asking for a contact is service, not advertising: no consent to calls needed.
    let ask_email = CallTasksParams {
        segment: Some("not has email".into()),
        as_of: Some(as_of),
        purpose: Purpose::Service,
        reason: Some("ask for the missing email".into()),
        script: "Уточните, пожалуйста, адрес электронной почты.".into(),
        ..CallTasksParams::default()
    };
    let tasks = call_tasks(&base, &ask_email).unwrap();
    assert_eq!(ids(&tasks), vec![no_email]);
    assert_eq!(texts(&tasks, "manager"), vec![Some("Ольга".to_string())]);
    assert_eq!(
        texts(&tasks, "contact"),
        vec![Some("+79161000000".to_string())]
    );
    assert_eq!(
        texts(&tasks, "reason"),
        vec![Some("ask for the missing email".to_string())]
    );
    // No phone to call: the task needs no channel.
    let ask_phone = CallTasksParams {
        segment: Some("not has phone".into()),
        channel: None,
        reason: Some("ask for the missing phone".into()),
        ..ask_email.clone()
    };
    let tasks = call_tasks(&base, &ask_phone).unwrap();
    assert_eq!(ids(&tasks), vec![no_phone]);
    assert_eq!(texts(&tasks, "manager"), vec![Some("Пётр".to_string())]);
    assert_eq!(texts(&tasks, "contact"), vec![None]);

    // Added to the base: real tasks of the managers, due in three days.
    let added = add_call_tasks(&mut base, &ask_phone).unwrap();
    assert_eq!((added.added, added.unassigned), (1, 0));
    let task: &Activity = base.activity(added.tasks[0]).unwrap();
    assert!(task.is_open_task());
    assert_eq!(task.client, no_phone);
    assert_eq!(task.manager.as_deref(), Some("Пётр"));
    assert_eq!(
        task.due,
        Some(Utc.with_ymd_and_hms(2026, 12, 10, 0, 0, 0).unwrap())
    );
    assert_eq!(
        task.text.as_deref(),
        Some("ask for the missing phone\nУточните, пожалуйста, адрес электронной почты.")
    );
    let _ = complete;
}

fn won(client: ClientId, product: &str, day: NaiveDate) -> Deal {
    let price = Money::parse("1500", Currency::RUB).unwrap();
    Deal {
        status: DealStatus::Won,
        closed_at: Some(Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap())),
        ..Deal::new(client, price)
    }
    .with_line(ProductLine::new(product, Quantity::units(1), price))
}

#[test]
fn the_reason_tells_the_purchase_rhythm_and_load_balances() {
    let mut base = ClientBase::new(Schema::new());
    let as_of = date(2026, 6, 30);
    let dog = base
        .add_client(
            Client::person("Собачник", "Иван", None)
                .with_phone("+7 916 300-00-00")
                .with_consent(Channel::Calls, Consent::given(date(2025, 1, 1))),
        )
        .unwrap();
    let last = as_of - Days::new(41);
    for k in 0..4u64 {
        base.add_deal(won(dog, "Корм для собак", last - Days::new(30 * k)))
            .unwrap();
    }
    // A product bought on its rhythm: not the one the reason names.
    for k in 0..3u64 {
        base.add_deal(won(dog, "Лакомства", as_of - Days::new(5 + 60 * k)))
            .unwrap();
    }
    let others: Vec<ClientId> = (0..3)
        .map(|i| {
            base.add_client(
                Client::person("Клиент", &format!("№{i}"), None)
                    .with_phone(&format!("+7 916 400-00-0{i}"))
                    .with_consent(Channel::Calls, Consent::given(date(2025, 1, 1))),
            )
            .unwrap()
        })
        .collect();
    // Анна already has two open tasks: the load goes to Пётр first.
    for _ in 0..2 {
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
        let task = Activity {
            manager: Some("Анна".into()),
            ..Activity::task(others[0], at, at, "старая задача")
        };
        base.add_activity(task).unwrap();
    }
    let tasks = call_tasks(
        &base,
        &CallTasksParams {
            as_of: Some(as_of),
            managers: vec!["Анна".into(), "Пётр".into()],
            ..CallTasksParams::default()
        },
    )
    .unwrap();
    assert_eq!(ids(&tasks)[0], dog);
    assert_eq!(
        texts(&tasks, "reason")[0].as_deref(),
        Some("bought Корм для собак 41 days ago, usually every 30")
    );
    assert_eq!(texts(&tasks, "reason")[1].as_deref(), Some("in the base"));
    assert_eq!(
        texts(&tasks, "manager"),
        ["Пётр", "Пётр", "Анна", "Пётр"].map(|m| Some(m.to_string()))
    );
}

#[test]
fn ad_audiences_leave_no_contact_in_the_clear() {
    let mut base = ClientBase::new(Schema::new());
    let ads = Consent::given(date(2026, 1, 1));
    base.add_client(
        Client::person("Иванова", "Анна", None)
            .with_email("  Anna.Ivanova@Mail.RU")
            .with_phone("8 (916) 123-45-67")
            .with_consent(Channel::Ads, ads),
    )
    .unwrap();
    base.add_client(
        Client::person("Петров", "Пётр", None)
            .with_phone("+7 916 765-43-21")
            .with_consent(Channel::Ads, ads),
    )
    .unwrap();
    base.add_client(Client::person("Без", "Согласия", None).with_email("no@example.ru"))
        .unwrap();
    for (platform, email, phone) in [
        (AdPlatform::Google, "Email", "Phone"),
        (AdPlatform::Meta, "email", "phone"),
        (AdPlatform::Yandex, "email", "phone"),
    ] {
        let table = ad_audience(
            &base,
            &AdParams {
                platform: Some(platform),
                as_of: Some(date(2026, 12, 7)),
                ..AdParams::default()
            },
        )
        .unwrap();
        assert_eq!(table.column_names(), vec![email, phone]);
        assert_eq!(
            texts(&table, email),
            vec![Some(hash_email(platform, "anna.ivanova@mail.ru")), None]
        );
        assert_eq!(
            texts(&table, phone),
            vec![
                Some(hash_phone(platform, "+79161234567")),
                Some(hash_phone(platform, "+79167654321"))
            ]
        );
        let json = table.to_json().unwrap();
        for clear in ["mail.ru", "9161234567", "Иванова", "no@example"] {
            assert!(!json.contains(clear), "{clear} in {json}");
        }
    }
    // The hashes are those of the platforms' own normal forms (checked with
    // Python's hashlib.sha256 of the same strings).
    assert_eq!(
        hash_phone(AdPlatform::Google, "+79161234567"),
        "c795313d1a25fea4e552388ce7fb6102f550187a1132baa53b9872e5236dd8c6"
    );
    assert_eq!(
        hash_phone(AdPlatform::Yandex, "+79161234567"),
        "1210f4f193f6032e91cd7117a785a1be09550d79076c4717cdae4c0c45691a30"
    );
    // The example of TikTok's customer file guide (normalized "janedoe@gmail.com").
    assert_eq!(
        hash_email(AdPlatform::Google, " JaneDoe@gmail.com"),
        "d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69"
    );
    assert_eq!(
        hash_email(AdPlatform::Meta, "anna@example.ru"),
        "91187156856ba7016515c815ae598457b7316765e80e317bd4145aa188b9572f"
    );
}
