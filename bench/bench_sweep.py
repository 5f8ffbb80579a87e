"""Workload 3 of bench/run: sweep throughput (1,000 runs of the default
model, 1 s simulated each, runs per minute at -j 1 and -j 2).

Pending: it needs the `laminar sweep` command. Until laminar has it, the
workload prints one row saying so.
"""
import subprocess


def workload(o, tab, timed):
    p = subprocess.run([o.laminar, "sweep", "--help"], capture_output=True, text=True)
    if p.returncode != 0 or "usage" not in (p.stdout + p.stderr).lower():
        tab.add("sweep", "1000 runs", "laminar sweep", [], note="pending: no `laminar sweep` yet")
        return
    tab.add("sweep", "1000 runs", "laminar sweep", [],
            note="pending: `laminar sweep` exists; this workload is not written yet")
