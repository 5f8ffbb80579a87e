#!/usr/bin/python3
"""sweep_from_python.py: a sweep from Python with the package laminar,
its rows drawn as a heat map (docs/sweeps.md, docs/python.md).

    /usr/bin/python3 scripts/examples/sweep_from_python.py [--traces] [--t-end S]

Runs from any folder and writes its files there. Without an installed
package it uses the build tree's (build/python). With --traces each point's
HDF5 is kept in sweep_traces/ and the L2/3 trace of the point with the
largest gamma power is drawn as well.
"""
import argparse
import os
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
try:
    import laminar
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, "build", "python"))
    import laminar

ap = argparse.ArgumentParser()
ap.add_argument("--model", default=os.path.join(ROOT, "models", "default.ini"))
ap.add_argument("--traces", action="store_true")
ap.add_argument("--t-end", type=float, default=1.0)
ap.add_argument("--out", default="sweep_py.csv")
args = ap.parse_args()

# 4 x 4 points: value lists combine as a Cartesian product, the first
# varying slowest. Rerun to resume: rows already in --out are kept.
beta = np.geomspace(0.5, 4.0, 4)
c_td = np.linspace(0.0, 1.0, 4)
rows = laminar.sweep(laminar.Model(args.model),
                     values={"column.beta": beta, "network.c_td": c_td},
                     metrics=["attention_entropy", "gamma_power_l23"],
                     t_end=args.t_end, jobs=2, output=args.out,
                     traces="sweep_traces" if args.traces else None, frame=False)
ok = [r for r in rows if r["status"] == "ok"]
print(f"{len(ok)} ok, {len(rows) - len(ok)} failed of {len(rows)} points")
for r in rows:
    if r["status"] == "failed":
        print("failed:", r["column.beta"], r["network.c_td"], r["error"])

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

grid = np.full((len(beta), len(c_td)), np.nan)
for r in ok:
    i = int(np.argmin(abs(beta - r["column.beta"])))
    j = int(np.argmin(abs(c_td - r["network.c_td"])))
    grid[i, j] = r["attention_entropy"]
fig, ax = plt.subplots(figsize=(5, 4))
im = ax.imshow(grid, origin="lower", aspect="auto",
               extent=[c_td[0], c_td[-1], 0, len(beta)])
ax.set_yticks(np.arange(len(beta)) + 0.5, [f"{b:.2g}" for b in beta])
ax.set_xlabel("network.c_td")
ax.set_ylabel("column.beta")
fig.colorbar(im, label="attention entropy (nats)")
fig.tight_layout()
fig.savefig("sweep_heatmap.png", dpi=120)
print("wrote sweep_heatmap.png")

if args.traces:
    import h5py
    best = max(ok, key=lambda r: r["gamma_power_l23"])
    with h5py.File(os.path.join("sweep_traces", best["id"] + ".h5"), "r") as f:
        t = f["/time"][:]
        x = f["/traces/l23"][:].mean(axis=(1, 2))
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(t, x)
    ax.set_xlabel("t (s)")
    ax.set_ylabel("mean L2/3 rate (a.u.)")
    ax.set_title(f"point {best['id']}")
    fig.tight_layout()
    fig.savefig("sweep_best_trace.png", dpi=120)
    print("wrote sweep_best_trace.png")
