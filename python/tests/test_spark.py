"""clientbase.spark on a local Spark (``local[2]``): the Spark pipeline's answer
equals one machine's (``MatchIndex.dedupe``) on generated bases, under a block
guard hit by a phone shared by 10k records, with decisions, and the connected
components settle on a long chain.

pyspark and Java are required here: ``make test`` installs pyspark, and a
missing one fails these tests rather than skipping them.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from pyspark.sql import DataFrame, SparkSession

import clientbase as cb
import clientbase.spark as cs
from clientbase import _native

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


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("clientbase-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "4")
        # Small Arrow batches, so block runs cross batch boundaries.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .config("spark.sql.execution.pythonUDF.arrow.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


def generated(clients: int, seed: int) -> cb.ClientBase:
    return cb.ClientBase.from_json(_native._generate_base_json(clients, seed))


def frame(spark: SparkSession, base: cb.ClientBase) -> DataFrame:
    table = pa.table(base.clients_table(FIELDS))
    table = table.set_column(0, "id", table.column("id").cast(pa.int64()))
    return spark.createDataFrame(table)


def normalized(result: Any) -> dict[str, Any]:
    """A dedupe result with links in one order, to compare two of them."""

    def links(ls: list[Any]) -> list[tuple[Any, ...]]:
        return sorted(
            (x["left"], x["right"], x["weight"], x["probability"], x["verdict"]) for x in ls
        )

    return {
        "records": result["records"],
        "comparisons": result["comparisons"],
        "blocking": list(result["blocking"]),
        "clusters": [(c["id"], list(c["members"]), links(c["links"])) for c in result["clusters"]],
        "related": links(result["related"]),
        "refused": links(result["refused"]),
    }


def assert_same(spark_result: cs.SparkDedupe, one_machine: Any) -> None:
    got, want = normalized(spark_result.to_dict()), normalized(one_machine)
    assert got["records"] == want["records"]
    assert got["blocking"] == want["blocking"]
    assert got["comparisons"] == want["comparisons"]
    assert got["clusters"] == want["clusters"]
    assert got["refused"] == want["refused"]
    assert got["related"] == want["related"]


@pytest.mark.parametrize("clients", [2_000, 20_000])
def test_clusters_equal_one_machine_on_generated_bases(spark: SparkSession, clients: int) -> None:
    base = generated(clients, 7)
    want = cb.MatchIndex(base).dedupe()
    assert len(want["clusters"]) > clients // 20, "a generated base has duplicates to find"
    got = cs.dedupe(frame(spark, base), partitions=3)
    assert got.unread == 0
    assert_same(got, want)


def test_a_phone_shared_by_ten_thousand_records_is_guarded(spark: SparkSession) -> None:
    base = generated(2_000, 11)
    switchboard = "+74951234567"
    for i in range(10_000):
        base.add_client(
            cb.Client.person(f"Сотрудник{i % 97}", "Иван", phones=[switchboard])
        )
    want = cb.MatchIndex(base).dedupe()
    phone = next(s for s in want["blocking"] if s["key"] == "phone")
    assert phone["oversized_blocks"] >= 1 and phone["oversized_records"] >= 10_000
    got = cs.dedupe(frame(spark, base))
    assert got.records == 12_000
    assert_same(got, want)


def test_decisions_and_options_are_honoured(spark: SparkSession) -> None:
    base = generated(2_000, 3)
    options = {"max_block": 5, "max_cluster": 3, "threshold": 0.99}
    index = cb.MatchIndex(base, options)
    first = index.dedupe()["clusters"][0]["links"][0]
    decided = [(first["right"], first["left"])]
    want = index.dedupe(not_duplicates=decided)
    got = cs.dedupe(frame(spark, base), options=options, not_duplicates=decided)
    assert_same(got, want)
    as_dict = got.to_dict()
    pair = {first["left"], first["right"]}
    assert not [c for c in as_dict["clusters"] if pair <= set(c["members"])]
    assert (first["left"], first["right"]) in {(x["left"], x["right"]) for x in as_dict["refused"]}
    assert all(len(c["members"]) <= 3 for c in as_dict["clusters"])
    assert any(s["oversized_blocks"] > 0 for s in as_dict["blocking"])


def chain(spark: SparkSession, nodes: int) -> tuple[DataFrame, list[int]]:
    """A chain of `nodes` nodes with shuffled ids, and a second component."""
    rng = random.Random(5)
    ids = list(range(1, nodes + 1))
    rng.shuffle(ids)
    edges = [(ids[i], ids[i + 1]) for i in range(len(ids) - 1)]
    edges += [(50_000, 50_001), (50_001, 50_002)]
    return spark.createDataFrame(edges, "left long, right long"), ids


@pytest.mark.parametrize(("nodes", "driver_edges"), [(3_000, 2_000_000), (40, 0)])
def test_components_settle_on_a_long_chain(
    spark: SparkSession, nodes: int, driver_edges: int
) -> None:
    edges, ids = chain(spark, nodes)
    found = {
        r["id"]: r["component"]
        for r in cs.components(edges, driver_edges=driver_edges).collect()
    }
    assert len(found) == nodes + 3
    assert {found[i] for i in ids} == {1}
    assert {found[i] for i in (50_000, 50_001, 50_002)} == {50_000}


@pytest.mark.parametrize("driver_edges", [2_000_000, 0])
def test_components_equal_a_union_find(spark: SparkSession, driver_edges: int) -> None:
    rng = random.Random(9)
    edges = [(rng.randrange(1, 400), rng.randrange(1, 400)) for _ in range(300)]
    edges = [(a, b) for a, b in edges if a != b]
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    want = {x: root(x) for x in parent}
    frame_ = spark.createDataFrame(edges, "left long, right long")
    got = {
        r["id"]: r["component"]
        for r in cs.components(frame_, driver_edges=driver_edges).collect()
    }
    assert got == want


def test_rows_that_cannot_be_read_are_counted_not_compared(spark: SparkSession) -> None:
    # A row with nothing but its id is no client (an import rejects it as empty);
    # a birthday that is no date is set aside and the row still read.
    rows = spark.createDataFrame(
        [(1, "Иванова", "Анна", "31.02.1985"), (2, None, None, None)],
        "id long, surname string, given_name string, birthday string",
    )
    got = cs.dedupe(rows)
    assert (got.records, got.unread) == (1, 1)


def test_bad_options_fail_on_the_driver(spark: SparkSession) -> None:
    rows = spark.createDataFrame([(1, "Иванова")], "id long, surname string")
    with pytest.raises(cb.ClientbaseError, match="max_block"):
        cs.dedupe(rows, options={"max_block": 1})
