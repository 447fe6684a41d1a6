#!/usr/bin/env python3
"""Opens a `clientbase report` page in headless Chromium and checks it.

    python3 scripts/check_report.py PAGE.html [--screenshot OUT.png] [--empty | --small]

- renders the page (``--dump-dom``) and fails on any console message Chromium
  logs (``CONSOLE`` lines on stderr: script errors, Content Security Policy
  violations, anything loaded from outside): the page logs nothing itself;
- reads the rendered DOM and compares, independently of the page's own script,
  every chart mark's ``data-value`` with the table cell it names (``data-key``
  row, ``data-series`` column of the table whose ``data-table`` is the chart's
  ``data-chart``); every chart must have marks unless its table is empty;
- checks that the page's own check ran and agrees (``<body data-check="ok N">``
  with N the number of marks found here), that every section is there, and
  that nothing points outside the page;
- with ``--screenshot``, keeps a screenshot of the page.

Uses only the standard library; Chromium comes from the distribution's packages
(``scripts/install-deb.sh chromium``).
"""

from __future__ import annotations

import argparse
import math
import pathlib
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

SECTIONS = ["quality", "funnel", "abc", "rfm", "monthly", "managers"]


class Page(HTMLParser):
    """Tables (id -> row key -> column -> raw value) and chart marks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, dict[str, dict[str, str]]] = {}
        self.marks: list[tuple[str, str, str, str]] = []
        self.charts: list[str] = []
        self.sections: list[str] = []
        self.body_check: str | None = None
        self.outside: list[str] = []
        self._table: str | None = None
        self._row: str | None = None
        self._chart: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        for name in ("src", "href", "action", "poster", "data"):
            value = a.get(name, "")
            if value and not value.startswith("#"):
                self.outside.append(f"<{tag} {name}={value!r}>")
        if tag == "body":
            self.body_check = a.get("data-check")
        elif tag == "section" and "data-section" in a:
            self.sections.append(a["data-section"])
        elif tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table] = {}
        elif tag == "tr" and self._table is not None and "data-key" in a:
            self._row = a["data-key"]
            if self._row in self.tables[self._table]:
                raise SystemExit(f"table {self._table}: row {self._row!r} twice")
            self.tables[self._table][self._row] = {}
        elif tag == "td" and self._row is not None and self._table is not None:
            if "data-col" in a and "data-value" in a:
                self.tables[self._table][self._row][a["data-col"]] = a["data-value"]
        elif tag == "svg" and "data-chart" in a:
            self._chart = a["data-chart"]
            self.charts.append(self._chart)
        elif self._chart is not None and "data-value" in a:
            self.marks.append((self._chart, a["data-key"], a["data-series"], a["data-value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tr":
            self._row = None
        elif tag == "svg":
            self._chart = None


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("Chromium is not installed: bash scripts/install-deb.sh chromium")


def run(browser: str, page: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="cb-chromium-") as profile:
        return subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                *args,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check(page_path: pathlib.Path, screenshot: pathlib.Path | None, empty: bool, small: bool) -> list[str]:
    browser = chromium()
    problems: list[str] = []
    result = run(browser, page_path, "--dump-dom")
    if result.returncode != 0:
        problems.append(f"chromium exited with {result.returncode}: {result.stderr[-2000:]}")
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    problems += [f"console: {line}" for line in console]
    page = Page()
    page.feed(result.stdout)
    if page.sections != SECTIONS:
        problems.append(f"sections {page.sections}, expected {SECTIONS}")
    problems += [f"points outside the page: {o}" for o in page.outside]
    for chart, key, series, value in page.marks:
        cell = page.tables.get(chart, {}).get(key, {}).get(series)
        if cell is None:
            problems.append(f"chart {chart}: no table cell for row {key!r} column {series}")
        elif not close(float(value), float(cell)):
            problems.append(f"chart {chart}, {key!r} {series}: the chart draws {value}, the table says {cell}")
    for chart in page.charts:
        marks = sum(1 for m in page.marks if m[0] == chart)
        if marks == 0 and page.tables.get(chart):
            problems.append(f"chart {chart} draws nothing though its table has rows")
    expected = f"ok {len(page.marks)}"
    if page.body_check != expected:
        problems.append(f"the page's own check says {page.body_check!r}, expected {expected!r}")
    if empty:
        if page.marks:
            problems.append(f"an empty base's page has {len(page.marks)} chart marks")
    elif not small and (len(page.marks) < 100 or len(page.charts) < 7):
        problems.append(f"only {len(page.charts)} charts with {len(page.marks)} marks")
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        shot = run(browser, page_path, "--window-size=1280,9000", f"--screenshot={screenshot.resolve()}")
        if shot.returncode != 0 or not screenshot.exists() or screenshot.stat().st_size < 10_000:
            problems.append(f"no screenshot written to {screenshot}: {shot.stderr[-1000:]}")
        problems += [f"console (screenshot): {line}" for line in shot.stderr.splitlines() if ":CONSOLE" in line]
    print(
        f"{page_path}: {len(page.sections)} sections, {len(page.charts)} charts, "
        f"{len(page.marks)} chart marks compared with their table cells, {len(page.tables)} tables, "
        f"{len(console)} console messages" + (f"; screenshot {screenshot}" if screenshot else "")
    )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=pathlib.Path)
    parser.add_argument("--screenshot", type=pathlib.Path)
    parser.add_argument("--empty", action="store_true", help="the page of an empty base: no marks expected")
    parser.add_argument("--small", action="store_true", help="a small base: any number of marks")
    args = parser.parse_args()
    problems = check(args.page, args.screenshot, args.empty, args.small)
    for p in problems:
        print(f"FAILED: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
