#!/usr/bin/env bash
# Configures and builds Ouroboros in build/ (Release by default; BUILD_TYPE and BUILD_DIR override).
set -euo pipefail
cd "$(dirname "$0")/.."
"./scripts/setup.sh"
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
