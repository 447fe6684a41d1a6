"""Tables through Arrow both ways: ``clientbase.Table`` read by polars, pyarrow,
pandas and DuckDB, and frames of every kind read by ``add_clients``."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

import clientbase as cb

from conftest import FROZEN


@pytest.fixture
def filled(base: cb.ClientBase) -> cb.ClientBase:
    report = base.add_clients(
        {
            "surname": ["Иванова", "Петров"],
            "given_name": ["Анна", "Пётр"],
            "phone": ["8 916 123-45-67", None],
            "tags": [["vip"], []],
            "birthday": ["1990-02-03", None],
        }
    )
    assert report["imported"] == [1, 2]
    base.add_deal(cb.Deal(1, cb.Money("1234.50"), title="Окна"))
    return base


def test_table_holds_typed_columns(filled: cb.ClientBase) -> None:
    table = filled.clients_table(["id", "surname", "birthday", "can_refer", "tags", "created_at"])
    assert table.num_rows == len(table) == 2
    assert table.column_names == ["id", "surname", "birthday", "can_refer", "tags", "created_at"]
    assert dict(table.schema) == {
        "id": "uint64",
        "surname": "text",
        "birthday": "date",
        "can_refer": "bool",
        "tags": "text_list",
        "created_at": "timestamp",
    }
    assert table.to_pydict() == {
        "id": [1, 2],
        "surname": ["Иванова", "Петров"],
        "birthday": [date(1990, 2, 3), None],
        "can_refer": [False, False],
        "tags": [["vip"], []],
        "created_at": [FROZEN, FROZEN],
    }
    assert table.to_pylist()[1]["surname"] == "Петров"
    assert table["id"] == [1, 2]
    with pytest.raises(KeyError, match="surname"):
        table["surnmae"]
    with pytest.raises(cb.UnknownFieldError, match="nope"):
        filled.clients_table(["nope"])
    deals = filled.deals_table(["id", "client_id", "amount", "currency"])
    assert deals.to_pydict() == {
        "id": [1],
        "client_id": [1],
        "amount": [Decimal("1234.50")],
        "currency": ["RUB"],
    }
    assert "rows=2" in repr(table)


def test_capability_tables_come_back_as_tables(filled: cb.ClientBase) -> None:
    table = filled.call("clients_table", fields=["id", "surname"])
    assert isinstance(table, cb.Table)
    assert table.to_pydict() == {"id": [1, 2], "surname": ["Иванова", "Петров"]}
    deals = filled.call("deals_table", {"fields": ["amount"]})
    assert isinstance(deals, cb.Table)
    assert deals["amount"] == [Decimal("1234.50")]


def test_polars_reads_and_gives_typed_frames(filled: cb.ClientBase) -> None:
    pl = pytest.importorskip("polars")
    frame = filled.to_polars()
    assert frame.height == 2
    assert frame.schema["id"] == pl.UInt64
    assert frame.schema["can_refer"] == pl.Boolean
    assert frame.schema["birthday"] == pl.Date
    assert frame.schema["created_at"] == pl.Datetime("us", "UTC")
    assert frame.schema["tags"] == pl.List(pl.String)
    assert frame["birthday"].to_list() == [date(1990, 2, 3), None]
    assert frame["id"].sort(descending=True).to_list() == [2, 1]
    deals = filled.deals_table().to_polars()
    assert isinstance(deals.schema["amount"], pl.Decimal)
    assert deals["amount"].to_list() == [Decimal("1234.50")]
    # The capsule route, as any Arrow consumer uses it.
    assert pl.DataFrame(filled.clients_table(["id"]))["id"].to_list() == [1, 2]


def test_to_polars_is_the_frame_polars_reads_from_the_table(filled: cb.ClientBase) -> None:
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    filled.add_client(cb.Client.person("Сидорова-Петрова-Иванова", "Анастасия", emails=["a.sidorova@example.ru"]))
    table = filled.clients_table()
    # to_polars() hands polars its text as Arrow string views; the capsule route
    # hands it `utf8`, which polars converts. Same frame either way.
    frame = table.to_polars()
    assert frame.equals(pl.DataFrame(table), null_equal=True)
    assert frame.schema["surname"] == pl.String
    assert frame.schema["tags"] == pl.List(pl.String)
    assert frame["surname"].to_list() == ["Иванова", "Петров", "Сидорова-Петрова-Иванова"]
    assert frame["city"].to_list() == [None, None, None]
    assert frame["tags"].to_list() == [["vip"], [], []]
    assert '"raw":"8 916 123-45-67"' in frame["phones_json"][0]
    assert frame["emails_json"][2].startswith('[{"raw":"a.sidorova@example.ru"')
    assert frame.columns == table.column_names
    # The table itself still exports `utf8` to everyone else.
    assert pa.table(table).schema.field("surname").type == pa.string()


def test_pandas_frames_are_typed_with_nulls(filled: cb.ClientBase) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = filled.to_pandas()
    assert str(frame["id"].dtype) == "uint64[pyarrow]"
    assert str(frame["can_refer"].dtype) == "bool[pyarrow]"
    assert str(frame["birthday"].dtype) == "date32[day][pyarrow]"
    assert str(frame["created_at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert frame["birthday"].isna().tolist() == [False, True]
    assert frame["id"].tolist() == [1, 2]
    assert frame["can_refer"].tolist() == [False, False]
    deals = filled.deals_table().to_pandas()
    assert str(deals["amount"].dtype).startswith("decimal128(38, 2)")
    assert deals["amount"].tolist() == [Decimal("1234.50")]
    assert isinstance(frame, pd.DataFrame)


def test_pyarrow_and_a_stream_asked_for_again(filled: cb.ClientBase) -> None:
    pa = pytest.importorskip("pyarrow")
    table = filled.clients_table(["id", "surname", "birthday"])
    first = pa.table(table)
    second = pa.table(table)
    assert first.equals(second)
    assert first.schema.field("id").type == pa.uint64()
    assert first.schema.field("birthday").type == pa.date32()
    assert first.column("surname").to_pylist() == ["Иванова", "Петров"]
    assert pa.schema(table).names == ["id", "surname", "birthday"]
    reader = pa.RecordBatchReader.from_stream(table)
    assert reader.read_all().num_rows == 2
    assert table.to_pyarrow().equals(first)


def test_duckdb_queries_a_table_twice(filled: cb.ClientBase) -> None:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    clients = filled.clients_table(["id", "surname", "can_refer"])
    con = duckdb.connect()
    query = "SELECT id, surname FROM clients WHERE NOT can_refer ORDER BY id DESC"
    con.register("clients", clients)
    assert con.execute(query).fetchall() == [(2, "Петров"), (1, "Иванова")]
    assert con.execute(query).fetchall() == [(2, "Петров"), (1, "Иванова")]


def test_tables_round_trip_through_every_frame(filled: cb.ClientBase) -> None:
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    table = filled.clients_table(["id", "surname", "birthday", "tags", "created_at"])
    expected = table.to_pydict()
    assert cb.Table(pl.DataFrame(table)).to_pydict() == expected
    assert cb.Table(pa.table(table)).to_pydict() == expected
    assert cb.Table(table).to_pydict() == expected


@pytest.mark.parametrize("string_type", ["string", "large_string", "string_view"])
def test_arrow_strings_of_every_layout(base: cb.ClientBase, string_type: str) -> None:
    pa = pytest.importorskip("pyarrow")
    kind = getattr(pa, string_type)()
    frame = pa.table(
        {
            "surname": pa.array(["Иванова", "Петров", None], kind),
            "tags": pa.array(["vip", "нет-такого", None], kind),
        }
    )
    assert frame.schema.field("surname").type == kind
    report = base.add_clients(frame, strict=True)
    assert report["rows"] == 3
    assert report["imported"] == [1]
    assert report["empty_rows"] == 1
    assert [(r["line"], r["column"], r["kind"]) for r in report["rejected"]] == [(1, "tags", "unknown_tag")]
    assert base.clients_columns(["surname", "tags"]) == {"surname": ["Иванова"], "tags": [["vip"]]}


def test_add_clients_from_polars_reports_rows(base: cb.ClientBase) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "surname": ["Иванова", "Петров", "Сидоров"],
            "birthday": [date(1990, 2, 3), None, date(1985, 1, 1)],
            "custom.rooms": [3, None, 2],
            "tags": [["vip"], [], ["gold"]],
        }
    )
    report = base.add_clients(frame, strict=True)
    assert report["imported"] == [1, 2]
    assert [(r["line"], r["column"]) for r in report["rejected"]] == [(2, "tags")]
    assert "label" not in report["rejected"][0]
    assert base.client(1).birthday == date(1990, 2, 3)
    assert base.client(1).custom == {"rooms": 3}


def test_add_clients_from_pandas_labels_rejected_rows(base: cb.ClientBase) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "surname": ["Иванова", "Петров", "Сидоров"],
            "tags": ["vip", "нет-такого", None],
            "birthday": pd.to_datetime(["1990-03-05", None, "1985-12-31"]),
        },
        index=["a-17", "b-42", "c-99"],
    )
    report = base.add_clients(frame, strict=True)
    assert report["imported"] == [1, 2]
    [row] = report["rejected"]
    assert (row["line"], row["label"], row["column"]) == (1, "b-42", "tags")
    assert str(base.client(2).birthday) == "1985-12-31"
    # The index is not read as a column.
    assert report["ignored_columns"] == []


def test_add_deals_from_pyarrow(base: cb.ClientBase) -> None:
    pa = pytest.importorskip("pyarrow")
    client = base.add_client(cb.Client.person("Иванова"))
    deals = pa.table(
        {
            "client_id": pa.array([client, 99], pa.int64()),
            "amount": pa.array([Decimal("100.50"), Decimal("1")], pa.decimal128(10, 2)),
            "created_at": pa.array(
                [datetime(2024, 3, 5, 10, 30, tzinfo=timezone.utc)] * 2, pa.timestamp("us", "UTC")
            ),
        }
    )
    report = base.add_deals(deals, currency="USD")
    assert report["imported"] == [1]
    assert [r["line"] for r in report["rejected"]] == [1]
    assert base.deal(1).amount == cb.Money("100.50", "USD")
    assert base.deal(1).created_at == datetime(2024, 3, 5, 10, 30, tzinfo=timezone.utc)


def test_bytes_and_lone_surrogates_are_reported_rows(base: cb.ClientBase) -> None:
    report = base.add_clients(
        {
            "surname": ["Иванова", b"\xd0\x9f", "Петр\udc80ов", "Сидоров"],
            "tags": [["vip"], None, None, [b"vip"]],
        },
        strict=True,
    )
    assert report["imported"] == [1]
    assert [(r["line"], r["column"], r["kind"]) for r in report["rejected"]] == [
        (1, "surname", "invalid_value"),
        (2, "surname", "invalid_value"),
        (3, "tags", "invalid_value"),
    ]
    assert "bytes" in report["rejected"][0]["reason"]
    assert "surrogate" in report["rejected"][1]["reason"]
    assert base.clients_columns(["surname"]) == {"surname": ["Иванова"]}


def test_polars_bytes_column_is_reported_not_stored(base: cb.ClientBase) -> None:
    pl = pytest.importorskip("polars")
    report = base.add_clients(pl.DataFrame({"surname": [b"abc", b"def"]}), strict=True)
    assert report["imported"] == []
    assert [r["line"] for r in report["rejected"]] == [0, 1]
    assert all("bytes" in r["reason"] for r in report["rejected"])


def test_phone_and_email_columns_through_arrow() -> None:
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    phones = cb.PhoneNormalizer("RU")
    values = ["8 916 123 45 67", None, "12"]
    from_list = phones.parse_batch(values)
    for column in [pl.Series("phone", values), pa.array(values), pa.chunked_array([values[:1], values[1:]])]:
        table = phones.parse_batch(column)
        assert isinstance(table, cb.Table)
        assert table["e164"] == from_list["e164"]
        assert table["valid"] == from_list["valid"]
        assert table["kind"] == from_list["kind"]
        assert table["problem"][1] == "missing"
    frame = pl.DataFrame(cb.normalize_phones(pl.Series(values)))
    assert frame["e164"].to_list() == ["+79161234567", None, None]
    emails = cb.normalize_emails(pa.array(["A@B.RU", "nope"], pa.large_string()))
    assert isinstance(emails, cb.Table)
    assert emails["address"] == ["A@b.ru", None]
    with pytest.raises(TypeError, match="one column"):
        phones.parse_batch(pl.DataFrame({"a": values, "b": values}))


def test_missing_library_gives_an_install_hint(
    filled: cb.ClientBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"pip install 'clientbase\[polars\]'"):
        filled.to_polars()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"clientbase\[pandas\]"):
        filled.clients_table().to_pandas()


def test_find_many_over_arrow(base: cb.ClientBase) -> None:
    pa = pytest.importorskip("pyarrow")
    base.add_client(cb.Client.person("Иванова", "Анна", phones=["+7 916 123-45-67"]))
    index = cb.MatchIndex(base)
    leads: Any = pa.table(
        {
            "surname": ["Иванова", None, "Петров"],
            "given_name": ["Анна", None, "Пётр"],
            "phone": ["8 916 123 45 67", None, None],
        }
    )
    found = index.find_many(leads)
    assert found["client"][0] == 1
    assert found["verdict"] == ["duplicate", None, "distinct"]
    assert found["problem"] == [None, "empty", None]
