//! What every bench shares: the best of a few timings and the load average
//! printed beside the figures. Each bench uses a part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

pub mod synthetic;

/// The best of `runs` timings of `f`.
pub fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The 1, 5 and 15 minute load averages (Linux), or `unknown`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
