#include "ouroboros/families/images/image_scorer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "ouroboros/families/images/trained_cache.hpp"

namespace ouro::vision {

namespace {

constexpr int kK = 5;                    // Kynkäänniemi et al.'s k
constexpr std::uint64_t kSeed = 20190;   // the classifier's initialisation and batch order
constexpr const char* kVersion = "lenet-1";  // changes when the network or its training changes

Eigen::MatrixXd feature_matrix(const Classifier& c, ImageBatch images, int threads, std::vector<std::uint8_t>& classes) {
  std::vector<float> f;
  c.features(images, threads, f, classes);
  Eigen::MatrixXd x(images.count, Classifier::kFeatures);
  for (std::int64_t i = 0; i < images.count; ++i)
    for (std::int64_t j = 0; j < Classifier::kFeatures; ++j)
      x(i, j) = f[static_cast<std::size_t>(i * Classifier::kFeatures + j)];
  return x;
}

}  // namespace

ImageScorer::ImageScorer(const Labelled& train, const Labelled& test, const Labelled& reference, std::int64_t epochs,
                         const std::filesystem::path& cache_dir)
    : rows_(train.rows), cols_(train.cols) {
  const std::int64_t header[] = {train.rows, train.cols, train.count, epochs, static_cast<std::int64_t>(kSeed)};
  key_ = CacheKey()
             .add(kVersion)
             .add(header, sizeof header)
             .add(train.pixels.data(), train.pixels.size())
             .add(train.labels.data(), train.labels.size())
             .hex();
  const auto accept = [&](const std::string& bytes) {
    try {
      classifier_ = Classifier::load(bytes);
      return true;
    } catch (const std::exception&) {
      return false;  // a damaged file: trained again and rewritten
    }
  };
  const auto train_it = [&] {
    classifier_ = Classifier::create(train.rows, train.cols, kSeed);
    Rng rng(kSeed, 0, 0, Stream::kFit);
    FitConfig fc;
    fc.epochs = epochs;
    classifier_->train(train.batch(), train.labels, fc, rng, 1);
    return classifier_->save();
  };
  cached_or_trained(cache_dir, fmt::format("classifier-{}.bin", key_), accept, train_it, "feature classifier", source_);
  std::vector<std::uint8_t> predicted;
  feature_matrix(*classifier_, test.batch(), 1, predicted);
  std::int64_t right = 0;
  for (std::int64_t i = 0; i < test.count; ++i) right += predicted[static_cast<std::size_t>(i)] == test.labels[static_cast<std::size_t>(i)];
  accuracy_ = test.count > 0 ? static_cast<double>(right) / static_cast<double>(test.count) : std::nan("");
  predicted.clear();
  reference_ = feature_matrix(*classifier_, reference.batch(), 1, predicted);
  reference_moments_ = feature_moments(reference_);
}

ImageScores ImageScorer::score(ImageBatch generated, int threads) const {
  std::vector<std::uint8_t> classes;
  const Eigen::MatrixXd f = feature_matrix(*classifier_, generated, threads, classes);
  ImageScores s;
  s.fd = frechet_distance(reference_moments_, feature_moments(f));
  const auto pr = precision_recall(reference_, f, kK);
  s.precision = pr.precision;
  s.recall = pr.recall;
  std::array<std::int64_t, Classifier::kClasses> counts{};
  for (const auto c : classes) ++counts[c];
  for (std::size_t c = 0; c < counts.size(); ++c)  // counts, then one division: one class of all gives exactly 1
    s.class_share[c] = static_cast<double>(counts[c]) / static_cast<double>(generated.count);
  for (const double p : s.class_share)
    if (p > 0) s.class_entropy -= p * std::log(p);
  const auto pixels = rows_ * cols_;
  Eigen::MatrixXd x(generated.count, pixels);
  for (std::int64_t i = 0; i < generated.count; ++i)
    for (std::int64_t j = 0; j < pixels; ++j) x(i, j) = generated.pixels[i * pixels + j] / 255.0;
  s.pixel_diversity = mean_pairwise_distance(x);
  return s;
}

}  // namespace ouro::vision
