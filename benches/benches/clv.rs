//! Fitting BG/NBD and Gamma-Gamma on 100k clients drawn from known parameters
//! (`clientbase::generator::purchase_histories`, the CDNOW estimates, seed 42),
//! and the Python `lifetimes` package on the same summary in the same run: both
//! log-likelihoods, both times and the ratio. When `lifetimes` is installed, the
//! CDNOW summary it ships is fitted too and compared with the published figures
//! (Fader, Hardie & Lee 2005: r = 0.243, α = 4.414, a = 0.793, b = 2.426,
//! LL = −9582.4; Gamma-Gamma p = 6.25, q = 3.74, v = 15.44).
//!
//! The peer runs `benches/peers/lifetimes_peer.py` with the Python in
//! `CLIENTBASE_PEER_PYTHON` (default `python3`); without `lifetimes` it is
//! skipped with a note on how to install it. `CLIENTBASE_BENCH_CLV_CLIENTS`
//! sets the number of clients (default 100,000).

use clientbase::generator::{purchase_histories, PurchaseHistoryConfig};
use clientbase::value::{clv_table, fit_summary, rfm_summary, ClvParams, Purchases, RfmSummary};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

mod common;
use common::{best_of, load_average};

struct Data {
    purchases: Purchases,
    params: ClvParams,
    summary: RfmSummary,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let n = std::env::var("CLIENTBASE_BENCH_CLV_CLIENTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let config = PurchaseHistoryConfig::cdnow_like(n, 42);
        let purchases = purchase_histories(&config).expect("histories");
        let params = ClvParams {
            as_of: Some(config.as_of),
            ..ClvParams::default()
        };
        let summary = rfm_summary(&purchases, &params).expect("summary");
        Data {
            purchases,
            params,
            summary,
        }
    })
}

fn python() -> String {
    std::env::var("CLIENTBASE_PEER_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers/lifetimes_peer.py")
}

/// Runs the peer with `args`; its stdout, or `None` with a note.
fn run_peer(args: &[&str]) -> Option<String> {
    let python = python();
    let skip = |why: &str| {
        eprintln!(
            "clv: the Python peer was skipped ({why}). Install it with \
             `python3 -m venv /tmp/venv-lifetimes && /tmp/venv-lifetimes/bin/pip install lifetimes` \
             and run with CLIENTBASE_PEER_PYTHON=/tmp/venv-lifetimes/bin/python"
        );
    };
    match Command::new(&python).arg(script()).args(args).output() {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) if out.status.code() == Some(3) => {
            skip("lifetimes is not installed");
            None
        }
        Ok(out) => {
            skip(&format!(
                "it failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            None
        }
        Err(err) => {
            skip(&format!("cannot run {python}: {err}"));
            None
        }
    }
}

fn write_summary(summary: &RfmSummary) -> PathBuf {
    let path = std::env::temp_dir().join(format!("clientbase-clv-{}.csv", std::process::id()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("temp file"));
    writeln!(out, "frequency,recency,T,monetary_value").expect("write");
    for i in 0..summary.len() {
        writeln!(
            out,
            "{},{},{},{}",
            summary.frequency[i], summary.recency[i], summary.age[i], summary.monetary_value[i]
        )
        .expect("write");
    }
    out.flush().expect("write");
    path
}

fn ll_line(name: &str, ours: f64, theirs: f64) {
    println!(
        "  {name} log-likelihood: clientbase {ours:.4}, lifetimes {theirs:.4} (difference {:.2e})",
        ours - theirs
    );
}

/// Fits `summary` with clientbase and with lifetimes and prints both.
fn compare(label: &str, summary: &RfmSummary, params: &ClvParams) {
    let mut fitted = None;
    let ours = best_of(5, || {
        fitted = Some(fit_summary(black_box(summary), params).expect("fit"));
    });
    let fit = fitted.expect("a fit");
    let (bg, gg) = (fit.bg_nbd, fit.gamma_gamma);
    let bg_alone = best_of(5, || {
        let only = RfmSummary {
            monetary_value: vec![0.0; summary.len()],
            ..summary.clone()
        };
        black_box(fit_summary(&only, params).expect("fit"));
    });
    println!("clv [{label}]: {} clients", summary.len());
    println!(
        "  clientbase BG/NBD r={:.4} alpha={:.4} a={:.4} b={:.4} LL={:.4} ({} iterations, converged {})",
        bg.params.r, bg.params.alpha, bg.params.a, bg.params.b, bg.log_likelihood, bg.iterations, bg.converged
    );
    if let Some(gg) = &gg {
        println!(
            "  clientbase Gamma-Gamma p={:.4} q={:.4} v={:.4} LL={:.4} on {} clients ({} iterations)",
            gg.params.p, gg.params.q, gg.params.v, gg.log_likelihood, gg.clients, gg.iterations
        );
    }
    println!(
        "  clientbase fit time: both models {:.2} ms (BG/NBD with summary copy {:.2} ms), best of 5",
        ours.as_secs_f64() * 1e3,
        bg_alone.as_secs_f64() * 1e3
    );
    let path = write_summary(summary);
    let peer = run_peer(&[path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&path);
    let Some(peer) = peer else { return };
    let json: serde_json::Value = serde_json::from_str(peer.trim()).expect("peer JSON");
    let f = |p: &str| json.pointer(p).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
    println!(
        "  lifetimes {} BG/NBD {} LL={:.4}",
        json["version"],
        json["bg_nbd"]["params"],
        f("/bg_nbd/log_likelihood")
    );
    println!(
        "  lifetimes Gamma-Gamma {} LL={:.4}",
        json["gamma_gamma"]["params"],
        f("/gamma_gamma/log_likelihood")
    );
    ll_line("BG/NBD", bg.log_likelihood, f("/bg_nbd/log_likelihood"));
    if let Some(gg) = &gg {
        ll_line(
            "Gamma-Gamma",
            gg.log_likelihood,
            f("/gamma_gamma/log_likelihood"),
        );
    }
    let theirs = f("/bg_nbd/seconds") + f("/gamma_gamma/seconds");
    println!(
        "  lifetimes fit time: BG/NBD {:.1} ms + Gamma-Gamma {:.1} ms = {:.1} ms; ratio lifetimes / clientbase = {:.1}x",
        f("/bg_nbd/seconds") * 1e3,
        f("/gamma_gamma/seconds") * 1e3,
        theirs * 1e3,
        theirs / ours.as_secs_f64()
    );
}

/// The CDNOW summary that lifetimes ships (`ID,x,t_x,T,zbar`), if installed.
fn cdnow() -> Option<RfmSummary> {
    let path = run_peer(&["--cdnow-path"])?;
    let text = std::fs::read_to_string(path.trim()).ok()?;
    let mut s = RfmSummary::default();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        s.frequency.push(cells.get(1)?.parse().ok()?);
        s.recency.push(cells.get(2)?.parse().ok()?);
        s.age.push(cells.get(3)?.parse().ok()?);
        s.monetary_value.push(cells.get(4)?.parse().ok()?);
    }
    Some(s)
}

fn bench(c: &mut Criterion) {
    let data = data();
    println!("load average: {}", load_average());
    compare(
        "simulated, CDNOW parameters, seed 42",
        &data.summary,
        &data.params,
    );
    if let Some(summary) = cdnow() {
        compare(
            "CDNOW sample shipped with lifetimes",
            &summary,
            &ClvParams::default(),
        );
        println!("  published (Fader, Hardie & Lee 2005): r=0.243 alpha=4.414 a=0.793 b=2.426 LL=-9582.4; p=6.25 q=3.74 v=15.44");
    }
    let mut group = c.benchmark_group("clv");
    group.sample_size(10);
    group.throughput(Throughput::Elements(data.summary.len() as u64));
    group.bench_function("fit_bg_nbd_gamma_gamma", |b| {
        b.iter(|| fit_summary(black_box(&data.summary), &data.params).expect("fit"))
    });
    group.bench_function("clv_table", |b| {
        b.iter(|| clv_table(black_box(&data.purchases), &data.params).expect("table"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
