"""Data quality of a base: completeness by field (required fields marked),
invalid and non-normalized contacts, phone-only and email-only clients, the
duplicate rate and review queue, consent coverage by channel, tags and fields
outside the schema; and per client, a checklist of what is missing.

>>> import clientbase as cb
>>> base = cb.ClientBase(cb.Schema())
>>> base.add_client(cb.Client.person("Иванова", "Анна", phones=["123"]))
1
>>> report = cb.quality_report(base, required=["email"])
>>> report["contacts"]["phones_invalid"], report["required_complete"]
(1, 0)
>>> cb.quality_checklist(base, required=["email"])["missing"]
[['email']]
"""

from __future__ import annotations

from typing import Any

from clientbase._native import ClientBase, Table

__all__ = ["quality_checklist", "quality_report"]


def quality_report(base: ClientBase, /, **params: Any) -> dict[str, Any]:
    """The quality report as a dict. Params: ``required``, ``duplicates``,
    ``match_options``, ``review_below``, ``review_limit``, ``examples``."""
    result: dict[str, Any] = base.call("quality_report", params)
    return result


def quality_checklist(base: ClientBase, /, **params: Any) -> Table:
    """One row per client (or per client with an item, ``only_issues=True``):
    ``missing``, ``invalid``, ``not_normalized``, ``no_contact``,
    ``duplicate_of``, ``outside_schema``, ``items``."""
    result: Table = base.call("quality_checklist", params)
    return result
