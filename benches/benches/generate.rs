//! Generation throughput: clients per second for a 100k base, messy phones per
//! second, and a one-off timing of the full 1M clients / ~10M deal lines run.
//!
//! `CLIENTBASE_BENCH_FULL=0` skips the one-off 1M run; another number of clients
//! replaces the million. `CLIENTBASE_BENCH_FULL_ONLY=1` stops after it.
//!
//! The one-off run prints wall time per stage (generating, inserting), the CPU time
//! of the whole process (user + system, all threads), the peak resident memory and
//! the load average before and after: the machine is shared, so wall time alone
//! says little.

use clientbase::generator::{generate_with_progress, messy_phones, GeneratorConfig, Stage};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod common;
use common::load_average;

/// User and system CPU time of this process so far, all threads (Linux only).
fn cpu_times() -> Option<(Duration, Duration)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces; the fields after it do not.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second
    // on every Linux configuration this runs on).
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    let tick = |n: u64| Duration::from_millis(n * 10);
    Some((tick(ticks(11)?), tick(ticks(12)?)))
}

/// The peak resident set size of this process, from `/proc/self/status`.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.2} GB", kb / 1024.0 / 1024.0))
}

/// The whole 1M clients run once, with its counts and costs, printed to stderr.
fn full_run() {
    let clients = std::env::var("CLIENTBASE_BENCH_FULL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if clients == 0 {
        return;
    }
    let config = GeneratorConfig::new(clients, 42);
    let load_before = load_average();
    let cpu_before = cpu_times();
    let start = Instant::now();
    let inserting_from: Mutex<Option<Duration>> = Mutex::new(None);
    let progress = |p: clientbase::generator::Progress| {
        if p.stage == Stage::Inserting {
            if let Ok(mut at) = inserting_from.lock() {
                at.get_or_insert_with(|| start.elapsed());
            }
        }
    };
    let generated =
        generate_with_progress(&config, &progress).expect("the default config is valid");
    let elapsed = start.elapsed();
    let cpu_after = cpu_times();
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
    let inserting_from = inserting_from.lock().ok().and_then(|at| *at);
    if let Some(at) = inserting_from {
        eprintln!(
            "  stages: generating {:.2} s, inserting {:.2} s (wall)",
            at.as_secs_f64(),
            (elapsed - at).as_secs_f64()
        );
    }
    if let (Some((u0, s0)), Some((u1, s1))) = (cpu_before, cpu_after) {
        let (user, system) = ((u1 - u0).as_secs_f64(), (s1 - s0).as_secs_f64());
        eprintln!(
            "  CPU time {:.1} s ({user:.1} s user + {system:.1} s system), CPU / wall {:.2}",
            user + system,
            (user + system) / elapsed.as_secs_f64()
        );
    }
    eprintln!(
        "  peak RSS {}, load average {load_before} before, {} after",
        peak_rss().unwrap_or_else(|| "unknown".into()),
        load_average()
    );
    let start = Instant::now();
    drop(generated);
    eprintln!("dropping it: {:.2} s", start.elapsed().as_secs_f64());
    if std::env::var("CLIENTBASE_BENCH_FULL_ONLY").is_ok_and(|v| v == "1") {
        std::process::exit(0);
    }
}

fn bench_generate(c: &mut Criterion) {
    full_run();
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);

    let clients = 100_000;
    let config = GeneratorConfig::new(clients, 42);
    group.throughput(Throughput::Elements(clients as u64));
    group.bench_function("clients_100k", |b| {
        b.iter_with_large_drop(|| clientbase::generator::generate(&config).expect("valid config"))
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
