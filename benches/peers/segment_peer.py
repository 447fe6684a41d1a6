#!/usr/bin/env python3
"""The 10-condition segment rule of `benches/benches/segment.rs`, written in
polars (lazy) on the same clients and deals, for the time ratio.

    python segment_peer.py --dir DIR --as-of 2026-09-01

DIR holds ``clients.csv`` (client, city, stage, temperature, loyalty, vip,
sms, email, created), ``purchases.csv`` (client, date, amount in minor units)
and ``lines.csv`` (client, date, category), written by the Rust benchmark
from its base: won deals only, dates in UTC. The frames are read first,
untimed, as an analyst holds them; the lazy query (filters, two group-bys,
two joins) is timed, best of ``--repeats``.

The rule's semantics, as clientbase defines them: ``within last N months``
is the closed range from the analysis date shifted back N calendar months to
the analysis date; ``months(...)`` counts distinct calendar months; ``created
more than 90 days ago`` is created on or before the analysis date less 90
days; temperature orders cold < warm < hot.

Prints one JSON line: the tool's version, the seconds, the number of
matching clients and the sum of their ids (the Rust benchmark compares both).
Exits 3 when polars is not installed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta


def months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        import polars as pl
    except ImportError:
        return 3
    as_of = date.fromisoformat(args.as_of)
    dates = {"date": pl.Date}
    clients = pl.read_csv(f"{args.dir}/clients.csv", try_parse_dates=True)
    purchases = pl.read_csv(f"{args.dir}/purchases.csv", schema_overrides=dates)
    lines = pl.read_csv(f"{args.dir}/lines.csv", schema_overrides=dates)

    def query() -> pl.DataFrame:
        spent = (
            purchases.lazy()
            .filter(pl.col("date").is_between(months_back(as_of, 24), as_of))
            .group_by("client")
            .agg(pl.col("amount").sum().alias("spent"))
        )
        books = (
            lines.lazy()
            .filter(
                (pl.col("category") == "Книги")
                & pl.col("date").is_between(months_back(as_of, 12), as_of)
            )
            .group_by("client")
            .agg(pl.col("date").dt.truncate("1mo").n_unique().alias("months"))
        )
        return (
            clients.lazy()
            .filter(
                pl.col("stage").is_in(["customer", "loyal"])
                & pl.col("city").is_in(["Москва", "Казань", "Пермь"])
                & pl.col("sms")
                & ~pl.col("email")
                & (pl.col("loyalty") >= 5)
                & (pl.col("temperature") >= 1)
                & (pl.col("created") <= as_of - timedelta(days=90))
                & pl.col("vip")
            )
            .join(spent, on="client")
            .filter(pl.col("spent") > 5_000_000)
            .join(books, on="client")
            .filter(pl.col("months") >= 3)
            .select(pl.len().alias("n"), pl.col("client").sum().alias("ids"))
            .collect()
        )

    best = float("inf")
    result = None
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = query()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    print(
        json.dumps(
            {
                "version": pl.__version__,
                "seconds": best,
                "matched": int(result["n"][0]),
                "ids": int(result["ids"][0] or 0),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
