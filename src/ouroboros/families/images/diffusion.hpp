#pragma once
// diffusion: a denoising diffusion model (DDPM training, DDIM sampling: noise_schedule.hpp) on real images
// (Fashion-MNIST), retrained generation after generation on its own images under every regime. One sample is one
// image of grey levels, as for vae. Two spaces (`space`):
//
// latent        (the default; what makes a collapse loop run in minutes on a CPU) an MLP noise predictor in the
//               latent space of a fixed autoencoder: a VAE (vision.hpp) trained once on the truth's real training
//               images for `ae_steps` steps (one thread, a fixed seed; cached like the classifier, keyed by the images
//               and its settings). An image's latent is the mean of q(z | x), standardised by the mean and standard
//               deviation of the real training images' latents, coordinate by coordinate; a generated latent is
//               decoded to the decoder's mean, rounded to grey levels. Every generation encodes its training images
//               with the same autoencoder: the loop retrains the diffusion model only (as latent diffusion on a CPU
//               must).
// pixel         (for GPU-sized runs; small images on a CPU) a UNet noise predictor (vision.hpp) on the pixels, x = level
//               / 127.5 - 1 in [-1, 1] (Ho et al.); a generated image is clipped to [-1, 1] and rounded to grey levels.
// Fit           a new noise predictor each generation (init = scratch, Alemohammad et al.) or model k-1 trained
//               further (init = previous, Bertrand et al.), Adam for `epochs` passes or `steps` steps.
// Sampling      DDIM (eta = 0) in `sample_steps` steps from x_T ~ N(0, temperature^2 I): a temperature below 1 is
//               the sampling bias of an unconditional model (Alemohammad et al.'s lambda < 1, where a class-
//               conditional one would use guidance).
// Metrics       test_loss: the noise-prediction loss per coordinate on the test images' latents (latent space) or
//               pixels (pixel space), t and eps from a fixed seed; train_loss, train_images; and the image scores of
//               image_data.hpp.
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

class DiffusionFamily {
 public:
  using Sample = vision::Image;                 // rows x cols grey levels
  using Model = vision::NetModel<vision::Denoiser>;  // null network: the truth

  static FamilyDescriptor descriptor();
  DiffusionFamily(const Spec& truth, const Spec& model);
  ~DiffusionFamily();
  DiffusionFamily(DiffusionFamily&&) noexcept;

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const { metrics(m, out, MetricMask{}); }
  void metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const;
  nlohmann::json describe() const;  // trains (or reads) the autoencoder and the classifier
  std::optional<std::int64_t> real_sample_size() const;
  double model_bytes() const;
  double sample_bytes() const;
  std::string sample_text(const Sample& x) const;  // the grey levels, separated by spaces (row by row)
  const vision::Labelled& test_images() const;     // exposed for the benchmark

 private:
  struct Space;
  // The autoencoder and the latents' standardisation (latent space), and the test images' points, built at first use.
  const Space& space() const;
  std::vector<float> points(std::span<const Sample> xs) const;  // the images' points, one after another
  std::vector<float> points(const std::uint8_t* pixels, std::int64_t count) const;

  std::shared_ptr<const vision::RealImages> images_;
  std::shared_ptr<Space> space_;
  bool pixel_space_ = false;
  vision::VaeConfig ae_;
  std::int64_t ae_steps_ = 0;
  vision::DenoiserConfig denoiser_;
  vision::FitConfig fit_;
  std::int64_t sample_steps_ = 0;
  double temperature_ = 1;
  bool warm_start_ = false;
  std::int64_t metric_samples_ = 0;
  int threads_ = 1;
  nlohmann::json description_;
  Model truth_;
};

}  // namespace ouro
