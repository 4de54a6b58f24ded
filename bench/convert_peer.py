"""The peer for workbook conversion: the admin app's own conversion (its pinned openpyxl /
pyexcel readers, as tests/vectors/notify/spreadsheets/convert.py calls them) over one file.
Writes the CSV text to OUT and prints {"ms": …, "bytes": …} as JSON.

    python3 bench/convert_peer.py FILE OUT
"""
import json
import os
import sys
import time
import types
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vectors", "notify", "spreadsheets"))
# The admin's ZipFile subclass only yields to its event loop; the standard one reads the same.
shim = types.ModuleType("notifications_utils.interruptible_io")
shim.InterruptibleIOZipFile = zipfile.ZipFile
sys.modules.setdefault("notifications_utils", types.ModuleType("notifications_utils"))
sys.modules.setdefault("notifications_utils.interruptible_io", shim)

import convert  # noqa: E402

path, out = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
started = time.perf_counter()
text = convert.convert(data, path)
ms = (time.perf_counter() - started) * 1000
with open(out, "w", newline="", encoding="utf-8") as f:
    f.write(text)
print(json.dumps({"ms": round(ms, 1), "bytes": len(text.encode("utf-8"))}))
