//! Segments at scale: a 10-condition rule with two aggregates over the deals
//! (a sum of won deals in a window, the months with a purchase of a
//! category) over a base of synthetic clients and deal lines, compiled once
//! and evaluated in parallel; the best of three runs is printed with the load
//! average. Printed apart: the columnar snapshot's build time and size, the
//! first evaluation (on the records) and the second (which builds the
//! snapshot), evaluations over the kept snapshot, and the record
//! interpreter on the same rule.
//!
//! ```sh
//! cargo bench -p clientbase-benches --bench segment
//! CLIENTBASE_SEGMENT_CLIENTS=100000 cargo bench -p clientbase-benches --bench segment
//! ```
//!
//! Sizes: `CLIENTBASE_SEGMENT_CLIENTS` (default 1,000,000), about ten product
//! lines per client (three won deals of three to four lines, and an open
//! deal).
//!
//! The same filter in polars (lazy) runs on the same data in the same run
//! (`benches/peers/segment_peer.py`, with `CLIENTBASE_PEER_PYTHON`, default
//! `python3`); the ratio and both counts are printed.

use chrono::NaiveDate;
use clientbase::columns::Columns;
use clientbase::segment::{compile, Options, Rule};
use clientbase::{Channel, ClientBase, DealStatus, Temperature};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;
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
    // The first evaluation after a write runs on the records; the second
    // builds the base's columnar snapshot and keeps it.
    let started = Instant::now();
    let first = compiled.evaluate(&base).unwrap();
    let cold = started.elapsed();
    let started = Instant::now();
    compiled.evaluate(&base).unwrap();
    let second = started.elapsed();
    let build_time = best_of(3, || {
        Columns::build(&base);
    });
    let columns = Columns::of(&base);
    println!(
        "  snapshot: built in {:.1} ms (best of 3), {:.0} MB; first evaluate (records) {:.1} ms, second (builds the snapshot) {:.1} ms; load average {}",
        build_time.as_secs_f64() * 1e3,
        columns.heap_bytes() as f64 / 1e6,
        cold.as_secs_f64() * 1e3,
        second.as_secs_f64() * 1e3,
        load_average()
    );
    let mut by_records = 0;
    let records = best_of(3, || {
        by_records = compiled.evaluate_records(&base).unwrap().len()
    });
    let evaluate = best_of(3, || matched = compiled.evaluate(&base).unwrap().len());
    assert_eq!(matched, first.len());
    assert_eq!(matched, by_records, "the columns and the records disagree");
    println!(
        "  compile {:.3} ms, evaluate {:.1} ms over the kept snapshot (best of 3), record interpreter {:.1} ms, {matched} clients match; load average {}",
        compile_time.as_secs_f64() * 1e3,
        evaluate.as_secs_f64() * 1e3,
        records.as_secs_f64() * 1e3,
        load_average()
    );
    let ids = compiled.evaluate(&base).unwrap();
    let id_sum: u64 = ids.iter().map(|id| id.get()).sum();
    let dir = std::env::temp_dir().join(format!("clientbase-segment-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    write_csv(&base, &dir);
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/segment_peer.py");
    let out = Command::new(&python)
        .arg(&script)
        .args(["--dir", &dir.to_string_lossy(), "--as-of", "2026-09-01"])
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(out) if out.status.success() => {
            let json: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("the peer's JSON line");
            let seconds = json["seconds"].as_f64().unwrap_or(f64::NAN);
            println!(
                "  polars {} (lazy, same rule, frames in memory): {:.1} ms, {} clients match (ids sum {} vs {id_sum}); clientbase is {:.2}x polars; load average {}",
                json["version"].as_str().unwrap_or("?"),
                seconds * 1e3,
                json["matched"],
                json["ids"],
                seconds / evaluate.as_secs_f64(),
                load_average()
            );
            assert_eq!(
                json["matched"].as_u64(),
                Some(ids.len() as u64),
                "polars and clientbase disagree"
            );
            assert_eq!(
                json["ids"].as_u64(),
                Some(id_sum),
                "polars and clientbase disagree"
            );
        }
        Ok(out) if out.status.code() == Some(3) => {
            println!("  polars: not installed in {python} (pip install polars); skipped");
        }
        Ok(out) => println!(
            "  polars: failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(err) => println!("  polars: could not start {python}: {err}"),
    }
}

/// The base as the polars peer reads it: clients with the fields the rule
/// uses, won deals' amounts and lines' categories with their UTC dates.
fn write_csv(base: &ClientBase, dir: &Path) {
    let file = |name: &str| std::io::BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    let mut clients = file("clients.csv");
    writeln!(
        clients,
        "client,city,stage,temperature,loyalty,vip,sms,email,created"
    )
    .unwrap();
    for c in base.clients() {
        let temperature = c
            .temperature
            .and_then(|t| Temperature::ALL.iter().position(|x| *x == t))
            .map_or(String::new(), |i| i.to_string());
        writeln!(
            clients,
            "{},{},{},{},{},{},{},{},{}",
            c.id.get(),
            c.city.as_deref().unwrap_or(""),
            c.stage.name(),
            temperature,
            c.loyalty_percent.map_or(String::new(), |l| l.to_string()),
            c.tags.contains("vip"),
            c.consents.allows(Channel::Sms),
            c.emails.iter().any(|e| !e.raw.trim().is_empty()),
            c.created_at
                .map_or(String::new(), |t| t.date_naive().to_string()),
        )
        .unwrap();
    }
    clients.flush().unwrap();
    let mut purchases = file("purchases.csv");
    let mut lines = file("lines.csv");
    writeln!(purchases, "client,date,amount").unwrap();
    writeln!(lines, "client,date,category").unwrap();
    for d in base.deals().filter(|d| d.status == DealStatus::Won) {
        let Some(day) = d.closed_at.map(|t| t.date_naive()) else {
            continue;
        };
        writeln!(purchases, "{},{day},{}", d.client.get(), d.amount.minor()).unwrap();
        for line in &d.lines {
            writeln!(
                lines,
                "{},{day},{}",
                d.client.get(),
                line.category.as_deref().unwrap_or("")
            )
            .unwrap();
        }
    }
    purchases.flush().unwrap();
    lines.flush().unwrap();
}
