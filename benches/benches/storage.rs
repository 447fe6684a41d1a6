//! A base kept in a file (issue 18): saving, opening, single writes and a bulk
//! import into a file, against the JSON save of the same base.
//!
//! The base is the project's generator at `CB_BENCH_CLIENTS` clients (default
//! 1 000 000, seed 42). Printed: the JSON save and the base-file save of the
//! generated base (time and size); opening the file (time, and the resident
//! memory it adds); single writes on the opened base (add a client, move a
//! deal's stage; median and 99th percentile of 2 000 each, every one a
//! committed transaction); and the import of the generated clients' CSV into a
//! new base file, into a base in memory, and the JSON save of the imported base.

#[path = "common/mod.rs"]
mod common;

use clientbase::generator::{generate, GeneratorConfig};
use clientbase::{Client, ClientBase, ColumnMapping, CsvOptions, DealId};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// CPU seconds (user, system) the process has used so far, all threads.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which ends with the last `)`).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |at: usize| {
        fields
            .get(at)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 11 and 12 after the
    // name, in clock ticks (100 a second on Linux).
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// Runs `f` and says how much CPU time (user, system) it took.
fn cpu_timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (user, system) = cpu_seconds();
    let out = f();
    let (user_after, system_after) = cpu_seconds();
    (out, user_after - user, system_after - system)
}

fn size_mb(path: &Path) -> f64 {
    let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len())
        + std::fs::metadata(wal).map_or(0, |m| m.len());
    bytes as f64 / 1e6
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

fn percentiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.99))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // `CB_BENCH_OPEN=path`: only open that base file (to profile the open).
    if let Ok(path) = std::env::var("CB_BENCH_OPEN") {
        let before = common::resident_mb();
        let ((opened, open_time), user, system) =
            cpu_timed(|| timed(|| ClientBase::open(&path).unwrap()));
        let added = common::resident_mb() - before;
        let counts = opened.counts();
        println!(
            "base file open       {open_time:>7.2} s  (CPU: user {user:.2} s, system {system:.2} s)  \
             adds {added:.0} MB resident, {} clients ({:.0} bytes per client with its deals), \
             {} deal lines ({:.0} bytes per line)",
            counts.clients,
            added * 1048576.0 / counts.clients.max(1) as f64,
            counts.deal_lines,
            added * 1048576.0 / counts.deal_lines.max(1) as f64
        );
        std::mem::forget(opened);
        return;
    }
    // `CB_BENCH_SKIP=json,json_read,open,import`: steps left out (to fit 1M clients in
    // memory, the open is then measured in a process of its own).
    let skip = std::env::var("CB_BENCH_SKIP").unwrap_or_default();
    let skipped = |step: &str| skip.split(',').any(|s| s.trim() == step);
    let clients: usize = std::env::var("CB_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("cb-bench-storage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "storage bench: {clients} generated clients, load {}",
        common::load_average()
    );

    let (generated, seconds) = timed(|| generate(&GeneratorConfig::new(clients, 42)).unwrap());
    let base = generated.base;
    let counts = base.counts();
    println!(
        "generated {} clients, {} deals ({} lines), {} activities in {seconds:.1} s",
        counts.clients, counts.deals, counts.deal_lines, counts.activities
    );

    let json = dir.join("base.json");
    // `CB_BENCH_SKIP=json`: no JSON save nor read (a 1M base's JSON is 3.8 GB on disk).
    let ((), json_save) = timed(|| {
        if skipped("json") {
            return;
        }
        let mut out = BufWriter::new(std::fs::File::create(&json).unwrap());
        base.write_json(&mut out).unwrap();
        out.flush().unwrap();
    });
    println!(
        "JSON save            {json_save:>7.2} s  {:>8.0} MB",
        size_mb(&json)
    );
    if !skipped("json_read") && !skipped("json") {
        let ((), json_read) = timed(|| {
            let file = std::io::BufReader::new(std::fs::File::open(&json).unwrap());
            std::mem::forget(ClientBase::read_json(file).unwrap());
        });
        println!("JSON read            {json_read:>7.2} s");
    }
    let _ = std::fs::remove_file(&json);

    let file = dir.join("base.cb");
    // A backup of a base in memory writes the same file as `save_as` without
    // attaching the base to it.
    let ((), file_save) = timed(|| base.backup(&file).unwrap());
    println!(
        "base file save       {file_save:>7.2} s  {:>8.0} MB  ({:.2}× the JSON save's time)",
        size_mb(&file),
        file_save / json_save
    );
    let csv = dir.join("clients.csv");
    {
        let mut out = BufWriter::new(std::fs::File::create(&csv).unwrap());
        base.export_clients_csv(&mut out).unwrap();
        out.flush().unwrap();
    }
    let schema = base.schema().clone();
    // Freeing millions of records is slow and not what is measured.
    std::mem::forget(base);

    if !skipped("open") {
        open_and_write(&file, counts.clients, counts.deal_lines);
    }

    if skipped("import") {
        if std::env::var_os("CB_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        return;
    }
    let mapping = ColumnMapping::canonical_clients();
    let options = CsvOptions::default();
    let into_file = dir.join("imported.cb");
    let (imported, file_import) = timed(|| {
        let mut base = ClientBase::create(&into_file, schema.clone()).unwrap();
        let report = base
            .import_clients_csv(std::fs::File::open(&csv).unwrap(), &mapping, &options)
            .unwrap();
        assert!(report.rejected.is_empty());
        base
    });
    let (in_memory, memory_import) = timed(|| {
        let mut base = ClientBase::new(schema.clone());
        base.import_clients_csv(std::fs::File::open(&csv).unwrap(), &mapping, &options)
            .unwrap();
        base
    });
    let imported_json = dir.join("imported.json");
    let ((), imported_json_save) = timed(|| {
        let mut out = BufWriter::new(std::fs::File::create(&imported_json).unwrap());
        in_memory.write_json(&mut out).unwrap();
        out.flush().unwrap();
    });
    println!(
        "import {} clients: into a base file {file_import:.2} s, in memory {memory_import:.2} s; \
         JSON save of that base {imported_json_save:.2} s (file import / JSON save = {:.2})",
        imported.counts().clients,
        file_import / imported_json_save
    );
    std::mem::forget(imported);
    std::mem::forget(in_memory);
    // `CB_BENCH_KEEP=1` keeps the files (to profile the open of `base.cb`).
    if std::env::var_os("CB_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Opens the base file and makes single writes on it.
fn open_and_write(file: &Path, clients: usize, lines: usize) {
    let before = common::resident_mb();
    let ((mut opened, open_time), user, system) =
        cpu_timed(|| timed(|| ClientBase::open(file).unwrap()));
    println!(
        "base file open       {open_time:>7.2} s  (CPU: user {user:.2} s, system {system:.2} s)  \
         adds {:.0} MB resident ({:.0} bytes per client with its deals, {:.0} per deal line)",
        common::resident_mb() - before,
        (common::resident_mb() - before) * 1024.0 * 1024.0 / clients.max(1) as f64,
        (common::resident_mb() - before) * 1024.0 * 1024.0 / lines.max(1) as f64
    );

    let writes = 2_000;
    let mut added = Vec::with_capacity(writes);
    for i in 0..writes {
        let client = Client::person(&format!("Новый{i}"), "Клиент", None);
        let start = Instant::now();
        opened.add_client(client).unwrap();
        added.push(start.elapsed());
    }
    let (p50, p99) = percentiles(added);
    println!("add a client         p50 {p50:>7.0} µs  p99 {p99:>7.0} µs  (committed)");
    let deals: Vec<DealId> = opened.deals().take(writes).map(|d| d.id).collect();
    let mut moved = Vec::with_capacity(deals.len());
    for (i, id) in deals.iter().enumerate() {
        let mut deal = opened.deal(*id).unwrap().clone();
        deal.stage = format!("Этап {}", i % 7).into();
        let start = Instant::now();
        opened.update_deal(deal).unwrap();
        moved.push(start.elapsed());
    }
    let (p50, p99) = percentiles(moved);
    println!("move a deal's stage  p50 {p50:>7.0} µs  p99 {p99:>7.0} µs  (committed)");
    std::mem::forget(opened);
}
