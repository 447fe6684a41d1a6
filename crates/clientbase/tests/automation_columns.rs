//! The actions due over the base's columnar snapshot are the actions due
//! walking the records, exactly: the same rows in the same order (keys,
//! reasons, managers, dates), on random generated bases with random rules
//! (every kind, conditions, stages and pipelines written in other cases,
//! messages to clients), days, time zones and keys already done; and the
//! index of done keys a base keeps after `add_due_tasks` gives what reading
//! every activity again gives.
#![cfg(feature = "generator")]

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use clientbase::automation::{
    add_due_tasks, due, due_on_columns, due_on_records, AutomationRule, AutomationRules,
    ContactNeeded, DueParams, RuleKind,
};
use clientbase::columns::Columns;
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::table::{Table, Value};
use clientbase::{
    Activity, ActivityKind, ClientBase, Currency, Deal, DealStatus, Money, ProductLine, Quantity,
    Recurrence,
};
use proptest::prelude::*;
use serde_json::json;

const CONDITIONS: &[&str] = &[
    "stage = customer",
    "has email",
    "not has phone",
    "kind = company",
    "purchases > 0",
];

const ZONES: &[&str] = &["UTC", "+03:00", "-07:00", "Asia/Kamchatka"];

fn noon(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
}

/// A generated base, with what the generator rarely makes added from
/// `codes`: birthdays on 29 February and around the day, no phone or no
/// email, recurring deals, won deals without lines or with a blank
/// product, deals created late in the evening (another day in a zone east
/// of UTC).
fn base(seed: u64, size: usize, codes: &[u8], today: NaiveDate) -> ClientBase {
    let mut config = GeneratorConfig::new(size, seed);
    config.activities_per_client = 0.0;
    config.today = today;
    let mut base = generate(&config).unwrap().base;
    if codes.is_empty() {
        return base;
    }
    let rub = |minor: i64| Money::from_minor(minor, Currency::RUB);
    let clients: Vec<_> = base.clients().cloned().collect();
    for (i, mut client) in clients.into_iter().enumerate() {
        let code = codes[i % codes.len()];
        let day = |n: u64| today - Days::new(n);
        match code % 9 {
            0 => client.birthday = NaiveDate::from_ymd_opt(1984, 2, 29),
            1 => client.birthday = Some(day(u64::from(code % 11)) - Days::new(365 * 30)),
            2 => client.phones.clear(),
            3 => client.emails.clear(),
            _ => {}
        }
        let id = client.id;
        base.update_client(client).unwrap();
        match code / 9 % 7 {
            0 => {
                let won = code.is_multiple_of(2);
                base.add_deal(Deal {
                    status: if won {
                        DealStatus::Won
                    } else {
                        DealStatus::Open
                    },
                    created_at: Some(noon(day(300 + u64::from(code)))),
                    closed_at: won.then(|| noon(day(u64::from(code)))),
                    recurrence: Some(Recurrence::monthly_on(1 + code % 31)),
                    ..Deal::new(id, rub(150_000))
                })
                .unwrap();
            }
            1 => {
                for k in 0..3u64 {
                    let product = if code.is_multiple_of(2) {
                        "Фильтр"
                    } else {
                        "Вода 19 л"
                    };
                    let deal = Deal {
                        status: DealStatus::Won,
                        closed_at: Some(noon(day(k * 30 + u64::from(code % 20)))),
                        ..Deal::new(id, rub(100_000))
                    };
                    let deal = if code.is_multiple_of(3) {
                        deal
                    } else {
                        deal.with_line(ProductLine::new(product, Quantity::units(1), rub(100_000)))
                    };
                    base.add_deal(deal).unwrap();
                }
            }
            2 => {
                let late = Utc
                    .from_utc_datetime(&day(u64::from(code % 60)).and_hms_opt(23, 30, 0).unwrap());
                base.add_deal(Deal {
                    pipeline: "Sales".into(),
                    stage: " Offer ".into(),
                    created_at: Some(late),
                    ..Deal::new(id, rub(100_000))
                })
                .unwrap();
            }
            _ => {}
        }
    }
    base
}

/// A rule of each kind from `pick`, with a condition, a stage or a
/// pipeline, a message to the client or a text now and then.
fn rule(n: usize, pick: u8, stages: &[String]) -> AutomationRule {
    let kinds = [
        RuleKind::NextPurchase,
        RuleKind::Recurring,
        RuleKind::Birthday,
        RuleKind::StuckInStage,
        RuleKind::MissingContact,
        RuleKind::StageEntered,
    ];
    let kind = kinds[usize::from(pick) % kinds.len()];
    let mut rule = AutomationRule::new(&format!("r{n}"), kind);
    let more = pick / 6;
    if more.is_multiple_of(3) {
        rule.when = Some(json!(CONDITIONS[usize::from(more / 3) % CONDITIONS.len()]));
    }
    if matches!(
        kind,
        RuleKind::NextPurchase | RuleKind::Recurring | RuleKind::Birthday
    ) {
        if more.is_multiple_of(2) {
            rule.lead_days = Some(u32::from(more % 9));
        }
        if more.is_multiple_of(5) {
            rule.catch_up_days = Some(u32::from(more % 40));
        }
    }
    let stage = |k: u8| -> String {
        let stage = &stages[usize::from(k) % stages.len()];
        if k.is_multiple_of(2) {
            format!(" {} ", stage.to_uppercase())
        } else {
            stage.clone()
        }
    };
    match kind {
        RuleKind::StuckInStage => {
            rule.max_days = Some(u32::from(more % 50));
            if more % 2 == 1 {
                rule.stage = Some(stage(more));
            }
            if more % 4 == 1 {
                rule.pipeline = Some(if more % 8 == 1 { "sales" } else { "SALES" }.into());
            }
        }
        RuleKind::StageEntered => {
            rule.stage = Some(stage(more));
            if more.is_multiple_of(2) {
                rule.catch_up_days = Some(u32::from(more % 30));
            }
        }
        RuleKind::MissingContact => {
            rule.contact = Some(if more.is_multiple_of(2) {
                ContactNeeded::Phone
            } else {
                ContactNeeded::Email
            });
        }
        _ => {}
    }
    if more % 7 == 3 {
        rule.action = clientbase::automation::ActionKind::NotifyClient;
        rule.text = Some("Здравствуйте! {{ reason }}".into());
    } else if more % 7 == 5 {
        rule.due_in_days = u32::from(more % 4);
    }
    rule
}

fn keys(table: &Table) -> Vec<String> {
    let column = table.column("key").unwrap();
    (0..table.rows())
        .map(|i| match column.value(i) {
            Value::Text(key) => key.to_string(),
            other => panic!("key {other:?}"),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_snapshot_gives_the_records_actions(
        seed in 0u64..1_000,
        size in 20usize..160,
        codes in prop::collection::vec(any::<u8>(), 0..40),
        picks in prop::collection::vec(any::<u8>(), 1..7),
        offset in 0u64..400,
        zone in 0usize..ZONES.len(),
        done_every in 0usize..6,
    ) {
        let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let base = base(seed, size, &codes, today);
        let mut stages: Vec<String> = base.deals().map(|d| d.stage.trim().to_lowercase()).collect();
        stages.sort();
        stages.dedup();
        let rules = AutomationRules {
            version: 1,
            rules: picks.iter().enumerate().map(|(n, &p)| rule(n, p, &stages)).collect(),
        };
        let mut params = DueParams {
            as_of: Some(today - Days::new(offset)),
            time_zone: ZONES[zone].into(),
            rules: Some(rules),
            ..DueParams::default()
        };
        let records = due_on_records(&base, &params).unwrap();
        let columns = Columns::build(&base);
        prop_assert_eq!(&due_on_columns(&base, &columns, &params).unwrap(), &records);
        // Some keys done: left out the same way on both paths.
        if done_every > 0 && records.rows() > 0 {
            params.done = keys(&records).into_iter().step_by(done_every).collect();
            let records = due_on_records(&base, &params).unwrap();
            prop_assert_eq!(due_on_columns(&base, &columns, &params).unwrap(), records);
        }
    }

    #[test]
    fn the_kept_index_of_done_keys_is_the_activities_keys(
        seed in 0u64..1_000,
        size in 20usize..120,
        first in 0u64..200,
        gap in 1u64..40,
        removed in 0usize..5,
    ) {
        let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let mut base = base(seed, size, &[seed as u8, 7, 20, 41], today);
        let day = today - Days::new(first);
        let params = |day: NaiveDate| DueParams {
            as_of: Some(day),
            ..DueParams::default()
        };
        let added = add_due_tasks(&mut base, &params(day)).unwrap();
        prop_assert_eq!(due(&base, &params(day)).unwrap().rows(), 0);
        // Another write between the days (a done task removed): its action
        // is due again; the index is read again, never stale.
        if removed > 0 && !added.activities.is_empty() {
            let id = added.activities[removed % added.activities.len()];
            base.remove_activity(id).unwrap();
            prop_assert_eq!(due(&base, &params(day)).unwrap().rows(), 1);
        }
        let next = params(day + Days::new(gap));
        let kept = due(&base, &next).unwrap();
        let mut read = base.clone();
        // A write that changes nothing the keys depend on: the copy reads its
        // activities again.
        read.add_activity(Activity::new(base.clients().next().unwrap().id, ActivityKind::Call, noon(day))).unwrap();
        prop_assert_eq!(&due(&read, &next).unwrap(), &kept);
        prop_assert_eq!(&due_on_records(&base, &next).unwrap(), &kept);
        // Recording the next day too: nothing is given a second time.
        add_due_tasks(&mut base, &next).unwrap();
        prop_assert_eq!(due(&base, &next).unwrap().rows(), 0);
        if removed == 0 {
            prop_assert_eq!(due(&base, &params(day)).unwrap().rows(), 0);
        }
    }
}

/// A base kept in a file: the day a deal entered its stage comes from the
/// change log, and both paths read it the same way.
#[cfg(feature = "storage")]
#[test]
fn on_a_base_file_both_paths_read_the_moves_from_the_change_log() {
    let dir = std::env::temp_dir().join(format!("cb-automation-columns-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("base.cbase");
    let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let mut base = base(5, 80, &[3, 12, 30, 64], today);
    base.save_as(&path).unwrap();
    // Moves after the records were added: some deals enter "offer" today.
    base.freeze_clock(Some(noon(today)));
    let open: Vec<Deal> = base
        .deals()
        .filter(|d| d.status == DealStatus::Open)
        .take(10)
        .cloned()
        .collect();
    for mut deal in open {
        deal.stage = "offer".into();
        base.update_deal(deal).unwrap();
    }
    let rules: AutomationRules = AutomationRules::from_json(
        r#"{"version": 1, "rules": [
            {"name": "moved", "kind": "stage_entered", "stage": "offer"},
            {"name": "stuck", "kind": "stuck_in_stage", "max_days": 0}]}"#,
    )
    .unwrap();
    let params = DueParams {
        as_of: Some(today),
        rules: Some(rules),
        ..DueParams::default()
    };
    let records = due_on_records(&base, &params).unwrap();
    assert!(keys(&records).iter().any(|k| k.starts_with("moved/")));
    assert_eq!(
        due_on_columns(&base, &Columns::build(&base), &params).unwrap(),
        records
    );
    base.close().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
