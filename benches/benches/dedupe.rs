//! Duplicate detection on generated bases (seed 42): end to end (normalize,
//! block, score, cluster) with precision, recall and F1 against the ground
//! truth at 10k, 100k and 1M clients; on-insert match latency (p50, p99) of
//! held-out duplicates against the rest; and Splink (DuckDB) on the same 100k
//! clients in the same run, time and F1 side by side.
//!
//! `CLIENTBASE_BENCH_DEDUPE_SIZES` sets the sizes (default `10000,100000,1000000`).
//! The peer runs `benches/peers/splink_peer.py` with the Python in
//! `CLIENTBASE_PEER_PYTHON` (default `python3`) at the size in
//! `CLIENTBASE_BENCH_SPLINK` (default 100000; 0 skips it); see
//! `benches/peers/README.md` to install it.

use clientbase::dedup::{accuracy, Decisions, MatchIndex, MatchOptions};
use clientbase::generator::{generate, Generated, GeneratorConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;
mod dedupe_common;
use common::load_average;
use dedupe_common::{cpu_time, on_insert, seconds, sizes, splink};

/// Deduplicates a generated base end to end and prints stages and accuracy.
fn whole_base(generated: &Generated) -> (Duration, f64) {
    let n = generated.base.counts().clients;
    let load = load_average();
    let cpu = cpu_time();
    let start = Instant::now();
    let index = MatchIndex::build(&generated.base, MatchOptions::default()).expect("index");
    let indexed = start.elapsed();
    let found = index.dedupe(&Decisions::new());
    let total = start.elapsed();
    let cpu = cpu.zip(cpu_time()).map(|(a, b)| b - a);
    let scored = accuracy(&generated.truth, &found);
    eprintln!(
        "dedupe {n} clients: {} end to end (normalize and block {}, score and cluster {}), \
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
        "  precision {:.4}, recall {:.4}, F1 {:.4} ({} true pairs, {} predicted); \
         look-alikes wrongly merged {} of {}, linked as related {}",
        scored.precision,
        scored.recall,
        scored.f1,
        scored.true_pairs,
        scored.predicted_pairs,
        scored.related_merged,
        scored.related_pairs,
        scored.related_linked
    );
    let kinds: Vec<String> = scored
        .by_kind
        .iter()
        .map(|(k, (all, hit))| format!("{k} {hit}/{all}"))
        .collect();
    eprintln!("  recall by kind: {}", kinds.join(", "));
    for s in &found.blocking {
        if let Some(key) = s.key {
            eprintln!(
                "  key {:<13} {:>9} blocks {:>11} comparisons  largest {:>4}  skipped {} blocks ({} records)",
                key.name(),
                s.blocks,
                s.comparisons,
                s.largest_block,
                s.oversized_blocks,
                s.oversized_records
            );
        }
    }
    (total, scored.f1)
}

fn bench_dedupe(c: &mut Criterion) {
    let splink_at: usize = std::env::var("CLIENTBASE_BENCH_SPLINK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut group = c.benchmark_group("dedupe");
    group.sample_size(10);
    for n in sizes("CLIENTBASE_BENCH_DEDUPE_SIZES", "10000,100000,1000000") {
        let start = Instant::now();
        let generated = generate(&GeneratorConfig::new(n, 42)).expect("generate");
        eprintln!("generated {n} clients in {}", seconds(start.elapsed()));
        let (ours, f1) = whole_base(&generated);
        on_insert(&generated, 10_000);
        if n == splink_at {
            if let Some(peer) = splink(&generated) {
                eprintln!(
                    "splink {} on the same {n} clients: {:.1} s, precision {:.4}, recall {:.4}, F1 {:.4}; \
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
            let query = generated
                .base
                .client(generated.truth.duplicates[0].duplicate)
                .expect("client");
            group.throughput(Throughput::Elements(1));
            group.bench_function(format!("find one in {n}"), |b| {
                b.iter(|| black_box(index.find(query, 5)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_dedupe);
criterion_main!(benches);
