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
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/spec.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/families/images/vision.hpp"

namespace ouro::vision {

class ImageScorer;

const std::vector<ParamInfo>& image_truth_params();

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
  // The score metrics of `generated` into out (kScoreMetrics values, in order).
  void score(ImageBatch generated, int threads, std::span<double> out) const;
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
