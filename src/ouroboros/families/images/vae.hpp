#pragma once
// vae: a convolutional variational autoencoder (vision.hpp) on real images (Fashion-MNIST), retrained generation
// after generation on its own decoded images under every regime. One sample is one image of grey levels 0..255; a
// generated image is rounded to grey levels, as saving it as an image file would.
//
// Truth     `train_size` training and `test_size` test images drawn without replacement from Fashion-MNIST's two
//           splits (seed `subset_seed`, as kernel_ridge draws them); samples = "real" is train_size. The truth's
//           samples are the training images (families/common/real_draws.hpp).
// Fit       a new VAE each generation (init = scratch, Gerstgrasser et al.) or model k-1 trained further
//           (init = previous), Adam for `epochs` passes over the generation's training set or `steps` steps.
// Metrics   neg_elbo: -ELBO of the test images, nats per image (Gerstgrasser et al.'s "test loss"); train_loss,
//           train_images; and on `metric_samples` images generated with a fixed stream (the same latent draws in
//           every generation and replicate), against the test images: fd, precision, recall, class_entropy,
//           pixel_diversity and the class shares (image_data.hpp). Generation 0 scores metric_samples real training
//           images.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/spec.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/engine/fit_context.hpp"
#include "ouroboros/families/images/image_data.hpp"
#include "ouroboros/families/images/vision.hpp"

namespace ouro {

class VaeFamily {
 public:
  using Sample = vision::Image;                 // rows x cols grey levels
  using Model = vision::NetModel<vision::Vae>;  // null network: the truth

  static FamilyDescriptor descriptor();
  VaeFamily(const Spec& truth, const Spec& model);
  ~VaeFamily();
  VaeFamily(VaeFamily&&) noexcept;

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const { metrics(m, out, MetricMask{}); }
  void metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const;
  nlohmann::json describe() const;  // trains (or reads) the image scores' classifier, for its accuracy
  std::optional<std::int64_t> real_sample_size() const;
  double model_bytes() const;
  double sample_bytes() const;
  std::string sample_text(const Sample& x) const;  // the grey levels, separated by spaces (row by row)
  const vision::Labelled& test_images() const;  // exposed for the benchmark

 private:
  std::shared_ptr<const vision::RealImages> images_;
  vision::VaeConfig vae_;
  vision::FitConfig fit_;
  bool warm_start_ = false;
  bool draw_ = false;  // samples drawn from the decoder law (else its mean)
  std::int64_t metric_samples_ = 0;
  int threads_ = 1;
  nlohmann::json description_;
  Model truth_;
};

}  // namespace ouro
