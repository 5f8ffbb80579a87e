#!/usr/bin/python3
"""Write jr.ode, the XPPAUT peer of the Jansen-Rit benchmark, for the N
columns of a coupling matrix and initial state (XPP has no matrices, so the
coupled input of each column is written out term by term).

  gen_xpp.py W.csv Y0.csv T_END DT_RECORD OUT.ode [--dt 1e-4] [--k K] [--p P]

Integrator: XPP's classic Runge-Kutta (meth=rungekutta) at dt (0.1 ms),
output every DT_RECORD. Run: xppaut OUT.ode -silent (writes output.dat:
t, then y0..y5 of column 1, of column 2, ...). Equations as
circuits/lam_jansen_rit.c; XPP names are case-insensitive, so A/a and B/b
are spelled amp_e/rate_e and amp_i/rate_i.
"""
import argparse

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("w")
    ap.add_argument("y0")
    ap.add_argument("t_end", type=float)
    ap.add_argument("dt_record", type=float)
    ap.add_argument("out")
    ap.add_argument("--dt", type=float, default=1e-4)
    ap.add_argument("--k", type=float, default=10.0)
    ap.add_argument("--p", type=float, default=220.0)
    o = ap.parse_args()
    w = np.loadtxt(o.w, delimiter=",", ndmin=2)
    y0 = np.loadtxt(o.y0, delimiter=",", ndmin=2)
    n = y0.shape[1]
    L = [f"# Jansen-Rit network, {n} columns (bench/peers/gen_xpp.py)",
         "par amp_e=3.25,amp_i=22,rate_e=100,rate_i=50,cc=135,e0=2.5,v0=6,rr=0.56",
         f"par kk={o.k!r},pp={o.p!r}",
         "sig(v)=2*e0/(1+exp(rr*(v0-v)))"]
    for i in range(n):
        L.append(f"s{i}=sig(ya{i}-yb{i})")
    for i in range(n):
        terms = "+".join(f"{w[i, j]!r}*s{j}" for j in np.nonzero(w[i])[0]) or "0"
        L += [f"yz{i}'=dz{i}", f"ya{i}'=da{i}", f"yb{i}'=db{i}",
              f"dz{i}'=amp_e*rate_e*s{i}-2*rate_e*dz{i}-rate_e^2*yz{i}",
              f"da{i}'=amp_e*rate_e*(pp+kk*({terms})+0.8*cc*sig(cc*yz{i}))"
              f"-2*rate_e*da{i}-rate_e^2*ya{i}",
              f"db{i}'=amp_i*rate_i*0.25*cc*sig(0.25*cc*yz{i})-2*rate_i*db{i}-rate_i^2*yb{i}",
              f"init yz{i}={y0[0, i]!r},ya{i}={y0[1, i]!r},yb{i}={y0[2, i]!r}",
              f"init dz{i}={y0[3, i]!r},da{i}={y0[4, i]!r},db{i}={y0[5, i]!r}"]
    nout = int(round(o.dt_record / o.dt))
    ns = int(round(o.t_end / o.dt_record)) + 1
    L.append(f"@ meth=rungekutta, dt={o.dt!r}, total={o.t_end!r}, nout={nout}, "
             f"maxstor={ns + 10}, bounds=1e9")
    L.append("done")
    with open(o.out, "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
