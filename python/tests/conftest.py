"""Shared fixtures: a schema, a base with a frozen clock, and the repository root."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

import clientbase as cb

REPO_ROOT = Path(__file__).resolve().parents[2]
FROZEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture
def schema() -> cb.Schema:
    schema = cb.Schema(tags=["vip", "opt"])
    schema.declare_field("rooms", "integer")
    schema.declare_field("pet", "one_of", options=["cat", "dog"])
    schema.declare_field("budget", "money", currency="RUB")
    return schema


@pytest.fixture
def frozen_at() -> datetime:
    """The time the `base` fixture's clock is frozen at."""
    return FROZEN


@pytest.fixture
def base(schema: cb.Schema) -> cb.ClientBase:
    base = cb.ClientBase(schema)
    base.freeze_clock(FROZEN)
    return base
