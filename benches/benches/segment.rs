//! Segments at scale: a 10-condition rule with two aggregates over the deals
//! (a sum of won deals in a window, the months with a purchase of a
//! category) over a base of synthetic clients and deal lines, compiled once
//! and evaluated in parallel; the best of three runs is printed with the load
//! average.
//!
//! ```sh
//! cargo bench -p clientbase-benches --bench segment
//! CLIENTBASE_SEGMENT_CLIENTS=100000 cargo bench -p clientbase-benches --bench segment
//! ```
//!
//! Sizes: `CLIENTBASE_SEGMENT_CLIENTS` (default 1,000,000), about ten product
//! lines per client (three won deals of three to four lines, and an open
//! deal). The issue's comparison with the same filter in polars (lazy) is
//! not written yet.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clientbase::segment::{compile, Options, Rule};
use clientbase::{
    Channel, Client, ClientBase, Consent, Currency, Deal, DealStatus, LifecycleStage, Money,
    ProductLine, Quantity, Schema, Temperature,
};
use std::collections::BTreeMap;
use std::time::Instant;

mod common;
use common::{best_of, load_average};

const RULE: &str = r#"stage in (customer, loyal) and city in ("Москва", "Казань", "Пермь")
  and consent sms and not has email and loyalty_percent >= 5 and temperature >= warm
  and created more than 90 days ago and has tag vip
  and sum(purchases where date within last 24 months) > 50000
  and months(lines where category = "Книги" and date within last 12 months) >= 3"#;

/// A small deterministic generator, so that every run measures the same base.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn build(clients: usize) -> ClientBase {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    let mut base = ClientBase::new(schema);
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()));
    let mut rng = Lcg(7);
    let cities = ["Москва", "Казань", "Пермь", "Тула", "Омск", "Самара"];
    let categories = ["Книги", "Игрушки", "Канцтовары", "Подарки"];
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
    let rub = |minor: i64| Money::from_minor(minor, Currency::RUB);
    for i in 0..clients {
        let mut client = Client {
            city: Some(cities[rng.next(6) as usize].to_string()),
            stage: [
                LifecycleStage::Lead,
                LifecycleStage::Customer,
                LifecycleStage::Loyal,
            ][rng.next(3) as usize],
            temperature: Some(Temperature::ALL[rng.next(3) as usize]),
            loyalty_percent: Some(rng.next(20) as u8),
            ..Client::person("Клиент", &format!("№{i}"), None)
        };
        if rng.next(2) == 0 {
            client = client.with_tag("vip");
        }
        if rng.next(3) > 0 {
            client = client.with_consent(
                Channel::Sms,
                Consent::given(NaiveDate::from_ymd_opt(2023, 5, 1).unwrap()),
            );
        }
        if rng.next(4) == 0 {
            client = client.with_email("client@example.ru");
        }
        let id = base.add_client(client).unwrap();
        for _ in 0..3 {
            let closed = start + Duration::days(rng.next(1000) as i64);
            let mut deal = Deal {
                status: DealStatus::Won,
                closed_at: Some(closed),
                ..Deal::new(id, rub(0))
            };
            let mut total = 0;
            for _ in 0..3 + rng.next(2) {
                let price = 50_000 + rng.next(2_000_000) as i64;
                total += price;
                deal = deal.with_line(
                    ProductLine::new("товар", Quantity::units(1), rub(price))
                        .with_category(categories[rng.next(4) as usize]),
                );
            }
            deal.amount = rub(total);
            base.add_deal(deal).unwrap();
        }
        base.add_deal(Deal::new(id, rub(100_000))).unwrap();
    }
    base
}

fn main() {
    let clients: usize = std::env::var("CLIENTBASE_SEGMENT_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let base = build(clients);
    let lines: usize = base.deals().map(|d| d.lines.len().max(1)).sum();
    println!(
        "segment: {clients} clients, {} deals, {lines} deal lines (built in {:.1} s)",
        base.deals().len(),
        started.elapsed().as_secs_f64()
    );
    let rule = Rule::parse(RULE).unwrap();
    let options = Options::new(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap());
    let none = BTreeMap::new();
    let mut matched = 0;
    let compile_time = best_of(3, || {
        compile(&base, &rule, &options, &none).unwrap();
    });
    let compiled = compile(&base, &rule, &options, &none).unwrap();
    let evaluate = best_of(3, || matched = compiled.evaluate(&base).unwrap().len());
    println!(
        "  compile {:.3} ms, evaluate {:.1} ms (best of 3), {matched} clients match; load average {}",
        compile_time.as_secs_f64() * 1e3,
        evaluate.as_secs_f64() * 1e3,
        load_average()
    );
}
