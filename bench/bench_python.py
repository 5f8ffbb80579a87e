"""Workload of bench/run (--only python): the overhead of the Python package.

1. `laminar.run` on models/default.ini (2 s simulated, every population,
   written to HDF5 with output=) against `laminar run models/default.ini -o`:
   the call's wall time inside one Python process (the interpreter and numpy
   already loaded, as in a notebook) and the whole `python3 -c` process,
   against the program's process.
2. A 100-point `laminar.sweep` (column.beta, 1 s each, -j 1; 20 points with
   --quick) against `laminar sweep` with the same points; the rows must be
   the same (wall time aside).

The tools alternate repeat by repeat, so that both see the same load;
target: within 5 % of the command line. Alone:

    /usr/bin/python3 bench/bench_python.py [--laminar build/cli/laminar] [--repeats 3]
"""
import csv
import json
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INI = os.path.join(ROOT, "models", "default.ini")
PY = "/usr/bin/python3"

RUN_CODE = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[3])
import laminar
t1 = time.perf_counter()
r = laminar.run(sys.argv[1], output=sys.argv[2], progress=False)
t2 = time.perf_counter()
print(json.dumps(dict(import_s=t1 - t0, call_s=t2 - t1, nfevals=r.attrs["nfevals"])))
"""

SWEEP_CODE = """
import json, sys, time
sys.path.insert(0, sys.argv[4])
import laminar
t0 = time.perf_counter()
rows = laminar.sweep(sys.argv[1], grid={"column.beta": (0.5, 2, int(sys.argv[3]))},
                     metrics=["attention_entropy", "gamma_power_l23"], t_end=1, jobs=1,
                     output=sys.argv[2], frame=False, progress=False)
print(json.dumps(dict(call_s=time.perf_counter() - t0, rows=len(rows))))
"""


def rows(path):
    with open(path) as f:
        r = csv.DictReader(line for line in f if not line.startswith("#"))
        return sorted(tuple(v for k, v in row.items() if k not in ("wall_s",)) for row in r)


def pct(a, b):
    return f"{100 * (a / b - 1):+.1f} %"


def workload(o, tab, timed):
    """Rows of bench/run's table; o.laminar is BUILD/cli/laminar, whose
    build tree holds the package (BUILD/python)."""
    pkg = os.path.join(os.path.dirname(os.path.dirname(o.laminar)), "python")
    d = tempfile.mkdtemp(prefix="lam_bench_python")
    cli, call, proc = [], [], []
    for k in range(o.repeats):
        w, _, _, err = timed([o.laminar, "run", INI, "-o", os.path.join(d, f"cli{k}.h5")], d,
                             os.path.join(d, f"cli{k}"))
        cli.append(w)
        w, _, out, _ = timed([PY, "-c", RUN_CODE, INI, os.path.join(d, f"py{k}.h5"), pkg], d,
                             os.path.join(d, f"py{k}"))
        proc.append(w)
        call.append(json.loads(out.strip().splitlines()[-1])["call_s"])
    c = statistics.median(cli)
    tab.add("python", "default model 2 s", "laminar run (program)", cli, 2.0,
            note="process wall, HDF5 output")
    tab.add("python", "default model 2 s", "laminar.run (the call)", call, 2.0,
            note=f"in-process, output=; {pct(statistics.median(call), c)} vs the program")
    tab.add("python", "default model 2 s", "python3 -c laminar.run", proc, 2.0,
            note=f"whole process (import numpy, laminar); "
                 f"{pct(statistics.median(proc), c)} vs the program")
    n = 20 if o.quick else 100
    scli, scall = [], []
    for k in range(max(1, min(o.repeats, 2))):
        out_c = os.path.join(d, f"sweep_cli{k}.csv")
        w, _, _, _ = timed([o.laminar, "sweep", INI, "--grid", f"column.beta=0.5:2:{n}",
                            "--metric", "attention_entropy", "--metric", "gamma_power_l23",
                            "--t-end", "1", "-j", "1", "--quiet", "-o", out_c], d,
                           os.path.join(d, f"sweep_cli{k}"))
        scli.append(w)
        out_p = os.path.join(d, f"sweep_py{k}.csv")
        _, _, out, _ = timed([PY, "-c", SWEEP_CODE, INI, out_p, str(n), pkg], d,
                             os.path.join(d, f"sweep_py{k}"))
        scall.append(json.loads(out.strip().splitlines()[-1])["call_s"])
        same = rows(out_c) == rows(out_p)
    c = statistics.median(scli)
    tab.add("python", f"sweep {n} points", "laminar sweep -j 1 (program)", scli, float(n),
            note=f"{n / c:.2f} points/s")
    tab.add("python", f"sweep {n} points", "laminar.sweep jobs=1 (the call)", scall, float(n),
            note=f"{pct(statistics.median(scall), c)} vs the program"
                 + ("" if same else ", ROWS DIFFER"))


def main():
    import argparse
    sys.path.insert(0, HERE)
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("bench_run", os.path.join(HERE, "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    br = importlib.util.module_from_spec(spec)
    loader.exec_module(br)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--laminar", default=os.path.join(ROOT, "build", "cli", "laminar"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    o = ap.parse_args()
    o.laminar = os.path.abspath(o.laminar)
    tab = br.Table()
    workload(o, tab, br.timed)
    print(tab.markdown())
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
