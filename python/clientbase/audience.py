"""Acting on the base: who a campaign may reach on a channel, ad audiences with
hashed contacts, and call campaigns as tasks for managers.

Params are keyword arguments, as in ``clientbase::audience`` of the crate docs:
``segment`` (a rule as text or its JSON form; default every client),
``channel`` (``sms``, ``email``, ``calls``, ``whatsapp``, ``telegram``,
``viber``, ``max``, ``vk``, ``ok``, ``voice_robot``, ``ads``), ``as_of`` (the
campaign date consents count on), ``purpose`` (``marketing`` or ``service``),
``dedupe`` (one message per contact, default true). A typo in a key raises
:class:`~clientbase.JsonError`; a missing channel
:class:`~clientbase.InvalidValueError`.

>>> import clientbase as cb
>>> base = cb.ClientBase(cb.Schema())
>>> sms = {"marketing": {"sms": {"state": "given", "date": "2024-01-10"}}}
>>> base.add_client(cb.Client.from_dict({"surname": "Иванова", "phones": ["8 916 123-45-67"], "consents": sms}))
1
>>> cb.audience(base, channel="sms", as_of="2024-06-30")["contact"]
['+79161234567']
>>> cb.audience_summary(base, channel="email", as_of="2024-06-30")["excluded"]["no_contact"]
1
"""

from __future__ import annotations

from typing import Any

from clientbase._native import ClientBase, Table

__all__ = [
    "ad_audience",
    "add_call_tasks",
    "audience",
    "audience_exclusions",
    "audience_summary",
    "call_tasks",
]


def audience(base: ClientBase, /, **params: Any) -> Table:
    """The clients reachable on ``channel``: ``client``, ``contact`` (normalized),
    ``field`` (``phones[0]``, ...) and ``owner``, one row per contact."""
    result: Table = base.call("audience", **params)
    return result


def audience_summary(base: ClientBase, /, **params: Any) -> dict[str, Any]:
    """``segment``, ``audience`` and ``excluded`` (counts by reason: ``no_contact``,
    ``no_consent``, ``consent_withdrawn``, ``invalid_contact``, ``duplicate``,
    ``shared_contact``); the audience and the exclusions add up to the segment."""
    result: dict[str, Any] = base.call("audience_summary", **params)
    return result


def audience_exclusions(base: ClientBase, /, **params: Any) -> Table:
    """The clients left out: ``client``, ``reason`` and ``other`` (the member who
    gets the message, for duplicates and shared contacts)."""
    result: Table = base.call("audience_exclusions", **params)
    return result


def ad_audience(base: ClientBase, /, **params: Any) -> Table:
    """The ``ads`` audience as ``platform``'s customer list (``google``, ``meta``,
    ``yandex``): emails and phones normalized and hashed with SHA-256."""
    result: Table = base.call("ad_audience", **params)
    return result


def call_tasks(base: ClientBase, /, **params: Any) -> Table:
    """A segment as call tasks: ``client``, ``name``, ``manager``, ``own_manager``,
    ``due``, ``contact``, ``reason``, ``script``. Params add ``managers`` (the pool),
    ``distribute`` (``load`` or ``round_robin``), ``due_in_days``, ``reason``,
    ``script`` (plain text) and ``channel`` (``None``: no contact needed)."""
    result: Table = base.call("call_tasks", **params)
    return result


def add_call_tasks(base: ClientBase, /, **params: Any) -> dict[str, Any]:
    """Adds the tasks of :func:`call_tasks` to the base as activities; gives back
    ``added``, ``unassigned`` and the new ``tasks`` ids."""
    result: dict[str, Any] = base.call("add_call_tasks", **params)
    return result
