"""Client: people and companies read through attributes, built from arguments,
dicts or JSON."""

from __future__ import annotations

import pickle
from datetime import date, datetime, timezone

import pytest

import clientbase as cb


def test_person_reads_naturally(base: cb.ClientBase, frozen_at: datetime) -> None:
    client = cb.Client.person(
        "Иванова",
        "Анна",
        "Сергеевна",
        phones=["8 (916) 123-45-67"],
        emails=["anna@example.ru"],
        tags=["vip"],
        custom={"rooms": "3", "pet": "cat"},
    )
    assert client.id == 0
    assert client.kind == "person" and not client.is_company
    assert (client.surname, client.given_name, client.patronymic) == ("Иванова", "Анна", "Сергеевна")
    assert client.name == "Иванова Анна Сергеевна"
    assert client.legal_name is None and client.tax_id is None
    assert client.phones == [{"raw": "8 (916) 123-45-67"}]
    assert client.emails == [{"raw": "anna@example.ru"}]
    assert client.tags == ["vip"]
    assert client.stage == "lead"
    assert client.created_at is None

    stored = base.client(base.add_client(client))
    assert stored.id == 1
    assert stored.custom == {"pet": "cat", "rooms": 3}
    assert stored.created_at == frozen_at and stored.updated_at == frozen_at
    assert stored.created_at.tzinfo is not None


def test_repr() -> None:
    client = cb.Client.person("Иванов", "Иван", phones=["+7 916 000-00-00"], tags=["vip"])
    assert repr(client) == "Client(id=0, person 'Иванов Иван', phones=1, tags=['vip'])"
    company = cb.Client.company("ООО «Ромашка»", "7707083893")
    assert repr(company) == "Client(id=0, company 'ООО «Ромашка»')"


def test_company() -> None:
    company = cb.Client.company("ООО «Ромашка»", "7707083893", emails=["info@romashka.ru"])
    assert company.kind == "company" and company.is_company
    assert company.legal_name == "ООО «Ромашка»"
    assert company.tax_id == "7707083893"
    assert company.surname is None


def test_dict_and_json_round_trip() -> None:
    client = cb.Client.person("Петров", "Пётр", phones=["8 903 000 00 00"], tags=["vip"])
    assert cb.Client.from_dict(client.to_dict()) == client
    assert cb.Client.from_json(client.to_json()) == client
    assert client.to_json() == (
        '{"id":0,"kind":"person","surname":"Петров","given":"Пётр","stage":"lead",'
        '"can_refer":false,"phones":[{"raw":"8 903 000 00 00"}],"consents":{},"tags":["vip"]}'
    )


def test_from_dict_takes_python_dates() -> None:
    client = cb.Client.from_dict(
        {
            "kind": "person",
            "surname": "Смирнова",
            "birthday": date(1990, 3, 5),
            "created_at": datetime(2024, 1, 1, 12, 0),
            "tags": {"vip"},
        }
    )
    assert client.birthday == date(1990, 3, 5)
    assert client.created_at == datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert client.tags == ["vip"]


def test_bad_dict_is_a_json_error() -> None:
    with pytest.raises(cb.JsonError, match="unknown variant `alien`"):
        cb.Client.from_dict({"kind": "alien"})
    with pytest.raises(TypeError):
        cb.Client.from_dict({"kind": "person", "surname": object()})


def test_replace_makes_a_changed_copy() -> None:
    client = cb.Client.person("Иванов", "Иван", tags=["vip"])
    moved = client.replace(city="Казань", tags=[], stage="customer", loyalty_percent=10)
    assert (moved.city, moved.tags, moved.stage, moved.loyalty_percent) == ("Казань", [], "customer", 10)
    assert client.city is None and client.tags == ["vip"]
    assert moved.replace(city=None).city is None


def test_clients_are_immutable_values() -> None:
    client = cb.Client.person("Иванов", "Иван")
    with pytest.raises(AttributeError):
        client.city = "Москва"  # type: ignore[misc]
    assert client == cb.Client.person("Иванов", "Иван")
    assert client != cb.Client.person("Иванов", "Пётр")
    assert pickle.loads(pickle.dumps(client)) == client


def test_custom_and_contacts_as_stored(base: cb.ClientBase) -> None:
    id = base.add_client(
        cb.Client.person("Иванов", custom={"budget": "1 500 000,50", "pet": "dog"})
    )
    assert base.client(id).custom == {
        "budget": {"amount": "1500000.50", "currency": "RUB"},
        "pet": "dog",
    }


def test_replace_takes_the_aliases_of_the_dict_form() -> None:
    client = cb.Client.person("Иванова", "Анна")
    renamed = client.replace(given_name="Мария")
    assert renamed.given_name == "Мария"
    assert renamed.surname == "Иванова"
    company = cb.Client.company("ООО «Ромашка»").replace(company="ООО «Лютик»")
    assert company.legal_name == "ООО «Лютик»"
    with pytest.raises(cb.JsonError):
        client.replace(no_such_field=1)
