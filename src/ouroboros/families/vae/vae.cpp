#include "ouroboros/families/vae/vae.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <limits>
#include <mutex>

#include "ouroboros/core/error.hpp"
#include "ouroboros/data/fashion_mnist.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/common/blas_check.hpp"
#include "ouroboros/families/common/real_draws.hpp"
#include "ouroboros/families/vae/image_scorer.hpp"

namespace ouro {

namespace {

const std::vector<ParamInfo> kTruthParams{
    param::text("data", kFashionMnistDir,
                "directory with the four Fashion-MNIST IDX files (plain or .gz); the default is where the Debian "
                "package dataset-fashion-mnist installs them (scripts/fetch_fashion_mnist.sh)"),
    param::integer("train_size", "10000", "real training images, drawn without replacement from the training split")
        .at_least(6),
    param::integer("test_size", "2000", "held-out test images, drawn without replacement from the test split").at_least(6),
    param::integer("subset_seed", "0", "seed of the choice of the training and test subsets (Stream::kTruth)").at_least(0),
    param::integer("classifier_epochs", "3",
                   "epochs of the feature classifier, trained once on the whole training split").at_least(1),
    param::text("cache", "",
                "directory for the trained classifier; empty: $OUROBOROS_CACHE, else $XDG_CACHE_HOME/ouroboros, else "
                "$HOME/.cache/ouroboros")
        .computed("the default cache directory"),
};
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

enum Metric {
  kNegElbo, kFd, kPrecision, kRecall, kClassEntropy, kPixelDiversity, kTrainLoss, kTrainImages,
  kClass0, kClass1, kClass2, kClass3, kClass4, kClass5, kClass6, kClass7, kClass8, kClass9
};

// The fixed stream of the images the metrics score (the same latent draws for every model).
constexpr std::uint64_t kMetricSeed = 0x6d6574726963;

vision::Labelled subset(const LabelledImages& split, std::uint32_t rows, std::uint32_t cols,
                        const std::vector<std::size_t>& index) {
  vision::Labelled out;
  out.rows = rows, out.cols = cols, out.count = static_cast<std::int64_t>(index.size());
  const std::size_t pixels = std::size_t{rows} * cols;
  for (const auto i : index) {
    out.pixels.insert(out.pixels.end(), split.pixels.begin() + static_cast<std::ptrdiff_t>(i * pixels),
                      split.pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * pixels));
    out.labels.push_back(split.labels[i]);
  }
  return out;
}

vision::Labelled whole(const LabelledImages& split, std::uint32_t rows, std::uint32_t cols) {
  return vision::Labelled{rows, cols, static_cast<std::int64_t>(split.count), split.pixels, split.labels};
}

}  // namespace

struct LazyScorer {
  FashionMnist raw;  // released once the scorer is built
  std::shared_ptr<const vision::Labelled> reference;
  std::int64_t epochs = 0;
  std::filesystem::path cache_dir;
  std::once_flag once;
  std::unique_ptr<const vision::ImageScorer> scorer;
};

FamilyDescriptor VaeFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "vae";
  d.summary = "convolutional variational autoencoder (libtorch) on real images (Fashion-MNIST); one sample is one image";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"adam"};
  static constexpr MetricDecl<Metric> kList[]{
      {kNegElbo, "neg_elbo", "-ELBO of the test images, nats per image (one latent draw per image, fixed seed)"},
      {kFd, "fd", "Frechet distance of metric_samples generated images to the test images in the classifier's features"},
      {kPrecision, "precision", "share of generated images inside the test images' 5-NN balls (Kynkaanniemi et al. 2019)"},
      {kRecall, "recall", "share of test images inside the generated images' 5-NN balls"},
      {kClassEntropy, "class_entropy", "entropy (nats) of the classifier's class shares of the generated images"},
      {kPixelDiversity, "pixel_diversity", "mean Euclidean distance between two generated images, pixels in [0, 1]"},
      {kTrainLoss, "train_loss", "mean training loss of the fit's last 10% of steps, nats per image"},
      {kTrainImages, "train_images", "images in the generation's training set (the regime's batch or pool)"},
      {kClass0, "class_0", "share of generated images classified T-shirt/top"},
      {kClass1, "class_1", "share classified trouser"},
      {kClass2, "class_2", "share classified pullover"},
      {kClass3, "class_3", "share classified dress"},
      {kClass4, "class_4", "share classified coat"},
      {kClass5, "class_5", "share classified sandal"},
      {kClass6, "class_6", "share classified shirt"},
      {kClass7, "class_7", "share classified sneaker"},
      {kClass8, "class_8", "share classified bag"},
      {kClass9, "class_9", "share classified ankle boot"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "sample kernel only (images are decoded from the network)";
  d.resources = ResourceHint{.heavy = true, .max_chains = 0};
  return d;
}

VaeFamily::~VaeFamily() = default;
VaeFamily::VaeFamily(VaeFamily&&) noexcept = default;

VaeFamily::VaeFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: vae", kTruthParams);
  const std::string dir = t.text("data");
  const auto train_size = t.integer("train_size");
  const auto test_size = t.integer("test_size");
  const auto subset_seed = static_cast<std::uint64_t>(t.integer("subset_seed"));
  const auto classifier_epochs = t.integer("classifier_epochs");
  const std::string cache = t.has("cache") ? t.text("cache") : std::string();
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

  FashionMnist raw;
  try {
    raw = load_fashion_mnist(dir);
  } catch (const UserError& e) {
    rethrow_with_context(e, "truth.family: vae");
  }
  if (raw.rows % 4 != 0 || raw.cols % 4 != 0 || raw.rows < 12 || raw.cols < 12)
    t.fail("data", fmt::format("images of {}x{} pixels: the VAE needs sides that are multiples of 4 and the "
                               "classifier at least 12x12", raw.rows, raw.cols));
  if (static_cast<std::size_t>(train_size) > raw.train.count)
    t.fail("train_size", fmt::format("exceeds the {} training images in {}; use train_size <= {}", raw.train.count, dir,
                                     raw.train.count));
  if (static_cast<std::size_t>(test_size) > raw.test.count)
    t.fail("test_size", fmt::format("exceeds the {} test images in {}; use test_size <= {}", raw.test.count, dir,
                                    raw.test.count));
  vae_.rows = raw.rows;
  vae_.cols = raw.cols;
  train_ = std::make_shared<vision::Labelled>(subset(
      raw.train, raw.rows, raw.cols,
      choose_subset(raw.train.count, static_cast<std::size_t>(train_size), Rng(subset_seed, 0, 0, Stream::kTruth))));
  test_ = std::make_shared<vision::Labelled>(subset(
      raw.test, raw.rows, raw.cols,
      choose_subset(raw.test.count, static_cast<std::size_t>(test_size), Rng(subset_seed, 0, 1, Stream::kTruth))));
  scorer_ = std::make_shared<LazyScorer>();
  scorer_->reference = test_;
  scorer_->epochs = classifier_epochs;
  scorer_->cache_dir = cache.empty() ? vision::default_cache_dir() : std::filesystem::path(cache);

  Rng probe(0, 0, 0, Stream::kFit);
  const auto parameters = vision::Vae::create(vae_, probe)->parameters();
  const auto blas = loaded_blas();
  static std::once_flag warned;
  if (blas.reference)
    std::call_once(warned, [&] {
      std::cerr << fmt::format("warning: vae: libtorch runs on the reference BLAS ({}), several times slower than an "
                               "optimised one; install libopenblas0-openmp (scripts/setup.sh does)\n", blas.path);
    });
  description_ = {
      {"truth", {{"data", dir}, {"rows", raw.rows}, {"cols", raw.cols}, {"train_images", train_->count},
                 {"test_images", test_->count}, {"subset_seed", subset_seed}}},
      {"network", {{"kind", "convolutional VAE"}, {"latent", vae_.latent}, {"channels", vae_.channels},
                   {"decoder", vae_.gaussian ? "gaussian" : "bernoulli"}, {"sigma", vae_.sigma}, {"beta", vae_.beta},
                   {"parameters", parameters}, {"init", warm_start_ ? "previous" : "scratch"}}},
      {"optimiser", {{"kind", "Adam"}, {"lr", fit_.lr}, {"batch", fit_.batch}, {"epochs", fit_.epochs},
                     {"steps", fit_.steps}}},
      {"sample", draw_ ? "a draw from the decoder's law for z ~ N(0, I), rounded to grey levels"
                       : "the decoder's mean for z ~ N(0, I), rounded to grey levels"},
      {"metrics", {{"generated_images", metric_samples_}, {"reference", "the test images"},
                   {"reference_images", test_->count}, {"neighbours", 5}}},
      {"classifier", {{"kind", "LeNet-5 layout (ReLU, max pooling)"}, {"features", vision::Classifier::kFeatures},
                      {"trained_on", fmt::format("the whole training split ({} images)", raw.train.count)},
                      {"epochs", classifier_epochs}, {"test_images", raw.test.count}}},
      {"threads", threads_},
      {"blas", blas.path},
  };
  truth_.train_images = train_->count;
  scorer_->raw = std::move(raw);
}

const vision::ImageScorer& VaeFamily::scorer() const {
  auto& lazy = *scorer_;
  std::call_once(lazy.once, [&] {
    const auto& raw = lazy.raw;
    lazy.scorer = std::make_unique<const vision::ImageScorer>(whole(raw.train, raw.rows, raw.cols),
                                                              whole(raw.test, raw.rows, raw.cols), *lazy.reference,
                                                              lazy.epochs, lazy.cache_dir);
    lazy.raw = FashionMnist{};
  });
  return *lazy.scorer;
}

nlohmann::json VaeFamily::describe() const {
  nlohmann::json d = description_;
  const auto& s = scorer();
  d["classifier"].update({{"test_accuracy", s.test_accuracy()}, {"key", s.key()}, {"source", s.source()}});
  return d;
}

std::optional<std::int64_t> VaeFamily::real_sample_size() const { return train_->count; }

void VaeFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  const auto pixels = static_cast<std::size_t>(vae_.rows * vae_.cols);
  if (!m.net) {  // the truth: real training images
    std::vector<std::size_t> index(static_cast<std::size_t>(train_->count));
    std::iota(index.begin(), index.end(), std::size_t{0});
    std::vector<std::size_t> drawn;
    draw_real(index, n, rng, drawn);
    for (const auto i : drawn)
      out.emplace_back(train_->pixels.begin() + static_cast<std::ptrdiff_t>(i * pixels),
                       train_->pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * pixels));
    return;
  }
  std::vector<std::uint8_t> grey;
  m.net->sample(n, draw_, rng, threads_, grey);
  for (std::int64_t i = 0; i < n; ++i)
    out.emplace_back(grey.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(i) * pixels),
                     grey.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(i + 1) * pixels));
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
  std::fill(out.begin(), out.end(), nan);
  if (m.net && wanted(kNegElbo)) out[kNegElbo] = m.net->neg_elbo(test_->batch(), kMetricSeed, threads_);
  out[kTrainLoss] = m.net ? m.train_loss : nan;
  out[kTrainImages] = static_cast<double>(m.train_images);
  bool scored = false;
  for (std::size_t k = kFd; k <= kClass9; ++k) scored = scored || (k != kTrainLoss && k != kTrainImages && wanted(k));
  if (!scored) return;
  std::vector<Sample> images;
  Rng rng(kMetricSeed, 0, 0, Stream::kSynthetic);
  sample(m, metric_samples_, rng, images);
  std::vector<std::uint8_t> pixels;
  for (const auto& x : images) pixels.insert(pixels.end(), x.begin(), x.end());
  const auto s = scorer().score({pixels.data(), metric_samples_}, threads_);
  out[kFd] = s.fd;
  out[kPrecision] = s.precision;
  out[kRecall] = s.recall;
  out[kClassEntropy] = s.class_entropy;
  out[kPixelDiversity] = s.pixel_diversity;
  for (std::size_t c = 0; c < s.class_share.size(); ++c) out[kClass0 + c] = s.class_share[c];
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
