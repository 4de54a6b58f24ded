#!/usr/bin/env python3
"""Writes verdicts.jsonl: the app's own verdict on 20,000 generated phone numbers, for the
phone-number conformance test (crates/uploadkit-validators/tests/phone_numbers.rs).

The numbers come from a seeded generator (the same file every run), not from the app's tests or
the differential corpus: UK mobiles over every 7xxx prefix, landlines and the other UK ranges,
the TV drama range at every length, Crown dependencies, numbers under every calling code at
random lengths, written the ways people write them (spaces, brackets, dashes of several kinds,
`+`, `00`, `(0)`, stray leading zeros, invisible characters, letters, line breaks).

The verdicts are the app's: run it with a Python that has notifications-utils 127.0.0 (its
source at that tag, `pip install .`) and phonenumbers 9.0.43, as the differential corpus's
README says. It calls `notifications_utils.recipient_validation.phone_number.PhoneNumber`:

    $NOTIFY_PY generate.py            # rewrites verdicts.jsonl
"""
import json
import random

import phonenumbers
from notifications_utils.recipient_validation.errors import InvalidPhoneError
from notifications_utils.recipient_validation.phone_number import PhoneNumber

rng = random.Random(20261204)
CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
DASHES = ["-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\u202f", "\u180e", "\u2028", "\t"]


def digits(n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def uk_national():
    kind = rng.random()
    if kind < 0.45:
        return "7" + digits(9)
    if kind < 0.55:
        return "7700" + rng.choice(["900", "901", "123", "9"]) + digits(rng.randint(0, 5))
    if kind < 0.75:
        return rng.choice(["1", "2", "3", "5", "8", "9"]) + digits(rng.choice([8, 9, 9, 9, 10]))
    return digits(rng.randint(1, 14))


def write(national_or_full, uk):
    """One way of writing a number."""
    n = national_or_full
    if uk:
        form = rng.choice(["0", "0", "+44", "+44 ", "0044", "44", "+44(0)", "+44 (0) ", "", "+0", "00", "0+44"])
        n = form + n
    else:
        form = rng.choice(["+", "+", "00", "", "+ ", "(+", "0"])
        n = form + n
    # Separators between digit groups.
    out = []
    for ch in n:
        out.append(ch)
        if ch.isdigit() and rng.random() < 0.08:
            out.append(rng.choice([" ", " ", " ", "-", "-", rng.choice(DASHES), "(", ")", rng.choice("./")]))
    text = "".join(out)
    r = rng.random()
    if r < 0.05:
        i = rng.randint(0, len(text))
        text = text[:i] + rng.choice(INVISIBLE) + text[i:]
    elif r < 0.07:
        i = rng.randint(0, len(text))
        text = text[:i] + rng.choice(["a", "x", "ext", "#", "*", "\n", "++", "０", "(0)"]) + text[i:]
    elif r < 0.09:
        text = " " + text + " "
    return text


def cases():
    seen = set()
    while len(seen) < 20000:
        if rng.random() < 0.6:
            text = write(uk_national(), True)
        else:
            code = str(rng.choice(CODES + [44, 44, 1, 353, 33, 49, 61, 91]))
            text = write(code + digits(rng.randint(3, 14)), False)
        if text not in seen:
            seen.add(text)
            yield text


def verdict(text):
    """[input, error code] or [input, normalised, uk, international, then the result of
    validate() with (international, landline) allowed = (F,F), (F,T), (T,F), (T,T)]."""
    try:
        number = PhoneNumber(text)
    except InvalidPhoneError as e:
        return [text, e.code.value]
    out = [text, number.get_normalised_format(), number.is_uk_phone_number(), number.is_international_number()]
    for intl in (False, True):
        for landline in (False, True):
            try:
                number.validate(allow_international_number=intl, allow_uk_landline=landline)
                out.append("ok")
            except InvalidPhoneError as e:
                out.append(e.code.value)
    return out


if __name__ == "__main__":
    verdicts = [verdict(text) for text in cases()]
    with open("verdicts.jsonl", "w") as f:
        f.write(json.dumps({"phonenumbers": phonenumbers.__version__, "notifications_utils": "127.0.0"}) + "\n")
        for v in verdicts:
            f.write(json.dumps(v, ensure_ascii=False) + "\n")
