"""Workload 2 of bench/run: the attention network.

(a) T = 64, H = 4, d_k = d_v = 16 (d_in = 16), self topology, 2 s, clocks
    off and on (gamma 40 Hz, alpha 10 Hz, depth 0.5, no coupling, zero
    initial phases): laminar (adams) against the SciPy RK45 twin
    (peers/attention_scipy.py), both reading the same X / W CSVs; the error
    column is max |O - O_ref| of the final routed output /final/out against
    laminar at rtol 1e-10.
(b) topdown topology for T = 256 ... 16384 (H = 4, d_k = d_v = 16, 0.1 s):
    laminar's wall time and the fitted exponent of wall time against T.
Threads: the clocks-on T = 64 rows of adams and erk again with
`--set solver.threads=2` (the same binary, in the same interleaved loop),
and one top-down size (T = 4096, or the largest asked for below it) with 2
threads next to its 1-thread runs. Their error is the 1-thread row's (the
same bits, checked: the note says so if /final/out differs).
"""
import os

import numpy as np

PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))

INI = """# attention benchmark (bench/run)
[network]
columns = {T}
heads = {H}
d_in = {din}
d_k = {dk}
d_v = {dv}
topology = {topo}
[input]
x = {d}/attn-T{T}-x.csv
[weights]
wq = {d}/attn-wq.csv
wk = {d}/attn-wk.csv
wv = {d}/attn-wv.csv
[clocks]
enabled = {clocks}
gamma_hz = 40
alpha_hz = 10
gamma_depth = 0.5
alpha_depth = 0.5
[solver]
{method_line}
rtol = {rtol}
atol = {atol}
[run]
t_end = {t_end}
dt_record = {dt}
"""

H, DK, DV, DIN = 4, 16, 16, 16


def inputs(d, T, seed=8):
    rng = np.random.default_rng(seed)
    for name in ("wq", "wk", "wv"):
        p = os.path.join(d, f"attn-{name}.csv")
        w = rng.normal(0.0, 1.0 / np.sqrt(DIN), (DIN, H * (DK if name != "wv" else DV)))
        np.savetxt(p, w, delimiter=",", fmt="%.17g")
    x = np.random.default_rng(seed + T).normal(0.0, 1.0, (T, DIN))
    np.savetxt(os.path.join(d, f"attn-T{T}-x.csv"), x, delimiter=",", fmt="%.17g")


def model(d, T, topo, clocks, rtol, atol, t_end, method="adams", dt=0.001):
    """method "defaults": no method line, the model's default (auto)."""
    p = os.path.join(d, f"attn-T{T}-{topo}-{clocks}-{method}-{rtol:g}-{dt:g}.ini")
    line = "# method: the default" if method == "defaults" else f"method = {method}"
    with open(p, "w") as f:
        f.write(INI.format(T=T, H=H, din=DIN, dk=DK, dv=DV, topo=topo, d=d, clocks=clocks,
                           rtol=rtol, atol=atol, t_end=t_end, method_line=line, dt=dt))
    return p


def same_bits(runs, ref):
    """Whether the first run's /final/out equals the reference run's bit for bit."""
    a, b = runs[0]["out"], ref[0]["out"]
    return "same bits as 1 thread" if np.array_equal(a, b) else "DIFFERS from 1 thread"


def workload(o, tab, timed, repeat, lam_nfev, read_h5, lam_budget, equal_error, mid,
             lam_auto=lambda err: ""):
    d = os.path.join(o.out, "attn")
    os.makedirs(d, exist_ok=True)
    T, t_end = 64, 2.0
    inputs(d, T)

    def lam(T, topo, clocks, rtol, atol, t_end, tag, record="out", exe=None, method="adams",
            threads=1, dt=0.001):
        ini = model(d, T, topo, clocks, rtol, atol, t_end, method, dt)
        h5 = os.path.join(d, f"{tag}.h5")
        cmd = [exe or o.laminar, "run", ini, "-o", h5, "--record", record]
        if threads:  # 0: the default (the "laminar defaults" rows)
            cmd += ["--set", f"solver.threads={threads}"]
        wall, rss, _, err = timed(cmd, d, os.path.join(d, tag))
        return dict(wall=wall, nfev=lam_nfev(err), budget=lam_budget(err),
                    out=read_h5(h5, "/final/out"), auto=lam_auto(err))

    def interleaved(fns, n):
        """Repeat every fn n times, alternating between them (before/after
        builds see the same load)."""
        res = [[] for _ in fns]
        for _ in range(n):
            for k, fn in enumerate(fns):
                res[k].append(fn())
        return res

    for clocks in ("false", "true"):
        label = "clocks on" if clocks == "true" else "clocks off"
        ref = lam(T, "self", clocks, 1e-10, 1e-12, t_end, f"ref-{clocks}")
        refo = ref["out"].reshape(T, -1)
        tab.add("attention", T, f"reference (laminar 1e-10), {label}", [ref["wall"]], t_end,
                ref["nfev"], None, "rtol 1e-10 atol 1e-12")
        path = os.path.join(d, f"scipy-{clocks}.npy")

        def twin():
            cmd = [PY, os.path.join(HERE, "peers", "attention_scipy.py"),
                   os.path.join(d, f"attn-T{T}-x.csv")] + \
                  [os.path.join(d, f"attn-{k}.csv") for k in ("wq", "wk", "wv")] + \
                  [str(H), str(DK), str(DV), str(t_end), path]
            if clocks == "true":
                cmd.append("--clocks")
            wall, _, out, _ = timed(cmd, d, path)
            import json
            return dict(wall=wall, js=json.loads(out.strip().splitlines()[-1]))

        # The laminar rows in the order they are printed: name, rtol, atol,
        # method, threads, dt_record, note, and for a 2-thread row the
        # one-thread row whose bits it must repeat. erk at 2e-6 has the twin's
        # error with clocks on (one rung of bench/run's Jansen-Rit ladder).
        # The twin computes the final state only (t_eval = [t_end]); the
        # "final state only" rows do the same (dt_record = t_end), the others
        # record the routed output at 1 kHz.
        erk_rtol = 2e-6 if clocks == "true" else 1e-6
        end = f"laminar erk {erk_rtol:g}, final state only"
        # "laminar defaults": method and threads left to their defaults
        # (auto; the machine's cores under the adaptive count).
        rows = [("laminar adams", 1e-6, 1e-8, "adams", 1, 0.001,
                 "self, H 4, dk = dv 16; rtol 1e-6 atol 1e-8", None),
                ("laminar defaults", 1e-6, 1e-8, "defaults", 0, 0.001,
                 "rtol 1e-6 atol 1e-8, recording out at 1 kHz", None),
                ("laminar adams 1e-7", 1e-7, 1e-9, "adams", 1, 0.001,
                 "rtol 1e-7 atol 1e-9 (accuracy of the twin)", None),
                ("laminar erk dormand-prince", 1e-6, 1e-8, "erk", 1, 0.001,
                 "ARKODE ERKStep; rtol 1e-6 atol 1e-8", None)]
        if clocks == "true":
            rows += [("laminar erk dormand-prince 2e-6", 2e-6, 1e-8, "erk", 1, 0.001,
                      "rtol 2e-6 atol 1e-8", None)]
            rows += [(f"{name}, 2 threads", rtol, atol, method, 2, dt, None, name)
                     for name, rtol, atol, method, _, dt, _, _ in rows[:1] + rows[3:5]]
        rows += [(end, erk_rtol, 1e-8, "erk", 1, t_end, "as the twin: no samples but the end",
                  None),
                 (f"{end}, 2 threads", erk_rtol, 1e-8, "erk", 2, t_end, None, end)]

        # All of them, the twin and the build to compare in turn, so that
        # every row of this size sees the same load on a shared machine.
        fns = [lambda k=k, r=r: lam(T, "self", clocks, r[1], r[2], t_end, f"lam{k}-{clocks}",
                                    method=r[3], threads=r[4], dt=r[5])
               for k, r in enumerate(rows)] + [twin]
        if o.laminar_before:
            fns.append(lambda: lam(T, "self", clocks, 1e-6, 1e-8, t_end, f"before-{clocks}",
                                   exe=o.laminar_before))
        out = interleaved(fns, o.repeats)
        runs = {r[0]: x for r, x in zip(rows, out)}
        tw, before = out[len(rows)], out[len(rows) + 1:]
        err = lambda r: float(np.max(np.abs(r[0]["out"].reshape(T, -1) - refo)))
        one_thread, any_threads, base = [], [], None
        for name, _, _, _, threads, _, note, same in rows:
            x = runs[name]
            if same:
                note = "--set solver.threads=2; " + same_bits(x, runs[same])
            if threads == 0:
                note += f"; {mid(x)['auto']}"
            r = tab.add("attention", T, f"{name}, {label}", [y["wall"] for y in x], t_end,
                        mid(x)["nfev"], err(x), note, base, mid(x)["budget"])
            base = base or r["median"]
            (any_threads if threads != 1 else one_thread).append(r)
        if before:
            tab.add("attention", T, f"laminar (--laminar-before), {label}",
                    [x["wall"] for x in before[0]], t_end, before[0][0]["nfev"],
                    err(before[0]), "another build, rtol 1e-6, to compare", base)
        peer = tab.add("attention", T, f"scipy RK45 twin, {label}", [x["wall"] for x in tw],
                       t_end, tw[0]["js"]["nfev"], float(np.max(np.abs(np.load(path) - refo))),
                       "einsum T x T; rtol 1e-6 atol 1e-8", base)
        # At the twin's error: on one thread, then with the 2-thread rows too.
        equal_error(tab, "attention", T, peer, one_thread)
        if any_threads:
            equal_error(tab, "attention", T, peer, one_thread + any_threads,
                        " (2 threads allowed)")

    walls = []
    small = [t for t in o.attn_t if t <= 4096]
    t2 = max(small) if small else None  # the top-down size also run on 2 threads
    for Tn in o.attn_t:
        inputs(d, Tn)
        one = lambda: lam(Tn, "topdown", "true", 1e-6, 1e-8, o.attn_td_t, f"td-{Tn}",
                          record="out")
        if Tn == t2:
            res, res2 = interleaved([one, lambda: lam(Tn, "topdown", "true", 1e-6, 1e-8,
                                                      o.attn_td_t, f"td2-{Tn}", record="out",
                                                      threads=2)], o.repeats)
        else:
            res, res2 = repeat(one, o.repeats), None
        r = tab.add("attention", Tn, "laminar adams, topdown", [x["wall"] for x in res],
                    o.attn_td_t, res[0]["nfev"], None, f"clocks on, {o.attn_td_t:g} s")
        walls.append(r["median"])
        if res2:
            tab.add("attention", Tn, "laminar adams, topdown, 2 threads",
                    [x["wall"] for x in res2], o.attn_td_t, res2[0]["nfev"], None,
                    "--set solver.threads=2; " + same_bits(res2, res), r["median"])
    # Top-down at T = 1024 for 2 s with the defaults (method, threads).
    if 1024 in o.attn_t:
        res = repeat(lambda: lam(1024, "topdown", "true", 1e-6, 1e-8, o.attn_td_defaults_t,
                                 "td-defaults-1024", record="out", method="defaults",
                                 threads=0), o.repeats)
        tab.add("attention", 1024, "laminar defaults, topdown", [x["wall"] for x in res],
                o.attn_td_defaults_t, mid(res)["nfev"], None,
                f"clocks on, {o.attn_td_defaults_t:g} s; {mid(res)['auto']}",
                budget=mid(res)["budget"])
    if len(walls) >= 2:
        k = np.polyfit(np.log(o.attn_t), np.log(walls), 1)[0]
        tab.add("attention", "fit", "wall ~ T^k, topdown", [], None, None, None,
                f"k = {k:.2f} over T = {o.attn_t[0]}..{o.attn_t[-1]}")
