"""The bridge: capabilities by name, params checked by the core."""

import pytest

import clientbase as cb


def test_plain_capability_reads_rows_and_refuses_typos() -> None:
    rows = cb.call("parse_phones", values=["8 (916) 123-45-67", None])
    assert rows[0]["valid"]["e164"] == "+79161234567"
    assert rows[1]["invalid"]["problem"] == "null_input"
    with pytest.raises(cb.JsonError, match="unknown field `valuez`"):
        cb.call("parse_phones", {"valuez": []})
    names = {c["name"] for c in cb.capabilities()}
    assert {"dedupe", "sales_summary", "parse_phones"} <= names


def test_base_capabilities_by_name_and_named_methods() -> None:
    base = cb.ClientBase()
    base.add_client(cb.Client.person("Смирнова", "Ольга", "Игоревна"))
    assert base.call("counts")["clients"] == 1
    summary = base.sales_summary(top_categories=3)
    assert summary["by_year"] == []
    report = base.dedupe()
    assert report["duplicates"] == 0
    assert report["cluster_of"] == {"client": [], "cluster": []}
    with pytest.raises(cb.JsonError, match="unknown field `top_categoriez`"):
        base.sales_summary(top_categoriez=3)
    with pytest.raises(cb.InvalidValueError, match="is not a capability"):
        base.call("no_such_capability")
