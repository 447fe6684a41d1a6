"""The HTML report from Python: one page with the base's numbers in Russian
formats, user strings escaped, written to a file, params checked."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import clientbase as cb


def base() -> cb.ClientBase:
    b = cb.ClientBase()
    b.add_client(cb.Client.company("ООО <Ромашка> & Ко", phones=["+79161234567"]))
    for i, (status, amount) in enumerate([("won", "1234567.89"), ("lost", "1000.00"), ("open", "50.00")]):
        b.add_deal(
            {
                "client": 1,
                "owner": "<i>Оля</i>",
                "stage": "Счёт & оплата",
                "amount": {"amount": amount, "currency": "RUB"},
                "status": status,
                "created_at": f"2025-0{i + 1}-05T10:00:00Z",
                "closed_at": None if status == "open" else f"2025-0{i + 2}-05T10:00:00Z",
            }
        )
    return b


def test_the_page_holds_the_numbers_and_escapes_names(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    page = cb.report(base(), path, title="Итоги")
    assert path.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in page
    assert "1\xa0234\xa0567,89\xa0₽" in page
    assert "&lt;i&gt;Оля&lt;/i&gt;" in page and "<i>Оля" not in page
    assert "Счёт &amp; оплата" in page
    assert page.count("<script") == 1
    # The managers' table holds the manager's revenue as an exact decimal.
    assert re.search(r'data-col="revenue" data-value="1234567.89"', page)
    for section in ["quality", "funnel", "abc", "rfm", "monthly", "managers"]:
        assert f'<section id="{section}"' in page


def test_params_sections_and_period() -> None:
    page = cb.report(base(), sections=["managers"], period=("2025-01-01", "2025-12-31"))
    assert '<section id="managers"' in page and '<section id="funnel"' not in page
    assert "01.01.2025 — 31.12.2025" in page
    full = cb.ClientBase.call(base(), "report_html", {"sections": ["funnel"], "as_of": "2025-03-31"})
    assert full["to"] == "2025-03-31" and full["from"] == "2024-04-01"
    with pytest.raises(cb.JsonError, match="sections"):
        cb.report(base(), sections=["pie"])
    with pytest.raises(cb.JsonError, match="titel"):
        cb.report(base(), titel="x")
    with pytest.raises(cb.InvalidValueError, match="from"):
        cb.report(base(), period=("2025-02-01", "2025-01-01"))


def test_an_empty_base_renders() -> None:
    page = cb.report(cb.ClientBase())
    assert "Нет данных" in page
    assert 'data-series="' not in page


def test_module_examples() -> None:
    module = importlib.import_module("clientbase.report")
    failures, tried = doctest.testmod(module, raise_on_error=False)
    assert tried > 0 and failures == 0
