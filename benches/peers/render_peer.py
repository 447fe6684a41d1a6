#!/usr/bin/env python3
"""The commercial offer of `benches/benches/render.rs` rendered by Jinja2, on
the same template text and the same context, with the same filters written
in Python (``pytils`` for amounts in words, the ``petrovich`` package for
names in cases).

    python render_peer.py --input offer.json --renders 20000

``offer.json`` holds ``template`` and ``context`` (money as
``{"amount": "4990.00", "currency": "RUB"}``). The template is compiled once;
the best of ``--repeats`` timings of ``--renders`` renderings is taken, by the
clock and by the CPU time of the thread. Prints one JSON line: the Jinja2
version, renders per second (``renders_per_s`` by the clock,
``cpu_renders_per_s`` per second of CPU time) and the text of one rendering
(the Rust bench compares it with its own). Exits 3 when Jinja2, pytils or
petrovich is not installed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

try:
    import jinja2
    import pytils.numeral
    from petrovich.enums import Case, Gender
    from petrovich.main import Petrovich
except ImportError as err:
    print(f"not installed: {err}", file=sys.stderr)
    sys.exit(3)

NBSP = "\u00a0"
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря"]
PETROVICH = Petrovich()
CASES = {"genitive": Case.GENITIVE, "dative": Case.DATIVE, "accusative": Case.ACCUSATIVE,
         "instrumental": Case.INSTRUMENTAL, "prepositional": Case.PREPOSITIONAL}


def amount(value: object) -> Decimal:
    if isinstance(value, dict):
        return Decimal(value["amount"])
    return Decimal(str(value))


def money(value: object) -> str:
    a = amount(value)
    whole, frac = f"{a:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return NBSP.join(groups) + "," + frac + NBSP + "₽"


def amount_words(value: object) -> str:
    a = amount(value)
    rubles, kopecks = int(a), int((a * 100) % 100)
    text = pytils.numeral.sum_string(rubles, pytils.numeral.MALE, ("рубль", "рубля", "рублей"))
    text += f" {kopecks:02d} " + pytils.numeral.choose_plural(kopecks, ("копейка", "копейки", "копеек"))
    return text[0].upper() + text[1:]


def vat(value: object, rate: int = 20) -> dict[str, str]:
    a = amount(value)
    v = (a * rate / (100 + rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"amount": str(v), "currency": "RUB"}


def date_ru(value: str) -> str:
    y, m, d = (int(x) for x in value.split("-"))
    return f"{d} {MONTHS[m - 1]} {y} г."


def plural(n: int, one: str, few: str, many: str) -> str:
    result: str = pytils.numeral.choose_plural(n, (one, few, many))
    return result


def parts(value: object) -> tuple[str, str, str]:
    if isinstance(value, dict):
        return value["surname"], value["given"], value["patronymic"]
    surname, given, patronymic = str(value).split(" ")
    return surname, given, patronymic


def initials(value: object) -> str:
    surname, given, patronymic = parts(value)
    return f"{surname}{NBSP}{given[0]}.{NBSP}{patronymic[0]}."


def inflect(value: object, case: str) -> str:
    surname, given, patronymic = parts(value)
    gender = Gender.FEMALE if patronymic.endswith("на") else Gender.MALE
    c = CASES[case]
    return " ".join([PETROVICH.lastname(surname, c, gender), PETROVICH.firstname(given, c, gender),
                     PETROVICH.middlename(patronymic, c, gender)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--renders", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with open(args.input, encoding="utf-8") as f:
        data = json.load(f)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(money=money, amount_words=amount_words, vat=vat, date_ru=date_ru,
                       plural=plural, initials=initials, inflect=inflect)
    template = env.from_string(data["template"])
    context = data["context"]
    text = template.render(context)
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        start_cpu = time.thread_time()
        for _ in range(args.renders):
            template.render(context)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.thread_time() - start_cpu)
    print(json.dumps({"version": jinja2.__version__, "renders_per_s": args.renders / best,
                      "cpu_renders_per_s": args.renders / best_cpu, "text": text},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
