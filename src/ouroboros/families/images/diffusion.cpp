#include "ouroboros/families/images/diffusion.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/common/blas_check.hpp"
#include "ouroboros/families/images/image_data.hpp"
#include "ouroboros/families/images/trained_cache.hpp"

namespace ouro {

namespace {

const std::vector<ParamInfo> kModelParams{
    param::word("space", {"latent", "pixel"}, "latent",
                "latent: an MLP noise predictor on a fixed autoencoder's latents; pixel: a UNet on the pixels"),
    param::integer("latent", "16", "dimensions of the autoencoder's latent space (space = latent)").at_least(1),
    param::integer("ae_channels", "16", "channels of the autoencoder's first convolution (space = latent)").at_least(1),
    param::integer("ae_steps", "2000", "training steps of the autoencoder (batch 128, trained once and cached; space = latent)")
        .at_least(1),
    param::integer("width", "256", "units of each hidden layer of the MLP noise predictor (space = latent)").at_least(1),
    param::integer("depth", "3", "hidden layers of the MLP noise predictor (space = latent)").at_least(1),
    param::integer("channels", "32", "channels c of the UNet noise predictor's first level (space = pixel)").at_least(1),
    param::integer("train_steps", "1000", "diffusion timesteps T of the forward process").at_least(2),
    param::word("schedule", {"linear", "cosine"}, "linear",
                "noise schedule: linear beta from 1e-4 to 0.02 (Ho et al.), or cosine (Nichol and Dhariwal)"),
    param::integer("sample_steps", "50", "DDIM steps per sample (at most train_steps)").at_least(1),
    param::positive("temperature", "1", "standard deviation of the initial noise x_T (below 1: sampling bias)"),
    param::positive("lr", "0.001", "Adam learning rate"),
    param::integer("batch", "256", "images per optimiser step").at_least(1),
    param::integer("epochs", "20", "passes over the generation's training set (when steps = 0)").at_least(1),
    param::integer("steps", "0", "a fixed number of optimiser steps per generation instead of epochs (0: epochs)").at_least(0),
    param::word("init", {"scratch", "previous"}, "scratch",
                "scratch: a new noise predictor each generation; previous: train model k-1 further"),
    param::integer("metric_samples", "2000", "generated images scored by fd, precision, recall and the class shares")
        .at_least(6),
    param::integer("threads", "1", "libtorch intra-op threads per chain").at_least(1),
};

enum Metric { kTestLoss, kTrainLoss, kTrainImages, kScores };

constexpr std::uint64_t kAutoencoderSeed = 20191;
constexpr const char* kAutoencoderVersion = "vae-autoencoder-1";

// Pixel space's coordinates of grey levels.
float to_unit_range(std::uint8_t level) { return static_cast<float>(level) / 127.5f - 1.0f; }
std::uint8_t to_level(float x) {
  return static_cast<std::uint8_t>(std::lround((std::clamp(x, -1.0f, 1.0f) + 1.0f) * 127.5f));
}

}  // namespace

struct DiffusionFamily::Space {
  std::once_flag once;
  std::shared_ptr<const vision::Vae> autoencoder;  // null in pixel space
  std::vector<float> mean, sd;  // of the real training images' latents, per coordinate
  std::vector<float> test;      // the test images' points
  std::string source, key;
};

FamilyDescriptor DiffusionFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "diffusion";
  d.summary = "diffusion model (DDPM training, DDIM sampling; libtorch) in an autoencoder's latent space or in pixel "
              "space, on real images (Fashion-MNIST); one sample is one image";
  d.truth_params = vision::image_truth_params();
  d.model_params = kModelParams;
  d.estimators = {"adam"};
  static constexpr MetricDecl<Metric> kList[]{
      {kTestLoss, "test_loss", "noise-prediction loss per coordinate on the test images' latents or pixels (fixed t and noise)"},
      {kTrainLoss, "train_loss", "mean training loss of the fit's last 10% of steps, per coordinate"},
      {kTrainImages, "train_images", "images in the generation's training set (the regime's batch or pool)"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  vision::append_score_metrics(d.metrics);
  d.kernels = "sample kernel only (images are sampled from the model)";
  d.resources = ResourceHint{.heavy = true, .max_chains = 0};
  return d;
}

DiffusionFamily::~DiffusionFamily() = default;
DiffusionFamily::DiffusionFamily(DiffusionFamily&&) noexcept = default;

DiffusionFamily::DiffusionFamily(const Spec& truth, const Spec& model) : space_(std::make_shared<Space>()) {
  SpecReader t(truth, "truth.family: diffusion", vision::image_truth_params());
  images_ = std::make_shared<const vision::RealImages>(t, "truth.family: diffusion");
  t.finish();

  SpecReader m(model, "model.family: diffusion", kModelParams);
  pixel_space_ = m.word("space") == "pixel";
  // Each space reads its own keys only: the other space's are refused by finish() ("does not apply").
  if (pixel_space_) {
    denoiser_.channels = m.integer("channels");
  } else {
    ae_.latent = m.integer("latent");
    ae_.channels = m.integer("ae_channels");
    ae_steps_ = m.integer("ae_steps");
    denoiser_.dim = ae_.latent;
    denoiser_.width = m.integer("width");
    denoiser_.depth = m.integer("depth");
  }
  denoiser_.timesteps = m.integer("train_steps");
  denoiser_.cosine = m.word("schedule") == "cosine";
  sample_steps_ = m.integer("sample_steps");
  if (sample_steps_ > denoiser_.timesteps)
    m.fail("sample_steps", fmt::format("must be at most train_steps = {}", denoiser_.timesteps));
  temperature_ = m.number("temperature");
  fit_.lr = m.number("lr");
  fit_.batch = m.integer("batch");
  fit_.epochs = m.integer("epochs");
  fit_.steps = m.integer("steps");
  warm_start_ = m.word("init") == "previous";
  metric_samples_ = m.integer("metric_samples");
  threads_ = static_cast<int>(m.integer("threads"));
  m.finish();
  ae_.rows = images_->rows();
  ae_.cols = images_->cols();
  if (pixel_space_) {  // (the truth has checked that the sides are multiples of 4)
    denoiser_.rows = ae_.rows, denoiser_.cols = ae_.cols, denoiser_.dim = images_->pixels();
  }

  Rng probe(0, 0, 0, Stream::kFit);
  const auto parameters = vision::Denoiser::create(denoiser_, probe)->parameters();
  const auto blas = checked_blas("diffusion");
  description_ = {
      {"network", pixel_space_ ? nlohmann::json{{"kind", "UNet noise predictor on the pixels (x = level / 127.5 - 1)"},
                                                {"channels", denoiser_.channels}}
                               : nlohmann::json{{"kind", "MLP noise predictor on [x_t, sinusoidal embedding of t]"},
                                                {"width", denoiser_.width}, {"depth", denoiser_.depth}}},
      {"process", {{"train_steps", denoiser_.timesteps}, {"schedule", denoiser_.cosine ? "cosine" : "linear"},
                   {"sampler", "DDIM (eta = 0)"}, {"sample_steps", sample_steps_}, {"temperature", temperature_}}},
      {"optimiser", {{"kind", "Adam"}, {"lr", fit_.lr}, {"batch", fit_.batch}, {"epochs", fit_.epochs},
                     {"steps", fit_.steps}}},
      {"sample", pixel_space_ ? "an image by DDIM, clipped to [-1, 1], rounded to grey levels"
                              : "a latent by DDIM, decoded to the autoencoder's mean image, rounded to grey levels"},
      {"metrics", {{"generated_images", metric_samples_}, {"reference", "the test images"},
                   {"reference_images", images_->test().count}, {"neighbours", 5}}},
      {"threads", threads_},
      {"blas", blas.path},
  };
  description_["network"]["parameters"] = parameters;
  description_["network"]["init"] = warm_start_ ? "previous" : "scratch";
  description_["space"] = pixel_space_ ? "pixel" : "latent";
  if (!pixel_space_)
    description_["latent_space"] = {
        {"kind", "the mean of a VAE's q(z | x), standardised per coordinate"}, {"latent", ae_.latent},
        {"channels", ae_.channels}, {"steps", ae_steps_}, {"batch", 128},
        {"trained_on", fmt::format("the truth's {} real training images", images_->train().count)}};
  truth_.train_images = images_->train().count;
}

const DiffusionFamily::Space& DiffusionFamily::space() const {
  auto& l = *space_;
  std::call_once(l.once, [&] {
    if (pixel_space_) {
      l.test = points(images_->test().pixels.data(), images_->test().count);
      return;
    }
    const auto& train = images_->train();
    const std::int64_t header[] = {ae_.rows, ae_.cols, ae_.latent, ae_.channels, ae_steps_, train.count,
                                   static_cast<std::int64_t>(kAutoencoderSeed)};
    l.key = vision::CacheKey().add(kAutoencoderVersion).add(header, sizeof header).add(train.pixels.data(), train.pixels.size()).hex();
    std::shared_ptr<vision::Vae> ae;
    const auto accept = [&](const std::string& bytes) {
      try {
        ae = vision::Vae::load(bytes);
        return true;
      } catch (const std::exception&) {
        return false;
      }
    };
    const auto train_it = [&] {
      Rng rng(kAutoencoderSeed, 0, 0, Stream::kFit);
      ae = vision::Vae::create(ae_, rng);
      vision::FitConfig fc;
      fc.steps = ae_steps_;
      ae->train(train.batch(), fc, rng, 1, CancelToken{}, nullptr);
      return ae->save();
    };
    vision::cached_or_trained(images_->cache_dir(), fmt::format("autoencoder-{}.bin", l.key), accept, train_it,
                              "diffusion autoencoder", l.source);
    l.autoencoder = ae;
    std::vector<float> z;
    ae->encode(train.batch(), 1, z);
    const auto d = static_cast<std::size_t>(ae_.latent);
    const auto n = z.size() / d;
    l.mean.assign(d, 0.0f);
    l.sd.assign(d, 0.0f);
    for (std::size_t j = 0; j < d; ++j) {
      double s1 = 0, s2 = 0;
      for (std::size_t i = 0; i < n; ++i) s1 += z[i * d + j];
      const double mean = s1 / static_cast<double>(n);
      for (std::size_t i = 0; i < n; ++i) s2 += (z[i * d + j] - mean) * (z[i * d + j] - mean);
      l.mean[j] = static_cast<float>(mean);
      l.sd[j] = static_cast<float>(std::max(std::sqrt(s2 / static_cast<double>(n)), 1e-6));
    }
    std::vector<float> t;
    ae->encode(images_->test().batch(), 1, t);
    for (std::size_t k = 0; k < t.size(); ++k) t[k] = (t[k] - l.mean[k % d]) / l.sd[k % d];
    l.test = std::move(t);
  });
  return l;
}

std::vector<float> DiffusionFamily::points(const std::uint8_t* pixels, std::int64_t count) const {
  std::vector<float> out;
  if (pixel_space_) {
    out.resize(static_cast<std::size_t>(count * images_->pixels()));
    std::transform(pixels, pixels + out.size(), out.begin(), to_unit_range);
    return out;
  }
  const auto& l = space();
  l.autoencoder->encode({pixels, count}, threads_, out);
  const auto d = static_cast<std::size_t>(ae_.latent);
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = (out[k] - l.mean[k % d]) / l.sd[k % d];
  return out;
}

std::vector<float> DiffusionFamily::points(std::span<const Sample> xs) const {
  std::vector<std::uint8_t> pixels;
  pixels.reserve(xs.size() * static_cast<std::size_t>(images_->pixels()));
  for (const auto& x : xs) pixels.insert(pixels.end(), x.begin(), x.end());
  return points(pixels.data(), static_cast<std::int64_t>(xs.size()));
}

nlohmann::json DiffusionFamily::describe() const {
  nlohmann::json d = images_->describe();
  d.update(description_);
  if (!pixel_space_) d["latent_space"]["key"] = space().key;
  return d;
}

const vision::Labelled& DiffusionFamily::test_images() const { return images_->test(); }

std::optional<std::int64_t> DiffusionFamily::real_sample_size() const { return images_->train().count; }

void DiffusionFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  if (!m.net) {  // the truth: real training images
    images_->draw(n, rng, out);
    return;
  }
  std::vector<float> z;
  m.net->sample(n, sample_steps_, temperature_, rng, threads_, z);
  std::vector<std::uint8_t> grey;
  if (pixel_space_) {
    grey.resize(z.size());
    std::transform(z.begin(), z.end(), grey.begin(), to_level);
    vision::split_images(grey, n, images_->pixels(), out);
    return;
  }
  const auto& l = space();
  const auto d = static_cast<std::size_t>(ae_.latent);
  for (std::size_t k = 0; k < z.size(); ++k) z[k] = z[k] * l.sd[k % d] + l.mean[k % d];
  l.autoencoder->decode(z, threads_, grey);
  vision::split_images(grey, n, images_->pixels(), out);
}

void DiffusionFamily::fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const {
  const std::vector<float> z = points(xs);
  std::shared_ptr<vision::Denoiser> net =
      warm_start_ && ctx.previous.net ? ctx.previous.net->clone() : vision::Denoiser::create(denoiser_, ctx.rng);
  const auto report = net->train(z, fit_, ctx.rng, threads_, ctx.cancel, [&](double f) { ctx.report(f); });
  out.net = std::move(net);
  out.train_loss = report.last_loss;
  out.train_images = static_cast<std::int64_t>(xs.size());
}

void DiffusionFamily::metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out[kTestLoss] = m.net && wanted(kTestLoss) ? m.net->loss(space().test, vision::kMetricSeed, threads_) : nan;
  out[kTrainLoss] = m.net ? m.train_loss : nan;
  out[kTrainImages] = static_cast<double>(m.train_images);
  images_->score_metrics(out, kScores, wanted, metric_samples_, threads_,
                         [&](std::int64_t n, Rng& rng, std::vector<Sample>& images) { sample(m, n, rng, images); });
}

double DiffusionFamily::model_bytes() const {
  if (pixel_space_) {
    // Weights, gradients and Adam's moments (about 370 c^2 parameters), and a batch's activations kept for the
    // backward pass: about 64 maps of c channels at the image's size (at c = 32, batch 256, 28 x 28 images, a fit
    // peaked at 1.96 GB; libtorch, the data and the classifier take under 0.33 GB, the vae benchmark's whole peak).
    const double c = static_cast<double>(denoiser_.channels);
    return 4 * (4 * 370 * c * c + static_cast<double>(fit_.batch) * 64 * c * static_cast<double>(images_->pixels()));
  }
  const double w = static_cast<double>(denoiser_.width), d = static_cast<double>(denoiser_.dim);
  const double params = (d + 64) * w + static_cast<double>(denoiser_.depth - 1) * w * w + w * d;
  // Weights, gradients and Adam's two moments, a batch's activations, and the encoded training set.
  const double activations = static_cast<double>(fit_.batch) * w * static_cast<double>(denoiser_.depth) * 4;
  return 4 * (4 * params + activations);
}

double DiffusionFamily::sample_bytes() const { return static_cast<double>(images_->pixels()) + 32; }

std::string DiffusionFamily::sample_text(const Sample& x) const { return fmt::format("{}", fmt::join(x, " ")); }

OUROBOROS_REGISTER_FAMILY(DiffusionFamily);

}  // namespace ouro
