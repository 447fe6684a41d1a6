"""clientbase.spark.dedupe against MatchIndex.dedupe on one machine, on a generated base.

Run from the repository root with the package installed in .venv (``make bench-spark``
builds it in release and runs this):

    .venv/bin/python benches/python/spark_dedupe.py --clients 100000 --cores 2

Prints the one-machine time, the Spark local-mode time with each stage's seconds
(``SparkDedupe.timings``), whether the two answers are equal, and the load average.
The Spark session is ``local[cores]`` with the UI off; the workers run the
venv's interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import pyarrow as pa

FIELDS = [
    "id",
    "kind",
    "surname",
    "given_name",
    "patronymic",
    "company",
    "tax_id",
    "birthday",
    "city",
    "region",
    "postcode",
    "address",
    "phones_json",
    "emails_json",
]


def pairwise_scores(clusters: list, truth_path: str) -> dict:
    """Pairwise precision, recall and F1 of `clusters` against the truth's entities: the
    metric of benches/peers/splink_peer.py (records in no cluster are singletons)."""
    with open(truth_path, encoding="utf-8") as f:
        entity = {r["client"]: r["entity"] for r in json.load(f)["records"]}
    cluster = {m: c["id"] for c in clusters for m in c["members"]}

    def pairs(groups: dict) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    def count(key) -> dict:
        sizes: dict = {}
        for record in entity:
            k = key(record)
            sizes[k] = sizes.get(k, 0) + 1
        return sizes

    predicted = pairs(count(lambda r: cluster.get(r, ("single", r))))
    true = pairs(count(lambda r: entity[r]))
    tp = pairs(count(lambda r: (cluster.get(r, ("single", r)), entity[r])))
    precision = tp / predicted if predicted else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 6), "recall": round(recall, 6), "f1": round(f1, 6)}


def run_splink(args: argparse.Namespace) -> object:
    """benches/peers/splink_peer.py on Spark in a process of its own (one local Spark at a
    time on the machine); its JSON line, or why it did not run."""
    import subprocess
    from pathlib import Path

    peer = Path(__file__).resolve().parent.parent / "peers" / "splink_peer.py"
    command = [sys.executable, str(peer), "--clients", args.splink_csv, "--truth", args.truth,
               "--backend", "spark", "--cores", str(args.cores), "--memory", args.memory]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode == 3:
        return "splink is not installed (pip install splink)"
    if done.returncode != 0:
        return "splink failed: " + done.stderr.strip().splitlines()[-1][:300]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--memory", default="3g", help="spark.driver.memory")
    parser.add_argument(
        "--base-file",
        help="open this base file (e.g. from `clientbase generate --out base.cb`) instead of "
        "generating the base as JSON, which does not fit in memory at 1M clients",
    )
    parser.add_argument(
        "--truth",
        help="truth JSON from `clientbase generate --truth`: adds pairwise precision, recall "
        "and F1 of the clusters, as benches/peers/splink_peer.py scores Splink",
    )
    parser.add_argument(
        "--splink-csv",
        help="the clients CSV from `clientbase generate --csv` (with --truth): after clientbase, "
        "runs Splink's Spark backend on it in the same run (benches/peers/splink_peer.py "
        "--backend spark, same cores) and prints both side by side",
    )
    args = parser.parse_args()
    if args.splink_csv and not args.truth:
        parser.error("--splink-csv needs --truth")

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable

    import clientbase as cb
    import clientbase.spark as cs
    from clientbase import _native
    from pyspark.sql import SparkSession

    t = time.perf_counter()
    if args.base_file:
        base = cb.ClientBase.open(args.base_file, read_only=True)
    else:
        base = cb.ClientBase.from_json(_native._generate_base_json(args.clients, args.seed))
    generate_s = time.perf_counter() - t

    t = time.perf_counter()
    want = cb.MatchIndex(base).dedupe()
    one_machine_s = time.perf_counter() - t

    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("clientbase-spark-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", args.memory)
        .config("spark.sql.shuffle.partitions", str(args.partitions))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    table = pa.table(base.clients_table(FIELDS))
    table = table.set_column(0, "id", table.column("id").cast(pa.int64()))
    # The base is not needed any more: its memory goes back before Spark works.
    clients_count = base.counts()["clients"]
    del base
    clients = spark.createDataFrame(table).repartition(args.partitions).localCheckpoint()

    t = time.perf_counter()
    found = cs.dedupe(clients, partitions=args.partitions)
    got = found.to_dict()
    spark_s = time.perf_counter() - t

    def members(result: dict) -> list:
        return [(c["id"], list(c["members"])) for c in result["clusters"]]

    equal = (
        members(got) == members(want)
        and got["comparisons"] == want["comparisons"]
        and got["blocking"] == list(want["blocking"])
    )
    report = {
        "clients": clients_count,
        "cores": args.cores,
        "partitions": args.partitions,
        "generate_s": round(generate_s, 2),
        "one_machine_s": round(one_machine_s, 2),
        "spark_s": round(spark_s, 2),
        "spark_stages_s": {k: round(v, 2) for k, v in found.timings.items()},
        "comparisons": got["comparisons"],
        "clusters": len(got["clusters"]),
        "equal_to_one_machine": equal,
        **(pairwise_scores(got["clusters"], args.truth) if args.truth else {}),
        "load_average": os.getloadavg(),
    }
    spark.stop()
    if args.splink_csv:
        report["splink"] = run_splink(args)
        if isinstance(report["splink"], dict) and "seconds" in report["splink"]:
            report["splink_s_over_clientbase_s"] = round(report["splink"]["seconds"] / spark_s, 2)
    print(json.dumps(report, indent=2))
    if not equal:
        sys.exit("the Spark answer differs from one machine's")


if __name__ == "__main__":
    main()
