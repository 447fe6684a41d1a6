"""clientbase: an embeddable engine for a company's client base.

Clients, deals and activities live in one always-valid :class:`ClientBase`; every
write is checked against the :class:`Schema` and a rejected write raises a
:class:`ClientbaseError` subclass that names the record, the field and the reason.

>>> from clientbase import ClientBase, Client, Schema
>>> schema = Schema(tags=["vip"])
>>> base = ClientBase(schema)
>>> base.add_client(Client.person("Иванова", "Анна", phones=["8 916 123-45-67"], tags=["vip"]))
1
>>> base.client(1)
Client(id=1, person 'Иванова Анна', phones=1, tags=['vip'])

The engine is written in Rust (``clientbase._native``); this package re-exports it.
"""

from clientbase._native import (
    Activity,
    ClientBase,
    Client,
    ClientbaseError,
    ConflictError,
    CsvError,
    CurrencyMismatchError,
    Deal,
    FieldTypeError,
    ImportReport,
    InvalidValueError,
    IoError,
    JsonError,
    Money,
    RejectedRow,
    Schema,
    SchemaError,
    UnknownFieldError,
    UnknownIdError,
    UnknownTagError,
    __version__,
)

__all__ = [
    "Activity",
    "ClientBase",
    "Client",
    "ClientbaseError",
    "ConflictError",
    "CsvError",
    "CurrencyMismatchError",
    "Deal",
    "FieldTypeError",
    "ImportReport",
    "InvalidValueError",
    "IoError",
    "JsonError",
    "Money",
    "RejectedRow",
    "Schema",
    "SchemaError",
    "UnknownFieldError",
    "UnknownIdError",
    "UnknownTagError",
    "__version__",
]
