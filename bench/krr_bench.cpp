// Google Benchmark: kernel_ridge on Fashion-MNIST (needs the Debian package dataset-fashion-mnist, see
// scripts/fetch_fashion_mnist.sh). Setup = loading the IDX files, choosing the subsets, and the pool and
// test Gram matrices (once per simulator); generation = one step of a chain on the statistics kernel (draw the
// counts and label sums, fit on the distinct inputs, predict pool and test set) at pool size P, measured at
// generations 2..21 so that accumulate's pool has grown to 21 P samples by the end.
//   ./build/krr_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/data/fashion_mnist.hpp"
#include "ouroboros/data/idx.hpp"

namespace {

std::string truth(std::int64_t pool) {
  return "kernel_ridge(train_size=" + std::to_string(pool) + ", test_size=1000)";
}

bool available(benchmark::State& state) {
  if (ouro::fashion_mnist_present(ouro::kFashionMnistDir)) return true;
  state.SkipWithError("Fashion-MNIST not installed: run scripts/fetch_fashion_mnist.sh");
  return false;
}

void BM_KrrSetup(benchmark::State& state) {
  if (!available(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(ouro::make_simulator(truth(state.range(0)), "kernel_ridge"));
}

void BM_KrrGeneration(benchmark::State& state) {
  if (!available(state)) return;
  const std::int64_t pool = state.range(0), generations = 21;
  const auto sim = ouro::make_simulator(truth(pool), "kernel_ridge(noise=0.1)");
  const ouro::SampleSchedule samples(std::vector<std::int64_t>(generations, pool));
  const ouro::Regime regime = ouro::parse_regime(state.range(1) ? "accumulate" : "replace");
  std::vector<double> metrics(sim->metrics().size());
  const auto chain = sim->chain(regime, ouro::KernelKind::kStatistics, samples, 1, 0);
  chain->step(1, metrics);
  std::int64_t g = 2;
  for (auto _ : state) chain->step(g++, metrics);  // Iterations(generations - 1): g ends at generations
  state.SetLabel(regime.name());
}

BENCHMARK(BM_KrrSetup)->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_KrrGeneration)
    ->ArgsProduct({{1000, 2000}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);  // generations 2..21

}  // namespace

BENCHMARK_MAIN();
