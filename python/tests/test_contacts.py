"""ClientBase.normalize_contacts: phones and emails normalized in place, fields
with several numbers split, invalid contacts and typos reported, nothing typed
lost, and the GIL released."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import clientbase as cb

LATER = datetime(2025, 2, 3, tzinfo=timezone.utc)


def two_clients(base: cb.ClientBase) -> tuple[int, int]:
    ivanov = base.add_client(
        cb.Client.person(
            "Иванов",
            "Сергей",
            phones=["8 916 123 45 67, 8 495 765 43 21 (раб.)"],
            emails=["Sergey@Mail.RU"],
        )
    )
    petrova = base.add_client(
        cb.Client.person(
            "Петрова",
            "Анна",
            phones=["тел. 123-45-67", "+7 (812) 555-12-34 доб. 12"],
            emails=["anna@gmial.com", "anna(at)mail.ru"],
        )
    )
    return ivanov, petrova


def test_normalizes_splits_and_reports(base: cb.ClientBase) -> None:
    ivanov, petrova = two_clients(base)
    base.freeze_clock(LATER)
    report = base.normalize_contacts()
    assert (report["clients"], report["clients_changed"], report["changed"]) == (2, 2, 5)
    assert report["invalid"] == [
        {
            "client": petrova,
            "field": "phones[0]",
            "raw": "тел. 123-45-67",
            "reason": "too short: 7 digits is a local number without its area code",
        },
        {"client": petrova, "field": "emails[1]", "raw": "anna(at)mail.ru", "reason": "no @"},
    ]
    assert report["split"] == [
        {
            "client": ivanov,
            "field": "phones[0]",
            "original": "8 916 123 45 67, 8 495 765 43 21 (раб.)",
            "into": 2,
        }
    ]
    assert report["suggestions"] == [
        {
            "client": petrova,
            "field": "emails[0]",
            "raw": "anna@gmial.com",
            "suggestion": "anna@gmail.com",
        }
    ]
    assert report["rejected"] == []
    assert json.loads(json.dumps(report)) == report

    phones = base.client(ivanov).phones
    assert [p["raw"] for p in phones] == ["8 916 123 45 67", "8 495 765 43 21 (раб.)"]
    assert [p.get("e164") for p in phones] == ["+79161234567", "+74957654321"]
    assert phones[1]["kind"] == "fixed_line" and phones[1]["label"] == "раб."
    assert base.client(ivanov).emails[0]["normalized"] == "Sergey@mail.ru"
    anna = base.client(petrova)
    assert anna.phones[1]["e164"] == "+78125551234" and anna.phones[1]["extension"] == "12"
    # Offered, never applied.
    assert anna.emails[0]["raw"] == "anna@gmial.com"
    assert anna.emails[0]["normalized"] == "anna@gmial.com"
    assert anna.updated_at == LATER

    again = base.normalize_contacts()
    assert (again["changed"], again["clients_changed"], again["split"]) == (0, 0, [])


def test_normalizers_are_chosen(base: cb.ClientBase) -> None:
    client = base.add_client(
        cb.Client.person("Müller", phones=["030 12345678"], emails=["A.B+x@googlemail.com"])
    )
    base.normalize_contacts(cb.PhoneNormalizer("DE"), cb.EmailNormalizer(provider_rules=True))
    stored = base.client(client)
    assert stored.phones[0]["e164"] == "+493012345678"
    assert stored.emails[0]["normalized"] == "A.B+x@googlemail.com"
    # The default reads the number as Russian, where it is not valid.
    other = cb.ClientBase()
    other.add_client(cb.Client.person("Müller", phones=["030 12345678"]))
    assert len(other.normalize_contacts(emails=cb.EmailNormalizer())["invalid"]) == 1


def test_an_empty_base() -> None:
    report = cb.ClientBase().normalize_contacts()
    assert (report["clients"], report["changed"], report["invalid"]) == (0, 0, [])
