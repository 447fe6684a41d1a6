"""Activity: calls, messages, tasks."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

import clientbase as cb

AT = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)
DUE = datetime(2024, 5, 3, 18, 0, tzinfo=timezone.utc)


@pytest.fixture
def client_id(base: cb.ClientBase) -> int:
    return base.add_client(cb.Client.person("Иванова", "Анна"))


def test_call_reads_naturally(base: cb.ClientBase, client_id: int) -> None:
    call = cb.Activity(client_id, "call", AT, direction="inbound", outcome="договорились о встрече")
    id = base.add_activity(call)
    stored = base.activity(id)
    assert (stored.id, stored.client, stored.kind, stored.at) == (id, client_id, "call", AT)
    assert stored.direction == "inbound"
    assert stored.outcome == "договорились о встрече"
    assert not stored.is_open_task
    assert repr(stored) == "Activity(id=1, call, client=1, at=2024-05-01T10:00:00Z)"


def test_tasks(base: cb.ClientBase, client_id: int) -> None:
    id = base.add_activity(cb.Activity.task(client_id, AT, DUE, "перезвонить"))
    task = base.activity(id)
    assert task.is_open_task and task.due == DUE and task.text == "перезвонить"
    assert base.counts()["open_tasks"] == 1
    base.update_activity(task.replace(done=True))
    assert base.activity(id).done
    assert base.counts()["open_tasks"] == 0
    assert repr(base.activity(id)).endswith(", done)")


def test_activities_of_a_client_and_deal(base: cb.ClientBase, client_id: int) -> None:
    other = base.add_client(cb.Client.person("Петров", "Пётр"))
    deal = base.add_deal(cb.Deal(client_id, cb.Money("1")))
    base.add_activity(cb.Activity(client_id, "note", AT, text="a"))
    base.add_activity(cb.Activity(client_id, "email", AT, deal=deal))
    base.add_activity(cb.Activity(other, "meeting", AT))
    assert [a.kind for a in base.activities(client=client_id)] == ["note", "email"]
    assert [a.kind for a in base.activities(deal=deal)] == ["email"]
    assert len(base.activities()) == 3


def test_bad_values_raise(base: cb.ClientBase, client_id: int) -> None:
    with pytest.raises(cb.InvalidValueError) as caught:
        cb.Activity(client_id, "fax", AT)
    assert caught.value.field == "kind"
    with pytest.raises(cb.InvalidValueError, match="no direction"):
        base.add_activity(cb.Activity(client_id, "note", AT, direction="inbound"))
    with pytest.raises(TypeError):
        cb.Activity(client_id, "call", datetime(2024, 5, 1))  # naive: which zone?


def test_round_trips(client_id: int) -> None:
    task = cb.Activity.task(client_id, AT, DUE, "x")
    assert cb.Activity.from_json(task.to_json()) == task
    assert cb.Activity.from_dict(task.to_dict()) == task
    assert pickle.loads(pickle.dumps(task)) == task
