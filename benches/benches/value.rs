//! Client value at scale: RFM scores and ABC classes of clients on 10M order
//! lines of 1M clients (the project's order generator), against polars (lazy
//! API) and pandas doing the same work on the same lines in the same run, and
//! clientbase from Python on a polars DataFrame (the Arrow path).
//!
//! ```sh
//! CLIENTBASE_PEER_PYTHON=/tmp/venv-value/bin/python cargo bench -p clientbase-benches --bench value
//! ```
//!
//! Sizes: `CLIENTBASE_VALUE_LINES` (default 10,000,000) and
//! `CLIENTBASE_VALUE_CLIENTS` (default 1,000,000). The peers run through
//! `benches/peers/value_peer.py`, one process per tool, so each peak memory is
//! the tool's own; a peer that is not installed is skipped with a note.
//!
//! Printed per tool: the best of three wall-clock times of RFM and of ABC, the
//! peak memory the work added (Rust: heap, counted by the allocator below;
//! peers: resident memory sampled every 2 ms during the work, less what it
//! was before), and
//! whether its scores and classes agree with ours (checksums over every client).
//! Then clientbase from Python against polars, and the resident memory each
//! Python tool (clientbase included) adds when RFM, then ABC, is the first work
//! of a fresh process (polars' allocator told to return freed pages at once):
//! the fair memory comparison, since polars' allocator keeps the memory of
//! earlier runs and of reading the lines, and a later run then seems to add
//! little. Both with the frame as read from CSV (about a hundred chunks, which
//! clientbase joins into one table) and joined into one chunk first.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clientbase::capability::Rows;
use clientbase::generator::{generate_orders, OrderConfig};
use clientbase::table::{days_to_date, ColumnData, Value};
use clientbase::value::{abc, rfm, AbcParams, RfmParams};
use clientbase::Table;

mod common;
use common::load_average;

/// Counts live heap bytes and their peak, for the memory figure.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to the system allocator unchanged; the counters
// are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let out = unsafe { System.realloc(ptr, layout, new_size) };
        if !out.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let live = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        out
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

const MB: f64 = 1024.0 * 1024.0;

/// Runs `work` three times; the best wall-clock seconds, the most heap it
/// added above what was live before, and its last output.
fn measure<T>(mut work: impl FnMut() -> T) -> (f64, f64, T) {
    let mut best = f64::INFINITY;
    let mut added = 0usize;
    let mut out = None;
    for _ in 0..3 {
        drop(out.take());
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let start = Instant::now();
        let result = work();
        best = best.min(start.elapsed().as_secs_f64());
        added = added.max(PEAK.load(Ordering::Relaxed) - before);
        out = Some(result);
    }
    (best, added as f64 / MB, out.expect("ran three times"))
}

/// The same order-independent sums the peer prints.
fn checksums(rfm: &Table, abc: &Table) -> (u64, u64) {
    const MASK: u64 = (1 << 61) - 1;
    let ids = |t: &Table| match t.column("client").map(|c| c.data()) {
        Some(ColumnData::UInt64(ids)) => ids.clone(),
        other => panic!("client column: {other:?}"),
    };
    let ints = |name: &str| match rfm.column(name).map(|c| c.data()) {
        Some(ColumnData::Int64(v)) => v.clone(),
        other => panic!("{name} column: {other:?}"),
    };
    let (clients, r, f, m) = (ids(rfm), ints("r"), ints("f"), ints("m"));
    let mut rfm_sum = 0u64;
    for i in 0..clients.len() {
        let code = (r[i] * 100 + f[i] * 10 + m[i]) as u64;
        rfm_sum = (rfm_sum + clients[i].wrapping_mul(code)) & MASK;
    }
    let abc_clients = ids(abc);
    let class = abc.column("class").expect("class column");
    let mut abc_sum = 0u64;
    for (i, client) in abc_clients.iter().enumerate() {
        let Value::Text(name) = class.value(i) else {
            panic!("class of row {i}")
        };
        let n = u64::from(name.as_bytes()[0] - b'A' + 1);
        abc_sum = (abc_sum + client.wrapping_mul(n)) & MASK;
    }
    (rfm_sum, abc_sum)
}

/// The lines as the peers read them: `client,date,amount` with ISO dates and
/// amounts in kopecks (integers, so that every tool sums exactly).
fn write_peer_csv(table: &Table, path: &Path) {
    let (Some(ColumnData::UInt64(clients)), Some(ColumnData::Date(days))) = (
        table.column("client").map(|c| c.data()),
        table.column("date").map(|c| c.data()),
    ) else {
        panic!("generated orders without client or date")
    };
    let Some(ColumnData::Decimal { values, scale: 2 }) = table.column("amount").map(|c| c.data())
    else {
        panic!("generated orders without kopeck amounts")
    };
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create the peer CSV"));
    writeln!(out, "client,date,amount").unwrap();
    for i in 0..clients.len() {
        let date = days_to_date(days[i]).expect("a generated date");
        writeln!(out, "{},{},{}", clients[i], date, values[i]).unwrap();
    }
    out.flush().unwrap();
}

#[derive(Debug)]
struct Peer {
    rfm_s: f64,
    abc_s: f64,
    added_mb: f64,
    sums: (u64, u64),
    version: String,
}

/// Runs the peer script for `tool` with `extra` arguments; its JSON line, or
/// `None` (with a note printed) when the tool is missing or failed.
fn peer_json(
    python: &str,
    tool: &str,
    csv: &Path,
    as_of: &str,
    extra: &[&str],
) -> Option<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/value_peer.py");
    let mut command = Command::new(python);
    if extra.contains(&"--memory") {
        // polars' allocator (jemalloc) keeps freed pages for a while, so the
        // work could reuse pages freed while the lines were read and seem to
        // add nothing: purged at once here, resident memory is what is in use.
        command.env("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0");
    }
    let out = command
        .arg(&script)
        .args(["--orders", &csv.to_string_lossy(), "--as-of", as_of])
        .args(["--tool", tool])
        .args(extra)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(err) => {
            println!("  {tool}: could not start {python}: {err}");
            return None;
        }
    };
    if out.status.code() == Some(3) {
        println!(
            "  {tool}: not installed in {python} (pip install {}); skipped",
            if tool == "clientbase" {
                "./python polars"
            } else {
                tool
            }
        );
        return None;
    }
    if !out.status.success() {
        println!(
            "  {tool}: failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    let line = String::from_utf8_lossy(&out.stdout);
    Some(serde_json::from_str(line.trim()).expect("the peer's JSON line"))
}

fn run_peer(python: &str, tool: &str, csv: &Path, as_of: &str) -> Option<Peer> {
    let json = peer_json(python, tool, csv, as_of, &[])?;
    let num = |key: &str| json[key].as_f64().unwrap_or(f64::NAN);
    Some(Peer {
        rfm_s: num("rfm_s"),
        abc_s: num("abc_s"),
        added_mb: num("added_mb"),
        sums: (
            json["rfm"].as_u64().unwrap_or(0),
            json["abc"].as_u64().unwrap_or(0),
        ),
        version: json["version"].as_str().unwrap_or("?").to_string(),
    })
}

/// The resident memory RFM and ABC add when each is the first work of a
/// fresh process of `tool` (after loading the lines): the same measure for
/// every Python tool, clientbase included.
fn peer_first_run_mb(
    python: &str,
    tool: &str,
    csv: &Path,
    as_of: &str,
    one_chunk: bool,
) -> Option<(f64, f64)> {
    let mb = |work: &str| {
        let mut args = vec!["--memory", work];
        if one_chunk {
            args.push("--one-chunk");
        }
        peer_json(python, tool, csv, as_of, &args).and_then(|json| json["added_mb"].as_f64())
    };
    Some((mb("rfm")?, mb("abc")?))
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that names another bench skips this one.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with("--") && !"value".contains(a.as_str()))
    {
        return;
    }
    let lines = env_usize("CLIENTBASE_VALUE_LINES", 10_000_000);
    let clients = env_usize("CLIENTBASE_VALUE_CLIENTS", 1_000_000);
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    println!(
        "value: {lines} order lines of {clients} clients; load average {}",
        load_average()
    );

    let start = Instant::now();
    let config = OrderConfig::new(clients, lines, 42);
    let live = LIVE.load(Ordering::Relaxed);
    let orders = generate_orders(&config).expect("generate orders");
    let input_mb = LIVE.load(Ordering::Relaxed).saturating_sub(live) as f64 / MB;
    println!("  generated in {:.1} s", start.elapsed().as_secs_f64());
    let as_of = config.from + chrono::Days::new(config.days as u64);
    let as_of_text = as_of.to_string();

    let rfm_params: RfmParams = serde_json::from_value(serde_json::json!({
        "as_of": as_of_text,
    }))
    .expect("rfm params");
    let abc_params = AbcParams::default();
    let (rfm_s, rfm_mb, rfm_table) =
        measure(|| rfm(Rows::Table(&orders), &rfm_params).expect("rfm"));
    let (abc_s, abc_mb, abc_table) =
        measure(|| abc(Rows::Table(&orders), &abc_params).expect("abc"));
    let ours = checksums(&rfm_table, &abc_table);
    let ours_mb = rfm_mb.max(abc_mb);
    println!(
        "  clientbase (Rust): rfm {rfm_s:.3} s, abc {abc_s:.3} s, added heap {ours_mb:.0} MB \
         (input table {input_mb:.0} MB), {} clients",
        rfm_table.rows()
    );
    drop((rfm_table, abc_table));

    let dir: PathBuf = std::env::temp_dir().join("clientbase-value-bench");
    std::fs::create_dir_all(&dir).expect("bench directory");
    let csv = dir.join(format!("orders-{lines}-{clients}.csv"));
    if !csv.exists() {
        write_peer_csv(&orders, &csv);
    }
    drop(orders);

    println!(
        "  {:<22} {:>9} {:>9} {:>11} {:>10} {:>10}  agrees",
        "tool", "rfm s", "abc s", "added MB", "rfm ratio", "abc ratio"
    );
    println!(
        "  {:<22} {:>9.3} {:>9.3} {:>11.0} {:>10} {:>10}  -",
        "clientbase (Rust)", rfm_s, abc_s, ours_mb, "1.0", "1.0"
    );
    let mut timed: Vec<(&str, Peer)> = Vec::new();
    for tool in ["polars", "pandas", "clientbase"] {
        let Some(peer) = run_peer(&python, tool, &csv, &as_of_text) else {
            continue;
        };
        let name = match tool {
            "clientbase" => "clientbase (Python)".to_string(),
            other => format!("{other} {}", peer.version),
        };
        println!(
            "  {:<22} {:>9.3} {:>9.3} {:>11.0} {:>10.2} {:>10.2}  {}",
            name,
            peer.rfm_s,
            peer.abc_s,
            peer.added_mb,
            peer.rfm_s / rfm_s,
            peer.abc_s / abc_s,
            if peer.sums == ours { "yes" } else { "NO" }
        );
        timed.push((tool, peer));
    }
    let time_of = |tool: &str| timed.iter().find(|(t, _)| *t == tool).map(|(_, p)| p);
    if let (Some(polars), Some(ours_py)) = (time_of("polars"), time_of("clientbase")) {
        println!(
            "  from Python against polars lazy: rfm {:.2}x, abc {:.2}x faster",
            polars.rfm_s / ours_py.rfm_s,
            polars.abc_s / ours_py.abc_s
        );
    }
    println!("  resident memory added by the first run in a fresh process (MB):");
    println!("  {:<22} {:>9} {:>9}  input", "tool", "rfm", "abc");
    for (tool, _) in &timed {
        let name = if *tool == "clientbase" {
            "clientbase (Python)"
        } else {
            *tool
        };
        // A polars frame read from CSV comes in about a hundred chunks, which
        // clientbase joins into one table (a copy); a frame of one chunk is
        // read without a copy. pandas has no chunks.
        for one_chunk in [false, true] {
            if one_chunk && *tool == "pandas" {
                continue;
            }
            let input = match (*tool, one_chunk) {
                ("pandas", _) => "as read",
                (_, false) => "as read (chunked)",
                (_, true) => "one chunk",
            };
            if let Some((rfm_mb, abc_mb)) =
                peer_first_run_mb(&python, tool, &csv, &as_of_text, one_chunk)
            {
                println!("  {name:<22} {rfm_mb:>9.0} {abc_mb:>9.0}  {input}");
            }
        }
    }
    println!(
        "  (ratio: the tool's time over clientbase's in Rust; above 1 means clientbase is faster)"
    );
}
