#include "ouroboros/families/images/vae.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/common/blas_check.hpp"
#include "ouroboros/families/images/image_data.hpp"

namespace ouro {

namespace {

const std::vector<ParamInfo> kModelParams{
    param::integer("latent", "16", "dimensions of the latent z").at_least(1),
    param::integer("channels", "16", "channels of the first convolution (the second has twice as many)").at_least(1),
    param::word("decoder", {"bernoulli", "gaussian"}, "bernoulli",
                "pixel law: Bernoulli(p) with the grey level in [0, 1] as a soft target, or N(p, sigma^2)"),
    param::positive("sigma", "0.1", "standard deviation of the Gaussian decoder (decoder = gaussian)"),
    param::number("beta", "1", "weight of the KL term in the training loss (beta-VAE; the reported -ELBO uses 1)").at_least(0),
    param::positive("lr", "0.001", "Adam learning rate"),
    param::integer("batch", "128", "images per optimiser step").at_least(1),
    param::integer("epochs", "5", "passes over the generation's training set (when steps = 0)").at_least(1),
    param::integer("steps", "0", "a fixed number of optimiser steps per generation instead of epochs (0: epochs)").at_least(0),
    param::word("init", {"scratch", "previous"}, "scratch",
                "scratch: a new network each generation; previous: train model k-1 further"),
    param::word("sample", {"mean", "draw"}, "mean",
                "a generated image: the decoder's mean for z ~ N(0, I), or a draw from the decoder's law"),
    param::integer("metric_samples", "2000", "generated images scored by fd, precision, recall and the class shares")
        .at_least(6),
    param::integer("threads", "1", "libtorch intra-op threads per chain").at_least(1),
};

enum Metric { kNegElbo, kTrainLoss, kTrainImages, kScores };


}  // namespace

FamilyDescriptor VaeFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "vae";
  d.summary = "convolutional variational autoencoder (libtorch) on real images (Fashion-MNIST); one sample is one image";
  d.truth_params = vision::image_truth_params();
  d.model_params = kModelParams;
  d.estimators = {"adam"};
  static constexpr MetricDecl<Metric> kList[]{
      {kNegElbo, "neg_elbo", "-ELBO of the test images, nats per image (one latent draw per image, fixed seed)"},
      {kTrainLoss, "train_loss", "mean training loss of the fit's last 10% of steps, nats per image"},
      {kTrainImages, "train_images", "images in the generation's training set (the regime's batch or pool)"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  vision::append_score_metrics(d.metrics);
  d.kernels = "sample kernel only (images are decoded from the network)";
  d.resources = ResourceHint{.heavy = true, .max_chains = 0};
  return d;
}

VaeFamily::~VaeFamily() = default;
VaeFamily::VaeFamily(VaeFamily&&) noexcept = default;

VaeFamily::VaeFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: vae", vision::image_truth_params());
  images_ = std::make_shared<const vision::RealImages>(t, "truth.family: vae");
  t.finish();

  SpecReader m(model, "model.family: vae", kModelParams);
  vae_.latent = m.integer("latent");
  vae_.channels = m.integer("channels");
  vae_.gaussian = m.word("decoder") == "gaussian";
  vae_.sigma = m.number("sigma");
  vae_.beta = m.number("beta");
  fit_.lr = m.number("lr");
  fit_.batch = m.integer("batch");
  fit_.epochs = m.integer("epochs");
  fit_.steps = m.integer("steps");
  warm_start_ = m.word("init") == "previous";
  draw_ = m.word("sample") == "draw";
  metric_samples_ = m.integer("metric_samples");
  threads_ = static_cast<int>(m.integer("threads"));
  m.finish();

  vae_.rows = images_->rows();
  vae_.cols = images_->cols();

  Rng probe(0, 0, 0, Stream::kFit);
  const auto parameters = vision::Vae::create(vae_, probe)->parameters();
  const auto blas = checked_blas("vae");
  description_ = {
      {"network", {{"kind", "convolutional VAE"}, {"latent", vae_.latent}, {"channels", vae_.channels},
                   {"decoder", vae_.gaussian ? "gaussian" : "bernoulli"}, {"sigma", vae_.sigma}, {"beta", vae_.beta},
                   {"parameters", parameters}, {"init", warm_start_ ? "previous" : "scratch"}}},
      {"optimiser", {{"kind", "Adam"}, {"lr", fit_.lr}, {"batch", fit_.batch}, {"epochs", fit_.epochs},
                     {"steps", fit_.steps}}},
      {"sample", draw_ ? "a draw from the decoder's law for z ~ N(0, I), rounded to grey levels"
                       : "the decoder's mean for z ~ N(0, I), rounded to grey levels"},
      {"metrics", {{"generated_images", metric_samples_}, {"reference", "the test images"},
                   {"reference_images", images_->test().count}, {"neighbours", 5}}},
      {"threads", threads_},
      {"blas", blas.path},
  };
  truth_.train_images = images_->train().count;
}

nlohmann::json VaeFamily::describe() const {
  nlohmann::json d = images_->describe();
  d.update(description_);
  return d;
}

const vision::Labelled& VaeFamily::test_images() const { return images_->test(); }

std::optional<std::int64_t> VaeFamily::real_sample_size() const { return images_->train().count; }

void VaeFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  if (!m.net) {  // the truth: real training images
    images_->draw(n, rng, out);
    return;
  }
  std::vector<std::uint8_t> grey;
  m.net->sample(n, draw_, rng, threads_, grey);
  vision::split_images(grey, n, vae_.rows * vae_.cols, out);
}

void VaeFamily::fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const {
  std::vector<std::uint8_t> pixels;
  pixels.reserve(xs.size() * static_cast<std::size_t>(vae_.rows * vae_.cols));
  for (const auto& x : xs) pixels.insert(pixels.end(), x.begin(), x.end());
  std::shared_ptr<vision::Vae> net =
      warm_start_ && ctx.previous.net ? ctx.previous.net->clone() : vision::Vae::create(vae_, ctx.rng);
  const auto report = net->train({pixels.data(), static_cast<std::int64_t>(xs.size())}, fit_, ctx.rng, threads_,
                                 ctx.cancel, [&](double f) { ctx.report(f); });
  out.net = std::move(net);
  out.train_loss = report.last_loss;
  out.train_images = static_cast<std::int64_t>(xs.size());
}

void VaeFamily::metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out[kNegElbo] = m.net && wanted(kNegElbo) ? m.net->neg_elbo(images_->test().batch(), vision::kMetricSeed, threads_) : nan;
  out[kTrainLoss] = m.net ? m.train_loss : nan;
  out[kTrainImages] = static_cast<double>(m.train_images);
  images_->score_metrics(out, kScores, wanted, metric_samples_, threads_,
                         [&](std::int64_t n, Rng& rng, std::vector<Sample>& images) { sample(m, n, rng, images); });
}

double VaeFamily::model_bytes() const {
  const double c = static_cast<double>(vae_.channels), pixels = static_cast<double>(vae_.rows * vae_.cols);
  const double flat = 2 * c * pixels / 16;
  const double params = 16 * c + 32 * c * c + 2 * flat * static_cast<double>(vae_.latent) * 2 + 16 * c;
  // Weights, gradients and Adam's two moments, plus a batch's activations (both halves, forward and backward).
  const double activations = static_cast<double>(fit_.batch) * (c * pixels / 4 + flat + pixels) * 6;
  return 4 * (4 * params + activations);
}

double VaeFamily::sample_bytes() const { return static_cast<double>(vae_.rows * vae_.cols) + 32; }

std::string VaeFamily::sample_text(const Sample& x) const {
  return fmt::format("{}", fmt::join(x, " "));
}

OUROBOROS_REGISTER_FAMILY(VaeFamily);

}  // namespace ouro
