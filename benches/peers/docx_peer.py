#!/usr/bin/env python3
"""The commercial offer of `benches/benches/render_docx.rs` filled by
docxtpl (python-docx + Jinja2), on the same `.docx` template and the same
context, with the filters of `render_peer.py` (``pytils`` for amounts in
words, ``petrovich`` for names in cases) and XML autoescape on, so that
``&`` and ``<`` in client data stay text as they do in clientbase.

    python docx_peer.py --template offer.docx --context context.json --renders 100 --out first.docx

Each rendering does what a user's call does: read the template from its
bytes, render, save the document to bytes. The best of ``--repeats``
timings of ``--renders`` renderings is taken. Prints one JSON line: the
docxtpl version and renders per second; writes one document to ``--out``
(the Rust bench compares its text with its own). Exits 3 when docxtpl,
Jinja2, pytils or petrovich is not installed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import docxtpl
    import jinja2

    import render_peer as filters
except (ImportError, SystemExit) as err:
    print(f"not installed: {err}", file=sys.stderr)
    sys.exit(3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--template", required=True)
    parser.add_argument("--context", required=True)
    parser.add_argument("--renders", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.template, "rb") as f:
        template = f.read()
    with open(args.context, encoding="utf-8") as f:
        context = json.load(f)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(money=filters.money, amount_words=filters.amount_words, vat=filters.vat,
                       date_ru=filters.date_ru, plural=filters.plural, initials=filters.initials,
                       inflect=filters.inflect)

    def once() -> bytes:
        doc = docxtpl.DocxTemplate(io.BytesIO(template))
        doc.render(context, env, autoescape=True)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    with open(args.out, "wb") as f:
        f.write(once())
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(args.renders):
            once()
        best = min(best, time.perf_counter() - start)
    version = getattr(docxtpl, "__version__", "?")
    print(json.dumps({"version": version, "renders_per_s": args.renders / best}))


if __name__ == "__main__":
    main()
