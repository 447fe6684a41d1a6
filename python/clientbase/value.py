"""Client value from order lines: RFM, ABC and XYZ, lifetime value and the next
purchase (and, on a base, the same from its won deals).

Each function takes the order lines as any table Python holds (a polars or
pyarrow frame, a pandas DataFrame, a :class:`~clientbase.Table` or a dict of
lists) with columns ``client``, ``date`` and ``amount`` (and ``product``,
``category``, ``quantity`` where a calculation needs them; other names through
``orders={"client": "Контрагент", ...}``), and the calculation's params as
keyword arguments. The result is a :class:`~clientbase.Table`:
``polars.DataFrame(result)``, ``result.to_pandas()``. Lines that could not be
read are listed in ``result.problems``; the rest are used. A params key the
calculation does not have raises :class:`~clientbase.JsonError` naming it.

On a :class:`~clientbase.ClientBase`, the same calculations read its won deals:
``base.call("rfm", as_of="2024-12-31")``.

>>> import clientbase as cb
>>> orders = {"client": [1, 1, 2, 3], "date": ["2024-01-10", "2024-03-01", "2024-02-01",
...           "2024-02-05"], "amount": ["5000", "3000", "1500,00", "500"]}
>>> cb.abc(orders)["class"]
['A', 'B', 'C']
"""

from __future__ import annotations

from typing import Any

from clientbase._native import Table, call

__all__ = ["abc", "abc_xyz", "clv", "clv_fit", "next_purchase", "rfm", "xyz"]


def rfm(orders: Any, /, **params: Any) -> Table:
    """Recency, frequency and monetary value per client, scored 1 to 5, with
    the segment (Champions, Loyal, At Risk, ...). Params: ``as_of``,
    ``scores``, ``segments``, ``orders``."""
    result: Table = call("rfm", rows=orders, **params)
    return result


def abc(orders: Any, /, **params: Any) -> Table:
    """ABC classes of clients, products or categories by share of revenue,
    margin or count. Params: ``by``, ``measure``, ``thresholds`` (default
    ``[80, 15, 5]``), ``mode``, ``orders``."""
    result: Table = call("abc", rows=orders, **params)
    return result


def xyz(orders: Any, /, **params: Any) -> Table:
    """XYZ classes by how steady per-period sales are (coefficient of
    variation). Params: ``by``, ``measure``, ``period``, ``min_periods``,
    ``thresholds``, ``orders``."""
    result: Table = call("xyz", rows=orders, **params)
    return result


def abc_xyz(orders: Any, /, **params: Any) -> Table:
    """Both classes per object and the ABC-XYZ cell (``AX`` ... ``CZ``)."""
    result: Table = call("abc_xyz", rows=orders, **params)
    return result


def clv(orders: Any, /, **params: Any) -> Table:
    """Lifetime value per client: BG/NBD (probability alive, expected
    purchases in ``forecast_periods``) and Gamma-Gamma (expected spend),
    discounted over ``clv_months`` at the monthly ``discount_rate``. Params:
    ``as_of``, ``period`` (``day``/``week``/``month``), ``forecast_periods``,
    ``clv_months``, ``discount_rate``, ``orders``."""
    result: Table = call("clv", rows=orders, **params)
    return result


def clv_fit(orders: Any, /, **params: Any) -> dict[str, Any]:
    """The fitted BG/NBD and Gamma-Gamma models: parameters, log-likelihood,
    iterations and whether the fit converged (the params of :func:`clv`)."""
    result: dict[str, Any] = call("clv_fit", rows=orders, **params)
    return result


def next_purchase(orders: Any, /, **params: Any) -> Table:
    """When each client (or client and product, ``by_product=True``) needs to
    buy again and when to remind them: ``method="history"`` (the median
    interval) or ``"consumption"`` (units bought times ``days_per_unit``).
    Params: ``as_of``, ``remind_days_before``, ``due_within_days``,
    ``product_days_per_unit``, ``client_days_per_unit``, ``orders``."""
    result: Table = call("next_purchase", rows=orders, **params)
    return result
