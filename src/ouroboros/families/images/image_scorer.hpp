#pragma once
// The image metrics of the image families, computed in the feature space of a classifier trained once on the real
// training images (vision.hpp's LeNet; no pretrained weights exist on these machines: Alemohammad et al. and
// Gillman et al. use LeNet features for MNIST the same way).
//   fd               Fréchet distance between the features of the generated images and of the real reference
//                    images (families/common/feature_metrics.hpp), at the sample sizes the caller fixes;
//   precision,       k-nearest-neighbour manifolds, k = 5 (Kynkäänniemi et al. 2019), in the same features;
//   recall
//   class_share[c]   the share of generated images the classifier assigns to class c, and class_entropy its
//                    entropy in nats (ln 10 = 2.303 for ten equal shares; mode collapse lowers it);
//   pixel_diversity  the mean Euclidean distance between two generated images, pixels in [0, 1].
// The classifier is trained with one thread, so it is the same network whatever the run's threads, and cached in
// a file keyed by its training images, labels, epochs and seed: a run pays its training (about 16 s for 3 epochs of
// Fashion-MNIST's 60,000 images on one core) once per machine.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ouroboros/families/common/feature_metrics.hpp"
#include "ouroboros/families/images/vision.hpp"

namespace ouro::vision {

struct ImageScores {
  double fd = 0, precision = 0, recall = 0, class_entropy = 0, pixel_diversity = 0;
  std::array<double, Classifier::kClasses> class_share{};
};

class ImageScorer {
 public:
  // The classifier trained on `train` for `epochs` (Adam 1e-3, batch 128, seed fixed), or read from `cache_dir`
  // (empty: no cache); its accuracy on `test`. `reference` (images of the same size) is what generated images are
  // compared with.
  ImageScorer(const Labelled& train, const Labelled& test, const Labelled& reference, std::int64_t epochs,
              const std::filesystem::path& cache_dir);

  // Needs more than 5 images.
  ImageScores score(ImageBatch generated, int threads) const;

  double test_accuracy() const { return accuracy_; }
  const std::string& source() const { return source_; }  // "trained, cached at ...", "cache ...", "trained"
  const std::string& key() const { return key_; }

 private:
  std::shared_ptr<Classifier> classifier_;
  std::int64_t rows_ = 0, cols_ = 0;
  Eigen::MatrixXd reference_;  // features, one row per reference image
  FeatureMoments reference_moments_;
  double accuracy_ = 0;
  std::string source_, key_;
};

}  // namespace ouro::vision
