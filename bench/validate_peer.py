"""The peer for spreadsheet validation: the app's checks with the libraries the app uses — the
csv module, `phonenumbers`, its email regex and IDNA host rules — over one file.
Prints {"ms": …, "rows": …, "bad": …} as JSON."""
import csv
import json
import re
import sys
import time

import phonenumbers

EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+@([^.@][^@\s]+)$")
HOSTNAME = re.compile(r"^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$", re.IGNORECASE)
TLD = re.compile(r"^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$", re.IGNORECASE)
WHITESPACE = "\u180e\u200b\u200c\u200d\u2060\ufeff\u00a0\u202f \t\r\n"
ALLOWED = set("0123456789()+- \t")


def valid_email(value):
    value = value.strip(WHITESPACE)
    match = EMAIL.match(value)
    if not match or len(value) > 320 or ".." in value:
        return False
    try:
        host = match.group(1).encode("idna").decode("ascii")
    except UnicodeError:
        return False
    parts = host.split(".")
    if len(host) > 253 or len(parts) < 2:
        return False
    if any(not part or len(part) > 63 or not HOSTNAME.match(part) for part in parts):
        return False
    return bool(TLD.match(parts[-1]))


def valid_phone(value):
    value = value.strip(WHITESPACE)
    if any(c not in ALLOWED for c in value):
        return False
    digits = "".join(c for c in value if c.isdigit())
    try:
        number = phonenumbers.parse(digits, "GB")
        if not phonenumbers.is_valid_number(number):
            number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    return number.country_code == 44 and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


def main(path, template_type):
    check = valid_phone if template_type == "sms" else valid_email
    started = time.perf_counter()
    rows = bad = 0
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        column = header.index("phone number" if template_type == "sms" else "email address")
        for row in reader:
            rows += 1
            if not check(row[column]):
                bad += 1
    print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "rows": rows, "bad": bad}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
