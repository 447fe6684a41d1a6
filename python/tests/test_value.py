"""Client value from Python: order lines as polars, pyarrow, pandas frames or
dicts of lists into RFM, ABC and XYZ, results as Arrow tables; the same
calculations on a base's won deals; bad lines reported, typos refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import clientbase as cb

# Four clients; revenue 7000, 2000, 700 and 300 (10,000 in all): cumulative
# shares 70 %, 90 %, 97 %, 100 %. Client 1 bought on two days.
ORDERS: dict[str, list[Any]] = {
    "client": [1, 1, 2, 3, 4],
    "date": [
        date(2024, 1, 10),
        date(2024, 3, 1),
        date(2024, 2, 1),
        date(2023, 6, 1),
        date(2024, 3, 5),
    ],
    "amount": [5000, 2000, 2000, 700, 300],
}


def frames() -> list[tuple[str, Any]]:
    import pandas as pd  # type: ignore[import-untyped]
    import polars as pl
    import pyarrow as pa  # type: ignore[import-untyped]

    return [
        ("dict", ORDERS),
        ("polars", pl.DataFrame(ORDERS)),
        ("pyarrow", pa.table(ORDERS)),
        ("pandas", pd.DataFrame(ORDERS)),
        ("table", cb.Table(ORDERS)),
    ]


@pytest.mark.parametrize("kind", ["dict", "polars", "pyarrow", "pandas", "table"])
def test_abc_from_every_kind_of_frame(kind: str) -> None:
    orders = dict(frames())[kind]
    result = cb.abc(orders, thresholds=[95, 4, 1])
    assert isinstance(result, cb.Table)
    assert result["client"] == [1, 2, 3, 4]
    assert result["class"] == ["A", "A", "B", "C"]
    # The default 80/15/5, through the generic call.
    default = cb.call("abc", rows=orders)
    assert default["class"] == ["A", "B", "C", "C"]


def test_rfm_reads_back_as_typed_frames() -> None:
    import polars as pl

    result = cb.rfm(pl.DataFrame(ORDERS), as_of="2024-04-01")
    frame = pl.DataFrame(result)
    assert frame.height == 4
    one = frame.filter(pl.col("client") == 1).row(0, named=True)
    assert one["frequency"] == 2
    assert one["recency_days"] == 31
    assert one["last_purchase"] == date(2024, 3, 1)
    assert frame.schema["client"] == pl.UInt64
    assert frame.schema["recency_days"] == pl.Int64
    assert isinstance(frame.schema["monetary"], pl.Decimal)
    assert set(frame["segment"].to_list()) <= {
        "Champions",
        "Loyal",
        "Potential Loyalists",
        "New",
        "Promising",
        "Need Attention",
        "About to Sleep",
        "At Risk",
        "Can't Lose Them",
        "Hibernating",
        "Lost",
    }
    pandas = result.to_pandas()
    assert list(pandas["client"]) == frame["client"].to_list()


def test_xyz_and_the_matrix() -> None:
    xyz = cb.xyz(ORDERS, period="month")
    assert xyz.num_rows == 4
    assert "class" in xyz.column_names
    matrix = cb.abc_xyz(ORDERS, period="month")
    assert matrix["abc"] == ["A", "B", "C", "C"]
    assert "cell" in matrix.column_names


def test_a_bad_line_is_reported_and_the_rest_used() -> None:
    orders = {
        "client": ["Иванов", "Петров", "Сидоров"],
        "date": ["05.03.2024", "31.02.2024", "10.03.2024"],
        "amount": ["1 234,50", "100", "oops"],
    }
    result = cb.rfm(orders, as_of="2024-04-01")
    assert result["client"] == ["Иванов"]
    problems = result.problems
    assert [(p["line"], p["field"]) for p in problems] == [("2", "date"), ("3", "amount")]
    assert "31.02.2024" in problems[0]["reason"]
    # The problems travel with the Arrow export.
    import pyarrow as pa

    assert b"clientbase:problems" in pa.table(result).schema.metadata


def test_typos_and_missing_columns_are_errors() -> None:
    with pytest.raises(cb.JsonError) as caught:
        cb.abc(ORDERS, thresholdz=[80, 15, 5])
    assert caught.value.field == "thresholdz"
    with pytest.raises(cb.JsonError, match="clinet"):
        cb.rfm(ORDERS, orders={"clinet": "buyer"})
    with pytest.raises(cb.ClientbaseError, match="buyer"):
        cb.rfm(ORDERS, orders={"client": "buyer"})
    with pytest.raises(cb.ClientbaseError, match="thresholds"):
        cb.abc(ORDERS, thresholds=[80, 15])
    # A capability that does not read rows.
    with pytest.raises(cb.InvalidValueError, match="counts"):
        cb.call("counts", rows=ORDERS)


def test_on_a_base_the_won_deals_are_the_orders(base: cb.ClientBase) -> None:
    client = base.add_client(cb.Client.person("Смирнова", "Ольга"))
    base.add_deal(
        {
            "client": client,
            "amount": {"amount": "4990.00", "currency": "RUB"},
            "status": "won",
            "created_at": "2024-02-20T10:00:00Z",
            "closed_at": "2024-03-01T12:00:00Z",
        }
    )
    result = base.call("rfm", as_of="2024-04-01")
    assert isinstance(result, cb.Table)
    assert result["client"] == [client]
    assert result["recency_days"] == [31]
    assert base.call("abc")["class"] == ["A"]


def test_the_module_examples_run() -> None:
    import doctest

    import clientbase.value

    failures, tried = doctest.testmod(clientbase.value, raise_on_error=False)
    assert tried > 0
    assert failures == 0


def test_the_water_client_is_reminded_before_day_15() -> None:
    import polars as pl

    # Five 19-litre bottles on 1 June; one bottle lasts three days.
    orders = pl.DataFrame(
        {
            "client": ["Кузнецова"],
            "date": [date(2024, 6, 1)],
            "amount": [1500.0],
            "product": ["Вода 19 л"],
            "quantity": [5],
        }
    )
    result = cb.next_purchase(
        orders,
        method="consumption",
        by_product=True,
        product_days_per_unit={"Вода 19 л": 3},
        as_of="2024-06-01",
    )
    row = pl.DataFrame(result).row(0, named=True)
    assert row["expected_date"] == date(2024, 6, 16)  # day 15
    assert row["remind_date"] in (date(2024, 6, 14), date(2024, 6, 15))
    # "Clients to remind this week": due within 7 days of the 10th, not of the 1st.
    week = cb.next_purchase(
        orders, method="consumption", days_per_unit=3, due_within_days=7, as_of="2024-06-10"
    )
    assert week["client"] == ["Кузнецова"]
    early = cb.next_purchase(
        orders, method="consumption", days_per_unit=3, due_within_days=7, as_of="2024-06-01"
    )
    assert early.num_rows == 0


def repeat_buyers() -> dict[str, list[Any]]:
    """Forty clients buying every 10 to 60 days for a year, some stopping early."""
    import random

    rng = random.Random(7)
    columns: dict[str, list[Any]] = {"client": [], "date": [], "amount": []}
    for client in range(1, 41):
        day = rng.randrange(0, 60)
        stop = rng.randrange(120, 366) if client % 3 == 0 else 366
        while day < stop:
            columns["client"].append(client)
            columns["date"].append(date.fromordinal(date(2024, 1, 1).toordinal() + day))
            columns["amount"].append(rng.randrange(500, 5000))
            day += rng.randrange(10, 60)
    return columns


def test_lifetime_value_from_a_frame() -> None:
    import polars as pl

    orders = pl.DataFrame(repeat_buyers())
    fit = cb.clv_fit(orders, as_of="2025-01-01", period="week")
    assert fit["bg_nbd"]["log_likelihood"] < 0
    assert set(fit["bg_nbd"]["params"]) == {"r", "alpha", "a", "b"}
    assert fit["gamma_gamma"]["clients"] > 0
    table = pl.DataFrame(cb.clv(orders, as_of="2025-01-01", period="week"))
    assert table.height == 40
    assert table["p_alive"].is_between(0, 1).all()
    assert (table["expected_purchases"] >= 0).all()
    assert isinstance(table.schema["clv"], pl.Decimal)
    # Those who stopped early are less likely alive than those who did not.
    stopped = table.filter(pl.col("client") % 3 == 0)["p_alive"].mean()
    kept = table.filter(pl.col("client") % 3 != 0)["p_alive"].mean()
    assert isinstance(stopped, float) and isinstance(kept, float)
    assert stopped < kept
    with pytest.raises(cb.JsonError, match="discount_rat"):
        cb.clv(orders, discount_rat=0.01)
    with pytest.raises(cb.ClientbaseError, match="repeat"):
        cb.clv({"client": [1, 2], "date": ["2024-01-01", "2024-02-01"], "amount": [1, 2]})


def test_recurring_due_dates_on_a_base(base: cb.ClientBase) -> None:
    client = base.add_client(cb.Client.person("Смирнова", "Ольга"))
    deal = base.add_deal(
        {
            "client": client,
            "amount": {"amount": "1500.00", "currency": "RUB"},
            "created_at": "2025-01-15T09:00:00Z",
            "recurrence": {"every": 1, "period": "month", "day": 31},
        }
    )
    due = base.call("recurring_due_dates", as_of="2025-03-01", count=2)
    assert due["deal"] == [deal, deal]
    assert due["due_date"] == [date(2025, 3, 31), date(2025, 4, 30)]
