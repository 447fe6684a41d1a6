"""Reminders, stage actions and routing from Python: the printing shop's SMS
when an order is ready (in memory and from a base file's change log), the
completeness robot's tasks recorded once, a lead routed to a manager, errors
as the library's exceptions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import clientbase as cb

ROBOT = [
    {"name": "ask_email", "kind": "missing_contact", "contact": "email"},
    {"name": "ask_phone", "kind": "missing_contact", "contact": "phone", "due_in_days": 2},
]

RULES = {
    "version": 1,
    "rules": [
        {
            "name": "order_ready",
            "kind": "stage_entered",
            "pipeline": "orders",
            "stage": "ready",
            "action": "notify_client",
            "text": "{{ client.given }}, ваш заказ готов",
        },
        *ROBOT,
    ],
}

DAY = dt.datetime(2026, 12, 7, 12, tzinfo=dt.timezone.utc)


def printing_shop(base: cb.ClientBase) -> int:
    base.add_client(
        cb.Client.from_dict(
            {"surname": "Соколова", "given": "Мария", "owner": "nina", "phones": ["+7 916 555-12-34"]}
        )
    )
    base.add_client(
        cb.Client.from_dict({"kind": "company", "legal_name": "ООО «Печать»", "owner": "oleg", "emails": ["a@pechat.ru"]})
    )
    base.freeze_clock(DAY - dt.timedelta(days=3))
    deal = base.add_deal(
        {
            "client": 1,
            "title": "Визитки",
            "pipeline": "orders",
            "stage": "in_print",
            "amount": {"amount": "3500", "currency": "RUB"},
        }
    )
    base.freeze_clock(DAY)
    moved = base.deal(deal).to_dict()
    moved["stage"] = "ready"
    base.update_deal(moved)
    return deal


def test_printing_shop_sms_when_the_order_is_ready() -> None:
    base = cb.ClientBase(cb.Schema())
    deal = printing_shop(base)
    table = cb.stage_actions(base, deal=deal, as_of="2026-12-07", rules=RULES)
    assert table["key"] == [f"order_ready/deal-{deal}/2026-12-07"]
    assert table["channel"] == ["sms"]
    assert table["contact"] == ["+7 916 555-12-34"]
    assert table["text"] == ["Мария, ваш заказ готов"]
    assert cb.stage_actions(base, deal=deal, stage="in_print", rules=RULES)["key"] == []


def test_printing_shop_on_a_base_file(tmp_path: Path) -> None:
    base = cb.ClientBase.create(tmp_path / "shop.cb")
    deal = printing_shop(base)
    since = (DAY - dt.timedelta(hours=1)).isoformat()
    table = cb.stage_actions(base, since=since, rules=RULES)
    assert table["key"] == [f"order_ready/deal-{deal}/2026-12-07"]
    # The log tells the move was today, not the deal's creation three days ago.
    keys = cb.due(base, as_of="2026-12-07", rules=RULES)["key"]
    assert keys[0] == f"order_ready/deal-{deal}/2026-12-07"


def test_the_completeness_robot_asks_once() -> None:
    base = cb.ClientBase(cb.Schema())
    printing_shop(base)
    rules = {"version": 1, "rules": ROBOT}
    table = cb.due(base, as_of="2026-12-07", rules=rules)
    assert table["key"] == ["ask_email/client-1", "ask_phone/client-2"]
    assert table["manager"] == ["nina", "oleg"]
    assert [str(d) for d in table["due"]] == ["2026-12-07", "2026-12-09"]
    added = cb.add_due_tasks(base, as_of="2026-12-07", rules=rules)
    assert added["tasks"] == 2
    assert added["keys"] == table["key"]
    tasks = base.activities(client=2)
    assert tasks[0].to_dict()["manager"] == "oleg"
    # Run again, the next day, after a JSON round trip: nothing asked twice.
    again = cb.ClientBase.from_json(base.to_json())
    assert cb.due(again, as_of="2026-12-08", rules=rules)["key"] == []
    # Keys done elsewhere are skipped too.
    fresh = cb.ClientBase(cb.Schema())
    printing_shop(fresh)
    assert cb.due(fresh, as_of="2026-12-07", rules=rules, done=["ask_email/client-1"])["key"] == [
        "ask_phone/client-2"
    ]


def test_route_a_known_client_and_a_new_lead() -> None:
    base = cb.ClientBase(cb.Schema())
    printing_shop(base)
    managers = [
        {"name": "nina", "working_hours": "10:00-19:00"},
        {"name": "oleg", "working_hours": "08:00-17:00"},
    ]
    known = cb.route(
        base,
        lead={"name": "Мария Соколова", "phone": "8 916 555 12 34"},
        managers=managers,
        at="2026-12-07T21:00:00Z",
    )
    assert (known["client"], known["manager"], known["rule"]) == (1, "nina", "own_manager")
    new = cb.route(
        base,
        lead={"name": "Пётр Новый", "phone": "+7 903 000-00-01", "type": "order"},
        managers=managers,
        rules=[{"name": "orders", "when": {"type": ["order"]}, "managers": ["nina"]}],
        at="2026-12-07T21:00:00Z",
    )
    assert new["client"] is None
    assert (new["manager"], new["rule"], new["after_hours"]) == ("nina", "orders", True)


def test_errors_are_the_library_exceptions() -> None:
    base = cb.ClientBase(cb.Schema())
    bad = {"version": 1, "rules": [{"name": "b", "kind": "birthday", "colour": 1}]}
    with pytest.raises(cb.JsonError, match="colour"):
        cb.due(base, rules=bad)
    unknown = {"version": 1, "rules": [{"name": "b", "kind": "birthday", "when": "shoe_size = 1"}]}
    with pytest.raises(cb.UnknownFieldError, match=r"rules\[0\]\.when"):
        cb.due(base, rules=unknown)
    with pytest.raises(cb.InvalidValueError, match="deal"):
        cb.stage_actions(base)
    with pytest.raises(cb.StorageError):
        cb.stage_actions(base, since="2026-12-01T00:00:00Z")
    with pytest.raises(cb.InvalidValueError, match="working_hours"):
        cb.route(base, managers=[{"name": "x", "working_hours": "always"}])
