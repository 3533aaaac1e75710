#!/usr/bin/env bash
# Barzilai & Shamir (NeurIPS 2025) Appendix G, the whole grid: for each of the six examples
# examples/barzilai_shamir2025_appendix_g*.toml (power, exponential, gaussian; exact and optimised MLE),
# n in {20, 50, 100} and theta_0 in {0.1, 0.2, 0.5, 1}, runs 100 rounds and prints error(T)/error(1) at
# T = 10, 50, 100 under accumulate and replace (scripts/error_ratio.py).
#   scripts/appendix_g.sh [OUROBOROS_BINARY] [extra --set ...]     (default binary: build/ouroboros)
# Output: results/appendix_g/<example>_n<n>_theta<theta>/ and one CSV table on stdout.
# The power and exponential part is also one sweep: examples/barzilai_shamir2025_appendix_g_grid.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/ouroboros}
shift || true
echo "example,n,theta0,regime,error_1,ratio_10,ratio_50,ratio_100"
for file in examples/barzilai_shamir2025_appendix_g*.toml; do
  name=$(basename "$file" .toml)
  for n in 20 50 100; do
    for theta in 0.1 0.2 0.5 1; do
      case "$name" in
        *gaussian*) truth="gaussian(mean=0, sd=$theta)" ;;
        *exponential*) truth="exponential(rate=$theta)" ;;
        *) truth="power(theta=$theta)" ;;
      esac
      out="results/appendix_g/${name}_n${n}_theta${theta}"
      "$binary" run "$file" --quiet --out "$out" --set experiment.samples=$n --set "truth.family=\"$truth\"" "$@"
      scripts/error_ratio.py "$out" | tail -n +2 | sed "s/^/$name,$n,$theta,/"
    done
  done
done
