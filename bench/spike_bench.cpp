// Google Benchmark: one round of bs_spike under accumulate on the statistics kernel (draw n = 100 samples,
// merge them into the sorted pool, exact MLE), at round 10 and round 100 (pools of 10n and 100n samples).
// The same for bs_staircase, with height 1000 (the staircase never switches: per-step counts and maxima only)
// and height 2 (switched within a few rounds: the top step's samples grow with the pool).
//   ./build/spike_bench
#include <benchmark/benchmark.h>

#include <string>
#include <utility>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/bs_spike/bs_spike.hpp"
#include "ouroboros/families/bs_staircase/bs_staircase.hpp"

namespace {

// Builds an accumulate pool up to `round` (refitting the model each round when `refit`, else sampling from the
// round-1 fit), then times one round: draw n samples, merge them into the pool, fit. The pool is restored after
// each timed round. Returns the model and the pool as they were before the timed round.
template <class F>
std::pair<typename F::Model, typename F::Stats> time_round(benchmark::State& state, const F& family,
                                                           std::int64_t round, bool refit) {
  const std::int64_t n = 100;
  ouro::Rng rng(1, 0, 1, ouro::Stream::kSynthetic);
  typename F::Stats pool, batch;
  family.draw_stats(family.truth(), n, rng, pool);
  typename F::Model model;
  family.fit_stats(pool, model);
  for (std::int64_t r = 2; r < round; ++r) {
    family.draw_stats(model, n, rng, batch);
    family.merge(pool, batch);
    if (refit) family.fit_stats(pool, model);
  }
  const auto before = pool;
  for (auto _ : state) {
    family.draw_stats(model, n, rng, batch);
    family.merge(pool, batch);
    typename F::Model fit;
    family.fit_stats(pool, fit);
    benchmark::DoNotOptimize(fit);
    state.PauseTiming();
    pool = before;
    state.ResumeTiming();
  }
  return {model, before};
}

void BM_SpikeFitAtRound(benchmark::State& state) {
  const ouro::BsSpikeFamily family(ouro::parse_spec("bs_spike"), ouro::parse_spec("bs_spike"));
  const auto [model, before] = time_round(state, family, state.range(0), false);
  state.counters["pool"] = static_cast<double>(before.a.size() + before.b.size() + 100);
}
BENCHMARK(BM_SpikeFitAtRound)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);

// Arguments: the round, the height.
void BM_StaircaseFitAtRound(benchmark::State& state) {
  const ouro::BsStaircaseFamily family(ouro::parse_spec("bs_staircase"),
                                       ouro::parse_spec("bs_staircase(height=" + std::to_string(state.range(1)) + ")"));
  const auto [model, before] = time_round(state, family, state.range(0), true);
  state.counters["switched"] = model.spike() ? 1 : 0;
  state.counters["steps"] = static_cast<double>(before.count.size());
  state.counters["top_values"] = static_cast<double>(before.top.size());
}
BENCHMARK(BM_StaircaseFitAtRound)
    ->Args({10, 1000})
    ->Args({100, 1000})
    ->Args({10, 2})
    ->Args({100, 2})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
