"""Views restricted by role from Python: `base.view(actor, policy)` sees the
actor's own clients with masked contacts, a relative's open deal only as owned
by someone else; exports the policy forbids raise `ForbiddenError` with the
reason, allowed ones are logged with the actor and count; the view follows the
base's writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import clientbase as cb

POLICY: dict[str, Any] = {
    "roles": {
        "manager": {
            "clients": "own",
            "contacts": "masked",
            "forbid_exports": ["csv", "json"],
            "export_reason": "managers do not take the base home",
        },
        "head": {"clients": "all", "contacts": "full"},
    },
    "actors": {
        "anna": {"role": "manager", "owns": ["Анна"]},
        "boss": {"role": "head"},
    },
}


def fill(base: cb.ClientBase) -> None:
    olga = base.add_client(
        {
            "surname": "Смирнова",
            "given": "Ольга",
            "owner": "Анна",
            "phones": ["+79161234567"],
            "emails": ["olga.smirnova@mail.ru"],
        }
    )
    igor = base.add_client(
        {
            "surname": "Смирнов",
            "given": "Игорь",
            "owner": "Борис",
            "phones": ["+79167654321"],
            "relations": [{"kind": "spouse", "to": olga}],
        }
    )
    base.add_deal({"client": olga, "amount": {"amount": "100", "currency": "RUB"}})
    base.add_deal({"client": igor, "owner": "Борис", "amount": {"amount": "200", "currency": "RUB"}})


def test_a_manager_sees_own_clients_masked(tmp_path: Path) -> None:
    with cb.ClientBase.create(tmp_path / "base.cb") as base:
        fill(base)
        view = base.view("anna", POLICY)
        assert view.actor == "anna"
        assert view.grant()["clients"] == "own"
        clients = view.clients()
        assert [c.surname for c in clients] == ["Смирнова"]
        olga = clients[0].to_dict()
        assert olga["phones"][0]["raw"] == "+7 916 ***-**-67"
        assert olga["emails"][0]["raw"] == "o***@mail.ru"
        with pytest.raises(cb.UnknownIdError):
            view.client(2)
        table = view.call("clients_table", fields=["id", "phones_json"])
        assert isinstance(table, cb.Table)
        assert table["id"] == [1]
        assert "+7 916 ***-**-67" in table["phones_json"][0]
        assert "1234567" not in json.dumps(table.to_pylist())
        assert view.call("open_deals_owners", client=1) == [
            {"client": 1, "deal": 1, "owner": "Анна", "visible": True},
            {"client": None, "deal": None, "owner": "Борис", "visible": False},
        ]
        with pytest.raises(cb.ForbiddenError, match="managers do not take the base home") as err:
            view.export_clients_csv()
        assert err.value.kind == "forbidden"
        with pytest.raises(cb.ForbiddenError):
            view.to_json()
        with pytest.raises(cb.ForbiddenError, match="only reads"):
            view.call("set_actor", actor="x")
        with pytest.raises(cb.ForbiddenError, match="change log"):
            view.call("changes")
        # A write on the base reaches the view.
        base.add_client({"surname": "Новая", "owner": "Анна"})
        assert view.call("counts")["clients"] == 2

        boss = base.view("boss", json.dumps(POLICY))
        assert "Игорь" in boss.export_clients_csv()
        exports = [
            (c["action"], c.get("exported"), c.get("actor"))
            for c in base.changes()
            if "exported" in c
        ]
        assert exports == [
            ("clients_table", 1, "anna"),
            ("export_clients_csv", 3, "boss"),
        ]


def test_bad_policies_are_refused_with_the_reason() -> None:
    base = cb.ClientBase()
    with pytest.raises(cb.JsonError, match="scope"):
        base.view("anna", {"roles": {"m": {"scope": "own"}}})
    with pytest.raises(cb.InvalidValueError, match="not a role"):
        base.view("anna", {"actors": {"anna": {"role": "x"}}})
    with pytest.raises(cb.ForbiddenError, match="does not list this actor"):
        base.view("stranger", POLICY)
    with pytest.raises(cb.JsonError):
        base.view("anna", "not json")
    view = base.view("anna", POLICY)
    with pytest.raises(cb.JsonError, match="unknown field"):
        view.call("counts", x=1)
    assert repr(view) == 'View(actor="anna", role="manager")'


def test_a_views_history_has_the_change_log_with_contacts_masked(tmp_path: Path) -> None:
    with cb.ClientBase.create(tmp_path / "base.cb") as base:
        fill(base)
        olga = base.client(1).to_dict()
        olga["phones"].append({"raw": "+79169998877"})
        base.update_client(olga)

        def contacts(actor: str) -> list[Any]:
            table = base.view(actor, POLICY).call("client_history", client=1)
            assert isinstance(table, cb.Table)
            rows = table.to_pylist()
            return [r["what"] for r in rows if str(r["kind"]).startswith("contact")]

        assert contacts("boss") == ["phone +79169998877"]
        assert contacts("anna") == ["phone +7 916 ***-**-77"]
        with pytest.raises(cb.UnknownIdError):
            base.view("anna", POLICY).call("client_history", client=2)
