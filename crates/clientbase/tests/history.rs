//! A client's history: deals, activities, merges and consents from a base in
//! memory; consent, contact and stage changes, undone merges and actors from
//! a base file's change log.

use chrono::{DateTime, NaiveDate, Utc};
use clientbase::capability::{call_read, Output};
use clientbase::history::{client_history, HistoryParams, HISTORY_KINDS};
use clientbase::table::Value;
use clientbase::{
    Activity, ActivityKind, Channel, Client, ClientBase, ClientId, Consent, Currency, Deal,
    DealStatus, ErrorKind, MergeRules, Money, Schema, Table,
};
use serde_json::json;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

/// The rows of a history as (time, kind, what, client, source) for asserts.
fn rows(table: &Table) -> Vec<(String, String, String, u64, String)> {
    let text = |col: &str, i: usize| match table.column(col).unwrap().value(i) {
        Value::Text(t) => t.to_string(),
        Value::Null => String::new(),
        other => panic!("{col}: {other:?}"),
    };
    (0..table.rows())
        .map(|i| {
            let time = match table.column("time").unwrap().value(i) {
                Value::Timestamp(t) => t.format("%Y-%m-%d %H:%M").to_string(),
                other => panic!("time: {other:?}"),
            };
            let client = match table.column("client").unwrap().value(i) {
                Value::UInt64(c) => c,
                other => panic!("client: {other:?}"),
            };
            (
                time,
                text("kind", i),
                text("what", i),
                client,
                text("source", i),
            )
        })
        .collect()
}

fn kinds(table: &Table) -> Vec<String> {
    rows(table).into_iter().map(|r| r.1).collect()
}

fn history(base: &ClientBase, client: ClientId) -> Table {
    client_history(
        base,
        &HistoryParams {
            client,
            ..HistoryParams::default()
        },
    )
    .unwrap()
}

/// Anna (with a deal won, a deal lost, an open deal, two activities and
/// consents) and a second record of hers with a deal and a call.
fn memory_base() -> (ClientBase, ClientId, ClientId) {
    let mut base = ClientBase::new(Schema::new());
    base.freeze_clock(Some(at("2024-01-10T09:00:00Z")));
    let mut anna = Client::person("Иванова", "Анна", None).with_phone("8 916 123-45-67");
    anna.consents.personal_data = Some(Consent::given(day("2024-01-10")));
    anna.consents
        .marketing
        .insert(Channel::Sms, Consent::withdrawn(day("2024-05-02")));
    anna.owner = Some("Оля".into());
    let anna = base.add_client(anna).unwrap();
    base.freeze_clock(Some(at("2024-02-01T09:00:00Z")));
    let second = base
        .add_client(Client::person("Иванова", "Анна", None).with_email("anna@mail.ru"))
        .unwrap();
    let deal = |client, amount: &str, status, created: &str, closed: Option<&str>| {
        let mut d = Deal::new(client, rub(amount));
        d.status = status;
        d.owner = Some("Петя".into());
        d.created_at = Some(at(created));
        d.closed_at = closed.map(at);
        d
    };
    base.add_deal(deal(
        anna,
        "1 000",
        DealStatus::Won,
        "2024-01-15T10:00:00Z",
        Some("2024-01-20T10:00:00Z"),
    ))
    .unwrap();
    base.add_deal(deal(
        anna,
        "2 000",
        DealStatus::Lost,
        "2024-01-20T10:00:00Z",
        Some("2024-03-01T10:00:00Z"),
    ))
    .unwrap();
    base.add_deal(deal(
        second,
        "500",
        DealStatus::Open,
        "2024-02-05T10:00:00Z",
        None,
    ))
    .unwrap();
    let mut call = Activity::new(anna, ActivityKind::Call, at("2024-01-20T10:00:00Z"));
    call.manager = Some("Петя".into());
    call.outcome = Some("договорились".into());
    base.add_activity(call).unwrap();
    base.add_activity(Activity::new(
        second,
        ActivityKind::Email,
        at("2024-02-06T08:00:00Z"),
    ))
    .unwrap();
    (base, anna, second)
}

#[test]
fn a_base_in_memory_gives_deals_activities_consents_in_time_order() {
    let (base, anna, _) = memory_base();
    let table = history(&base, anna);
    assert_eq!(
        table.column_names(),
        ["time", "kind", "what", "detail", "actor", "client", "deal", "source"]
    );
    let got = rows(&table);
    let expected: Vec<(&str, &str)> = vec![
        ("2024-01-10 00:00", "consent_given"),
        ("2024-01-10 09:00", "client_added"),
        ("2024-01-15 10:00", "deal_opened"),
        // Equal times keep their order: deals (by id, opened before
        // closed) before activities.
        ("2024-01-20 10:00", "deal_won"),
        ("2024-01-20 10:00", "deal_opened"),
        ("2024-01-20 10:00", "activity"),
        ("2024-03-01 10:00", "deal_lost"),
        ("2024-05-02 00:00", "consent_withdrawn"),
    ];
    let short: Vec<(&str, &str)> = got.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert_eq!(short, expected);
    assert_eq!(got[7].2, "consent sms");
    assert_eq!(got[7].4, "client");
    let actor = table.column("actor").unwrap();
    assert_eq!(actor.value(2), Value::Text("Петя"));
    assert_eq!(actor.value(1), Value::Text("Оля"));
    let detail = table.column("detail").unwrap();
    assert_eq!(detail.value(5), Value::Text("договорились"));
    assert_eq!(table.column("deal").unwrap().value(3), Value::UInt64(1));
    assert_eq!(table.column("deal").unwrap().value(5), Value::Null);
}

#[test]
fn a_merged_record_leads_to_the_survivor_and_its_events_come_along() {
    let (mut base, anna, second) = memory_base();
    base.freeze_clock(Some(at("2024-06-01T12:00:00Z")));
    let record = base
        .merge_clients(anna, &[second], &MergeRules::default())
        .unwrap();
    let table = history(&base, anna);
    let got = rows(&table);
    assert_eq!(got.len(), 8 + 3 + 1, "{got:?}");
    // The second record's deal and email stay marked as hers.
    let hers: Vec<&str> = got
        .iter()
        .filter(|r| r.3 == second.0)
        .map(|r| r.1.as_str())
        .collect();
    assert_eq!(hers, ["client_added", "deal_opened", "activity"]);
    let merge = got.last().unwrap();
    assert_eq!(
        (merge.0.as_str(), merge.1.as_str(), merge.4.as_str()),
        ("2024-06-01 12:00", "merge", "merge")
    );
    // Asking for the merged-away record gives the survivor's history.
    assert_eq!(history(&base, second), table);

    // Undone, the records are apart again; a base in memory keeps no trace
    // of the undone merge (the change log of a base file does).
    base.undo_merge(&record).unwrap();
    let apart = history(&base, anna);
    assert_eq!(apart.rows(), 8);
    assert!(!kinds(&apart).contains(&"merge".to_string()));
    assert_eq!(
        kinds(&history(&base, second)),
        ["client_added", "deal_opened", "activity"]
    );
}

#[test]
fn period_and_kinds_filter_and_bad_params_are_named() {
    let (base, anna, _) = memory_base();
    let params = HistoryParams {
        client: anna,
        from: Some(day("2024-01-15")),
        to: Some(day("2024-03-01")),
        kinds: Some(vec!["deal_won".into(), "deal_lost".into()]),
    };
    let table = client_history(&base, &params).unwrap();
    assert_eq!(kinds(&table), ["deal_won", "deal_lost"]);

    let out = call_read(
        &base,
        "client_history",
        json!({"client": anna.0, "kinds": ["consent_given"]}),
    )
    .unwrap();
    let Output::Table(table) = out else {
        panic!("a table")
    };
    assert_eq!(kinds(&table), ["consent_given"]);

    let err = call_read(
        &base,
        "client_history",
        json!({"client": 1, "kinds": ["deal"]}),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(err.field(), Some("kinds"));
    assert!(err.to_string().contains("deal_won"), "{err}");
    let err = call_read(&base, "client_history", json!({})).unwrap_err();
    assert_eq!(err.field(), Some("client"));
    let err = call_read(
        &base,
        "client_history",
        json!({"client": 1, "from": "2024-02-01", "to": "2024-01-01"}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("from"));
    let err = call_read(&base, "client_history", json!({"client": 99})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownId);
    assert!(
        err.to_string()
            .contains("not in the base and was not merged"),
        "{err}"
    );
    let err = call_read(&base, "client_history", json!({"client": 1, "kind": []})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(HISTORY_KINDS.len(), 14);
}

#[cfg(feature = "storage")]
mod file {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("cb-history-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_base_file_adds_consent_contact_and_stage_changes_and_undone_merges() {
        let dir = scratch("file");
        let path = dir.join("base.cb");
        let mut base = ClientBase::create(&path, Schema::new()).unwrap();
        let (anna, other) = change_things(&mut base);
        drop(base);
        let base = ClientBase::open(&path).unwrap();
        the_log_tells_the_changes(&base, anna, other);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A base in memory that keeps a change log tells the same history.
    #[test]
    fn a_base_in_memory_with_a_change_log_adds_the_same() {
        let mut base = ClientBase::new(Schema::new());
        base.keep_change_log(10_000).unwrap();
        let (anna, other) = change_things(&mut base);
        the_log_tells_the_changes(&base, anna, other);
        // Without the log those changes are not known.
        let mut plain = ClientBase::new(Schema::new());
        let (anna, _) = change_things(&mut plain);
        let got = kinds(&history(&plain, anna));
        assert!(!got.contains(&"contact_added".to_string()), "{got:?}");
        assert!(!got.contains(&"merge_undone".to_string()), "{got:?}");
    }

    /// Anna's consent, contact, lifecycle and deal-stage changes, and a merge
    /// of another record into her, undone: her id and the other's.
    fn change_things(base: &mut ClientBase) -> (ClientId, ClientId) {
        base.set_actor(Some("Оля"));
        base.freeze_clock(Some(at("2024-01-10T09:00:00Z")));
        let mut anna = Client::person("Иванова", "Анна", None).with_phone("8 916 123-45-67");
        anna.consents
            .marketing
            .insert(Channel::Sms, Consent::given(day("2024-01-10")));
        let anna = base.add_client(anna).unwrap();

        base.set_actor(Some("Петя"));
        base.freeze_clock(Some(at("2024-02-01T10:00:00Z")));
        let mut changed = base.client(anna).unwrap().clone();
        changed.emails.push(clientbase::Email::raw("anna@mail.ru"));
        changed
            .consents
            .marketing
            .insert(Channel::Sms, Consent::withdrawn(day("2024-02-01")));
        changed.stage = clientbase::LifecycleStage::Customer;
        base.update_client(changed).unwrap();

        base.freeze_clock(Some(at("2024-02-02T10:00:00Z")));
        let deal = base.add_deal(Deal::new(anna, rub("1 000"))).unwrap();
        base.freeze_clock(Some(at("2024-02-03T10:00:00Z")));
        let mut moved = base.deal(deal).unwrap().clone();
        moved.stage = "Переговоры".into();
        base.update_deal(moved).unwrap();

        base.freeze_clock(Some(at("2024-03-01T10:00:00Z")));
        let other = base
            .add_client(Client::person("Иванова", "Анна", None).with_phone("+79030000001"))
            .unwrap();
        base.set_actor(Some("Директор"));
        base.freeze_clock(Some(at("2024-03-02T10:00:00Z")));
        let record = base
            .merge_clients(anna, &[other], &MergeRules::default())
            .unwrap();
        base.freeze_clock(Some(at("2024-03-03T10:00:00Z")));
        base.undo_merge(&record).unwrap();
        (anna, other)
    }

    fn the_log_tells_the_changes(base: &ClientBase, anna: ClientId, other: ClientId) {
        let table = history(base, anna);
        let got = rows(&table);
        let has = |kind: &str, what: &str| {
            got.iter()
                .any(|r| r.1 == kind && r.2 == what && r.4 == "change_log")
        };
        assert!(has("consent_given", "consent sms"), "{got:#?}");
        assert!(has("consent_withdrawn", "consent sms"), "{got:#?}");
        assert!(has("contact_added", "email anna@mail.ru"), "{got:#?}");
        assert!(has("stage_changed", "lifecycle stage"), "{got:#?}");
        assert!(has("deal_stage", "deal 1"), "{got:#?}");
        assert!(has("merge", "merge into client 1"), "{got:#?}");
        assert!(has("merge_undone", "merge into client 1"), "{got:#?}");
        // The merge brought the other record's phone; the undo took it away.
        assert!(has("contact_added", "phone +79030000001"), "{got:#?}");
        assert!(has("contact_removed", "phone +79030000001"), "{got:#?}");
        // Each consent once, though the client holds the withdrawal too.
        let consents = got.iter().filter(|r| r.1.starts_with("consent_")).count();
        assert_eq!(consents, 2, "{got:#?}");
        // Who did it.
        let actor = table.column("actor").unwrap();
        let kind = table.column("kind").unwrap();
        let actor_of = |k: &str| {
            (0..table.rows())
                .find(|&i| kind.value(i) == Value::Text(k))
                .map(|i| actor.value(i))
        };
        assert_eq!(actor_of("contact_added"), Some(Value::Text("Петя")));
        assert_eq!(actor_of("consent_withdrawn"), Some(Value::Text("Петя")));
        assert_eq!(actor_of("client_added"), Some(Value::Text("Оля")));
        assert_eq!(actor_of("merge_undone"), Some(Value::Text("Директор")));
        // In time order.
        let times: Vec<&String> = got.iter().map(|r| &r.0).collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted);

        // The undone merge's other record is there again with its own history.
        let theirs = kinds(&history(base, other));
        assert!(theirs.contains(&"client_added".to_string()), "{theirs:?}");
        assert!(theirs.contains(&"merge".to_string()), "{theirs:?}");
    }

    #[test]
    fn a_removed_client_is_an_error_saying_when_and_by_whom() {
        let dir = scratch("removed");
        let path = dir.join("base.cb");
        let mut base = ClientBase::create(&path, Schema::new()).unwrap();
        base.set_actor(Some("Оля"));
        let id = base
            .add_client(Client::person("Петров", "Пётр", None))
            .unwrap();
        base.remove_client(id).unwrap();
        let err = client_history(
            &base,
            &HistoryParams {
                client: id,
                ..HistoryParams::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownId);
        assert!(err.to_string().contains("was removed on"), "{err}");
        assert!(err.to_string().contains("by Оля"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

mod params {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            any::<String>().prop_map(serde_json::Value::from),
            "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]".prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            Just(serde_json::Value::Null),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Params are user input: any client, period and kinds give a
        /// history or an error naming a field, never a panic; a history
        /// is in time order and holds only the kinds asked for.
        #[test]
        fn any_params_give_a_history_or_a_named_error(
            client in prop_oneof![0u64..6, any::<u64>()],
            from in text(),
            to in text(),
            kinds in proptest::option::of(proptest::collection::vec(
                prop_oneof![proptest::sample::select(HISTORY_KINDS.to_vec()).prop_map(String::from), any::<String>()],
                0..4,
            )),
        ) {
            let (base, _, _) = memory_base();
            let params = json!({"client": client, "from": from, "to": to, "kinds": kinds});
            match call_read(&base, "client_history", params) {
                Ok(Output::Table(table)) => {
                    let got = rows(&table);
                    let mut sorted = got.clone();
                    sorted.sort_by(|a, b| a.0.cmp(&b.0));
                    prop_assert_eq!(got.iter().map(|r| &r.0).collect::<Vec<_>>(), sorted.iter().map(|r| &r.0).collect::<Vec<_>>());
                    if let Some(kinds) = &kinds {
                        prop_assert!(got.iter().all(|r| kinds.contains(&r.1)));
                    }
                }
                Ok(other) => prop_assert!(false, "not a table: {other:?}"),
                Err(err) => prop_assert!(err.field().is_some() || err.kind() == ErrorKind::Json, "{err}"),
            }
        }
    }
}
