"""ClientBase: validated storage, ids, counts, JSON, the clock and threads."""

from __future__ import annotations

import json
import pickle
import threading
from datetime import datetime, timezone

import pytest

import clientbase as cb


def test_schema_forms(schema: cb.Schema) -> None:
    assert cb.ClientBase(schema).schema == schema
    assert cb.ClientBase(schema.to_dict()).schema == schema
    assert cb.ClientBase(schema.to_json()).schema == schema
    assert cb.ClientBase().schema == cb.Schema()
    with pytest.raises(TypeError):
        cb.ClientBase(42)  # type: ignore[arg-type]


def test_schema_is_a_copy(base: cb.ClientBase) -> None:
    copy = base.schema
    copy.declare_tag("new")
    assert not base.schema.has_tag("new")
    base.declare_tag("new")
    base.declare_field("floors", "many_of", options=["low", "high"])
    assert base.schema.has_tag("new")
    assert base.schema.field("floors") is not None


def test_add_get_update_remove(base: cb.ClientBase) -> None:
    id = base.add_client({"kind": "person", "surname": "Иванов", "tags": ["vip"]})
    assert id == 1
    assert base.add_client('{"kind": "company", "legal_name": "ООО Ромашка"}') == 2
    client = base.client(id)
    base.update_client(client.replace(city="Тверь"))
    assert base.client(id).city == "Тверь"
    assert [c.id for c in base.clients()] == [1, 2]
    removed = base.remove_client(2)
    assert removed.legal_name == "ООО Ромашка"
    with pytest.raises(cb.UnknownIdError) as caught:
        base.client(2)
    assert str(caught.value) == "unknown id: client 2: client 2 does not exist"
    with pytest.raises(cb.UnknownIdError):
        base.deal(1)
    with pytest.raises(cb.UnknownIdError):
        base.activity(1)


def test_rejected_write_leaves_base_unchanged(base: cb.ClientBase) -> None:
    base.add_client(cb.Client.person("Иванов"))
    before = base.to_json()
    with pytest.raises(cb.FieldTypeError):
        base.add_client(cb.Client.person("Петров", custom={"rooms": "много"}))
    assert base.to_json() == before


def test_relations(base: cb.ClientBase) -> None:
    firm = base.add_client(cb.Client.company("ООО Ромашка"))
    wife = base.add_client(cb.Client.person("Иванова", "Анна"))
    husband = base.add_client(
        cb.Client.person("Иванов", "Иван").replace(
            relations=[{"kind": "spouse", "to": wife}, {"kind": "employee_of", "to": firm}]
        )
    )
    assert base.related_to(wife) == [(husband, "spouse")]
    with pytest.raises(cb.ConflictError):
        base.remove_client(wife)


def test_find_company_by_tax_id(base: cb.ClientBase) -> None:
    id = base.add_client(cb.Client.company("ООО Ромашка", "7707083893"))
    assert base.find_company_by_tax_id("7707083893") == id
    assert base.find_company_by_tax_id("0000000000") is None


def test_counts_and_repr(base: cb.ClientBase) -> None:
    id = base.add_client(cb.Client.person("Иванов"))
    base.add_client(cb.Client.company("ООО Ромашка"))
    base.add_deal(cb.Deal(id, cb.Money("1")))
    assert base.counts() == {
        "clients": 2,
        "persons": 1,
        "companies": 1,
        "deals": 1,
        "open_deals": 1,
        "deal_lines": 0,
        "activities": 0,
        "open_tasks": 0,
    }
    assert repr(base) == "ClientBase(clients=2, deals=1, activities=0)"


def test_json_round_trip_is_lossless(base: cb.ClientBase) -> None:
    id = base.add_client(cb.Client.person("Иванов", custom={"rooms": 3}, tags=["vip"]))
    base.add_deal(cb.Deal(id, cb.Money("10,50")))
    text = base.to_json()
    back = cb.ClientBase.from_json(text)
    assert back.to_json() == text
    assert json.loads(text)["format"] == "clientbase"
    assert pickle.loads(pickle.dumps(base)).to_json() == text
    with pytest.raises(cb.UnknownTagError) as caught:
        cb.ClientBase.from_json(
            '{"format":"clientbase","version":1,"clients":[{"id":4,"kind":"person","surname":"A","tags":["gold"]}]}'
        )
    assert caught.value.record == "client 4"


def test_freeze_clock(base: cb.ClientBase) -> None:
    at = datetime(2020, 6, 1, 12, 0, tzinfo=timezone.utc)
    base.freeze_clock(at)
    assert base.client(base.add_client(cb.Client.person("A"))).created_at == at
    base.freeze_clock(None)
    now = base.client(base.add_client(cb.Client.person("B"))).created_at
    assert now is not None and now > at
    with pytest.raises(TypeError):
        base.freeze_clock(datetime(2020, 1, 1))  # naive: which zone?


def test_threads_share_one_base(schema: cb.Schema) -> None:
    base = cb.ClientBase(schema)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(200):
                base.add_client(cb.Client.person(f"Клиент{n}", str(i)))
                base.counts()
        except BaseException as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert base.counts()["clients"] == 800
    assert sorted(c.id for c in base.clients()) == list(range(1, 801))
