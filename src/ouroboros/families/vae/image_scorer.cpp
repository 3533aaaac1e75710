#include "ouroboros/families/vae/image_scorer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace ouro::vision {

namespace {

constexpr int kK = 5;                    // Kynkäänniemi et al.'s k
constexpr std::uint64_t kSeed = 20190;   // the classifier's initialisation and batch order
constexpr const char* kVersion = "lenet-1";  // changes when the network or its training changes

// FNV-1a, 64 bits: a stable key for a cache file name (not a security hash).
std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

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

std::filesystem::path default_cache_dir() {
  if (const char* d = std::getenv("OUROBOROS_CACHE"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "ouroboros";
  if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "ouroboros";
  return {};
}

ImageScorer::ImageScorer(const Labelled& train, const Labelled& test, const Labelled& reference, std::int64_t epochs,
                         const std::filesystem::path& cache_dir)
    : rows_(train.rows), cols_(train.cols) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, kVersion, std::strlen(kVersion));
  const std::int64_t header[] = {train.rows, train.cols, train.count, epochs, static_cast<std::int64_t>(kSeed)};
  h = fnv1a(h, header, sizeof header);
  h = fnv1a(h, train.pixels.data(), train.pixels.size());
  h = fnv1a(h, train.labels.data(), train.labels.size());
  key_ = fmt::format("{:016x}", h);
  const auto path = cache_dir.empty() ? std::filesystem::path() : cache_dir / fmt::format("classifier-{}.bin", key_);
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream bytes;
      bytes << in.rdbuf();
      try {
        classifier_ = Classifier::load(std::move(bytes).str());
        source_ = "cache " + path.string();
      } catch (const std::exception&) {
        classifier_.reset();  // a damaged file: trained again and rewritten below
      }
    }
  }
  if (!classifier_) {
    classifier_ = Classifier::create(train.rows, train.cols, kSeed);
    Rng rng(kSeed, 0, 0, Stream::kFit);
    FitConfig fc;
    fc.epochs = epochs;
    classifier_->train(train.batch(), train.labels, fc, rng, 1);
    source_ = "trained";
    if (!path.empty()) {
      try {
        std::filesystem::create_directories(cache_dir);
        // Written under a temporary name and renamed, so a concurrent run never reads half a file.
        const auto temp = path.string() + fmt::format(".tmp{}", ::getpid());
        {
          std::ofstream out(temp, std::ios::binary);
          out << classifier_->save();
          if (!out.flush()) throw std::runtime_error("cannot write " + temp);
        }
        std::filesystem::rename(temp, path);
        source_ = "trained, cached at " + path.string();
      } catch (const std::exception& e) {
        std::cerr << fmt::format("warning: vae: the classifier is not cached ({}); it is trained again at every run\n",
                                 e.what());
      }
    }
  }
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
