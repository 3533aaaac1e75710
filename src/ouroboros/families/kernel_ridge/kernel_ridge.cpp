#include "ouroboros/families/kernel_ridge/kernel_ridge.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

namespace {
const std::vector<ParamInfo> kTruthParams{
    param::text("data", kFashionMnistDir,
                "directory with the four Fashion-MNIST IDX files (plain or .gz); the default is where the Debian "
                "package dataset-fashion-mnist installs them (scripts/fetch_fashion_mnist.sh)"),
    param::integer("train_size", "1000", "P: training images in the pool, drawn without replacement from the training split")
        .at_least(1),
    param::integer("test_size", "1000", "Q: held-out test images, drawn without replacement from the test split").at_least(1),
    param::integer("subset_seed", "0", "seed of the choice of the pool and test subsets (Stream::kTruth)").at_least(0),
};
const std::vector<ParamInfo> kModelParams{
    param::number_or_word("bandwidth", {"median"}, "median",
                          "RBF bandwidth h: median (median pairwise distance in the pool) or a fixed h").above(0),
    param::number("lambda", "0.0001",
                  "ridge lambda in alpha = (K + lambda T I)^(-1) Y (T = training set size; 0 interpolates distinct inputs)")
        .at_least(0),
    param::number("lambda_exponent", "", "adaptive ridge lambda = T^(-lambda_exponent), instead of lambda")
        .at_least(0)
        .computed("none: lambda applies"),
    param::number("noise", "0", "sd of the N(0, noise^2 I_10) noise added to every synthetic label vector").at_least(0),
    param::word("design", {"fixed", "resample"}, "fixed",
                "fixed (the same pool inputs every generation: a model labels inputs 0, 1, ..., the truth P-1, P-2, "
                "..., wrapping round) or resample (n inputs uniform with replacement from the pool)"),
};
enum Metric { kTestMse, kTestError, kTrainDrift };
constexpr Eigen::Index kClasses = kKernelRidgeClasses;
}  // namespace

FamilyDescriptor KernelRidgeFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "kernel_ridge";
  d.summary = "RBF kernel ridge regression of one-hot classes on Fashion-MNIST, relabelled by its own predictions";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"kernel ridge, alpha = (K + lambda T I)^(-1) Y", "lambda fixed or lambda = T^(-l)"};
  static constexpr MetricDecl<Metric> kList[]{
      {kTestMse, "test_mse", "mean over the held-out test images of |f(x) - onehot(y)|^2 (sum over the 10 scores)"},
      {kTestError, "test_error", "misclassification rate of argmax f(x) on the held-out test images"},
      {kTrainDrift, "train_drift", "mean over the pool of |f(x) - onehot(y)|^2 against the real labels (0 for the truth)"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "statistics: per-input counts and label sums (exact); accumulate_subsample uses samples";
  return d;
}

KernelRidgeFamily::KernelRidgeFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: kernel_ridge", kTruthParams);
  dir_ = t.text("data");
  train_size_ = t.integer("train_size");
  test_size_ = t.integer("test_size");
  subset_seed_ = t.integer("subset_seed");
  t.finish();

  SpecReader m(model, "model.family: kernel_ridge", kModelParams);
  double bandwidth = 0;
  if (m.has_number("bandwidth")) {
    bandwidth = m.number("bandwidth");
    median_rule_ = false;
  } else {
    m.word("bandwidth");
  }
  if (m.has("lambda_exponent")) {
    if (m.has("lambda"))
      m.fail("lambda", "cannot be given with lambda_exponent: give a fixed lambda or the adaptive T^(-lambda_exponent)");
    adaptive_ = true;
    lambda_exponent_ = m.number("lambda_exponent");
  } else {
    lambda_ = m.number("lambda");
  }
  noise_ = m.number("noise");
  resample_ = m.word("design") == "resample";
  m.finish();

  FashionMnist raw;
  try {
    raw = load_fashion_mnist(dir_);
  } catch (const UserError& e) {
    rethrow_with_context(e, "truth.family: kernel_ridge");
  }
  if (static_cast<std::size_t>(train_size_) > raw.train.count)
    t.fail("train_size", fmt::format("exceeds the {} training images in {}; use train_size <= {}", raw.train.count,
                                     dir_, raw.train.count));
  if (static_cast<std::size_t>(test_size_) > raw.test.count)
    t.fail("test_size", fmt::format("exceeds the {} test images in {}; use test_size <= {}", raw.test.count, dir_,
                                    raw.test.count));
  auto data = std::make_shared<KernelData>(build_kernel_data(raw, static_cast<std::size_t>(train_size_),
                                                             static_cast<std::size_t>(test_size_),
                                                             static_cast<std::uint64_t>(subset_seed_), bandwidth));
  if (!(data->bandwidth > 0))
    throw UserError("model.family: kernel_ridge: the median pairwise distance of the pool is 0 (identical images); "
                    "give bandwidth = h > 0 or a larger train_size");
  data_ = std::move(data);
  theory_ = std::make_shared<const KernelRidgeTheory>(data_);
  truth_.scores = data_->pool_onehot;
  truth_.test_mse = truth_.test_error = std::numeric_limits<double>::quiet_NaN();  // no predictor off the pool
  truth_.train_drift = 0;
}

double KernelRidgeFamily::lambda_for(double training_size) const {
  return adaptive_ ? std::pow(training_size, -lambda_exponent_) : lambda_;
}

void KernelRidgeFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  const auto pool = static_cast<std::uint32_t>(m.scores.rows());
  boost::random::uniform_int_distribution<std::uint32_t> pick(0, pool - 1);
  const double sd = m.synthetic ? noise_ : 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    Sample s;
    const auto step = static_cast<std::uint32_t>(i % pool);
    s.input = resample_ ? pick(rng) : m.synthetic ? step : pool - 1 - step;
    for (Eigen::Index c = 0; c < kClasses; ++c)
      s.label[static_cast<std::size_t>(c)] = m.scores(s.input, c) + (sd > 0 ? sd * draw_normal(rng) : 0.0);
    out.push_back(s);
  }
}

void KernelRidgeFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out = Stats{};
  out.counts.assign(static_cast<std::size_t>(train_size_), 0);
  out.sums = Eigen::MatrixXd::Zero(train_size_, kClasses);
  for (const Sample& x : xs) {
    ++out.counts[x.input];
    for (Eigen::Index c = 0; c < kClasses; ++c) out.sums(x.input, c) += x.label[static_cast<std::size_t>(c)];
  }
}

void KernelRidgeFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void KernelRidgeFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  const auto pool = static_cast<std::size_t>(train_size_);
  out.counts.assign(pool, 0);
  if (resample_) {
    const std::vector<double> weights(pool, 1.0);
    std::vector<std::uint32_t> support(pool);
    for (std::size_t j = 0; j < pool; ++j) support[j] = static_cast<std::uint32_t>(j);
    draw_multinomial(rng, n, weights, support, out.counts);
  } else {
    // The wrap-round order of sample(): a model's batch from the front of the pool, the truth's from the back.
    const auto p = static_cast<std::int64_t>(pool);
    for (std::size_t j = 0; j < pool; ++j) {
      const auto from_start = static_cast<std::int64_t>(m.synthetic ? j : pool - 1 - j);
      out.counts[j] = n / p + (from_start < n % p ? 1 : 0);
    }
  }
  out.sums = Eigen::MatrixXd::Zero(train_size_, kClasses);
  const double sd = m.synthetic ? noise_ : 0.0;
  for (std::size_t j = 0; j < pool; ++j) {
    const auto c = static_cast<double>(out.counts[j]);
    if (c == 0) continue;
    const auto row = static_cast<Eigen::Index>(j);
    // The sum of c labels f(x_j) + noise is c f(x_j) + N(0, c noise^2) per score, exactly.
    for (Eigen::Index k = 0; k < kClasses; ++k)
      out.sums(row, k) = c * m.scores(row, k) + (sd > 0 ? sd * std::sqrt(c) * draw_normal(rng) : 0.0);
  }
}

void KernelRidgeFamily::merge(Stats& into, const Stats& from) const {
  if (into.counts.empty()) {
    into = from;
    return;
  }
  for (std::size_t j = 0; j < into.counts.size(); ++j) into.counts[j] += from.counts[j];
  into.sums += from.sums;
}

void KernelRidgeFamily::fit_stats(const Stats& s, Model& out) const {
  const KernelData& d = *data_;
  std::vector<Eigen::Index> used;
  double total = 0;
  for (std::size_t j = 0; j < s.counts.size(); ++j)
    if (s.counts[j] > 0) {
      used.push_back(static_cast<Eigen::Index>(j));
      total += static_cast<double>(s.counts[j]);
    }
  // Per distinct input: (K_uu + lambda T C^(-1)) beta = (mean labels); see the header.
  const double ridge = lambda_for(total) * total;
  const auto m = static_cast<Eigen::Index>(used.size());
  Eigen::MatrixXd a = d.gram(used, used);
  Eigen::MatrixXd b(m, kClasses);
  for (Eigen::Index r = 0; r < m; ++r) {
    const auto c = static_cast<double>(s.counts[static_cast<std::size_t>(used[static_cast<std::size_t>(r)])]);
    a(r, r) += ridge / c;
    b.row(r) = s.sums.row(used[static_cast<std::size_t>(r)]) / c;
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(a);
  if (llt.info() != Eigen::Success)
    throw UserError("kernel_ridge: the kernel matrix of the training inputs is not numerically positive definite "
                    "(lambda = 0 with duplicate images?); use lambda > 0");
  const Eigen::MatrixXd beta = llt.solve(b);
  out.scores.noalias() = d.gram(Eigen::all, used) * beta;
  const Eigen::MatrixXd test = d.cross(Eigen::all, used) * beta;

  double sq = 0, wrong = 0;
  for (Eigen::Index i = 0; i < test.rows(); ++i) {
    const int y = d.test_class[static_cast<std::size_t>(i)];
    Eigen::Index best = 0;
    test.row(i).maxCoeff(&best);
    wrong += best != y ? 1.0 : 0.0;
    sq += test.row(i).squaredNorm() - 2.0 * test(i, y) + 1.0;
  }
  out.test_mse = sq / static_cast<double>(test.rows());
  out.test_error = wrong / static_cast<double>(test.rows());
  out.train_drift = (out.scores - d.pool_onehot).squaredNorm() / static_cast<double>(out.scores.rows());
  out.synthetic = true;
}

void KernelRidgeFamily::metrics(const Model& m, std::span<double> out) const {
  out[kTestMse] = m.test_mse;
  out[kTestError] = m.test_error;
  out[kTrainDrift] = m.train_drift;
}

std::optional<TheoryValue> KernelRidgeFamily::theory(const TheoryQuery& q) const {
  // Exact only where every generation labels the whole pool once (kernel_theory.hpp), and only for the two
  // squared errors: test_error (an argmax) has no closed form. lambda = 0 is excluded: 1 / mu on the
  // numerically zero eigenvalues of K would swamp the result.
  if (q.threshold || resample_ || q.generation < 1 || !q.samples.constant() || q.samples.at(1) != train_size_)
    return std::nullopt;
  const RegimeKind kind = q.regime.kind;
  if (kind != RegimeKind::kReplace && kind != RegimeKind::kGrow && kind != RegimeKind::kAccumulate)
    return std::nullopt;
  if (!adaptive_ && !(lambda_ > 0)) return std::nullopt;
  const bool mse = q.metric == "test_mse";
  if (!mse && q.metric != "train_drift") return std::nullopt;
  std::vector<double> ridge(static_cast<std::size_t>(q.generation));
  const auto pool = static_cast<double>(train_size_);
  for (std::size_t i = 0; i < ridge.size(); ++i) {
    const double copies = kind == RegimeKind::kReplace ? 1.0 : static_cast<double>(i + 1);  // T_i = copies P
    ridge[i] = lambda_for(copies * pool) * pool;
  }
  const auto mean = theory_->mean(mse ? KernelRidgeTheory::Quantity::kTestMse : KernelRidgeTheory::Quantity::kTrainDrift,
                                  kind, ridge, noise_);
  if (!mean) return std::nullopt;
  TheoryValue v;
  v.mid = *mean;
  v.kind = TheoryKind::kExact;
  v.source = "exact mean over the label noise (derived: kernel ridge relabelling in the eigenbasis of K)";
  return v;
}

nlohmann::json KernelRidgeFamily::describe() const {
  nlohmann::json lambda = adaptive_ ? nlohmann::json(fmt::format("T^(-{})", lambda_exponent_)) : nlohmann::json(lambda_);
  return {{"truth",
           {{"data", dir_},
            {"train_size", train_size_},
            {"test_size", test_size_},
            {"subset_seed", subset_seed_},
            {"pixels", "scaled to [0, 1]"}}},
          {"target", "one-hot class scores (10 outputs); predicted class = argmax"},
          {"kernel", "rbf: exp(-|x - x'|^2 / (2 h^2))"},
          {"bandwidth", data_->bandwidth},
          {"bandwidth_rule", median_rule_ ? "median pairwise distance in the pool" : "fixed"},
          {"lambda", lambda},
          {"normalisation", "alpha = (K + lambda T I)^(-1) Y, T = training set size"},
          {"noise", noise_},
          {"design", resample_ ? "resample: inputs uniform with replacement from the pool"
                               : "fixed: a model labels pool inputs 0, 1, ..., the truth P-1, P-2, ..., "
                                 "wrapping round the pool"}};
}

OUROBOROS_REGISTER_FAMILY(KernelRidgeFamily);

}  // namespace ouro
