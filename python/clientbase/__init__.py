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

Phones, emails and names are read as people type them, one at a time (a dict)
or a column at a time (:meth:`PhoneNormalizer.parse_batch` returns columns):

>>> from clientbase import PhoneNormalizer, parse_name
>>> PhoneNormalizer().parse("8 (916) 123-45-67")["e164"]
'+79161234567'
>>> PhoneNormalizer().parse_batch(["8-800-555-35-35", "12345"])["kind"]
['toll_free', None]
>>> parse_name("Сергей Петрович Иванов")["initials"]
'Иванов С. П.'

Duplicates are found on insert and across the whole base, with the evidence
(:class:`MatchIndex`), and merged without losing anything
(:meth:`ClientBase.merge_clients`):

>>> index = MatchIndex(base)
>>> lead = Client.person("Ivanova", "Anna", phones=["+7 916 1234567"])
>>> [(c["client"], c["verdict"]) for c in index.find(lead)]
[(1, 'duplicate')]

The engine is written in Rust (``clientbase._native``); this package re-exports it.
"""

from clientbase._errors import (
    ClientbaseError,
    ConflictError,
    CsvError,
    CurrencyMismatchError,
    FieldTypeError,
    ForbiddenError,
    InvalidValueError,
    IoError,
    JsonError,
    SchemaError,
    StorageError,
    UnknownFieldError,
    UnknownIdError,
    UnknownTagError,
)
from clientbase.contacts import (
    EmailNormalizer,
    PhoneNormalizer,
    normalize_emails,
    normalize_phones,
)
from clientbase._native import (
    Activity,
    Client,
    Deal,
    Money,
    Schema,
    Table,
    clean_name,
    name_key,
    call,
    capabilities,
    parse_name,
    parse_names,
    transliterate,
    __version__,
)
from clientbase.base import (
    ClientBase,
    MatchIndex,
    duplicate_deals,
    find_duplicate_deal,
    open_deals,
)
from clientbase.scoring import behaviour_types, score, score_explain
from clientbase.segment import parse_segment, segment, segment_explain, segment_sizes
from clientbase.value import abc, abc_xyz, clv, clv_fit, next_purchase, rfm, xyz
from clientbase.analytics import (
    funnel,
    manager_effectiveness,
    monthly_dynamics,
    sales_analytics,
    source_conversion,
)
from clientbase.quality import quality_checklist, quality_report
from clientbase.audience import (
    ad_audience,
    add_call_tasks,
    audience,
    audience_exclusions,
    audience_summary,
    call_tasks,
)
from clientbase.render import check as render_check, mail_merge, render, render_text, sms_parts
from clientbase.report import client_history, report
from clientbase.automation import add_due_tasks, due, route, stage_actions
from clientbase.render import docx_to_pdf, render_docx, render_docx_check

__all__ = [
    "Activity",
    "Client",
    "ClientBase",
    "ClientbaseError",
    "ConflictError",
    "CsvError",
    "CurrencyMismatchError",
    "Deal",
    "EmailNormalizer",
    "FieldTypeError",
    "InvalidValueError",
    "IoError",
    "JsonError",
    "MatchIndex",
    "Money",
    "PhoneNormalizer",
    "Schema",
    "SchemaError",
    "StorageError",
    "Table",
    "UnknownFieldError",
    "UnknownIdError",
    "UnknownTagError",
    "clean_name",
    "duplicate_deals",
    "find_duplicate_deal",
    "name_key",
    "normalize_emails",
    "normalize_phones",
    "call",
    "capabilities",
    "open_deals",
    "parse_name",
    "parse_names",
    "transliterate",
    "abc",
    "abc_xyz",
    "clv",
    "clv_fit",
    "next_purchase",
    "rfm",
    "xyz",
    "parse_segment",
    "segment",
    "segment_explain",
    "segment_sizes",
    "behaviour_types",
    "score",
    "score_explain",
    "funnel",
    "manager_effectiveness",
    "monthly_dynamics",
    "sales_analytics",
    "source_conversion",
    "quality_checklist",
    "quality_report",
    "ad_audience",
    "add_call_tasks",
    "audience",
    "audience_exclusions",
    "audience_summary",
    "call_tasks",
    "render",
    "render_text",
    "render_check",
    "mail_merge",
    "sms_parts",
    "client_history",
    "report",
    "add_due_tasks",
    "due",
    "route",
    "stage_actions",
    "render_docx",
    "render_docx_check",
    "docx_to_pdf",
    "__version__",
]

from clientbase.base import View

__all__ += ["ForbiddenError", "View"]
