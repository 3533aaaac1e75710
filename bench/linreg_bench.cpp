// Google Benchmark: one generation of linear_regression under accumulate with a fixed design (W3's kernel:
// d = 32, T = 1000, OLS). The pool holds k copies of X after generation k, but its statistics are
// (copies, X^T y): a generation costs the same at generation 10 as at generation 1000.
//   ./build/linreg_bench
// For scale, BM_LinregFreshReplace times a fresh-design generation (Wishart-drawn X^T X and a Cholesky
// solve).
#include <benchmark/benchmark.h>

#include "ouroboros/engine/family.hpp"

namespace {

using ouro::KernelKind;

void run_at(benchmark::State& state, const char* model, const char* regime) {
  const auto sim = ouro::make_simulator("linear_regression(d=32, sigma=1)", model);
  const std::int64_t at = state.range(0);
  const ouro::SampleSchedule n(std::vector<std::int64_t>(static_cast<std::size_t>(at + 64), 1000));
  std::vector<double> metrics(sim->metrics().size());
  auto chain = sim->chain(ouro::parse_regime(regime), KernelKind::kStatistics, n, 1, 0);
  std::int64_t g = 1;
  for (; g < at; ++g) chain->step(g, metrics);
  for (auto _ : state) {
    state.PauseTiming();
    if (g == at + 64) {  // keep measuring the same generations: rebuild the chain up to `at`
      chain = sim->chain(ouro::parse_regime(regime), KernelKind::kStatistics, n, 1, 0);
      for (g = 1; g < at; ++g) chain->step(g, metrics);
    }
    state.ResumeTiming();
    chain->step(g++, metrics);
  }
}

void BM_LinregAccumulateAt(benchmark::State& state) {
  run_at(state, "linear_regression(estimator=ols)", "accumulate");
}
BENCHMARK(BM_LinregAccumulateAt)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_LinregFreshReplace(benchmark::State& state) {
  run_at(state, "linear_regression(estimator=ols, design=fresh)", "replace");
}
BENCHMARK(BM_LinregFreshReplace)->Arg(10)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
