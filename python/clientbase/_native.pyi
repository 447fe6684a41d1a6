"""Type stubs for the native module ``clientbase._native`` (checked by mypy.stubtest)."""

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol, TypedDict, final, overload

from typing_extensions import NotRequired, Self, TypeAlias, disjoint_base

import clientbase.base

__version__: str
__all__ = [
    "Activity",
    "Client",
    "ClientBase",
    "Deal",
    "EmailNormalizer",
    "MatchIndex",
    "Money",
    "PhoneNormalizer",
    "Schema",
    "Table",
    "__version__",
    "clean_name",
    "name_key",
    "normalize_emails",
    "normalize_phones",
    "call",
    "capabilities",
    "parse_name",
    "parse_names",
    "transliterate",
    "render_docx",
    "docx_to_pdf",
    "View",
    "_SparkBatch",
    "_SparkBlockScorer",
    "_spark_prepare",
    "_spark_cluster",
    "_spark_blocking_stats",
    "_spark_fields",
    "_spark_components",
    "_generate_base_json",
]

_JsonValue: TypeAlias = Any
"""Plain data in the JSON shape: dict, list, str, int, bool or None."""

class _ArrowStream(Protocol):
    """An object of the Arrow PyCapsule interface that exports a stream."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

class _ArrowArray(Protocol):
    """An object of the Arrow PyCapsule interface that exports an array."""

    def __arrow_c_array__(
        self, requested_schema: object | None = None
    ) -> tuple[object, object]: ...

_Arrow: TypeAlias = _ArrowStream | _ArrowArray
"""A polars or pyarrow frame, series or array (anything with the Arrow PyCapsule interface)."""

_Columns: TypeAlias = Mapping[str, Sequence[Any]] | _Arrow | Any
"""A dict of equally long lists, an Arrow frame (polars, pyarrow) or a pandas DataFrame."""

@final
class Table:
    """A table of named, typed columns (``clients_table()``, capabilities with table
    output). Convert it with ``polars.DataFrame(t)``, ``pyarrow.table(t)``,
    ``t.to_pandas()``, or read it from DuckDB: it exports the Arrow PyCapsule stream."""

    def __new__(cls, data: _Columns) -> Self: ...
    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...
    @property
    def schema(self) -> list[tuple[str, str]]: ...
    @property
    def problems(self) -> list[dict[str, str]]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, name: str, /) -> list[Any]: ...
    def __arrow_c_schema__(self) -> object: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def to_pylist(self) -> list[dict[str, Any]]: ...
    def to_pydict(self) -> dict[str, list[Any]]: ...
    def to_json(self) -> str: ...
    def to_pyarrow(self) -> Any: ...
    def to_polars(self) -> Any: ...
    def to_pandas(self) -> Any: ...

@final
class Money:
    """An exact amount of money: integer minor units and an ISO 4217 currency."""

    def __new__(cls, amount: str | int | Decimal, currency: str = "RUB") -> Self: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def minor(self) -> int: ...
    def to_dict(self) -> dict[str, str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Schema:
    """The tag vocabulary and the declared custom fields of a base."""

    def __new__(
        cls,
        tags: Iterable[str] | None = None,
        fields: Iterable[Mapping[str, _JsonValue]] | None = None,
    ) -> Self: ...
    @staticmethod
    def from_dict(data: Mapping[str, _JsonValue]) -> Schema: ...
    @staticmethod
    def from_json(json: str) -> Schema: ...
    def to_dict(self) -> dict[str, _JsonValue]: ...
    def to_json(self) -> str: ...
    def declare_tag(self, tag: str) -> None: ...
    def declare_field(
        self,
        name: str,
        type: str,
        *,
        options: Iterable[str] | None = None,
        currency: str | None = None,
        label: str | None = None,
    ) -> None: ...
    def set_currency(self, currency: str | None) -> None: ...
    @property
    def currency(self) -> str | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def fields(self) -> list[dict[str, _JsonValue]]: ...
    def field(self, name: str) -> dict[str, _JsonValue] | None: ...
    def has_tag(self, tag: str) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Client:
    """A client: a person or a company with everything known about them."""

    @staticmethod
    def person(
        surname: str = "",
        given_name: str = "",
        patronymic: str | None = None,
        *,
        phones: Iterable[str] | None = None,
        emails: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        custom: Mapping[str, _JsonValue] | None = None,
    ) -> Client: ...
    @staticmethod
    def company(
        legal_name: str,
        tax_id: str | None = None,
        *,
        phones: Iterable[str] | None = None,
        emails: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        custom: Mapping[str, _JsonValue] | None = None,
    ) -> Client: ...
    @staticmethod
    def from_dict(data: Mapping[str, _JsonValue]) -> Client: ...
    @staticmethod
    def from_json(json: str) -> Client: ...
    def to_dict(self) -> dict[str, _JsonValue]: ...
    def to_json(self) -> str: ...
    def replace(self, **changes: _JsonValue) -> Client: ...
    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> Literal["person", "company"]: ...
    @property
    def name(self) -> str: ...
    @property
    def surname(self) -> str | None: ...
    @property
    def given_name(self) -> str | None: ...
    @property
    def patronymic(self) -> str | None: ...
    @property
    def legal_name(self) -> str | None: ...
    @property
    def tax_id(self) -> str | None: ...
    @property
    def birthday(self) -> date | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def postcode(self) -> str | None: ...
    @property
    def employer(self) -> str | None: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def updated_at(self) -> datetime | None: ...
    @property
    def stage(self) -> str: ...
    @property
    def temperature(self) -> str | None: ...
    @property
    def behaviour(self) -> str | None: ...
    @property
    def loyalty_percent(self) -> int | None: ...
    @property
    def can_refer(self) -> bool: ...
    @property
    def phones(self) -> list[dict[str, _JsonValue]]: ...
    @property
    def emails(self) -> list[dict[str, _JsonValue]]: ...
    @property
    def messengers(self) -> list[dict[str, _JsonValue]]: ...
    @property
    def consents(self) -> dict[str, _JsonValue]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def custom(self) -> dict[str, _JsonValue]: ...
    @property
    def relations(self) -> list[dict[str, _JsonValue]]: ...
    @property
    def is_company(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Deal:
    """A deal with a client: pipeline stage, status, amount and product lines."""

    def __new__(
        cls,
        client: int,
        amount: Money,
        *,
        title: str | None = None,
        pipeline: str | None = None,
        stage: str | None = None,
    ) -> Self: ...
    @staticmethod
    def from_dict(data: Mapping[str, _JsonValue]) -> Deal: ...
    @staticmethod
    def from_json(json: str) -> Deal: ...
    def to_dict(self) -> dict[str, _JsonValue]: ...
    def to_json(self) -> str: ...
    def replace(self, **changes: _JsonValue) -> Deal: ...
    @property
    def id(self) -> int: ...
    @property
    def client(self) -> int: ...
    @property
    def title(self) -> str | None: ...
    @property
    def pipeline(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def status(self) -> str | dict[str, int]: ...
    @property
    def is_closed(self) -> bool: ...
    @property
    def amount(self) -> Money: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def lines(self) -> list[dict[str, _JsonValue]]: ...
    @property
    def recurrence(self) -> dict[str, _JsonValue] | None: ...
    def lines_total(self) -> Money: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Activity:
    """Something that happened with a client, or is to be done."""

    def __new__(
        cls,
        client: int,
        kind: str,
        at: datetime,
        *,
        text: str | None = None,
        direction: str | None = None,
        manager: str | None = None,
        outcome: str | None = None,
        deal: int | None = None,
    ) -> Self: ...
    @staticmethod
    def task(client: int, at: datetime, due: datetime, text: str) -> Activity: ...
    @staticmethod
    def from_dict(data: Mapping[str, _JsonValue]) -> Activity: ...
    @staticmethod
    def from_json(json: str) -> Activity: ...
    def to_dict(self) -> dict[str, _JsonValue]: ...
    def to_json(self) -> str: ...
    def replace(self, **changes: _JsonValue) -> Activity: ...
    @property
    def id(self) -> int: ...
    @property
    def client(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def direction(self) -> str | None: ...
    @property
    def manager(self) -> str | None: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def deal(self) -> int | None: ...
    @property
    def due(self) -> datetime | None: ...
    @property
    def done(self) -> bool: ...
    @property
    def is_open_task(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

class _FieldChange(TypedDict):
    before: _JsonValue
    after: _JsonValue

class _RecordChange(TypedDict):
    record: str
    op: Literal["added", "changed", "removed"]
    fields: NotRequired[dict[str, _FieldChange]]

class _Change(TypedDict):
    seq: int
    at: str
    actor: NotRequired[str]
    action: str
    records: list[_RecordChange]
    exported: NotRequired[int]

class _RejectedRow(TypedDict):
    line: int
    label: NotRequired[Any]
    column: str | None
    field: str | None
    kind: str
    reason: str

class _ImportReport(TypedDict):
    rows: int
    imported: list[int]
    rejected: list[_RejectedRow]
    set_aside: list[_RejectedRow]
    empty_rows: int
    ignored_columns: list[str]
    imported_lines: list[int]

_CsvSource: TypeAlias = str | bytes | os.PathLike[str]
"""A path (``os.PathLike``, or ``str`` without a newline), CSV text or CSV bytes."""

@disjoint_base
class ClientBase:
    """A company's client base: the records, files and tables (``clientbase.ClientBase``
    adds the capabilities)."""

    def __new__(cls, schema: Schema | Mapping[str, _JsonValue] | str | None = None) -> Self: ...
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = ...,
        read_only: bool = ...,
        sync_every_commit: bool = ...,
    ) -> Self: ...
    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        schema: Schema | Mapping[str, _JsonValue] | str | None = None,
    ) -> Self: ...
    def save_as(self, path: str | os.PathLike[str]) -> None: ...
    def close(self) -> None: ...
    @property
    def path(self) -> Path | None: ...
    @property
    def actor(self) -> str | None: ...
    @actor.setter
    def actor(self, actor: str | None) -> None: ...
    @classmethod
    def from_json(cls, json: str) -> Self: ...
    def to_json(self) -> str: ...
    @property
    def schema(self) -> Schema: ...
    def declare_tag(self, tag: str) -> None: ...
    def declare_field(
        self,
        name: str,
        type: str,
        *,
        options: Iterable[str] | None = None,
        currency: str | None = None,
        label: str | None = None,
    ) -> None: ...
    def set_currency(self, currency: str | None) -> None: ...
    def freeze_clock(self, at: datetime | None) -> None: ...
    def keep_change_log(self, limit: int) -> None: ...
    def _add(
        self, kind: str, record: Client | Deal | Activity | Mapping[str, _JsonValue] | str
    ) -> int: ...
    def _update(
        self, kind: str, record: Client | Deal | Activity | Mapping[str, _JsonValue] | str
    ) -> None: ...
    def _remove(self, kind: str, id: int) -> Any: ...
    def _get(self, kind: str, id: int) -> Any: ...
    def clients(self) -> list[Client]: ...
    def related_to(self, id: int) -> list[tuple[int, str]]: ...
    def find_company_by_tax_id(self, tax_id: str) -> int | None: ...
    def deals(self, client: int | None = None) -> list[Deal]: ...
    def activities(self, *, client: int | None = None, deal: int | None = None) -> list[Activity]: ...
    def counts(self) -> dict[str, int]: ...
    def call(
        self, name: str, params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any: ...
    def _import_csv(
        self,
        kind: str,
        data: bytes | None,
        path: str | bytes | None,
        mapping: Sequence[tuple[str, str]],
        *,
        delimiter: int | None = None,
        currency: str | None = None,
        strict: bool = False,
    ) -> _ImportReport: ...
    def _export_csv(self, kind: str) -> str: ...
    def _add_rows(
        self, kind: str, columns: _Columns, *, currency: str | None = None, strict: bool = False
    ) -> _ImportReport: ...

# ---- contact normalization -------------------------------------------------------

"""A list or tuple of values, a pandas or polars Series, or any iterable (not a lone str).
A polars or pyarrow column of text is read through Arrow and gives a ``Table``."""

_PhoneKind: TypeAlias = Literal[
    "mobile",
    "fixed_line",
    "fixed_line_or_mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "unknown",
]
_PhoneProblem: TypeAlias = Literal[
    "empty",
    "not_a_number",
    "several_numbers",
    "invalid_country_code",
    "too_short",
    "too_long",
    "invalid_number",
    "unsupported",
    "internal",
]

class _ParsedPhone(TypedDict):
    e164: str
    extension: str | None
    kind: _PhoneKind
    region: str
    country_code: int
    national: str
    international: str

class _PhoneReading(TypedDict):
    raw: str
    text: str
    label: str | None
    valid: bool
    e164: NotRequired[str]
    extension: NotRequired[str | None]
    kind: NotRequired[_PhoneKind]
    region: NotRequired[str]
    country_code: NotRequired[int]
    national: NotRequired[str]
    international: NotRequired[str]
    problem: NotRequired[_PhoneProblem]
    reason: NotRequired[str]

@disjoint_base
class PhoneNormalizer:
    """Reads phone numbers as people type them against a default region."""

    def __new__(cls, default_region: str = "RU") -> Self: ...
    @property
    def default_region(self) -> str: ...
    def parse(self, text: str) -> _ParsedPhone: ...
    def split(self, field: str) -> list[_PhoneReading]: ...
    @overload
    def parse_batch(self, values: Sequence[Any]) -> dict[str, list[Any]]: ...
    @overload
    def parse_batch(self, values: _Arrow) -> Table: ...
    @overload
    def parse_batch(self, values: Any) -> dict[str, list[Any]] | Table: ...

def call(
    name: str, params: Mapping[str, Any] | None = None, *, rows: Any = None, **kwargs: Any
) -> Any: ...
def capabilities() -> list[dict[str, str]]: ...

class _ParsedEmail(TypedDict):
    address: str
    local: str
    domain: str
    key: str
    suggestion: str | None

@disjoint_base
class EmailNormalizer:
    """Checks and normalizes email addresses."""

    def __new__(cls, provider_rules: bool = False) -> Self: ...
    @property
    def provider_rules(self) -> bool: ...
    def parse(self, text: str) -> _ParsedEmail: ...
    @overload
    def parse_batch(self, values: Sequence[Any]) -> dict[str, list[Any]]: ...
    @overload
    def parse_batch(self, values: _Arrow) -> Table: ...
    @overload
    def parse_batch(self, values: Any) -> dict[str, list[Any]] | Table: ...

class _NameReading(TypedDict):
    surname: str | None
    given: str | None
    patronymic: str | None
    gender: Literal["male", "female"] | None
    initials: str
    key: str

def parse_name(full_name: str) -> _NameReading: ...
@overload
def parse_names(values: Sequence[Any]) -> dict[str, list[Any]]: ...
@overload
def parse_names(values: _Arrow) -> Table: ...
@overload
def parse_names(values: Any) -> dict[str, list[Any]] | Table: ...
def clean_name(text: str) -> str: ...
def name_key(text: str) -> str: ...
def transliterate(text: str) -> str: ...

class _InvalidContact(TypedDict):
    client: int
    field: str
    raw: str
    reason: str

class _SplitContact(TypedDict):
    client: int
    field: str
    original: str
    into: int

class _EmailSuggestion(TypedDict):
    client: int
    field: str
    raw: str
    suggestion: str

class _RejectedClient(TypedDict):
    client: int
    kind: str
    reason: str

class _ContactReport(TypedDict):
    clients: int
    clients_changed: int
    changed: int
    invalid: list[_InvalidContact]
    split: list[_SplitContact]
    suggestions: list[_EmailSuggestion]
    rejected: list[_RejectedClient]

# ---- duplicates ----------------------------------------------------------------

_Verdict: TypeAlias = Literal["duplicate", "related", "distinct"]

class _FieldEvidence(TypedDict):
    field: str
    level: str
    weight: float
    term_frequency: NotRequired[float]
    left: NotRequired[str]
    right: NotRequired[str]

class _Explanation(TypedDict):
    left: int
    right: int
    prior_weight: float
    fields: list[_FieldEvidence]
    weight: float
    probability: float
    swapped_names: bool
    conflict: NotRequired[str]
    identified: bool
    verdict: _Verdict

class _Candidate(TypedDict):
    client: int
    probability: float
    weight: float
    verdict: _Verdict
    explanation: _Explanation

class _Link(TypedDict):
    left: int
    right: int
    weight: float
    probability: float
    verdict: _Verdict

class _Cluster(TypedDict):
    id: int
    members: list[int]
    links: list[_Link]

class _BlockingStats(TypedDict):
    key: str | None
    blocks: int
    comparisons: int
    oversized_blocks: int
    oversized_records: int
    largest_block: int

class _ClusterOf(TypedDict):
    client: list[int]
    cluster: list[int]

class _Dedupe(TypedDict):
    records: int
    comparisons: int
    blocking: list[_BlockingStats]
    clusters: list[_Cluster]
    related: list[_Link]
    refused: list[_Link]
    cluster_of: _ClusterOf
    duplicates: int

class _Estimate(TypedDict):
    pairs: int
    patterns: int
    random_pairs: int
    iterations: int
    match_share: float
    duplicates_per_record: float

class _FoundColumns(TypedDict):
    client: list[int | None]
    probability: list[float | None]
    verdict: list[_Verdict | None]
    problem: list[str | None]
    reason: list[str | None]

class _MergeRecord(TypedDict):
    survivor: int
    merged: list[int]
    at: str
    before: list[dict[str, _JsonValue]]
    after: dict[str, _JsonValue]
    relinked: list[dict[str, _JsonValue]]
    relinked_after: list[dict[str, _JsonValue]]
    deals: list[tuple[int, int]]
    activities: list[tuple[int, int]]

class _DuplicateDeal(TypedDict):
    newer: int | None
    older: int
    older_client: int
    same_decision_unit: bool
    action: dict[str, _JsonValue]

_ClientArg: TypeAlias = Client | Mapping[str, _JsonValue] | str
_Related: TypeAlias = _Dedupe | Sequence[_Link] | Sequence[Mapping[str, _JsonValue]]
"""A ``MatchIndex.dedupe()`` result, or its ``related`` links."""

@disjoint_base
class MatchIndex:
    """A base's clients indexed for matching (``clientbase.MatchIndex`` adds taking
    an id in ``insert``)."""

    def __new__(cls, base: ClientBase, options: str | None = None) -> Self: ...
    @property
    def base(self) -> clientbase.base.ClientBase: ...
    def find(self, client: _ClientArg, limit: int = 10) -> list[_Candidate]: ...
    def find_many(self, leads: _Columns | Sequence[_ClientArg]) -> _FoundColumns: ...
    def insert(self, client: _ClientArg) -> None: ...
    def remove(self, id: int) -> bool: ...
    def __len__(self) -> int: ...
    def explain(self, a: int, b: int) -> _Explanation: ...
    def explain_text(self, a: int, b: int) -> str: ...
    def dedupe(self, not_duplicates: Sequence[tuple[int, int]] | None = None) -> _Dedupe: ...
    def estimate(self, random_pairs: int = 1_000_000, seed: int = 0) -> _Estimate: ...
    @property
    def model(self) -> dict[str, _JsonValue]: ...
    @model.setter
    def model(self, model: Mapping[str, _JsonValue]) -> None: ...


# Built with the cargo feature `bench-hooks` only (benches/python/), the module also
# has `_messy_phones`, `_time_phone_batch` and `_last_batch_stages`.

def render_docx(
    template: bytes | str, base: ClientBase | None = None, **params: Any
) -> bytes: ...
def docx_to_pdf(docx: bytes | str, **params: Any) -> bytes: ...

@disjoint_base
class View:
    """A base as one actor sees it (``clientbase.View`` adds ``actor`` and the repr)."""

    def __new__(
        cls, base: ClientBase, actor: str, policy: Mapping[str, _JsonValue] | str
    ) -> Self: ...
    def grant(self) -> dict[str, _JsonValue]: ...
    def call(
        self, name: str, params: Mapping[str, _JsonValue] | None = None, **kwargs: _JsonValue
    ) -> _JsonValue: ...
    def clients(self) -> list[Client]: ...
    def client(self, id: int) -> Client: ...
    def _export_csv(self, kind: str) -> str: ...
    def to_json(self) -> str: ...

# clientbase.spark's partition steps (dedup::partitioned) on Arrow record batches:
# batches in through `__arrow_c_array__`, out as `_SparkBatch` (read with
# `pyarrow.record_batch(...)`). Private: clientbase.spark is the API.

@final
class _SparkBatch:
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...
    def __len__(self) -> int: ...

@final
class _SparkBlockScorer:
    def __new__(cls, options: str, stats: str) -> Self: ...
    def push(self, batch: _ArrowArray) -> _SparkBatch: ...
    def finish(self) -> _SparkBatch: ...

def _spark_prepare(batch: _ArrowArray, options: str = "{}", id_column: str = "id") -> _SparkBatch: ...
def _spark_cluster(
    batch: _ArrowArray, options: str, stats: str, decisions: str = "{}"
) -> _SparkBatch: ...
def _spark_blocking_stats(
    blocks: Sequence[tuple[int, int, int]], max_block: int
) -> list[_BlockingStats]: ...
def _spark_fields() -> list[str]: ...
def _spark_components(batch: _ArrowArray) -> _SparkBatch: ...
def _generate_base_json(clients: int, seed: int) -> str: ...
