#!/usr/bin/python3
"""SciPy peer of the Jansen-Rit benchmark: solve_ivp with a vectorised numpy
right-hand side and scipy.sparse (CSR) coupling, the way a user prototypes.

  jr_scipy.py W.csv Y0.csv T_END DT_RECORD OUT.npy [--method RK45|LSODA|DOP853]
              [--rtol R] [--atol A] [--k K] [--p P]

Equations and parameters as circuits/lam_jansen_rit.c (Jansen & Rit 1995,
docs/neural-masses.md). Writes v = y1 - y2 (samples x N) at 0, DT_RECORD, ...
to OUT.npy and prints one JSON line (nfev, solve_s).
"""
import argparse
import json
import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

A, B, a, b, C, e0, v0, r = 3.25, 22.0, 100.0, 50.0, 135.0, 2.5, 6.0, 0.56
C1, C2, C3, C4 = C, 0.8 * C, 0.25 * C, 0.25 * C


def sig(v):
    return 2.0 * e0 / (1.0 + np.exp(r * (v0 - v)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("w")
    ap.add_argument("y0")
    ap.add_argument("t_end", type=float)
    ap.add_argument("dt_record", type=float)
    ap.add_argument("out")
    ap.add_argument("--method", default="RK45")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-9)
    ap.add_argument("--k", type=float, default=10.0)
    ap.add_argument("--p", type=float, default=220.0)
    o = ap.parse_args()
    w = sp.csr_matrix(np.atleast_2d(np.loadtxt(o.w, delimiter=",", ndmin=2)))
    y0 = np.loadtxt(o.y0, delimiter=",", ndmin=2)
    n = y0.shape[1]
    K, P = o.k, o.p

    def f(t, y):
        y = y.reshape(6, n)
        s = sig(y[1] - y[2])
        pin = P + K * (w @ s)
        return np.concatenate((
            y[3], y[4], y[5],
            A * a * s - 2 * a * y[3] - a * a * y[0],
            A * a * (pin + C2 * sig(C1 * y[0])) - 2 * a * y[4] - a * a * y[1],
            B * b * C4 * sig(C3 * y[0]) - 2 * b * y[5] - b * b * y[2]))

    ns = int(round(o.t_end / o.dt_record)) + 1
    te = np.arange(ns) * o.dt_record
    te[-1] = o.t_end
    t0 = time.perf_counter()
    sol = solve_ivp(f, (0.0, o.t_end), y0.ravel(), method=o.method,
                    t_eval=te, rtol=o.rtol, atol=o.atol)
    dt = time.perf_counter() - t0
    if not sol.success:
        raise SystemExit(f"jr_scipy: {sol.message}")
    y = sol.y.reshape(6, n, -1)
    np.save(o.out, (y[1] - y[2]).T)
    print(json.dumps({"nfev": int(sol.nfev), "njev": int(sol.njev), "solve_s": dt}))


if __name__ == "__main__":
    main()
