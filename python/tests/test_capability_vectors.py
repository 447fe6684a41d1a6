"""The shared capability vectors (tests/vectors/capabilities.json), through the
generic entry points: ``clientbase.call`` without a base, ``ClientBase.call`` on a
base read with ``ClientBase.from_json`` (its clock frozen at the file's ``now``). The Rust and C runners read the same file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import clientbase as cb

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "capabilities.json"
DOC: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = DOC["vectors"]


def as_data(result: Any) -> Any:
    """A report is plain data already; a table is compared in its JSON form."""
    if hasattr(result, "__arrow_c_stream__"):
        return json.loads(result.to_json())
    return result


def run(case: dict[str, Any]) -> Any:
    name = case["capability"]
    if case["input"] is None:
        return cb.call(name, case["params"])
    base = cb.ClientBase.from_json(json.dumps(DOC["bases"][case["input"]], ensure_ascii=False))
    base.freeze_clock(datetime.fromisoformat(DOC["now"].replace("Z", "+00:00")))
    return base.call(name, case["params"])


def test_the_file_holds_the_vectors() -> None:
    assert len(CASES) >= 20
    assert any("error" in case for case in CASES)
    assert any(case["input"] is None for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["case"] for case in CASES])
def test_capability_vector(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(cb.ClientbaseError) as caught:
            run(case)
        assert caught.value.kind == case["error"]["kind"]
        assert case["error"]["contains"] in str(caught.value)
    else:
        assert as_data(run(case)) == case["expected"]
