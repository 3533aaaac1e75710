#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds, and runs the bundled example
# (examples/quickstart.toml), printing the summary table and writing results/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
exec ./build/ouroboros run examples/quickstart.toml "$@"
