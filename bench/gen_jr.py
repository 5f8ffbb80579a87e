#!/usr/bin/python3
"""Write the Jansen-Rit benchmark inputs for N columns (seeded, reproducible).

  gen_jr.py N OUTDIR [--seed S]

OUTDIR/jr-N{N}-w.csv   N x N coupling, row i receives from column j: each
                       row has 4 distinct sources j != i (fewer when N < 5)
                       with weights U(0.5, 1.5), normalised to sum 1.
OUTDIR/jr-N{N}-y0.csv  6 x N initial state (rows y0..y5, docs/state-layout.md):
                       PSPs drawn around the p = 220/s limit cycle, y3..y5 = 0.
Every tool of the benchmark reads these two files.
"""
import argparse
import os

import numpy as np


def make(n, seed):
    rng = np.random.default_rng(seed)
    w = np.zeros((n, n))
    for i in range(n):
        others = np.array([j for j in range(n) if j != i])
        k = min(4, len(others))
        if k == 0:
            continue
        src = rng.choice(others, size=k, replace=False)
        v = rng.uniform(0.5, 1.5, size=k)
        w[i, src] = v / v.sum()
    y0 = np.zeros((6, n))
    y0[0] = rng.uniform(0.05, 0.25, n)
    y0[1] = rng.uniform(15.0, 30.0, n)
    y0[2] = rng.uniform(8.0, 20.0, n)
    return w, y0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=8)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    w, y0 = make(a.n, a.seed)
    np.savetxt(os.path.join(a.outdir, f"jr-N{a.n}-w.csv"), w, delimiter=",", fmt="%.17g")
    np.savetxt(os.path.join(a.outdir, f"jr-N{a.n}-y0.csv"), y0, delimiter=",", fmt="%.17g")


if __name__ == "__main__":
    main()
