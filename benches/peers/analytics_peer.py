#!/usr/bin/env python3
"""Sales analytics slices on the same deal lines as
`benches/benches/analytics.rs`, computed by polars (lazy API).

    python analytics_peer.py --lines lines.csv --from 2022-07-01 --to 2024-06-30

The lines are read into a DataFrame first, untimed, as an analyst holds them.
The definitions are clientbase's (see ``crates/clientbase/src/analytics/``):
a deal counts on its close day when closed, else its creation day; per slice,
revenue is the sum of the won deals' line amounts, deals / won / lost / open
count distinct deals (by product or category: distinct deal and slice pairs),
won rate is won over won and lost, average deal is revenue over won deals,
the sales cycle is the days from creation to close of the won deals (mean
and median), lines counts lines. Slices: manager, category, city, month.

Prints one JSON line: per slice the best of ``--repeats`` seconds, the rows,
and sums the Rust bench compares with its own (revenue, deals, won, and the
sum of squared deal counts). Exits 3 when polars is not installed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", required=True)
    parser.add_argument("--from", dest="frm", required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        import polars as pl
    except ImportError:
        return 3
    df = pl.read_csv(
        args.lines,
        schema_overrides={
            "deal": pl.Int64,
            "amount": pl.Int64,
            "created": pl.Date,
            "closed": pl.Date,
            "status": pl.Utf8,
            "manager": pl.Utf8,
            "city": pl.Utf8,
            "category": pl.Utf8,
            "client": pl.Int64,
            "source": pl.Utf8,
        },
    )
    frm = pl.lit(args.frm).str.to_date()
    to = pl.lit(args.to).str.to_date()
    won = pl.col("status") == "won"
    lost = pl.col("status") == "lost"
    cycle = (pl.col("closed") - pl.col("created")).dt.total_days()

    def slice_of(key: str) -> pl.DataFrame:
        lf = df.lazy().with_columns(day=pl.coalesce("closed", "created"))
        lf = lf.filter(pl.col("day").is_between(frm, to))
        if key == "month":
            lf = lf.with_columns(month=pl.col("day").dt.truncate("1mo"))
        subset = ["deal", key] if key in ("category", "product") else ["deal"]
        deals = (
            lf.unique(subset=subset, keep="any")
            .group_by(key)
            .agg(
                deals=pl.len(),
                won=won.sum(),
                lost=lost.sum(),
                open=(~won & ~lost).sum(),
                cycle_mean=cycle.filter(won).mean(),
                cycle_median=cycle.filter(won).median(),
            )
        )
        lines = lf.group_by(key).agg(
            revenue=pl.col("amount").filter(won).sum(), lines=pl.len()
        )
        return (
            deals.join(lines, on=key)
            .with_columns(
                won_rate=pl.col("won") / (pl.col("won") + pl.col("lost")),
                average_deal=(pl.col("revenue") / pl.col("won")).round(0),
            )
            .sort(key)
            .collect()
        )

    out: dict[str, object] = {"version": pl.__version__}
    for key in ("manager", "category", "city", "month", "client", "source"):
        best = float("inf")
        table = None
        for _ in range(args.repeats):
            start = time.perf_counter()
            table = slice_of(key)
            best = min(best, time.perf_counter() - start)
        assert table is not None
        out[key] = {
            "s": best,
            "rows": table.height,
            "revenue": int(table["revenue"].sum()),
            "deals": int(table["deals"].sum()),
            "won": int(table["won"].sum()),
            "deals_sq": int((table["deals"].cast(pl.Int64) ** 2).sum()),
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
