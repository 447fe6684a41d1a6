//! Duplicate detection on the habits profile (`generator::habits`, seed 42): a
//! corruption profile designed apart from the one the matcher was tuned on
//! (issue 11). For each size: end to end (normalize, block, score, cluster) with
//! precision, recall and F1 against the ground truth, recall by habit, what
//! became of each kind of look-alike (wrongly merged, linked as related, apart),
//! and on-insert match latency (p50, p99) of held-out duplicates; Splink
//! (DuckDB) on the same 100k records in the same run.
//!
//! `CLIENTBASE_BENCH_HABITS_SIZES` sets the sizes (default `100000,1000000`).
//! The peer runs `benches/peers/splink_peer.py` with the Python in
//! `CLIENTBASE_PEER_PYTHON` (default `python3`) at the size in
//! `CLIENTBASE_BENCH_SPLINK_HABITS` (default 100000; 0 skips it); see
//! `benches/peers/README.md` to install it.

use clientbase::dedup::{accuracy, Decisions, MatchIndex, MatchOptions};
use clientbase::generator::habits::{generate_habits, lookalike_outcomes, HabitsConfig};
use clientbase::generator::{DuplicateKind, Generated};
use clientbase::ClientId;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn sizes() -> Vec<usize> {
    std::env::var("CLIENTBASE_BENCH_HABITS_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// User and system CPU time of the process so far (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn percent(hit: u64, all: u64) -> f64 {
    100.0 * hit as f64 / all.max(1) as f64
}

/// Deduplicates a generated base end to end and prints accuracy, recall by
/// habit and the fate of the look-alikes.
fn whole_base(generated: &Generated, options: MatchOptions, label: &str) -> (Duration, f64) {
    let n = generated.base.counts().clients;
    let load = load_average();
    let cpu = cpu_time();
    let start = Instant::now();
    let index = MatchIndex::build(&generated.base, options).expect("index");
    let indexed = start.elapsed();
    let found = index.dedupe(&Decisions::new());
    let total = start.elapsed();
    let cpu = cpu.zip(cpu_time()).map(|(a, b)| b - a);
    let scored = accuracy(&generated.truth, &found);
    eprintln!(
        "dedupe habits {n} records, {label}: {} end to end (normalize and block {}, score and cluster {}), \
         CPU {}, load {load}",
        seconds(total),
        seconds(indexed),
        seconds(total - indexed),
        cpu.map_or("unknown".into(), seconds),
    );
    eprintln!(
        "  {} comparisons, {} clusters, {} records merged away, {} related links, {} refused joins",
        found.comparisons,
        found.clusters.len(),
        found.duplicates(),
        found.related.len(),
        found.refused.len()
    );
    eprintln!(
        "  precision {:.4}, recall {:.4}, F1 {:.4} ({} true pairs, {} predicted)",
        scored.precision, scored.recall, scored.f1, scored.true_pairs, scored.predicted_pairs,
    );
    eprintln!("  recall by habit (a duplicate with two habits counts for both):");
    for kind in DuplicateKind::HABITS {
        let (all, hit) = scored.by_kind.get(&kind).copied().unwrap_or((0, 0));
        eprintln!(
            "    {kind:<20} {hit:>7} of {all:>7}  {:>5.1}%",
            percent(hit, all)
        );
    }
    eprintln!("  look-alikes (different people): wrongly merged / linked as related / apart");
    let mut pairs = 0;
    let mut merged = 0;
    for (kind, o) in lookalike_outcomes(&generated.truth, &found) {
        pairs += o.pairs;
        merged += o.merged;
        eprintln!(
            "    {kind:<24} {:>6} pairs: {:>6} merged ({:>5.1}%), {:>6} linked, {:>6} apart",
            o.pairs,
            o.merged,
            percent(o.merged, o.pairs),
            o.linked,
            o.apart
        );
    }
    eprintln!(
        "    all look-alikes: {merged} of {pairs} wrongly merged ({:.2}%)",
        percent(merged, pairs)
    );
    (total, scored.f1)
}

/// Holds out the later record of up to `queries` true duplicate pairs, indexes
/// the rest, and times matching each held-out record on insert.
fn on_insert(generated: &Generated, queries: usize) {
    let n = generated.base.counts().clients;
    let mut index = MatchIndex::build(&generated.base, MatchOptions::default()).expect("index");
    let held: Vec<(ClientId, ClientId)> = generated
        .truth
        .duplicates
        .iter()
        .take(queries)
        .map(|p| (p.original, p.duplicate))
        .collect();
    for (_, duplicate) in &held {
        index.remove(*duplicate);
    }
    let mut times = Vec::with_capacity(held.len());
    let mut found_first = 0;
    for (original, duplicate) in &held {
        let client = generated.base.client(*duplicate).expect("client");
        let start = Instant::now();
        let candidates = index.find(client, 5);
        times.push(start.elapsed());
        found_first += usize::from(candidates.first().is_some_and(|c| {
            generated.truth.same_entity(c.client, *original) || c.client == *original
        }));
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    eprintln!(
        "on insert against {} records: {} held-out duplicates, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs; \
         a record of the same client ranked first for {:.1}%",
        n - held.len(),
        held.len(),
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        at(1.0).as_secs_f64() * 1e6,
        100.0 * found_first as f64 / held.len().max(1) as f64
    );
}

#[derive(Debug)]
struct Peer {
    seconds: f64,
    f1: f64,
    precision: f64,
    recall: f64,
    version: String,
}

/// Runs Splink on the same base; `None` (with a note) when it cannot.
fn splink(generated: &Generated) -> Option<Peer> {
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("clientbase-splink-habits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let clients = dir.join("clients.csv");
    let truth = dir.join("truth.json");
    let file = std::fs::File::create(&clients).ok()?;
    generated
        .base
        .export_clients_csv(std::io::BufWriter::new(file))
        .ok()?;
    std::fs::write(&truth, serde_json::to_vec(&generated.truth).ok()?).ok()?;
    let output = Command::new(&python)
        .arg(root.join("peers/splink_peer.py"))
        .arg("--clients")
        .arg(&clients)
        .arg("--truth")
        .arg(&truth)
        .output();
    std::fs::remove_dir_all(&dir).ok();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!(
                "splink: the peer was skipped ({}). Install it with `python3 -m venv /work/venv-splink && \
                 /work/venv-splink/bin/pip install splink pandas` and run with \
                 CLIENTBASE_PEER_PYTHON=/work/venv-splink/bin/python",
                String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("it failed")
            );
            return None;
        }
        Err(e) => {
            eprintln!("splink: cannot run {python}: {e}");
            return None;
        }
    };
    let line = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(line.lines().last()?).ok()?;
    Some(Peer {
        seconds: json["seconds"].as_f64()?,
        f1: json["f1"].as_f64()?,
        precision: json["precision"].as_f64()?,
        recall: json["recall"].as_f64()?,
        version: json["version"].as_str().unwrap_or("?").to_string(),
    })
}

fn bench_dedupe_habits(c: &mut Criterion) {
    let splink_at: usize = std::env::var("CLIENTBASE_BENCH_SPLINK_HABITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut group = c.benchmark_group("dedupe_habits");
    group.sample_size(10);
    for n in sizes() {
        let start = Instant::now();
        let generated = generate_habits(&HabitsConfig::new(n, 42)).expect("generate");
        eprintln!(
            "generated {n} records (habits profile, seed 42: {} duplicates, {} look-alikes) in {}",
            generated.truth.duplicates.len(),
            generated.truth.lookalikes.len(),
            seconds(start.elapsed())
        );
        let (ours, f1) = whole_base(&generated, MatchOptions::default(), "default options");
        if n <= 100_000 {
            // The policy for data where a given name is sometimes replaced.
            let options =
                MatchOptions::from_json(r#"{"given_name_veto": false}"#).expect("options");
            whole_base(&generated, options, "given_name_veto off");
        }
        on_insert(&generated, 10_000);
        if n == splink_at {
            if let Some(peer) = splink(&generated) {
                eprintln!(
                    "splink {} on the same {n} records: {:.1} s, precision {:.4}, recall {:.4}, F1 {:.4}; \
                     clientbase {:.2} s, F1 {:.4}: {:.0}x faster",
                    peer.version,
                    peer.seconds,
                    peer.precision,
                    peer.recall,
                    peer.f1,
                    ours.as_secs_f64(),
                    f1,
                    peer.seconds / ours.as_secs_f64()
                );
            }
        }
        if n <= 100_000 {
            let index = MatchIndex::build(&generated.base, MatchOptions::default()).expect("index");
            group.throughput(Throughput::Elements(n as u64));
            group.bench_function(format!("whole base {n}"), |b| {
                b.iter(|| black_box(index.dedupe(&Decisions::new())))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_dedupe_habits);
criterion_main!(benches);
