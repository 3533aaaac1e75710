#pragma once
// What the image families (vae, diffusion) share: their truth (real images drawn from Fashion-MNIST's two splits),
// the real training images as the truth's samples, and the image scores of generated images against the test
// images (image_scorer.hpp), with the classifier behind them trained or read at the first score, not when the family
// is bound (checking an experiment file or a dry run stays quick).
//
// Truth keys    data, train_size, test_size, subset_seed (the subsets are drawn as kernel_ridge draws them),
//               classifier_epochs, cache.
// Score metrics fd, precision, recall, class_entropy, pixel_diversity, class_0 .. class_9, in this order, after a
//               family's own metrics.
#include <cstdint>
#include <functional>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/spec.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/families/images/vision.hpp"

namespace ouro::vision {

class ImageScorer;

const std::vector<ParamInfo>& image_truth_params();

using Image = std::vector<std::uint8_t>;  // rows x cols grey levels: one sample of an image family

// An image family's model: its network (null for the truth, whose samples are the real images), the fit's last
// training loss, and the size of the training set it saw. Net provides save() and a static load(bytes).
template <class Net>
struct NetModel {
  std::shared_ptr<const Net> net;
  double train_loss = 0;
  std::int64_t train_images = 0;
  template <class A>
  void archive(A& a) {
    std::string bytes;
    if constexpr (std::is_same_v<A, ArchiveWriter>)
      if (net) bytes = net->save();
    a(bytes, train_loss, train_images);
    if constexpr (std::is_same_v<A, ArchiveReader>) net = bytes.empty() ? nullptr : Net::load(bytes);
  }
};

// Images one after another, as separate samples (appended).
void split_images(const std::vector<std::uint8_t>& pixels, std::int64_t n, std::int64_t pixels_per_image,
                  std::vector<Image>& out);

// The fixed random stream of an image family's held-out metrics: the noise of a held-out loss, and the draws of the
// images the scores are taken of (the same for every model, so generations differ by their models alone).
inline constexpr std::uint64_t kMetricSeed = 0x6d6574726963;

// The score metrics, appended to a family's own metrics.
inline constexpr std::size_t kScoreMetrics = 15;
void append_score_metrics(std::vector<MetricInfo>& metrics);

class RealImages {
 public:
  // Reads the truth keys from `t` (the caller finishes the reader) and loads the images; UserError naming `what`.
  RealImages(SpecReader& t, const std::string& what);
  ~RealImages();

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::int64_t pixels() const { return rows_ * cols_; }
  const Labelled& train() const { return *train_; }
  const Labelled& test() const { return *test_; }
  const std::filesystem::path& cache_dir() const;  // where trained helpers are kept (empty: nowhere)

  // n real training images (families/common/real_draws.hpp: n = the set's size gives the set itself).
  void draw(std::int64_t n, Rng& rng, std::vector<std::vector<std::uint8_t>>& out) const;
  // An image family's metrics after its own `first` ones: NaN where not wanted; when any score is wanted,
  // `sample(n, rng, images)` draws metric_samples images from the fixed metric stream (the same draws for every
  // model) and they are scored against the test images.
  void score_metrics(std::span<double> out, std::size_t first, const MetricMask& wanted, std::int64_t metric_samples,
                     int threads, const std::function<void(std::int64_t, Rng&, std::vector<Image>&)>& sample) const;
  // The truth's data and the classifier (trained or read now, for its test accuracy).
  nlohmann::json describe() const;

 private:
  struct Lazy;
  const ImageScorer& scorer() const;
  std::int64_t rows_ = 0, cols_ = 0;
  std::shared_ptr<const Labelled> train_, test_;
  std::shared_ptr<Lazy> lazy_;
  nlohmann::json description_;
};

}  // namespace ouro::vision
