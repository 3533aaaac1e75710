#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds, and runs the whole test suite with CTest.
#   scripts/test.sh             (what CI runs, 20 to 40 minutes on 2 cores; each stage's start is logged)
#                               1. the Release build in build/ and the whole suite;
#                               2. the parser fuzzers for 10 s each (scripts/fuzz.sh);
#                               3. the whole suite again built by Clang with AddressSanitizer +
#                                  UndefinedBehaviorSanitizer at -O1 without debug information (build-asan/: the
#                                  quickest sanitizer build to make; GCC's took half as long again),
#                                  without the Python module, MPI and the libtorch families transformer_lm, vae and diffusion
#                                  (their runtimes are not instrumented; the serial stub is tested there instead)
#   scripts/test.sh --sanitize  only the suite under ASan + UBSan, built by GCC with debug information
#                               (build-sanitize/): the other compiler's sanitizers
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
# Each stage's start and the time so far, so that a slow CI log shows where the time went.
stage() { echo "test.sh: $1 (at $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }
sanitizer_suite() {
  CC="${CC:-cc}" CXX="${CXX:-c++}" BUILD_DIR="$1" BUILD_TYPE="$2" CXXFLAGS="${3:-}" \
    CMAKE_ARGS="-DOUROBOROS_SANITIZE=ON -DOUROBOROS_BENCHMARKS=OFF -DOUROBOROS_PYTHON=OFF -DOUROBOROS_MPI=OFF -DOUROBOROS_FAMILY_TRANSFORMER_LM=OFF -DOUROBOROS_FAMILY_IMAGES=OFF" \
    ./scripts/build.sh
  stage "the suite in $1"
  ctest --test-dir "$1" --output-on-failure -j "$(nproc)"
}
if [ "${1:-}" = "--sanitize" ]; then
  sanitizer_suite build-sanitize RelWithDebInfo
  exit 0
fi
stage "the Release build"
./scripts/build.sh
stage "the suite"
ctest --test-dir build --output-on-failure -j "$(nproc)"
# The fuzzers (libFuzzer, clang, ASan + UBSan) on their checked-in seeds, a short fixed budget each.
stage "the fuzzers"
./scripts/fuzz.sh 10
stage "the sanitizer build"
CC=clang CXX=clang++ sanitizer_suite build-asan None "-O1 -g0"
stage "done"
