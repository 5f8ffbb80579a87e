#!/usr/bin/python3
"""Brian2 peer of the Jansen-Rit benchmark (Debian python3-brian).

  jr_brian2.py W.csv Y0.csv T_END DT_RECORD OUT.npy [--device runtime|cpp]
               [--dt 1e-4] [--k K] [--p P] [--build-dir DIR]

One NeuronGroup of N columns integrated with Brian2's rk4 at dt (0.1 ms);
the coupling is a Synapses object with the nonzeros of W and a summed
variable cin = sum_j W_ij S(v_j). Equations as circuits/lam_jansen_rit.c.
Note: Brian2 updates summed variables once per time step, before the state
update, so the coupled input is held constant across the four RK4 stages.

Writes v = y1 - y2 (samples x N) at 0, DT_RECORD, ..., T_END - DT_RECORD
(Brian2 monitors record at the start of each step) and prints one JSON line:
solve_s (runtime: net.run; cpp: the compiled program's own simulation time)
and for cpp also build_s and binary_s (re-running the compiled program as a
process, the "compiled run").
"""
import argparse
import json
import os
import tempfile
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("w")
    ap.add_argument("y0")
    ap.add_argument("t_end", type=float)
    ap.add_argument("dt_record", type=float)
    ap.add_argument("out")
    ap.add_argument("--device", default="runtime", choices=["runtime", "cpp"])
    ap.add_argument("--dt", type=float, default=1e-4)
    ap.add_argument("--k", type=float, default=10.0)
    ap.add_argument("--p", type=float, default=220.0)
    ap.add_argument("--build-dir", default=None)
    o = ap.parse_args()

    import brian2 as b2
    b2.prefs.logging.console_log_level = "WARNING"
    if o.device == "cpp":
        bdir = o.build_dir or tempfile.mkdtemp(prefix="jr_brian2_")
        b2.set_device("cpp_standalone", directory=bdir, build_on_run=False)
    else:
        b2.prefs.codegen.target = "numpy"  # cython is not in Debian's python3-brian deps
    w = np.loadtxt(o.w, delimiter=",", ndmin=2)
    y0 = np.loadtxt(o.y0, delimiter=",", ndmin=2)
    n = y0.shape[1]
    ns = {"A": 3.25, "B": 22.0, "a": 100.0, "b": 50.0, "C1": 135.0,
          "C2": 0.8 * 135.0, "C3": 0.25 * 135.0, "C4": 0.25 * 135.0,
          "e0": 2.5, "v0": 6.0, "r": 0.56, "K": o.k, "P": o.p}
    eqs = """
    dy0/dt = y3 / second : 1
    dy1/dt = y4 / second : 1
    dy2/dt = y5 / second : 1
    dy3/dt = (A*a*2*e0/(1 + exp(r*(v0 - (y1 - y2)))) - 2*a*y3 - a*a*y0) / second : 1
    dy4/dt = (A*a*(P + K*cin + C2*2*e0/(1 + exp(r*(v0 - C1*y0)))) - 2*a*y4 - a*a*y1) / second : 1
    dy5/dt = (B*b*C4*2*e0/(1 + exp(r*(v0 - C3*y0))) - 2*b*y5 - b*b*y2) / second : 1
    v = y1 - y2 : 1
    cin : 1
    """
    b2.defaultclock.dt = o.dt * b2.second
    g = b2.NeuronGroup(n, eqs, method="rk4", namespace=ns)
    for q in range(6):
        setattr(g, f"y{q}", y0[q])
    objs = [g]
    ii, jj = np.nonzero(w)
    if len(ii):
        syn = b2.Synapses(g, g, model="""w : 1
            cin_post = w*2*e0/(1 + exp(r*(v0 - (y1_pre - y2_pre)))) : 1 (summed)""",
                          namespace=ns)
        syn.connect(i=jj, j=ii)  # source j -> target i
        syn.w = w[ii, jj]
        objs.append(syn)
    mon = b2.StateMonitor(g, "v", record=True, dt=o.dt_record * b2.second)
    objs.append(mon)
    net = b2.Network(*objs)
    res = {}
    t0 = time.perf_counter()
    net.run(o.t_end * b2.second, namespace=ns)
    if o.device == "cpp":
        tb = time.perf_counter()
        b2.device.build(directory=bdir, compile=True, run=False)
        res["build_s"] = time.perf_counter() - tb
        tr = time.perf_counter()
        b2.device.run(directory=bdir, with_output=False, run_args=[])
        res["binary_s"] = time.perf_counter() - tr
        res["solve_s"] = float(b2.device._last_run_time)
    else:
        res["solve_s"] = time.perf_counter() - t0
    v = np.asarray(mon.v).T  # samples x N
    np.save(o.out, v)
    res["nfev"] = 4 * int(round(o.t_end / o.dt))
    print(json.dumps(res))


if __name__ == "__main__":
    main()
