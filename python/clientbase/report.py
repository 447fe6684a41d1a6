"""A client's history and the HTML report on a base.

:func:`client_history` gives one client's events in time order as a
:class:`~clientbase.Table` (``time``, ``kind``, ``what``, ``detail``, ``actor``,
``client``, ``deal``, ``source``): deals opened, won and lost, activities,
merges, consents; a base kept in a file (``ClientBase.open``) adds from its
change log the consents given and withdrawn before the current one, contact
points added and removed, stage moves, undone merges and who made each write.
A record merged into another leads to the survivor's history.

:func:`report` writes one self-contained HTML page (no network, no external
scripts; inline SVG charts, Russian labels, ``1 234 567,89 ₽``): data quality,
the funnel, the ABC Pareto curve, the RFM grid, months with the year before,
the managers. Params are keyword arguments: ``title``, ``as_of``, the period as
``period=(from, to)`` (``from`` is a Python keyword), ``sections``, ``stages``,
``required``, ``duplicates``.

>>> import clientbase as cb
>>> base = cb.ClientBase()
>>> base.add_client(cb.Client.person("Иванова", "Анна"))
1
>>> base.add_deal({"client": 1, "amount": {"amount": "1234.50", "currency": "RUB"},
...                "status": "won", "owner": "Оля",
...                "created_at": "2025-01-10T10:00:00Z", "closed_at": "2025-02-01T10:00:00Z"})
1
>>> cb.client_history(base, 1, kinds=["deal_won"])["what"]
['deal 1']
>>> page = cb.report(base, title="Итоги")
>>> page.startswith("<!DOCTYPE html>"), "1\\xa0234,50\\xa0₽" in page
(True, True)
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from clientbase._native import ClientBase, Table
from clientbase.analytics import _period

__all__ = ["client_history", "report"]


def client_history(
    base: ClientBase,
    client: int,
    /,
    *,
    period: tuple[date | str | None, date | str | None] | None = None,
    **params: Any,
) -> Table:
    """One client's history in time order. Params: ``kinds`` (a list of
    ``deal_won``, ``activity``, ``consent_withdrawn``, ...), ``from``/``to``
    (or ``period``)."""
    params["client"] = client
    _period(params, period)
    result: Table = base.call("client_history", params)
    return result


def report(
    base: ClientBase,
    /,
    path: str | os.PathLike[str] | None = None,
    *,
    period: tuple[date | str | None, date | str | None] | None = None,
    **params: Any,
) -> str:
    """The HTML report on a base; written to ``path`` (UTF-8) when given.
    Returns the page."""
    _period(params, period)
    html: str = base.call("report_html", params)["html"]
    if path is not None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(html)
    return html
