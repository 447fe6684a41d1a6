"""Segments from Python: rules as text or JSON on a base, the matching ids as
an Arrow table, the explanation as a dict, errors as the library's exceptions."""

from __future__ import annotations

from typing import Any

import pytest

import clientbase as cb


def flats() -> cb.ClientBase:
    schema = cb.Schema.from_dict(
        {
            "tags": ["vip"],
            "fields": [
                {"name": "rooms", "type": "integer"},
                {"name": "floors", "type": "many_of", "options": ["low", "middle", "high"]},
            ],
        }
    )
    base = cb.ClientBase(schema)
    sms = {"marketing": {"sms": {"state": "given", "date": "2024-01-10"}}}
    base.add_client(
        cb.Client.from_dict(
            {
                "surname": "Смирнова",
                "custom": {"rooms": 2, "floors": ["low"]},
                "consents": sms,
            }
        )
    )
    base.add_client(
        cb.Client.from_dict({"surname": "Иванов", "custom": {"rooms": 2, "floors": ["low"]}})
    )
    base.add_client(cb.Client.from_dict({"surname": "Петров", "tags": ["vip"]}))
    return base


def test_segment_from_text_and_json() -> None:
    base = flats()
    rule = "floors contains low and rooms = 2 and consent sms"
    table = cb.segment(base, rule, as_of="2024-06-30")
    assert table["client"] == [1]
    import polars as pl

    assert pl.DataFrame(table)["client"].to_list() == [1]
    parsed = cb.parse_segment(rule)
    assert parsed["json"]["version"] == 1
    assert cb.segment(base, parsed["json"], as_of="2024-06-30")["client"] == [1]
    assert cb.parse_segment(parsed["json"])["text"] == parsed["text"]
    named = cb.segment(
        base,
        'in segment "two rooms" and not in segment vip',
        segments={"two rooms": "rooms = 2", "vip": "has tag vip"},
    )
    assert named["client"] == [1, 2]


def test_explain_and_sizes() -> None:
    base = flats()
    why: dict[str, Any] = cb.segment_explain(base, 2, "rooms = 2 and consent sms")
    assert why["matched"] is False
    assert [(s["condition"], s["held"]) for s in why["rule"]["steps"]] == [
        ("rooms = 2", True),
        ("consent sms", False),
    ]
    assert why["rule"]["steps"][0]["value"] == "2"
    sizes = cb.segment_sizes(base, {"two_rooms": "rooms = 2", "vip": "has tag vip"})
    assert sizes == {"two_rooms": 2, "vip": 1}


def test_errors() -> None:
    base = flats()
    with pytest.raises(cb.InvalidValueError, match="line 1, column 9: expected a value"):
        cb.segment(base, "rooms = ")
    with pytest.raises(cb.FieldTypeError, match="`birthday` is a date"):
        cb.segment(base, "birthday > 5")
    with pytest.raises(cb.UnknownFieldError):
        cb.segment(base, "storeys = 5")
    with pytest.raises(cb.JsonError, match="rul"):
        base.call("segment", rul="rooms = 2")
    with pytest.raises(cb.InvalidValueError, match="cycle"):
        cb.segment(base, "in segment a", segments={"a": "in segment b", "b": "in segment a"})
    with pytest.raises(cb.InvalidValueError):
        cb.segment(base, "(" * 100_000 + "rooms = 2" + ")" * 100_000)
