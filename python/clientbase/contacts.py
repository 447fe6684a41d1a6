"""Phones and emails: the normalizers (their reprs written here, the rest native),
and a column read at once by :func:`normalize_phones` and :func:`normalize_emails`,
the batch calls of a normalizer made for the call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, final, overload

from clientbase import _native
from clientbase._native import Table

if TYPE_CHECKING:
    from clientbase._native import _Arrow

__all__ = ["EmailNormalizer", "PhoneNormalizer", "normalize_emails", "normalize_phones"]


@final
class PhoneNormalizer(_native.PhoneNormalizer):
    """Reads phone numbers as people type them against a default region.

    ``PhoneNormalizer()`` reads numbers typed without a country code as Russian;
    ``PhoneNormalizer("KZ")`` as Kazakh, and so on (any ISO 3166 code with phone
    numbers; an unknown one raises ``InvalidValueError`` about the field ``region``)."""

    def __repr__(self) -> str:
        return f"PhoneNormalizer(default_region={self.default_region!r})"


@final
class EmailNormalizer(_native.EmailNormalizer):
    """Checks and normalizes email addresses (``provider_rules=True``: matching keys
    follow the providers' rules, such as Gmail ignoring dots)."""

    def __repr__(self) -> str:
        return f"EmailNormalizer(provider_rules={self.provider_rules})"


@overload
def normalize_phones(values: Sequence[Any], region: str = "RU") -> dict[str, list[Any]]: ...
@overload
def normalize_phones(values: _Arrow, region: str = "RU") -> Table: ...
@overload
def normalize_phones(values: Any, region: str = "RU") -> dict[str, list[Any]] | Table: ...
def normalize_phones(values: Any, region: str = "RU") -> dict[str, list[Any]] | Table:
    """``PhoneNormalizer(region).parse_batch(values)``: a column of numbers read on all
    cores with the GIL released, returned as columns (a :class:`Table` for Arrow input)."""
    return PhoneNormalizer(region).parse_batch(values)


@overload
def normalize_emails(
    values: Sequence[Any], provider_rules: bool = False
) -> dict[str, list[Any]]: ...
@overload
def normalize_emails(values: _Arrow, provider_rules: bool = False) -> Table: ...
@overload
def normalize_emails(
    values: Any, provider_rules: bool = False
) -> dict[str, list[Any]] | Table: ...
def normalize_emails(values: Any, provider_rules: bool = False) -> dict[str, list[Any]] | Table:
    """``EmailNormalizer(provider_rules).parse_batch(values)``: a column of addresses
    read on all cores, returned as columns (a :class:`Table` for Arrow input)."""
    return EmailNormalizer(provider_rules).parse_batch(values)
