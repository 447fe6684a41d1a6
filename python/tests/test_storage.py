"""A base kept in a file from Python: create and open, every write committed
with an actor, the change log, backups, read-only and closed bases, and files
that are not bases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import clientbase as cb


def test_writes_survive_a_reopen_and_the_log_names_the_actor(tmp_path: Path) -> None:
    path = tmp_path / "base.cb"
    with cb.ClientBase.create(path, {"tags": ["vip"]}) as base:
        assert base.path == path
        base.actor = "manager 7"
        assert base.actor == "manager 7"
        anna = base.add_client({"kind": "person", "surname": "Иванова", "given": "Анна"})
        deal = base.add_deal({"client": anna, "amount": {"amount": "1500.00", "currency": "RUB"}})
        moved = base.deal(deal).to_dict()
        moved["stage"] = "Переговоры"
        base.update_deal(moved)
    # After the `with`, the records are readable and writes refused.
    assert len(base.clients()) == 1
    with pytest.raises(cb.StorageError, match="closed"):
        base.declare_tag("gold")

    with cb.ClientBase.open(path) as again:
        assert again.client(anna).surname == "Иванова"
        log = again.changes()
        assert [c["action"] for c in log] == ["create", "add_client", "add_deal", "update_deal"]
        assert log[1]["actor"] == "manager 7"
        stage = log[3]["records"][0]["fields"]["stage"]
        assert stage["after"] == "Переговоры"
        assert [c["action"] for c in again.changes(record=f"deal {deal}")] == [
            "add_deal",
            "update_deal",
        ]
        with pytest.raises(cb.JsonError, match="recrod"):
            again.changes(recrod="client 1")  # type: ignore[call-arg]


def test_a_base_in_memory_keeps_a_change_log_when_asked(tmp_path: Path) -> None:
    base = cb.ClientBase()
    base.keep_change_log(2)
    base.actor = "manager 7"
    ids = [base.add_client({"kind": "person", "surname": s}) for s in ("Агеева", "Белова", "Викторова")]
    log = base.changes()
    # The last two of three writes, numbered as they came.
    assert [(c["seq"], c["action"], c["actor"]) for c in log] == [
        (2, "add_client", "manager 7"),
        (3, "add_client", "manager 7"),
    ]
    assert base.changes(record=f"client {ids[0]}") == []
    assert base.path is None
    base.to_json()
    assert base.changes()[-1]["action"] == "export_json"
    base.keep_change_log(0)
    with pytest.raises(cb.StorageError, match="keep_change_log"):
        base.changes()
    with cb.ClientBase.create(tmp_path / "file.cb") as file:
        with pytest.raises(cb.StorageError, match="whole change log"):
            file.keep_change_log(10)


def test_backup_save_as_and_read_only(tmp_path: Path) -> None:
    base = cb.ClientBase()
    base.add_client({"kind": "company", "legal_name": "ООО Ромашка"})
    with pytest.raises(cb.StorageError, match="in memory"):
        base.changes()
    base.backup(tmp_path / "copy.cb")
    assert base.path is None
    base.save_as(tmp_path / "saved.cb")
    base.add_client({"kind": "person", "surname": "Петров"})
    base.close()
    with cb.ClientBase.open(tmp_path / "saved.cb", read_only=True) as reader:
        assert len(reader.clients()) == 2
        with pytest.raises(cb.StorageError, match="read-only"):
            reader.add_client({"kind": "person", "surname": "Сидоров"})
    with cb.ClientBase.open(tmp_path / "copy.cb") as copy:
        assert len(copy.clients()) == 1
    with pytest.raises(cb.StorageError, match="already exists"):
        cb.ClientBase.create(tmp_path / "copy.cb")
    with pytest.raises(cb.JsonError, match="craete"):
        cb.ClientBase.open(tmp_path / "new.cb", craete=True)  # type: ignore[call-arg]
    with cb.ClientBase.open(tmp_path / "new.cb", create=True) as fresh:
        assert fresh.clients() == []


def test_files_that_are_not_bases_are_named(tmp_path: Path) -> None:
    with pytest.raises(cb.StorageError, match="no such file") as missing:
        cb.ClientBase.open(tmp_path / "missing.cb")
    assert missing.value.kind == "storage"
    assert missing.value.record is not None and "missing.cb" in missing.value.record
    text = tmp_path / "clients.csv"
    text.write_text("фамилия;имя\nИванова;Анна\n" * 100, encoding="utf-8")
    with pytest.raises(cb.StorageError, match="not an SQLite database"):
        cb.ClientBase.open(text)


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "base.cb"
    base = cb.ClientBase.create(path)
    code = (
        "import clientbase as cb, sys\n"
        "try:\n"
        "    cb.ClientBase.open(sys.argv[1])\n"
        "except cb.StorageError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert "another program" in out.stdout
    base.close()
