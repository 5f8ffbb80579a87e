#!/usr/bin/env bash
# sweep.sh: a resumable parameter sweep from the shell (docs/sweeps.md).
# Inverse temperature x gamma clock frequency, 4 x 3 points, 1 s each, two
# worker processes. Run it again after an interruption: finished points are
# skipped. Runs from any folder and writes beta_gamma.csv there; the program
# is $LAMINAR, else `laminar` on PATH, else the build tree's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
LAMINAR=${LAMINAR:-$(command -v laminar || echo "$root/build/cli/laminar")}
"$LAMINAR" sweep "$root/models/default.ini" \
  --grid column.beta=0.5:4:4:log \
  --values clocks.gamma_hz=30,40,50 \
  --metric attention_entropy --metric gamma_power_l23 --metric alpha_power_l5 \
  --metric segregation_index \
  --t-end "${T_END:-1}" -j 2 -o beta_gamma.csv
# The rows (the provenance is in beta_gamma.csv.meta):
cut -c1-120 beta_gamma.csv
