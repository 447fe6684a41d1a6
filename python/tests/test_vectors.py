"""The shared test vectors under `tests/vectors/`: the Rust, C and Python tests
run the same steps and must give the same answers.

Each file is a JSON array of steps `{case, op, input, extra?, status, output?}`
(all strings). A case is run from the `new_base` step that starts its session,
and each of its steps must end with `status` (`ok` or an error kind's name) and,
when given, exactly `output` (the result, or `str(exc)` for an error).

The corpora (`phones.json`, `emails.json`, `names.json`) are a header object
and one object per case; each case is read by the batch call and one value at
a time, and must give exactly the fields the Rust tests
(`crates/clientbase/tests/{phone_corpus,email_vectors,name_vectors}.rs`) and
the C runner (`tests/c/test_vectors.c`) compare."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
        report = self.base.import_clients_csv(input.encode(), json.loads(extra))
        return json.dumps(report, separators=(",", ":"), ensure_ascii=False)

    def import_deals_csv(self, input: str, extra: str) -> str:
        report = self.base.import_deals_csv(input.encode(), json.loads(extra))
        return json.dumps(report, separators=(",", ":"), ensure_ascii=False)

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


# Vector files in another format than steps (a header object with `meta`, then
# one object per case), and the tests at the end of this file that run them.
OTHER_FORMATS = {
    "phones.json": "the phone corpus: test_phone_corpus_*",
    "emails.json": "email vectors: test_email_vectors",
    "names.json": "name vectors: test_name_vectors",
    "capabilities.json": "capability vectors: test_capability_vectors.py",
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


# ---- corpora: phones, emails, names -------------------------------------------------

Row = dict[str, Any]


def corpus(name: str) -> tuple[Row, list[Row]]:
    """The header and the cases of a corpus file."""
    rows: list[Row] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    meta, cases = rows[0], rows[1:]
    assert "meta" in meta, f"{name}: the first object is the header"
    return meta, cases


def disagreements(failures: list[str], total: int) -> str:
    return f"{len(failures)} of {total} cases disagree:\n" + "\n".join(failures[:60])


def without_extension(text: str, label: str, extension: str | None) -> str | None:
    """A display format as the corpus writes it: without ` <label> <extension>`."""
    if extension is None:
        return text
    suffix = f" {label} {extension}"
    return text[: -len(suffix)] if text.endswith(suffix) else None


PHONE_FIELDS = ("valid", "e164", "extension", "type", "region", "national", "international")


def phone_fields(phone: dict[str, Any] | None) -> dict[str, str | None]:
    """What clientbase read, in the corpus's terms (as the Rust and C runners compare)."""
    if phone is None:
        return dict.fromkeys(PHONE_FIELDS) | {"valid": "false"}
    extension = phone["extension"]
    return {
        "valid": "true",
        "e164": phone["e164"],
        "extension": extension,
        "type": phone["kind"],
        "region": phone["region"],
        "national": without_extension(phone["national"], "доб.", extension),
        "international": without_extension(phone["international"], "ext.", extension),
    }


def compare(case: Row, got: dict[str, str | None], how: str) -> str | None:
    wrong = [
        f"{name}: expected {case.get(name)!r}, got {value!r}"
        for name, value in got.items()
        if case.get(name) != value
    ]
    return f"{case['input']!r} ({how}): " + "; ".join(wrong) if wrong else None


@pytest.fixture(scope="module")
def phone_corpus() -> tuple[cb.PhoneNormalizer, list[Row]]:
    meta, cases = corpus("phones.json")
    assert len(cases) >= 10_000, "the corpus has tens of thousands of cases"
    return cb.PhoneNormalizer(meta["default_region"]), cases


def test_phone_corpus_batch(phone_corpus: tuple[cb.PhoneNormalizer, list[Row]]) -> None:
    phones, cases = phone_corpus
    columns = phones.parse_batch([case["input"] for case in cases])
    failures = []
    for i, case in enumerate(cases):
        valid = columns["valid"][i]
        got = {
            "valid": "true" if valid else "false",
            "e164": columns["e164"][i],
            "extension": columns["extension"][i],
            "type": columns["kind"][i],
            "region": columns["region"][i],
        }
        # A row is either read or has a reason, never both.
        if valid == (columns["reason"][i] is not None):
            failures.append(f"{case['input']!r} (batch): valid {valid}, reason {columns['reason'][i]!r}")
        elif (failure := compare(case, got, "batch")) is not None:
            failures.append(failure)
    assert not failures, disagreements(failures, len(cases))


def test_phone_corpus_single(phone_corpus: tuple[cb.PhoneNormalizer, list[Row]]) -> None:
    phones, cases = phone_corpus
    failures = []
    for case in cases:
        try:
            phone: dict[str, Any] | None = dict(phones.parse(case["input"]))
        except cb.InvalidValueError as err:
            assert err.field == "phone" and err.reason, case["input"]
            phone = None
        if (failure := compare(case, phone_fields(phone), "single")) is not None:
            failures.append(failure)
        if "split" in case:
            split = " ".join(c.get("e164", "invalid") for c in phones.split(case["input"]))
            if split != case["split"]:
                failures.append(
                    f"{case['input']!r} (split): expected {case['split']!r}, got {split!r}"
                )
    assert not failures, disagreements(failures, len(cases))


EMAIL_FIELDS = ("valid", "address", "key", "key_provider_rules", "suggestion", "problem", "reason")


def test_email_vectors() -> None:
    _, cases = corpus("emails.json")
    assert len(cases) > 40
    plain, rules = cb.EmailNormalizer(), cb.EmailNormalizer(provider_rules=True)
    inputs = [case["input"] for case in cases]
    columns = plain.parse_batch(inputs)
    keys = rules.parse_batch(inputs)["key"]
    failures = []
    for i, case in enumerate(cases):
        got = {
            "valid": "true" if columns["valid"][i] else "false",
            "address": columns["address"][i],
            "key": columns["key"][i],
            "key_provider_rules": keys[i],
            "suggestion": columns["suggestion"][i],
            "problem": columns["problem"][i],
            "reason": columns["reason"][i],
        }
        assert set(got) == set(EMAIL_FIELDS)
        if (failure := compare(case, got, "batch")) is not None:
            failures.append(failure)
        try:
            email = plain.parse(case["input"])
        except cb.InvalidValueError as err:
            single = {"valid": "false", "reason": err.reason}
            # The exception's reason names the likely fix, as str(EmailError) does.
            if case["suggestion"] is not None:
                single["reason"] = err.reason and err.reason.removesuffix(
                    f" (did you mean {case['suggestion']}?)"
                )
        else:
            single = {"valid": "true", "address": email["address"], "key": email["key"],
                      "suggestion": email["suggestion"]}
        if (failure := compare(case, single, "single")) is not None:
            failures.append(failure)
    assert not failures, disagreements(failures, len(cases))


NAME_FIELDS = ("surname", "given", "patronymic", "gender", "initials", "key")


def test_name_vectors() -> None:
    _, cases = corpus("names.json")
    assert len(cases) > 30
    columns = cb.parse_names([case["input"] for case in cases])
    failures = []
    for i, case in enumerate(cases):
        name = cb.parse_name(case["input"])
        single: dict[str, Any] = {field: name[field] for field in NAME_FIELDS}  # type: ignore[literal-required]
        single["text_key"] = cb.name_key(case["input"])
        batch = {field: columns[field][i] for field in NAME_FIELDS}
        for got, how in ((single, "single"), (batch, "batch")):
            if (failure := compare(case, got, how)) is not None:
                failures.append(failure)
    assert not failures, disagreements(failures, len(cases))
