"""The :class:`ClientBase` and the duplicate-deal checks: the named calls that are
capabilities, written once here as calls of the bridge (:meth:`ClientBase.call`),
on top of the native store (``clientbase._native.ClientBase``), which holds the
records, files and typed tables.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, cast, final

from clientbase import _native
from clientbase._native import (
    Activity,
    Client,
    Deal,
    EmailNormalizer,
    PhoneNormalizer,
    Table,
)

if TYPE_CHECKING:
    from typing_extensions import Self

    from clientbase._native import (
        _Change,
        _ClientArg,
        _CsvSource,
        _ContactReport,
        _Columns,
        _DuplicateDeal,
        _ImportReport,
        _JsonValue,
        _MergeRecord,
        _Related,
    )

__all__ = ["ClientBase", "MatchIndex", "View", "duplicate_deals", "find_duplicate_deal", "open_deals"]


def _given(**params: Any) -> dict[str, Any]:
    """The params that were given: ``None`` leaves the core's default."""
    return {key: value for key, value in params.items() if value is not None}


@final
class ClientBase(_native.ClientBase):
    """A company's client base: clients, deals and activities, always valid.

    Every write is checked against the schema and the records it refers to; a
    rejected write raises a ``ClientbaseError`` subclass and leaves the base unchanged.
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> Literal[False]:
        self.close()
        return False

    def __repr__(self) -> str:
        counts = self.counts()
        return (
            f"ClientBase(clients={counts['clients']}, deals={counts['deals']}, "
            f"activities={counts['activities']})"
        )

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (type(self).from_json, (self.to_json(),))

    # ---- records: one native call per operation, the kind named -------------------

    def add_client(self, client: Client | Mapping[str, _JsonValue] | str) -> int:
        """Validates and adds a client (a ``Client``, dict or JSON); returns its new id."""
        return self._add("client", client)

    def update_client(self, client: Client | Mapping[str, _JsonValue] | str) -> None:
        """Replaces the client with the same id."""
        self._update("client", client)

    def remove_client(self, id: int) -> Client:
        """Removes a client nothing refers to any more and returns it."""
        return cast("Client", self._remove("client", id))

    def client(self, id: int) -> Client:
        """The client with ``id``; an unknown id raises ``UnknownIdError``."""
        return cast("Client", self._get("client", id))

    def add_deal(self, deal: Deal | Mapping[str, _JsonValue] | str) -> int:
        """Validates and adds a deal (a ``Deal``, dict or JSON); returns its new id."""
        return self._add("deal", deal)

    def update_deal(self, deal: Deal | Mapping[str, _JsonValue] | str) -> None:
        """Replaces the deal with the same id."""
        self._update("deal", deal)

    def remove_deal(self, id: int) -> Deal:
        """Removes a deal nothing refers to and returns it."""
        return cast("Deal", self._remove("deal", id))

    def deal(self, id: int) -> Deal:
        """The deal with ``id``; an unknown id raises ``UnknownIdError``."""
        return cast("Deal", self._get("deal", id))

    def add_activity(self, activity: Activity | Mapping[str, _JsonValue] | str) -> int:
        """Validates and adds an activity (an ``Activity``, dict or JSON); returns its new id."""
        return self._add("activity", activity)

    def update_activity(self, activity: Activity | Mapping[str, _JsonValue] | str) -> None:
        """Replaces the activity with the same id."""
        self._update("activity", activity)

    def remove_activity(self, id: int) -> Activity:
        """Removes an activity and returns it."""
        return cast("Activity", self._remove("activity", id))

    def activity(self, id: int) -> Activity:
        """The activity with ``id``; an unknown id raises ``UnknownIdError``."""
        return cast("Activity", self._get("activity", id))

    def close_duplicate_deal(self, newer: int, older: int) -> None:
        """Closes the open deal ``newer`` as a duplicate of the open deal ``older``."""
        self.call("close_duplicate_deal", newer=newer, older=older)

    def view(self, actor: str, policy: Mapping[str, _JsonValue] | str) -> View:
        """The base as ``actor`` may read it under ``policy`` (a dict or JSON text:
        ``{"roles": {"manager": {"clients": "own", "contacts": "masked",
        "forbid_exports": ["csv"], "export_reason": "..."}}, "actors": {"ivanov":
        {"role": "manager", "owns": ["Иванов"]}}}``). An unknown key raises
        ``JsonError``, an actor the policy does not cover ``ForbiddenError``."""
        return View(self, actor, policy)

    def backup(self, path: str | os.PathLike[str]) -> None:
        """Copies the base into a new base file at ``path`` while it stays in use."""
        self.call("backup", path=os.fspath(path))

    # ---- CSV and columns -------------------------------------------------------------

    def import_clients_csv(
        self,
        source: _CsvSource,
        mapping: Mapping[str, str],
        *,
        delimiter: str | None = None,
        currency: str | None = None,
        strict: bool = False,
    ) -> _ImportReport:
        """Imports clients from CSV: ``source`` is a path (``str`` without a newline or
        ``os.PathLike``), CSV text (``str`` with a newline) or CSV bytes. ``mapping``
        maps CSV headers to targets (``{"Фамилия": "surname", "Тел.": "phone"}``). Bad
        rows are reported in the result, not raised; a cell that cannot be used is set
        aside (``report["set_aside"]``) and its row kept, unless ``strict``. Returns the
        report as a dict: ``rows``, ``imported`` (the new ids), ``rejected`` and
        ``set_aside`` (``{"line", "column", "field", "kind", "reason"}``),
        ``empty_rows``, ``ignored_columns`` and ``imported_lines``."""
        data, path = _csv_source(source)
        return self._import_csv(
            "client",
            data,
            path,
            _pairs(mapping),
            delimiter=_delimiter(delimiter),
            currency=currency,
            strict=strict,
        )

    def import_deals_csv(
        self,
        source: _CsvSource,
        mapping: Mapping[str, str],
        *,
        delimiter: str | None = None,
        currency: str | None = None,
        strict: bool = False,
    ) -> _ImportReport:
        """Imports deals from CSV; arguments as for :meth:`import_clients_csv`, and
        ``currency`` for rows without a ``currency`` column (default: the schema's,
        else RUB)."""
        data, path = _csv_source(source)
        return self._import_csv(
            "deal",
            data,
            path,
            _pairs(mapping),
            delimiter=_delimiter(delimiter),
            currency=currency,
            strict=strict,
        )

    def export_clients_csv(self) -> str:
        """All clients as CSV text."""
        return self._export_csv("client")

    def export_deals_csv(self) -> str:
        """All deals as CSV text."""
        return self._export_csv("deal")

    def add_clients(self, columns: _Columns, *, strict: bool = False) -> _ImportReport:
        """Adds many clients at once from columns named by import target (``surname``,
        ``given_name``, ``phone``, ``email``, ``tags``, ``custom.<name>``, ...): a polars
        or pyarrow frame (read through Arrow), a pandas DataFrame (through pyarrow when
        installed), or a dict of equally long lists. Every row is read and checked as a
        CSV row; bad rows are reported in the result with their row index (``line``)
        and, for pandas, their index ``label``, not raised. A cell that cannot be used
        is set aside (``report["set_aside"]``) and its row kept, unless ``strict``. The
        work runs with the GIL released."""
        return _labelled(self._add_rows("client", columns, strict=strict), columns)

    def add_deals(
        self, columns: _Columns, *, currency: str | None = None, strict: bool = False
    ) -> _ImportReport:
        """Adds many deals at once from columns (``client_id``, ``amount``, ``title``,
        ...); see :meth:`add_clients`. ``currency`` is used for rows without a
        ``currency`` column."""
        report = self._add_rows("deal", columns, currency=currency, strict=strict)
        return _labelled(report, columns)

    if TYPE_CHECKING:

        def changes(
            self,
            *,
            record: str | None = ...,
            actor: str | None = ...,
            since: str | datetime | None = ...,
            after_seq: int | None = ...,
            limit: int | None = ...,
        ) -> list[_Change]: ...

    else:

        def changes(self, **params):
            """The change log of a base kept in a file (or of a base in memory after
            ``keep_change_log(limit)``: its last entries), oldest first: ``seq``, ``at``,
            ``actor``, ``action`` and ``records`` (each ``record``, ``op`` and the
            ``fields`` with their values ``before`` and ``after``). Filters: ``record``
            (``"client 17"``), ``actor``, ``since``, ``after_seq``, ``limit``; an
            unknown one raises ``JsonError`` naming it."""
            return self.call("changes", params)

    def normalize_contacts(
        self, phones: PhoneNormalizer | None = None, emails: EmailNormalizer | None = None
    ) -> _ContactReport:
        """Normalizes every client's phones and emails in place, on all cores with
        the GIL released (the capability ``normalize_contacts``): phones get their
        E.164, extension, kind and label, emails their normalized address, and a
        phone field holding several numbers becomes several phones (each keeping
        its piece as typed in ``raw``). What was typed is never lost; an invalid
        phone or email is kept and reported, not raised. ``phones`` and ``emails``
        are the normalizers to use (default: Russia, no provider rules).

        Returns a dict: ``clients``, ``clients_changed``, ``changed``, ``invalid``,
        ``split``, ``suggestions`` and ``rejected``."""
        params = _given(phone_region=phones.default_region if phones else None)
        params["email_provider_rules"] = emails.provider_rules if emails else False
        report: _ContactReport = self.call("normalize_contacts", params)
        return report

    def merge_clients(
        self,
        survivor: int,
        others: Sequence[int],
        rules: Mapping[str, _JsonValue] | None = None,
    ) -> _MergeRecord:
        """Merges the clients ``others`` into ``survivor``: fields chosen by ``rules``
        (default: the most recent value of every field), contact points, tags,
        relations and consents united, deals and activities moved, the others
        removed. Returns the merge record that :meth:`undo_merge` takes."""
        params = _given(survivor=survivor, others=list(others), rules=rules)
        record: _MergeRecord = self.call("merge_clients", params)
        return record

    def undo_merge(self, record: _MergeRecord | Mapping[str, _JsonValue]) -> None:
        """Undoes a merge exactly; a ``ConflictError`` when anything it touched changed since."""
        self.call("undo_merge", {"record": record})

    def sales_summary(self, **params: Any) -> dict[str, Any]:
        """Won revenue by year and by product category (``top_categories=10``,
        ``include_recurring=False``): ``{"by_year": [...], "by_category": [...],
        "skipped": [...]}``, money as ``{"amount": "4990.00", "currency": "RUB"}``."""
        summary: dict[str, Any] = self.call("sales_summary", params)
        return summary

    def dedupe(self, **params: Any) -> dict[str, Any]:
        """Deduplicates the whole base (``options={match settings}``,
        ``not_duplicates=[(a, b), ...]``): clusters, related and refused links, the
        blocking report, ``cluster_of`` columns and ``duplicates``. To match many
        times against one base, build a ``MatchIndex`` once instead."""
        found: dict[str, Any] = self.call("dedupe", params)
        return found

    def clients_table(self, fields: Sequence[str] | None = None) -> Table:
        """The clients as a typed :class:`Table` (ids integers, dates and times
        temporal, ``can_refer`` boolean, ``tags`` a list), one row per client in id
        order; ``fields`` picks and orders columns."""
        table: Table = self.call("clients_table", _given(fields=fields))
        return table

    def deals_table(self, fields: Sequence[str] | None = None) -> Table:
        """The deals as a typed :class:`Table` (``amount`` a decimal, its currency
        in ``currency``); see :meth:`clients_table`."""
        table: Table = self.call("deals_table", _given(fields=fields))
        return table

    def clients_columns(self, fields: Sequence[str] | None = None) -> dict[str, list[Any]]:
        """The clients as a dict of typed lists (``clients_table(fields).to_pydict()``)."""
        return self.clients_table(fields).to_pydict()

    def deals_columns(self, fields: Sequence[str] | None = None) -> dict[str, list[Any]]:
        """The deals as a dict of typed lists (``deals_table(fields).to_pydict()``)."""
        return self.deals_table(fields).to_pydict()

    def to_pandas(self, fields: Sequence[str] | None = None) -> Any:
        """The clients as a typed pandas DataFrame (``clients_table(fields).to_pandas()``;
        needs ``pip install 'clientbase[pandas]'``)."""
        return self.clients_table(fields).to_pandas()

    def to_polars(self, fields: Sequence[str] | None = None) -> Any:
        """The clients as a typed polars DataFrame (``clients_table(fields).to_polars()``;
        needs ``pip install 'clientbase[polars]'``). The text columns cross as Arrow
        string views, which polars keeps without a copy."""
        return self.clients_table(fields).to_polars()


@final
class MatchIndex(_native.MatchIndex):
    """A base's clients indexed for matching: find the existing clients a new lead may
    be, deduplicate the whole base, explain any verdict.

    The index is a snapshot of the base when it was built: ``insert()`` every client
    added or changed since, ``remove()`` every client removed or merged away."""

    def __new__(
        cls, base: ClientBase, options: Mapping[str, _JsonValue] | str | None = None
    ) -> Self:
        """Indexes every client of ``base``. ``options`` is a dict of match settings (or
        its JSON text), every entry optional: ``threshold`` (the probability from which
        a pair is a duplicate, default 0.9), ``keys`` (blocking keys by name),
        ``max_block``, ``max_cluster``, ``candidate_floor``, ``phone_region`` and a
        whole ``model`` (as the ``model`` property gives it)."""
        if options is not None and not isinstance(options, str):
            if not isinstance(options, Mapping):
                name = type(options).__name__
                raise TypeError(f"options must be a dict of match settings, not {name}")
            options = json.dumps(options)
        return super().__new__(cls, base, options)

    def insert(self, client: int | _ClientArg) -> None:
        """Adds a client added to the base, or replaces one changed since: its id (read
        from the base) or the client itself."""
        if isinstance(client, int) and not isinstance(client, bool):
            super().insert(self.base.client(client))
        else:
            super().insert(cast("_ClientArg", client))

    def __repr__(self) -> str:
        return f"MatchIndex(clients={len(self)}, threshold={self.model['threshold']})"


@final
class View(_native.View):
    """A base as one actor sees it, made by ``ClientBase.view(actor, policy)``.

    Every read runs on a copy of the base restricted to the actor's clients, contacts
    masked as the policy says, rebuilt when the base changed since. Exports the policy
    forbids raise ``ForbiddenError`` with the reason; allowed ones are logged in the
    base file's change log with the actor and count."""

    @property
    def actor(self) -> str:
        """The actor."""
        return str(self.grant()["actor"])

    def export_clients_csv(self) -> str:
        """The clients the actor sees as CSV text, if the policy allows CSV exports."""
        return self._export_csv("client")

    def export_deals_csv(self) -> str:
        """The deals of the clients the actor sees as CSV text, if the policy allows CSV
        exports."""
        return self._export_csv("deal")

    def __repr__(self) -> str:
        grant = self.grant()
        actor, role = (json.dumps(grant[key], ensure_ascii=False) for key in ("actor", "role"))
        return f"View(actor={actor}, role={role})"


def _csv_source(source: _CsvSource) -> tuple[bytes | None, str | bytes | None]:
    """CSV data, or a path: ``str`` with a newline is CSV text, without one a path."""
    if isinstance(source, bytes):
        return source, None
    if isinstance(source, str):
        return (source.encode(), None) if "\n" in source else (None, source)
    if hasattr(source, "__fspath__"):
        return None, os.fspath(source)
    raise TypeError(f"source must be a path, CSV text or bytes, not {type(source).__name__}")


def _delimiter(delimiter: str | None) -> int | None:
    """The byte of a one-character ASCII delimiter."""
    if delimiter is None:
        return None
    if len(delimiter) != 1 or not delimiter.isascii():
        raise ValueError("delimiter must be one ASCII character such as ';'")
    return ord(delimiter)


def _pairs(mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    """A mapping of CSV header to target as pairs."""
    if not hasattr(mapping, "items"):
        raise TypeError(
            f"mapping must be a dict of CSV header to target, not {type(mapping).__name__}"
        )
    return list(mapping.items())


def _labelled(report: _ImportReport, columns: Any) -> _ImportReport:
    """The report with each rejected row and set-aside cell of a pandas DataFrame
    given the ``label`` of its row in the frame's index (``line`` is its position)."""
    if type(columns).__module__.split(".")[0] == "pandas" and hasattr(columns, "index"):
        for row in [*report["rejected"], *report["set_aside"]]:
            row["label"] = columns.index[row["line"]]
    return report


def _related(related: _Related | None) -> Any:
    """Related links from a ``dedupe()`` result (its ``related``) or a list of links."""
    if isinstance(related, Mapping):
        if "related" not in related:
            raise TypeError("related must be a dedupe() result or a list of its links")
        return related["related"]
    return related


def duplicate_deals(
    base: _native.ClientBase,
    rules: Mapping[str, int] | None = None,
    related: _Related | None = None,
) -> list[_DuplicateDeal]:
    """Every open deal of ``base`` that repeats an older open deal of its client's
    decision unit (spouses, relatives, colleagues; ``related`` links from
    ``MatchIndex.dedupe()`` widen it), oldest first: dicts with ``newer``,
    ``older``, ``older_client``, ``same_decision_unit`` and ``action``
    (``{"action": "close"}``, or a review: ``review_abandoned`` with ``idle_days``,
    ``review_other_manager`` with both managers, ``review_same_pipeline`` for a
    deal without lines to compare). ``rules``: ``{"window_days": 90,
    "abandoned_after_days": 30}``."""
    found: list[_DuplicateDeal] = base.call(
        "duplicate_deals", _given(rules=rules, related=_related(related))
    )
    return found


def find_duplicate_deal(
    base: _native.ClientBase,
    deal: Deal | Mapping[str, _JsonValue] | str,
    rules: Mapping[str, int] | None = None,
    related: _Related | None = None,
) -> _DuplicateDeal | None:
    """The older open deal ``deal`` (a ``Deal``, dict or JSON, in the base or about
    to be added) repeats, as :func:`duplicate_deals` describes it, or ``None``."""
    if isinstance(deal, str):
        deal = Deal.from_json(deal)
    elif isinstance(deal, Mapping):
        deal = Deal.from_dict(deal)
    elif not isinstance(deal, Deal):
        raise TypeError(f"expected a Deal, a dict or JSON text, got {type(deal).__name__}")
    params = _given(deal=deal.to_dict(), rules=rules, related=_related(related))
    found: _DuplicateDeal | None = base.call("find_duplicate_deal", params)
    return found


def open_deals(base: _native.ClientBase, client: int, related: _Related | None = None) -> list[int]:
    """The open deals of ``client``'s decision unit, the client's own first: what to
    show a manager when a relative or colleague comes in as a new lead."""
    deals: list[int] = base.call("open_deals", _given(client=client, related=_related(related)))
    return deals
