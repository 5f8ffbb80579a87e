#!/usr/bin/python3
"""SciPy twin of laminar's attention network (circuits/lam_attention.c,
column/*.c, docs/model.md) with the built-in neutral column (linear F,
product gate, subtractive PV, beta = 1, no SOM/VIP drive, no lateral or
top-down L2/3 input), topology self, no stimulus, zero initial state:

  tau_l4  V' = -V + g_ff(t) X W_V                 (T x H x dv)
  tau_l23 Q' = -Q + g_ff(t) X W_Q                 (T x H x dk)
  tau_l5b K' = -K + X W_K                         (T x H x dk)
  tau_l5a A' = -A + g_fb(t) Q.K / sqrt(dk)        (T x H x T, einsum)
  R = exp(beta (A - P)),  tau_pv P' = sum_j R - 1 (T x H)
  tau_som S' = -S,  tau_vip I' = -I               (T each)
  tau_out O' = -O + sum_j R V_j                   (T x H x dv, einsum)

g_ff = 1 + m_gamma cos(2 pi f_gamma t), g_fb = 1 + m_alpha cos(2 pi f_alpha t)
with clocks on: laminar's Kuramoto clocks with zero coupling and zero
initial phases are exactly these. Clocks off: g = 1.

  attention_scipy.py X.csv WQ.csv WK.csv WV.csv H DK DV T_END OUT.npy
                     [--clocks] [--gamma-depth 0.5] [--alpha-depth 0.5]
                     [--method RK45] [--rtol 1e-6] [--atol 1e-8]

Writes the final O (T x H*dv, laminar's /final/out layout) and one JSON line.
"""
import argparse
import json
import time

import numpy as np
from scipy.integrate import solve_ivp

TAU = dict(l4=0.010, l23=0.010, l5b=0.016, l5a=0.007, pv=0.008, som=0.016,
           vip=0.016, out=0.020)


def main():
    ap = argparse.ArgumentParser()
    for k in ("x", "wq", "wk", "wv"):
        ap.add_argument(k)
    ap.add_argument("H", type=int)
    ap.add_argument("dk", type=int)
    ap.add_argument("dv", type=int)
    ap.add_argument("t_end", type=float)
    ap.add_argument("out")
    ap.add_argument("--clocks", action="store_true")
    ap.add_argument("--gamma-hz", type=float, default=40.0)
    ap.add_argument("--alpha-hz", type=float, default=10.0)
    ap.add_argument("--gamma-depth", type=float, default=0.5)
    ap.add_argument("--alpha-depth", type=float, default=0.5)
    ap.add_argument("--method", default="RK45")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-8)
    o = ap.parse_args()
    ld = lambda p: np.loadtxt(p, delimiter=",", ndmin=2)
    X = ld(o.x)
    H, dk, dv = o.H, o.dk, o.dv
    T = X.shape[0]
    XQ = (X @ ld(o.wq)).reshape(T, H, dk)
    XK = (X @ ld(o.wk)).reshape(T, H, dk)
    XV = (X @ ld(o.wv)).reshape(T, H, dv)
    sizes = [T * H * dv, T * H * dk, T * H * dk, T * H * T, T * H, T, T, T * H * dv]
    offs = np.cumsum([0] + sizes)
    scale = 1.0 / np.sqrt(dk)
    wg, wa = 2 * np.pi * o.gamma_hz, 2 * np.pi * o.alpha_hz

    def f(t, y):
        V, Q, K, A, P, S, Iv, O = (y[offs[i]:offs[i + 1]] for i in range(8))
        V = V.reshape(T, H, dv)
        Q = Q.reshape(T, H, dk)
        K = K.reshape(T, H, dk)
        A = A.reshape(T, H, T)
        P = P.reshape(T, H)
        O = O.reshape(T, H, dv)
        if o.clocks:
            gff = 1.0 + o.gamma_depth * np.cos(wg * t)
            gfb = 1.0 + o.alpha_depth * np.cos(wa * t)
        else:
            gff = gfb = 1.0
        G = np.einsum("ihm,jhm->ihj", Q, K) * scale
        R = np.exp(A - P[:, :, None])
        return np.concatenate((
            ((-V + gff * XV) / TAU["l4"]).ravel(),
            ((-Q + gff * XQ) / TAU["l23"]).ravel(),
            ((-K + XK) / TAU["l5b"]).ravel(),
            ((-A + gfb * G) / TAU["l5a"]).ravel(),
            ((R.sum(axis=2) - 1.0) / TAU["pv"]).ravel(),
            -S / TAU["som"], -Iv / TAU["vip"],
            ((-O + np.einsum("ihj,jhu->ihu", R, V)) / TAU["out"]).ravel()))

    t0 = time.perf_counter()
    sol = solve_ivp(f, (0.0, o.t_end), np.zeros(offs[-1]), method=o.method,
                    rtol=o.rtol, atol=o.atol, t_eval=[o.t_end])
    dt = time.perf_counter() - t0
    if not sol.success:
        raise SystemExit(f"attention_scipy: {sol.message}")
    y = sol.y[:, -1]
    np.save(o.out, y[offs[7]:offs[8]].reshape(T, H * dv))
    print(json.dumps({"nfev": int(sol.nfev), "solve_s": dt, "n": int(offs[-1])}))


if __name__ == "__main__":
    main()
