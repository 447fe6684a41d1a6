"""Reminders, stage actions and routing: what the base asks people to do.

Params are keyword arguments, as in ``clientbase::automation`` of the crate
docs. ``rules`` is the rule set ``{"version": 1, "rules": [...]}`` (each rule
a ``name``, a ``kind`` — ``next_purchase``, ``recurring``, ``birthday``,
``stuck_in_stage``, ``missing_contact``, ``stage_entered`` — and the keys its
kind reads; ``when`` a segment rule); left out, the default set. A typo in a
key raises :class:`~clientbase.JsonError` naming it.

>>> import clientbase as cb
>>> base = cb.ClientBase(cb.Schema())
>>> base.add_client(cb.Client.from_dict({"surname": "Иванова", "owner": "olga", "phones": ["8 916 123-45-67"]}))
1
>>> rules = {"version": 1, "rules": [{"name": "ask_email", "kind": "missing_contact", "contact": "email"}]}
>>> cb.due(base, as_of="2026-12-07", rules=rules)["key"]
['ask_email/client-1']
>>> cb.add_due_tasks(base, as_of="2026-12-07", rules=rules)["tasks"]
1
>>> cb.due(base, as_of="2026-12-08", rules=rules)["key"]
[]
"""

from __future__ import annotations

from typing import Any

from clientbase._native import ClientBase, Table

__all__ = ["add_due_tasks", "due", "route", "stage_actions"]


def due(base: ClientBase, /, **params: Any) -> Table:
    """The actions due on ``as_of``: ``key`` (the idempotency key), ``rule``,
    ``kind``, ``action`` (``task`` or ``notify_client``), ``client``, ``name``,
    ``deal``, ``manager``, ``due``, ``occurs``, ``reason``, ``channel``,
    ``contact``, ``text``. Keys already recorded in the base, or listed in
    ``done``, are left out."""
    result: Table = base.call("due", **params)
    return result


def add_due_tasks(base: ClientBase, /, **params: Any) -> dict[str, Any]:
    """Records the actions of :func:`due` in the base (tasks for managers,
    messages to clients), each with its key; gives back ``tasks``,
    ``messages``, ``unassigned``, the new ``activities`` ids and their ``keys``."""
    result: dict[str, Any] = base.call("add_due_tasks", **params)
    return result


def stage_actions(base: ClientBase, /, **params: Any) -> Table:
    """The actions a stage move triggers: for ``deal`` (and its new ``stage``),
    or for every move of the change log ``since`` a time (a base file); the
    columns of :func:`due`."""
    result: Table = base.call("stage_actions", **params)
    return result


def route(base: ClientBase, /, **params: Any) -> dict[str, Any]:
    """Which manager takes ``lead`` (``name``, ``company``, ``phone``, ``email``,
    ``type``, ``amount``, ``source``): ``client`` (a known one), ``manager``,
    ``rule``, ``after_hours``, ``reason`` and the ``pool`` with each one's open
    tasks. Params add ``rules``, ``managers`` (``name``, ``working_hours``,
    ``days``, ``max_open``), ``at``, ``time_zone``, ``distribute``, ``turn``."""
    result: dict[str, Any] = base.call("route", **params)
    return result
