// Google Benchmark: the cost of one generation of the statistics kernels, and of the samplers under them.
//   ./build/kernels_bench
// Counters: `per_alive_symbol` is the time per symbol alive in the source model (the W1 unit of work);
// `per_step` is the time per replicate-generation.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace {

using ouro::KernelKind;

// W1's kernel: Zipf(1.1) over m = 10^4 symbols, n = 10^5, replace, statistics kernel. Each iteration runs a
// fresh chain for `generations` generations, so the alive count decays as in the real workload.
void BM_CategoricalReplace(benchmark::State& state) {
  const auto sim = ouro::make_simulator("categorical(dist=zipf, m=10000, a=1.1, b=0)", "categorical");
  const std::int64_t generations = state.range(0);
  const ouro::SampleSchedule n(std::vector<std::int64_t>(static_cast<std::size_t>(generations), 100000));
  std::vector<double> metrics(sim->metrics().size());
  double alive = 0;
  std::uint64_t replicate = 0;
  for (auto _ : state) {
    auto chain = sim->chain(ouro::parse_regime("replace"), KernelKind::kStatistics, n, 1, replicate++);
    alive += 10000;  // the truth's support, drawn from at generation 1
    for (std::int64_t g = 1; g <= generations; ++g) {
      chain->step(g, metrics);
      if (g < generations) alive += metrics[0];
    }
  }
  state.counters["per_alive_symbol"] = benchmark::Counter(alive, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CategoricalReplace)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// Accumulate keeps pooled counts: a generation costs the same at generation 10 as at generation 1000.
void BM_CategoricalAccumulateAt(benchmark::State& state) {
  const auto sim = ouro::make_simulator("categorical(dist=zipf, m=1000, a=1.1, b=0)", "categorical");
  const std::int64_t at = state.range(0);
  const ouro::SampleSchedule n(std::vector<std::int64_t>(static_cast<std::size_t>(at + 64), 1000));
  std::vector<double> metrics(sim->metrics().size());
  auto chain = sim->chain(ouro::parse_regime("accumulate"), KernelKind::kStatistics, n, 1, 0);
  std::int64_t g = 1;
  for (; g < at; ++g) chain->step(g, metrics);
  for (auto _ : state) {
    state.PauseTiming();
    if (g == at + 64) {  // keep measuring the same generations: rebuild the chain up to `at`
      chain = sim->chain(ouro::parse_regime("accumulate"), KernelKind::kStatistics, n, 1, 0);
      for (g = 1; g < at; ++g) chain->step(g, metrics);
    }
    state.ResumeTiming();
    chain->step(g++, metrics);
  }
}
BENCHMARK(BM_CategoricalAccumulateAt)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

// W2's kernel: Gaussian, n = 100, unbiased, replace: a normal and a chi-squared per generation.
void BM_GaussianReplaceStep(benchmark::State& state) {
  const auto sim = ouro::make_simulator("gaussian", "gaussian(estimator=unbiased)");
  const ouro::SampleSchedule n(std::vector<std::int64_t>(1 << 20, 100));
  std::vector<double> metrics(sim->metrics().size());
  auto chain = sim->chain(ouro::parse_regime("replace"), KernelKind::kStatistics, n, 1, 0);
  std::int64_t g = 1;
  for (auto _ : state) {
    if (g > (1 << 20)) g = 1;
    chain->step(g++, metrics);
  }
  state.counters["per_step"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GaussianReplaceStep);

// W1's theory column: Corollary 1's bounds on E[#alive] (Suresh et al. 2025) over the m = 10^4 Zipf(1.1)
// truth, one generation per iteration (k = 1..1000), as the runner computes it once per generation.
void BM_DiscreteAlive(benchmark::State& state) {
  std::vector<double> p(10000);
  double total = 0;
  for (std::size_t i = 0; i < p.size(); ++i) total += p[i] = std::pow(static_cast<double>(i + 1), -1.1);
  for (auto& x : p) x /= total;
  std::int64_t k = 0;
  for (auto _ : state) {
    k = k % 1000 + 1;
    benchmark::DoNotOptimize(ouro::theory::discrete_alive(p, 100000, k));
  }
  state.counters["per_symbol"] = benchmark::Counter(static_cast<double>(state.iterations()) * 1e4,
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_DiscreteAlive);

// One uniform from the Philox4x64-10 stream: the floor under every exact sampler here.
void BM_Uniform(benchmark::State& state) {
  ouro::Rng rng(1, 0, 0, ouro::Stream::kSynthetic);
  double sum = 0;
  for (auto _ : state) sum += rng.uniform();
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_Uniform);

// W1's multinomial alone, one thread: Multinomial(10^5, counts / 10^5) over the alive symbols of a W1 chain
// (Zipf(1.1), m = 10^4) after `generations` generations of replace, drawn again and again from that state.
// Counters: time and uniforms consumed per alive symbol, to set beside BM_Uniform.
void BM_MultinomialW1State(benchmark::State& state) {
  constexpr std::int64_t n = 100000;
  std::vector<double> weights(10000);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = std::pow(static_cast<double>(i + 1), -1.1);
  std::vector<std::uint32_t> support(weights.size());
  for (std::uint32_t i = 0; i < support.size(); ++i) support[i] = i;
  std::vector<std::int64_t> counts(weights.size());
  for (std::int64_t g = 1; g <= state.range(0); ++g) {
    ouro::Rng rng(1, 0, static_cast<std::uint64_t>(g), ouro::Stream::kSynthetic);
    ouro::draw_multinomial(rng, n, weights, support, counts);
    std::vector<std::uint32_t> alive;
    for (const auto i : support)
      if (counts[i] > 0) alive.push_back(i);
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<double>(counts[i]) / n;
    support = std::move(alive);
  }
  ouro::Rng rng(2, 0, 0, ouro::Stream::kSynthetic);
  for (auto _ : state) ouro::draw_multinomial(rng, n, weights, support, counts);
  const double cells = static_cast<double>(state.iterations()) * static_cast<double>(support.size());
  state.counters["alive"] = static_cast<double>(support.size());
  state.counters["per_alive_symbol"] = benchmark::Counter(cells, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["uniforms_per_alive_symbol"] = static_cast<double>(rng.consumed()) / cells;
}
BENCHMARK(BM_MultinomialW1State)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

void BM_Binomial(benchmark::State& state) {
  const double mean = static_cast<double>(state.range(0));
  ouro::Rng rng(1, 0, 0, ouro::Stream::kSynthetic);
  std::int64_t sum = 0;
  double p = mean / 100000.0;
  for (auto _ : state) {
    sum += ouro::draw_binomial(rng, 100000, p);
    p = p * 1.0000001;  // a new parameter every call, as in a multinomial
  }
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_Binomial)->Arg(1)->Arg(5)->Arg(30)->Arg(300)->Arg(3000);

// One univariate hypergeometric as accumulate_subsample draws them: 10^5 items from a pool of 10^7 (the pool of
// W1's accumulate_subsample at generation 100), with `marked` set for the given mean. The pool shrinks by one
// item per call, so every call has new parameters, as in a multivariate draw.
void BM_Hypergeometric(benchmark::State& state) {
  const std::int64_t mean = state.range(0), draws = 100000;
  std::int64_t population = 10'000'000;
  ouro::Rng rng(1, 0, 0, ouro::Stream::kSubsample);
  std::int64_t sum = 0;
  for (auto _ : state) {
    sum += ouro::draw_hypergeometric(rng, population, mean * 100, draws);
    if (--population < 9'000'000) population = 10'000'000;
  }
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_Hypergeometric)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

void BM_Gamma(benchmark::State& state) {
  ouro::Rng rng(1, 0, 0, ouro::Stream::kSynthetic);
  double sum = 0;
  for (auto _ : state) sum += ouro::draw_gamma(rng, 49.5);
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_Gamma);

}  // namespace

BENCHMARK_MAIN();
