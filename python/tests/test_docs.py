"""The examples users read first (python/README.md and the package docstring) run
and print what they say they print."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import pytest

import clientbase as cb

README = Path(__file__).resolve().parents[1] / "README.md"


BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_examples_print_what_they_say(block: str) -> None:
    expected = [
        match.group(1)
        for match in re.finditer(r"^[ \t]*print\(.*?\)[ \t]+# (.*)$", block, re.M)
    ]
    assert expected, "a README example lost its printed results"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, str(README), "exec"), {})
    assert out.getvalue().splitlines() == expected


def test_readme_has_its_examples() -> None:
    assert len(BLOCKS) >= 2


def test_package_docstring_examples() -> None:
    failures, tried = doctest.testmod(cb, raise_on_error=False)
    assert tried > 0 and failures == 0
