//! The stories of reminders, stage actions and routing, each on a base
//! built by hand.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use clientbase::automation::{
    add_due_tasks, due, route, stage_actions, AutomationRules, DueParams, Lead, ManagerShift,
    RouteParams, StageParams,
};
use clientbase::table::{Table, Value};
use clientbase::{
    Activity, Client, ClientBase, ClientId, Currency, Deal, DealStatus, Money, Period, ProductLine,
    Quantity, Recurrence, Schema,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
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

fn keys(table: &Table) -> Vec<String> {
    texts(table, "key").into_iter().flatten().collect()
}

fn rules(json: &str) -> Option<AutomationRules> {
    Some(AutomationRules::from_json(json).unwrap())
}

fn owned(client: Client, owner: &str) -> Client {
    Client {
        owner: Some(owner.to_string()),
        ..client
    }
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

const PRINT_RULES: &str = r#"{"version": 1, "rules": [
    {"name": "order_ready", "kind": "stage_entered", "pipeline": "orders", "stage": "ready",
     "action": "notify_client", "channel": "sms",
     "text": "{{ client.given }}, ваш заказ «{{ deal.title }}» готов. Типография «Оттиск»"}]}"#;

/// The printing shop: a business-card order moves to "ready" and the
/// client gets an SMS; recorded once, it is not sent again.
fn printing_shop(base: &mut ClientBase, moved: NaiveDate) -> clientbase::DealId {
    let client = base
        .add_client(owned(
            Client::person("Соколова", "Мария", None).with_phone("8 (916) 555-12-34"),
            "nina",
        ))
        .unwrap();
    base.freeze_clock(Some(noon(moved - Days::new(5))));
    let id = base
        .add_deal(Deal {
            title: Some("Визитки 500 шт".into()),
            pipeline: "orders".into(),
            stage: "in_print".into(),
            ..Deal::new(client, rub("3500"))
        })
        .unwrap();
    base.freeze_clock(Some(noon(moved)));
    let mut deal = base.deal(id).unwrap().clone();
    deal.stage = "ready".into();
    base.update_deal(deal).unwrap();
    id
}

fn check_sms(table: &Table, deal: u64, day: NaiveDate) {
    assert_eq!(table.rows(), 1, "{table:?}");
    assert_eq!(keys(table), [format!("order_ready/deal-{deal}/{day}")]);
    assert_eq!(texts(table, "channel"), [Some("sms".to_string())]);
    assert_eq!(
        texts(table, "contact"),
        [Some("8 (916) 555-12-34".to_string())]
    );
    assert_eq!(texts(table, "action"), [Some("notify_client".to_string())]);
    #[cfg(feature = "render")]
    assert_eq!(
        texts(table, "text"),
        [Some(
            "Мария, ваш заказ «Визитки 500 шт» готов. Типография «Оттиск»".to_string()
        )]
    );
}

#[test]
fn printing_shop_notifies_the_client_when_the_order_is_ready() {
    let day = date(2026, 12, 7);
    let mut base = ClientBase::new(Schema::new());
    let id = printing_shop(&mut base, day);
    // The move the host just made.
    let params = StageParams {
        deal: Some(id),
        as_of: Some(day),
        rules: rules(PRINT_RULES),
        ..StageParams::default()
    };
    check_sms(&stage_actions(&base, &params).unwrap(), id.get(), day);
    // A move to another stage triggers nothing.
    let other = StageParams {
        stage: Some("in_print".into()),
        ..params.clone()
    };
    assert_eq!(stage_actions(&base, &other).unwrap().rows(), 0);
    // The day's actions hold it too (the in-memory base reads the deal's
    // creation as its stage entry: 5 days ago, within the week's catch-up).
    let due_params = DueParams {
        as_of: Some(day),
        rules: rules(PRINT_RULES),
        ..DueParams::default()
    };
    let table = due(&base, &due_params).unwrap();
    assert_eq!(
        keys(&table),
        [format!(
            "order_ready/deal-{}/{}",
            id.get(),
            day - Days::new(5)
        )]
    );
    // Sent and recorded: never again, on either path.
    let added = add_due_tasks(&mut base, &due_params).unwrap();
    assert_eq!((added.messages, added.tasks), (1, 0));
    let message = base.activity(added.activities[0]).unwrap();
    assert_eq!(message.kind, clientbase::ActivityKind::Message);
    assert_eq!(message.deal, Some(id));
    assert_eq!(due(&base, &due_params).unwrap().rows(), 0);
}

#[cfg(feature = "storage")]
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cb-automation-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("base.cbase")
}

#[cfg(feature = "storage")]
#[test]
fn printing_shop_on_a_base_file_reads_the_moves_from_the_change_log() {
    let day = date(2026, 12, 7);
    let path = scratch("print");
    let mut base = ClientBase::create(&path, Schema::new()).unwrap();
    let id = printing_shop(&mut base, day);
    let since = StageParams {
        since: Some(noon(day - Days::new(1))),
        rules: rules(PRINT_RULES),
        ..StageParams::default()
    };
    check_sms(&stage_actions(&base, &since).unwrap(), id.get(), day);
    // The log knows the deal entered "ready" today, not when it was created.
    let due_params = DueParams {
        as_of: Some(day),
        rules: rules(PRINT_RULES),
        ..DueParams::default()
    };
    check_sms(&due(&base, &due_params).unwrap(), id.get(), day);
    add_due_tasks(&mut base, &due_params).unwrap();
    base.close().unwrap();
    let base = ClientBase::open(&path).unwrap();
    assert_eq!(due(&base, &due_params).unwrap().rows(), 0);
    assert_eq!(stage_actions(&base, &since).unwrap().rows(), 0);
    // On a base in memory there is no log to read.
    let memory = ClientBase::from_json(&base.to_json().unwrap()).unwrap();
    let err = stage_actions(&memory, &since).unwrap_err();
    assert_eq!(err.kind(), clientbase::ErrorKind::Storage);
}

/// A manager's view reads the moves of `since` from the base file's change
/// log, and gets actions only for the deals of their own clients.
#[cfg(feature = "storage")]
#[test]
fn a_views_stage_actions_read_the_base_log_for_its_own_deals() {
    use clientbase::access::{Policy, View};
    let day = date(2026, 12, 7);
    let path = scratch("view");
    let mut base = ClientBase::create(&path, Schema::new()).unwrap();
    let nina_deal = printing_shop(&mut base, day);
    // Another manager's client whose order moved to "ready" the same day.
    let other = base
        .add_client(owned(
            Client::person("Орлова", "Ольга", None).with_phone("8 (903) 111-22-33"),
            "oleg",
        ))
        .unwrap();
    let oleg_deal = base
        .add_deal(Deal {
            title: Some("Буклеты".into()),
            pipeline: "orders".into(),
            stage: "in_print".into(),
            ..Deal::new(other, rub("900"))
        })
        .unwrap();
    let mut deal = base.deal(oleg_deal).unwrap().clone();
    deal.stage = "ready".into();
    base.update_deal(deal).unwrap();
    let since = serde_json::json!({
        "since": noon(day - Days::new(1)).to_rfc3339(),
        "rules": serde_json::from_str::<serde_json::Value>(PRINT_RULES).unwrap(),
    });
    let policy = Policy::from_json(
        r#"{"roles": {"manager": {"clients": "own", "contacts": "full"},
                      "head": {"clients": "all", "contacts": "full"}},
            "actors": {"nina": {"role": "manager", "owns": ["nina"]},
                       "boss": {"role": "head"}}}"#,
    )
    .unwrap();
    let actions = |actor: &str| -> Vec<String> {
        let mut view = View::new(&base, &policy, actor).unwrap();
        let table = view
            .call(&base, "stage_actions", since.clone())
            .unwrap()
            .into_table("stage_actions")
            .unwrap();
        let mut out = keys(&table);
        out.sort();
        out
    };
    assert_eq!(
        actions("nina"),
        [format!("order_ready/deal-{}/{day}", nina_deal.get())]
    );
    let mut both = vec![
        format!("order_ready/deal-{}/{day}", nina_deal.get()),
        format!("order_ready/deal-{}/{day}", oleg_deal.get()),
    ];
    both.sort();
    assert_eq!(actions("boss"), both);
    drop(base);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

const ROBOT: &str = r#"{"version": 1, "rules": [
    {"name": "ask_email", "kind": "missing_contact", "contact": "email"},
    {"name": "ask_phone", "kind": "missing_contact", "contact": "phone", "due_in_days": 2}]}"#;

#[test]
fn the_completeness_robot_asks_each_manager_for_the_missing_contacts() {
    let day = date(2026, 12, 7);
    let mut base = ClientBase::new(Schema::new());
    let only_phone = base
        .add_client(owned(
            Client::person("Петров", "Иван", None).with_phone("+7 903 111-22-33"),
            "olga",
        ))
        .unwrap();
    let only_email = base
        .add_client(owned(
            Client::person("Сидорова", "Анна", None).with_email("anna@example.ru"),
            "ivan",
        ))
        .unwrap();
    base.add_client(owned(
        Client::person("Полный", "Пётр", None)
            .with_phone("+7 903 444-55-66")
            .with_email("p@example.ru"),
        "olga",
    ))
    .unwrap();
    let nothing = base
        .add_client(Client::company("ООО «Без связи»", None))
        .unwrap();
    let params = DueParams {
        as_of: Some(day),
        rules: rules(ROBOT),
        ..DueParams::default()
    };
    let table = due(&base, &params).unwrap();
    assert_eq!(
        keys(&table),
        [
            format!("ask_email/client-{}", only_phone.get()),
            format!("ask_email/client-{}", nothing.get()),
            format!("ask_phone/client-{}", only_email.get()),
            format!("ask_phone/client-{}", nothing.get()),
        ]
    );
    assert_eq!(
        texts(&table, "manager"),
        [Some("olga".into()), None, Some("ivan".into()), None]
    );
    assert_eq!(
        texts(&table, "reason")[0].as_deref(),
        Some("no email: ask the client for one")
    );
    let due_days: Vec<Value> = (0..4)
        .map(|i| table.column("due").unwrap().value(i))
        .collect();
    assert_eq!(due_days[0], Value::Date(day));
    assert_eq!(due_days[2], Value::Date(day + Days::new(2)));

    let added = add_due_tasks(&mut base, &params).unwrap();
    assert_eq!((added.tasks, added.unassigned), (4, 2));
    let task = base.activity(added.activities[0]).unwrap();
    assert!(task.is_open_task());
    assert_eq!(task.client, only_phone);
    assert_eq!(task.manager.as_deref(), Some("olga"));
    // The next day, and after a save and a reopen: nothing asked twice.
    let next_day = DueParams {
        as_of: Some(day + Days::new(1)),
        ..params.clone()
    };
    assert_eq!(due(&base, &next_day).unwrap().rows(), 0);
    let reopened = ClientBase::from_json(&base.to_json().unwrap()).unwrap();
    assert_eq!(due(&reopened, &next_day).unwrap().rows(), 0);
    // A new client without an email is asked, the others still are not.
    let mut base = reopened;
    let newcomer = base
        .add_client(Client::person("Новый", "Олег", None).with_phone("+7 903 000-00-01"))
        .unwrap();
    assert_eq!(
        keys(&due(&base, &next_day).unwrap()),
        [format!("ask_email/client-{}", newcomer.get())]
    );
}

#[test]
fn running_the_same_day_twice_gives_the_same_actions_and_never_a_second_reminder() {
    let day = date(2024, 6, 3);
    let mut base = ClientBase::new(Schema::new());
    for i in 0..30u32 {
        let mut client = Client::person("Клиент", &format!("Номер{i}"), None);
        if i % 2 == 0 {
            client = client.with_phone(&format!("+7 916 000-00-{i:02}"));
        }
        if i % 3 == 0 {
            client = client.with_email(&format!("c{i}@example.ru"));
        }
        client.birthday = Some(date(1980 + i as i32, 6, 1 + i % 5));
        client.owner = Some(["olga", "ivan"][i as usize % 2].to_string());
        let id = base.add_client(client).unwrap();
        let deal = Deal {
            created_at: Some(noon(day - Days::new(u64::from(i) * 3))),
            ..Deal::new(id, rub("1000"))
        };
        base.add_deal(deal).unwrap();
    }
    let params = DueParams {
        as_of: Some(day),
        ..DueParams::default()
    };
    let first = due(&base, &params).unwrap();
    assert_eq!(due(&base, &params).unwrap(), first);
    let kinds = texts(&first, "kind");
    for kind in ["birthday", "missing_contact", "stuck_in_stage"] {
        assert!(
            kinds.iter().any(|k| k.as_deref() == Some(kind)),
            "{kind} in {kinds:?}"
        );
    }
    let added = add_due_tasks(&mut base, &params).unwrap();
    assert_eq!(added.keys, keys(&first));
    assert_eq!(due(&base, &params).unwrap().rows(), 0);
    let again = add_due_tasks(&mut base, &params).unwrap();
    assert_eq!(again.tasks + again.messages, 0);
    // Keys done elsewhere are skipped the same way.
    let fresh = ClientBase::new(Schema::new());
    assert_eq!(due(&fresh, &params).unwrap().rows(), 0);
    let mut other = base.clone();
    let removed: Vec<_> = other.activities().map(|a| a.id).collect();
    for id in removed {
        other.remove_activity(id).unwrap();
    }
    assert_eq!(due(&other, &params).unwrap(), first);
    let done = DueParams {
        done: keys(&first)[..5].to_vec(),
        ..params.clone()
    };
    assert_eq!(keys(&due(&other, &done).unwrap()), keys(&first)[5..]);
}

const STUCK: &str = r#"{"version": 1, "rules": [
    {"name": "stuck_offer", "kind": "stuck_in_stage", "pipeline": "sales", "stage": "offer", "max_days": 14}]}"#;

#[test]
fn deals_stuck_in_a_stage_in_memory_count_from_their_creation() {
    let day = date(2026, 12, 7);
    let mut base = ClientBase::new(Schema::new());
    let client = base
        .add_client(owned(Client::person("Орлов", "Глеб", None), "olga"))
        .unwrap();
    let deal = |days: u64, stage: &str, status: DealStatus| Deal {
        pipeline: "sales".into(),
        stage: stage.into(),
        status,
        owner: Some("ivan".into()),
        created_at: Some(noon(day - Days::new(days))),
        ..Deal::new(client, rub("10000"))
    };
    let stuck = base.add_deal(deal(20, "offer", DealStatus::Open)).unwrap();
    base.add_deal(deal(14, "offer", DealStatus::Open)).unwrap();
    base.add_deal(deal(40, "offer", DealStatus::Lost)).unwrap();
    base.add_deal(deal(40, "contract", DealStatus::Open))
        .unwrap();
    let params = DueParams {
        as_of: Some(day),
        rules: rules(STUCK),
        ..DueParams::default()
    };
    let table = due(&base, &params).unwrap();
    assert_eq!(
        keys(&table),
        [format!(
            "stuck_offer/deal-{}/{}",
            stuck.get(),
            day - Days::new(20)
        )]
    );
    // The deal's owner takes it, before the client's.
    assert_eq!(texts(&table, "manager"), [Some("ivan".into())]);
    assert_eq!(
        texts(&table, "reason"),
        [Some(
            "in stage «offer» of «sales» for 20 days, more than 14".into()
        )]
    );
    assert_eq!(
        table.column("deal").unwrap().value(0),
        Value::UInt64(stuck.get())
    );
}

#[cfg(feature = "storage")]
#[test]
fn deals_stuck_in_a_stage_on_a_base_file_count_from_the_move() {
    let day = date(2026, 12, 7);
    let mut base = ClientBase::create(scratch("stuck"), Schema::new()).unwrap();
    let client = base
        .add_client(Client::person("Орлов", "Глеб", None))
        .unwrap();
    base.freeze_clock(Some(noon(day - Days::new(60))));
    let moved = base
        .add_deal(Deal {
            pipeline: "sales".into(),
            stage: "lead".into(),
            ..Deal::new(client, rub("10000"))
        })
        .unwrap();
    let waiting = base
        .add_deal(Deal {
            pipeline: "sales".into(),
            stage: "offer".into(),
            ..Deal::new(client, rub("20000"))
        })
        .unwrap();
    // Moved into "offer" ten days ago: not stuck yet, though created 60 days ago.
    base.freeze_clock(Some(noon(day - Days::new(10))));
    let mut deal = base.deal(moved).unwrap().clone();
    deal.stage = "offer".into();
    base.update_deal(deal).unwrap();
    // A change of another field is no move.
    base.freeze_clock(Some(noon(day - Days::new(2))));
    let mut deal = base.deal(waiting).unwrap().clone();
    deal.title = Some("renamed".into());
    base.update_deal(deal).unwrap();
    let params = DueParams {
        as_of: Some(day),
        rules: rules(STUCK),
        ..DueParams::default()
    };
    assert_eq!(
        keys(&due(&base, &params).unwrap()),
        [format!(
            "stuck_offer/deal-{}/{}",
            waiting.get(),
            day - Days::new(60)
        )]
    );
    // The same base in memory falls back to the creation date: both stuck.
    let memory = ClientBase::from_json(&base.to_json().unwrap()).unwrap();
    assert_eq!(due(&memory, &params).unwrap().rows(), 2);
}

const BIRTHDAY: &str = r#"{"version": 1, "rules": [
    {"name": "birthday", "kind": "birthday", "lead_days": 1, "catch_up_days": 3}]}"#;

fn birthday_keys(born: NaiveDate, as_of: NaiveDate) -> Vec<String> {
    let mut base = ClientBase::new(Schema::new());
    let mut client = Client::person("Именинник", "Юрий", None);
    client.birthday = Some(born);
    base.add_client(client).unwrap();
    let params = DueParams {
        as_of: Some(as_of),
        rules: rules(BIRTHDAY),
        ..DueParams::default()
    };
    keys(&due(&base, &params).unwrap())
}

#[test]
fn birthdays_across_month_and_year_ends_and_february_29() {
    let b = "birthday/client-1/";
    // A day ahead, across a month's end and a year's end.
    assert_eq!(
        birthday_keys(date(1990, 2, 1), date(2026, 1, 31)),
        [format!("{b}2026-02-01")]
    );
    assert_eq!(
        birthday_keys(date(1990, 1, 1), date(2026, 12, 31)),
        [format!("{b}2027-01-01")]
    );
    // Caught up three days late, across the year's end.
    assert_eq!(
        birthday_keys(date(1990, 12, 31), date(2027, 1, 3)),
        [format!("{b}2026-12-31")]
    );
    assert!(birthday_keys(date(1990, 12, 31), date(2027, 1, 4)).is_empty());
    assert!(birthday_keys(date(1990, 12, 31), date(2026, 12, 29)).is_empty());
    // 29 February: the 28th in other years, the 29th in leap years.
    assert_eq!(
        birthday_keys(date(2000, 2, 29), date(2027, 2, 28)),
        [format!("{b}2027-02-28")]
    );
    assert_eq!(
        birthday_keys(date(2000, 2, 29), date(2028, 2, 28)),
        [format!("{b}2028-02-29")]
    );
    assert_eq!(
        birthday_keys(date(2000, 2, 29), date(2027, 3, 2)),
        [format!("{b}2027-02-28")]
    );
    // Not before being born.
    assert!(birthday_keys(date(2026, 12, 8), date(2026, 12, 7)).is_empty());
}

#[test]
fn recurring_deals_are_due_ahead_of_their_dates() {
    let mut base = ClientBase::new(Schema::new());
    let client = base
        .add_client(owned(Client::company("ООО «Вода»", None), "olga"))
        .unwrap();
    let won = base
        .add_deal(Deal {
            title: Some("Вода 19 л по договору".into()),
            status: DealStatus::Won,
            created_at: Some(noon(date(2024, 1, 5))),
            closed_at: Some(noon(date(2024, 1, 10))),
            recurrence: Some(Recurrence::monthly_on(31)),
            ..Deal::new(client, rub("4500"))
        })
        .unwrap();
    base.add_deal(Deal {
        status: DealStatus::Lost,
        created_at: Some(noon(date(2024, 1, 5))),
        recurrence: Some(Recurrence {
            every: 1,
            period: Period::Week,
            day: None,
            until: None,
        }),
        ..Deal::new(client, rub("100"))
    })
    .unwrap();
    let keys_on = |day: NaiveDate| {
        let params = DueParams {
            as_of: Some(day),
            rules: rules(r#"{"version": 1, "rules": [{"name": "invoice", "kind": "recurring"}]}"#),
            ..DueParams::default()
        };
        keys(&due(&base, &params).unwrap())
    };
    let key = |d: &str| format!("invoice/deal-{}/{d}", won.get());
    // Monthly on the 31st is the 29th in February 2024; three days ahead.
    assert!(keys_on(date(2024, 2, 25)).is_empty());
    assert_eq!(keys_on(date(2024, 2, 26)), [key("2024-02-29")]);
    // A week later it is still caught up, and March's is not yet due.
    assert_eq!(keys_on(date(2024, 3, 7)), [key("2024-02-29")]);
    assert_eq!(keys_on(date(2024, 3, 28)), [key("2024-03-31")]);
}

#[test]
fn next_purchase_reminders_tell_the_product_and_the_rhythm() {
    let mut base = ClientBase::new(Schema::new());
    let client = base
        .add_client(owned(Client::person("Собакина", "Вера", None), "olga"))
        .unwrap();
    let quiet = base
        .add_client(Client::person("Разовая", "Ольга", None))
        .unwrap();
    let food = ProductLine::new("Корм для собак", Quantity::units(1), rub("2490"));
    for (who, day) in [
        (client, date(2024, 1, 1)),
        (client, date(2024, 1, 31)),
        (client, date(2024, 3, 1)),
        (quiet, date(2024, 1, 1)),
    ] {
        base.add_deal(Deal {
            status: DealStatus::Won,
            created_at: Some(noon(day)),
            closed_at: Some(noon(day)),
            ..Deal::new(who, rub("2490")).with_line(food.clone())
        })
        .unwrap();
    }
    let params = DueParams {
        as_of: Some(date(2024, 4, 11)),
        rules: rules(r#"{"version": 1, "rules": [{"name": "food", "kind": "next_purchase"}]}"#),
        ..DueParams::default()
    };
    let table = due(&base, &params).unwrap();
    assert_eq!(
        keys(&table),
        [format!("food/client-{}/2024-03-31", client.get())]
    );
    assert_eq!(
        texts(&table, "reason"),
        [Some(
            "bought Корм для собак 41 days ago, usually every 30".into()
        )]
    );
    assert_eq!(texts(&table, "manager"), [Some("olga".into())]);
    // Two days ahead by default; not before.
    let early = DueParams {
        as_of: Some(date(2024, 3, 28)),
        ..params.clone()
    };
    assert!(keys(&due(&base, &early).unwrap()).is_empty());
    let ahead = DueParams {
        as_of: Some(date(2024, 3, 29)),
        ..params.clone()
    };
    assert_eq!(keys(&due(&base, &ahead).unwrap()).len(), 1);
}

#[test]
fn a_when_condition_keeps_the_clients_who_meet_it() {
    let mut base = ClientBase::new(Schema::new());
    let moscow = base
        .add_client(Client {
            city: Some("Москва".into()),
            ..Client::person("Москвина", "Анна", None)
        })
        .unwrap();
    base.add_client(Client {
        city: Some("Тверь".into()),
        ..Client::person("Тверская", "Анна", None)
    })
    .unwrap();
    let params = DueParams {
        as_of: Some(date(2026, 12, 7)),
        rules: rules(
            r#"{"version": 1, "rules": [{"name": "ask", "kind": "missing_contact", "contact": "phone", "when": "city = Москва"}]}"#,
        ),
        ..DueParams::default()
    };
    assert_eq!(
        keys(&due(&base, &params).unwrap()),
        [format!("ask/client-{}", moscow.get())]
    );
    let bad = DueParams {
        rules: rules(
            r#"{"version": 1, "rules": [{"name": "ask", "kind": "missing_contact", "contact": "phone", "when": "shoe_size = 42"}]}"#,
        ),
        ..params
    };
    let err = due(&base, &bad).unwrap_err();
    assert_eq!(err.field(), Some("rules[0].when.shoe_size"), "{err}");
}

fn managers() -> Vec<ManagerShift> {
    let shift = |name: &str| ManagerShift {
        name: name.into(),
        working_hours: Some("09:00-18:00".into()),
        ..ManagerShift::default()
    };
    vec![
        shift("olga"),
        shift("ivan"),
        ManagerShift {
            days: Some(vec![1, 2, 3, 4, 5, 6]),
            working_hours: Some("10:00-16:00".into()),
            ..shift("sveta")
        },
    ]
}

fn routing_base() -> (ClientBase, ClientId) {
    let mut base = ClientBase::new(Schema::new());
    let mut known = owned(
        Client::person("Кузнецов", "Андрей", Some("Петрович"))
            .with_phone("+7 916 234-56-78")
            .with_email("kuznetsov@example.ru"),
        "ivan",
    );
    known.birthday = Some(date(1979, 4, 12));
    let known = base.add_client(known).unwrap();
    // Olga is busy: two open tasks.
    for _ in 0..2 {
        base.add_activity(Activity {
            manager: Some("olga".into()),
            ..Activity::task(
                known,
                noon(date(2026, 12, 1)),
                noon(date(2026, 12, 9)),
                "call",
            )
        })
        .unwrap();
    }
    (base, known)
}

/// Moscow time, 2026-12-07 is a Monday.
fn msk(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap() - chrono::Duration::hours(3)
}

#[test]
fn a_known_client_goes_to_their_own_manager_even_after_hours() {
    let (base, known) = routing_base();
    let params = RouteParams {
        lead: Lead {
            name: Some("Андрей Кузнецов".into()),
            phone: Some("8 916 234 56 78".into()),
            ..Lead::default()
        },
        managers: managers(),
        at: Some(msk(7, 22)),
        time_zone: "Europe/Moscow".into(),
        ..RouteParams::default()
    };
    let report = route(&base, &params).unwrap();
    assert_eq!(report.client, Some(known));
    assert_eq!(report.manager.as_deref(), Some("ivan"));
    assert_eq!(report.rule, "own_manager");
    assert!(!report.after_hours);
}

#[test]
fn a_new_lead_goes_by_rules_load_and_working_hours() {
    let (base, _) = routing_base();
    let lead = Lead {
        name: Some("Новикова Дарья".into()),
        phone: Some("+7 926 000-11-22".into()),
        request_type: Some("order".into()),
        amount: Some(rub("250000")),
        ..Lead::default()
    };
    let big = serde_json::json!([
        {"name": "big_orders", "when": {"type": ["order"], "min_amount": {"amount": "100000.00", "currency": "RUB"}},
         "managers": ["olga", "sveta"]},
        {"name": "questions", "when": {"type": ["question"]}, "managers": ["ivan"]}
    ]);
    let params = RouteParams {
        lead: lead.clone(),
        rules: serde_json::from_value(big).unwrap(),
        managers: managers(),
        at: Some(msk(7, 11)),
        time_zone: "Europe/Moscow".into(),
        ..RouteParams::default()
    };
    // At 11:00 both olga and sveta work; sveta has fewer open tasks.
    let report = route(&base, &params).unwrap();
    assert_eq!(report.client, None);
    assert_eq!(
        (report.rule.as_str(), report.manager.as_deref()),
        ("big_orders", Some("sveta"))
    );
    assert_eq!(report.pool[0].open_tasks, 2);
    // At 17:00 sveta has gone home: olga, though busier.
    let late = RouteParams {
        at: Some(msk(7, 17)),
        ..params.clone()
    };
    assert_eq!(
        route(&base, &late).unwrap().manager.as_deref(),
        Some("olga")
    );
    // At 22:00 nobody works: the one who starts first (olga at 09:00, sveta at 10:00).
    let night = RouteParams {
        at: Some(msk(7, 22)),
        ..params.clone()
    };
    let report = route(&base, &night).unwrap();
    assert!(report.after_hours);
    assert_eq!(report.manager.as_deref(), Some("olga"));
    assert!(report.reason.contains("11 h 00 min"), "{}", report.reason);
    // Friday night: sveta works on Saturdays, from 10:00.
    let saturday = RouteParams {
        at: Some(msk(11, 20)),
        ..params.clone()
    };
    assert_eq!(
        route(&base, &saturday).unwrap().manager.as_deref(),
        Some("sveta")
    );
    // A small order falls through to the default pool, in turn.
    let small = RouteParams {
        lead: Lead {
            amount: Some(rub("5000")),
            ..lead
        },
        distribute: clientbase::audience::Distribute::RoundRobin,
        turn: 4,
        ..params.clone()
    };
    let report = route(&base, &small).unwrap();
    assert_eq!(report.rule, "default");
    assert_eq!(report.manager.as_deref(), Some("ivan"));
    // Capacity: olga may hold two open tasks at most.
    let mut full = managers();
    full[0].max_open = Some(2);
    let capped = RouteParams {
        managers: full,
        at: Some(msk(7, 17)),
        ..params.clone()
    };
    let report = route(&base, &capped).unwrap();
    assert!(report.pool[0].at_capacity);
    assert!(report.after_hours);
    assert_eq!(report.manager.as_deref(), Some("sveta"));
}

#[test]
fn routing_params_are_checked() {
    let (base, _) = routing_base();
    let err = |params: RouteParams| route(&base, &params).unwrap_err();
    let mut bad_hours = managers();
    bad_hours[1].working_hours = Some("9-18".into());
    let e = err(RouteParams {
        managers: bad_hours,
        ..RouteParams::default()
    });
    assert_eq!(e.field(), Some("managers[1].working_hours"));
    let e = err(RouteParams {
        managers: managers(),
        rules: serde_json::from_value(serde_json::json!([{"name": "x", "managers": ["nobody"]}]))
            .unwrap(),
        ..RouteParams::default()
    });
    assert_eq!(e.field(), Some("rules[0].managers[0]"));
    let e = err(RouteParams {
        managers: managers(),
        rules: serde_json::from_value(
            serde_json::json!([{"name": "x", "when": {"client": "stage = "}}]),
        )
        .unwrap(),
        ..RouteParams::default()
    });
    assert_eq!(e.field(), Some("rules[0].when.client.rule"));
    let report = route(&base, &RouteParams::default()).unwrap();
    assert_eq!(report.manager, None);
    assert_eq!(report.reason, "no managers to route to");
}

/// The rhythms `due` reads in one pass over the deals are those of the
/// value capability (`next_purchase` by product, its defaults), on a
/// generated base: every client's earliest expected date, with a window
/// wide enough to hold them all.
#[cfg(feature = "generator")]
#[test]
fn next_purchase_reminders_agree_with_the_value_capability() {
    use clientbase::capability::Rows;
    use clientbase::value::{next_purchase, NextPurchaseParams};
    use std::collections::BTreeMap;
    let base =
        clientbase::generator::generate(&clientbase::generator::GeneratorConfig::new(3_000, 9))
            .unwrap()
            .base;
    let as_of = date(2026, 6, 1);
    let table = next_purchase(
        Rows::Base(&base),
        &NextPurchaseParams {
            by_product: true,
            as_of: Some(as_of),
            ..NextPurchaseParams::default()
        },
    )
    .unwrap();
    let mut earliest: BTreeMap<u64, NaiveDate> = BTreeMap::new();
    let (client, expected) = (
        table.column("client").unwrap(),
        table.column("expected_date").unwrap(),
    );
    for i in 0..table.rows() {
        if let (Value::UInt64(id), Value::Date(day)) = (client.value(i), expected.value(i)) {
            let e = earliest.entry(id).or_insert(day);
            *e = (*e).min(day);
        }
    }
    assert!(
        earliest.len() > 100,
        "{} clients with a rhythm",
        earliest.len()
    );
    let params = DueParams {
        as_of: Some(as_of),
        rules: rules(
            r#"{"version": 1, "rules": [{"name": "np", "kind": "next_purchase", "lead_days": 3650, "catch_up_days": 3650}]}"#,
        ),
        ..DueParams::default()
    };
    let actions = due(&base, &params).unwrap();
    let mut got: BTreeMap<u64, NaiveDate> = BTreeMap::new();
    let (client, occurs) = (
        actions.column("client").unwrap(),
        actions.column("occurs").unwrap(),
    );
    for i in 0..actions.rows() {
        if let (Value::UInt64(id), Value::Date(day)) = (client.value(i), occurs.value(i)) {
            assert!(got.insert(id, day).is_none(), "client {id} twice");
        }
    }
    assert_eq!(got, earliest);
}

fn column(table: &Table, name: &str) -> Vec<Option<String>> {
    texts(table, name)
}

const BIRTHDAY_SMS: &str = r#"{"version": 1, "rules": [
    {"name": "bday", "kind": "birthday", "action": "notify_client", "channel": "sms",
     "text": "С днём рождения!"}]}"#;

/// A birthday message is marketing: sent only with the SMS consent, to the
/// number in E.164; without the consent it is a task for the manager, never
/// a message and never nothing.
#[test]
fn a_marketing_message_needs_the_consent_and_an_unsent_one_is_a_task() {
    let day = date(2026, 12, 7);
    let mut base = ClientBase::new(Schema::new());
    let born = date(1990, 12, 7);
    let consented = base
        .add_client(owned(
            Client {
                birthday: Some(born),
                ..Client::person("Иванова", "Анна", None)
                    .with_phone("8 (916) 123-45-67")
                    .with_consent(
                        clientbase::Channel::Sms,
                        clientbase::Consent::given(date(2026, 1, 10)),
                    )
            },
            "nina",
        ))
        .unwrap();
    let withdrawn = base
        .add_client(owned(
            Client {
                birthday: Some(born),
                ..Client::person("Петров", "Пётр", None)
                    .with_phone("8 (916) 765-43-21")
                    .with_consent(
                        clientbase::Channel::Sms,
                        clientbase::Consent::withdrawn(date(2026, 3, 1)),
                    )
            },
            "nina",
        ))
        .unwrap();
    let silent = base
        .add_client(owned(
            Client {
                birthday: Some(born),
                ..Client::person("Сидорова", "Ольга", None)
            },
            "oleg",
        ))
        .unwrap();
    let params = DueParams {
        as_of: Some(day),
        rules: rules(BIRTHDAY_SMS),
        ..DueParams::default()
    };
    let table = due(&base, &params).unwrap();
    assert_eq!(table.rows(), 3, "{table:?}");
    let clients: Vec<u64> = {
        let c = table.column("client").unwrap();
        (0..table.rows())
            .map(|i| match c.value(i) {
                Value::UInt64(id) => id,
                other => panic!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(clients, [consented.get(), withdrawn.get(), silent.get()]);
    assert_eq!(
        column(&table, "action"),
        [
            Some("notify_client".into()),
            Some("task".into()),
            Some("task".into())
        ]
    );
    assert_eq!(
        column(&table, "contact"),
        [Some("+79161234567".into()), None, None]
    );
    assert_eq!(column(&table, "channel"), [Some("sms".into()), None, None]);
    let reasons = column(&table, "reason");
    assert!(
        reasons[1]
            .as_deref()
            .unwrap()
            .ends_with("the sms message was not sent: consent_withdrawn"),
        "{reasons:?}"
    );
    assert!(
        reasons[2]
            .as_deref()
            .unwrap()
            .ends_with("the sms message was not sent: no_contact"),
        "{reasons:?}"
    );
    #[cfg(feature = "render")]
    assert_eq!(
        column(&table, "text")[1].as_deref(),
        Some("The sms message was not sent (consent_withdrawn): С днём рождения!")
    );
    // The same keys either way: once the task is recorded, it is done.
    assert_eq!(
        keys(&table)[1],
        format!("bday/client-{}/2026-12-07", withdrawn.get())
    );
}

/// An order-ready message is service: no marketing consent needed, but a
/// client without a phone gets a task for the manager instead of nothing,
/// and `purpose: marketing` makes the consent required again.
#[test]
fn a_service_message_without_a_contact_is_a_task() {
    let day = date(2026, 12, 7);
    let mut base = ClientBase::new(Schema::new());
    let id = printing_shop(&mut base, day);
    let no_phone = base
        .add_client(owned(Client::person("Орлов", "Иван", None), "nina"))
        .unwrap();
    base.freeze_clock(Some(noon(day - Days::new(3))));
    let deal = base
        .add_deal(Deal {
            title: Some("Буклеты".into()),
            pipeline: "orders".into(),
            stage: "ready".into(),
            ..Deal::new(no_phone, rub("1200"))
        })
        .unwrap();
    let params = DueParams {
        as_of: Some(day),
        rules: rules(PRINT_RULES),
        ..DueParams::default()
    };
    let table = due(&base, &params).unwrap();
    assert_eq!(
        keys(&table),
        [
            // In memory a deal entered its stage when it was created.
            format!("order_ready/deal-{}/{}", id.get(), day - Days::new(5)),
            format!("order_ready/deal-{}/{}", deal.get(), day - Days::new(3)),
        ]
    );
    assert_eq!(
        column(&table, "action"),
        [Some("notify_client".into()), Some("task".into())]
    );
    assert_eq!(
        column(&table, "contact")[0].as_deref(),
        Some("8 (916) 555-12-34")
    );
    assert!(column(&table, "reason")[1]
        .as_deref()
        .unwrap()
        .ends_with("not sent: no_contact"));

    // As marketing, the shop's client (no SMS consent) is not messaged either.
    let marketing = PRINT_RULES.replace(
        r#""channel": "sms","#,
        r#""channel": "sms", "purpose": "marketing","#,
    );
    let params = DueParams {
        rules: rules(&marketing),
        ..params
    };
    let table = due(&base, &params).unwrap();
    assert_eq!(
        column(&table, "action"),
        [Some("task".into()), Some("task".into())]
    );
    assert!(column(&table, "reason")[0]
        .as_deref()
        .unwrap()
        .ends_with("not sent: no_consent"));

    // `purpose` is read by messages only.
    let err = AutomationRules::from_json(
        r#"{"version": 1, "rules": [{"name": "b", "kind": "birthday", "purpose": "service"}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("rules[0].purpose"), "{err}");
}
