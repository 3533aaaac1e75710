// vae: the classifier separates the shipped stand-in's classes, the image scores of the reference set against
// itself (FD 0, precision and recall 1), a fit that lowers the held-out -ELBO, save/load round trips of both
// networks, sampling (sizes, grey levels, determinism, decoder draws), regimes at the image level, and bad input.
#include "ouroboros/families/images/vae.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ouroboros/core/error.hpp"
#include "ouroboros/data/fashion_mnist.hpp"
#include "ouroboros/families/images/image_scorer.hpp"
#include "ouroboros/regimes/regime.hpp"
#include "support/errors.hpp"
#include "support/training_set_sizes.hpp"

namespace ouro {
namespace {

const std::string kTiny = std::string(OUROBOROS_SOURCE_DIR) + "/tests/data/fashion_tiny";

vision::Labelled labelled(const LabelledImages& split, std::uint32_t rows, std::uint32_t cols) {
  return vision::Labelled{rows, cols, static_cast<std::int64_t>(split.count), split.pixels, split.labels};
}

std::string truth(const std::string& extra = "") {
  return "vae(data=\"" + kTiny + "\", train_size=60, test_size=40, classifier_epochs=150, cache=\"" OUROBOROS_TEST_CACHE
         "\"" + extra + ")";
}

// The stand-in's classes are fixed bright-pixel patterns with jitter: a working classifier separates them.
TEST(VaeClassifier, SeparatesTheStandInsClassesAndScoresAReferenceAgainstItselfExactly) {
  const auto raw = load_fashion_mnist(kTiny);
  const auto train = labelled(raw.train, raw.rows, raw.cols), test = labelled(raw.test, raw.rows, raw.cols);
  const vision::ImageScorer scorer(train, test, test, 150, "");
  EXPECT_GE(scorer.test_accuracy(), 0.9) << "documented in docs/images.md";
  EXPECT_EQ(scorer.source(), "trained");
  const auto self = scorer.score(test.batch(), 1);
  EXPECT_NEAR(self.fd, 0.0, 1e-6);
  EXPECT_EQ(self.precision, 1.0);
  EXPECT_EQ(self.recall, 1.0);
  double total = 0;
  for (const double p : self.class_share) total += p;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_LE(self.class_entropy, std::log(10.0) + 1e-12);
  EXPECT_GT(self.pixel_diversity, 0.0);
  // Trained again: the same network bit for bit (one thread, fixed seed), so the same scores.
  const vision::ImageScorer again(train, test, test, 150, "");
  const auto train_scores = scorer.score(train.batch(), 1), train_again = again.score(train.batch(), 1);
  EXPECT_EQ(train_scores.fd, train_again.fd);
  EXPECT_EQ(train_scores.class_share, train_again.class_share);
}

TEST(VaeClassifier, IsCachedByItsInputsAndReadBack) {
  const auto raw = load_fashion_mnist(kTiny);
  const auto train = labelled(raw.train, raw.rows, raw.cols), test = labelled(raw.test, raw.rows, raw.cols);
  const auto dir = std::filesystem::temp_directory_path() / ("ouroboros_vae_cache_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const vision::ImageScorer first(train, test, test, 2, dir);
  EXPECT_EQ(first.source().rfind("trained, cached at ", 0), 0u) << first.source();
  const vision::ImageScorer second(train, test, test, 2, dir);
  EXPECT_EQ(second.source().rfind("cache ", 0), 0u) << second.source();
  EXPECT_EQ(second.key(), first.key());
  EXPECT_EQ(second.score(train.batch(), 1).fd, first.score(train.batch(), 1).fd);
  const vision::ImageScorer other(train, test, test, 3, dir);  // another number of epochs: another key
  EXPECT_NE(other.key(), first.key());
  std::filesystem::remove_all(dir);
}

// Ten black-and-white 12x12 patterns, each image one of them: an untrained Bernoulli decoder costs about
// 144 ln 2 = 99.8 nats per image, and a VAE that has learnt the patterns needs little more than the KL of telling
// ten of them apart (a few nats). Training on 160 images must bring held-out images below a third of the start.
TEST(VaeNetwork, TrainingLowersTheHeldOutNegativeElbo) {
  Rng pick(3, 0, 0, Stream::kTruth);
  boost::random::uniform_int_distribution<int> bit(0, 1), cls(0, 9);
  std::vector<std::uint8_t> patterns(10 * 144);
  for (auto& p : patterns) p = bit(pick) ? 255 : 0;
  const auto images = [&](std::int64_t n) {
    std::vector<std::uint8_t> out;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto c = static_cast<std::ptrdiff_t>(cls(pick));
      out.insert(out.end(), patterns.begin() + c * 144, patterns.begin() + (c + 1) * 144);
    }
    return out;
  };
  const auto train_pixels = images(160), test_pixels = images(40);
  vision::VaeConfig c;
  c.rows = 12, c.cols = 12, c.latent = 4, c.channels = 8;
  Rng rng(1, 0, 1, Stream::kFit);
  auto net = vision::Vae::create(c, rng);
  const vision::ImageBatch train{train_pixels.data(), 160}, test{test_pixels.data(), 40};
  const double before = net->neg_elbo(test, 9, 1);
  vision::FitConfig fc;
  fc.epochs = 60, fc.batch = 16, fc.lr = 3e-3;
  const auto report = net->train(train, fc, rng, 1, CancelToken{}, nullptr);
  EXPECT_EQ(report.steps, 60 * 10);
  const double after = net->neg_elbo(test, 9, 1);
  EXPECT_NEAR(before, 144 * std::log(2.0), 5.0);
  EXPECT_LT(after, before / 3) << before << " -> " << after;
  EXPECT_EQ(net->neg_elbo(test, 9, 1), after) << "a fixed function of the network and the seed";
}

TEST(VaeNetwork, SaveLoadRoundTripsAndSamplingIsReproducible) {
  vision::VaeConfig c;
  c.rows = 12, c.cols = 12, c.latent = 3, c.channels = 4;
  Rng rng(2, 0, 1, Stream::kFit);
  const auto net = vision::Vae::create(c, rng);
  const auto loaded = vision::Vae::load(net->save());
  EXPECT_EQ(loaded->parameters(), net->parameters());
  std::vector<std::uint8_t> a, b, d;
  Rng ra(5, 0, 0, Stream::kSynthetic), rb(5, 0, 0, Stream::kSynthetic), rd(6, 0, 0, Stream::kSynthetic);
  net->sample(7, false, ra, 1, a);
  loaded->sample(7, false, rb, 1, b);
  net->sample(7, false, rd, 1, d);
  ASSERT_EQ(a.size(), 7u * 144);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, d);
  std::vector<std::uint8_t> drawn;
  Rng rr(5, 0, 0, Stream::kSynthetic);
  net->sample(7, true, rr, 1, drawn);
  for (const auto v : drawn) EXPECT_TRUE(v == 0 || v == 255) << "a Bernoulli draw is black or white";
  EXPECT_THROW(vision::Vae::load("not a network"), UserError);
  const auto clone = net->clone();
  EXPECT_EQ(clone->save(), net->save());
}

TEST(VaeFamily, RegimesSetTheTrainingSetSizePerGeneration) {
  const auto sim = make_simulator(truth(), "vae(latent=2, channels=2, batch=8, epochs=1, metric_samples=10)");
  testing::expect_training_set_sizes(*sim,
                                     {{"replace", {8, 8, 8}},
                                      {"accumulate", {8, 16, 24}},
                                      {"accumulate_subsample(size=12)", {8, 12, 12}},
                                      {"augment(ratio=0.5)", {8, 12, 12}},
                                      {"keep_real(fraction=0.25)", {8, 8, 8}}},
                                     8);
}

// Writes IDX files of `count` images of side x side pixels into `dir` (a data set the family must refuse).
void write_idx(const std::filesystem::path& dir, std::uint32_t side, std::uint32_t count) {
  std::filesystem::create_directories(dir);
  const auto be = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  for (const char* split : {"train", "t10k"}) {
    std::ofstream(dir / (std::string(split) + "-images-idx3-ubyte"), std::ios::binary)
        << std::string("\0\0\x08\x03", 4) << be(count) << be(side) << be(side) << std::string(count * side * side, '\x10');
    std::ofstream(dir / (std::string(split) + "-labels-idx1-ubyte"), std::ios::binary)
        << std::string("\0\0\x08\x01", 4) << be(count) << std::string(count, '\x01');
  }
}

TEST(VaeFamily, BadInputIsAUserError) {
  const auto expect_error = [](const std::string& t, const std::string& m, const std::string& needle) {
    const std::string error = testing::simulator_error(t, m);
    EXPECT_NE(error.find(needle), std::string::npos) << t << " / " << m << ": " << error;
  };
  const auto dir = std::filesystem::temp_directory_path() / ("ouroboros_vae_bad_" + std::to_string(::getpid()));
  write_idx(dir, 10, 20);
  expect_error("vae(data=\"" + dir.string() + "\")", "vae", "images of 10x10 pixels");
  std::filesystem::remove_all(dir);
  expect_error(truth(", train_size=121"), "vae", "train_size");
  expect_error(truth(", test_size=61"), "vae", "test_size");
  expect_error("vae(data=\"/nonexistent\")", "vae", "dataset-fashion-mnist");
  expect_error(truth(), "vae(latent=0)", "latent");
  expect_error(truth(), "vae(metric_samples=5)", "metric_samples");
  expect_error(truth(), "vae(decoder=poisson)", "decoder");
}

}  // namespace
}  // namespace ouro
