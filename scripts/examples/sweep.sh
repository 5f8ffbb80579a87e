#!/usr/bin/env bash
# sweep.sh: a resumable parameter sweep from the shell (docs/sweeps.md).
# Inverse temperature x gamma clock frequency, 4 x 3 points, 1 s each, two
# worker processes. Run it again after an interruption: finished points are
# skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
LAMINAR=${LAMINAR:-laminar}
"$LAMINAR" sweep models/default.ini \
  --grid column.beta=0.5:4:4:log \
  --values clocks.gamma_hz=30,40,50 \
  --metric attention_entropy --metric gamma_power_l23 --metric alpha_power_l5 \
  --metric segregation_index \
  --t-end 1 -j 2 -o beta_gamma.csv
# The rows (the provenance is in beta_gamma.csv.meta):
column -s, -t beta_gamma.csv | cut -c1-120
