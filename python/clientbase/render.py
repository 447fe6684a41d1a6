"""Documents and messages from templates: commercial offers, contract
preambles, SMS, email and messenger texts filled from a client, a deal with
its product lines, the manager and your own company's details.

Templates are Jinja (``{{ client.name }}``, ``{% for line in deal.lines %}``)
run sandboxed in the core: no files, no code, limited fuel, output and
nesting (``limits={"fuel": ..., "max_output_bytes": ..., "max_depth": ...}``).
In strict mode (the default) a printed value that is missing or empty raises
:class:`~clientbase.InvalidValueError` naming the variable and the template
line. Russian business formats are filters: ``money`` (``4 990,00 ₽`` with
no-break spaces), ``amount_words``, ``date_ru`` (``22 ноября 2026 г.``),
``initials`` / ``initials_first``, ``inflect("genitive")`` (names in cases),
``number_words``, ``plural``, ``vat``. Params are keyword arguments:
``client``, ``deal``, ``company`` (your company's details), ``managers``,
``vars``, ``strict``, ``escape``, ``limits``, ``today``, ``time_zone``.

>>> import clientbase as cb
>>> cb.render_text("{{ total | amount_words }}", vars={"total": "123456.78"})
'Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек'
>>> cb.render_text("{{ who | inflect('genitive') }}", vars={"who": "Иванов Сергей Петрович"})
'Иванова Сергея Петровича'
>>> cb.sms_parts("Здравствуйте!")["encoding"]
'UCS-2'

Word documents: :func:`render_docx` fills a ``.docx`` made in Word or
LibreOffice (``{{ client.name }}`` even when the editor split it over runs,
``{%tr for line in deal.lines %}`` repeating table rows, ``{%p if ... %}``
keeping paragraphs) and returns its bytes; :func:`docx_to_pdf` converts one
with LibreOffice. A broken template raises
:class:`~clientbase.InvalidValueError` whose ``record`` names the part and
paragraph.
"""

from __future__ import annotations

import os
from typing import Any, Union

from clientbase import _native
from clientbase._native import ClientBase, Table, call

__all__ = [
    "check",
    "docx_to_pdf",
    "mail_merge",
    "render",
    "render_docx",
    "render_docx_check",
    "render_text",
    "sms_parts",
]

_Source = Union[bytes, str, "os.PathLike[str]"]


def render(base: ClientBase, template: str, /, **params: Any) -> str:
    """``template`` filled from the client and deal of ``base`` named by
    ``client`` / ``deal``, the manager, ``company`` and ``vars``."""
    result: dict[str, Any] = base.call("render", template=template, **params)
    text: str = result["text"]
    return text


def render_text(template: str, /, **params: Any) -> str:
    """``template`` filled from ``vars`` (and ``company``, ``today``), no base."""
    result: dict[str, Any] = call("render_text", template=template, **params)
    text: str = result["text"]
    return text


def check(base: ClientBase, template: str, /, **params: Any) -> dict[str, list[str]]:
    """The variables ``template`` reads (``variables``) and which of them the
    context of ``client`` / ``deal`` lacks (``missing``)."""
    result: dict[str, list[str]] = base.call("render_check", template=template, **params)
    return result


def mail_merge(base: ClientBase, template: str, /, **params: Any) -> Table:
    """One text per client (``clients``, a ``segment`` rule, or all) for a
    ``channel`` (``sms``, ``email``, ``messenger``, ``text``): columns
    ``client``, ``address``, ``text``, ``encoding``, ``characters``,
    ``parts`` and ``error`` (why a client has no text)."""
    result: Table = base.call("mail_merge", template=template, **params)
    return result


def sms_parts(text: str, /) -> dict[str, Any]:
    """``encoding`` (``GSM-7`` or ``UCS-2``), ``characters``, ``units``,
    ``parts`` and ``per_part`` of an SMS text."""
    result: dict[str, Any] = call("sms_parts", text=text)
    return result


def _source(value: _Source) -> bytes | str:
    return value if isinstance(value, bytes) else os.fspath(value)


def render_docx(
    template: _Source,
    /,
    base: ClientBase | None = None,
    *,
    out: str | os.PathLike[str] | None = None,
    **params: Any,
) -> bytes:
    """``template`` (a ``.docx``'s bytes or path) filled from the ``client`` /
    ``deal`` of ``base``, or without a base from ``vars``, ``company`` and
    ``today``; returns the document's bytes and, with ``out``, writes them
    there too (atomically: a failure leaves no half-written file)."""
    if out is not None:
        params["out"] = os.fspath(out)
    return _native.render_docx(_source(template), base, **params)


def render_docx_check(base: ClientBase, template: str | os.PathLike[str], /, **params: Any) -> dict[str, list[str]]:
    """The ``parts`` of a ``.docx`` template that hold tags, the ``variables``
    it reads and which of them the context of ``client`` / ``deal`` lacks
    (``missing``)."""
    result: dict[str, list[str]] = base.call("render_docx_check", template=os.fspath(template), **params)
    return result


def docx_to_pdf(
    docx: _Source, /, *, out: str | os.PathLike[str] | None = None, timeout_seconds: int = 120
) -> bytes:
    """``docx`` (bytes or a path) converted to PDF by LibreOffice (headless,
    stopped after ``timeout_seconds``); with ``out`` written there too.
    Without LibreOffice it raises :class:`~clientbase.IoError`."""
    params: dict[str, Any] = {"timeout_seconds": timeout_seconds}
    if out is not None:
        params["out"] = os.fspath(out)
    return _native.docx_to_pdf(_source(docx), **params)
