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
target: within 5 % of the command line. Wall times swing with the load of
the machine; CPU times (user + system, workers included) much less, so
the overhead is read from those. Alone:

    /usr/bin/python3 bench/bench_python.py [--laminar build/cli/laminar] [--repeats 3]
"""
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

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
c1 = time.process_time()
r = laminar.run(sys.argv[1], output=sys.argv[2], progress=False)
t2 = time.perf_counter()
print(json.dumps(dict(import_s=t1 - t0, call_s=t2 - t1, call_cpu=time.process_time() - c1,
                      nfevals=r.attrs["nfevals"])))
"""

SWEEP_CODE = """
import json, sys, time
sys.path.insert(0, sys.argv[4])
import laminar
import resource
def cpu():
    a, b = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
t0, c0 = time.perf_counter(), cpu()
rows = laminar.sweep(sys.argv[1], grid={"column.beta": (0.5, 2, int(sys.argv[3]))},
                     metrics=["attention_entropy", "gamma_power_l23"], t_end=1, jobs=1,
                     output=sys.argv[2], frame=False, progress=False)
print(json.dumps(dict(call_s=time.perf_counter() - t0, call_cpu=cpu() - c0, rows=len(rows))))
"""


def cpu_timed(cmd, cwd):
    """Wall and CPU (user + system, the process and its reaped children)
    seconds of cmd; its stdout."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, PYTHONWARNINGS="ignore"))
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        raise RuntimeError(f"{cmd[0]} failed ({p.returncode}): {err.decode()[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, out.decode()


def rows(path):
    with open(path) as f:
        r = csv.DictReader(line for line in f if not line.startswith("#"))
        return sorted(tuple(v for k, v in row.items() if k not in ("wall_s",)) for row in r)


def pct(a, b):
    return f"{100 * (a / b - 1):+.1f} %"


def workload(o, tab, timed):
    """Rows of bench/run's table; o.laminar is BUILD/cli/laminar, whose
    build tree holds the package (BUILD/python). Wall times swing with the
    machine's load; the CPU times (user + system of the process and its
    workers) hardly do, so the overhead is read from them."""
    pkg = os.path.join(os.path.dirname(os.path.dirname(o.laminar)), "python")
    d = tempfile.mkdtemp(prefix="lam_bench_python")
    m = {k: [] for k in ("cli", "cli_cpu", "call", "call_cpu", "proc", "proc_cpu")}

    def delta(cmd):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, after, out = cpu_timed(cmd, d)
        return wall, after - before.ru_utime - before.ru_stime, out
    for k in range(o.repeats):
        w, c, _ = delta([o.laminar, "run", INI, "-o", os.path.join(d, f"cli{k}.h5"), "--quiet"])
        m["cli"].append(w)
        m["cli_cpu"].append(c)
        w, c, out = delta([PY, "-c", RUN_CODE, INI, os.path.join(d, f"py{k}.h5"), pkg])
        js = json.loads(out.strip().splitlines()[-1])
        m["proc"].append(w)
        m["proc_cpu"].append(c)
        m["call"].append(js["call_s"])
        m["call_cpu"].append(js["call_cpu"])
    med = {k: statistics.median(v) for k, v in m.items()}
    tab.add("python", "default model 2 s", "laminar run (program)", m["cli"], 2.0,
            note=f"process, HDF5 output; CPU {med['cli_cpu']:.3f} s")
    tab.add("python", "default model 2 s", "laminar.run (the call)", m["call"], 2.0,
            note=f"in-process, output=; CPU {med['call_cpu']:.3f} s, "
                 f"{pct(med['call_cpu'], med['cli_cpu'])} vs the program "
                 f"(wall {pct(med['call'], med['cli'])})")
    tab.add("python", "default model 2 s", "python3 -c laminar.run", m["proc"], 2.0,
            note=f"whole process (import numpy, laminar); CPU {med['proc_cpu']:.3f} s, "
                 f"{pct(med['proc_cpu'], med['cli_cpu'])}")
    n = 20 if o.quick else 100
    s = {k: [] for k in ("cli", "cli_cpu", "call", "call_cpu")}
    same = True
    for k in range(max(1, min(o.repeats, 2))):
        out_c = os.path.join(d, f"sweep_cli{k}.csv")
        w, c, _ = delta([o.laminar, "sweep", INI, "--grid", f"column.beta=0.5:2:{n}",
                         "--metric", "attention_entropy", "--metric", "gamma_power_l23",
                         "--t-end", "1", "-j", "1", "--quiet", "-o", out_c])
        s["cli"].append(w)
        s["cli_cpu"].append(c)
        out_p = os.path.join(d, f"sweep_py{k}.csv")
        _, _, out = delta([PY, "-c", SWEEP_CODE, INI, out_p, str(n), pkg])
        js = json.loads(out.strip().splitlines()[-1])
        s["call"].append(js["call_s"])
        s["call_cpu"].append(js["call_cpu"])
        same = same and rows(out_c) == rows(out_p)
    med = {k: statistics.median(v) for k, v in s.items()}
    tab.add("python", f"sweep {n} points", "laminar sweep -j 1 (program)", s["cli"], float(n),
            note=f"{n / med['cli']:.2f} points/s; CPU {med['cli_cpu']:.1f} s")
    tab.add("python", f"sweep {n} points", "laminar.sweep jobs=1 (the call)", s["call"],
            float(n), note=f"CPU {med['call_cpu']:.1f} s, "
                          f"{pct(med['call_cpu'], med['cli_cpu'])} vs the program "
                          f"(wall {pct(med['call'], med['cli'])})"
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
