#!/usr/bin/env python3
"""Peer for benches/benches/phones.rs: Google's libphonenumber through the Python
`phonenumbers` package on the same inputs.

Usage: phonenumbers_peer.py INPUTS.json [REGION]

INPUTS.json is a JSON array of strings. Prints one line of `key=value` pairs:
the package version, how many inputs, how many were valid, and numbers per
second for `parse` + `format_number(E164)` (what the issue asks to compare) and
for the full job clientbase does per number (parse, is_valid_number,
number_type, format E164). Exits with status 3 when phonenumbers is missing.
"""

import json
import sys
import time

try:
    import phonenumbers
    from phonenumbers import PhoneNumberFormat
except ImportError:
    print("phonenumbers is not installed: pip install phonenumbers", file=sys.stderr)
    sys.exit(3)


def main():
    path = sys.argv[1]
    region = sys.argv[2] if len(sys.argv) > 2 else "RU"
    with open(path, encoding="utf-8") as f:
        inputs = json.load(f)
    parse = phonenumbers.parse
    fmt = phonenumbers.format_number
    e164 = PhoneNumberFormat.E164
    is_valid = phonenumbers.is_valid_number
    number_type = phonenumbers.number_type
    error = phonenumbers.NumberParseException

    # parse + format_number(E164), as in the issue.
    start = time.perf_counter()
    for s in inputs:
        try:
            fmt(parse(s, region), e164)
        except error:
            pass
    parse_format = time.perf_counter() - start

    # The whole job: parse, validate, classify, format.
    valid = 0
    start = time.perf_counter()
    for s in inputs:
        try:
            n = parse(s, region)
        except error:
            continue
        if is_valid(n):
            valid += 1
            number_type(n)
            fmt(n, e164)
    full = time.perf_counter() - start

    n = len(inputs)
    print(
        f"version={phonenumbers.__version__} inputs={n} valid={valid} "
        f"parse_format_per_sec={n / parse_format:.0f} full_per_sec={n / full:.0f}"
    )


if __name__ == "__main__":
    main()
