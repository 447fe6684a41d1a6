"""Phones: the issue's examples, extensions, Kazakhstan and foreign numbers,
fields holding several numbers, inputs crafted to break a parser, and the
column batch (None, NaN, numbers, pandas and polars Series)."""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import Any

import pytest

import clientbase as cb

RU = cb.PhoneNormalizer()


@pytest.mark.parametrize(
    ("text", "e164", "kind", "national", "international"),
    [
        ("8 (916) 123-45-67", "+79161234567", "mobile", "8 (916) 123-45-67", "+7 916 123-45-67"),
        ("+7916 123 45 67", "+79161234567", "mobile", "8 (916) 123-45-67", "+7 916 123-45-67"),
        ("7 916 123 45 67", "+79161234567", "mobile", "8 (916) 123-45-67", "+7 916 123-45-67"),
        ("916 123 45 67", "+79161234567", "mobile", "8 (916) 123-45-67", "+7 916 123-45-67"),
        ("+8 (916) 123-45-67", "+79161234567", "mobile", "8 (916) 123-45-67", "+7 916 123-45-67"),
        ("тел. 8 (916) 123-45-67", "+79161234567", "mobile", "8 (916) 123-45-67", "+7 916 123-45-67"),
        # A St Petersburg number keeps its 8 in the national format.
        ("+7 812 123-45-67", "+78121234567", "fixed_line", "8 (812) 123-45-67", "+7 812 123-45-67"),
        ("8-800-555-35-35", "+78005553535", "toll_free", "8 (800) 555-35-35", "+7 800 555-35-35"),
    ],
)
def test_issue_examples(text: str, e164: str, kind: str, national: str, international: str) -> None:
    assert RU.parse(text) == {
        "e164": e164,
        "extension": None,
        "kind": kind,
        "region": "RU",
        "country_code": 7,
        "national": national,
        "international": international,
    }


@pytest.mark.parametrize(
    "text",
    [
        "8 (812) 123-45-67 доб. 12",
        "8 (812) 123-45-67 доб 12",
        "8 (812) 123-45-67 вн. 12",
        "8 (812) 123-45-67, вн. 12",
        "+7 812 123-45-67 ext. 12",
        "+7 812 123 45 67 x12",
    ],
)
def test_extensions(text: str) -> None:
    phone = RU.parse(text)
    # E.164 never carries the extension.
    assert (phone["e164"], phone["extension"]) == ("+78121234567", "12")
    assert phone["national"] == "8 (812) 123-45-67 доб. 12"
    assert phone["international"] == "+7 812 123-45-67 ext. 12"


def test_kazakhstan_and_foreign_numbers() -> None:
    kz = RU.parse("+7 701 123 45 67")
    assert (kz["e164"], kz["region"], kz["kind"], kz["country_code"]) == (
        "+77011234567",
        "KZ",
        "mobile",
        7,
    )
    for text in ("00 49 30 12345678", "8 10 49 30 12345678", "+49 30 12345678"):
        de = RU.parse(text)
        assert (de["e164"], de["region"], de["country_code"]) == ("+493012345678", "DE", 49), text
        assert de["international"] == "+49 30 12345678"
    by = RU.parse("+375 29 123-45-67")
    assert (by["e164"], by["region"], by["kind"]) == ("+375291234567", "BY", "mobile")


def test_default_region() -> None:
    assert RU.default_region == "RU"
    assert repr(RU) == "PhoneNormalizer(default_region='RU')"
    de = cb.PhoneNormalizer(" de ")
    assert de.default_region == "DE"
    assert de.parse("030 12345678")["e164"] == "+493012345678"
    kz = cb.PhoneNormalizer("KZ")
    assert kz.parse("8 701 123 45 67")["region"] == "KZ"
    with pytest.raises(cb.InvalidValueError) as caught:
        cb.PhoneNormalizer("XX")
    assert caught.value.field == "region"
    assert "is not a region code with phone numbers" in str(caught.value)


def test_invalid_number_raises_with_the_reason() -> None:
    with pytest.raises(cb.InvalidValueError) as caught:
        RU.parse("8 (916) 123-45-6")
    err = caught.value
    assert err.kind == "invalid_value"
    assert err.field == "phone"
    assert err.reason == "too short: 9 digits after the leading 8, a number needs 10"
    assert str(err) == (
        'invalid value: field "phone": too short: 9 digits after the leading 8, a number needs 10'
    )
    for text, reason in [
        ("", "empty"),
        ("8 916 123 45 678", "too long"),
        ("8 916 123 45 67, 8 495 765 43 21 (раб.)", "2 numbers in one field"),
    ]:
        with pytest.raises(cb.InvalidValueError, match=reason):
            RU.parse(text)


def test_split_a_field_with_several_numbers() -> None:
    first, second = RU.split("8 916 123 45 67, 8 495 765 43 21 (раб.)")
    assert first == {
        "raw": "8 916 123 45 67",
        "text": "8 916 123 45 67",
        "label": None,
        "valid": True,
        **RU.parse("8 916 123 45 67"),
    }
    assert (second["raw"], second["text"], second["label"]) == (
        "8 495 765 43 21 (раб.)",
        "8 495 765 43 21",
        "раб.",
    )
    assert second["valid"] and second.get("kind") == "fixed_line"
    assert "problem" not in second and "reason" not in second
    assert [c.get("e164") for c in RU.split("8 916 123 45 67 или 8 903 000 00 01")] == [
        "+79161234567",
        "+79030000001",
    ]
    split = RU.split("8 (495) 123-45-67, доб. 12")
    assert [(c.get("e164"), c.get("extension")) for c in split] == [("+74951234567", "12")]
    assert RU.split("позвонить вечером") == []
    assert RU.split("") == []


def test_split_reports_invalid_pieces() -> None:
    good, bad = RU.split("8 916 123 45 67 / 8 916 123 45")
    assert good["valid"]
    assert not bad["valid"] and "e164" not in bad
    assert bad.get("problem") == "too_short"
    assert bad.get("reason", "").startswith("too short")


HOSTILE = [
    "605;phone-context=x;7tel:",
    "tel:+7-916-123-45-67;phone-context=+7;ext=12",
    ";phone-context=",
    "+",
    "++++++++",
    "0",
    "8",
    "+7",
    "+0 000",
    "00",
    "8 10",
    "доб. 123",
    "x12",
    "((((((((((()))))))))))",
    "８ ９１６ １２３ ４５ ６７",
    "٨٩١٦١٢٣٤٥٦٧",
    "+" + "9" * 48,
    ";".join("1" * 16),
    "\ufeff+7 916 123 45 67",
    "+7 916 123 45 67\u200b",
    "8 916 123 45 67 ext. " + "9" * 26,
    "или или или",
    ", , ; / |",
    "\x00",
    "8 916\x00123 45 67",
    "\ud800",
    " ".join("0123456789" * 1000),
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_inputs_never_crash(text: str) -> None:
    try:
        phone = RU.parse(text)
    except cb.InvalidValueError as err:
        assert err.reason
    except UnicodeEncodeError:
        assert text == "\ud800"  # a lone surrogate is not text a Rust str can hold
    else:
        assert phone["e164"].startswith("+")
    if text != "\ud800":
        for candidate in RU.split(text):
            assert candidate["valid"] or candidate.get("reason")
    columns = RU.parse_batch([text])
    assert len(columns["valid"]) == 1
    assert columns["valid"][0] or columns["reason"][0]


COLUMNS = ["input", "e164", "extension", "kind", "region", "valid", "problem", "reason"]


def test_batch_columns() -> None:
    values: list[Any] = [
        "8 916 123 45 67",
        None,
        float("nan"),
        "",
        89161234567,
        "8 (812) 123-45-67 доб. 12",
        b"8 916 123 45 67",
        "8 (916) 123-45-6",
        "+7 701 123 45 67",
    ]
    columns = RU.parse_batch(values)
    assert list(columns) == COLUMNS
    assert all(len(column) == len(values) for column in columns.values())
    assert columns["input"] == values and columns["input"] is not values
    assert columns["e164"] == [
        "+79161234567", None, None, None, "+79161234567", "+78121234567", None, None, "+77011234567"
    ]
    assert columns["extension"] == [None] * 5 + ["12"] + [None] * 3
    assert columns["kind"] == [
        "mobile", None, None, None, "mobile", "fixed_line", None, None, "mobile"
    ]
    assert columns["region"] == ["RU", None, None, None, "RU", "RU", None, None, "KZ"]
    assert columns["valid"] == [True, False, False, False, True, True, False, False, True]
    assert columns["problem"] == [
        None, "missing", "missing", "empty", None, None, "not_text", "too_short", None
    ]
    assert columns["reason"][:4] == [None, "missing value (None)", "missing value (NaN)", "empty"]
    assert columns["reason"][6] == "expected str, got bytes"
    assert columns["reason"][7] == "too short: 9 digits after the leading 8, a number needs 10"


def test_batch_agrees_with_parse_on_a_large_column() -> None:
    # Large enough to be read in many chunks; every row must match the single parse.
    values = [
        f"8 9{i % 100:02d} {i % 1000:03d}-{i % 100:02d}-{(i * 7) % 100:02d}" for i in range(150_000)
    ]
    values[1234] = "8 916 123 45 6"
    values[99_999] = "8 916 123 45 67, 8 495 765 43 21"
    columns = RU.parse_batch(values)
    for i in (0, 1, 1234, 65_535, 65_536, 99_999, 149_999):
        try:
            phone = RU.parse(values[i])
        except cb.InvalidValueError as err:
            assert (columns["valid"][i], columns["reason"][i]) == (False, err.reason)
        else:
            assert (columns["valid"][i], columns["e164"][i]) == (True, phone["e164"])
    assert columns["problem"][99_999] == "several_numbers"
    assert sum(columns["valid"]) == len(values) - 2


def test_batch_inputs_of_every_shape() -> None:
    expected = ["+79161234567", None]
    assert RU.parse_batch(("8 916 123 45 67", None))["e164"] == expected
    assert RU.parse_batch(iter(["8 916 123 45 67", None]))["e164"] == expected
    assert RU.parse_batch([])["e164"] == []
    # A value holding NUL is one row, not two.
    assert RU.parse_batch(["8 916 123 45 67", "8 916\x00123 45 67"])["valid"] == [True, False]
    with pytest.raises(TypeError, match="single string"):
        RU.parse_batch("8 916 123 45 67")
    with pytest.raises(TypeError, match="one column"):
        RU.parse_batch({"phone": ["8 916 123 45 67"]})
    with pytest.raises(TypeError):
        RU.parse_batch(42)


def test_pandas_series() -> None:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    series = pd.Series(["8 916 123 45 67", None, np.nan, "8-800-555-35-35"])
    columns = RU.parse_batch(series)
    assert columns["e164"] == ["+79161234567", None, None, "+78005553535"]
    assert columns["problem"] == [None, "missing", "missing", None]
    # Numbers stored as numbers, with gaps (pandas makes them floats).
    assert RU.parse_batch(pd.Series([89161234567, 84957654321]))["valid"] == [True, True]
    assert RU.parse_batch(pd.Series([89161234567.0, np.nan]))["e164"] == ["+79161234567", None]
    strings = pd.Series(["8 916 123 45 67", None], dtype="string")
    assert RU.parse_batch(strings)["problem"] == [None, "missing"]
    frame = pd.DataFrame(RU.parse_batch(series))
    assert list(frame.columns) == COLUMNS
    with pytest.raises(TypeError, match="one column"):
        RU.parse_batch(pd.DataFrame({"phone": ["8 916 123 45 67"]}))


def test_polars_series() -> None:
    pl = pytest.importorskip("polars")
    columns = RU.parse_batch(pl.Series(["8 916 123 45 67", None]))
    assert columns["e164"] == ["+79161234567", None]
    assert pl.DataFrame(columns).shape == (2, len(COLUMNS))


def test_normalize_phones() -> None:
    columns = cb.normalize_phones(["8 916 123 45 67", "030 12345678"])
    assert columns["valid"] == [True, False]
    de = cb.normalize_phones(["030 12345678"], region="DE")
    assert de["e164"] == ["+493012345678"]
    with pytest.raises(cb.InvalidValueError):
        cb.normalize_phones([], region="XX")


def test_batch_releases_the_gil() -> None:
    # The parsing runs on other threads without the GIL, and the thread that
    # converts values gives the GIL up between chunks, so another Python thread
    # keeps running during a long batch.
    values = ["8 916 123 45 67"] * 300_000
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    counter = threading.Thread(target=count)
    counter.start()
    try:
        time.sleep(0.05)
        start, before = time.perf_counter(), ticks
        time.sleep(0.05)
        rate = (ticks - before) / (time.perf_counter() - start)
        start, before = time.perf_counter(), ticks
        RU.parse_batch(values)
        duration, during = time.perf_counter() - start, ticks - before
    finally:
        done.set()
        counter.join()
        sys.setswitchinterval(interval)
    assert during > rate * duration / 20, (
        f"the other thread counted {during} during {duration:.3f} s "
        f"(it counts {rate:.0f}/s alone): the GIL was held"
    )


def test_nan_like_values_are_missing() -> None:
    columns = RU.parse_batch([math.nan, None])
    assert columns["problem"] == ["missing", "missing"]
