//! Sales analytics at scale: revenue, deals, won rate, average deal and the
//! sales cycle by manager, category, city, month, client and source over a
//! period, on 10M deal lines (about 3M deals of about 1M clients, a seeded
//! synthetic table), against polars (lazy API) computing the same table on
//! the same lines in the same run.
//!
//! ```sh
//! CLIENTBASE_PEER_PYTHON=/tmp/venv-value/bin/python cargo bench -p clientbase-benches --bench analytics
//! ```
//!
//! Size: `CLIENTBASE_ANALYTICS_LINES` (default 10,000,000). The peer runs
//! through `benches/peers/analytics_peer.py`; when polars is not installed
//! it is skipped with a note. Printed per slice: the best of three
//! wall-clock times, polars' time, their ratio, and whether the two tables
//! agree (rows, revenue, deals, won and the sum of squared deal counts).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::NaiveDate;
use clientbase::analytics::{sales_analytics, AnalyticsParams, By};
use clientbase::capability::Rows;
use clientbase::table::{date_to_days, days_to_date, ColumnData, TextValues, Value};
use clientbase::{Column, Table};

mod common;
use common::load_average;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// splitmix64: a seeded stream, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `lines` deal lines: 1 to 5 lines per deal; 60 % won, 25 % lost, 15 %
/// open; 40 managers, 300 cities, 120 categories; created over three years,
/// closed 0-90 days later; amounts 100.00 to 100 000.00.
fn deal_lines(lines: usize) -> Table {
    let mut rng = Rng(42);
    let start = date_to_days(NaiveDate::from_ymd_opt(2022, 1, 1).unwrap());
    let managers: Vec<String> = (0..40).map(|i| format!("Менеджер {i:02}")).collect();
    let cities: Vec<String> = (0..300).map(|i| format!("Город {i:03}")).collect();
    let categories: Vec<String> = (0..120).map(|i| format!("Категория {i:03}")).collect();
    let sources = [
        "сайт",
        "звонок",
        "рекомендация",
        "выставка",
        "реклама",
        "рассылка",
        "соцсети",
        "партнёр",
    ];
    // About three deals per client.
    let clients = (lines / 9).max(1) as u64;
    let mut client = Vec::with_capacity(lines);
    let mut source = TextValues::with_capacity(lines, lines * 16);
    let mut deal = Vec::with_capacity(lines);
    let mut status = TextValues::with_capacity(lines, lines * 4);
    let mut amount = Vec::with_capacity(lines);
    let mut created = Vec::with_capacity(lines);
    let mut closed = Vec::with_capacity(lines);
    let mut manager = TextValues::with_capacity(lines, lines * 22);
    let mut city = TextValues::with_capacity(lines, lines * 16);
    let mut category = TextValues::with_capacity(lines, lines * 24);
    let mut id = 0i64;
    while deal.len() < lines {
        id += 1;
        let n = 1 + rng.below(5) as usize;
        let s = match rng.below(20) {
            0..=11 => "won",
            12..=16 => "lost",
            _ => "open",
        };
        let c = start + rng.below(1095) as i32;
        let cl = (s != "open").then(|| c + rng.below(91) as i32);
        let m = &managers[rng.below(40) as usize];
        let ci = &cities[rng.below(300) as usize];
        let cl_id = 1 + rng.below(clients) as i64;
        let so = sources[rng.below(sources.len() as u64) as usize];
        for _ in 0..n.min(lines - deal.len()) {
            deal.push(Some(id));
            status.push(s);
            amount.push(Some(i128::from(10_000 + rng.below(9_990_001) as i64)));
            created.push(days_to_date(c));
            closed.push(cl.and_then(days_to_date));
            manager.push(m);
            city.push(ci);
            category.push(&categories[rng.below(120) as usize]);
            client.push(Some(cl_id));
            source.push(so);
        }
    }
    let text = |name: &str, values: TextValues| {
        Column::new(name, ColumnData::Text(values), None).expect("a text column")
    };
    Table::new(vec![
        Column::from_int64s("deal", deal),
        text("status", status),
        Column::from_decimals("amount", 2, amount),
        Column::from_dates("created", created),
        Column::from_dates("closed", closed),
        text("manager", manager),
        text("city", city),
        text("category", category),
        Column::from_int64s("client", client),
        text("source", source),
    ])
    .expect("the line table")
}

/// The lines as the peer reads them: amounts in kopecks (integers).
fn write_peer_csv(table: &Table, path: &Path) {
    let col = |n: &str| table.column(n).expect("a column");
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create the peer CSV"));
    writeln!(
        out,
        "deal,status,amount,created,closed,manager,city,category,client,source"
    )
    .unwrap();
    for i in 0..table.rows() {
        let text = |n: &str| match col(n).value(i) {
            Value::Text(t) => t.to_string(),
            Value::Int64(v) => v.to_string(),
            Value::Decimal { value, .. } => value.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Null => String::new(),
            other => panic!("{n}: {other:?}"),
        };
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            text("deal"),
            text("status"),
            text("amount"),
            text("created"),
            text("closed"),
            text("manager"),
            text("city"),
            text("category"),
            text("client"),
            text("source")
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// Rows, revenue (kopecks), deals, won, sum of squared deal counts.
fn sums(table: &Table) -> (u64, i128, i64, i64, i64) {
    let ints = |n: &str| -> Vec<i64> {
        table
            .column(n)
            .expect("a column")
            .values()
            .map(|v| match v {
                Value::Int64(i) => i,
                other => panic!("{n}: {other:?}"),
            })
            .collect()
    };
    let revenue: i128 = table
        .column("revenue")
        .expect("revenue")
        .values()
        .map(|v| match v {
            Value::Decimal { value, .. } => value,
            other => panic!("revenue: {other:?}"),
        })
        .sum();
    let deals = ints("deals");
    (
        table.rows() as u64,
        revenue,
        deals.iter().sum(),
        ints("won").iter().sum(),
        deals.iter().map(|d| d * d).sum(),
    )
}

fn main() {
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with("--") && !"analytics".contains(a.as_str()))
    {
        return;
    }
    let lines = env_usize("CLIENTBASE_ANALYTICS_LINES", 10_000_000);
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    println!(
        "analytics: {lines} deal lines; load average {}",
        load_average()
    );
    let start = Instant::now();
    let table = deal_lines(lines);
    println!("  generated in {:.1} s", start.elapsed().as_secs_f64());
    let (from, to) = ("2022-07-01", "2024-06-30");
    // `CLIENTBASE_ANALYTICS_BY=client` (names, comma-separated) times only those.
    let only = std::env::var("CLIENTBASE_ANALYTICS_BY").unwrap_or_default();
    let slices: Vec<By> = [
        By::Manager,
        By::Category,
        By::City,
        By::Month,
        By::Client,
        By::Source,
    ]
    .into_iter()
    .filter(|by| only.is_empty() || only.split(',').any(|n| n.trim() == by.name()))
    .collect();
    let mut ours = Vec::new();
    for by in slices {
        let params = AnalyticsParams {
            by,
            from: Some(from.parse().unwrap()),
            to: Some(to.parse().unwrap()),
            ..AnalyticsParams::default()
        };
        let mut best = f64::INFINITY;
        let mut result = None;
        for _ in 0..3 {
            drop(result.take());
            let t = Instant::now();
            let out = sales_analytics(Rows::Table(&table), &params).expect("sales analytics");
            best = best.min(t.elapsed().as_secs_f64());
            result = Some(out);
        }
        let result = result.expect("ran three times");
        ours.push((by, best, sums(&result)));
    }
    println!("  load average after clientbase: {}", load_average());

    let dir: PathBuf = std::env::temp_dir().join("clientbase-analytics-bench");
    std::fs::create_dir_all(&dir).expect("bench directory");
    let csv = dir.join(format!("lines-v2-{lines}.csv"));
    if !csv.exists() {
        write_peer_csv(&table, &csv);
    }
    drop(table);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/analytics_peer.py");
    let out = Command::new(&python)
        .arg(&script)
        .args([
            "--lines",
            &csv.to_string_lossy(),
            "--from",
            from,
            "--to",
            to,
        ])
        .output();
    let peer: Option<serde_json::Value> = match out {
        Ok(out) if out.status.code() == Some(3) => {
            println!("  polars: not installed in {python}; skipped");
            None
        }
        Ok(out) if out.status.success() => {
            serde_json::from_slice(String::from_utf8_lossy(&out.stdout).trim().as_bytes()).ok()
        }
        Ok(out) => {
            println!(
                "  polars: failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            None
        }
        Err(err) => {
            println!("  polars: could not start {python}: {err}");
            None
        }
    };
    let version = peer
        .as_ref()
        .and_then(|p| p["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "-".into());
    println!(
        "  {:<10} {:>6} {:>14} {:>12} {:>9}  agrees",
        "by",
        "rows",
        "clientbase s",
        format!("polars {version} s"),
        "ratio"
    );
    for (by, secs, ours) in ours {
        let theirs = peer.as_ref().map(|p| &p[by.name()]);
        let (polars_s, agrees) = match theirs {
            Some(t) if t.is_object() => {
                let agrees = t["rows"].as_u64() == Some(ours.0)
                    && t["revenue"].as_i64().map(i128::from) == Some(ours.1)
                    && t["deals"].as_i64() == Some(ours.2)
                    && t["won"].as_i64() == Some(ours.3)
                    && t["deals_sq"].as_i64() == Some(ours.4);
                (
                    t["s"].as_f64().unwrap_or(f64::NAN),
                    if agrees { "yes" } else { "NO" },
                )
            }
            _ => (f64::NAN, "-"),
        };
        println!(
            "  {:<10} {:>6} {:>14.3} {:>12.3} {:>9.2}  {}",
            by.name(),
            ours.0,
            secs,
            polars_s,
            polars_s / secs,
            agrees
        );
    }
    println!("  (ratio: polars' time over clientbase's; above 1 means clientbase is faster)");
    println!("  load average at the end: {}", load_average());
}
