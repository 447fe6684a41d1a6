//! Role views at scale: a generated base with its deals and activities; the
//! cost of building a manager's view (one pass over the clients, then a copy
//! of the manager's clients with their deals and activities, contacts
//! masked), of a view that sees every client masked (a copy of everything),
//! and of an unrestricted view (no copy); and `clients_table` through a
//! manager's view against the same call on the whole base. The load average
//! is printed beside the figures (the machine may be shared).
//!
//! ```sh
//! cargo bench -p clientbase-benches --bench access
//! CLIENTBASE_ACCESS_CLIENTS=1000000 cargo bench -p clientbase-benches --bench access
//! ```
//!
//! Size: `CLIENTBASE_ACCESS_CLIENTS` (default 200,000).

use clientbase::access::{Policy, View};
use clientbase::capability::call_read;
use clientbase::generator::{generate, GeneratorConfig};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod common;
use common::{best_of, load_average};

fn bench(c: &mut Criterion) {
    let clients: usize = std::env::var("CLIENTBASE_ACCESS_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let started = Instant::now();
    let base = generate(&GeneratorConfig::new(clients, 7)).unwrap().base;
    let counts = base.counts();
    println!(
        "access: {} clients, {} deals, {} activities generated in {:.1} s",
        counts.clients,
        counts.deals,
        counts.activities,
        started.elapsed().as_secs_f64()
    );
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for client in base.clients() {
        if let Some(owner) = &client.owner {
            *owners.entry(owner).or_default() += 1;
        }
    }
    let (manager, own) = owners
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(m, n)| (m.to_string(), *n))
        .expect("the generator names owners");
    println!(
        "  {} managers; the busiest, {manager}, owns {own} clients",
        owners.len()
    );
    let policy = Policy::from_value(json!({
        "roles": {
            "manager": {"clients": "own", "contacts": "masked"},
            "operator": {"clients": "all", "contacts": "masked"},
            "head": {"clients": "all", "contacts": "full"}
        },
        "actors": {
            manager.clone(): {"role": "manager"},
            "operator": {"role": "operator"},
            "head": {"role": "head"}
        }
    }))
    .unwrap();
    for (actor, what) in [
        (manager.as_str(), "a manager's own clients, masked"),
        ("operator", "every client, masked"),
        ("head", "every client in full (no copy)"),
    ] {
        let time = best_of(3, || {
            View::new(&base, &policy, actor).unwrap();
        });
        println!(
            "  view of {what}: built in {:.1} ms (best of 3), load average {}",
            time.as_secs_f64() * 1e3,
            load_average()
        );
    }
    let mut view = View::new(&base, &policy, &manager).unwrap();
    let through = best_of(5, || {
        view.call(&base, "clients_table", json!({})).unwrap();
    });
    let whole = best_of(5, || {
        call_read(&base, "clients_table", json!({})).unwrap();
    });
    println!(
        "  clients_table through the manager's view: {:.2} ms; on the whole base: {:.1} ms (best of 5), load average {}",
        through.as_secs_f64() * 1e3,
        whole.as_secs_f64() * 1e3,
        load_average()
    );

    let mut group = c.benchmark_group("access");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("manager view", |b| {
        b.iter(|| View::new(&base, &policy, &manager).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
