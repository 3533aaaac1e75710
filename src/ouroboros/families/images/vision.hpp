#pragma once
// The image networks of the image families (vae, diffusion), trained and run with libtorch: the variational
// autoencoder, the diffusion family's noise predictor, and the classifier whose features the image metrics use. This header names no torch type: the networks live behind
// pointers, in the torch module (vision_torch.cpp), loaded at first use (libtorch takes about 0.6 s to load).
//
// Images are rows x cols grey levels 0..255, handed to the networks as x = level / 255 in [0, 1].
//
// VAE (Kingma and Welling 2014), convolutional, in the layout of Shumailov et al.'s MNIST VAE at a smaller width:
//   encoder  conv 4x4 stride 2 (1 -> c) ReLU, conv 4x4 stride 2 (c -> 2c) ReLU, then two linear maps to the mean and
//            the log-variance of q(z | x) = N(mu, diag sigma^2), z of `latent` dimensions;
//   decoder  linear (latent -> 2c x rows/4 x cols/4) ReLU, transposed conv 4x4 stride 2 (2c -> c) ReLU, transposed
//            conv 4x4 stride 2 (c -> 1): one logit per pixel, l.
//   Decoder law per pixel: Bernoulli(sigmoid(l)) with the grey level x in [0, 1] as a soft target (the usual
//   treatment of grey-scale MNIST), or Gaussian N(sigmoid(l), sigma^2) with a fixed sigma.
//   Loss per image: reconstruction nats E_q[-log p(x | z)] (one z per image) + beta KL(q(z | x) || N(0, I)), KL in
//   closed form. Adam, minibatches, `epochs` passes or `steps` steps.
//   -ELBO (held out): the same with beta = 1, averaged over images, with z drawn from a generator seeded by the
//   caller (one draw per image), so it is a fixed function of the network and the seed.
//   Samples: z ~ N(0, I) decoded to the decoder mean sigmoid(l) ("mean", Shumailov et al.'s and the usual choice
//   for images), or to a draw from the decoder law ("draw").
// Classifier (LeNet-5's layout, LeCun et al. 1998, with ReLU and max pooling): conv 5x5 pad 2 (1 -> 6), pool 2, conv
//   5x5 (6 -> 16), pool 2, linear 16 x 5 x 5 -> 120 -> 84 -> 10 classes; its features are the 84 activations before
//   the last layer (for images of other sizes the first linear layer takes 16 x ((rows/2 - 4)/2) x ((cols/2 - 4)/2)
//   inputs; at least 12 x 12). Trained by Adam on cross-entropy.
// Initialisation: every weight and bias of a linear or convolution layer uniform on +-1/sqrt(fan_in) (PyTorch's
//   default for these layers; group norms start at weight 1, bias 0), drawn from
//   a generator seeded by the caller, so a network is a fixed function of the seed.
// Randomness: every draw (initialisation, batch order, latent noise) comes from a generator seeded from the caller's
//   Rng, so a fit, an evaluation or a sampling run is reproducible exactly for a given thread setting.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/engine/fit_context.hpp"

namespace ouro::vision {

struct VaeConfig {
  std::int64_t rows = 28, cols = 28;  // multiples of 4
  std::int64_t latent = 16;
  std::int64_t channels = 16;  // c above
  bool gaussian = false;       // decoder law: Bernoulli (false) or Gaussian with standard deviation `sigma`
  double sigma = 0.1;
  double beta = 1.0;  // weight of the KL term in the training loss
};

struct FitConfig {
  double lr = 1e-3;
  std::int64_t batch = 128;
  std::int64_t epochs = 5;  // used when steps == 0
  std::int64_t steps = 0;
};

struct FitReport {
  std::int64_t steps = 0;
  double last_loss = 0;  // mean training loss per image of the last 10% of the steps
};

// n images of rows * cols grey levels, one after another.
struct ImageBatch {
  const std::uint8_t* pixels = nullptr;
  std::int64_t count = 0;
};

// Images with their classes, owned.
struct Labelled {
  std::int64_t rows = 0, cols = 0, count = 0;
  std::vector<std::uint8_t> pixels, labels;
  ImageBatch batch() const { return {pixels.data(), count}; }
};

class Vae {
 public:
  virtual ~Vae() = default;
  static std::shared_ptr<Vae> create(const VaeConfig& config, Rng& rng);
  // save()'s bytes; UserError when they are not a saved VAE.
  static std::shared_ptr<Vae> load(const std::string& bytes);

  virtual std::shared_ptr<Vae> clone() const = 0;  // a copy with the same weights (a warm start)
  virtual const VaeConfig& config() const = 0;
  virtual std::int64_t parameters() const = 0;
  // Polls `cancel` between steps; reports the fraction done to `progress`.
  virtual FitReport train(ImageBatch images, const FitConfig& config, Rng& rng, int threads, const CancelToken& cancel,
                          const std::function<void(double)>& progress) = 0;
  // The mean -ELBO in nats per image (header comment), with latent noise from `seed`.
  virtual double neg_elbo(ImageBatch images, std::uint64_t seed, int threads) const = 0;
  // n images, rounded to grey levels, appended to `out` (n * rows * cols bytes).
  virtual void sample(std::int64_t n, bool draw, Rng& rng, int threads, std::vector<std::uint8_t>& out) const = 0;
  // As an autoencoder (the diffusion family's latent space): the mean of q(z | x) of each image (latent values per
  // image, appended), and the decoder's mean of each latent (rounded to grey levels, appended).
  virtual void encode(ImageBatch images, int threads, std::vector<float>& z) const = 0;
  virtual void decode(std::span<const float> z, int threads, std::vector<std::uint8_t>& out) const = 0;
  virtual std::string save() const = 0;
};

// The diffusion family's noise predictor eps_theta(x_t, t) on points of `dim` coordinates, for the forward process
// and DDIM sampler of noise_schedule.hpp. The embedding of t is 32 sines and 32 cosines of t at frequencies
// 10000^(-k/32), k = 0..31. Two networks:
//   MLP (latent space, rows = 0): on [x_t, embedding(t)], `depth` linear layers of `width` units with SiLU, and a
//     linear output of dim values.
//   UNet (pixel space, rows > 0: a point is a rows x cols image, dim = rows * cols, rows and cols multiples of 4), a
//     small one in the layout of Ho et al.'s at two resolutions below the image's: the embedding through linear
//     (64 -> 4c) SiLU linear (4c -> 4c); conv 3x3 (1 -> c); residual block (c -> c), conv 3x3 stride 2; residual block
//     (c -> 2c), conv 3x3 stride 2; residual block (2c -> 2c) at rows/4 x cols/4; nearest upsampling x2 and conv 3x3,
//     concatenated with the 2c skip, residual block (4c -> c); upsampling and conv 3x3, concatenated with the c skip,
//     residual block (2c -> c); group norm, SiLU, conv 3x3 (c -> 1). A residual block (in -> out) is group norm, SiLU,
//     conv 3x3 (in -> out), plus linear(SiLU(embedding)) per channel, group norm, SiLU, conv 3x3 (out -> out), added
//     to the input (through a 1x1 conv when in != out); group norm with 8 groups where the channels allow, else 1.
//     c = `channels`.
struct DenoiserConfig {
  std::int64_t dim = 16;
  std::int64_t width = 256, depth = 3;          // the MLP
  std::int64_t rows = 0, cols = 0, channels = 32;  // the UNet, when rows > 0
  std::int64_t timesteps = 1000;                // T
  bool cosine = false;  // the noise schedule: linear (Ho et al.) or cosine (Nichol and Dhariwal)
  bool unet() const { return rows > 0; }
};

class Denoiser {
 public:
  virtual ~Denoiser() = default;
  static std::shared_ptr<Denoiser> create(const DenoiserConfig& config, Rng& rng);
  static std::shared_ptr<Denoiser> load(const std::string& bytes);

  virtual std::shared_ptr<Denoiser> clone() const = 0;
  virtual const DenoiserConfig& config() const = 0;
  virtual std::int64_t parameters() const = 0;
  // Adam on the mean squared error of the noise prediction, t uniform on 1..T and eps ~ N(0, I) per point (DDPM's
  // simple loss); x0 holds the points one after another.
  virtual FitReport train(std::span<const float> x0, const FitConfig& config, Rng& rng, int threads,
                          const CancelToken& cancel, const std::function<void(double)>& progress) = 0;
  // The same loss per coordinate on held-out points, with t and eps drawn from `seed`.
  virtual double loss(std::span<const float> x0, std::uint64_t seed, int threads) const = 0;
  // n points by DDIM in `steps` steps from x_T ~ N(0, temperature^2 I), appended (n * dim values). The UNet's
  // points are images in [-1, 1]: each step's x0_hat is clipped to that range.
  virtual void sample(std::int64_t n, std::int64_t steps, double temperature, Rng& rng, int threads,
                      std::vector<float>& out) const = 0;
  virtual std::string save() const = 0;
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  static std::shared_ptr<Classifier> create(std::int64_t rows, std::int64_t cols, std::uint64_t seed);
  static std::shared_ptr<Classifier> load(const std::string& bytes);

  virtual void train(ImageBatch images, std::span<const std::uint8_t> labels, const FitConfig& config, Rng& rng,
                     int threads) = 0;
  static constexpr std::int64_t kFeatures = 84;
  static constexpr std::int64_t kClasses = 10;
  // Per image: kFeatures features (row-major, appended to `features`) and the most likely class.
  virtual void features(ImageBatch images, int threads, std::vector<float>& features,
                        std::vector<std::uint8_t>& classes) const = 0;
  virtual std::string save() const = 0;
};

// The module's entry points (dlsym names).
extern "C" {
using VaeCreateFn = Vae* (*)(const VaeConfig& config, std::uint64_t seed);
using VaeLoadFn = Vae* (*)(const std::string& bytes);
using ClassifierCreateFn = Classifier* (*)(std::int64_t rows, std::int64_t cols, std::uint64_t seed);
using ClassifierLoadFn = Classifier* (*)(const std::string& bytes);
using DenoiserCreateFn = Denoiser* (*)(const DenoiserConfig& config, std::uint64_t seed);
using DenoiserLoadFn = Denoiser* (*)(const std::string& bytes);
}

}  // namespace ouro::vision
