"""Workload 3 of bench/run: sweep throughput. `laminar sweep` over the
default model (1 s simulated per point; 1,000 points, 100 with --quick) at
-j 1 and -j 2, side by side in one run; points per second and runs per
minute, and the -j 2 / -j 1 speed-up. The two sweeps must give the same
rows (as a set, wall time aside)."""
import csv
import os
import tempfile


def rows(path):
    with open(path) as f:
        r = csv.DictReader(line for line in f if not line.startswith("#"))
        return sorted(tuple(v for k, v in row.items() if k not in ("wall_s",)) for row in r)


def workload(o, tab, timed):
    n = 100 if o.quick else 1000
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ini = os.path.join(root, "models", "default.ini")
    d = tempfile.mkdtemp(prefix="lam_bench_sweep")
    walls, outs = {}, {}
    for j in (1, 2):
        out = os.path.join(d, f"j{j}.csv")
        cmd = [o.laminar, "sweep", ini, "--grid", f"column.beta=0.5:2:{n}",
               "--metric", "attention_entropy", "--metric", "gamma_power_l23",
               "--t-end", "1", "-j", str(j), "--quiet", "-o", out]
        wall, _, _, _ = timed(cmd, d, os.path.join(d, f"j{j}"))
        walls[j], outs[j] = wall, out
    same = rows(outs[1]) == rows(outs[2])
    for j in (1, 2):
        tab.add("sweep", f"{n} runs", f"laminar sweep -j {j}", [walls[j]], float(n),
                note=f"{n / walls[j]:.2f} points/s, {60 * n / walls[j]:.0f} runs/min"
                     + ("" if j == 1 else f", speed-up {walls[1] / walls[2]:.2f}"
                        + ("" if same else ", ROWS DIFFER")))
