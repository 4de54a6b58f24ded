"""Writes the workbook benchmark: a .xlsx of 100,000 recipient rows, about 10 MiB (the app's
upload limit), the same bytes on every run (a fixed seed and fixed timestamps). Phone numbers are
text in most rows and numbers (their leading 0 lost, as Excel stores them) in some."""
import random
import sys
from pathlib import Path

import openpyxl

ROWS = 100_000
out = Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench-files")
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(20261204)
letters = "abcdefghijklmnopqrstuvwxyz"

wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("Recipients")
ws.append(["phone number", "name", "ref", "note"])
for i in range(ROWS):
    digits = f"7{rng.choice('123')}{rng.randrange(10**8):08d}"
    phone = int(digits) if i % 5 == 0 else "0" + digits
    # Random text compresses poorly, as real names and notes do: ~10 MiB for 100,000 rows.
    name = "".join(rng.choice(letters) for _ in range(rng.randrange(30, 50)))
    note = "".join(rng.choice(letters + " ") for _ in range(rng.randrange(55, 85)))
    ws.append([phone, name.title(), f"REF-{i:06d}", note])
path = out / "recipients.xlsx"
wb.save(path)
print(path, path.stat().st_size)
