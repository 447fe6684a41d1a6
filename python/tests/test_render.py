"""Documents and messages from Python: templates filled from a base,
strict-mode and limit errors, the check, mail merge as a table, SMS parts,
and the README's examples."""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import re

import pytest

import clientbase as cb

from conftest import REPO_ROOT

COMPANY = {"name": "ООО «Ромашка»", "inn": "7707083893", "director": "Иванов Сергей Петрович",
           "director_position": "Генеральный директор"}


@pytest.fixture
def shop() -> cb.ClientBase:
    base = cb.ClientBase(cb.Schema())
    base.add_client(cb.Client.person("Смирнова", "Ольга", patronymic="Игоревна", phones=["8 916 123-45-67"]))
    base.add_client(cb.Client.person("Петров", "Пётр"))
    base.add_client(cb.Client.from_dict({"kind": "company", "legal_name": "ООО «Вектор»",
                                         "phones": [{"raw": "+7 812 555-01-02"}]}))
    base.add_deal(cb.Deal.from_dict({
        "client": 1, "amount": {"amount": "123456.78", "currency": "RUB"}, "owner": "anna",
        "lines": [
            {"product": "Стеллаж", "quantity": "2", "unit_price": {"amount": "50000.00", "currency": "RUB"}},
            {"product": "Стол", "quantity": "1", "unit_price": {"amount": "23456.78", "currency": "RUB"}},
        ]}))
    return base


def test_render_a_deal(shop: cb.ClientBase) -> None:
    template = ("{{ company.name }} в лице {{ company.director | inflect('genitive') }}\n"
                "{% for l in deal.lines %}{{ l.n }}. {{ l.product }} {{ l.total | money }}\n{% endfor %}"
                "Итого {{ deal.amount | amount_words }}\n{{ client.person | initials_first }}, {{ manager.name }}")
    text = cb.render(shop, template, deal=1, company=COMPANY, managers={"anna": {"name": "Кузнецова Анна"}})
    assert text == ("ООО «Ромашка» в лице Иванова Сергея Петровича\n"
                    "1. Стеллаж 100\u00a0000,00\u00a0₽\n2. Стол 23\u00a0456,78\u00a0₽\n"
                    "Итого Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек\n"
                    "О.\u00a0И.\u00a0Смирнова, Кузнецова Анна")


def test_strict_mode_names_the_variable_and_line(shop: cb.ClientBase) -> None:
    with pytest.raises(cb.InvalidValueError, match=r'template line 2, field "client.city"'):
        cb.render(shop, "Здравствуйте!\n{{ client.city }}", client=1)
    assert cb.render(shop, "[{{ client.city }}]", client=1, strict=False) == "[]"
    with pytest.raises(cb.InvalidValueError, match="syntax error"):
        cb.render(shop, "{% for %}", client=1)
    with pytest.raises(cb.JsonError, match="strikt"):
        cb.render(shop, "x", client=1, strikt=True)
    with pytest.raises(cb.UnknownIdError):
        cb.render(shop, "x", client=99)


def test_limits(shop: cb.ClientBase) -> None:
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(cb.InvalidValueError, match=r'field "limits.fuel"'):
        cb.render(shop, loop, client=1)
    with pytest.raises(cb.InvalidValueError, match=r'field "limits.max_output_bytes"'):
        cb.render(shop, "{{ 'x' * 5000 }}", client=1, limits={"max_output_bytes": 1000})
    with pytest.raises(cb.InvalidValueError, match=r'field "limits.max_depth"'):
        cb.render(shop, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", client=1)


def test_check(shop: cb.ClientBase) -> None:
    report = cb.render_check(shop, "{{ client.name }} {{ client.city }} {{ deal.amount | money }}", client=2)
    assert report == {"variables": ["client.city", "client.name", "deal.amount"],
                      "missing": ["client.city", "deal.amount"]}


def test_mail_merge(shop: cb.ClientBase) -> None:
    table = cb.mail_merge(shop, "{{ client.given }}, ваш заказ готов!")
    rows = table.to_pylist()
    assert [r["client"] for r in rows] == [1, 2, 3]
    assert rows[0] == {"client": 1, "address": "+79161234567", "text": "Ольга, ваш заказ готов!",
                       "encoding": "UCS-2", "characters": 23, "parts": 1, "error": None}
    assert rows[1]["text"] is None and "no phone" in rows[1]["error"]
    assert rows[2]["text"] is None and "client.given" in rows[2]["error"]
    only = cb.mail_merge(shop, "{{ client.name }}", segment="kind = company", channel="text")
    assert only["client"] == [3] and only["text"] == ["ООО «Вектор»"] and only["encoding"] == [None]


def test_sms_parts() -> None:
    assert cb.sms_parts("a" * 160) == {"encoding": "GSM-7", "characters": 160, "units": 160, "parts": 1, "per_part": 160}
    assert cb.sms_parts("a" * 161)["parts"] == 2
    assert cb.sms_parts("я" * 70)["parts"] == 1
    assert cb.sms_parts("я" * 71) == {"encoding": "UCS-2", "characters": 71, "units": 71, "parts": 2, "per_part": 67}
    assert cb.sms_parts("{}" * 40)["units"] == 160


def test_module_docstring_examples() -> None:
    # The package exports the function `render`; the module is reached by name.
    module = importlib.import_module("clientbase.render")
    failures, tried = doctest.testmod(module, raise_on_error=False)
    assert tried > 0 and failures == 0


def test_readme_section_prints_what_it_says() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Documents and messages", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block
    expected = [m.group(1) for m in re.finditer(r"^print\(.*?\)[ \t]+# (.*)$", block.group(1), re.M)]
    assert len(expected) == 3
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block.group(1), "README.md", "exec"), {})
    assert out.getvalue().splitlines() == expected
