"""A client's history from Python: deals, activities, consents and merges on
a base in memory; consent and contact changes with their actors from a base
file's change log; bad params refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import clientbase as cb


def fill(base: cb.ClientBase) -> None:
    base.add_client(
        {
            "surname": "Иванова",
            "given": "Анна",
            "created_at": "2024-01-10T09:00:00Z",
            "consents": {"marketing": {"sms": {"state": "given", "date": "2024-01-10"}}},
        }
    )
    base.add_deal(
        {
            "client": 1,
            "owner": "Оля",
            "amount": {"amount": "1000.00", "currency": "RUB"},
            "status": "won",
            "created_at": "2024-03-01T10:00:00Z",
            "closed_at": "2024-03-11T10:00:00Z",
        }
    )
    base.add_activity(
        {"client": 1, "kind": "call", "at": "2024-03-02T10:00:00Z", "manager": "Оля", "outcome": "перезвонить"}
    )
    base.add_client({"surname": "Иванова", "given": "Анна", "created_at": "2024-02-01T09:00:00Z"})
    base.add_deal(
        {
            "client": 2,
            "amount": {"amount": "500.00", "currency": "RUB"},
            "status": "lost",
            "created_at": "2024-02-02T10:00:00Z",
            "closed_at": "2024-02-20T10:00:00Z",
        }
    )


def test_in_memory_history_in_time_order() -> None:
    base = cb.ClientBase()
    fill(base)
    t = cb.client_history(base, 1)
    assert t.column_names == ["time", "kind", "what", "detail", "actor", "client", "deal", "source"]
    assert t["kind"] == ["consent_given", "client_added", "deal_opened", "activity", "deal_won"]
    assert t["source"] == ["client", "client", "deal", "activity", "deal"]
    assert t["actor"][2:] == ["Оля", "Оля", "Оля"]
    assert t["detail"][3] == "перезвонить"
    assert t["deal"] == [None, None, 1, None, 1]
    times = t["time"]
    assert times == sorted(times)
    # A period and kinds.
    t = cb.client_history(base, 1, period=(date(2024, 3, 2), "2024-03-31"), kinds=["activity", "deal_won"])
    assert t["kind"] == ["activity", "deal_won"]


def test_a_merged_record_leads_to_the_survivor() -> None:
    base = cb.ClientBase()
    fill(base)
    base.merge_clients(1, [2])
    t = cb.client_history(base, 2)
    assert t["kind"][-1] == "merge"
    assert "deal_lost" in t["kind"]
    lost = t["kind"].index("deal_lost")
    assert t["client"][lost] == 2
    assert cb.client_history(base, 1).to_pylist() == t.to_pylist()


def test_a_base_file_adds_the_change_log(tmp_path: Path) -> None:
    path = tmp_path / "history.cb"
    with cb.ClientBase.create(path) as base:
        base.actor = "Оля"
        fill(base)
        base.actor = "Петя"
        anna = base.client(1).to_dict()
        anna["phones"] = [{"raw": "+79161234567"}]
        anna["consents"] = {"marketing": {"sms": {"state": "withdrawn", "date": "2024-04-01"}}}
        base.update_client(anna)
    with cb.ClientBase.open(path, read_only=True) as base:
        t = cb.client_history(base, 1, kinds=["consent_given", "consent_withdrawn", "contact_added"])
        assert t["kind"] == ["consent_given", "consent_withdrawn", "contact_added"]
        assert t["actor"] == ["Оля", "Петя", "Петя"]
        assert t["what"][2] == "phone +79161234567"
        assert t["source"] == ["change_log"] * 3


def test_bad_params_are_refused() -> None:
    base = cb.ClientBase()
    fill(base)
    with pytest.raises(cb.UnknownIdError, match="client 99"):
        cb.client_history(base, 99)
    with pytest.raises(cb.InvalidValueError, match="deal_won"):
        cb.client_history(base, 1, kinds=["deal"])
    with pytest.raises(cb.JsonError, match="kindz"):
        cb.client_history(base, 1, kindz=["deal"])
