"""The quality report and checklist from Python: counts on a small base,
required fields from the schema and the params, typos refused."""

from __future__ import annotations

import pytest

import clientbase as cb


def base() -> cb.ClientBase:
    schema = cb.Schema.from_dict(
        {"tags": ["vip"], "fields": [{"name": "rooms", "type": "integer", "required": True}]}
    )
    b = cb.ClientBase(schema)
    b.add_client(cb.Client.person("Иванов", "Сергей", phones=["8 916 123-45-67"], emails=["s@mail.ru"]))
    b.add_client(cb.Client.person("Петрова", "Анна", phones=["123"]))
    b.add_client(cb.Client.company("ООО Ромашка", emails=["info-at-romashka.ru"]))
    return b


def test_report_counts() -> None:
    report = cb.quality_report(base(), required=["city"])
    assert report["clients"] == 3
    assert report["required"] == ["city", "custom.rooms"]
    assert report["required_complete"] == 0
    contacts = report["contacts"]
    assert (contacts["phones_invalid"], contacts["emails_invalid"]) == (1, 1)
    assert (contacts["phone_only"], contacts["email_only"]) == (1, 1)
    phone = next(f for f in report["completeness"] if f["field"] == "phone")
    assert (phone["filled"], phone["applies_to"]) == (2, 3)
    assert report["duplicates"]["clusters"] == 0
    assert [c["channel"] for c in report["consents"]][0] == "personal_data"


def test_checklist_and_typos() -> None:
    t = cb.quality_checklist(base(), only_issues=True)
    assert t["client"] == [1, 2, 3]
    assert t["missing"] == [["custom.rooms"], ["custom.rooms"], ["custom.rooms"]]
    t = cb.quality_checklist(base(), required=["phone"])
    assert t["missing"] == [["custom.rooms"], ["custom.rooms"], ["phone", "custom.rooms"]]
    assert t["invalid"][1][0].startswith("phones[0]: 123: ")
    with pytest.raises(cb.JsonError, match="only_issue"):
        cb.quality_checklist(base(), only_issue=True)
    with pytest.raises(cb.InvalidValueError, match="phne"):
        cb.quality_report(base(), required=["phne"])


def test_module_examples() -> None:
    import doctest

    import clientbase.quality

    failures, tried = doctest.testmod(clientbase.quality)
    assert tried > 0 and failures == 0
