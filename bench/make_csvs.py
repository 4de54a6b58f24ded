"""Writes the benchmark spreadsheets: 100,000 rows, about 10 MiB each, one of UK mobile numbers
and one of email addresses, the same bytes on every run (a fixed seed)."""
import random
import sys
from pathlib import Path

ROWS = 100_000
out = Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench-files")
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(20261122)

def pad(row, width=104):
    # The name column fills each row to `width` bytes, so 100,000 rows make ~10 MiB.
    return row + "x" * max(0, width - len(row) - 1) + "\n"

# Mobile prefixes 071–073 are all mobiles in libphonenumber's metadata; formats vary as people type them.
formats = ["07{a}{b} {c}", "+44 7{a}{b} {c}", "07{a}{b}{c}", "(07{a}{b}) {c}", "0044 7{a}{b} {c}"]
with open(out / "phones.csv", "w", newline="") as f:
    f.write("phone number,name\n")
    for i in range(ROWS):
        number = rng.choice(formats).format(a=rng.choice("123"), b=f"{rng.randrange(100):02d}", c=f"{rng.randrange(1000000):06d}")
        f.write(pad(f"{number},Person {i} "))
with open(out / "emails.csv", "w", newline="") as f:
    f.write("email address,name\n")
    for i in range(ROWS):
        user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz.") for _ in range(rng.randrange(4, 16))).strip(".") or "a"
        domain = rng.choice(["example.gov.uk", "digital.cabinet-office.gov.uk", "nhs.net", "example.com"])
        f.write(pad(f"{user}{i}@{domain},Person {i} "))
for name in ("phones.csv", "emails.csv"):
    print(out / name, (out / name).stat().st_size)
