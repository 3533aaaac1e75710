#!/usr/bin/env bash
# Runs every paper example that declares a [figure] and draws it with `ouroboros plot` (the paper's metrics and
# axes, from the file) into docs/figures/<example>.png, the figures the README shows.
#   scripts/paper_figures.sh [OUROBOROS_BINARY]      (default: build/ouroboros)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/ouroboros}
mkdir -p docs/figures
for file in examples/*.toml; do
  grep -q '^\[figure\]' "$file" || continue
  name=$(basename "$file" .toml)
  out="results/paper_figures/$name"
  "$binary" run "$file" --quiet --fresh --out "$out"
  "$binary" plot "$out" --out "docs/figures/$name.png" >/dev/null
  echo "docs/figures/$name.png"
done
