#!/usr/bin/env python3
"""RFM scores and ABC classes of clients on the same order lines as
`benches/benches/value.rs`, by one tool per process, so that each process's
peak memory is its own.

    python value_peer.py --orders orders.csv --as-of 2025-01-01 --tool polars

Tools:

- ``polars``: the lazy API (``scan_csv`` is not used for the timing: the lines
  are read into a DataFrame first, untimed, as an analyst holds them);
- ``pandas``: group-by and ranks on a DataFrame;
- ``clientbase``: ``clientbase.call("rfm", rows=df)`` and ``"abc"`` on the
  polars DataFrame through Arrow (the Python user's path).

The definitions are clientbase's (see ``crates/clientbase/src/value/rfm.rs``
and ``abc.rs``): a purchase is a client's day with lines; recency is the days
from the last purchase to ``as_of``; frequency the purchase days; monetary the
sum of amounts. Quantile scores rank clients worst to best (recency: longest
ago first; frequency and monetary: smallest first), ties by client id, and
the client at 0-based rank ``i`` of ``n`` scores ``1 + 5*i // n``. ABC ranks
clients by revenue, largest first, ties by id; a client is A while the
cumulative revenue up to and including it is at most 80 % of the total, B
while at most 95 %, else C; the first client is always A.

Prints one JSON line: the tool, the seconds of RFM and of ABC (best of
``--repeats``), the peak resident memory of the process before and after the
work (MB), and checksums of the scores and classes that the Rust benchmark
compares with its own. Exits 3 when the tool is not installed.

With ``--memory rfm`` (or ``abc``) it runs only that work, once, as the first
work of the process, and prints the resident memory it added: the fair peak to
compare between tools, since an allocator that keeps the memory of earlier runs
(polars' does) makes a later run's added memory look small.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The resident memory of this process now."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / (1024 * 1024)


class Sampler:
    """Samples the resident memory every 2 ms while the work runs, so the peak
    the work adds is seen even when loading the data peaked higher."""

    def __init__(self) -> None:
        import threading

        self.base = rss_mb()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            self._stop.wait(0.002)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def added(self) -> float:
        return self.peak - self.base


def checksums(client, r, f, m, abc) -> dict:
    """Order-independent sums the Rust bench computes the same way."""
    mask = (1 << 61) - 1
    rfm_sum = 0
    for c, rr, ff, mm in zip(client, r, f, m):
        rfm_sum = (rfm_sum + int(c) * (int(rr) * 100 + int(ff) * 10 + int(mm))) & mask
    abc_sum = 0
    for c, cls in zip(client, abc):
        abc_sum = (abc_sum + int(c) * (ord(cls) - ord("A") + 1)) & mask
    return {"rfm": rfm_sum, "abc": abc_sum}


def run_polars(path: str, as_of: str, repeats: int, memory_of: str | None = None) -> dict:
    import polars as pl

    df = pl.read_csv(path, schema_overrides={"date": pl.Date, "amount": pl.Int64})
    if ONE_CHUNK:
        df = df.rechunk()
    base = peak_mb()
    as_of_day = pl.lit(as_of).str.to_date()

    def score(col: str, descending: bool) -> pl.Expr:
        # Rank worst to best, ties by client id; 1 + 5*i // n.
        order = pl.struct(pl.col(col) * (-1 if descending else 1), pl.col("client"))
        return (order.rank("ordinal") - 1) * 5 // pl.len() + 1

    def rfm():
        return (
            df.lazy()
            .group_by("client")
            .agg(
                recency=(as_of_day - pl.col("date").max()).dt.total_days(),
                frequency=pl.col("date").n_unique(),
                monetary=pl.col("amount").sum(),
            )
            .with_columns(
                r=score("recency", True),
                f=score("frequency", False),
                m=score("monetary", False),
            )
            .collect()
        )

    def abc():
        return (
            df.lazy()
            .group_by("client")
            .agg(revenue=pl.col("amount").sum())
            .sort(["revenue", "client"], descending=[True, False])
            .with_columns(
                cum=pl.col("revenue").clip(lower_bound=0).cum_sum(),
                total=pl.col("revenue").clip(lower_bound=0).sum(),
                first=pl.int_range(pl.len()) == 0,
            )
            .with_columns(
                abc=pl.when(pl.col("first") | (pl.col("cum") * 100 <= pl.col("total") * 80))
                .then(pl.lit("A"))
                .when(pl.col("cum") * 100 <= pl.col("total") * 95)
                .then(pl.lit("B"))
                .otherwise(pl.lit("C"))
            )
            .collect()
        )

    if memory_of:
        return first_run({"rfm": rfm, "abc": abc}[memory_of])
    t_rfm, out_rfm = timed(rfm, repeats)
    t_abc, out_abc = timed(abc, repeats)
    clients = out_rfm["client"].to_list()
    by_client = dict(zip(out_abc["client"].to_list(), out_abc["abc"].to_list()))
    sums = checksums(clients, out_rfm["r"].to_list(), out_rfm["f"].to_list(),
                     out_rfm["m"].to_list(), [by_client[c] for c in clients])
    return {"rfm_s": t_rfm, "abc_s": t_abc, "base_mb": base, "peak_mb": peak_mb(),
            "clients": len(clients), "version": pl.__version__, **sums}


def run_pandas(path: str, as_of: str, repeats: int, memory_of: str | None = None) -> dict:
    import pandas as pd

    df = pd.read_csv(path, dtype={"client": "int64", "amount": "int64"}, parse_dates=["date"])
    base = peak_mb()
    as_of_ts = pd.Timestamp(as_of)

    def score(frame, col: str, descending: bool):
        order = frame.sort_values([col, "client"], ascending=[not descending, True])
        ranks = pd.Series(range(len(order)), index=order.index)
        return ranks * 5 // len(order) + 1

    def rfm():
        g = df.groupby("client", sort=False)
        out = pd.DataFrame(
            {
                "recency": (as_of_ts - g["date"].max()).dt.days,
                "frequency": g["date"].nunique(),
                "monetary": g["amount"].sum(),
            }
        ).reset_index()
        out["r"] = score(out, "recency", True)
        out["f"] = score(out, "frequency", False)
        out["m"] = score(out, "monetary", False)
        return out

    def abc():
        out = df.groupby("client", sort=False)["amount"].sum().rename("revenue").reset_index()
        out = out.sort_values(["revenue", "client"], ascending=[False, True], ignore_index=True)
        positive = out["revenue"].clip(lower=0)
        cum = positive.cumsum()
        total = positive.sum()
        cls = pd.Series("C", index=out.index)
        cls[cum * 100 <= total * 95] = "B"
        cls[cum * 100 <= total * 80] = "A"
        cls.iloc[0] = "A"
        out["abc"] = cls
        return out

    if memory_of:
        return first_run({"rfm": rfm, "abc": abc}[memory_of])
    t_rfm, out_rfm = timed(rfm, repeats)
    t_abc, out_abc = timed(abc, repeats)
    clients = out_rfm["client"].tolist()
    by_client = dict(zip(out_abc["client"].tolist(), out_abc["abc"].tolist()))
    sums = checksums(clients, out_rfm["r"], out_rfm["f"], out_rfm["m"],
                     [by_client[c] for c in clients])
    return {"rfm_s": t_rfm, "abc_s": t_abc, "base_mb": base, "peak_mb": peak_mb(),
            "clients": len(clients), "version": pd.__version__, **sums}


def run_clientbase(path: str, as_of: str, repeats: int, memory_of: str | None = None) -> dict:
    import polars as pl

    import clientbase as cb

    df = pl.read_csv(path, schema_overrides={"date": pl.Date, "amount": pl.Int64})
    # Amounts in the file are kopecks; as rubles in a float column (what a
    # DataFrame usually holds), which clientbase rounds to the kopeck.
    df = df.with_columns(pl.col("amount") / 100)
    if ONE_CHUNK:
        df = df.rechunk()
    base = peak_mb()

    def rfm():
        return cb.call("rfm", rows=df, as_of=as_of)

    def abc():
        return cb.call("abc", rows=df)

    if memory_of:
        return first_run({"rfm": rfm, "abc": abc}[memory_of])
    t_rfm, out_rfm = timed(rfm, repeats)
    t_abc, out_abc = timed(abc, repeats)
    r = pl.DataFrame(out_rfm)
    a = pl.DataFrame(out_abc)
    clients = r["client"].to_list()
    by_client = dict(zip(a["client"].to_list(), a["class"].to_list()))
    sums = checksums(clients, r["r"], r["f"], r["m"], [by_client[c] for c in clients])
    return {"rfm_s": t_rfm, "abc_s": t_abc, "base_mb": base, "peak_mb": peak_mb(),
            "clients": len(clients), "version": getattr(cb, "__version__", "?"), **sums}


ADDED: list[float] = []
# `--one-chunk`: the polars frame joined into one chunk after reading (a CSV
# read gives about a hundred), so that its Arrow stream is one batch.
ONE_CHUNK = False


def first_run(work) -> dict:
    """The resident memory `work` adds the first time it runs in this process
    (`--memory`): nothing ran before it, so no allocator holds memory of an
    earlier run that the work could reuse unseen."""
    with Sampler() as sampler:
        work()
    return {"added_mb": sampler.added, "first_run": True}


def timed(work, repeats: int):
    """Best wall-clock time of `repeats` runs and the last output; then one
    more run under the memory sampler (which slows the work a little, so it
    is not timed), whose added resident memory goes to ADDED."""
    best, out = float("inf"), None
    for _ in range(repeats):
        out = None
        start = time.perf_counter()
        out = work()
        best = min(best, time.perf_counter() - start)
    out = None
    with Sampler() as sampler:
        out = work()
    ADDED.append(sampler.added)
    return best, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", required=True, help="CSV: client,date,amount (kopecks)")
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--tool", choices=["polars", "pandas", "clientbase"], required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--memory",
        choices=["rfm", "abc"],
        help="only run this work once, as the first in the process, and print the "
        "resident memory it added (no times, no checksums)",
    )
    parser.add_argument(
        "--one-chunk",
        action="store_true",
        help="join the polars frame into one chunk after reading it",
    )
    args = parser.parse_args()
    global ONE_CHUNK
    ONE_CHUNK = args.one_chunk
    runner = {"polars": run_polars, "pandas": run_pandas, "clientbase": run_clientbase}[args.tool]
    try:
        result = runner(args.orders, args.as_of, args.repeats, args.memory)
    except ModuleNotFoundError as err:
        print(f"{args.tool}: {err}; install it into this Python to run the peer", file=sys.stderr)
        return 3
    if not args.memory:
        result["added_mb"] = max(ADDED, default=0.0)
    print(json.dumps({"tool": args.tool, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
