"""The exceptions: one :class:`ClientbaseError` base and one subclass per core
error kind, named after the kind (``unknown_tag`` is ``UnknownTagError``). The
native module raises them through :func:`_error`, by the kind's name, so a new
kind is one class here.

Every exception carries ``kind`` (the kind's stable name), ``record``, ``field``
and ``reason``, and ``str(exc)`` is the core error's message, which names all three.
"""

from __future__ import annotations

__all__ = [
    "ClientbaseError",
    "ConflictError",
    "CsvError",
    "CurrencyMismatchError",
    "FieldTypeError",
    "ForbiddenError",
    "InvalidValueError",
    "IoError",
    "JsonError",
    "SchemaError",
    "StorageError",
    "UnknownFieldError",
    "UnknownIdError",
    "UnknownTagError",
]


class ClientbaseError(Exception):
    """Base class of every clientbase error.

    `kind` is the error kind's name (`unknown_tag`), `record` and `field` say where
    the problem is and `reason` says why; `str(exc)` names all three."""

    __module__ = "clientbase"
    kind: str | None = None
    record: str | None = None
    field: str | None = None
    reason: str | None = None


class InvalidValueError(ClientbaseError):
    """A value is malformed or out of its allowed range."""

    __module__ = "clientbase"
    kind = "invalid_value"


class UnknownIdError(ClientbaseError):
    """A referenced client, deal or activity does not exist."""

    __module__ = "clientbase"
    kind = "unknown_id"


class UnknownTagError(ClientbaseError):
    """A tag is not in the schema's tag vocabulary."""

    __module__ = "clientbase"
    kind = "unknown_tag"


class UnknownFieldError(ClientbaseError):
    """A custom field is not declared in the schema."""

    __module__ = "clientbase"
    kind = "unknown_field"


class FieldTypeError(ClientbaseError):
    """A custom field value does not have the declared type."""

    __module__ = "clientbase"
    kind = "field_type"


class CurrencyMismatchError(ClientbaseError):
    """An amount of money is in a different currency than required."""

    __module__ = "clientbase"
    kind = "currency_mismatch"


class SchemaError(ClientbaseError):
    """A schema declaration is invalid (empty name, conflicting redeclaration, ...)."""

    __module__ = "clientbase"
    kind = "schema"


class ConflictError(ClientbaseError):
    """The change conflicts with what the base holds (a record still referenced, ...)."""

    __module__ = "clientbase"
    kind = "conflict"


class CsvError(ClientbaseError):
    """CSV input could not be read at all (a bad row is reported, not raised)."""

    __module__ = "clientbase"
    kind = "csv"


class JsonError(ClientbaseError):
    """JSON (or dict) input is malformed or does not describe the expected data."""

    __module__ = "clientbase"
    kind = "json"


class IoError(ClientbaseError, OSError):
    """Reading or writing failed at the operating system level."""

    __module__ = "clientbase"
    kind = "io"


class StorageError(ClientbaseError):
    """A base file is missing, foreign, damaged, from a newer version, locked by
    another program, or could not be written."""

    __module__ = "clientbase"
    kind = "storage"


class ForbiddenError(ClientbaseError):
    """The actor's access policy forbids the call (an export, the change log, a write
    through a read-only view); the message gives the reason."""

    __module__ = "clientbase"
    kind = "forbidden"


_BY_KIND: dict[str, type[ClientbaseError]] = {
    cls.kind: cls
    for cls in (
        InvalidValueError,
        UnknownIdError,
        UnknownTagError,
        UnknownFieldError,
        FieldTypeError,
        CurrencyMismatchError,
        SchemaError,
        ConflictError,
        CsvError,
        JsonError,
        IoError,
        StorageError,
        ForbiddenError,
    )
    if cls.kind is not None
}


def _error(
    kind: str, message: str, record: str | None, field: str | None, reason: str
) -> ClientbaseError:
    """The exception for a core error (called by the native module). A kind added
    to the core after this package was written still raises a
    :class:`ClientbaseError` with the right ``kind``."""
    error = _BY_KIND.get(kind, ClientbaseError)(message)
    error.kind, error.record, error.field, error.reason = kind, record, field, reason
    return error
