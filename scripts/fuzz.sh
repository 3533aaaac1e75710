#!/usr/bin/env bash
# Builds the libFuzzer harnesses in fuzz/ with clang (ASan + UBSan) and runs each on its checked-in seed corpus.
#   scripts/fuzz.sh            10 seconds per harness (what the test suite runs)
#   scripts/fuzz.sh 3600       an hour per harness (a long search)
# The harnesses run side by side, one per core. New inputs found go to build-fuzz/corpus/<name>/ (not the
# checked-in seeds); a crasher is written to build-fuzz/<name>-crash-* and the script fails: add the crasher to
# fuzz/corpus/<name>/ once it is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
./scripts/setup.sh
build=build-fuzz
CC=clang CXX=clang++ cmake -S fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The harnesses run side by side, one per core; each one's findings are prefixed with its name.
fuzz_one() {
  local name=$1
  mkdir -p "$build/corpus/$name"
  # -rss_limit_mb: an input that makes a parser allocate without bound is a finding, not a hang.
  (cd "$build" && "./${name}_fuzz" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
     -print_final_stats=0 -artifact_prefix="${name}-" "corpus/$name" "../fuzz/corpus/$name" >"$name.log" 2>&1 || true)
  echo "fuzz: $name for ${seconds} s"
  grep -E "^(#[0-9]+ +DONE|==|SUMMARY|.*ERROR)" "$build/$name.log" || true
}
running=0
for name in spec experiment threshold tokenizer counts idx; do
  fuzz_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$(nproc)" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
found=$(find "$build" -maxdepth 1 \( -name '*crash-*' -o -name '*leak-*' -o -name '*timeout-*' -o -name '*oom-*' \))
if [ -n "$found" ]; then
  echo "fuzz: failing inputs (see above): $found"; exit 1
fi
echo "fuzz: no failure"
