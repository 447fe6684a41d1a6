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

use chrono::NaiveDate;
use clientbase::segment::{compile, Options, Rule};
use std::collections::BTreeMap;
use std::time::Instant;

mod common;
use common::synthetic::build;
use common::{best_of, load_average};

const RULE: &str = r#"stage in (customer, loyal) and city in ("Москва", "Казань", "Пермь")
  and consent sms and not has email and loyalty_percent >= 5 and temperature >= warm
  and created more than 90 days ago and has tag vip
  and sum(purchases where date within last 24 months) > 50000
  and months(lines where category = "Книги" and date within last 12 months) >= 3"#;

fn main() {
    let clients: usize = std::env::var("CLIENTBASE_SEGMENT_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let base = build(clients, false);
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
