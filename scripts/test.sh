#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds, and runs the whole test suite with CTest.
#   scripts/test.sh             Release build in build/, then the parser fuzzers for 10 s each (scripts/fuzz.sh)
#   scripts/test.sh --sanitize  AddressSanitizer + UndefinedBehaviorSanitizer build in build-sanitize/
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
  export BUILD_DIR=build-sanitize BUILD_TYPE=RelWithDebInfo CMAKE_ARGS="-DOUROBOROS_SANITIZE=ON -DOUROBOROS_BENCHMARKS=OFF"
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
fi
./scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
# The fuzzers (libFuzzer, clang, ASan + UBSan) on their checked-in seeds, a short fixed budget each.
if [ "${1:-}" != "--sanitize" ]; then ./scripts/fuzz.sh 10; fi
