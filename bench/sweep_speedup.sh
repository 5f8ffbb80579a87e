#!/usr/bin/env bash
# sweep_speedup.sh [LAMINAR]: points per second of `laminar sweep` on the
# default model (1 s simulated per point) with -j 1 and -j 2, side by side,
# and their ratio. Short (8 points each) so it can run on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
L=${1:-build/cli/laminar}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1
run() { # jobs
  local t0 t1
  t0=$(date +%s.%N)
  "$L" sweep models/default.ini --grid column.beta=0.5:2:8 --metric gamma_power_l23 \
    --metric attention_entropy --t-end 1 -j "$1" --quiet -o "$tmp/j$1.csv"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
w1=$(run 1)
w2=$(run 2)
printf 'j1: %.2f s (%.2f points/s)\nj2: %.2f s (%.2f points/s)\nspeed-up j2/j1: %.2f\n' \
  "$w1" "$(echo "8 / $w1" | bc -l)" "$w2" "$(echo "8 / $w2" | bc -l)" "$(echo "$w1 / $w2" | bc -l)"
