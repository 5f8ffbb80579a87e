#!/usr/bin/python3
"""Count Criterion tests in a meson testlog.json: prints "<passed> <failed> <skipped>".

A test executable that crashed or timed out before Criterion's synthesis line
counts as one failure, so a crash is never reported as zero failures. A
plain test executable that exits 77 (meson's SKIP) counts as skipped."""
import json
import re
import sys

SYN = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")
ok = bad = skipped = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    rec = json.loads(line)
    m = SYN.search(rec.get("stderr", "") + rec.get("stdout", ""))
    if m:
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
