#!/usr/bin/env python3
"""The Python side of the 1M phone benchmark: ``PhoneNormalizer.parse_batch`` over a
list of one million messy phone fields, against the pure Rust ``parse_batch`` on the
same inputs, in the same run. The issue's target: the Python batch stays within 2x
of the pure Rust time.

The inputs are the Rust benchmark's (``benches/benches/phones.rs``):
``clientbase::generator::messy_phones(42, n)``, taken from the core generator
through ``clientbase._native._messy_phones``, so both read exactly the same strings.

Two times are measured in this process, with the same build and under the same
machine load, alternating, the best of ``--repeats`` runs each:

- **Python**: ``PhoneNormalizer().parse_batch(values)`` with ``values`` a list of
  ``str``: reading the list, parsing on all cores with the GIL released and
  building the result columns (``input``, ``e164``, ``extension``, ``kind``,
  ``region``, ``valid``, ``problem``, ``reason``), i.e. what a Python caller waits for.
- **Rust**: ``PhoneNormalizer::parse_batch(&Vec<String>)`` alone, timed in Rust
  (``clientbase._native._time_phone_batch``, the input already converted), which
  is what the Rust benchmark's ``parse_batch_all_threads`` measures.

For the Python side it also prints where the time went
(``clientbase._native._last_batch_stages``), on the thread holding the GIL:
reading the list into core text columns chunk by chunk (conversion in), waiting
for the worker's parse tables (GIL released) and writing the result lists
(conversion out); the worker parses one chunk while the next is read.

When the Rust criterion benchmark has been run (``cargo bench -p clientbase-benches
--bench phones``), its estimate for ``phones/parse_batch_all_threads`` is printed too,
for reference (it comes from another process at another time, so it is not used for
the ratio).

Build the package in release mode with the benchmark hooks first (they are behind
the cargo feature ``bench-hooks``, which the release wheel does not enable; the test
script's dev profile is far slower)::

    MATURIN_PEP517_ARGS="--features bench-hooks" pip install ./python

then::

    python benches/python/phones_batch.py [--n 1000000] [--repeats 5]

Exits with status 1 when the ratio of the best times is above 2 (``--no-check``
only reports).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

from clientbase import PhoneNormalizer, _native

SEED = 42  # the seed of benches/benches/phones.rs
TARGET_RATIO = 2.0


def criterion_estimate() -> float | None:
    """Seconds per iteration of the Rust criterion benchmark, if it has been run."""
    root = Path(__file__).resolve().parents[2]
    target = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
    path = target / "criterion" / "phones" / "parse_batch_all_threads" / "new" / "estimates.json"
    try:
        estimates = json.loads(path.read_text())
        return float(estimates["median"]["point_estimate"]) / 1e9
    except (OSError, KeyError, ValueError):
        return None


def load_average() -> str:
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "?"


def time_python(phones: PhoneNormalizer, values: list[str]) -> tuple[float, float, dict[str, float]]:
    """Wall-clock and CPU seconds (all threads) of one batch, and its stages."""
    cpu = time.process_time()
    start = time.perf_counter()
    columns = phones.parse_batch(values)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    stages = _native._last_batch_stages()
    assert len(columns["e164"]) == len(values)
    del columns
    return elapsed, cpu, stages


def time_rust(values: list[str]) -> tuple[float, float]:
    """Wall-clock seconds of the core's batch timed in Rust, and the CPU seconds
    (all threads) of the call, which also converts the list to `Vec<String>`
    (outside the wall-clock time): an upper bound of the core's CPU time."""
    cpu = time.process_time()
    elapsed = _native._time_phone_batch(values, 1)
    return elapsed, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("CLIENTBASE_BENCH_PHONES", 1_000_000)))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-check", action="store_true", help="report only; never fail")
    args = parser.parse_args()

    start = time.perf_counter()
    values = _native._messy_phones(SEED, args.n)
    print(f"inputs: {len(values):,} messy phones from generator::messy_phones({SEED}) "
          f"in {time.perf_counter() - start:.2f} s")
    cores = os.cpu_count()
    print(f"machine: {cores} cores, load average {load_average()}")

    phones = PhoneNormalizer()
    columns = phones.parse_batch(values)  # warm up: thread pool, allocator, caches
    valid = sum(columns["valid"])
    print(f"valid: {valid:,} of {len(values):,} ({100 * valid / len(values):.1f}%)")
    del columns

    python_times: list[float] = []
    rust_times: list[float] = []
    python_cpu: list[float] = []
    rust_cpu: list[float] = []
    stages: list[dict[str, float]] = []
    gc.disable()  # the result lists would otherwise trigger collections mid-timing
    try:
        for _ in range(args.repeats):
            elapsed, cpu, stage = time_python(phones, values)
            python_times.append(elapsed)
            python_cpu.append(cpu)
            stages.append(stage)
            elapsed, cpu = time_rust(values)
            rust_times.append(elapsed)
            rust_cpu.append(cpu)
            gc.collect()
    finally:
        gc.enable()
    print(f"load average after the runs: {load_average()}")
    python_best, rust_best = min(python_times), min(rust_times)
    ratio = python_best / rust_best
    pair_ratios = [p / r for p, r in zip(python_times, rust_times)]
    n = len(values)
    print(f"python parse_batch(list of {n:,} str): best {python_best:.3f} s "
          f"({n / python_best:,.0f} numbers/s); runs {', '.join(f'{t:.3f}' for t in python_times)}")
    print(f"rust   parse_batch(&[String]):        best {rust_best:.3f} s "
          f"({n / rust_best:,.0f} numbers/s); runs {', '.join(f'{t:.3f}' for t in rust_times)}")
    best = stages[python_times.index(python_best)]
    print(f"python best run, by stage (s): conversion in {best['read']:.3f}, "
          f"waiting for the core's parse tables {best['wait']:.3f} (GIL released), "
          f"conversion out {best['write']:.3f}; total {best['total']:.3f}")
    criterion = criterion_estimate()
    if criterion is not None:
        print(f"rust   criterion phones/parse_batch_all_threads (another run): {criterion:.3f} s")
    print(f"CPU seconds (all threads), median: python {statistics.median(python_cpu):.3f}, "
          f"rust {statistics.median(rust_cpu):.3f} (with its list conversion); ratio "
          f"{statistics.median(python_cpu) / statistics.median(rust_cpu):.2f}x: what the wall-clock "
          f"ratio tends to when both sides have every core to themselves")
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"ratio python / rust: {ratio:.2f}x of the best times ({verdict} the "
          f"{TARGET_RATIO:.0f}x target); run by run {', '.join(f'{r:.2f}' for r in pair_ratios)}, "
          f"median {statistics.median(pair_ratios):.2f}x")
    return 0 if ratio <= TARGET_RATIO or args.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
