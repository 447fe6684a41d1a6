"""Scoring from Python: models as dicts, scores as an Arrow table, the
explanation as a dict, behaviour types, errors as the library's exceptions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import clientbase as cb

AS_OF = "2026-06-30"
NOON = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)

MODEL = {
    "rules": [
        {"name": "moscow", "when": "city = Москва", "points": 20},
        {"name": "email", "when": "has email", "points": 15},
        {"name": "visits", "events": "activities where kind = visit", "points": 4, "max": 10},
        {"name": "forms", "events": "activities where kind = form", "points": 15},
    ],
    "decay": {"percent": 50, "every_days": 30},
}


def leads() -> cb.ClientBase:
    base = cb.ClientBase()
    anna = base.add_client(
        cb.Client.from_dict({"surname": "Иванова", "city": "Москва", "emails": [{"raw": "anna@mail.ru"}]})
    )
    petr = base.add_client(cb.Client.from_dict({"surname": "Петров", "city": "Тверь"}))
    # Anna: three visits today (12, the rule's max 10) and a form 31 days ago
    # (one period of 50 %: 7.5). Petr: one visit 61 days ago (two periods: 1).
    for _ in range(3):
        base.add_activity(cb.Activity(anna, "visit", NOON))
    base.add_activity(cb.Activity(anna, "form", NOON - timedelta(days=31)))
    base.add_activity(cb.Activity(petr, "visit", NOON - timedelta(days=61)))
    return base


def test_scores_as_a_table() -> None:
    base = leads()
    table = cb.score(base, model=MODEL, as_of=AS_OF, breakdown=True)
    assert table["client"] == [1, 2]
    # Anna: 20 + 15 fit, 10 + 7.5 engagement.
    assert table["fit"] == [35.0, 0.0]
    assert table["engagement"] == [17.5, 1.0]
    assert table["score"] == [52.5, 1.0]
    assert table["temperature"] == ["warm", "cold"]
    assert table["grade"] == ["C4", "D4"]
    assert json.loads(table["breakdown"][0]) == {"moscow": 20.0, "email": 15.0, "visits": 10.0, "forms": 7.5}
    import polars as pl

    frame = pl.DataFrame(table)
    assert frame.filter(pl.col("temperature") == "warm")["client"].to_list() == [1]


def test_the_default_model_scores_every_client() -> None:
    base = leads()
    table = cb.score(base, as_of=AS_OF)
    assert table["client"] == [1, 2]
    assert all(t in ("cold", "warm", "hot") for t in table["temperature"])
    # The default model gives a form 15 points and an email 10.
    assert table["score"][0] > table["score"][1]


def test_explain_gives_each_rule_and_why() -> None:
    base = leads()
    why = cb.score_explain(base, 2, model=MODEL, as_of=AS_OF)
    assert why["score"] == 1.0
    rules = {r["name"]: r for r in why["rules"]}
    assert set(rules) == {"moscow", "email", "visits", "forms"}
    assert rules["moscow"]["points"] == 0.0
    assert rules["moscow"]["why"]["held"] is False
    assert rules["moscow"]["why"]["value"] == "Тверь"
    assert (rules["visits"]["points"], rules["visits"]["matched"]) == (1.0, 1)
    with pytest.raises(cb.UnknownIdError):
        cb.score_explain(base, 99, model=MODEL, as_of=AS_OF)


def test_behaviour_types() -> None:
    base = leads()
    table = cb.behaviour_types(base, as_of=AS_OF)
    # Anna visited three times in 90 days and never bought: browsing.
    assert table["behaviour"] == ["browsing", None]
    own = cb.behaviour_types(
        base,
        as_of=AS_OF,
        rules=[{"name": "lead", "when": "count(activities where kind = form) >= 1"}],
    )
    assert own["behaviour"] == ["lead", None]


def test_bad_models_name_the_rule() -> None:
    base = leads()
    with pytest.raises(cb.InvalidValueError, match=r"model\.rules\[0\]\.events"):
        cb.score(base, model={"rules": [{"name": "x", "events": "activities whre", "points": 1}]})
    with pytest.raises(cb.JsonError, match="pionts"):
        cb.score(base, model={"rules": [{"name": "x", "when": "true", "pionts": 1}]})
    with pytest.raises(cb.JsonError, match="breakdwon"):
        cb.score(base, breakdwon=True)
