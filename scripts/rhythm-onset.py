#!/usr/bin/python3
"""rhythm-onset.py: the onset of the column's own rhythms (docs/rhythms.md).

PING gamma against column.pv_strength, deep alpha/beta against column.w_sl,
on models/emergent.ini with constant drive and no input noise:
- the simulated cycle: peak frequency and peak-to-peak amplitude of the
  column-mean rate (L2/3 for PING, L5 basal for deep) over the last second
  of a 2.5 s run;
- for PING, the linearization: `laminar analyze --fixed-points` of one
  column (network.columns = 1) and the real part and frequency of the
  eigenvalue pair of the loop; its sign change is the Hopf point.
Writes docs/figures/rhythm-onset.png and prints the numbers.
Usage, from the repository's root: scripts/rhythm-onset.py [LAMINAR]
(default build/cli/laminar); needs numpy, h5py and matplotlib.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

LAM = sys.argv[1] if len(sys.argv) > 1 else "build/cli/laminar"
QUIET = ["--set", "stimulus.protocol=constant", "--set", "stimulus.noise_sigma=0",
         "--set", "probe.enabled=false"]
ONE = QUIET + ["--set", "network.columns=1", "--set", "stimulus.columns=all",
               "--set", "network.lateral=none"]


def simulate(key, value, pop, band, tmp):
    out = os.path.join(tmp, "r.h5")
    subprocess.run([LAM, "run", "models/emergent.ini", "--quiet", "--t-end", "2.5",
                    *QUIET, "--set", f"{key}={value}", "-o", out], check=True)
    with h5py.File(out) as f:
        t = f["time"][:]
        x = f["traces/" + pop][:].mean(axis=2)[t >= 1.5]  # time x columns
    os.remove(out)
    amp = np.ptp(x, axis=0).mean()
    y = x.mean(axis=1) - x.mean()
    n = len(y)
    spec = np.abs(np.fft.rfft(y * np.hanning(n), 8 * n)) ** 2
    fr = np.fft.rfftfreq(8 * n, t[1] - t[0])
    s = (fr >= band[0]) & (fr <= band[1])
    return (fr[s][np.argmax(spec[s])] if amp > 1e-3 else np.nan), amp


def ping_pair(value):
    """Leading eigenvalue pair in 30-100 Hz of one column at pv_strength."""
    txt = subprocess.run([LAM, "analyze", "models/emergent.ini", "--fixed-points",
                          "--guesses", "1", *ONE, "--set", f"column.pv_strength={value}"],
                         check=True, capture_output=True, text=True).stdout
    best = (-np.inf, np.nan)
    for line in txt.splitlines()[3:]:
        w = line.split()
        if len(w) == 4:
            re, im = float(w[2]), float(w[3])
            if 2 * np.pi * 30 < im < 2 * np.pi * 60 and re > best[0]:
                best = (re, im / (2 * np.pi))
    return best


def main():
    fig, ax = plt.subplots(2, 2, figsize=(9, 6), sharex="col")
    with tempfile.TemporaryDirectory() as tmp:
        pv = [0, 0.4, 0.6, 0.7, 0.8, 1.0]
        sim = [simulate("column.pv_strength", v, "l23", (20, 100), tmp) for v in pv]
        lin_x = np.round(np.arange(0.4, 1.01, 0.05), 2)
        lin = [ping_pair(v) for v in lin_x]
        re = np.array([r for r, _ in lin])
        k = np.nonzero(np.diff(np.sign(re)) > 0)[0]
        hopf = (lin_x[k[0]] - re[k[0]] * (lin_x[k[0] + 1] - lin_x[k[0]]) /
                (re[k[0] + 1] - re[k[0]])) if len(k) else np.nan
        for v, (f, a) in zip(pv, sim):
            print(f"pv_strength = {v:g}: L2/3 peak {f:.1f} Hz, peak-to-peak {a:.3g} a.u.")
        for v, (r, f) in zip(lin_x, lin):
            print(f"pv_strength = {v:g}: one column, loop eigenvalue Re {r:.2f}/s at {f:.1f} Hz")
        print(f"Hopf point of the PING loop (one column): pv_strength = {hopf:.3f}")
        ax[0, 0].plot(pv, [a for _, a in sim], "o-", label="simulated, 8 columns")
        ax[0, 0].axvline(hopf, color="grey", ls="--", label=f"Hopf, one column ({hopf:.2f})")
        ax[0, 0].set_ylabel("L2/3 peak-to-peak (a.u.)")
        ax[0, 0].set_title("PING gamma")
        ax[0, 0].legend(fontsize=8)
        ax[1, 0].plot(pv, [f for f, _ in sim], "o-", label="simulated peak")
        ax[1, 0].plot(lin_x, [f for _, f in lin], "s--", label="Im(lambda)/2pi, one column")
        ax[1, 0].axvline(hopf, color="grey", ls="--")
        ax[1, 0].set_ylabel("frequency (Hz)")
        ax[1, 0].set_xlabel("column.pv_strength")
        ax[1, 0].legend(fontsize=8)
        wsl = [0, 4, 6, 8, 10, 12]
        deep = [simulate("column.w_sl", v, "l5b", (4, 40), tmp) for v in wsl]
        for v, (f, a) in zip(wsl, deep):
            print(f"w_sl = {v:g}: L5 peak {f:.1f} Hz, peak-to-peak {a:.3g} a.u.")
        ax[0, 1].plot(wsl, [a for _, a in deep], "o-")
        ax[0, 1].set_title("deep alpha/beta")
        ax[0, 1].set_ylabel("L5 peak-to-peak (a.u.)")
        ax[1, 1].plot(wsl, [f for f, _ in deep], "o-")
        ax[1, 1].set_ylabel("frequency (Hz)")
        ax[1, 1].set_xlabel("column.w_sl")
    fig.suptitle("Onset of the column's rhythms (models/emergent.ini, constant drive, no noise)")
    fig.tight_layout()
    fig.savefig("docs/figures/rhythm-onset.png", dpi=100)


if __name__ == "__main__":
    main()
