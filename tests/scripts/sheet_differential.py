"""Workbooks nobody chose: random .xlsx, .xls, .ods and .tsv uploads, each converted by the
admin app's own readers (the pinned openpyxl / pyexcel / xlrd / pyexcel-odsr, called as
`tests/vectors/notify/spreadsheets/convert.py` calls them) and by uploadkit
(`target/debug/sheet_to_csv`); every CSV text (or failure) must be the same.

    python3 tests/scripts/sheet_differential.py target/debug/sheet_to_csv [--count 400] [--seed N]

The workbooks are written with the corpus's own writers (openpyxl, xlwt, an ODS writer laid out
as LibreOffice lays out content.xml), from cells drawn at random: numbers of every kind, dates,
times, booleans, text with spaces, line breaks, quotes and non-ASCII, blanks, merged ranges,
hidden rows, columns and sheets. A disagreement prints its seed, so it can be made again.
"""

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import types
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "vectors", "notify", "spreadsheets")
sys.path.insert(0, CORPUS)

# convert.py hands openpyxl the admin's ZipFile subclass, which only yields to its event loop;
# the standard ZipFile reads the same. The corpus builder's verdict step is not used here.
shim = types.ModuleType("notifications_utils")
shim.interruptible_io = types.ModuleType("notifications_utils.interruptible_io")
shim.interruptible_io.InterruptibleIOZipFile = zipfile.ZipFile
sys.modules.setdefault("notifications_utils", shim)
sys.modules.setdefault("notifications_utils.interruptible_io", shim.interruptible_io)
sys.modules.setdefault("verdict", types.ModuleType("verdict"))

import build  # noqa: E402  (the corpus's writers)
import convert  # noqa: E402  (the admin's conversion, restated)

WORDS = ["Ann", "Bo", "ŵ Cymru", "  two  spaces ", "tab\there", "line\nbreak", 'say "hi"', "a,b", "😀",
         "北京", "07700 900123", "+44 7700 900123", "007", "1,234", "1e5", "nan", "TRUE", "", " ",
         "2024-01-15", "2024-01-15 10:30:00", "=1+1", "x" * 40]


def random_value(rng, fmt):
    kind = rng.randrange(12)
    if kind == 0:
        return None
    if kind == 1:
        return rng.randint(-10, 10**12)
    if kind == 2:
        return rng.choice([0.1 + 0.2, 1.0, 1.5, -0.0, 1e20, 1e-7, 12345678901234567.0, 7700900123.0, 2 / 3])
    if kind == 3:
        return rng.uniform(-1e6, 1e6)
    if kind == 4:
        return dt.date(rng.randint(1901, 2099), rng.randint(1, 12), rng.randint(1, 28))
    if kind == 5:
        return dt.datetime(rng.randint(1901, 2099), rng.randint(1, 12), rng.randint(1, 28),
                           rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    if kind == 6 and fmt != "xls":
        return dt.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    if kind == 7:
        return rng.choice([True, False])
    return rng.choice(WORDS) + ("" if rng.random() < 0.7 else str(rng.randint(0, 99)))


def random_sheet(rng, fmt):
    width = rng.randint(1, 6)
    height = rng.randint(0, 12)
    header = [rng.choice(["phone number", "email address", "name", "ref", "", "address_line_1"])
              for _ in range(width)]
    rows = [header] + [[random_value(rng, fmt) for _ in range(width)] for _ in range(height)]
    # Blank rows, and a stray cell far to the right.
    for _ in range(rng.randint(0, 2)):
        rows.insert(rng.randint(1, len(rows)), [None] * width)
    if rng.random() < 0.15 and len(rows) > 1:
        rows[-1] = rows[-1] + [None] * rng.randint(1, 55) + ["far"]
    if rng.random() < 0.05:
        # Enough distinct text that the shared strings run on across records (.xls CONTINUE),
        # split inside strings, some of them UTF-16.
        alphabet = "abcdefghij ŵŷ北京😀"
        rows += [["".join(rng.choice(alphabet) for _ in range(rng.randint(20, 90)))] * 2 for _ in range(400)]
    return rows


def random_upload(seed):
    rng = random.Random(seed)
    fmt = rng.choice(["xlsx", "xlsx", "xls", "ods", "tsv"])
    rows = random_sheet(rng, fmt)
    sheets = [("Sheet1", rows)]
    hidden_sheets = ()
    if rng.random() < 0.2:
        sheets.append(("Second", random_sheet(rng, fmt)))
        if rng.random() < 0.5:
            hidden_sheets = (0,)
    height, width = len(rows), max(len(r) for r in rows)
    merges, hidden_rows, hidden_cols = [], [], []
    if rng.random() < 0.25 and height > 2 and width > 1:
        r1 = rng.randint(1, height - 2)
        c1 = rng.randint(0, width - 2)
        merges = [(r1, r1 + rng.randint(0, 1), c1, c1 + rng.randint(1, 1))]
    if rng.random() < 0.25 and height > 1:
        hidden_rows = [rng.randint(1, height)]
    if rng.random() < 0.2:
        hidden_cols = [rng.randint(1, width)]
    if fmt == "xlsx":
        from openpyxl.utils import get_column_letter

        xlsx_merges = [f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}"
                       for r1, r2, c1, c2 in merges]
        data = build.write_xlsx(sheets, merges=xlsx_merges, hidden_rows=hidden_rows,
                                hidden_cols=hidden_cols, hidden_sheets=hidden_sheets)
    elif fmt == "xls":
        data = build.write_xls(sheets, merges=merges, hidden_rows=[r - 1 for r in hidden_rows],
                               hidden_cols=[c - 1 for c in hidden_cols], hidden_sheets=hidden_sheets)
    elif fmt == "ods":
        data = build.write_ods(sheets, merges=merges, hidden_sheets=hidden_sheets, pretty=rng.random() < 0.1)
    else:
        text_rows = [["" if v is None else str(v) for v in row] for row in rows]
        data = build.text_table(text_rows, "\t")
        if rng.random() < 0.3:
            data = data.replace(b"\r\n", rng.choice([b"\n", b"\r"]))
    return fmt, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("adapter")
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seed", type=int, default=None, help="run this one seed only")
    args = ap.parse_args()
    seeds = [args.seed] if args.seed is not None else list(range(args.count))
    with tempfile.TemporaryDirectory() as tmp:
        expected = {}
        paths = []
        for seed in seeds:
            fmt, data = random_upload(seed)
            path = os.path.join(tmp, f"{seed}.{fmt}")
            with open(path, "wb") as f:
                f.write(data)
            try:
                expected[path] = {"csv": convert.convert(data, path)}
            except Exception as e:  # noqa: BLE001 - any failure of the app's reader is the verdict
                expected[path] = {"error": convert.describe_exception(e)}
            paths.append(path)
        run = subprocess.run([args.adapter], input="\n".join(paths) + "\n", capture_output=True, text=True, check=True)
        got = {row["path"]: row for row in map(json.loads, run.stdout.splitlines())}
    agree, failures, by_format = 0, [], {}
    for path in paths:
        want, have = expected[path], got[path]
        fmt = path.rsplit(".", 1)[1]
        ok = ("csv" in want and have.get("csv") == want["csv"]) or (
            "error" in want and "error" in have and (have["error"] == want["error"] or want["error"].startswith(have["error"]))
        )
        total, good = by_format.get(fmt, (0, 0))
        by_format[fmt] = (total + 1, good + ok)
        if ok:
            agree += 1
        else:
            failures.append((os.path.basename(path), want, have))
    table = ", ".join(f"{fmt} {good}/{total}" for fmt, (total, good) in sorted(by_format.items()))
    print(f"sheet differential: {agree}/{len(paths)} random uploads agree with the app's readers ({table})")
    for name, want, have in failures[:5]:
        print(f"  seed {name}:\n    app:       {json.dumps(want)[:600]}\n    uploadkit: {json.dumps(have)[:600]}")
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main()
