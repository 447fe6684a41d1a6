"""Schema: the tag vocabulary and typed custom fields."""

from __future__ import annotations

import pytest

import clientbase as cb


def test_declares_tags_and_fields(schema: cb.Schema) -> None:
    assert schema.tags == ["opt", "vip"]
    assert [field["name"] for field in schema.fields] == ["budget", "pet", "rooms"]
    assert schema.field("pet") == {"name": "pet", "type": "one_of", "options": ["cat", "dog"]}
    assert schema.field("missing") is None
    assert schema.has_tag("vip") and not schema.has_tag("gold")
    assert repr(schema) == "Schema(tags=['opt', 'vip'], fields=['budget', 'pet', 'rooms'])"


def test_round_trips_through_dict_and_json(schema: cb.Schema) -> None:
    assert cb.Schema.from_dict(schema.to_dict()) == schema
    assert cb.Schema.from_json(schema.to_json()) == schema
    assert cb.Schema(fields=schema.fields, tags=schema.tags) == schema


def test_rejects_bad_declarations(schema: cb.Schema) -> None:
    with pytest.raises(cb.SchemaError, match="list separator"):
        schema.declare_tag("a,b")
    with pytest.raises(cb.SchemaError, match="already declared differently"):
        schema.declare_field("rooms", "text")
    with pytest.raises(cb.SchemaError, match="no options"):
        schema.declare_field("kind", "one_of", options=[])
    with pytest.raises(cb.SchemaError) as caught:
        schema.declare_field("x", "colour")
    assert caught.value.field == "x"


def test_redeclaring_the_same_is_harmless(schema: cb.Schema) -> None:
    schema.declare_tag("vip")
    schema.declare_field("rooms", "integer")
    assert schema.tags == ["opt", "vip"]


def test_currency(schema: cb.Schema) -> None:
    assert schema.currency is None
    schema.set_currency("₽")
    assert schema.currency == "RUB"
    assert "currency='RUB'" in repr(schema)
    schema.set_currency(None)
    assert schema.currency is None
