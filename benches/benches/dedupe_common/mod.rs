//! What the duplicate benches share: sizes from the environment, CPU time and
//! load average, on-insert latency, and the Splink peer on the same base.

use clientbase::dedup::{MatchIndex, MatchOptions};
use clientbase::generator::Generated;
use clientbase::ClientId;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The sizes in the variable `var` (comma separated), or `default`.
pub fn sizes(var: &str, default: &str) -> Vec<usize> {
    std::env::var(var)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// User and system CPU time of the process so far (Linux).
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

pub fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Holds out the later record of up to `queries` true duplicate pairs, indexes
/// the rest, and times matching each held-out record on insert.
pub fn on_insert(generated: &Generated, queries: usize) {
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
pub struct Peer {
    pub seconds: f64,
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
    pub version: String,
}

/// Runs Splink on the same base; `None` (with a note) when it cannot.
pub fn splink(generated: &Generated) -> Option<Peer> {
    let python = std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("clientbase-splink-{}", std::process::id()));
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
                "splink: the peer was skipped ({}). Install it with `python3 -m venv /tmp/venv-splink && \
                 /tmp/venv-splink/bin/pip install splink pandas` and run with \
                 CLIENTBASE_PEER_PYTHON=/tmp/venv-splink/bin/python",
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
