#!/usr/bin/python3
"""rhythm-onset.py: the onset of the column's own rhythms (docs/rhythms.md).

Runs models/emergent.ini without input noise and with constant drive for
3 s at each value of one key, and plots the peak frequency and the
peak-to-peak amplitude (last 1 s) of the column-mean rate against it:
PING gamma (L2/3) against column.pv_strength, deep alpha/beta (L5 basal)
against column.w_sl. Writes docs/figures/rhythm-onset.png and prints the
numbers. Usage: scripts/rhythm-onset.py [LAMINAR] (default build/cli/laminar),
from the repository's root; needs numpy, scipy, h5py, matplotlib.
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
SCANS = [("column.pv_strength", [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0], "l23", (20, 100), "PING gamma, L2/3"),
         ("column.w_sl", [0, 2, 4, 5, 6, 7, 8, 10, 12], "l5b", (4, 40), "deep alpha/beta, L5")]


def measure(key, value, pop, band, tmp):
    out = os.path.join(tmp, "r.h5")
    subprocess.run([LAM, "run", "models/emergent.ini", "--quiet", "--t-end", "3",
                    "--set", "stimulus.protocol=constant", "--set", "stimulus.noise_sigma=0",
                    "--set", "probe.enabled=false", "--set", f"{key}={value}", "-o", out],
                   check=True)
    with h5py.File(out) as f:
        t = f["time"][:]
        x = f["traces/" + pop][:].mean(axis=2)[t >= 2.0]  # time x columns
    os.remove(out)
    amp = np.ptp(x, axis=0).mean()
    y = x.mean(axis=1) - x.mean()
    n = len(y)
    spec = np.abs(np.fft.rfft(y * np.hanning(n), 8 * n)) ** 2
    fr = np.fft.rfftfreq(8 * n, t[1] - t[0])
    s = (fr >= band[0]) & (fr <= band[1])
    return fr[s][np.argmax(spec[s])] if amp > 1e-6 else np.nan, amp


def main():
    fig, ax = plt.subplots(2, 2, figsize=(9, 6), sharex="col")
    with tempfile.TemporaryDirectory() as tmp:
        for c, (key, vals, pop, band, title) in enumerate(SCANS):
            res = [measure(key, v, pop, band, tmp) for v in vals]
            for v, (f, a) in zip(vals, res):
                print(f"{key} = {v:g}: {pop} peak {f:.1f} Hz, peak-to-peak {a:.3g} a.u.")
            ax[0, c].plot(vals, [a for _, a in res], "o-")
            ax[0, c].set_title(title)
            ax[0, c].set_ylabel("peak-to-peak (a.u.)")
            ax[1, c].plot(vals, [f for f, _ in res], "o-")
            ax[1, c].set_ylabel("peak frequency (Hz)")
            ax[1, c].set_xlabel(key)
    fig.suptitle("Onset of the column's rhythms (models/emergent.ini, constant drive, no noise)")
    fig.tight_layout()
    fig.savefig("docs/figures/rhythm-onset.png", dpi=100)


if __name__ == "__main__":
    main()
