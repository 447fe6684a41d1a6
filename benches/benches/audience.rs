//! Audiences at scale: a generated base (no deals, contacts normalized as a
//! base in use has them), the SMS audience of every client and of a segment
//! rule (reading contacts that failed normalization again from what was
//! typed, the default, and with `read_typed: false`), each with the exclusions by reason and one member per phone; the
//! call tasks of a segment with the managers' load. The load average is
//! printed beside the figures (the machine may be shared).
//!
//! ```sh
//! cargo bench -p clientbase-benches --bench audience
//! CLIENTBASE_AUDIENCE_CLIENTS=100000 cargo bench -p clientbase-benches --bench audience
//! ```
//!
//! Size: `CLIENTBASE_AUDIENCE_CLIENTS` (default 1,000,000). Target: under
//! 200 ms for the audience of a segment of a million clients. Each audience
//! is checked equal to the one judged on the records; the time by the
//! records, of the first run over the snapshot (which builds the channel's
//! contact columns) and the CPU time per run are printed too.

use clientbase::audience::{
    audience, audience_exclusions, Audience, AudienceChannel, AudienceParams,
};
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::segment::{compile, Options, Rule};
use clientbase::ContactNormalizer;
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

mod common;
use common::{best_of, load_average};

fn bench(c: &mut Criterion) {
    let clients: usize = std::env::var("CLIENTBASE_AUDIENCE_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let mut config = GeneratorConfig::new(clients, 7);
    config.deals_per_client = 0.0;
    config.activities_per_client = 0.0;
    let mut base = generate(&config).unwrap().base;
    base.normalize_contacts(&ContactNormalizer::default())
        .unwrap();
    println!(
        "audience: {clients} clients generated and normalized in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let all = AudienceParams {
        channel: Some(AudienceChannel::Sms),
        as_of: Some(config.today),
        ..AudienceParams::default()
    };
    let segment = AudienceParams {
        segment: Some("not stage = churned and created more than 30 days ago".into()),
        ..all.clone()
    };
    let stored = AudienceParams {
        read_typed: false,
        ..all.clone()
    };
    let stored_segment = AudienceParams {
        read_typed: false,
        ..segment.clone()
    };
    // The segment rule alone, by the columns (the snapshot built once and
    // kept) and by the records.
    let started = Instant::now();
    let columns = clientbase::columns::Columns::of(&base);
    let built = started.elapsed();
    let rule = compile(
        &base,
        &Rule::parse("not stage = churned and created more than 30 days ago").unwrap(),
        &Options::new(config.today),
        &Default::default(),
    )
    .unwrap();
    let by_columns = best_of(3, || {
        rule.evaluate(&base).unwrap();
    });
    let by_records = best_of(3, || {
        rule.evaluate_records(&base).unwrap();
    });
    println!(
        "  snapshot built in {:.0} ms ({:.0} MB); the segment rule over it {:.1} ms, by the records {:.1} ms (best of 3); load average {}",
        built.as_secs_f64() * 1e3,
        columns.heap_bytes() as f64 / 1e6,
        by_columns.as_secs_f64() * 1e3,
        by_records.as_secs_f64() * 1e3,
        load_average()
    );
    for (name, params) in [
        ("every client, typed contacts read again", &all),
        ("segment rule, typed contacts read again", &segment),
        ("every client, normalized forms only", &stored),
        ("segment rule, normalized forms only", &stored_segment),
    ] {
        // The records path (each client's record judged) and the snapshot's
        // (its contact columns, built by the first audience on the channel
        // and kept) give the same tables.
        let records = Audience::build(&base, params).unwrap();
        let summary = records.summary();
        let by_records = best_of(1, || {
            Audience::build(&base, params)
                .unwrap()
                .members_table()
                .unwrap();
        });
        let started = Instant::now();
        let first = audience(&base, params).unwrap();
        let first_time = started.elapsed();
        assert_eq!(first, records.members_table().unwrap());
        assert_eq!(
            audience_exclusions(&base, params).unwrap(),
            records.exclusions_table().unwrap()
        );
        drop(records);
        let cpu = cpu_seconds();
        let time = best_of(5, || {
            audience(&base, params).unwrap();
        });
        let cpu = (cpu_seconds() - cpu) / 5.0;
        println!(
            "  sms audience, {name}: segment {}, audience {}, left out {:?}; {:.1} ms (best of 5; {:.0} ms of CPU a run), first {:.1} ms, by the records {:.1} ms; load average {}",
            summary.segment,
            summary.audience,
            summary.excluded,
            time.as_secs_f64() * 1e3,
            cpu * 1e3,
            first_time.as_secs_f64() * 1e3,
            by_records.as_secs_f64() * 1e3,
            load_average()
        );
    }
    let mut group = c.benchmark_group("audience");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("sms, every client, normalized forms", |b| {
        b.iter(|| audience(&base, &stored).unwrap())
    });
    group.bench_function("sms, segment rule, normalized forms", |b| {
        b.iter(|| audience(&base, &stored_segment).unwrap())
    });
    group.finish();
}

/// The CPU time of this process so far (user and system, all threads),
/// in seconds, from `/proc/self/stat` (0 where there is none).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

criterion_group!(benches, bench);
criterion_main!(benches);
