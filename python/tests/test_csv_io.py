"""CSV import and export, and column batches (dicts and DataFrames) that run
with the GIL released."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import clientbase as cb
from gil import ticks_during

CSV = (
    "Фамилия;Имя;Телефон;Комнат;Метки\n"
    "Иванова;Анна;8 916 123-45-67;3;vip\n"
    "Петров;Пётр;+7 903 000-00-00;много;\n"
    '"Сидоров";"Семён";"8 926\n000-00-00";2;opt\n'
    "Козлова;Ирина;;1;gold\n"
)
MAPPING = {
    "Фамилия": "surname",
    "Имя": "given_name",
    "Телефон": "phone",
    "Комнат": "custom.rooms",
    "Метки": "tags",
}


def check_report(report: Any) -> None:
    assert report["rows"] == 4
    assert report["imported"] == [1, 2]
    # Сидоров's phone spans lines 4 and 5; the lines join the ids back to the file.
    assert report["imported_lines"] == [2, 4]
    assert [(r["line"], r["column"], r["kind"]) for r in report["rejected"]] == [
        (3, "Комнат", "field_type"),
        (6, "Метки", "unknown_tag"),
    ]


def test_import_from_text(base: cb.ClientBase) -> None:
    report = base.import_clients_csv(CSV, MAPPING, strict=True)
    check_report(report)
    assert base.client(2).phones == [{"raw": "8 926\n000-00-00"}]
    rejected = report["rejected"][0]
    assert rejected["field"] == "custom.rooms"
    assert rejected["reason"] == 'expected integer, got text "много"'
    assert rejected["line"] == 3 and rejected["column"] == "Комнат"


def test_import_from_bytes_path_and_str_path(schema: cb.Schema, tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    for source in (CSV.encode(), path, str(path)):
        base = cb.ClientBase(schema)
        check_report(base.import_clients_csv(source, MAPPING, delimiter=";", strict=True))


def test_report_is_plain_data(base: cb.ClientBase) -> None:
    report = base.import_clients_csv(CSV, MAPPING, strict=True)
    assert list(report) == [
        "rows", "imported", "rejected", "set_aside", "empty_rows", "ignored_columns", "imported_lines"
    ]
    assert list(report["rejected"][0]) == ["line", "column", "field", "kind", "reason"]
    assert json.dumps(report).startswith('{"rows": 4, "imported": [1, 2], "rejected": [{"line": 3,')
    assert report["empty_rows"] == 0
    pl = pytest.importorskip("polars")
    rejected = pl.DataFrame(report["rejected"])
    assert rejected["line"].to_list() == [3, 6]
    assert rejected["kind"].to_list() == ["field_type", "unknown_tag"]


def test_bad_mapping_or_file_raises(base: cb.ClientBase) -> None:
    with pytest.raises(cb.CsvError) as caught:
        base.import_clients_csv(CSV, {"Фамилия": "surnam"})
    assert "surnam" in str(caught.value)
    with pytest.raises(cb.CsvError):
        base.import_clients_csv(CSV, {"Отчество": "patronymic"})
    with pytest.raises(ValueError):
        base.import_clients_csv(CSV, MAPPING, delimiter=";;")
    with pytest.raises(TypeError):
        base.import_clients_csv(42, MAPPING)  # type: ignore[arg-type]


def test_import_deals(base: cb.ClientBase) -> None:
    base.add_client(cb.Client.person("Иванова"))
    report = base.import_deals_csv(
        "Клиент,Сумма,Название\n1,\"4 990,00\",Корм\n7,10,Миска\n",
        {"Клиент": "client_id", "Сумма": "amount", "Название": "title"},
        currency="RUB",
    )
    assert report["imported"] == [1]
    assert report["rejected"][0]["kind"] == "unknown_id"
    assert base.deal(1).amount == cb.Money("4990")


def test_export_round_trip(base: cb.ClientBase, schema: cb.Schema) -> None:
    base.import_clients_csv(CSV, MAPPING)
    text = base.export_clients_csv()
    assert text.startswith("id,kind,surname,given_name")
    copy = cb.ClientBase(schema)
    copy.freeze_clock(None)
    report = copy.add_clients(base.clients_columns())
    assert report["rejected"] == []
    assert copy.to_json() == base.to_json()
    assert base.export_deals_csv().startswith("id,client_id")


# ---- column batches ----------------------------------------------------------------


def test_add_clients_from_dict(base: cb.ClientBase) -> None:
    report = base.add_clients(
        {
            "surname": ["Иванова", "Петров", None, "Козлова"],
            "given_name": ["Анна", "Пётр", None, "Ирина"],
            "phone": ["8 916 123-45-67", None, None, "+7 903 000-00-00"],
            "tags": [["vip"], [], None, ["gold"]],
            "custom.rooms": [3, 2.0, None, 1],
        },
        strict=True,
    )
    assert report["rows"] == 4
    assert report["imported"] == [1, 2]
    # Rows are numbered from 0.
    assert report["imported_lines"] == [0, 1]
    assert report["empty_rows"] == 1
    # The rejected row is reported with its row index, not raised.
    assert [(r["line"], r["column"], r["kind"]) for r in report["rejected"]] == [(3, "tags", "unknown_tag")]
    assert base.client(1).tags == ["vip"]
    assert base.client(2).custom == {"rooms": 2}


def test_row_index_survives_line_breaks_in_cells(base: cb.ClientBase) -> None:
    report = base.add_clients(
        {"surname": ["Много\nстрок\nтут", "Б", "В"], "tags": [None, None, "gold"]},
        strict=True,
    )
    assert [r["line"] for r in report["rejected"]] == [2]


def test_add_clients_checks_its_input(base: cb.ClientBase) -> None:
    with pytest.raises(ValueError, match="has 1 values"):
        base.add_clients({"surname": ["A", "B"], "given_name": ["C"]})
    with pytest.raises(ValueError):
        base.add_clients({})
    with pytest.raises(TypeError):
        base.add_clients({"surname": "Иванов"})
    with pytest.raises(TypeError):
        base.add_clients([["Иванов"]])
    with pytest.raises(cb.CsvError):
        base.add_clients({"surnam": ["Иванов"]})


def test_add_clients_never_panics_on_odd_data(base: cb.ClientBase) -> None:
    odd = ["", " ", "\x00", "\ufeff", '"', "\r\n", "é" * 10_000, "🙂", "-1", "1e308", "nan"]
    columns: dict[str, list[Any]] = {
        target: odd
        for target in [
            "surname",
            "birthday",
            "loyalty_percent",
            "can_refer",
            "created_at",
            "phone",
            "email",
            "tags",
            "custom.rooms",
            "custom.budget",
            "consent.sms",
            "phones_json",
            "relations_json",
            "stage",
        ]
    }
    report = base.add_clients(columns)
    assert report["rows"] == len(odd)
    assert len(report["imported"]) + len(report["rejected"]) + report["empty_rows"] == len(odd)


def test_add_deals_from_columns(base: cb.ClientBase) -> None:
    client = base.add_client(cb.Client.person("Иванова"))
    report = base.add_deals(
        {"client_id": [client, client, 99], "amount": ["100", "200,50", "1"]}, currency="USD"
    )
    assert report["imported"] == [1, 2]
    assert report["rejected"][0]["line"] == 2
    assert base.deal(2).amount == cb.Money("200.50", "USD")
    # Typed columns: ids as ints, amounts as exact decimals with their currency.
    assert base.deals_columns(["id", "amount", "currency"]) == {
        "id": [1, 2],
        "amount": [Decimal("100.00"), Decimal("200.50")],
        "currency": ["USD", "USD"],
    }


def test_clients_columns(base: cb.ClientBase) -> None:
    base.add_client(cb.Client.person("Иванова", "Анна", tags=["vip", "opt"]))
    columns = base.clients_columns(["surname", "given_name", "tags", "city"])
    assert columns == {
        "surname": ["Иванова"],
        "given_name": ["Анна"],
        "tags": [["opt", "vip"]],
        "city": [None],
    }
    with pytest.raises(cb.UnknownFieldError, match="nope"):
        base.clients_columns(["nope"])


def test_pandas_in_and_out(base: cb.ClientBase) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "surname": ["Иванова", "Петров", "Сидоров"],
            "custom.rooms": [3, None, 1],  # an int column with a gap becomes float
            "birthday": pd.to_datetime(["1990-03-05", None, "1985-12-31"]),
        }
    )
    report = base.add_clients(frame)
    assert report["rejected"] == []
    assert base.client(1).custom == {"rooms": 3}
    assert str(base.client(3).birthday) == "1985-12-31"
    assert base.client(2).birthday is None
    out = base.to_pandas(["id", "surname"])
    assert list(out.columns) == ["id", "surname"]
    assert out["surname"].tolist() == ["Иванова", "Петров", "Сидоров"]


def test_polars_in_and_out(base: cb.ClientBase) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"surname": ["Иванова", "Петров"], "tags": [["vip"], ["gold"]]})
    report = base.add_clients(frame, strict=True)
    assert report["imported"] == [1]
    assert report["rejected"][0]["line"] == 1
    out = base.to_polars()
    assert out.height == 1
    assert out["surname"].to_list() == ["Иванова"]


# ---- the GIL -----------------------------------------------------------------


def big_columns(rows: int) -> dict[str, list[Any]]:
    return {
        "surname": [f"Иванов{i}" for i in range(rows)],
        "given_name": ["Иван"] * rows,
        "phone": [f"+7 916 {i:07d}" for i in range(rows)],
        "email": [f"ivan{i}@example.ru" for i in range(rows)],
        "tags": ["vip, opt"] * rows,
        "custom.rooms": [str(i % 5) for i in range(rows)],
    }


@pytest.fixture(scope="module")
def big() -> tuple[cb.Schema, dict[str, list[Any]], cb.ClientBase, str]:
    schema = cb.Schema(tags=["vip", "opt"])
    schema.declare_field("rooms", "integer")
    columns = big_columns(20_000)
    base = cb.ClientBase(schema)
    base.add_clients(columns)
    return schema, columns, base, base.to_json()


@pytest.mark.parametrize("operation", ["add_clients", "to_json", "from_json"])
def test_batches_release_the_gil(
    big: tuple[cb.Schema, dict[str, list[Any]], cb.ClientBase, str], operation: str
) -> None:
    # With the GIL held for the whole call, the counting thread could only run
    # around its edges (a switch interval each, 1 ms here); with the GIL released
    # it counts for most of the call.
    schema, columns, base, text = big
    calls = {
        "add_clients": lambda: cb.ClientBase(schema).add_clients(columns),
        "to_json": base.to_json,
        "from_json": lambda: cb.ClientBase.from_json(text),
    }
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        during, duration, rate = ticks_during(calls[operation])
    finally:
        sys.setswitchinterval(interval)
    assert duration > 0.02, f"{operation} was too quick ({duration:.3f} s) to tell"
    # Held: a few ms worth of counting at the edges. Released: most of the call,
    # even with the CPU shared; a tenth of the call (at least 20 ms) tells them apart.
    assert during > rate * max(0.02, duration / 10), (
        f"the other thread counted {during} during {duration:.3f} s "
        f"(it counts {rate:.0f}/s alone): the GIL was not released"
    )
