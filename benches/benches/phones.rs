//! Phone normalization throughput on 1M messy phones from the generator
//! (`clientbase::generator::messy_phones`, seed 42): single thread, parallel
//! batch, scaling over thread counts, and the Python `phonenumbers` package
//! (Google's libphonenumber) on the same inputs in the same run, with the ratio.
//!
//! The peer runs `benches/peers/phonenumbers_peer.py` with the Python in
//! `CLIENTBASE_PEER_PYTHON` (default `python3`); without `phonenumbers` it is
//! skipped with a note on how to install it. `CLIENTBASE_BENCH_PHONES` sets the
//! number of inputs (default 1,000,000).

use clientbase::generator::messy_phones;
use clientbase::PhoneNormalizer;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod common;
use common::best_of;

fn inputs() -> &'static [String] {
    static INPUTS: OnceLock<Vec<String>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let n = std::env::var("CLIENTBASE_BENCH_PHONES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        messy_phones(42, n).into_iter().map(|m| m.raw).collect()
    })
}

fn per_sec(n: usize, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64()
}

/// CPU time this thread has run, where Linux tells it: on a shared machine
/// wall-clock time also counts the time other processes had the core.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// CPU time all threads of this process have run (user and system), where
/// Linux tells it, in clock ticks of 10 ms.
fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn single_thread(phones: &PhoneNormalizer, inputs: &[String]) -> usize {
    inputs
        .iter()
        .filter(|s| black_box(phones.parse(s)).is_ok())
        .count()
}

struct Peer {
    version: String,
    parse_format: f64,
    full: f64,
}

/// Runs the Python peer on the same inputs; `None` (with a note) when it cannot.
fn run_peer(inputs: &[String]) -> Option<Peer> {
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers/phonenumbers_peer.py");
    let file = std::env::temp_dir().join(format!("clientbase-phones-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(inputs).ok()?).ok()?;
    let output = Command::new(&python)
        .arg(&script)
        .arg(&file)
        .arg("RU")
        .output();
    let _ = std::fs::remove_file(&file);
    let skip = |why: &str| {
        eprintln!(
            "phones: the Python peer was skipped ({why}). Install it with \
             `python3 -m venv /tmp/venv-corpus && /tmp/venv-corpus/bin/pip install phonenumbers` \
             and run with CLIENTBASE_PEER_PYTHON=/tmp/venv-corpus/bin/python"
        );
    };
    let output = match output {
        Ok(output) => output,
        Err(err) => {
            skip(&format!("cannot run {python}: {err}"));
            return None;
        }
    };
    if !output.status.success() {
        skip(String::from_utf8_lossy(&output.stderr).trim());
        return None;
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_string)
    };
    Some(Peer {
        version: field("version")?,
        parse_format: field("parse_format_per_sec")?.parse().ok()?,
        full: field("full_per_sec")?.parse().ok()?,
    })
}

/// `parse_batch` on rayon pools of 1, 2, 4, ... threads up to the number of
/// cores, the pools taking turns run after run (so that a change in machine
/// load hits every thread count alike), with the best and median of 5 runs
/// each and the speed-up over one thread.
fn scaling(phones: &PhoneNormalizer, inputs: &[String], single: f64) {
    const RUNS: usize = 5;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let mut counts = vec![1];
    while counts.last().is_some_and(|&t| t < cores) {
        counts.push((counts.last().unwrap_or(&1) * 2).min(cores));
    }
    let pools: Vec<rayon::ThreadPool> = counts
        .iter()
        .map(|&threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
        })
        .collect();
    let mut times = vec![Vec::with_capacity(RUNS); pools.len()];
    let mut cpu = vec![Duration::ZERO; pools.len()];
    for _ in 0..RUNS {
        for ((pool, times), cpu) in pools.iter().zip(&mut times).zip(&mut cpu) {
            let cpu_before = process_cpu_time();
            let start = Instant::now();
            pool.install(|| black_box(phones.parse_batch(inputs)));
            times.push(start.elapsed());
            if let Some((after, before)) = process_cpu_time().zip(cpu_before) {
                *cpu += after.saturating_sub(before);
            }
        }
    }
    let n = inputs.len();
    let mut base = None;
    for ((threads, times), cpu) in counts.iter().zip(&mut times).zip(&cpu) {
        // How many cores the runs kept busy: CPU time over wall-clock time.
        let busy = cpu.as_secs_f64() / times.iter().sum::<Duration>().as_secs_f64();
        times.sort();
        let (best, median) = (times[0], times[RUNS / 2]);
        let (best1, median1) = *base.get_or_insert((best, median));
        eprintln!(
            "phones: parse_batch on {threads} thread(s) of {cores} cores: best {:.3} s \
             ({:.0} numbers/s, {:.2}x single-thread parse), median {:.3} s; \
             speed-up over 1 thread: {:.2}x (best), {:.2}x (median); \
             {busy:.2} cores busy on average",
            best.as_secs_f64(),
            per_sec(n, best),
            per_sec(n, best) / single,
            median.as_secs_f64(),
            best1.as_secs_f64() / best.as_secs_f64(),
            median1.as_secs_f64() / median.as_secs_f64(),
        );
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        eprintln!(
            "phones: load average after the scaling runs {}",
            load.join(" ")
        );
    }
}

/// One-off timings printed for RESULTS.md: single thread, every thread count,
/// the peer and the ratios.
fn report() {
    let inputs = inputs();
    let n = inputs.len();
    let phones = PhoneNormalizer::default();
    let valid = single_thread(&phones, inputs);
    eprintln!(
        "phones: {n} messy inputs from generator::messy_phones(42), {valid} valid ({:.1}%)",
        100.0 * valid as f64 / n as f64
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        eprintln!(
            "phones: {} cores, load average {} (other processes share the cores)",
            std::thread::available_parallelism().map_or(1, |c| c.get()),
            load.join(" ")
        );
    }
    let cpu_before = thread_cpu_time();
    let single = per_sec(
        n,
        best_of(3, || {
            single_thread(&phones, inputs);
        }),
    );
    let cpu = thread_cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| per_sec(3 * n, after.saturating_sub(before)));
    match cpu {
        Some(cpu) => eprintln!(
            "phones: single thread: {single:.0} numbers/s wall clock (best of 3), \
             {cpu:.0} numbers/s of CPU time"
        ),
        None => eprintln!("phones: single thread: {single:.0} numbers/s"),
    }
    scaling(&phones, inputs, single);
    if let Some(peer) = run_peer(inputs) {
        eprintln!(
            "phones: Python phonenumbers {}: parse + format_number(E164): {:.0} numbers/s; \
             parse + is_valid_number + number_type + format: {:.0} numbers/s",
            peer.version, peer.parse_format, peer.full
        );
        eprintln!(
            "phones: ratio, clientbase single thread / phonenumbers: {:.1}x (parse + format), \
             {:.1}x (the same work as clientbase)",
            single / peer.parse_format,
            single / peer.full
        );
    }
}

fn bench_phones(c: &mut Criterion) {
    report();
    let inputs = inputs();
    let phones = PhoneNormalizer::default();
    let mut group = c.benchmark_group("phones");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("parse_single_thread", |b| {
        b.iter(|| single_thread(&phones, inputs))
    });
    group.bench_function("parse_batch_all_threads", |b| {
        b.iter_batched(
            || (),
            |()| phones.parse_batch(inputs),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_phones);
criterion_main!(benches);
