"""Money: exact amounts, never floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

import clientbase as cb


def test_parses_russian_and_plain_amounts() -> None:
    assert cb.Money("1 234,50") == cb.Money("1234.50", "RUB")
    assert cb.Money(Decimal("1234.50"), "rub") == cb.Money("1234.5")
    assert cb.Money(10, "USD").minor == 1000


def test_reads_naturally() -> None:
    price = cb.Money("4 990,00", "RUB")
    assert price.amount == Decimal("4990.00")
    assert price.currency == "RUB"
    assert price.minor == 499000
    assert str(price) == "4990.00 RUB"
    assert repr(price) == "Money('4990.00', 'RUB')"
    assert price.to_dict() == {"amount": "4990.00", "currency": "RUB"}
    assert hash(price) == hash(cb.Money("4990"))


def test_refuses_floats() -> None:
    with pytest.raises(TypeError, match="float"):
        cb.Money(10.5)  # type: ignore[arg-type]


def test_bad_amounts_raise_invalid_value() -> None:
    with pytest.raises(cb.InvalidValueError):
        cb.Money("10,005")
    with pytest.raises(cb.InvalidValueError) as caught:
        cb.Money("1", "рубли")
    assert caught.value.field == "currency"
