#!/usr/bin/python3
"""sweep_from_python.py: a design written with numpy, run by `laminar sweep`,
read back and drawn as a heat map (docs/sweeps.md).

    /usr/bin/python3 examples/sweep_from_python.py [--laminar PATH] [--traces]

With --traces each point's HDF5 is kept in sweep_traces/ and the L2/3 trace
of the point with the largest gamma power is drawn as well.
"""
import argparse
import os
import subprocess

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--laminar", default="laminar")
ap.add_argument("--model", default=os.path.join(os.path.dirname(__file__), "..", "models", "default.ini"))
ap.add_argument("--traces", action="store_true")
ap.add_argument("--out", default="sweep_py.csv")
args = ap.parse_args()

# A 4 x 4 design: any script can write one; the header names model keys.
beta = np.geomspace(0.5, 4.0, 4)
c_td = np.linspace(0.0, 1.0, 4)
B, C = np.meshgrid(beta, c_td, indexing="ij")
design = np.column_stack([B.ravel(), C.ravel()])
np.savetxt("design.csv", design, delimiter=",", header="column.beta,network.c_td",
           comments="", fmt="%.6g")

cmd = [args.laminar, "sweep", args.model, "--design", "design.csv",
       "--metric", "attention_entropy", "--metric", "gamma_power_l23",
       "--t-end", "1", "-j", "2", "-o", args.out]
if args.traces:
    cmd += ["--traces", "sweep_traces"]
subprocess.run(cmd, check=True)

# The table begins with its column names (its provenance: OUT.meta); ids
# are text (16 hex digits), metrics numbers ("NaN" when the model lacks one,
# empty in a failed row); `point` orders the rows as the design did.
import csv
with open(args.out, newline="") as f:
    rows = sorted(csv.DictReader(f), key=lambda r: int(r["point"]))
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
    i = int(np.argmin(abs(beta - float(r["column.beta"]))))
    j = int(np.argmin(abs(c_td - float(r["network.c_td"]))))
    grid[i, j] = float(r["attention_entropy"])
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
    best = max(ok, key=lambda r: float(r["gamma_power_l23"]))
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
