// Google Benchmark: one round of the exact bs_spike MLE under accumulate, at round 10 and round 100 (pools
// of 10n and 100n samples drawn from the round-1 model, n = 100).
//   ./build/spike_bench
#include <benchmark/benchmark.h>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/bs_spike/bs_spike.hpp"

namespace {

void BM_SpikeFitAtRound(benchmark::State& state) {
  const ouro::BsSpikeFamily family(ouro::parse_spec("bs_spike"), ouro::parse_spec("bs_spike"));
  const std::int64_t n = 100, round = state.range(0);
  ouro::Rng rng(1, 0, 1, ouro::Stream::kSynthetic);
  std::vector<double> pool;
  family.sample(family.truth(), n, rng, pool);
  ouro::BsSpikeFamily::Model model;
  family.fit_samples(pool, model);
  family.sample(model, n * (round - 1), rng, pool);
  for (auto _ : state) {
    family.fit_samples(pool, model);
    benchmark::DoNotOptimize(model);
  }
  state.counters["pool"] = static_cast<double>(pool.size());
}
BENCHMARK(BM_SpikeFitAtRound)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
