"""Deal: amounts as Money, statuses, product lines."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

import clientbase as cb


@pytest.fixture
def client_id(base: cb.ClientBase) -> int:
    return base.add_client(cb.Client.person("Иванова", "Анна"))


def test_new_deal_reads_naturally(base: cb.ClientBase, client_id: int, frozen_at: datetime) -> None:
    deal = cb.Deal(client_id, cb.Money("4 990,00"), title="Корм для кошек")
    assert (deal.client, deal.title, deal.pipeline, deal.stage) == (client_id, "Корм для кошек", "default", "new")
    assert deal.status == "open" and not deal.is_closed
    assert deal.amount == cb.Money("4990")
    id = base.add_deal(deal)
    stored = base.deal(id)
    assert stored.id == id
    assert stored.created_at == frozen_at
    assert repr(stored) == "Deal(id=1, client=1, 4990.00 RUB, open, 'Корм для кошек')"


def test_lines_and_total() -> None:
    deal = cb.Deal.from_dict(
        {
            "client": 1,
            "amount": {"amount": "0", "currency": "RUB"},
            "lines": [
                {"product": "Корм 10 кг", "quantity": 2, "unit_price": {"amount": "2450.00", "currency": "RUB"}},
                {"product": "Миска", "quantity": "1", "unit_price": {"amount": "300", "currency": "RUB"}, "discount": {"percent_bp": 1000}},
            ],
        }
    )
    assert len(deal.lines) == 2
    assert deal.lines[0]["product"] == "Корм 10 кг"
    assert deal.lines_total() == cb.Money("5170")


def test_closing_a_deal(base: cb.ClientBase, client_id: int) -> None:
    id = base.add_deal(cb.Deal(client_id, cb.Money("100")))
    won = base.deal(id).replace(status="won", closed_at=datetime(2025, 2, 1, tzinfo=timezone.utc))
    base.update_deal(won)
    stored = base.deal(id)
    assert stored.status == "won" and stored.is_closed
    assert stored.closed_at == datetime(2025, 2, 1, tzinfo=timezone.utc)
    assert base.counts()["open_deals"] == 0


def test_duplicate_status_is_a_dict(base: cb.ClientBase, client_id: int) -> None:
    first = base.add_deal(cb.Deal(client_id, cb.Money("100")))
    second = base.add_deal(cb.Deal(client_id, cb.Money("100")).replace(status={"duplicate_of": first}))
    assert base.deal(second).status == {"duplicate_of": first}


def test_errors_name_the_field(base: cb.ClientBase, client_id: int) -> None:
    with pytest.raises(cb.UnknownIdError) as caught:
        base.add_deal(cb.Deal(99, cb.Money("1")))
    assert (caught.value.record, caught.value.field) == ("new deal", "client")
    base.set_currency("RUB")
    with pytest.raises(cb.CurrencyMismatchError) as mismatch:
        base.add_deal(cb.Deal(client_id, cb.Money("1", "USD")))
    assert mismatch.value.field == "amount"


def test_round_trips(client_id: int) -> None:
    deal = cb.Deal(client_id, cb.Money("10", "USD"), pipeline="b2b", stage="offer")
    assert cb.Deal.from_json(deal.to_json()) == deal
    assert cb.Deal.from_dict(deal.to_dict()) == deal
    assert pickle.loads(pickle.dumps(deal)) == deal
