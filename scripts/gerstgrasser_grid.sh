#!/usr/bin/env bash
# Gerstgrasser et al. (COLM 2024), the whole linear-regression grid in one command: for T in {100, 316, 1000}
# and sigma^2 in {0.01, 0.1, 1, 10, 100}, runs examples/gerstgrasser2024_linear.toml (d = 32, 50 iterations,
# replace, accumulate and grow) and prints, per cell and regime, the simulated mean test error at n = 50 with
# its standard error beside the closed form (the summary's theory column).
#   scripts/gerstgrasser_grid.sh [OUROBOROS_BINARY] [extra --set ...]     (default binary: build/ouroboros)
# Output: results/gerstgrasser_grid/T<T>_var<sigma^2>/ and one CSV table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/ouroboros}
shift || true
echo "T,sigma2,regime,generation,test_error,se,theory"
for T in 100 316 1000; do
  for var in 0.01 0.1 1 10 100; do
    sigma=$(awk -v v="$var" 'BEGIN { printf "%.17g", sqrt(v) }')
    out="results/gerstgrasser_grid/T${T}_var${var}"
    "$binary" run examples/gerstgrasser2024_linear.toml --quiet --out "$out" --set experiment.samples="$T" \
      --set "truth.family=\"linear_regression(d=32, sigma=$sigma)\"" "$@"
    # summary.csv: regime,generation,metric,mean,sd,se,ci_lo,ci_hi,q05,q50,q95,finite,theory_lo,theory,...
    awk -F, -v T="$T" -v var="$var" '$2 == 50 && $3 == "test_error" { print T "," var "," $1 "," $2 "," $4 "," $6 "," $14 }' \
      "$out/summary.csv"
  done
done
