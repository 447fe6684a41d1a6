"""Scoring: lead scores from fit rules (who the client is) and engagement rules
(what they do), a temperature (cold, warm, hot), a fit × engagement grade and
the points by rule; and behaviour types from purchase history.

A model is a dict (the JSON form of ``clientbase::scoring::ScoringModel``)::

    {"rules": [
        {"name": "moscow", "when": "city = Москва", "points": 10},
        {"name": "visits", "events": "activities where kind = visit", "points": 3, "max": 15},
        {"name": "spend", "events": "purchases", "points": 1, "per": "10000"}],
     "groups": {...}, "cap": 100, "decay": {"percent": 20, "every_days": 30},
     "window_days": 365, "temperature": {"warm": 30, "hot": 60}}

``when`` is a condition in the segment rule language, ``events`` the rows an
aggregate runs over (``activities``, ``deals``, ``purchases``, ``lines``, with
``where``). Without ``model`` a general default model is used. Other keyword
params: ``as_of``, ``time_zone``, ``currency``, ``segments``. A bad model
raises :class:`~clientbase.InvalidValueError` naming the rule
(``model.rules[2].events``); a typo in a key :class:`~clientbase.JsonError`.

>>> import clientbase as cb
>>> base = cb.ClientBase()
>>> base.add_client(cb.Client.from_dict({"surname": "Иванова", "city": "Москва"}))
1
>>> model = {"rules": [{"name": "moscow", "when": "city = Москва", "points": 40}]}
>>> cb.score(base, model=model, as_of="2026-06-30")["temperature"]
['warm']
"""

from __future__ import annotations

from typing import Any

from clientbase._native import ClientBase, Table

__all__ = ["behaviour_types", "score", "score_explain"]


def score(base: ClientBase, /, **params: Any) -> Table:
    """Every client's score: a table of ``client``, ``score``, ``fit``,
    ``engagement``, ``temperature``, ``grade`` (and ``breakdown``, a JSON
    object of each rule's points, with ``breakdown=True``)."""
    result: Table = base.call("score", **params)
    return result


def score_explain(base: ClientBase, client: int, /, **params: Any) -> dict[str, Any]:
    """One client's score with every rule's ``points`` and ``matched`` count,
    and for fit rules ``why`` (each condition, whether it held, the value)."""
    result: dict[str, Any] = base.call("score_explain", client=client, **params)
    return result


def behaviour_types(base: ClientBase, /, **params: Any) -> Table:
    """Every client's behaviour type: the first of ``rules`` (a list of
    ``{"name": ..., "when": ...}``; default loyal, discount_driven, impulsive,
    purposeful, browsing) whose condition holds, else null."""
    result: Table = base.call("behaviour_types", **params)
    return result
