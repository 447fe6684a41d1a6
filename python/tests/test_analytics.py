"""Sales analytics from Python: deal lines as polars frames or dicts, a base's
deals, the views over a base, typos refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import clientbase as cb

# Deal 1 (Оля, won, two lines 100 + 50, 10 days), deal 2 (Петя, lost),
# deal 3 (Оля, open), deal 4 (Петя, won 200 in 2023).
LINES: dict[str, list[Any]] = {
    "deal": [1, 1, 2, 3, 4],
    "status": ["won", "won", "lost", "open", "выиграна"],
    "amount": ["100", "50", "70", "30", "200"],
    "manager": ["Оля", "Оля", "Петя", "Оля", "Петя"],
    "category": ["Корма", "Миски", "Корма", "Корма", "Корма"],
    "created": ["2024-02-20", "2024-02-20", "2024-02-01", "2024-03-05", "2023-03-01"],
    "closed": ["2024-03-01", "2024-03-01", "2024-03-02", None, "2023-03-11"],
}


def test_by_manager_from_a_polars_frame_and_a_dict() -> None:
    import polars as pl

    for lines in (LINES, pl.DataFrame(LINES)):
        t = cb.sales_analytics(lines, by="manager", period=("2024-01-01", "2024-12-31"))
        assert t["manager"] == ["Оля", "Петя"]
        assert t["revenue"] == [Decimal("150.00"), Decimal("0.00")]
        assert t["deals"] == [2, 1]
        assert t["won"] == [1, 0]
        assert t["open"] == [1, 0]
        assert t["won_rate"] == [1.0, 0.0]
        assert t["cycle_median_days"] == [10.0, None]


def test_slices_add_up_and_the_year_before() -> None:
    whole = cb.sales_analytics(LINES)
    assert whole["revenue"] == [Decimal("350.00")]
    for by in ["manager", "category", "month"]:
        t = cb.sales_analytics(LINES, by=by)
        assert sum(t["revenue"]) == Decimal("350.00"), by
    months = cb.monthly_dynamics(LINES, period=("2024-01-01", None))
    assert months["month"] == ["2024-03"]
    assert months["prev_year_revenue"] == [Decimal("200.00")]
    assert months["revenue_yoy"] == [pytest.approx(-0.25)]


def test_a_bad_line_is_reported_and_a_typo_refused() -> None:
    lines = dict(LINES, status=["won", "won", "maybe", "open", "won"])
    t = cb.sales_analytics(lines, by="manager")
    assert [p["line"] for p in t.problems] == ["3"]
    with pytest.raises(cb.JsonError, match="byy"):
        cb.sales_analytics(LINES, byy="manager")
    with pytest.raises(cb.JsonError):
        cb.sales_analytics(LINES, by="week")


def shop() -> cb.ClientBase:
    base = cb.ClientBase(cb.Schema())
    a = base.add_client({"kind": "person", "surname": "Антонова", "source": "сайт"})
    b = base.add_client({"kind": "person", "surname": "Белова"})
    for client, owner, status, stage, created, closed, amount in [
        (a, "Оля", "won", "closed", "2024-02-20T10:00:00Z", "2024-03-01T10:00:00Z", "150"),
        (b, "Петя", "lost", "offer", "2024-02-01T10:00:00Z", "2024-03-02T10:00:00Z", "70"),
        (a, "Оля", "open", "offer", "2024-03-05T10:00:00Z", None, "30"),
    ]:
        deal: dict[str, Any] = {
            "client": client,
            "owner": owner,
            "status": status,
            "stage": stage,
            "created_at": created,
            "amount": {"amount": amount, "currency": "RUB"},
        }
        if closed:
            deal["closed_at"] = closed
        base.add_deal(deal)
    base.add_activity({"client": a, "kind": "call", "at": "2024-02-21T10:00:00Z", "manager": "Оля"})
    return base


def test_views_over_a_base() -> None:
    base = shop()
    t = cb.sales_analytics(base, by="manager")
    assert t["manager"] == ["Оля", "Петя"]
    m = cb.manager_effectiveness(base)
    assert m["activities"] == [1, 0]
    assert m["activities_per_deal"] == [0.5, 0.0]
    f = cb.funnel(base, stages={"default": ["new", "offer", "closed"]})
    assert f["stage"] == ["new", "offer", "closed"]
    assert f["reached"] == [3, 3, 1]
    s = cb.source_conversion(base)
    assert s["source"] == ["сайт", None]
    assert s["buyers"] == [1, 0]
    with pytest.raises(cb.InvalidValueError, match="named twice"):
        cb.funnel(base, stages={"default": ["new", "new"]})


def test_time_in_stage_on_a_base_file(tmp_path: Any) -> None:
    from datetime import datetime, timezone

    def at(day: str) -> datetime:
        return datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=timezone.utc)

    with cb.ClientBase.create(tmp_path / "base.cb") as base:
        base.freeze_clock(at("2024-01-01"))
        client = base.add_client({"kind": "person", "surname": "Антонова"})
        deal = base.add_deal(
            {
                "client": client,
                "stage": "new",
                "created_at": "2024-01-01T10:00:00Z",
                "amount": {"amount": "10", "currency": "RUB"},
            }
        )
        for day, stage in [("2024-01-04", "offer"), ("2024-01-10", "closed")]:
            base.freeze_clock(at(day))
            moved = base.deal(deal).to_dict()
            moved["stage"] = stage
            base.update_deal(moved)
        f = cb.funnel(base, stages={"default": ["new", "offer", "closed"]})
        assert f["time_in_stage_deals"] == [1, 1, 0]
        assert f["time_in_stage_mean_days"] == [3.0, 6.0, None]
        # In memory, no history of moves: the stage the deal is in, no times.
        memory = cb.ClientBase.from_json(base.to_json())
        f = cb.funnel(memory)
        assert f["stage"] == ["closed"]
        assert f["time_in_stage_deals"] == [None]


def test_module_examples() -> None:
    import doctest

    import clientbase.analytics

    failures, tried = doctest.testmod(clientbase.analytics)
    assert tried > 0 and failures == 0
