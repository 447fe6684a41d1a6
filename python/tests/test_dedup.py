"""Duplicates: MatchIndex on insert and over the whole base, explanations,
batches over columns with the GIL released, merge and undo, duplicate deals,
and errors that name the field (mirrors the core's dedup module)."""

from __future__ import annotations

import itertools
import json
import random
import sys
from datetime import date
from collections.abc import Mapping
from typing import Any

import pytest

import clientbase as cb
from gil import ticks_during

SURNAMES = ["Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
            "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов"]
GIVEN = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья"]


def strangers(n: int, seed: int = 1, first_phone: int = 0) -> dict[str, list[Any]]:
    """Columns of `n` different people: common names, their own phones, emails, birthdays."""
    rnd = random.Random(seed)
    return {
        "surname": [rnd.choice(SURNAMES) for _ in range(n)],
        "given_name": [rnd.choice(GIVEN) for _ in range(n)],
        "phone": [f"+7 905 {first_phone + i:07d}" for i in range(n)],
        "email": [f"person{seed}.{i}@example.ru" for i in range(n)],
        "birthday": [
            f"{rnd.randrange(1950, 2005)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
            for _ in range(n)
        ],
    }


def person(surname: str, given: str, phone: str, born: date, patronymic: str | None = None) -> cb.Client:
    return cb.Client.person(surname, given, patronymic, phones=[phone]).replace(birthday=born)


@pytest.fixture
def base() -> cb.ClientBase:
    base = cb.ClientBase()
    base.add_clients(strangers(300))
    return base


# ---- on insert -----------------------------------------------------------------


def test_find_on_insert_a_transliterated_lead_with_a_retyped_phone(base: cb.ClientBase) -> None:
    anna = base.add_client(person("Черепанова", "Анна", "8 (916) 123-45-67", date(1985, 3, 7), "Игоревна"))
    husband = base.add_client(person("Черепанов", "Олег", "8 (916) 123-45-67", date(1983, 5, 1)))
    index = cb.MatchIndex(base)
    assert len(index) == 302

    lead = person("Cherepanova", "Anya", "+7 916 1234567", date(1985, 3, 7))
    found = index.find(lead, limit=5)
    assert [(c["client"], c["verdict"]) for c in found] == [(anna, "duplicate"), (husband, "related")]
    best = found[0]
    assert best["probability"] > 0.99
    evidence = {e["field"]: e for e in best["explanation"]["fields"]}
    assert evidence["phone"]["level"] == "same"
    assert evidence["phone"]["left"] == "+79161234567"
    assert evidence["birthday"]["weight"] > 0
    assert {"surname", "given"} <= evidence.keys()

    # Added to the base and the index, the lead is explained against the original.
    lead_id = base.add_client(lead)
    index.insert(lead_id)
    assert len(index) == 303
    explanation = index.explain(anna, lead_id)
    assert explanation["verdict"] == "duplicate"
    assert (explanation["left"], explanation["right"]) == (anna, lead_id)
    text = index.explain_text(anna, lead_id)
    assert text.startswith(f"client {anna} ~ client {lead_id}: duplicate (probability ")
    assert "phone" in text and "+79161234567" in text
    assert index.explain(anna, husband).get("conflict") in ("given", "surname", "birthday")

    assert index.remove(lead_id) is True
    assert index.remove(lead_id) is False
    assert [c["client"] for c in index.find(lead, limit=1)] == [anna]


def test_insert_takes_an_id_or_a_stored_client(base: cb.ClientBase) -> None:
    index = cb.MatchIndex(base)
    new = base.add_client(person("Черепанова", "Анна", "8 916 123-45-67", date(1985, 3, 7)))
    index.insert(base.client(new))
    assert len(index) == 301
    index.insert(new)  # replaces its own entry
    assert len(index) == 301
    assert repr(index) == "MatchIndex(clients=301, threshold=0.9)"
    assert index.base.counts()["clients"] == 301


# ---- the whole base --------------------------------------------------------------


def hand_built_duplicates(base: cb.ClientBase) -> list[list[int]]:
    """Adds 12 real people, each entered two or three times the way CRMs get
    them (transliterated, phone retyped, email in capitals, name parts swapped);
    returns the ids of each person's records."""
    truth = []
    for i in range(12):
        surname, given = ["Черепанова", "Анна"] if i % 2 else ["Шадрин", "Виталий"]
        surname = f"{surname[:-1]}{'аеиоуы'[i % 6]}{surname[-1]}"  # rare, distinct surnames
        born = date(1970 + i, 1 + i % 12, 3 + i)
        phone = f"916 55{i:02d}-{i:02d}-{i + 10}"
        first = base.add_client(person(surname, given, f"8 {phone}", born))
        second = base.add_client(person(cb.transliterate(surname), cb.transliterate(given), f"+7 {phone}", born))
        records = [first, second]
        if i % 3 == 0:
            swapped = cb.Client.person(given, surname, emails=[f"ID{i}@MAIL.RU"], phones=[f"+7{phone}"])
            records.append(base.add_client(swapped.replace(birthday=born)))
        truth.append(records)
    return truth


def pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
    return {(min(a, b), max(a, b)) for g in groups for a, b in itertools.combinations(g, 2)}


def test_dedupe_finds_every_person_once_with_stable_cluster_ids(base: cb.ClientBase) -> None:
    truth = hand_built_duplicates(base)
    index = cb.MatchIndex(base)
    found = index.dedupe()

    predicted = pairs([c["members"] for c in found["clusters"]])
    true = pairs(truth)
    precision = len(predicted & true) / len(predicted)
    recall = len(predicted & true) / len(true)
    assert precision == 1.0, found["clusters"]
    assert recall >= 0.9, (predicted, true)

    assert found["records"] == 300 + sum(map(len, truth))
    assert found["duplicates"] == sum(len(c["members"]) - 1 for c in found["clusters"])
    for cluster in found["clusters"]:
        assert cluster["id"] == cluster["members"][0] == min(cluster["members"])
        assert cluster["links"][0]["weight"] >= cluster["links"][-1]["weight"]
    assert {s["key"] for s in found["blocking"]} >= {"phone", "email"}
    assert all(s["comparisons"] >= 0 for s in found["blocking"])

    # cluster_of is columns: a DataFrame in one call.
    cluster_of = found["cluster_of"]
    members = sorted(m for c in found["clusters"] for m in c["members"])
    assert cluster_of["client"] == members
    assert len(cluster_of["cluster"]) == len(members)
    lookup = dict(zip(cluster_of["client"], cluster_of["cluster"]))
    assert lookup[truth[0][1]] == truth[0][0]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(cluster_of)
    assert list(frame.columns) == ["client", "cluster"]

    # The same run again gives the same clusters.
    assert index.dedupe()["clusters"] == found["clusters"]


def test_a_pair_decided_not_duplicate_is_never_joined(base: cb.ClientBase) -> None:
    truth = hand_built_duplicates(base)
    index = cb.MatchIndex(base)
    a, b = truth[1]
    found = index.dedupe(not_duplicates=[(b, a)])
    assert all(not {a, b} <= set(c["members"]) for c in found["clusters"])
    assert any((link["left"], link["right"]) == (a, b) for link in found["refused"])
    # A decision naming a client the base does not have is an error, not ignored.
    with pytest.raises(cb.UnknownIdError, match="99999"):
        index.dedupe(not_duplicates=[(a, 99_999)])
    with pytest.raises(cb.UnknownIdError, match="99999"):
        base.dedupe(not_duplicates=[[a, 99_999]])


def test_dedupe_with_options_and_a_changed_model(base: cb.ClientBase) -> None:
    truth = hand_built_duplicates(base)
    strict = cb.MatchIndex(base, {"threshold": 0.999999, "keys": ["phone"], "max_block": 50})
    assert strict.model["threshold"] == 0.999999
    model = strict.model
    model["threshold"] = 0.5
    strict.model = model
    assert repr(strict) == f"MatchIndex(clients={300 + sum(map(len, truth))}, threshold=0.5)"
    blocking = strict.dedupe()["blocking"]
    assert [s["key"] for s in blocking if s["comparisons"]] == ["phone"]


def test_a_replaced_given_name_merges_only_with_the_veto_off(base: cb.ClientBase) -> None:
    born = date(1990, 2, 11)
    elena = person("Кузьмина", "Елена", "+7 917 555 10 20", born, "Игоревна")
    olga = person("Кузьмина", "Ольга", "8 917 555-10-20", born, "Игоревна")
    base.add_client(elena)
    veto = cb.MatchIndex(base).find(olga)[0]
    assert veto["verdict"] == "related" and veto["explanation"]["conflict"] == "given"
    assert veto["explanation"]["identified"] is True
    evidence = cb.MatchIndex(base, {"given_name_veto": False}).find(olga)[0]
    assert evidence["verdict"] == "duplicate", evidence["explanation"]
    with pytest.raises(cb.ClientbaseError, match="given_name_vetoo"):
        cb.MatchIndex(base, {"given_name_vetoo": False})


def test_an_identifying_custom_field_ties_two_spellings() -> None:
    base = cb.ClientBase({"fields": [{"name": "passport", "type": "text", "identifier": True}]})
    zakharov = base.add_client(
        cb.Client.person("Захаров", "Игорь", phones=["8 916 765-00-11"], custom={"passport": "45 01 123456"})
    )
    base.add_client(cb.Client.person("Петров", "Пётр", phones=["8 903 555-12-34"]))
    lead = cb.Client.person("Zakharov", "I.", phones=["8 925 000-77-66"], custom={"passport": "4501123456"})
    found = cb.MatchIndex(base).find(lead)[0]
    assert found["client"] == zakharov and found["verdict"] == "duplicate", found["explanation"]
    levels = {e["field"]: e["level"] for e in found["explanation"]["fields"]}
    assert levels["identifier"] == "same"
    with pytest.raises(cb.InvalidValueError, match="snils"):
        cb.MatchIndex(base, {"identifiers": ["snils"]})


def test_estimate_learns_the_model_from_the_base(base: cb.ClientBase) -> None:
    hand_built_duplicates(base)
    index = cb.MatchIndex(base)
    before = index.model
    estimate = index.estimate(random_pairs=20_000, seed=3)
    assert estimate["random_pairs"] == 20_000
    assert estimate["pairs"] > 0 and estimate["iterations"] >= 1
    assert 0 < estimate["duplicates_per_record"] < 0.5
    assert index.model != before
    assert index.model["duplicates_per_record"] == estimate["duplicates_per_record"]


# ---- batches ---------------------------------------------------------------------


def leads_columns() -> dict[str, list[Any]]:
    return {
        "surname": ["Cherepanova", "Незнакомцева", None, "Петрова"],
        "given_name": ["Anya", "Ольга", None, "Ирина"],
        "phone": ["+7 916 1234567", "8 999 000 11 22", None, "8 903 111 22 33"],
        "birthday": ["1985-03-07", None, None, "31.02.1985"],
    }


def check_found(found: Mapping[str, Any], anna: int) -> None:
    assert list(found) == ["client", "probability", "verdict", "problem", "reason"]
    assert found["client"][:3] == [anna, None, None]
    # The bad birthday of the last lead is set aside; the lead is matched on the rest.
    assert found["verdict"] == ["duplicate", "distinct", None, "distinct"]
    assert found["probability"][0] > 0.99 and found["probability"][1:3] == [None, None]
    assert found["problem"] == [None, None, "empty", None]
    assert found["reason"][0] is None and found["reason"][3] is None


@pytest.fixture
def with_anna(base: cb.ClientBase) -> tuple[cb.ClientBase, int]:
    anna = base.add_client(person("Черепанова", "Анна", "8 (916) 123-45-67", date(1985, 3, 7)))
    return base, anna


def test_find_many_over_a_dict_of_lists(with_anna: tuple[cb.ClientBase, int]) -> None:
    base, anna = with_anna
    check_found(cb.MatchIndex(base).find_many(leads_columns()), anna)


def test_find_many_over_dataframes(with_anna: tuple[cb.ClientBase, int]) -> None:
    base, anna = with_anna
    index = cb.MatchIndex(base)
    pd = pytest.importorskip("pandas")
    found = index.find_many(pd.DataFrame(leads_columns()))
    check_found(found, anna)
    assert pd.DataFrame(found).shape == (4, 5)
    pl = pytest.importorskip("polars")
    check_found(index.find_many(pl.DataFrame(leads_columns())), anna)


def test_find_many_over_rows(with_anna: tuple[cb.ClientBase, int]) -> None:
    base, anna = with_anna
    index = cb.MatchIndex(base)
    rows = [person("Cherepanova", "Anna", "+79161234567", date(1985, 3, 7)), base.client(anna)]
    found = index.find_many(rows)
    # A stored client is matched against the others, never against itself.
    assert found["client"] == [anna, None]
    assert found["verdict"] == ["duplicate", "distinct"]
    with pytest.raises(TypeError, match=r"leads\[1\]"):
        index.find_many([rows[0], 42])


def test_find_many_does_not_add_the_leads(with_anna: tuple[cb.ClientBase, int]) -> None:
    base, _ = with_anna
    before = base.to_json()
    cb.MatchIndex(base).find_many(leads_columns())
    assert base.to_json() == before


# ---- the GIL -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> tuple[cb.MatchIndex, dict[str, list[Any]]]:
    base = cb.ClientBase()
    base.add_clients(strangers(20_000, seed=5))
    # Every tenth stranger again, phone retyped: many clusters to build.
    base.add_clients({k: v[::10] for k, v in again_all(strangers(20_000, seed=5)).items()})
    # Leads: the first 5_000 strangers again, phone retyped.
    leads = {k: v[:5_000] for k, v in again_all(strangers(20_000, seed=5)).items()}
    return cb.MatchIndex(base), leads


def again_all(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {**columns, "phone": [p.replace("+7 ", "8 ") for p in columns["phone"]]}


@pytest.mark.parametrize("operation", ["dedupe", "find_many"])
def test_batches_release_the_gil(big: tuple[cb.MatchIndex, dict[str, list[Any]]], operation: str) -> None:
    index, leads = big
    calls = {"dedupe": index.dedupe, "find_many": lambda: index.find_many(leads)}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        during, duration, rate = ticks_during(calls[operation])
    finally:
        sys.setswitchinterval(interval)
    assert duration > 0.02, f"{operation} was too quick ({duration:.3f} s) to tell"
    assert during > rate * max(0.02, duration / 10), (
        f"the other thread counted {during} during {duration:.3f} s "
        f"(it counts {rate:.0f}/s alone): the GIL was not released"
    )


def test_big_dedupe_finds_the_retyped_strangers(big: tuple[cb.MatchIndex, dict[str, list[Any]]]) -> None:
    index, leads = big
    found = index.dedupe()
    # Every copy with its original; strangers may share a name and a birthday too.
    assert 2_000 <= found["duplicates"] <= 2_020
    lookup = dict(zip(found["cluster_of"]["client"], found["cluster_of"]["cluster"]))
    for copy in range(20_001, 22_001):
        assert lookup[copy] == 1 + (copy - 20_001) * 10, copy
    matched = index.find_many(leads)
    assert matched["verdict"] == ["duplicate"] * 5_000
    # Lead i is stranger i (id i + 1), or for every tenth, its copy (id 20_001 + i // 10).
    for i, client in enumerate(matched["client"]):
        assert client in (i + 1, 20_001 + i // 10), (i, client)


# ---- merge -------------------------------------------------------------------------


def test_merge_and_undo_give_back_the_same_base(base: cb.ClientBase) -> None:
    anna = base.add_client(person("Черепанова", "Анна", "8 916 123-45-67", date(1985, 3, 7), "Игоревна"))
    twin = base.add_client(
        cb.Client.person("Cherepanova", "Anna", emails=["anna@example.ru"]).replace(city="Казань")
    )
    deal = base.add_deal(cb.Deal(twin, cb.Money("1 000", "RUB"), title="Корм"))
    before = base.to_json()

    record = base.merge_clients(anna, [twin], {"fields": {"city": "most_complete"}})
    assert (record["survivor"], record["merged"]) == (anna, [twin])
    merged = base.client(anna)
    assert (len(merged.phones), len(merged.emails)) == (1, 1)
    assert base.deal(deal).client == anna
    with pytest.raises(cb.UnknownIdError):
        base.client(twin)

    # The record is plain data: it survives JSON on its way to undo_merge.
    base.undo_merge(json.loads(json.dumps(record)))
    assert base.to_json() == before


def test_undo_refuses_when_the_survivor_changed(base: cb.ClientBase) -> None:
    a = base.add_client(person("Черепанова", "Анна", "8 916 123-45-67", date(1985, 3, 7)))
    b = base.add_client(person("Cherepanova", "Anna", "+7 916 123-45-67", date(1985, 3, 7)))
    record = base.merge_clients(a, [b])
    base.update_client(base.client(a).replace(city="Тверь"))
    with pytest.raises(cb.ConflictError) as err:
        base.undo_merge(record)
    assert err.value.record == f"client {a}"
    assert "changed since" in str(err.value)


def test_index_follows_a_merge(base: cb.ClientBase) -> None:
    a = base.add_client(person("Черепанова", "Анна", "8 916 123-45-67", date(1985, 3, 7)))
    b = base.add_client(person("Cherepanova", "Anna", "+7 916 123-45-67", date(1985, 3, 7)))
    index = cb.MatchIndex(base)
    assert index.dedupe()["duplicates"] == 1
    record = base.merge_clients(a, [b])
    for gone in record["merged"]:
        index.remove(gone)
    index.insert(record["survivor"])
    assert index.dedupe()["duplicates"] == 0


# ---- duplicate deals ---------------------------------------------------------------------


def test_duplicate_deals_are_found_and_closed() -> None:
    base = cb.ClientBase()
    husband = base.add_client(cb.Client.person("Черепанов", "Олег", phones=["8 916 123-45-67"]))
    wife = base.add_client(cb.Client.person("Черепанова", "Анна", phones=["8 916 123-45-67"]))
    older = base.add_deal(cb.Deal(husband, cb.Money("5 000", "RUB"), title="Кухня"))
    newer = base.add_deal(cb.Deal(wife, cb.Money("5 000", "RUB"), title="Кухня"))

    # Spouses sharing a phone are one decision unit through the related links.
    assert cb.duplicate_deals(base) == []
    found = cb.MatchIndex(base).dedupe()
    assert [(link["left"], link["right"], link["verdict"]) for link in found["related"]] == [
        (husband, wife, "related")
    ]
    duplicates = cb.duplicate_deals(base, {"window_days": 30}, related=found)
    assert duplicates == [
        {
            "newer": newer,
            "older": older,
            "older_client": husband,
            "same_decision_unit": True,
            "action": {"action": "close"},
        }
    ]
    assert cb.find_duplicate_deal(base, base.deal(newer), related=found["related"]) == duplicates[0]
    assert cb.open_deals(base, wife, related=found) == [newer, older]

    base.close_duplicate_deal(newer, older)
    assert base.deal(newer).status == {"duplicate_of": older}
    assert cb.duplicate_deals(base, related=found) == []
    with pytest.raises(cb.ConflictError) as err:
        base.close_duplicate_deal(newer, older)
    assert err.value.field == "status"


# ---- errors ---------------------------------------------------------------------------------


def test_bad_input_raises_the_kind_and_names_the_field(base: cb.ClientBase) -> None:
    with pytest.raises(cb.JsonError, match="shoe_size") as json_err:
        cb.MatchIndex(base, {"shoe_size": 42})
    assert json_err.value.field == "options"
    with pytest.raises(cb.InvalidValueError, match='"shoe_size" is not a blocking key') as bad:
        cb.MatchIndex(base, {"keys": ["phone", "shoe_size"]})
    assert bad.value.field == "keys"
    with pytest.raises(cb.InvalidValueError) as bad:
        cb.MatchIndex(base, {"threshold": 1.5})
    assert bad.value.field == "threshold"
    with pytest.raises(TypeError):
        cb.MatchIndex(base, [1, 2])  # type: ignore[arg-type]

    index = cb.MatchIndex(base)
    with pytest.raises(cb.UnknownIdError) as unknown:
        index.explain(1, 9_999)
    assert unknown.value.record == "client 9999"
    with pytest.raises(cb.UnknownIdError):
        index.insert(9_999)
    with pytest.raises(cb.InvalidValueError) as new:
        index.insert(cb.Client.person("Новикова", "Вера"))
    assert (new.value.record, new.value.field) == ("new client", "id")
    model = index.model
    model["threshold"] = 2
    with pytest.raises(cb.InvalidValueError) as bad:
        index.model = model
    assert bad.value.field == "threshold"
    with pytest.raises(cb.JsonError) as json_err:
        index.model = {"threshold": 0.5}
    assert json_err.value.field == "model"
    with pytest.raises(cb.InvalidValueError) as few:
        cb.MatchIndex(cb.ClientBase()).estimate()
    assert few.value.field == "records"

    with pytest.raises(cb.UnknownIdError) as unknown:
        base.merge_clients(1, [9_999])
    assert "9999" in str(unknown.value)
    with pytest.raises(cb.InvalidValueError) as bad:
        base.merge_clients(1, [2], {"fields": {"shoe_size": "most_recent"}})
    assert bad.value.field == "shoe_size"
    with pytest.raises(cb.InvalidValueError) as bad:
        base.merge_clients(1, [2], {"default": {"manual": 3}})
    assert bad.value.field == "rules"
    with pytest.raises(cb.JsonError) as json_err:
        base.merge_clients(1, [2], {"defualt": "most_recent"})
    assert json_err.value.field == "defualt"
    assert "default" in str(json_err.value)
    with pytest.raises(cb.JsonError) as json_err:
        cb.duplicate_deals(base, {"window": 30})
    assert json_err.value.field == "window"
    with pytest.raises(cb.UnknownIdError):
        cb.open_deals(base, 9_999)
    with pytest.raises(cb.UnknownIdError):
        base.close_duplicate_deal(1, 2)
    assert base.counts()["clients"] == 300
