#!/usr/bin/env python3
"""A 1M-row phone column from a polars DataFrame through Arrow against today's
list path, same data, same run, and the 1M-client ``to_polars()``.

- **list**: ``PhoneNormalizer.parse_batch(df["phone"].to_list())``: the column
  turned into a Python list of ``str`` and read back value by value, the result a
  dict of Python lists (what a caller without the Arrow path does).
- **arrow**: ``PhoneNormalizer.parse_batch(df["phone"])``: the polars Series read
  through the Arrow PyCapsule stream (no Python object per row), the result a
  ``clientbase.Table``, turned into a polars DataFrame through Arrow as well
  (``pl.DataFrame(table)``), so both sides end with the results in hand.

The inputs are the Rust phone benchmark's (``generator::messy_phones(42, n)``,
through ``clientbase._native._messy_phones``). Both paths run alternately, the
best of ``--repeats`` each; the ratio list/arrow is printed with the load average.

Then ``ClientBase.to_polars()`` over ``--clients`` generated clients (typed
columns through Arrow), best of ``--repeats``.

Build in release mode with the benchmark hooks (cargo feature ``bench-hooks``, not
in the release wheel)::

    MATURIN_PEP517_ARGS="--features bench-hooks" pip install ./python
    pip install polars
    python benches/python/phones_arrow.py [--n 1000000] [--clients 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path
from typing import Any

import polars as pl

import clientbase as cb
from clientbase import _native

SEED = 42


def load_average() -> str:
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "?"


def best(times: list[float]) -> float:
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    if args.n:
        phones_section(args)
    if args.clients:
        clients_section(args)
    return 0


def phones_section(args: argparse.Namespace) -> None:
    frame = pl.DataFrame({"phone": _native._messy_phones(SEED, args.n)})
    series = frame["phone"]
    phones = cb.PhoneNormalizer()
    print(f"inputs: {len(series):,} messy phones in a polars DataFrame ({series.dtype})")
    print(f"load average before: {load_average()}")

    # Same answers both ways, and a warm-up.
    listed = phones.parse_batch(series.to_list())
    table = phones.parse_batch(series)
    assert isinstance(table, cb.Table) and isinstance(listed, dict)
    assert table["e164"][:1000] == listed["e164"][:1000]
    assert sum(listed["valid"]) == pl.DataFrame(table)["valid"].sum()
    del listed, table

    list_times: list[float] = []
    arrow_times: list[float] = []
    gc.disable()
    try:
        for _ in range(args.repeats):
            start = time.perf_counter()
            columns = phones.parse_batch(series.to_list())
            list_times.append(time.perf_counter() - start)
            del columns
            gc.collect()
            start = time.perf_counter()
            result = pl.DataFrame(phones.parse_batch(series))
            arrow_times.append(time.perf_counter() - start)
            del result
            gc.collect()
    finally:
        gc.enable()
    ratio = best(list_times) / best(arrow_times)
    print(f"list path  (to_list, parse_batch, dict of lists): best {best(list_times):.3f} s "
          f"of {', '.join(f'{t:.3f}' for t in list_times)}")
    print(f"arrow path (Series in, Table out, pl.DataFrame):  best {best(arrow_times):.3f} s "
          f"of {', '.join(f'{t:.3f}' for t in arrow_times)}")
    print(f"ratio list/arrow: {ratio:.2f}x")
    print(f"load average after the phones: {load_average()}")


def timed(call: Any) -> tuple[float, float, Any]:
    """Wall and CPU seconds (all threads of the process) of ``call()``, and its result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - start, time.process_time() - cpu, result


def clients_section(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    rows = args.clients
    base = cb.ClientBase(cb.Schema())
    report = base.add_clients(pl.DataFrame({
        "surname": [f"Иванов{i}" for i in range(rows)],
        "given_name": ["Иван"] * rows,
        "birthday": [f"19{50 + i % 50}-0{1 + i % 9}-1{i % 9}" for i in range(rows)],
        "phone": [f"+7 916 {i:07d}" for i in range(rows)],
        "email": [f"ivan{i}@example.ru" for i in range(rows)],
        "city": [("Москва", "Казань", None, "Тверь")[i % 4] for i in range(rows)],
    }))
    assert not report["rejected"], report["rejected"][:3]
    print(f"\n{args.clients:,} clients built in {time.perf_counter() - start:.1f} s")
    print(f"load average before to_polars: {load_average()}")
    runs, width = [], 0
    for _ in range(args.repeats):
        wall, cpu, out = timed(base.to_polars)
        runs.append((wall, cpu))
        assert out.height == args.clients
        width = out.width
        del out
    wall, cpu = min(runs)
    print(f"to_polars() of {args.clients:,} clients ({width} "
          f"columns): best {wall:.3f} s (CPU {cpu:.3f} s) "
          f"of {', '.join(f'{t:.3f}' for t, _ in runs)}")
    # Where the time goes: the core's table (built in Rust, moved into Arrow
    # arrays) and polars reading the Arrow stream.
    built, read = [], []
    for _ in range(args.repeats):
        b_wall, b_cpu, table = timed(base.clients_table)
        r_wall, r_cpu, out = timed(lambda: pl.DataFrame(table))
        built.append((b_wall, b_cpu))
        read.append((r_wall, r_cpu))
        del out, table
    print(f"  of which clients_table() best {min(built)[0]:.3f} s (CPU {min(built)[1]:.3f} s), "
          f"pl.DataFrame(table) best {min(read)[0]:.3f} s (CPU {min(read)[1]:.3f} s)")
    print(f"load average after to_polars: {load_average()}")


if __name__ == "__main__":
    raise SystemExit(main())
