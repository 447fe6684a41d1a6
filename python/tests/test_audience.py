"""Acting on the base from Python: an SMS audience with its exclusions, an ad
audience with hashed contacts, call tasks for managers and the tasks added to
the base, errors as the library's exceptions."""

from __future__ import annotations

import hashlib

import pytest

import clientbase as cb

GIVEN = {"state": "given", "date": "2024-01-10"}


def buyers() -> cb.ClientBase:
    base = cb.ClientBase(cb.Schema.from_dict({"fields": [{"name": "rooms", "type": "integer"}]}))
    base.add_client(
        cb.Client.from_dict(
            {
                "surname": "Смирнова",
                "given": "Ольга",
                "owner": "Анна",
                "custom": {"rooms": 2},
                "phones": ["8 (916) 123-45-67"],
                "emails": ["Olga@Mail.ru"],
                "consents": {"marketing": {"sms": GIVEN, "calls": GIVEN, "ads": GIVEN}},
            }
        )
    )
    base.add_client(
        cb.Client.from_dict(
            {"surname": "Иванов", "custom": {"rooms": 2}, "phones": ["+7 916 000-00-02"]}
        )
    )
    base.add_client(
        cb.Client.from_dict(
            {
                "surname": "Петров",
                "custom": {"rooms": 2},
                "phones": ["+7 495 123-45-67"],
                "consents": {"marketing": {"sms": GIVEN}},
            }
        )
    )
    return base


def test_sms_audience_and_exclusions() -> None:
    base = buyers()
    params = {"segment": "rooms = 2", "channel": "sms", "as_of": "2024-06-30"}
    table = cb.audience(base, **params)
    assert table["client"] == [1]
    assert table["contact"] == ["+79161234567"]
    import polars as pl

    assert pl.DataFrame(table)["field"].to_list() == ["phones[0]"]
    summary = cb.audience_summary(base, **params)
    assert summary["segment"] == 3
    assert summary["audience"] == 1
    assert summary["excluded"]["no_consent"] == 1
    assert summary["excluded"]["invalid_contact"] == 1
    assert sum(summary["excluded"].values()) + summary["audience"] == summary["segment"]
    out = cb.audience_exclusions(base, **params)
    assert out["client"] == [2, 3]
    assert out["reason"] == ["no_consent", "invalid_contact"]
    # Service messages need no marketing consent; the landline still takes no SMS.
    service = cb.audience(base, **{**params, "purpose": "service"})
    assert service["client"] == [1, 2]


def test_ad_audience_is_hashed() -> None:
    base = buyers()
    for platform, email, phone, number in [
        ("google", "Email", "Phone", "+79161234567"),
        ("meta", "email", "phone", "79161234567"),
        ("yandex", "email", "phone", "79161234567"),
    ]:
        table = cb.ad_audience(base, platform=platform, as_of="2024-06-30")
        assert table.column_names == [email, phone]
        assert table[email] == [hashlib.sha256(b"olga@mail.ru").hexdigest()]
        assert table[phone] == [hashlib.sha256(number.encode()).hexdigest()]


def test_call_tasks_and_adding_them() -> None:
    base = buyers()
    params = {
        "segment": "rooms = 2",
        "as_of": "2024-06-30",
        "purpose": "service",
        "managers": ["Борис", "Анна"],
        "distribute": "round_robin",
        "reason": "confirm the delivery",
        "script": "Здравствуйте!",
    }
    tasks = cb.call_tasks(base, **params)
    assert tasks["client"] == [1, 2, 3]
    assert tasks["manager"] == ["Анна", "Борис", "Анна"]
    assert tasks["own_manager"] == [True, False, False]
    assert [str(d) for d in tasks["due"]] == ["2024-07-03"] * 3
    added = cb.add_call_tasks(base, **params)
    assert added["added"] == 3
    task = base.activity(added["tasks"][0])
    assert task.manager == "Анна"
    assert task.text == "confirm the delivery\nЗдравствуйте!"


def test_errors() -> None:
    base = buyers()
    with pytest.raises(cb.JsonError, match="chanel"):
        cb.audience(base, chanel="sms")
    with pytest.raises(cb.InvalidValueError, match="channel"):
        cb.audience_summary(base)
    with pytest.raises(cb.InvalidValueError, match="managers"):
        cb.call_tasks(base, managers=["Анна", "Анна"])
