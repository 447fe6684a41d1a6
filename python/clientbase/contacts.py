"""A column of phones or emails read at once: :func:`normalize_phones` and
:func:`normalize_emails`, the batch calls of a normalizer made for the call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from clientbase._native import EmailNormalizer, PhoneNormalizer, Table

if TYPE_CHECKING:
    from clientbase._native import _Arrow

__all__ = ["normalize_emails", "normalize_phones"]


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
