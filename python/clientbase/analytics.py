"""Sales analytics: revenue, deals, won rate, average deal and the sales cycle
over a period by client, manager, product, category, city, region, source or
month; manager effectiveness; the funnel; lead source conversion; monthly
dynamics with the year before.

``sales_analytics`` and ``monthly_dynamics`` take a :class:`~clientbase.ClientBase`
(its deals) or deal lines as any table Python holds (a polars or pyarrow frame,
a pandas DataFrame, a :class:`~clientbase.Table`, a dict of lists) with columns
``deal``, ``status`` and ``amount`` (and ``created``, ``closed``, ``client``,
``manager``, ``source``, ``city``, ``region``, ``product``, ``category`` when
present; other names through ``lines={"manager": "Ответственный", ...}``).
The others read a base. Params are keyword arguments (``by``; the period as
``period=(from, to)``, since ``from`` is a Python keyword); the result is a
:class:`~clientbase.Table`, revenue exact per currency. Deals that could not be
counted are listed in ``result.problems``.

>>> import clientbase as cb
>>> lines = {"deal": [1, 1, 2], "status": ["won", "won", "lost"],
...          "amount": ["100", "50", "70"], "manager": ["Оля", "Оля", "Петя"],
...          "closed": ["2024-03-01", "2024-03-01", "2024-03-02"]}
>>> t = cb.sales_analytics(lines, by="manager")
>>> t["manager"], t["won"], [str(r) for r in t["revenue"]]
(['Оля', 'Петя'], [1, 0], ['150.00', '0.00'])
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clientbase._native import ClientBase, Table, call

__all__ = [
    "funnel",
    "manager_effectiveness",
    "monthly_dynamics",
    "sales_analytics",
    "source_conversion",
]


def _period(params: dict[str, Any], period: tuple[date | str | None, date | str | None] | None) -> None:
    if period is not None:
        start, end = period
        if start is not None:
            params["from"] = str(start)
        if end is not None:
            params["to"] = str(end)


def _rows(name: str, lines: Any, params: dict[str, Any]) -> Table:
    if isinstance(lines, ClientBase):
        result: Table = lines.call(name, params)
    else:
        result = call(name, params, rows=lines)
    return result


def sales_analytics(
    lines: Any,
    /,
    *,
    period: tuple[date | str | None, date | str | None] | None = None,
    **params: Any,
) -> Table:
    """Revenue, deals, won, lost, open, won rate, average deal and the sales
    cycle per slice and currency. Params: ``by`` (``client``, ``manager``,
    ``product``, ``category``, ``city``, ``region``, ``source``, ``month`` or
    ``none``), ``from``/``to`` (or ``period``), ``include_recurring``,
    ``lines``."""
    _period(params, period)
    return _rows("sales_analytics", lines, params)


def monthly_dynamics(
    lines: Any,
    /,
    *,
    period: tuple[date | str | None, date | str | None] | None = None,
    **params: Any,
) -> Table:
    """Per month and currency the figures of :func:`sales_analytics` with the
    same month a year before (``prev_year_revenue``, ``prev_year_deals``,
    ``prev_year_won``) and ``revenue_yoy``."""
    _period(params, period)
    return _rows("monthly_dynamics", lines, params)


def manager_effectiveness(
    base: ClientBase,
    /,
    *,
    period: tuple[date | str | None, date | str | None] | None = None,
    **params: Any,
) -> Table:
    """Per manager: deals, conversion (won rate), revenue, sales cycle,
    ``activities`` and ``activities_per_deal``."""
    _period(params, period)
    result: Table = base.call("manager_effectiveness", params)
    return result


def funnel(base: ClientBase, /, **params: Any) -> Table:
    """Deals per pipeline stage, the deals that reached each stage,
    stage-to-stage conversion (with ``stages={"pipeline": [...]}``), the
    age of open deals and, on a base opened from a file, the time deals
    stayed in each stage (from the change log; null on a base in memory).
    Params: ``from``, ``to``, ``as_of``, ``stages``."""
    result: Table = base.call("funnel", params)
    return result


def source_conversion(base: ClientBase, /, **params: Any) -> Table:
    """Per lead source: clients, buyers, conversion, won deals and days to the
    first sale. Params: ``from``, ``to``."""
    result: Table = base.call("source_conversion", params)
    return result
