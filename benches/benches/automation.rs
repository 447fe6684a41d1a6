//! The actions due on a day for a 1M-client base: the default rule set
//! (next purchases, recurring deals, birthdays, missing phones and emails,
//! deals stuck 30 days) plus a stage rule and a rule with a `when`
//! condition, on a deterministic synthetic base, each rule alone too; then
//! the day recorded in the base (its keys on the activities) and the next
//! day, which gives only what is new. The load average is printed beside
//! the figures (the machine may be shared).
//!
//! ```sh
//! cargo bench -p clientbase-benches --bench automation
//! CLIENTBASE_AUTOMATION_CLIENTS=100000 cargo bench -p clientbase-benches --bench automation
//! ```
//!
//! Size: `CLIENTBASE_AUTOMATION_CLIENTS` (default 1,000,000). Target: the
//! day's actions of 1M clients under 1 s.

use chrono::{Duration as Days, NaiveDate, TimeZone, Utc};
use clientbase::automation::{
    add_due_tasks, due, due_on_records, AutomationRule, AutomationRules, DueParams, RuleKind,
};
use clientbase::segment::{compile, Options, Rule};
use clientbase::table::Value;
use clientbase::{
    Client, ClientBase, Currency, Deal, DealStatus, Money, ProductLine, Quantity, Recurrence,
    Schema,
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

mod common;
use common::synthetic::Lcg;
use common::{best_of, load_average};

/// `clients` clients: a birthday for most, an owner among ten managers, a
/// phone for nine in ten and an email for one in three; one open deal each
/// in one of four stages, created over the last 90 days; one in five a
/// buyer of a regular product (three to five won deals at a rhythm of 20 to
/// 40 days), one in twenty a monthly recurring delivery.
fn build(clients: usize, today: NaiveDate) -> ClientBase {
    let mut base = ClientBase::new(Schema::new());
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()));
    let mut rng = Lcg(11);
    let rub = |minor: i64| Money::from_minor(minor, Currency::RUB);
    let noon = |day: NaiveDate| Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap());
    let stages = ["new", "offer", "contract", "ready"];
    let products = ["Корм для собак", "Вода 19 л", "Фильтр", "Картридж"];
    for i in 0..clients {
        let mut client = Client {
            owner: Some(format!("manager{}", rng.next(10))),
            ..Client::person("Клиент", &format!("№{i}"), None)
        };
        if rng.next(10) > 0 {
            client.birthday = NaiveDate::from_ymd_opt(
                1950 + rng.next(55) as i32,
                1 + rng.next(12) as u32,
                1 + rng.next(28) as u32,
            );
        }
        if rng.next(10) > 0 {
            client = client.with_phone(&format!("+7 9{:09}", rng.next(1_000_000_000)));
        }
        if rng.next(3) == 0 {
            client = client.with_email(&format!("c{i}@example.ru"));
        }
        let id = base.add_client(client).unwrap();
        base.add_deal(Deal {
            pipeline: "sales".into(),
            stage: stages[rng.next(4) as usize].into(),
            created_at: Some(noon(today - Days::days(rng.next(90) as i64))),
            ..Deal::new(id, rub(100_000))
        })
        .unwrap();
        if rng.next(5) == 0 {
            let every = 20 + rng.next(21) as i64;
            let product = products[rng.next(4) as usize];
            let purchases = 3 + rng.next(3) as i64;
            let mut day = today - Days::days(every * purchases + rng.next(30) as i64);
            for _ in 0..purchases {
                let line = ProductLine::new(product, Quantity::units(1), rub(249_000));
                base.add_deal(Deal {
                    status: DealStatus::Won,
                    created_at: Some(noon(day)),
                    closed_at: Some(noon(day)),
                    ..Deal::new(id, rub(249_000)).with_line(line)
                })
                .unwrap();
                day += Days::days(every);
            }
        }
        if rng.next(20) == 0 {
            base.add_deal(Deal {
                status: DealStatus::Won,
                created_at: Some(noon(today - Days::days(400))),
                closed_at: Some(noon(today - Days::days(rng.next(365) as i64))),
                recurrence: Some(Recurrence::monthly_on(1 + rng.next(31) as u8)),
                ..Deal::new(id, rub(150_000))
            })
            .unwrap();
        }
    }
    base
}

fn rules() -> AutomationRules {
    let mut rules = AutomationRules::default();
    rules.rules.push(AutomationRule {
        stage: Some("ready".into()),
        ..AutomationRule::new("ready", RuleKind::StageEntered)
    });
    rules.rules.push(AutomationRule {
        when: Some("has email".into()),
        lead_days: Some(7),
        ..AutomationRule::new("birthday_week", RuleKind::Birthday)
    });
    rules
}

fn bench(c: &mut Criterion) {
    let clients: usize = std::env::var("CLIENTBASE_AUTOMATION_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let started = Instant::now();
    let base = build(clients, today);
    let counts = base.counts();
    println!(
        "automation: {clients} clients, {} deals built in {:.1} s",
        counts.deals,
        started.elapsed().as_secs_f64()
    );
    let params = DueParams {
        as_of: Some(today),
        rules: Some(rules()),
        ..DueParams::default()
    };
    // The `when` condition's segment, by the columns (the snapshot built
    // once, kept while only activities are written) and by the records.
    let started = Instant::now();
    let columns = clientbase::columns::Columns::of(&base);
    let built = started.elapsed();
    let when = compile(
        &base,
        &Rule::parse("has email").unwrap(),
        &Options::new(today),
        &Default::default(),
    )
    .unwrap();
    let by_columns = best_of(3, || {
        when.evaluate(&base).unwrap();
    });
    let by_records = best_of(3, || {
        when.evaluate_records(&base).unwrap();
    });
    println!(
        "  snapshot built in {:.0} ms ({:.0} MB); `has email` over it {:.1} ms, by the records {:.1} ms (best of 3); load average {}",
        built.as_secs_f64() * 1e3,
        columns.heap_bytes() as f64 / 1e6,
        by_columns.as_secs_f64() * 1e3,
        by_records.as_secs_f64() * 1e3,
        load_average()
    );
    let table = due(&base, &params).unwrap();
    // Over the snapshot and by the records: the same table.
    assert_eq!(table, due_on_records(&base, &params).unwrap());
    let mut by_rule = std::collections::BTreeMap::<String, usize>::new();
    let column = table.column("rule").unwrap();
    for i in 0..table.rows() {
        if let Value::Text(rule) = column.value(i) {
            *by_rule.entry(rule.to_string()).or_default() += 1;
        }
    }
    let cpu = cpu_seconds();
    let time = best_of(5, || {
        due(&base, &params).unwrap();
    });
    let cpu = (cpu_seconds() - cpu) / 5.0;
    println!(
        "  due, {} rules: {} actions {:?}; {:.0} ms (best of 5; {:.0} ms of CPU a run), load average {}",
        params.rules.as_ref().map_or(0, |r| r.rules.len()),
        table.rows(),
        by_rule,
        time.as_secs_f64() * 1e3,
        cpu * 1e3,
        load_average()
    );
    let cpu = cpu_seconds();
    let time = best_of(3, || {
        due_on_records(&base, &params).unwrap();
    });
    let cpu = (cpu_seconds() - cpu) / 3.0;
    println!(
        "  the same by the records (no snapshot): {:.0} ms (best of 3; {:.0} ms of CPU a run), load average {}",
        time.as_secs_f64() * 1e3,
        cpu * 1e3,
        load_average()
    );
    for rule in &rules().rules {
        let one = DueParams {
            rules: Some(AutomationRules {
                version: 1,
                rules: vec![rule.clone()],
            }),
            ..params.clone()
        };
        let time = best_of(3, || {
            due(&base, &one).unwrap();
        });
        println!(
            "    rule {} alone: {:.0} ms (best of 3)",
            rule.name,
            time.as_secs_f64() * 1e3
        );
    }
    // Record the day (every action as a task or a message, its key on it),
    // then the next day: only what is new is given.
    let mut recorded = base.clone();
    let started = Instant::now();
    let added = add_due_tasks(&mut recorded, &params).unwrap();
    println!(
        "  recorded {} tasks and {} messages in {:.1} s",
        added.tasks,
        added.messages,
        started.elapsed().as_secs_f64()
    );
    let next = DueParams {
        as_of: Some(today + Days::days(1)),
        ..params.clone()
    };
    // The first read after the write runs on the records, with the index
    // of done keys that add_due_tasks kept up to date.
    let started = Instant::now();
    let cpu = cpu_seconds();
    let by_records = due(&recorded, &next).unwrap();
    println!(
        "  the next day by the records (first read after the write): {} new actions in {:.0} ms ({:.0} ms of CPU), load average {}",
        by_records.rows(),
        started.elapsed().as_secs_f64() * 1e3,
        (cpu_seconds() - cpu) * 1e3,
        load_average()
    );
    let started = Instant::now();
    let next_day = due(&recorded, &next).unwrap();
    println!(
        "  the next day, second read (builds the snapshot): {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(next_day, by_records);
    assert_eq!(due(&recorded, &params).unwrap().rows(), 0);
    let cpu = cpu_seconds();
    let time = best_of(3, || {
        due(&recorded, &next).unwrap();
    });
    let cpu = (cpu_seconds() - cpu) / 3.0;
    println!(
        "  the next day, {} keys on the base's activities: {} new actions; {:.0} ms (best of 3; {:.0} ms of CPU a run), load average {}",
        added.keys.len(),
        next_day.rows(),
        time.as_secs_f64() * 1e3,
        cpu * 1e3,
        load_average()
    );
    drop(recorded);
    let mut group = c.benchmark_group("automation");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("due, default rules and two more", |b| {
        b.iter(|| due(&base, &params).unwrap())
    });
    group.finish();
}

/// The CPU time of this process so far (user and system, all threads),
/// in seconds, from `/proc/self/stat` (0 where there is none).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

criterion_group!(benches, bench);
criterion_main!(benches);
