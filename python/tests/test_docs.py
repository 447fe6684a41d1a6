"""The examples users read first (python/README.md and the package docstring) run
and print what they say they print."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import clientbase as cb

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_prints_what_it_says() -> None:
    block = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[0]
    expected = [
        match.group(1)
        for match in re.finditer(r"^[ \t]*print\(.*?\)[ \t]+# (.*)$", block, re.M)
    ]
    assert expected, "the README example lost its printed results"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, str(README), "exec"), {})
    assert out.getvalue().splitlines() == expected


def test_package_docstring_examples() -> None:
    failures, tried = doctest.testmod(cb, raise_on_error=False)
    assert tried > 0 and failures == 0
