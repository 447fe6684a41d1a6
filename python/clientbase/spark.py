"""The whole-base dedupe on Apache Spark, with the same answer as one machine.

``pip install 'clientbase[spark]'``. :func:`dedupe` runs
:meth:`clientbase.MatchIndex.dedupe`'s algorithm over a Spark DataFrame of
clients with DataFrame operations and Arrow Python functions only
(``mapInArrow``, ``groupBy().applyInArrow``): no JVM jars, no RDDs, no
``sparkContext``, so it runs on shared and serverless clusters and over Spark
Connect. Every score and every cluster is computed by the same Rust code as on
one machine, with the whole base's term frequencies, so the clusters, links,
refused links and blocking statistics equal ``MatchIndex(base).dedupe()``'s.

The steps:

1. each client reduced to its matching keys in ``mapInArrow`` (a versioned
   binary blob, its blocking keys and term-frequency values as int64 hashes);
2. term-frequency counts and block sizes in Spark SQL; blocks over
   ``max_block`` records are dropped (the block guard) and reported in
   ``blocking``;
3. the records of each block key side by side
   (``repartition(hash).sortWithinPartitions(hash)``), every run of one key
   compared pair by pair in ``mapInArrow``; a pair sharing several keys is
   compared once, under its smallest key;
4. connected components of the duplicate links (on the driver when they fit,
   else min-label propagation with pointer jumping in DataFrame operations), then each component
   clustered in ``applyInArrow`` under the chain guard, the cluster size
   limit and the "not a duplicate" decisions.

>>> from pyspark.sql import SparkSession                  # doctest: +SKIP
>>> import clientbase.spark as cs                         # doctest: +SKIP
>>> found = cs.dedupe(spark.createDataFrame(rows))        # doctest: +SKIP
>>> found.clusters.write.parquet("clusters.parquet")      # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from clientbase import _native

__all__ = ["SparkDedupe", "dedupe", "components"]

_PREPARED = "kind byte, id long, hash long, aux int, blob binary"
_SCORED = "left long, right long, weight double, probability double, verdict byte"
_CLUSTERED = "kind byte, cluster long, left long, right long, weight double, probability double"


def _prepare_fn(
    options: str, id_column: str
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def prepare(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield pa.record_batch(_native._spark_prepare(batch, options, id_column))

    return prepare


def _score_fn(
    options: str, stats: str
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        scorer = _native._SparkBlockScorer(options, stats)
        for batch in batches:
            found = pa.record_batch(scorer.push(batch))
            if found.num_rows:
                yield found
        yield pa.record_batch(scorer.finish())

    return score


def _cluster_fn(options: str, stats: str, decisions: str) -> Callable[[pa.Table], pa.Table]:
    schema = pa.schema(
        [
            ("kind", pa.int8()),
            ("cluster", pa.int64()),
            ("left", pa.int64()),
            ("right", pa.int64()),
            ("weight", pa.float64()),
            ("probability", pa.float64()),
        ]
    )

    def cluster(table: pa.Table) -> pa.Table:
        batches = table.combine_chunks().to_batches()
        if not batches:
            return schema.empty_table()
        out = _native._spark_cluster(batches[0], options, stats, decisions)
        return pa.Table.from_batches([pa.record_batch(out)])

    return cluster


def _kept(frame: DataFrame) -> DataFrame:
    """``frame`` computed once and kept (memory, then disk) until unpersisted:
    the intermediate steps are released as soon as the next one holds its
    result, so repeated runs in one session do not pile up."""
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
    frame.count()
    return frame


def components(
    edges: DataFrame, *, driver_edges: int = 20_000_000, max_rounds: int = 200
) -> DataFrame:
    """The connected components of an undirected graph given as a DataFrame of
    edges ``(left, right)`` (longs): one row ``(id, component)`` per node, the
    component named by its smallest id.

    A graph of at most ``driver_edges`` edges (20 million by default, 320 MB of
    Arrow: the duplicate links of a base of a few hundred million clients) is
    collected to the driver and solved there by a union-find in Rust. A larger
    one runs as DataFrame operations: min-label propagation with pointer
    jumping, each round cut from its lineage with ``localCheckpoint``. That
    path is for graphs of short components: a long chain takes many rounds,
    and Spark's size estimates of the checkpointed self-joins grow each round
    (a chain of 200 nodes exhausts a 1 GB driver); more than ``max_rounds``
    rounds is an error (``RuntimeError``), not a wrong answer.
    """
    spark = edges.sparkSession
    if edges.count() <= driver_edges:
        table = edges.select(F.col("left").cast("long"), F.col("right").cast("long")).toArrow()
        batches = table.combine_chunks().to_batches()
        if not batches:
            return spark.createDataFrame([], "id long, component long")
        found = pa.Table.from_batches([pa.record_batch(_native._spark_components(batches[0]))])
        return spark.createDataFrame(found)
    both = (
        edges.select(F.col("left").alias("src"), F.col("right").alias("dst"))
        .union(edges.select(F.col("right").alias("src"), F.col("left").alias("dst")))
        .distinct()
        .localCheckpoint()
    )
    labels = (
        both.groupBy("src")
        .agg(F.min("dst").alias("m"))
        .select(F.col("src").alias("id"), F.least("src", "m").alias("label"))
        .localCheckpoint()
    )
    for _ in range(max_rounds):
        reached = (
            both.join(labels.withColumnRenamed("id", "src"), "src")
            .groupBy("dst")
            .agg(F.min("label").alias("p"))
            .withColumnRenamed("dst", "id")
        )
        # Checkpointed before the self-join: a join of a plan with itself
        # sends the optimizer's runtime filters into a plan that grows
        # without end (out of memory on a chain of 1000).
        spread = (
            labels.join(reached, "id", "left")
            .select(
                "id",
                F.col("label").alias("old"),
                F.least("label", F.coalesce("p", "label")).alias("label"),
            )
            .localCheckpoint()
        )
        a, b = spread.alias("a"), spread.alias("b")
        jumped = (
            a.join(b, F.col("a.label") == F.col("b.id"), "left")
            .select(
                F.col("a.id").alias("id"),
                F.col("a.old").alias("old"),
                F.least(F.col("a.label"), F.coalesce(F.col("b.label"), F.col("a.label"))).alias(
                    "label"
                ),
            )
            .localCheckpoint()
        )
        changed = jumped.filter("label != old").count()
        labels = jumped.select("id", "label")
        if changed == 0:
            return labels.withColumnRenamed("label", "component")
    raise RuntimeError(f"connected components did not settle in {max_rounds} rounds")


@dataclass
class SparkDedupe:
    """What :func:`dedupe` found: counts on the driver, the rest as DataFrames
    (write them with ``.write.parquet(...)`` or to Delta).

    - ``clusters``: ``cluster``, ``client`` — every record of a cluster of two
      or more, the cluster named by its oldest (smallest) id;
    - ``links``: ``cluster``, ``left``, ``right``, ``weight``, ``probability`` —
      the duplicate links that joined each cluster;
    - ``related``: ``left``, ``right``, ``weight``, ``probability`` — related
      clients (sharing a phone, email or home) in no cluster together;
    - ``refused``: the same columns — duplicate links left out by the chain
      guard, the size limit or a decision.
    """

    records: int
    """Clients compared (rows read)."""
    unread: int
    """Rows that could not be read as clients (as an import would reject them)."""
    comparisons: int
    """Distinct pairs compared."""
    blocking: list[dict[str, Any]]
    """What each blocking key did, as ``MatchIndex.dedupe()["blocking"]``."""
    clusters: DataFrame
    links: DataFrame
    related: DataFrame
    refused: DataFrame
    timings: dict[str, float]
    """Seconds each stage took on the driver's clock (``prepare``, ``counts``,
    ``blocks``, ``score``, ``components``, ``cluster``), for sizing a cluster."""

    def to_dict(self) -> dict[str, Any]:
        """Everything collected to the driver in the shape of
        ``MatchIndex.dedupe()`` (``records``, ``comparisons``, ``blocking``,
        ``clusters`` with their ``members`` and ``links``, ``related``,
        ``refused``): for bases that fit the driver, and for tests."""

        def link(row: Any, verdict: str) -> dict[str, Any]:
            return {
                "left": row["left"],
                "right": row["right"],
                "weight": row["weight"],
                "probability": row["probability"],
                "verdict": verdict,
            }

        members: dict[int, list[int]] = {}
        for row in self.clusters.collect():
            members.setdefault(row["cluster"], []).append(row["client"])
        links: dict[int, list[dict[str, Any]]] = {}
        for row in self.links.collect():
            links.setdefault(row["cluster"], []).append(link(row, "duplicate"))
        clusters = [
            {
                "id": cid,
                "members": sorted(members[cid]),
                "links": sorted(
                    links.get(cid, []), key=lambda x: (-x["weight"], x["left"], x["right"])
                ),
            }
            for cid in sorted(members)
        ]
        related = sorted(
            (link(r, "related") for r in self.related.collect()),
            key=lambda x: (x["left"], x["right"]),
        )
        refused = sorted(
            (link(r, "duplicate") for r in self.refused.collect()),
            key=lambda x: (x["left"], x["right"]),
        )
        return {
            "records": self.records,
            "comparisons": self.comparisons,
            "blocking": self.blocking,
            "clusters": clusters,
            "related": related,
            "refused": refused,
        }


def _decisions_json(not_duplicates: Sequence[tuple[int, int]] | None) -> str:
    pairs = [[int(a), int(b)] for a, b in (not_duplicates or [])]
    return json.dumps({"not_duplicates": pairs})


def dedupe(
    clients: DataFrame,
    *,
    id_column: str = "id",
    options: Mapping[str, Any] | None = None,
    not_duplicates: Sequence[tuple[int, int]] | None = None,
    partitions: int | None = None,
    driver_edges: int = 20_000_000,
) -> SparkDedupe:
    """Deduplicates a DataFrame of clients as :meth:`clientbase.MatchIndex.dedupe`
    would on one machine.

    ``clients`` has a column of ids (``id_column``: whole numbers from 1,
    unique) and columns named by import target, as for
    :meth:`clientbase.ClientBase.add_clients` (``surname``, ``given_name``,
    ``phone``, ``email``, ``birthday``, ``phones_json``, ...;
    ``ClientBase.clients_table()`` gives them). ``options`` are the match
    settings of :class:`clientbase.MatchIndex` (``model``, ``threshold``,
    ``keys``, ``max_block``, ``max_cluster``, ...): pass a model estimated on
    one machine (``MatchIndex.estimate`` over a sample, then
    ``index.model()``) as ``options={"model": model}``. ``not_duplicates`` are
    the pairs decided not to be one client. ``partitions`` sets how many
    partitions the blocks are spread over (default: Spark's shuffle
    partitions).
    Components of up to ``driver_edges``
    duplicate links are found on the driver (see :func:`components`).
    """
    options_json = json.dumps(dict(options or {}))
    # Checked on the driver first: a bad option fails here, not in a task.
    scorer_check = _native._SparkBlockScorer(options_json, "{}")
    del scorer_check
    settings = dict(options or {})
    max_block = int(settings.get("max_block", 20))
    decisions = _decisions_json(not_duplicates)

    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = now - clock[0]
        clock[0] = now

    prepared = _kept(clients.mapInArrow(_prepare_fn(options_json, id_column), _PREPARED))
    lap("prepare")
    # One pass: records read (kind 0), rows unread (kind 4) and term-frequency
    # values per field (kind 2, the field in aux).
    tally = (
        prepared.filter("kind in (0, 2, 4)")
        .groupBy("kind", F.when(F.col("kind") == 2, F.col("aux")).otherwise(0).alias("field"))
        .agg(F.count("*").alias("n"))
        .collect()
    )
    fields = _native._spark_fields()
    totals = [0] * len(fields)
    records = unread = 0
    for row in tally:
        if row["kind"] == 0:
            records = row["n"]
        elif row["kind"] == 4:
            unread = row["n"]
        else:
            totals[row["field"]] = row["n"]
    values = prepared.filter("kind = 2").select(F.col("aux").alias("field"), "hash")
    stats = json.dumps({"records": records, "totals": totals})

    entries = prepared.filter("kind = 1").select("hash", "id", F.col("aux").alias("key"))
    sizes = entries.groupBy("hash").agg(
        F.count("*").alias("n"), F.min(F.struct("id", "key")).alias("first")
    )
    classes = (
        sizes.filter("n >= 2")
        .groupBy(F.col("first.key").alias("key"), "n")
        .agg(F.count("*").alias("times"))
        .collect()
    )
    blocking = _native._spark_blocking_stats(
        [(r["key"], r["n"], r["times"]) for r in classes], max_block
    )
    lap("counts")
    kept = sizes.filter((F.col("n") >= 2) & (F.col("n") <= max_block)).select("hash")
    keys = (
        entries.join(kept, "hash", "left_semi")
        .groupBy("id")
        .agg(F.array_sort(F.collect_set("hash")).alias("keys"))
    )
    term_counts = values.groupBy("field", "hash").agg(F.count("*").alias("count"))
    terms = (
        prepared.filter("kind = 3")
        .select("id", "hash")
        .join(keys.select("id"), "id", "left_semi")
        .join(term_counts, "hash")
        .groupBy("id")
        .agg(
            F.collect_list(
                F.struct(
                    F.col("field").cast("int").alias("field"),
                    F.col("hash"),
                    F.col("count").cast("long").alias("count"),
                )
            ).alias("terms")
        )
    )
    blocked = _kept(
        prepared.filter("kind = 0").select("id", "blob").join(keys, "id").join(terms, "id", "left")
    )
    lap("blocks")

    rows = blocked.select(F.explode("keys").alias("hash"), "id", "blob", "terms", "keys")
    rows = rows.repartition(partitions, "hash") if partitions else rows.repartition("hash")
    scored = (
        rows.sortWithinPartitions("hash", "id")
        .mapInArrow(_score_fn(options_json, stats), _SCORED)
        .localCheckpoint()
    )
    summary = {
        r["verdict"]: (r["n"], r["total"])
        for r in scored.groupBy("verdict")
        .agg(F.count("*").alias("n"), F.sum("left").alias("total"))
        .collect()
    }
    comparisons = summary.get(-1, (0, 0))[1] or 0
    duplicates = scored.filter("verdict = 0").select("left", "right", "weight")
    related = scored.filter("verdict = 1").select("left", "right", "weight", "probability")
    lap("score")

    spark = clients.sparkSession
    if 0 not in summary:
        comp = spark.createDataFrame([], "id long, component long")
    else:
        comp = components(duplicates.select("left", "right"), driver_edges=driver_edges)
    lap("components")
    link_rows = duplicates.join(
        comp.withColumnRenamed("id", "left"), "left"
    ).select(
        F.lit(0).cast("byte").alias("kind"),
        "component",
        "left",
        "right",
        "weight",
        F.lit(None).cast("long").alias("id"),
        F.lit(None).cast("binary").alias("blob"),
        F.lit(None).cast(blocked.schema["terms"].dataType).alias("terms"),
    )
    member_rows = comp.join(blocked, "id").select(
        F.lit(1).cast("byte").alias("kind"),
        "component",
        F.lit(None).cast("long").alias("left"),
        F.lit(None).cast("long").alias("right"),
        F.lit(None).cast("double").alias("weight"),
        "id",
        "blob",
        "terms",
    )
    clustered = (
        link_rows.unionByName(member_rows)
        .groupBy("component")
        .applyInArrow(_cluster_fn(options_json, stats, decisions), _CLUSTERED)
        .localCheckpoint()
    )
    lap("cluster")
    for done in (prepared, blocked):
        done.unpersist()
    members = clustered.filter("kind = 0").select("cluster", F.col("left").alias("client"))
    cluster_links = clustered.filter("kind = 1").select(
        "cluster", "left", "right", "weight", "probability"
    )
    refused = clustered.filter("kind = 2").select("left", "right", "weight", "probability")
    a = members.select(F.col("client").alias("left"), F.col("cluster").alias("ca"))
    b = members.select(F.col("client").alias("right"), F.col("cluster").alias("cb"))
    related = (
        related.join(a, "left", "left")
        .join(b, "right", "left")
        .filter(F.col("ca").isNull() | F.col("cb").isNull() | (F.col("ca") != F.col("cb")))
        .select("left", "right", "weight", "probability")
    )
    return SparkDedupe(
        records=records,
        unread=unread,
        comparisons=int(comparisons),
        blocking=[dict(s) for s in blocking],
        clusters=members,
        links=cluster_links,
        related=related,
        refused=refused,
        timings=timings,
    )
