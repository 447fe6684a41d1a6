//! Lossless round trips: a base exported to CSV (or JSON) and read back into a new
//! base with the same schema is equal to the original, ids included.
#![cfg(feature = "csv")]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clientbase::{
    complete_inn, Channel, Client, ClientBase, ClientId, ColumnMapping, Consent, CsvOptions,
    Currency, Deal, DealId, DealStatus, Discount, Email, FieldDef, FieldType, FieldValue,
    LifecycleStage, Messenger, MessengerKind, Money, Period, Phone, PhoneKind, ProductLine,
    Quantity, Recurrence, RelationKind, Schema, Temperature,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

fn schema() -> Schema {
    let mut schema = Schema::new();
    for tag in ["vip", "опт", "b2b", "новый клиент"] {
        schema.declare_tag(tag).unwrap();
    }
    let fields = [
        FieldDef::new("rooms", FieldType::Integer).with_label("Комнат"),
        FieldDef::new(
            "budget",
            FieldType::Money {
                currency: Currency::RUB,
            },
        ),
        FieldDef::new(
            "budget_usd",
            FieldType::Money {
                currency: Currency::USD,
            },
        ),
        FieldDef::new("moved_in", FieldType::Date),
        FieldDef::new("has_pet", FieldType::Bool),
        FieldDef::new("note", FieldType::Text),
        FieldDef::new(
            "make",
            FieldType::OneOf {
                options: vec!["Lada".into(), "Kia".into(), "Лада Веста".into()],
            },
        ),
        FieldDef::new(
            "floors",
            FieldType::ManyOf {
                options: vec!["low".into(), "middle".into(), "high".into()],
            },
        ),
    ];
    for field in fields {
        schema.declare_field(field).unwrap();
    }
    schema
}

/// Every part of the model, with text that CSV has to quote.
fn rich_base() -> ClientBase {
    let mut base = ClientBase::new(schema());
    base.freeze_clock(Some(at(2025, 1, 2, 3, 4, 5)));

    let mut firm = Client::company(
        "ООО «Ромашка», филиал; \"Север\"",
        Some(&complete_inn("770708389").unwrap()),
    );
    firm.city = Some("Санкт-Петербург".into());
    firm.address = Some("Невский пр., д. 1;\nофис 2\r\nвход со двора".into());
    firm.tags = BTreeSet::from(["b2b".to_string(), "опт".to_string()]);
    firm.stage = LifecycleStage::Customer;
    firm.phones.push(Phone {
        raw: "8 (812) 123-45-67 доб. 89".into(),
        e164: Some("+78121234567".into()),
        extension: Some("89".into()),
        kind: Some(PhoneKind::FixedLine),
        label: Some("раб.".into()),
        consent: Some(Consent::withdrawn(date(2024, 5, 6))),
    });
    firm.emails.push(Email {
        raw: " Info@Romashka.RU ".into(),
        normalized: Some("info@romashka.ru".into()),
        label: Some("work".into()),
        consent: Some(Consent::given(date(2024, 1, 1))),
    });
    firm.custom
        .insert("budget".into(), FieldValue::Money(rub("1 500 000,50")));
    firm.created_at = Some(Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap());
    let firm = base.add_client(firm).unwrap();

    let mut anna = Client::person("Иванова", "Анна", Some("Сергеевна"))
        .with_phone("8 (916) 123-45-67")
        .with_phone("+7 903 000-00-01")
        .with_email("anna@example.ru")
        .with_tag("vip")
        .with_tag("новый клиент")
        .with_consent(Channel::Sms, Consent::given(date(2024, 1, 10)))
        .with_consent(Channel::Ads, Consent::withdrawn(date(2024, 3, 1)))
        .with_relation(RelationKind::EmployeeOf, firm);
    anna.birthday = Some(date(1990, 3, 5));
    anna.city = Some(" Москва ".into()); // kept exactly as typed
    anna.region = Some("Московская обл.".into());
    anna.postcode = Some("141400".into());
    anna.owner = Some("Петров П.".into());
    anna.source = Some("сайт, форма \"заявка\"".into());
    anna.temperature = Some(Temperature::Hot);
    anna.behaviour = Some("economical".into());
    anna.loyalty_percent = Some(15);
    anna.can_refer = true;
    anna.stage = LifecycleStage::Loyal;
    anna.consents.personal_data = Some(Consent::given(date(2023, 12, 31)));
    anna.messengers.push(Messenger {
        kind: MessengerKind::Telegram,
        id: "@anna_iv".into(),
        consent: Some(Consent::given(date(2024, 2, 2))),
    });
    anna.messengers.push(Messenger {
        kind: MessengerKind::Other("Signal".into()),
        id: "+79161234567".into(),
        consent: None,
    });
    let custom = [
        ("rooms", FieldValue::Integer(-3)),
        (
            "budget_usd",
            FieldValue::Money(Money::parse("12.5", Currency::USD).unwrap()),
        ),
        ("moved_in", FieldValue::Date(date(2021, 3, 5))),
        ("has_pet", FieldValue::Bool(false)),
        (
            "note",
            FieldValue::Text("  «кавычки», \"quotes\"; tab\there\nnew line 😀 ".into()),
        ),
        ("make", FieldValue::OneOf("Лада Веста".into())),
        (
            "floors",
            FieldValue::ManyOf(BTreeSet::from(["low".into(), "high".into()])),
        ),
    ];
    for (name, value) in custom {
        anna.custom.insert(name.into(), value);
    }
    let anna = base.add_client(anna).unwrap();

    // Spouses point at each other: the first relation can only be added by an update,
    // so it points forward in id order.
    let ivan = base
        .add_client(
            Client::person("Иванов", "Иван", None)
                .with_relation(RelationKind::Spouse, anna)
                .with_relation(RelationKind::EmployeeOf, firm),
        )
        .unwrap();
    let mut stored = base.get_client(anna).unwrap().clone();
    stored.relations.push(clientbase::Relation {
        kind: RelationKind::Spouse,
        to: ivan,
    });
    base.freeze_clock(Some(at(2025, 2, 3, 4, 5, 6)));
    base.update_client(stored).unwrap();

    // A person known only by a phone; a foreign company; odd but valid text.
    base.add_client(Client::person("", "", None).with_phone("+44 20 7946 0958"))
        .unwrap();
    let mut foreign = Client::company("Müller & Söhne GmbH", Some("DE123456789"));
    foreign
        .consents
        .marketing
        .insert(Channel::Email, Consent::given(date(2024, 7, 7)));
    foreign.temperature = Some(Temperature::Cold);
    let foreign = base.add_client(foreign).unwrap();
    let mut odd = Client::person("О'Коннор", "Шон \"Джек\"", Some("-"));
    odd.address = Some("=SUM(A1:A2)".into());
    odd.city = Some("\"".into());
    odd.behaviour = Some(",".into());
    odd.region = Some(";".into());
    odd.loyalty_percent = Some(0);
    odd = odd.with_relation(RelationKind::ReferredBy, anna);
    base.add_client(odd).unwrap();

    // Deals: lines with discounts, a schedule, a duplicate pointing forward, other currencies.
    base.freeze_clock(Some(at(2025, 3, 1, 9, 0, 0)));
    let mut won = Deal::new(anna, rub("5 140,50"))
        .with_line(
            ProductLine::new("Корм для кошек 10 кг", Quantity::units(2), rub("2 450,00"))
                .with_category("Корма"),
        )
        .with_line(ProductLine {
            product: "Наполнитель; \"Чистый\"".into(),
            category: None,
            quantity: Quantity::parse("2,5").unwrap(),
            unit_price: rub("99.99"),
            discount: Discount::PercentBp(1250),
        })
        .with_line(ProductLine {
            product: "Миска".into(),
            category: Some("Аксессуары".into()),
            quantity: Quantity::ONE,
            unit_price: rub("100"),
            discount: Discount::Amount(rub("10")),
        });
    won.title = Some("Заказ №1\nс доставкой".into());
    won.status = DealStatus::Won;
    won.closed_at = Some(at(2025, 3, 2, 10, 0, 0));
    won.owner = Some("Петров П.".into());
    won.source = Some("повторная покупка".into());
    won.recurrence = Some(Recurrence {
        every: 1,
        period: Period::Month,
        day: Some(5),
        until: Some(date(2025, 12, 31)),
    });
    base.add_deal(won).unwrap();

    let mut lost = Deal::new(firm, rub("0"));
    lost.pipeline = "опт".into();
    lost.stage = "переговоры, этап 2".into();
    lost.status = DealStatus::Lost;
    lost.closed_at = Some(at(2025, 3, 5, 0, 0, 0));
    lost.recurrence = Some(Recurrence {
        every: 2,
        period: Period::Week,
        day: Some(1),
        until: None,
    });
    let lost = base.add_deal(lost).unwrap();

    let copy = base.add_deal(Deal::new(firm, rub("10"))).unwrap();
    let original = base.add_deal(Deal::new(firm, rub("10"))).unwrap();
    let mut copy_deal = base.get_deal(copy).unwrap().clone();
    copy_deal.status = DealStatus::DuplicateOf(original);
    copy_deal.closed_at = Some(at(2025, 3, 6, 0, 0, 0));
    base.update_deal(copy_deal).unwrap();
    let mut again = Deal::new(ivan, rub("1"));
    again.status = DealStatus::DuplicateOf(lost);
    base.add_deal(again).unwrap();

    base.add_deal(Deal::new(
        foreign,
        Money::parse("199.99", Currency::EUR).unwrap(),
    ))
    .unwrap();
    let jpy = Currency::new("JPY").unwrap();
    base.add_deal(
        Deal::new(foreign, Money::parse("1500", jpy).unwrap()).with_line(ProductLine::new(
            "Чай",
            Quantity::parse("0,125").unwrap(),
            Money::parse("12000", jpy).unwrap(),
        )),
    )
    .unwrap();
    base
}

fn csv_round_trip(base: &ClientBase) -> ClientBase {
    let mut clients = Vec::new();
    base.export_clients_csv(&mut clients).unwrap();
    let mut deals = Vec::new();
    base.export_deals_csv(&mut deals).unwrap();

    let mut copy = ClientBase::new(base.schema().clone());
    let report = copy
        .import_clients_csv(
            &clients[..],
            &ColumnMapping::canonical_clients(),
            &CsvOptions::default(),
        )
        .unwrap();
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert!(report.ignored_columns.is_empty());
    assert_eq!(
        report.imported,
        base.clients().map(|c| c.id).collect::<Vec<_>>()
    );
    let report = copy
        .import_deals_csv(
            &deals[..],
            &ColumnMapping::canonical_deals(),
            &CsvOptions::default(),
        )
        .unwrap();
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert_eq!(
        report.imported,
        base.deals().map(|d| d.id).collect::<Vec<_>>()
    );

    // Exporting the copy gives the same bytes.
    let mut again = Vec::new();
    copy.export_clients_csv(&mut again).unwrap();
    assert_eq!(
        String::from_utf8(again).unwrap(),
        String::from_utf8(clients).unwrap()
    );
    let mut again = Vec::new();
    copy.export_deals_csv(&mut again).unwrap();
    assert_eq!(
        String::from_utf8(again).unwrap(),
        String::from_utf8(deals).unwrap()
    );
    copy
}

#[test]
fn csv_round_trip_of_a_rich_base_is_lossless() {
    let base = rich_base();
    let copy = csv_round_trip(&base);
    for (a, b) in base.clients().zip(copy.clients()) {
        assert_eq!(a, b);
    }
    for (a, b) in base.deals().zip(copy.deals()) {
        assert_eq!(a, b);
    }
    assert!(copy == base);
    // The id counters continue where the original's do.
    let mut copy = copy;
    let mut base = base;
    let next = Client::person("Новый", "Клиент", None);
    assert_eq!(
        copy.add_client(next.clone()).unwrap(),
        base.add_client(next).unwrap()
    );
}

#[test]
fn json_round_trip_of_a_rich_base_is_lossless() {
    let base = rich_base();
    let json = base.to_json().unwrap();
    let copy = ClientBase::from_json(&json).unwrap();
    assert!(copy == base);
    assert_eq!(copy.to_json().unwrap(), json);
}

#[test]
fn the_export_is_readable() {
    let base = rich_base();
    let mut out = Vec::new();
    base.export_clients_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.starts_with('\u{feff}'));
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "id,kind,surname,given_name,patronymic,company,tax_id,birthday,city,region,address,postcode,owner,source,stage,temperature,behaviour,loyalty_percent,can_refer,created_at,updated_at,tags,phones_json,emails_json,messengers_json,consents_json,relations_json,custom_json"
    );
    assert!(text.contains("1990-03-05"), "ISO dates");
    assert!(
        text.contains("2023-11-14T22:13:20.123456789Z"),
        "RFC 3339 timestamps"
    );
    assert!(text.contains("\"vip, новый клиент\""), "tags joined");

    let mut out = Vec::new();
    base.export_deals_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,client_id,title,pipeline,stage,status,amount,currency,created_at,closed_at,owner,source,lines_json,recurrence_json"
    );
    assert!(text.contains(",5140.50,RUB,"), "money as plain decimals");
    assert!(text.contains(",duplicate_of:4,"), "{text}");
    assert!(text.contains(",1500,JPY,"));
}

#[test]
fn imported_ids_are_kept_and_never_reused() {
    let mut base = ClientBase::default();
    let csv = "id;Фамилия\n;Первый\n5;Пятый\n2;Второй\n5;Снова пятый\n";
    let mapping = ColumnMapping::from_pairs([("id", "id"), ("Фамилия", "surname")]).unwrap();
    let report = base
        .import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())
        .unwrap();
    // The row without an id gets one above every id in the file, and the report is in file order.
    assert_eq!(report.imported, [ClientId(6), ClientId(5), ClientId(2)]);
    assert_eq!(report.rejected.len(), 1);
    let conflict = &report.rejected[0];
    assert_eq!((conflict.line, conflict.kind.name()), (5, "conflict"));
    assert_eq!(conflict.column.as_deref(), Some("id"));
    assert_eq!(conflict.reason, "client 5 already exists");
    assert_eq!(
        base.add_client(Client::person("Новый", "", None)).unwrap(),
        ClientId(7)
    );
}

#[test]
fn relations_may_point_forward_and_bad_ones_cascade() {
    let mut base = ClientBase::default();
    let csv = "\
id,name,kind,relations
1,Иванов Иван,,\"[{\"\"kind\"\":\"\"spouse\"\",\"\"to\"\":2}]\"
2,Иванова Анна,,\"[{\"\"kind\"\":\"\"spouse\"\",\"\"to\"\":1},{\"\"kind\"\":\"\"employee_of\"\",\"\"to\"\":3}]\"
3,ООО Ромашка,company,
4,Петров Пётр,,\"[{\"\"kind\"\":\"\"employee_of\"\",\"\"to\"\":1}]\"
5,Сидоров Семён,,\"[{\"\"kind\"\":\"\"friend\"\",\"\"to\"\":4}]\"
6,Козлов Кирилл,,\"[{\"\"kind\"\":\"\"friend\"\",\"\"to\"\":6}]\"
";
    let mapping = ColumnMapping::from_pairs([
        ("id", "id"),
        ("name", "full_name"),
        ("kind", "kind"),
        ("relations", "relations_json"),
    ])
    .unwrap();
    let report = base
        .import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())
        .unwrap();
    assert_eq!(report.imported, [ClientId(1), ClientId(2), ClientId(3)]);
    assert_eq!(
        base.related_to(ClientId(1)).collect::<Vec<_>>(),
        [(ClientId(2), RelationKind::Spouse)]
    );
    let rejected: Vec<(u64, &str, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_deref().unwrap(), r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (
                5,
                "relations[0]",
                "employee_of must point at a company, client 1 is a person"
            ),
            (
                6,
                "relations[0]",
                "client 4 does not exist: its row (line 5) was rejected"
            ),
            (7, "relations[0]", "a client cannot be related to itself"),
        ]
    );
    assert!(report
        .rejected
        .iter()
        .all(|r| r.column.as_deref() == Some("relations")));
    assert_eq!(base.clients().count(), 3);
}

#[test]
fn duplicate_deals_may_point_forward_or_at_each_other() {
    let mut base = ClientBase::default();
    let client = base
        .add_client(Client::person("Иванов", "Иван", None))
        .unwrap();
    let csv = format!(
        "id;client;amount;status\n1;{c};10;duplicate_of:2\n2;{c};10;duplicate_of:1\n3;{c};10;дубль 9\n4;{c};10;duplicate_of:3\n5;{c};10;duplicate_of:5\n",
        c = client.get()
    );
    let mapping = ColumnMapping::from_pairs([
        ("id", "id"),
        ("client", "client_id"),
        ("amount", "amount"),
        ("status", "status"),
    ])
    .unwrap();
    let report = base
        .import_deals_csv(csv.as_bytes(), &mapping, &CsvOptions::default())
        .unwrap();
    assert_eq!(report.imported, [DealId(1), DealId(2)]);
    assert_eq!(
        base.get_deal(DealId(1)).unwrap().status,
        DealStatus::DuplicateOf(DealId(2))
    );
    assert_eq!(
        base.get_deal(DealId(2)).unwrap().status,
        DealStatus::DuplicateOf(DealId(1))
    );
    let rejected: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (4, "deal 9 does not exist"),
            (5, "deal 3 does not exist: its row (line 4) was rejected"),
            (6, "a deal cannot duplicate itself"),
        ]
    );
    assert!(report
        .rejected
        .iter()
        .all(|r| r.column.as_deref() == Some("status")));
    assert_eq!(base.deals().count(), 2);
}

// ---- random clients ---------------------------------------------------------------

/// Text with what CSV must quote; never blank, since a blank cell is "no value".
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Zа-яА-ЯёЁ0-9 ,;|\"'\t\r\n=@.«»😀-]{1,16}"
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn maybe_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn random_client() -> impl Strategy<Value = Client> {
    let person = (maybe_text(), maybe_text(), maybe_text());
    let company = (text(), proptest::option::of("[0-9]{9}"));
    let party = prop_oneof![
        person.prop_map(|(s, g, p)| {
            let mut c = Client::person("", "", None);
            if let clientbase::Party::Person(name) = &mut c.party {
                name.surname = s;
                name.given = g;
                name.patronymic = p;
            }
            c
        }),
        company.prop_map(|(name, inn)| Client::company(
            &name,
            inn.and_then(|p| complete_inn(&p)).as_deref()
        )),
    ];
    (
        party,
        (
            maybe_text(),
            maybe_text(),
            proptest::option::of(0u8..=100),
            any::<bool>(),
        ),
        (
            proptest::collection::vec(text(), 1..3),
            proptest::collection::vec(text(), 0..2),
        ),
        (
            proptest::collection::btree_set(
                prop_oneof![Just("vip"), Just("опт"), Just("b2b")],
                0..3,
            ),
            proptest::option::of(any::<i64>()),
            proptest::option::of(text()),
            proptest::option::of(-10_000_000i64..10_000_000),
        ),
        (
            proptest::option::of((1950i32..2010, 1u32..13, 1u32..29)),
            proptest::option::of(0i64..2_000_000_000),
        ),
    )
        .prop_map(
            |(
                mut client,
                (city, owner, loyalty, refer),
                (phones, emails),
                (tags, rooms, note, budget),
                (birthday, created),
            )| {
                client.city = city;
                client.owner = owner;
                client.loyalty_percent = loyalty;
                client.can_refer = refer;
                client.phones = phones.into_iter().map(Phone::raw).collect();
                client.emails = emails.into_iter().map(Email::raw).collect();
                client.tags = tags.into_iter().map(String::from).collect();
                if let Some(rooms) = rooms {
                    client
                        .custom
                        .insert("rooms".into(), FieldValue::Integer(rooms));
                }
                if let Some(note) = note {
                    client.custom.insert("note".into(), FieldValue::Text(note));
                }
                if let Some(minor) = budget {
                    client.custom.insert(
                        "budget".into(),
                        FieldValue::Money(Money::from_minor(minor, Currency::RUB)),
                    );
                }
                client.birthday = birthday.map(|(y, m, d)| date(y, m, d));
                client.created_at = created.map(|s| Utc.timestamp_opt(s, 0).unwrap());
                client
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_clients_survive_a_csv_round_trip(clients in proptest::collection::vec(random_client(), 1..12)) {
        let mut base = ClientBase::new(schema());
        base.freeze_clock(Some(at(2025, 1, 1, 0, 0, 0)));
        for client in clients {
            base.add_client(client).unwrap();
        }
        let copy = csv_round_trip(&base);
        prop_assert!(copy == base);
    }
}
