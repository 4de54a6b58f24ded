#!/usr/bin/env python3
"""Runs the RecipientCSV differential (tests/vectors/notify/recipient-csv/compare.py) over the
adapter binary, prints compare.py's per-field table, and fails if any field agrees on fewer cases
than agreement-floor.json records (a ratchet: the floor only ever rises).

Usage: differential.py ADAPTER_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "notify", "recipient-csv")
adapter = os.path.abspath(sys.argv[1])
report = os.path.join(tempfile.mkdtemp(), "report.json")
subprocess.run(
    [sys.executable, "compare.py", "--jobs", "2", "--admin-newlines", "--show", "0", "--show-per-field", "0",
     "--report", report, "--cmd", f"{adapter} --spec {{spec}} --admin-newlines"],
    cwd=here, check=False)
agree = json.load(open(report))["agree"]
floor = json.load(open(os.path.join(here, "agreement-floor.json")))["floor"]
below = {k: (agree.get(k, 0), v) for k, v in floor.items() if agree.get(k, 0) < v}
passed = len(floor) - len(below)
for field, (got, want) in below.items():
    print(f"differential: {field} agrees on {got}/300 cases, below the floor of {want}")
print(f"differential: {passed} passed, {len(below)} failed")
sys.exit(1 if below else 0)
