"""Segments: the clients of a base who meet a rule written as text or stored as
its JSON form.

A rule reads like ``city = "Москва" and consent sms and not has email`` or
``sum(purchases where date within last 24 months) > 100000`` (the full syntax is
in the crate docs of ``clientbase::segment``); its JSON form is
``{"version": 1, "rule": {...}}``, what :func:`parse_segment` gives. Params are
keyword arguments: ``as_of`` (the analysis date relative conditions count from;
default today), ``time_zone`` (``"UTC"``, ``"+03:00"``, ``"Europe/Moscow"``),
``currency`` and ``segments`` (named rules the rule may use with
``in segment "name"``). A rule that does not parse raises
:class:`~clientbase.InvalidValueError` with the line and column; a field the
base does not have :class:`~clientbase.UnknownFieldError`; a value of the
wrong type (a date compared with a number) :class:`~clientbase.FieldTypeError`.

>>> import clientbase as cb
>>> base = cb.ClientBase(cb.Schema(tags=["vip"]))
>>> base.add_client(cb.Client.person("Иванова", "Анна", tags=["vip"]))
1
>>> cb.segment(base, "has tag vip and not has email")["client"]
[1]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientbase._native import ClientBase, Table, call

__all__ = ["parse_segment", "segment", "segment_explain", "segment_sizes"]

Rule = str | Mapping[str, Any]


def segment(base: ClientBase, rule: Rule, /, **params: Any) -> Table:
    """The clients of ``base`` who meet ``rule``: a table with one ``client``
    column of ids, ascending (``polars.DataFrame(result)``)."""
    result: Table = base.call("segment", rule=rule, **params)
    return result


def segment_explain(base: ClientBase, client: int, rule: Rule, /, **params: Any) -> dict[str, Any]:
    """For one client: ``matched`` and the rule condition by condition
    (``condition``, ``held``, the client's ``value``, the ``steps`` inside)."""
    result: dict[str, Any] = base.call("segment_explain", client=client, rule=rule, **params)
    return result


def segment_sizes(base: ClientBase, segments: Mapping[str, Rule], /, **params: Any) -> dict[str, int]:
    """How many clients each named rule holds; the rules may use each other."""
    result: dict[str, int] = base.call("segment_sizes", segments=dict(segments), **params)
    return result


def parse_segment(rule: Rule, /) -> dict[str, Any]:
    """A rule given as text or JSON, in both forms: ``{"text": ..., "json": ...}``."""
    result: dict[str, Any] = call("segment_parse", rule=rule)
    return result
