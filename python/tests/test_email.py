"""Emails: trimming, syntax with a reason, lowercase and IDN domains, matching
keys with and without provider rules, typo suggestions that are offered and
never applied, and the column batch."""

from __future__ import annotations

from typing import Any

import pytest

import clientbase as cb

PLAIN = cb.EmailNormalizer()
RULES = cb.EmailNormalizer(provider_rules=True)


def test_normalized_address_and_key() -> None:
    email = PLAIN.parse("  Anna.Petrova@Mail.RU ")
    assert email == {
        "address": "Anna.Petrova@mail.ru",
        "local": "Anna.Petrova",
        "domain": "mail.ru",
        "key": "anna.petrova@mail.ru",
        "suggestion": None,
    }
    assert PLAIN.parse("<ivan@yandex.ru>")["address"] == "ivan@yandex.ru"
    assert PLAIN.parse("mailto:ivan@yandex.ru")["address"] == "ivan@yandex.ru"


def test_internationalized_domains() -> None:
    email = PLAIN.parse("иван@почта.рф")
    assert email["domain"] == "xn--80a1acny.xn--p1ai"
    assert email["address"] == "иван@xn--80a1acny.xn--p1ai"


def test_provider_rules() -> None:
    assert not PLAIN.provider_rules and RULES.provider_rules
    assert repr(RULES) == "EmailNormalizer(provider_rules=True)"
    assert PLAIN.parse("Ivan.Petrov+shop@googlemail.com")["key"] == "ivan.petrov+shop@googlemail.com"
    assert RULES.parse("Ivan.Petrov+shop@googlemail.com")["key"] == "ivanpetrov@gmail.com"
    assert RULES.parse("anna-petrova@ya.ru")["key"] == RULES.parse("anna.petrova@yandex.ru")["key"]
    assert RULES.parse("ivan+news@outlook.com")["key"] == "ivan@outlook.com"
    # The address itself is never rewritten by the rules.
    assert RULES.parse("Ivan.Petrov+shop@googlemail.com")["address"] == (
        "Ivan.Petrov+shop@googlemail.com"
    )


def test_typos_are_suggested_not_applied() -> None:
    email = PLAIN.parse("ivan@gmial.com")
    assert email["address"] == "ivan@gmial.com"
    assert email["suggestion"] == "ivan@gmail.com"
    with pytest.raises(cb.InvalidValueError) as caught:
        PLAIN.parse("ivan@mail,ru")
    assert caught.value.field == "email"
    assert caught.value.reason == "',' cannot be in the domain (did you mean ivan@mail.ru?)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("ivan.mail.ru", "no @"),
        ("ivan@@mail.ru", "more than one @"),
        ("@mail.ru", "nothing before the @"),
        ("iv..an@mail.ru", "two dots in a row before the @"),
        ("ivan@mail", 'the domain "mail" has no dot'),
        ("ivan@[127.0.0.1]", "IP address literals are not supported"),
        ("a" * 65 + "@mail.ru", "longer than 64 characters"),
    ],
)
def test_invalid_addresses_raise_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(cb.InvalidValueError) as caught:
        PLAIN.parse(text)
    assert caught.value.field == "email"
    assert caught.value.reason is not None and reason in caught.value.reason


COLUMNS = ["input", "address", "key", "domain", "valid", "problem", "reason", "suggestion"]


def test_batch_columns() -> None:
    values: list[Any] = ["Anna@Mail.RU", "", "anna", "anna@gmial.com", None, 42, "ivan@mail,ru"]
    columns = RULES.parse_batch(values)
    assert list(columns) == COLUMNS
    assert columns["input"] == values
    assert columns["address"] == ["Anna@mail.ru", None, None, "anna@gmial.com", None, None, None]
    assert columns["key"] == ["anna@mail.ru", None, None, "anna@gmial.com", None, None, None]
    assert columns["domain"] == ["mail.ru", None, None, "gmial.com", None, None, None]
    assert columns["valid"] == [True, False, False, True, False, False, False]
    assert columns["problem"] == [None, "empty", "at", None, "missing", "not_text", "domain"]
    assert columns["reason"] == [
        None,
        "empty",
        "no @",
        None,
        "missing value (None)",
        "expected str, got int",
        "',' cannot be in the domain",
    ]
    # Suggestions for valid and invalid addresses alike; never applied.
    assert columns["suggestion"] == [
        None, None, None, "anna@gmail.com", None, None, "ivan@mail.ru"
    ]


def test_batch_agrees_with_parse_on_a_large_column() -> None:
    values = [f"user{i}@{'gmial.com' if i % 7 == 0 else 'mail.ru'}" for i in range(100_000)]
    values[5] = "broken"
    columns = PLAIN.parse_batch(values)
    assert columns["valid"].count(False) == 1 and columns["problem"][5] == "at"
    for i in (0, 1, 7, 65_537, 99_999):
        email = PLAIN.parse(values[i])
        assert columns["address"][i] == email["address"]
        assert columns["suggestion"][i] == email["suggestion"]


def test_normalize_emails_and_series() -> None:
    assert cb.normalize_emails(["A@B.RU"])["address"] == ["A@b.ru"]
    assert cb.normalize_emails(["a.b@gmail.com"], provider_rules=True)["key"] == ["ab@gmail.com"]
    pd = pytest.importorskip("pandas")
    columns = PLAIN.parse_batch(pd.Series(["a@b.ru", None]))
    assert columns["valid"] == [True, False]
    assert list(pd.DataFrame(columns).columns) == COLUMNS
