"""Exceptions: one base class, one subclass per core error kind, and messages
that name the record, the field and the reason."""

from __future__ import annotations

import pytest

import clientbase as cb

KINDS = {
    "invalid_value": cb.InvalidValueError,
    "unknown_id": cb.UnknownIdError,
    "unknown_tag": cb.UnknownTagError,
    "unknown_field": cb.UnknownFieldError,
    "field_type": cb.FieldTypeError,
    "currency_mismatch": cb.CurrencyMismatchError,
    "schema": cb.SchemaError,
    "conflict": cb.ConflictError,
    "csv": cb.CsvError,
    "json": cb.JsonError,
    "io": cb.IoError,
    "storage": cb.StorageError,
    "forbidden": cb.ForbiddenError,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_one_subclass_per_kind(kind: str) -> None:
    cls = KINDS[kind]
    assert issubclass(cls, cb.ClientbaseError)
    assert issubclass(cls, Exception)
    assert cls.kind == kind
    assert cls.__module__ == "clientbase"


def test_every_exported_error_is_covered() -> None:
    exported = {
        name
        for name in cb.__all__
        if isinstance(getattr(cb, name), type)
        and issubclass(getattr(cb, name), cb.ClientbaseError)
    }
    assert exported == {cls.__name__ for cls in KINDS.values()} | {"ClientbaseError"}


def test_base_class_has_no_kind() -> None:
    assert cb.ClientbaseError.kind is None
    assert cb.ClientbaseError.record is None


def test_io_error_is_also_os_error(tmp_path: object) -> None:
    assert issubclass(cb.IoError, OSError)
    base = cb.ClientBase()
    with pytest.raises(OSError) as caught:
        base.import_clients_csv("/nonexistent/clients.csv", {"Фамилия": "surname"})
    err = caught.value
    assert isinstance(err, cb.IoError)
    assert err.kind == "io"
    assert err.record == "/nonexistent/clients.csv"
    assert "/nonexistent/clients.csv" in str(err)


def test_message_names_record_field_and_reason(base: cb.ClientBase) -> None:
    with pytest.raises(cb.UnknownTagError) as caught:
        base.add_client(cb.Client.person("Петров", "Пётр", tags=["gold"]))
    err = caught.value
    assert str(err) == 'unknown tag: new client, field "tags": "gold" is not in the tag vocabulary'
    assert (err.kind, err.record, err.field) == ("unknown_tag", "new client", "tags")
    assert err.reason == '"gold" is not in the tag vocabulary'


def test_field_type_error_names_custom_field(base: cb.ClientBase) -> None:
    with pytest.raises(cb.FieldTypeError) as caught:
        base.add_client(cb.Client.person("Петров", custom={"rooms": "много"}))
    assert caught.value.field == "custom.rooms"
    assert caught.value.record == "new client"


def test_error_without_record_or_field() -> None:
    with pytest.raises(cb.JsonError) as caught:
        cb.Client.from_json("{")
    err = caught.value
    assert err.record is None and err.field is None
    assert str(err) == "JSON error: EOF while parsing an object at line 1 column 1"
    assert err.reason == "EOF while parsing an object at line 1 column 1"


def test_catching_the_base_class(base: cb.ClientBase) -> None:
    with pytest.raises(cb.ClientbaseError):
        base.client(42)


def test_python_misuse_is_a_type_error(base: cb.ClientBase) -> None:
    with pytest.raises(TypeError):
        base.add_client(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cb.Client.person("A", "B", tags="vip")
