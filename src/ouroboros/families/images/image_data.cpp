#include "ouroboros/families/images/image_data.hpp"

#include <fmt/format.h>

#include <limits>
#include <mutex>
#include <numeric>

#include "ouroboros/core/error.hpp"
#include "ouroboros/data/fashion_mnist.hpp"
#include "ouroboros/families/common/real_draws.hpp"
#include "ouroboros/families/images/image_scorer.hpp"
#include "ouroboros/families/images/trained_cache.hpp"

namespace ouro::vision {

namespace {

Labelled subset(const LabelledImages& split, std::uint32_t rows, std::uint32_t cols,
                const std::vector<std::size_t>& index) {
  Labelled out;
  out.rows = rows, out.cols = cols, out.count = static_cast<std::int64_t>(index.size());
  const std::size_t pixels = std::size_t{rows} * cols;
  for (const auto i : index) {
    out.pixels.insert(out.pixels.end(), split.pixels.begin() + static_cast<std::ptrdiff_t>(i * pixels),
                      split.pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * pixels));
    out.labels.push_back(split.labels[i]);
  }
  return out;
}

Labelled whole(const LabelledImages& split, std::uint32_t rows, std::uint32_t cols) {
  return Labelled{rows, cols, static_cast<std::int64_t>(split.count), split.pixels, split.labels};
}

}  // namespace

const std::vector<ParamInfo>& image_truth_params() {
  static const std::vector<ParamInfo> params{
      param::text("data", kFashionMnistDir,
                  "directory with the four Fashion-MNIST IDX files (plain or .gz); the default is where the Debian "
                  "package dataset-fashion-mnist installs them (scripts/fetch_fashion_mnist.sh)"),
      param::integer("train_size", "10000", "real training images, drawn without replacement from the training split")
          .at_least(6),
      param::integer("test_size", "2000", "held-out test images, drawn without replacement from the test split")
          .at_least(6),
      param::integer("subset_seed", "0", "seed of the choice of the training and test subsets (Stream::kTruth)")
          .at_least(0),
      param::integer("classifier_epochs", "3",
                     "epochs of the feature classifier, trained once on the whole training split").at_least(1),
      param::text("cache", "",
                  "directory for trained helpers (the classifier); empty: $OUROBOROS_CACHE, else "
                  "$XDG_CACHE_HOME/ouroboros, else $HOME/.cache/ouroboros")
          .computed("the default cache directory"),
  };
  return params;
}

void append_score_metrics(std::vector<MetricInfo>& metrics) {
  static const char* const kClassNames[Classifier::kClasses] = {"T-shirt/top", "trouser", "pullover", "dress", "coat",
                                                                "sandal", "shirt", "sneaker", "bag", "ankle boot"};
  metrics.push_back({"fd", "Frechet distance of metric_samples generated images to the test images in the "
                           "classifier's features", false});
  metrics.push_back({"precision", "share of generated images inside the test images' 5-NN balls "
                                  "(Kynkaanniemi et al. 2019)", false});
  metrics.push_back({"recall", "share of test images inside the generated images' 5-NN balls", false});
  metrics.push_back({"class_entropy", "entropy (nats) of the classifier's class shares of the generated images", false});
  metrics.push_back({"pixel_diversity", "mean Euclidean distance between two generated images, pixels in [0, 1]", false});
  for (std::size_t c = 0; c < Classifier::kClasses; ++c)
    metrics.push_back({fmt::format("class_{}", c), fmt::format("share of generated images classified {}", kClassNames[c]),
                       false});
}

struct RealImages::Lazy {
  FashionMnist raw;  // released once the scorer is built
  std::int64_t epochs = 0;
  std::filesystem::path cache_dir;
  std::once_flag once;
  std::unique_ptr<const ImageScorer> scorer;
};

RealImages::~RealImages() = default;

RealImages::RealImages(SpecReader& t, const std::string& what) : lazy_(std::make_shared<Lazy>()) {
  const std::string dir = t.text("data");
  const auto train_size = t.integer("train_size");
  const auto test_size = t.integer("test_size");
  const auto subset_seed = static_cast<std::uint64_t>(t.integer("subset_seed"));
  lazy_->epochs = t.integer("classifier_epochs");
  const std::string cache = t.has("cache") ? t.text("cache") : std::string();
  lazy_->cache_dir = cache.empty() ? default_cache_dir() : std::filesystem::path(cache);
  FashionMnist raw;
  try {
    raw = load_fashion_mnist(dir);
  } catch (const UserError& e) {
    rethrow_with_context(e, what);
  }
  if (raw.rows % 4 != 0 || raw.cols % 4 != 0 || raw.rows < 12 || raw.cols < 12)
    t.fail("data", fmt::format("images of {}x{} pixels: the networks need sides that are multiples of 4 and the "
                               "classifier at least 12x12", raw.rows, raw.cols));
  if (static_cast<std::size_t>(train_size) > raw.train.count)
    t.fail("train_size", fmt::format("exceeds the {} training images in {}; use train_size <= {}", raw.train.count, dir,
                                     raw.train.count));
  if (static_cast<std::size_t>(test_size) > raw.test.count)
    t.fail("test_size", fmt::format("exceeds the {} test images in {}; use test_size <= {}", raw.test.count, dir,
                                    raw.test.count));
  rows_ = raw.rows;
  cols_ = raw.cols;
  train_ = std::make_shared<const Labelled>(subset(
      raw.train, raw.rows, raw.cols,
      choose_subset(raw.train.count, static_cast<std::size_t>(train_size), Rng(subset_seed, 0, 0, Stream::kTruth))));
  test_ = std::make_shared<const Labelled>(subset(
      raw.test, raw.rows, raw.cols,
      choose_subset(raw.test.count, static_cast<std::size_t>(test_size), Rng(subset_seed, 0, 1, Stream::kTruth))));
  description_ = {
      {"truth", {{"data", dir}, {"rows", raw.rows}, {"cols", raw.cols}, {"train_images", train_->count},
                 {"test_images", test_->count}, {"subset_seed", subset_seed}}},
      {"classifier", {{"kind", "LeNet-5 layout (ReLU, max pooling)"}, {"features", Classifier::kFeatures},
                      {"trained_on", fmt::format("the whole training split ({} images)", raw.train.count)},
                      {"epochs", lazy_->epochs}, {"test_images", raw.test.count}}},
  };
  lazy_->raw = std::move(raw);
}

const ImageScorer& RealImages::scorer() const {
  auto& lazy = *lazy_;
  std::call_once(lazy.once, [&] {
    const auto& raw = lazy.raw;
    lazy.scorer = std::make_unique<const ImageScorer>(whole(raw.train, raw.rows, raw.cols),
                                                      whole(raw.test, raw.rows, raw.cols), *test_, lazy.epochs,
                                                      lazy.cache_dir);
    lazy.raw = FashionMnist{};
  });
  return *lazy.scorer;
}

const std::filesystem::path& RealImages::cache_dir() const { return lazy_->cache_dir; }

void RealImages::draw(std::int64_t n, Rng& rng, std::vector<std::vector<std::uint8_t>>& out) const {
  const auto p = static_cast<std::size_t>(pixels());
  std::vector<std::size_t> index(static_cast<std::size_t>(train_->count));
  std::iota(index.begin(), index.end(), std::size_t{0});
  std::vector<std::size_t> drawn;
  draw_real(index, n, rng, drawn);
  for (const auto i : drawn)
    out.emplace_back(train_->pixels.begin() + static_cast<std::ptrdiff_t>(i * p),
                     train_->pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * p));
}

void RealImages::score_metrics(std::span<double> out, std::size_t first, const MetricMask& wanted,
                               std::int64_t metric_samples, int threads,
                               const std::function<void(std::int64_t, Rng&, std::vector<Image>&)>& sample) const {
  const auto scores = out.subspan(first, kScoreMetrics);
  std::fill(scores.begin(), scores.end(), std::numeric_limits<double>::quiet_NaN());
  bool any = false;
  for (std::size_t k = first; k < first + kScoreMetrics; ++k) any = any || wanted(k);
  if (!any) return;
  std::vector<Image> images;
  Rng rng(kMetricSeed, 0, 0, Stream::kSynthetic);
  sample(metric_samples, rng, images);
  std::vector<std::uint8_t> pixels;
  for (const auto& x : images) pixels.insert(pixels.end(), x.begin(), x.end());
  const auto s = scorer().score({pixels.data(), metric_samples}, threads);
  scores[0] = s.fd;
  scores[1] = s.precision;
  scores[2] = s.recall;
  scores[3] = s.class_entropy;
  scores[4] = s.pixel_diversity;
  for (std::size_t c = 0; c < s.class_share.size(); ++c) scores[5 + c] = s.class_share[c];
}

void split_images(const std::vector<std::uint8_t>& pixels, std::int64_t n, std::int64_t pixels_per_image,
                  std::vector<Image>& out) {
  const auto p = static_cast<std::size_t>(pixels_per_image);
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i)
    out.emplace_back(pixels.begin() + static_cast<std::ptrdiff_t>(i * p),
                     pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * p));
}

nlohmann::json RealImages::describe() const {
  nlohmann::json d = description_;
  const auto& s = scorer();
  d["classifier"].update({{"test_accuracy", s.test_accuracy()}, {"key", s.key()}});
  return d;
}

}  // namespace ouro::vision
