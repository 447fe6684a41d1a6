#!/usr/bin/env python3
"""Peer for the duplicate-detection benchmark: Splink (DuckDB backend) on the
clients CSV that `clientbase generate --csv` writes, scored against the truth
JSON that `clientbase generate --truth` writes.

Usage: splink_peer.py --clients CLIENTS.csv --truth TRUTH.json [--threshold 0.9]
                      [--backend duckdb|spark] [--cores 2] [--memory 6g]

`--backend spark` runs Splink's Spark backend in local mode (`local[cores]`, UI
off, Splink's own similarity jar from its package: nothing is downloaded), the
setting `benches/python/spark_dedupe.py` runs clientbase.spark in.

Prints one JSON line on stdout:
  {"tool": "splink", "version": ..., "records": N, "seconds": ...,
   "train_seconds": ..., "pairs_scored": ..., "precision": ..., "recall": ...,
   "f1": ..., "true_pairs": ..., "predicted_pairs": ...}
`seconds` is training + predict + clustering, end to end; reading the CSV and
preparing its columns is not counted (the Rust side does not count loading
either). `train_seconds` is the training part of it. `pairs_scored` is the
number of record pairs the prediction blocking rules generate (what Splink
scores), counted outside the timed part. Splink's own log goes to stderr.
Exits with status 3 when splink or pandas is missing.

The metric (the Rust side computes exactly the same one):
  Both the predicted clusters and the truth entities partition the records.
  A pair of records is *predicted* when both are in the same predicted cluster
  and *true* when both belong to the same truth entity (truth `records`:
  client -> entity; `related` look-alikes are in different entities, so they are
  never true pairs). A group of n records holds n(n-1)/2 pairs, so with c(k,e)
  the number of records in predicted cluster k and truth entity e:
    true_pairs      = sum over e of n_e(n_e-1)/2
    predicted_pairs = sum over k of n_k(n_k-1)/2
    TP              = sum over (k, e) of c(k,e)(c(k,e)-1)/2
    precision = TP / predicted_pairs   (1.0 when nothing is predicted)
    recall    = TP / true_pairs        (1.0 when there is nothing to find)
    f1        = 2 precision recall / (precision + recall)   (0.0 when both are 0)
  Records missing from the clustering output count as singletons.

How the columns are prepared (no clientbase code is used; every rule is here):
  phones    every number in `phones_json`: the text from its first digit up to
            the first letter after it (drops "тел." in front and "доб. 12" /
            "ext. 12" behind), its digits, the last 10 of them (a Russian
            national number without the 7/8 trunk prefix); fewer than 10 -> none
  phone     the smallest of those (a stable pick), for EM training and the prior
  email     the first address in `emails_json`, trimmed and lowercased
  names     lowercased, ё -> е, transliterated Cyrillic -> Latin with a fixed
            table (so "Chernykh" and "Черных" agree); a person with only one of
            surname / given name filled, holding several words, is split as
            "surname given [patronymic]"
  company   lowercased, quotes and legal forms (ООО, ИП, АО, ...) removed,
            words sorted, so "ИП Иванов И. И." == "Иванов И. И. ИП"
  tax_id, birthday (ISO date), city, kind: trimmed, empty -> null
"""

import argparse
import json
import re
import sys
import time

try:
    import numpy as np
    import pandas as pd
    import splink
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
except ImportError as err:
    print(
        f"{err.name} is not installed: pip install splink pandas "
        "(see benches/peers/README.md)",
        file=sys.stderr,
    )
    sys.exit(3)

SPLINK_MAJOR = int(splink.__version__.split(".")[0])

TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
TRANSLIT_TABLE = str.maketrans(TRANSLIT)
LEGAL_FORMS = {"ооо", "ип", "ао", "зао", "оао", "пао", "нко", "ано", "тоо", "llc", "ltd"}


def clean_name(value):
    value = " ".join(value.lower().replace("ё", "е").split())
    return value.translate(TRANSLIT_TABLE) or None


def clean_company(value):
    value = re.sub(r"[«»\"'“”„]", " ", value.lower().replace("ё", "е"))
    words = sorted(w for w in re.split(r"[\s,]+", value) if w and w not in LEGAL_FORMS)
    return " ".join(words) or None


def phone_key(raw):
    """Last 10 digits of the number, ignoring text before it and an extension after it."""
    match = re.search(r"\d[^A-Za-zА-Яа-яЁё]*", raw)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    return digits[-10:] if len(digits) >= 10 else None


def json_list(cell):
    return json.loads(cell) if cell else []


def prepare(raw):
    """The columns a Splink user would derive from the clients CSV."""
    people = raw["kind"] == "person"
    surname = raw["surname"].copy()
    given = raw["given_name"].copy()
    patronymic = raw["patronymic"].copy()
    whole = surname.where(surname != "", given)
    in_one_field = people & ((surname == "") | (given == "")) & whole.str.strip().str.contains(" ")
    parts = whole[in_one_field].str.split()
    surname[in_one_field] = parts.str[0]
    given[in_one_field] = parts.str[1]
    patronymic[in_one_field] = parts.str[2].fillna("")

    phones = [
        sorted({k for k in (phone_key(p["raw"]) for p in json_list(cell)) if k})
        for cell in raw["phones_json"]
    ]
    emails = [
        next((e["raw"].strip().lower() for e in json_list(cell) if e["raw"].strip()), None)
        for cell in raw["emails_json"]
    ]

    def nullable(series):
        return series.str.strip().replace("", None)

    df = pd.DataFrame(
        {
            "unique_id": raw["id"].astype("int64"),
            "kind": raw["kind"],
            "surname": [clean_name(v) for v in surname],
            "given_name": [clean_name(v) for v in given],
            "patronymic": [clean_name(v) for v in patronymic],
            "company": [clean_company(v) for v in raw["company"]],
            "tax_id": nullable(raw["tax_id"]),
            "birthday": nullable(raw["birthday"]),
            "city": nullable(raw["city"]),
            "email": emails,
            "phones": [p if p else None for p in phones],
            "phone": [p[0] if p else None for p in phones],
        }
    )
    df["full_name"] = np.where(
        df["surname"].notna() & df["given_name"].notna(),
        df["given_name"].fillna("") + " " + df["surname"].fillna(""),
        None,
    )
    return df


def name_comparison():
    """Forename/surname with a swapped-order level, Jaro-Winkler, TF on surname."""
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.Or(cll.NullLevel("given_name"), cll.NullLevel("surname")),
            cll.ExactMatchLevel("full_name", term_frequency_adjustments=True),
            cll.ColumnsReversedLevel("given_name", "surname"),
            cll.And(cll.JaroWinklerLevel("given_name", 0.92), cll.JaroWinklerLevel("surname", 0.92)),
            cll.And(cll.JaroWinklerLevel("given_name", 0.88), cll.JaroWinklerLevel("surname", 0.88)),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("surname", 0.92),
            cll.ExactMatchLevel("given_name"),
            cll.ElseLevel(),
        ],
    )


def settings(date_format="%Y-%m-%d"):
    """`date_format` in the backend's own pattern language (Spark: `yyyy-MM-dd`)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name_comparison(),
            cl.JaroWinklerAtThresholds("patronymic", [0.92]),
            cl.JaroWinklerAtThresholds("company", [0.95, 0.88]),
            cl.ExactMatch("tax_id"),
            cl.ArrayIntersectAtSizes("phones", [1]),
            cl.LevenshteinAtThresholds("email", [1, 2]),
            cl.AbsoluteDateDifferenceAtThresholds(
                "birthday", input_is_string=True, datetime_format=date_format, metrics=["year"], thresholds=[1]
            ),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("kind"),
        ],
        blocking_rules_to_generate_predictions=prediction_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def prediction_rules():
    return [
        block_on("phones", arrays_to_explode=["phones"]),
        block_on("email"),
        block_on("surname", "given_name"),
        "l.surname = r.given_name and l.given_name = r.surname",
        block_on("birthday", "surname"),
        block_on("tax_id"),
        block_on("company"),
    ]


def new_linker(df, db_api, date_format="%Y-%m-%d"):
    if SPLINK_MAJOR >= 5:
        return Linker(db_api.register(df), settings(date_format))
    return Linker(df, settings(date_format), db_api)


def train(linker):
    """u by random sampling and m by EM, as the Splink docs recommend."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("phone", "surname"), block_on("surname", "given_name", "birthday")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "given_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))


def pairwise_scores(clusters, entities):
    """Pairwise precision/recall/F1 of a clustering against truth entities.

    `clusters` and `entities` map record id -> group id; records in `entities`
    that are missing from `clusters` are singletons. See the module docstring.
    """
    table = pd.DataFrame({"entity": entities})
    # A record missing from `clusters` gets a cluster of its own: ("single", id).
    table["cluster"] = [
        ("cluster", c) if pd.notna(c) else ("single", i)
        for i, c in zip(table.index, clusters.reindex(table.index))
    ]

    def pairs(sizes):
        sizes = sizes.astype("int64")
        return int((sizes * (sizes - 1) // 2).sum())

    true_pairs = pairs(table.groupby("entity").size())
    predicted_pairs = pairs(table.groupby("cluster").size())
    tp = pairs(table.groupby(["cluster", "entity"]).size())
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "true_positive_pairs": tp,
    }


def count_pairs_scored(df):
    """Record pairs the prediction blocking rules generate, counted exactly."""
    db_api = DuckDBAPI()
    if SPLINK_MAJOR >= 5:
        from splink.blocking_analysis import count_comparisons_from_blocking_rules

        records = count_comparisons_from_blocking_rules(
            db_api.register(df),
            blocking_rules=prediction_rules(),
            link_type="dedupe_only",
            record_sample_proportion=1.0,
        )
        return int(records[-1]["cumulative_comparison_count"])
    from splink.blocking_analysis import (
        cumulative_comparisons_to_be_scored_from_blocking_rules_data as count,
    )

    counts = count(
        table_or_tables=df, blocking_rules=prediction_rules(), link_type="dedupe_only", db_api=db_api
    )
    return int(counts["row_count"].sum())


def spark_api(cores, memory):
    """Splink's Spark backend on a local session, its similarity jar from the package."""
    import os

    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("splink-peer")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", memory)
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # Splink breaks long lineages with checkpoints, which need a directory.
    import tempfile

    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="splink-peer-"))
    return SparkAPI(spark_session=spark)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", required=True, help="clients CSV from `clientbase generate --csv`")
    parser.add_argument("--truth", required=True, help="truth JSON from `clientbase generate --truth`")
    parser.add_argument("--threshold", type=float, default=0.9, help="match probability (default 0.9)")
    parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--cores", type=int, default=2, help="spark: local[cores]")
    parser.add_argument("--memory", default="6g", help="spark: spark.driver.memory")
    args = parser.parse_args()

    raw = pd.read_csv(args.clients, dtype=str, keep_default_na=False)
    with open(args.truth, encoding="utf-8") as f:
        truth = json.load(f)
    entities = pd.Series({r["client"]: r["entity"] for r in truth["records"]})
    df = prepare(raw)

    db_api = DuckDBAPI() if args.backend == "duckdb" else spark_api(args.cores, args.memory)
    start = time.perf_counter()
    linker = new_linker(df, db_api, "%Y-%m-%d" if args.backend == "duckdb" else "yyyy-MM-dd")
    train(linker)
    train_seconds = time.perf_counter() - start
    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold
    )
    clusters = clustered.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - start

    scores = pairwise_scores(clusters.set_index("unique_id")["cluster_id"], entities)
    line = {
        "tool": "splink",
        "backend": args.backend,
        "version": splink.__version__,
        "records": len(df),
        "seconds": round(seconds, 3),
        "train_seconds": round(train_seconds, 3),
        "pairs_scored": count_pairs_scored(df),
        "precision": round(scores["precision"], 6),
        "recall": round(scores["recall"], 6),
        "f1": round(scores["f1"], 6),
        "true_pairs": scores["true_pairs"],
        "predicted_pairs": scores["predicted_pairs"],
        "threshold": args.threshold,
    }
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
