#!/usr/bin/env python3
"""Builds tests/vectors/phones.json: messy phone inputs with the expected output.

The expected output comes from the Python `phonenumbers` package (Google's
libphonenumber ported to Python) parsing each input with RU as the default
region. Where clientbase deliberately differs (see the module docs of
crates/clientbase/src/phone.rs), the case carries "differs" with the reason, the
main fields say what clientbase must output and "reference_*" fields keep what
phonenumbers said.

Run it with a Python that has phonenumbers installed:

    python3 -m venv /work/venv-corpus
    /work/venv-corpus/bin/pip install phonenumbers
    /work/venv-corpus/bin/python tests/corpus/make_phone_corpus.py

The output is deterministic for a given seed and phonenumbers version.

File format: a JSON array with one flat object per line. The first object is the
header ("meta"); every other object is a case with string or null values only:

    input          what was typed
    valid          "true" or "false"
    e164           E.164 without extension, or null
    extension      extension digits, or null
    type           PhoneKind name (mobile, fixed_line, toll_free, ...), or null
    region         region code (RU, KZ, DE, 001), or null
    national       national format without extension, or null
    international  international format without extension, or null
    split          only for fields holding several numbers: the E.164 of each
                   number split_field finds, space-separated ("invalid" for one
                   that is not valid)
    differs        only where clientbase deliberately differs: why
    reference_valid, reference_e164, reference_extension
                   only with "differs": what phonenumbers said
"""

import argparse
import json
import random
import re
import sys

import phonenumbers as pn
from phonenumbers import PhoneNumberFormat as Fmt
from phonenumbers import PhoneNumberType as T

SEED = 20240611
DEFAULT_CASES = 30000

TYPE_NAMES = {
    T.FIXED_LINE: "fixed_line",
    T.MOBILE: "mobile",
    T.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    T.TOLL_FREE: "toll_free",
    T.PREMIUM_RATE: "premium_rate",
    T.SHARED_COST: "shared_cost",
    T.VOIP: "voip",
    T.PERSONAL_NUMBER: "personal_number",
    T.PAGER: "pager",
    T.UAN: "uan",
    T.VOICEMAIL: "voicemail",
    T.UNKNOWN: "unknown",
}

# Deliberate differences, keyed by the rewrite clientbase applies.
REASON_SEVERAL = "several numbers in one field: clientbase refuses to read a field as one number (use split_field)"
REASON_LABEL = "a label (тел., моб., (раб.), work) is set aside; libphonenumber rejects Cyrillic text and reads Latin words as keypad digits"
REASON_VN = "вн./доп. mark an extension like доб.; libphonenumber only knows доб"
REASON_00 = "00 is read as the international prefix; libphonenumber only knows Russia's 8 10"
REASON_PLUS8 = "+8 followed by a valid Russian number is read as +7, a common slip; libphonenumber finds no valid number"
REASON_TAB = "tabs between digits are read as spaces; libphonenumber rejects them"
REASON_EXT_SEPARATOR = "an extension after ; / | a line break or или belongs to the number before it, as after a comma; libphonenumber rejects the field"

# --- Russian and Kazakh number ranges --------------------------------------------

RU_FIXED = (
    "301 302 336 341 342 343 345 346 347 349 351 352 353 365 381 382 383 384 385 388 "
    "390 391 394 395 401 411 413 415 416 421 423 424 426 427 471 472 473 474 475 481 "
    "482 483 484 485 486 487 491 492 493 494 495 496 498 499 811 812 813 814 815 816 "
    "817 818 820 821 831 833 834 835 836 840 841 842 843 844 845 846 847 848 851 855 "
    "856 857 860 861 862 863 865 866 867 869 871 872 873 877 878 879"
).split()
RU_BIG_CITIES = ["495", "499", "812", "343", "383", "846", "843", "861", "863", "473"]
RU_NOT_IN_USE = ["801", "802", "805", "806", "807", "600", "612", "555", "501", "123", "210", "099", "888", "819", "810"]
KZ_MOBILE = ["700", "701", "702", "705", "706", "707", "708", "747", "760", "771", "775", "776", "777", "778"]
KZ_FIXED = ["7172", "7212", "7222", "7232", "7242", "7252", "7262", "7272", "7282", "7292", "7132", "7142"]

FOREIGN = ["BY", "UA", "UZ", "AM", "GE", "AZ", "KG", "TJ", "MD", "DE", "US", "GB", "FR", "IT", "CN", "TR", "IL", "PL", "FI"]


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def russian_nsn(rng):
    """A national significant number in a Russian or Kazakh range, or near one."""
    r = rng.random()
    if r < 0.55:
        return "9" + digits(rng, 9)
    if r < 0.58:
        return "9300" + digits(rng, 6)
    if r < 0.70:
        return rng.choice(RU_BIG_CITIES) + digits(rng, 7)
    if r < 0.80:
        return rng.choice(RU_FIXED) + digits(rng, 7)
    if r < 0.85:
        return "800" + digits(rng, 7)
    if r < 0.87:
        return rng.choice(["803", "804", "808", "809"]) + digits(rng, 7)
    if r < 0.875:
        return "8108" + digits(rng, 10)
    if r < 0.93:
        return rng.choice(KZ_MOBILE) + digits(rng, 7)
    if r < 0.96:
        return rng.choice(KZ_FIXED) + digits(rng, 6)
    if r < 0.97:
        return "7" + digits(rng, 9)
    return rng.choice(RU_NOT_IN_USE) + digits(rng, 7)


def group_subscriber(rng, sub):
    if len(sub) != 7:
        style = rng.random()
        if style < 0.5 or len(sub) < 5:
            return sub
        sep = rng.choice(["-", " ", ""])
        return sep.join([sub[:-4], sub[-4:-2], sub[-2:]])
    return rng.choice(
        [
            f"{sub[:3]}-{sub[3:5]}-{sub[5:]}",
            f"{sub[:3]}-{sub[3:5]}-{sub[5:]}",
            f"{sub[:3]} {sub[3:5]} {sub[5:]}",
            sub,
            f"{sub[:3]}-{sub[3:]}",
            f"{sub[:2]}-{sub[2:5]}-{sub[5:]}",
            f"{sub[:3]}.{sub[3:5]}.{sub[5:]}",
            f"{sub[:3]} {sub[3:]}",
        ]
    )


def render_russian(rng, nsn):
    """Types a +7 number the ways people do."""
    if len(nsn) == 14:
        area, sub = nsn[:4], nsn[4:]
    elif nsn[:4] in KZ_FIXED:
        area, sub = nsn[:4], nsn[4:]
    else:
        area, sub = nsn[:3], nsn[3:]
    sub = group_subscriber(rng, sub)
    prefix = rng.choices(
        ["8", "+7", "7", "", "+ 7", "8 ", "+7 ", "(8", "8-", "+7-", "7-", "(+7)"],
        weights=[30, 30, 8, 8, 2, 4, 4, 1, 4, 3, 1, 1],
    )[0]
    style = rng.choices(range(8), weights=[25, 15, 12, 15, 12, 3, 8, 2])[0]
    if style == 0:
        body = f"{prefix} ({area}) {sub}"
    elif style == 1:
        body = f"{prefix}({area}){sub}"
    elif style == 2:
        body = f"{prefix}{area}{sub}".replace(" ", "").replace("-", "")
    elif style == 3:
        body = f"{prefix} {area} {sub}"
    elif style == 4:
        body = f"{prefix}-{area}-{sub}"
    elif style == 5:
        body = f"{prefix}.{area}.{sub}".replace("-", ".")
    elif style == 6:
        body = f"{prefix}{area} {sub}"
    else:
        body = f"{prefix}\u00a0({area})\u00a0{sub}"
    return re.sub(r"^[ .-]+", "", body) if prefix == "" else body


def foreign_number(rng):
    """A foreign number near its region's example numbers, as (cc, nsn)."""
    region = rng.choice(FOREIGN)
    kind = rng.choice([T.MOBILE, T.MOBILE, T.FIXED_LINE, T.TOLL_FREE])
    example = pn.example_number_for_type(region, kind) or pn.example_number(region)
    nsn = pn.national_significant_number(example)
    keep = max(2, len(nsn) - rng.randint(3, 6))
    nsn = nsn[:keep] + digits(rng, len(nsn) - keep)
    return example.country_code, nsn


def render_foreign(rng, cc, nsn):
    cut = rng.randint(1, min(4, len(nsn) - 1))
    head, tail = nsn[:cut], nsn[cut:]
    if len(tail) >= 6 and rng.random() < 0.6:
        sep = rng.choice(["-", " "])
        tail = sep.join([tail[:-4], tail[-4:-2], tail[-2:]])
    form = rng.choices(
        ["+{c} {h} {t}", "+{c}{h}{t}", "+{c} ({h}) {t}", "00{c} {h} {t}", "00 {c} {h} {t}", "8 10 {c} {h} {t}", "810{c}{h}{t}", "+{c}-{h}-{t}", "(+{c}) {h} {t}"],
        weights=[30, 15, 10, 10, 4, 8, 3, 5, 3],
    )[0]
    return form.format(c=cc, h=head, t=tail)


EXTENSIONS = [
    (" доб. {x}", None),
    (" доб.{x}", None),
    (" доб {x}", None),
    (", доб. {x}", None),
    (" (доб. {x})", None),
    (" ДОБ. {x}", None),
    (" Доб.{x}", None),
    (" ext. {x}", None),
    (" ext {x}", None),
    (" x{x}", None),
    (" x {x}", None),
    (" X{x}", None),
    (" #{x}", None),
    (",,{x}", None),
    (";{x}", None),
    (" вн. {x}", "vn"),
    (" вн {x}", "vn"),
    (", вн. {x}", "vn"),
    (" доп. {x}", "vn"),
]

LEADING_LABELS = ["тел. ", "Тел.: ", "моб. ", "моб.: ", "раб. ", "дом. ", "т. ", "сот. ", "Tel: ", "tel. ", "mob. ", "work: ", "телефон: "]
TRAILING_LABELS = [" (раб.)", " (дом.)", " (моб.)", " моб.", " раб", " (жена)", " (секретарь)", " (WhatsApp)", " work", " mob", " (office)"]


def typo(rng, text):
    """A typing slip: a digit lost, doubled or added."""
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    if not positions:
        return text
    r = rng.random()
    i = rng.choice(positions[len(positions) // 2 :])
    if r < 0.45:
        return text[:i] + text[i + 1 :]
    if r < 0.8:
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice("0123456789") + text[i:]


GARBAGE = [
    "", " ", "-", "—", "нет", "не указан", "n/a", "NULL", "abc", "+", "+7", "8", "7", "123", "12",
    "+7 (", "()", "тел.", "звонить после 18:00", "email@example.com", "Иванов", "+7 916",
    "605;phone-context=x;7tel:", "tel:+7-916-123-45-67", "tel:+7-916-123-45-67;ext=12",
    "tel:9161234567;phone-context=+7", "tel:9161234567;phone-context=example.ru",
    "123;phone-context=+7;tel:", "tel:;phone-context=", ";phone-context=+7", "tel:+",
    "+7 916 123 45 67 ", "\u00a0\u00a0", "８９１６１２３４５６７", "+７ ９１６ １２３ ４５ ６７",
    "доб. 123", "+++7 916 123 45 67",
    "+7 916 123 45 67 x1234567890", "8 800 FLOWERS", "1-800-FLOWERS", "+1 800 FLOWERS",
    "8 (916) 123-45-67#", "+7 916 123 45 67/x12", "(530) 583-6985 x302/x2303",
]


# An extension label with no digits after it says nothing; clientbase ignores it.
DANGLING = ["+7 916 123 45 67 доб.", "+7 916 123 45 67 ext", "8 (495) 123-45-67 доб", "8 495 123 45 67, доб."]
REASON_DANGLING = "an extension label with no digits after it is ignored; libphonenumber rejects the Cyrillic one and reads ext as keypad digits"


def random_garbage(rng):
    r = rng.random()
    if r < 0.02:
        text = rng.choice(DANGLING)
        case = Case(text)
        case.rewrite(re.sub(r"[, ]*(доб\.?|ext)$", "", text), REASON_DANGLING)
        return case
    if r < 0.3:
        return rng.choice(GARBAGE)
    if r < 0.6:
        return digits(rng, rng.randint(1, 22))
    if r < 0.7:
        return "+" + digits(rng, rng.randint(1, 18))
    if r < 0.85:
        alphabet = "0123456789+-() .,;/#*xабвгд"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
    alphabet = "".join(chr(c) for c in range(32, 127)) + "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))


class Case:
    """An input with the rewrites clientbase applies before libphonenumber reads it."""

    def __init__(self, text):
        self.input = text
        self.ours = text  # what phonenumbers must read to give clientbase's answer
        self.reasons = []
        self.several = None  # the pieces, as clientbase's split_field finds them
        self.one_piece = False  # whether to record split_field's one piece

    def rewrite(self, new, reason):
        self.ours = new
        if reason not in self.reasons:
            self.reasons.append(reason)


def single_case(rng):
    """One number, typed messily."""
    if rng.random() < 0.8:
        nsn = russian_nsn(rng)
        text = render_russian(rng, nsn)
    else:
        cc, nsn = foreign_number(rng)
        text = render_foreign(rng, cc, nsn)
    case = Case(text)
    if rng.random() < 0.1:
        case = Case(typo(rng, text))
    if rng.random() < 0.02:
        case = Case(text.replace("+7", "+8", 1)) if text.startswith("+7") else case
    if rng.random() < 0.12:
        form, ours = rng.choice(EXTENSIONS)
        ext = digits(rng, rng.randint(1, 5))
        typed = case.input + form.format(x=ext)
        if ours == "vn":
            plain = case.ours + " доб. " + ext
            case = Case(typed)
            case.rewrite(plain, REASON_VN)
        else:
            plain = case.ours + form.format(x=ext)
            case = Case(typed)
            case.ours = plain
    if rng.random() < 0.05:
        label = rng.choice(LEADING_LABELS)
        ours, reasons = case.ours, case.reasons
        case = Case(label + case.input)
        case.ours, case.reasons = ours, reasons + [REASON_LABEL]
    elif rng.random() < 0.04:
        label = rng.choice(TRAILING_LABELS)
        ours, reasons = case.ours, case.reasons
        case = Case(case.input + label)
        case.ours, case.reasons = ours, reasons + [REASON_LABEL]
    if rng.random() < 0.03:
        pad = rng.choice(["  ", " ", "\u00a0"])
        case.input = pad + case.input + pad
        case.ours = pad + case.ours + pad
    if rng.random() < 0.005:
        case.input = case.input.replace(" ", "\t", 1)
        case.ours = case.ours.replace("\t", " ")
        case.reasons.append(REASON_TAB)
    return case


# Fields whose extension a separator cuts from its number: typed, what
# phonenumbers must read to give clientbase's answer, and whether clientbase
# rewrites вн. Not drawn at random, so the random cases stay as they are.
EXTENSION_AFTER_SEPARATOR = [
    ("8 916 123 45 67; доб. 12", "8 916 123 45 67, доб. 12", False),
    ("8 (495) 765-43-21 / доб. 305", "8 (495) 765-43-21, доб. 305", False),
    ("+7 495 765 43 21 | ext. 7", "+7 495 765 43 21, ext. 7", False),
    ("8 916 123 45 67 или доб. 12", "8 916 123 45 67, доб. 12", False),
    ("8 812 555-12-12\nДОБ. 4", "8 812 555-12-12, ДОБ. 4", False),
    ("8 916 123 45 67;вн.3", "8 916 123 45 67, доб. 3", True),
    ("+49 30 1234567; ext. 12", "+49 30 1234567, ext. 12", False),
]


def extension_after_separator_cases():
    """One number with its extension after a separator, and a field with two."""
    cases = []
    for typed, ours, vn in EXTENSION_AFTER_SEPARATOR:
        case = Case(typed)
        case.rewrite(ours, REASON_EXT_SEPARATOR)
        if vn:
            case.reasons.append(REASON_VN)
        case.one_piece = True
        cases.append(case)
    first = Case("8 916 123 45 67")
    second = Case("8 495 765 43 21; доб. 5")
    second.rewrite("8 495 765 43 21, доб. 5", REASON_EXT_SEPARATOR)
    case = Case("8 916 123 45 67; 8 495 765 43 21; доб. 5")
    case.several = [first, second]
    case.reasons.append(REASON_SEVERAL)
    cases.append(case)
    return cases


def several_case(rng):
    """A field with two numbers."""
    def piece():
        while True:
            p = single_case(rng)
            if sum(c.isdigit() for c in p.input) >= 7 and not re.search(r"[,;/\\|\n]", p.input):
                return p

    first, second = piece(), piece()
    a, b = first.input.strip(), second.input.strip()
    form = rng.choice(["{a}, {b}", "{a}; {b}", "{a} / {b}", "{a} или {b}", "{a}, {b} (раб.)", "моб. {a}, раб. {b}", "{a},{b}", "{a}\n{b}"])
    case = Case(form.format(a=a, b=b))
    case.several = [first, second]
    case.reasons.append(REASON_SEVERAL)
    return case


def reference(text):
    """What phonenumbers makes of text with RU as the default region."""
    try:
        n = pn.parse(text, "RU")
    except pn.NumberParseException:
        return None
    if not pn.is_valid_number(n):
        return None
    ext = n.extension or None
    n.extension = None
    return {
        "e164": pn.format_number(n, Fmt.E164),
        "extension": ext,
        "type": TYPE_NAMES[pn.number_type(n)],
        "region": pn.region_code_for_number(n),
        "national": pn.format_number(n, Fmt.NATIONAL),
        "international": pn.format_number(n, Fmt.INTERNATIONAL),
    }


def rescue_00(text):
    """clientbase reads a leading 00 as the international prefix."""
    m = re.match(r"^([^0-9+]*)00", text)
    if m:
        return text[: m.end(1)] + "+" + text[m.end() :]
    return None


def rescue_plus8(text):
    """clientbase reads +8 and a valid Russian number as that number."""
    m = re.match(r"^[^0-9+]*\+\s*(8.*)$", text)
    if not m:
        return None
    rest = m.group(1)
    if sum(c.isdigit() for c in rest) != 11:
        return None
    got = reference(rest)
    if got and got["region"] == "RU":
        return rest
    return None


def expected(case):
    ref = reference(case.input)
    reasons = list(case.reasons)
    if case.several is not None:
        ours = None
    else:
        text = case.ours
        ours = reference(text)
        if ours is None:
            zero = rescue_00(text)
            if zero is not None and reference(zero) is not None:
                ours = reference(zero)
                reasons.append(REASON_00)
        if ours is None:
            plus8 = rescue_plus8(text)
            if plus8 is not None:
                ours = reference(plus8)
                reasons.append(REASON_PLUS8)
    row = {"input": case.input}
    fields = ["e164", "extension", "type", "region", "national", "international"]
    row["valid"] = "true" if ours else "false"
    for f in fields:
        row[f] = ours[f] if ours else None
    if case.several is not None:
        split = []
        for piece in case.several:
            got = expected(piece)
            split.append(got["e164"] if got["valid"] == "true" else "invalid")
        row["split"] = " ".join(split)
    if case.one_piece:
        row["split"] = row["e164"] if row["valid"] == "true" else "invalid"
    if ref != ours:
        row["differs"] = "; ".join(reasons) if reasons else "unexplained"
        row["reference_valid"] = "true" if ref else "false"
        row["reference_e164"] = ref["e164"] if ref else None
        row["reference_extension"] = ref["extension"] if ref else None
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default="tests/vectors/phones.json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = []
    seen = set()
    while len(rows) < args.cases:
        r = rng.random()
        if r < 0.9:
            case = single_case(rng)
        elif r < 0.95:
            case = several_case(rng)
        else:
            case = random_garbage(rng)
            case = case if isinstance(case, Case) else Case(case)
        if case.input in seen:
            continue
        seen.add(case.input)
        rows.append(expected(case))
    for case in extension_after_separator_cases():
        if case.input not in seen:
            seen.add(case.input)
            rows.append(expected(case))
    unexplained = [r for r in rows if r.get("differs") == "unexplained"]
    if unexplained:
        for r in unexplained[:20]:
            print("unexplained difference:", json.dumps(r, ensure_ascii=False), file=sys.stderr)
        sys.exit(1)
    meta = {
        "meta": "phone corpus: messy inputs with the output of Google's libphonenumber",
        "reference": f"phonenumbers {pn.__version__}",
        "default_region": "RU",
        "generator": "tests/corpus/make_phone_corpus.py",
        "seed": str(args.seed),
        "cases": str(len(rows)),
        "valid": str(sum(r["valid"] == "true" for r in rows)),
        "differs": str(sum("differs" in r for r in rows)),
    }
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("[\n")
        out.write(json.dumps(meta, ensure_ascii=False))
        for row in rows:
            out.write(",\n")
            out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n]\n")
    print(f"{len(rows)} cases, {meta['valid']} valid, {meta['differs']} deliberate differences -> {args.out}")


if __name__ == "__main__":
    main()
