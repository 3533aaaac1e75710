// Google Benchmark: GMM fitting by EM and KDE sampling, the workloads bench/sklearn_side_by_side.py runs
// through scikit-learn.
//   ./build/em_kde_bench
// BM_GmmFit: 10^4 samples in 2-D from 3 components (separation 6, sd 1), EM with k = 3, full covariances,
// tol 1e-6 on the mean log-likelihood per sample, at most 200 iterations (sklearn's GaussianMixture with the
// same tol, reg_covar and max_iter). BM_KdeSample: 10^6 samples from a Gaussian KDE on 10^4 centers, h = 0.3.
#include <benchmark/benchmark.h>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/gmm/gmm.hpp"
#include "ouroboros/families/kde/kde.hpp"

namespace {

void BM_GmmFit(benchmark::State& state) {
  const ouro::GmmFamily family(ouro::parse_spec("gmm(k=3, d=2, separation=6, sd=1)"),
                               ouro::parse_spec("gmm(max_iter=200, tol=1e-6)"));
  ouro::Rng rng(1, 0, 1, ouro::Stream::kSynthetic);
  std::vector<ouro::GmmFamily::Sample> xs;
  family.sample(family.truth(), 10000, rng, xs);
  ouro::GmmFamily::Model fit;
  for (auto _ : state) {
    family.fit_samples(xs, fit);
    benchmark::DoNotOptimize(fit);
  }
  state.counters["iterations_em"] = fit.iterations;
  state.counters["fits_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GmmFit)->Unit(benchmark::kMillisecond);

void BM_KdeSample(benchmark::State& state) {
  const ouro::KdeFamily family(ouro::parse_spec("kde(mean=0, sd=1)"), ouro::parse_spec("kde(bandwidth=0.3)"));
  ouro::Rng data_rng(2, 0, 1, ouro::Stream::kSynthetic);
  std::vector<double> centers;
  family.sample(family.truth(), 10000, data_rng, centers);
  ouro::KdeFamily::Model model;
  family.fit_samples(centers, model);
  std::vector<double> out;
  out.reserve(1000000);
  std::uint64_t seed = 0;
  for (auto _ : state) {
    out.clear();
    ouro::Rng rng(3, seed++, 1, ouro::Stream::kSynthetic);
    family.sample(model, 1000000, rng, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["samples_per_s"] =
      benchmark::Counter(1e6 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_KdeSample)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
