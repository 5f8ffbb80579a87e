#!/usr/bin/python3
"""Count Criterion tests in a meson testlog.json: prints "<passed> <failed> <skipped>".

The pytest run of the Python package (meson test `pytest`) counts by its
summary line ("25 passed, 1 skipped in 31.0s"), as Criterion's by its
synthesis.

A test executable that crashed or timed out before Criterion's synthesis line
counts as one failure, so a crash is never reported as zero failures. A
plain test executable that exits 77 (meson's SKIP) counts as skipped."""
import json
import re
import sys

SYN = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")
PYTEST = re.compile(r"^=*\s*(\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed)"
                    r"(?:, \d+ \w+)*) in [\d.]+s", re.M)
ok = bad = skipped = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    rec = json.loads(line)
    m = SYN.search(rec.get("stderr", "") + rec.get("stdout", ""))
    py = PYTEST.search(rec.get("stdout", "")) if not m else None
    if py:
        n = {w: int(k) for k, w in re.findall(r"(\d+) (\w+)", py.group(1))}
        ok += n.get("passed", 0) + n.get("xfailed", 0)
        bad += n.get("failed", 0) + n.get("error", 0) + n.get("errors", 0) + n.get("xpassed", 0)
        skipped += n.get("skipped", 0)
        if rec["result"] != "OK" and not bad:
            bad += 1
    elif m:
        ok += int(m.group(2))
        bad += int(m.group(3)) + int(m.group(4))
        if rec["result"] != "OK" and int(m.group(3)) + int(m.group(4)) == 0:
            bad += 1
    elif rec["result"] == "OK":
        ok += 1
    elif rec["result"] == "SKIP":
        skipped += 1
    else:
        bad += 1
print(ok, bad, skipped)
