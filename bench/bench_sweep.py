"""Workload 3 of bench/run: sweep throughput. `laminar sweep` over the
default model (1 s simulated per point; 1,000 points, 100 with --quick) at
-j 1 and -j 2, side by side in one run; points per second and runs per
minute, and the -j 2 / -j 1 speed-up. The two sweeps must give the same
rows (as a set, wall time aside). With --laminar-before, the other build's
sweeps are interleaved with this build's (same load) and must give the
same rows too.

Alone (docs/performance.md, Sweep throughput):

    /usr/bin/python3 bench/bench_sweep.py --laminar NEW --laminar-before OLD \\
        --points 100 --repeats 3

interleaves OLD and NEW at -j 1 and -j 2, repeats the set, and prints each
sweep's wall time and the load average, then the medians, points/s,
runs/min and the NEW/OLD ratios."""
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INI = os.path.join(ROOT, "models", "default.ini")


def rows(path):
    with open(path) as f:
        r = csv.DictReader(line for line in f if not line.startswith("#"))
        return sorted(tuple(v for k, v in row.items() if k not in ("wall_s",)) for row in r)


def sweep_cmd(laminar, n, j, out):
    return [laminar, "sweep", INI, "--grid", f"column.beta=0.5:2:{n}",
            "--metric", "attention_entropy", "--metric", "gamma_power_l23",
            "--t-end", "1", "-j", str(j), "--quiet", "-o", out]


def workload(o, tab, timed):
    n = 100 if o.quick else 1000
    d = tempfile.mkdtemp(prefix="lam_bench_sweep")
    # models/default.ini ships method = auto and the default threads: these
    # are the "laminar defaults" rows.
    tools = [("laminar defaults", o.laminar)]
    if getattr(o, "laminar_before", None):
        tools.append(("laminar (--laminar-before)", o.laminar_before))
    walls, outs = {}, {}
    for j in (1, 2):
        for k, (name, exe) in enumerate(tools):
            out = os.path.join(d, f"j{j}_{k}.csv")
            wall, _, _, _ = timed(sweep_cmd(exe, n, j, out), d, os.path.join(d, f"j{j}_{k}"))
            walls[name, j], outs[name, j] = wall, out
    ref = rows(outs["laminar defaults", 1])
    for name, _ in tools:
        for j in (1, 2):
            same = rows(outs[name, j]) == ref
            w = walls[name, j]
            tab.add("sweep", f"{n} runs", f"{name} sweep -j {j}", [w], float(n),
                    note=f"{n / w:.2f} points/s, {60 * n / w:.0f} runs/min"
                         + ("" if j == 1 else f", speed-up {walls[name, 1] / w:.2f}")
                         + ("" if same else ", ROWS DIFFER"))


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--laminar", required=True)
    ap.add_argument("--laminar-before", required=True)
    ap.add_argument("--points", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    o = ap.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    tools = [("before", os.path.abspath(o.laminar_before)), ("after", os.path.abspath(o.laminar))]
    d = tempfile.mkdtemp(prefix="lam_bench_sweep")
    walls, cpus = {}, {}
    loads = []
    ref = None
    print(f"{o.points} points of models/default.ini, 1 s simulated each; "
          f"{os.cpu_count()} cores", flush=True)
    for r in range(o.repeats):
        for j in (1, 2):
            for name, exe in tools:
                out = os.path.join(d, f"{name}_j{j}_r{r}.csv")
                la = os.getloadavg()[0]
                t0 = time.perf_counter()
                p = subprocess.Popen(sweep_cmd(exe, o.points, j, out), env=env)
                _, status, ru = os.wait4(p.pid, 0)
                w = time.perf_counter() - t0
                if os.waitstatus_to_exitcode(status) != 0:
                    raise RuntimeError(f"{exe} sweep -j {j} failed")
                # CPU seconds of the sweep and its reaped workers: what a point
                # costs whatever the load; 2 / cpu is the idle 2-core ceiling.
                cpu = (ru.ru_utime + ru.ru_stime) / o.points
                lb = os.getloadavg()[0]
                loads += [la, lb]
                walls.setdefault((name, j), []).append(w)
                cpus.setdefault((name, j), []).append(cpu)
                got = rows(out)
                ref = ref or got
                same = "same rows" if got == ref else "ROWS DIFFER"
                print(f"repeat {r + 1} -j {j} {name:6s} {w:7.2f} s  "
                      f"{o.points / w:6.2f} points/s  cpu {1e3 * cpu:6.1f} ms/point  "
                      f"load {la:.2f} -> {lb:.2f}  {same}", flush=True)
    print(f"\nmedians over {o.repeats} repeats (load average {min(loads):.2f}-{max(loads):.2f}):")
    for j in (1, 2):
        for name, _ in tools:
            w = statistics.median(walls[name, j])
            c = statistics.median(cpus[name, j])
            print(f"-j {j} {name:6s} {w:7.2f} s ({min(walls[name, j]):.2f}-"
                  f"{max(walls[name, j]):.2f})  {o.points / w:6.2f} points/s  "
                  f"{60 * o.points / w:6.0f} runs/min  cpu {1e3 * c:.1f} ms/point "
                  f"(idle ceiling {j / c:.2f} points/s, {60 * j / c:.0f} runs/min)")
        ratio = statistics.median(walls["before", j]) / statistics.median(walls["after", j])
        cr = statistics.median(cpus["before", j]) / statistics.median(cpus["after", j])
        print(f"-j {j} after/before: throughput ratio {ratio:.3f}, cpu per point ratio {cr:.3f}")
    for name, _ in tools:
        s = statistics.median(walls[name, 1]) / statistics.median(walls[name, 2])
        print(f"{name}: -j 2 / -j 1 speed-up {s:.2f}")


if __name__ == "__main__":
    sys.exit(main())
