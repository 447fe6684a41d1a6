"""Every options, rules and record type Python hands to the core: a typo in a
key is a JsonError naming the key (as its ``field``) and the keys allowed, a
partial dict gets the defaults, and the full form read back is accepted again.
The core reads them all, so these are the checks of the Rust and C tests."""

from __future__ import annotations

from typing import Any

import pytest

import clientbase as cb

MONEY = {"amount": "100.00", "currency": "RUB"}


def refused(call: Any, key: str, allowed: str) -> cb.JsonError:
    """Runs `call`, expects a JsonError naming `key` and listing `allowed`."""
    with pytest.raises(cb.JsonError) as caught:
        call()
    message = str(caught.value)
    assert f"`{key}`" in message, message
    assert allowed in message, message
    return caught.value


@pytest.fixture
def base() -> cb.ClientBase:
    base = cb.ClientBase({"tags": ["vip"]})
    base.add_client({"kind": "person", "surname": "Иванов", "given_name": "Иван",
                     "phone": "8 916 123-45-67"})
    base.add_client({"surname": "Иванов", "given": "Иван", "phones": ["+7 916 123-45-67"]})
    return base


def test_schema() -> None:
    err = refused(lambda: cb.ClientBase({"tagz": ["vip"]}), "tagz", "`tags`")
    assert err.field == "tagz"
    refused(lambda: cb.Schema.from_dict({"tags": [], "fields": [
        {"name": "rooms", "type": "integer", "lable": "Комнат"}]}), "lable", "`label`")
    schema = cb.Schema.from_dict({"tags": ["vip"]})
    assert schema.tags == ["vip"]
    full = cb.Schema.from_dict({"tags": ["vip"], "fields": [
        {"name": "rooms", "type": "integer", "label": "Комнат"},
        {"name": "floor", "type": "one_of", "options": ["low", "high"]},
        {"name": "budget", "type": "money", "currency": "RUB"}]})
    assert cb.Schema.from_dict(full.to_dict()) == full
    with pytest.raises(cb.ClientbaseError, match="`currency` is not a key of a integer field"):
        cb.ClientBase().declare_field("rooms", "integer", currency="RUB")


def test_client_speaks_the_column_vocabulary(base: cb.ClientBase) -> None:
    first = base.client(1)
    assert (first.surname, first.given_name) == ("Иванов", "Иван")
    assert first.to_dict()["phones"] == [{"raw": "8 916 123-45-67"}]
    assert base.client(2).to_dict()["phones"] == [{"raw": "+7 916 123-45-67"}]
    company = cb.Client.from_dict({"kind": "company", "company": "ООО «Ромашка»"})
    assert company.name == "ООО «Ромашка»"
    assert cb.Client.from_dict(first.to_dict()) == first
    base.update_client(first.to_dict())


def test_client_typos_are_refused(base: cb.ClientBase) -> None:
    err = refused(lambda: base.add_client({"surname": "Петров", "nickname": "Петя"}),
                  "nickname", "`given_name`")
    assert err.field == "nickname"
    refused(lambda: cb.Client.from_dict({"surname": "П", "phones": [{"raw": "1", "lable": "x"}]}),
            "lable", "`label`")
    refused(lambda: cb.Client.from_dict({"surname": "П", "consents": {"marketting": {}}}),
            "marketting", "`marketing`")
    with pytest.raises(cb.JsonError, match="`legal_name` is not a field of a person"):
        cb.Client.from_dict({"kind": "person", "legal_name": "ООО"})
    with pytest.raises(cb.JsonError, match="duplicate field `given`"):
        cb.Client.from_dict({"surname": "П", "given": "А", "given_name": "Б"})
    assert base.counts()["clients"] == 2


def test_deal_and_activity(base: cb.ClientBase) -> None:
    refused(lambda: base.add_deal({"client": 1, "amount": MONEY, "titel": "Кухня"}),
            "titel", "`title`")
    refused(lambda: base.add_deal({"client": 1, "amount": MONEY, "lines": [
        {"product": "x", "quantity": 1, "unit_price": MONEY, "qty": 2}]}), "qty", "`quantity`")
    refused(lambda: cb.Deal.from_dict({"client": 1, "amount": MONEY,
                                       "recurrence": {"every": 1, "period": "month", "dy": 5}}),
            "dy", "`day`")
    deal = base.add_deal({"client_id": 1, "amount": MONEY})
    assert base.deal(deal).pipeline == "default"
    assert cb.Deal.from_dict(base.deal(deal).to_dict()) == base.deal(deal)

    at = "2024-05-01T10:00:00Z"
    refused(lambda: base.add_activity({"client": 1, "kind": "call", "at": at, "note": "x"}),
            "note", "`text`")
    activity = base.add_activity({"client_id": 1, "kind": "call", "at": at})
    assert base.activity(activity).done is False
    assert cb.Activity.from_dict(base.activity(activity).to_dict()) == base.activity(activity)


def test_merge_rules(base: cb.ClientBase) -> None:
    err = refused(lambda: base.merge_clients(
        1, [2], {"default": "most_recent", "feilds": {"city": "most_frequent"}}),
        "feilds", "`fields`")
    assert err.field == "feilds"
    record = base.merge_clients(1, [2], {"fields": {"city": "most_frequent"}})
    assert record["survivor"] == 1
    assert base.counts()["clients"] == 1


def test_deal_rules(base: cb.ClientBase) -> None:
    err = refused(lambda: cb.duplicate_deals(base, {"window": 30}), "window", "`window_days`")
    assert err.field == "window"
    assert cb.duplicate_deals(base, {"window_days": 30}) == []
    refused(lambda: cb.find_duplicate_deal(base, {"client": 1, "amount": MONEY},
                                           {"abandoned": 3}),
            "abandoned", "`abandoned_after_days`")


def test_match_options_and_decisions(base: cb.ClientBase) -> None:
    with pytest.raises(cb.JsonError, match="`treshold`"):
        cb.MatchIndex(base, {"treshold": 0.9})
    index = cb.MatchIndex(base, {"threshold": 0.9})
    refused(lambda: index.find({"surname": "Иванов", "phonez": []}), "phonez", "`phones`")
    found = index.find({"surname": "Иванов", "given_name": "Иван", "phone": "8 916 123-45-67"})
    assert {c["client"] for c in found} == {1, 2}
    refused(lambda: base.dedupe(not_duplicate=[[1, 2]]), "not_duplicate", "`not_duplicates`")
    refused(lambda: base.dedupe(options={"treshold": 0.9}), "treshold", "`threshold`")
    result = base.dedupe(not_duplicates=[[2, 1]])
    assert result["clusters"] == []


def test_csv_options() -> None:
    base = cb.ClientBase()
    csv = "Фамилия;Имя\nИванова;Анна\n"
    mapping = {"Фамилия": "surname", "Имя": "given_name"}
    with pytest.raises(cb.CsvError, match="cannot be a delimiter"):
        base.import_clients_csv(csv, mapping, delimiter="\x05")
    with pytest.raises(cb.CsvError, match='"surnme"'):
        base.import_clients_csv(csv, {"Фамилия": "surnme"})
    report = base.import_clients_csv(csv, mapping, delimiter=";")
    assert len(report["imported"]) == 1
