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
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;
mod dedupe_common;
use common::load_average;
use dedupe_common::{cpu_time, on_insert, seconds, sizes, splink};

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

fn bench_dedupe_habits(c: &mut Criterion) {
    let splink_at: usize = std::env::var("CLIENTBASE_BENCH_SPLINK_HABITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut group = c.benchmark_group("dedupe_habits");
    group.sample_size(10);
    for n in sizes("CLIENTBASE_BENCH_HABITS_SIZES", "100000,1000000") {
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
