//! Generation throughput: clients per second for a 100k base, messy phones per
//! second, and a one-off timing of the full 1M clients / ~10M deal lines run.
//!
//! `CLIENTBASE_BENCH_FULL=0` skips the one-off 1M run; another number of clients
//! replaces the million.

use clientbase::generator::{generate, messy_phones, GeneratorConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::Instant;

/// The whole 1M clients run once, with its counts, printed to stderr.
fn full_run() {
    let clients = std::env::var("CLIENTBASE_BENCH_FULL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if clients == 0 {
        return;
    }
    let config = GeneratorConfig::new(clients, 42);
    let start = Instant::now();
    let generated = generate(&config).expect("the default config is valid");
    let elapsed = start.elapsed();
    let counts = generated.base.counts();
    eprintln!(
        "generate {clients} clients: {:.2} s on {} threads: {} clients ({} companies), {} deals, {} deal lines, \
         {} activities, {} duplicates of {} entities, {} related pairs",
        elapsed.as_secs_f64(),
        rayon::current_num_threads(),
        counts.clients,
        counts.companies,
        counts.deals,
        counts.deal_lines,
        counts.activities,
        generated.truth.duplicates.len(),
        generated.truth.entities,
        generated.truth.related.len(),
    );
    let start = Instant::now();
    drop(generated);
    eprintln!("dropping it: {:.2} s", start.elapsed().as_secs_f64());
}

fn bench_generate(c: &mut Criterion) {
    full_run();
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);

    let clients = 100_000;
    let config = GeneratorConfig::new(clients, 42);
    group.throughput(Throughput::Elements(clients as u64));
    group.bench_function("clients_100k", |b| {
        b.iter_with_large_drop(|| generate(&config).expect("valid config"))
    });

    let phones = 1_000_000;
    group.throughput(Throughput::Elements(phones as u64));
    group.bench_function("messy_phones_1m", |b| {
        b.iter_with_large_drop(|| messy_phones(7, phones))
    });
    group.finish();
}

criterion_group!(benches, bench_generate);
criterion_main!(benches);
