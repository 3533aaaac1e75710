#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds, and runs the bundled example
# (examples/quickstart.toml), printing the summary table and writing results/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
# --fresh: the example takes well under a second, so each run starts over rather than resuming an earlier store
# (which an older version may have written in another schema).
exec ./build/ouroboros run examples/quickstart.toml --fresh "$@"
