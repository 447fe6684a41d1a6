"""The shared test vectors under `tests/vectors/`: the Rust, C and Python tests
run the same steps and must give the same answers.

Each file is a JSON array of steps `{case, op, input, extra?, status, output?}`
(all strings). A case is run from the `new_base` step that starts its session,
and each of its steps must end with `status` (`ok` or an error kind's name) and,
when given, exactly `output` (the result, or `str(exc)` for an error)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

import clientbase as cb

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
FROZEN = datetime(2025, 1, 1, tzinfo=timezone.utc)

Step = dict[str, str]

ERRORS: dict[str, type[cb.ClientbaseError]] = {
    cls.kind: cls
    for cls in (getattr(cb, name) for name in cb.__all__)
    if isinstance(cls, type) and issubclass(cls, cb.ClientbaseError) and cls.kind
}


class Runner:
    def __init__(self) -> None:
        self.base = cb.ClientBase()

    def new_base(self, input: str, extra: str) -> str:
        self.base = cb.ClientBase(input or None)
        self.base.freeze_clock(FROZEN)
        return ""

    def declare_tag(self, input: str, extra: str) -> str:
        self.base.declare_tag(input)
        return ""

    def declare_field(self, input: str, extra: str) -> str:
        self.base.declare_field(**json.loads(input))
        return ""

    def add_client(self, input: str, extra: str) -> str:
        return str(self.base.add_client(cb.Client.from_json(input)))

    def update_client(self, input: str, extra: str) -> str:
        self.base.update_client(cb.Client.from_json(input))
        return ""

    def get_client(self, input: str, extra: str) -> str:
        return self.base.client(int(input)).to_json()

    def add_deal(self, input: str, extra: str) -> str:
        return str(self.base.add_deal(cb.Deal.from_json(input)))

    def update_deal(self, input: str, extra: str) -> str:
        self.base.update_deal(cb.Deal.from_json(input))
        return ""

    def get_deal(self, input: str, extra: str) -> str:
        return self.base.deal(int(input)).to_json()

    def add_activity(self, input: str, extra: str) -> str:
        return str(self.base.add_activity(cb.Activity.from_json(input)))

    def update_activity(self, input: str, extra: str) -> str:
        self.base.update_activity(cb.Activity.from_json(input))
        return ""

    def get_activity(self, input: str, extra: str) -> str:
        return self.base.activity(int(input)).to_json()

    def import_clients_csv(self, input: str, extra: str) -> str:
        return self.base.import_clients_csv(input.encode(), json.loads(extra)).to_json()

    def import_deals_csv(self, input: str, extra: str) -> str:
        return self.base.import_deals_csv(input.encode(), json.loads(extra)).to_json()

    def counts(self, input: str, extra: str) -> str:
        return json.dumps(self.base.counts(), separators=(",", ":"))

    def export_json(self, input: str, extra: str) -> str:
        return self.base.to_json()

    def run(self, step: Step) -> tuple[str, str]:
        """Runs one step; returns its status and output."""
        op: Callable[[str, str], str] | None = getattr(self, step["op"], None)
        if op is None or step["op"] == "run":
            pytest.fail(f"unknown vector op {step['op']!r}: teach test_vectors.py about it")
        try:
            return "ok", op(step.get("input", ""), step.get("extra", ""))
        except cb.ClientbaseError as err:
            assert err.kind is not None
            assert type(err) is ERRORS[err.kind], f"{err.kind} raised as {type(err).__name__}"
            return err.kind, str(err)


# Vector files in another format than steps, and what checks them.
OTHER_FORMATS = {
    "phones.json": "the phone corpus, run by the core's phone tests (phones are not bound yet)",
    "emails.json": "email vectors, run by the core's and the C tests (emails are not bound yet)",
    "names.json": "name vectors, run by the core's and the C tests (names are not bound yet)",
}


def step_files() -> list[Path]:
    return [path for path in sorted(VECTORS.glob("*.json")) if path.name not in OTHER_FORMATS]


def load_cases() -> list[tuple[str, list[Step], list[Step]]]:
    """(id, steps to replay first, steps of the case) for every case of every file."""
    cases = []
    for path in step_files():
        steps: list[Step] = json.loads(path.read_text(encoding="utf-8"))
        order: list[str] = []
        for step in steps:
            if step["case"] not in order:
                order.append(step["case"])
        for case in order:
            indices = [i for i, step in enumerate(steps) if step["case"] == case]
            first = indices[0]
            session = max(
                (i for i in range(first + 1) if steps[i]["op"] == "new_base"), default=0
            )
            replay = [s for s in steps[session:first] if s["case"] != case]
            cases.append((f"{path.stem}:{case}", replay, [steps[i] for i in indices]))
    return cases


CASES = load_cases()


def test_vectors_are_present() -> None:
    assert (VECTORS / "base.json").is_file()
    assert len(CASES) >= 5


@pytest.mark.parametrize("path", step_files(), ids=lambda path: path.name)
def test_vector_files_are_steps(path: Path) -> None:
    steps = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(steps, list) and steps
    for step in steps:
        assert {"case", "op", "status"} <= set(step), f"{path.name}: not a step: {step}"
        assert all(isinstance(value, str) for value in step.values())


@pytest.mark.parametrize(("replay", "steps"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_vector_case(replay: list[Step], steps: list[Step]) -> None:
    runner = Runner()
    for step in replay:
        runner.run(step)
    failures = []
    for step in steps:
        status, output = runner.run(step)
        label = f"{step['op']} {step.get('input', '')[:60]!r}"
        if status != step["status"]:
            failures.append(f"{label}: status {status} ({output}), expected {step['status']}")
        elif "output" in step and output != step["output"]:
            failures.append(f"{label}:\n  got      {output}\n  expected {step['output']}")
    assert not failures, "\n".join(failures)
