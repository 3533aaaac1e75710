#include "ouroboros/families/gmm/gmm.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

namespace {

const std::vector<ParamInfo> kTruthParams{
    param::integer("k", "2", "number of components").at_least(1),
    param::integer("d", "1", "dimension").at_least(1),
    param::number("separation", "4", "radius of the circle (d >= 2) or spacing on the line (d = 1) of the component means"),
    param::positive("sd", "1", "standard deviation of every component along each axis"),
};
const std::vector<ParamInfo> kModelParams{
    param::integer("components", "", "number of components fitted").at_least(1).computed("the truth's k"),
    param::integer("max_iter", "200", "EM iterations at most").at_least(1),
    param::positive("tol", "1e-6", "stop when the mean log-likelihood per sample improves by less than this"),
    param::word("init", {"farthest", "random", "previous"}, "farthest",
     "EM's starting point: farthest (deterministic farthest-point seeds), random (k-means++ seeds drawn from the "
     "fit's random stream), previous (the previous generation's model: a warm start)"),
};
enum Metric { kTotalVariance, kMinWeight, kMeanComponentSd, kConverged };
constexpr double kRegCovar = 1e-6;

void finish_component(GmmFamily::Component& c) {
  Eigen::LLT<Eigen::MatrixXd> llt(c.cov);
  c.chol = llt.matrixL();
}

// The samples as the columns of one d x n matrix: EM works on whole matrices, not sample by sample.
Eigen::MatrixXd stack(std::span<const GmmFamily::Sample> xs) {
  Eigen::MatrixXd x(xs.front().size(), static_cast<Eigen::Index>(xs.size()));
  for (std::size_t i = 0; i < xs.size(); ++i) x.col(static_cast<Eigen::Index>(i)) = xs[i];
  return x;
}

// log N(x; mean, cov) for every column of x, through the Cholesky factor.
void log_density(const GmmFamily::Component& c, const Eigen::MatrixXd& x, Eigen::Ref<Eigen::VectorXd> out) {
  const auto d = static_cast<double>(c.mean.size());
  const double log_det = 2.0 * c.chol.diagonal().array().log().sum();
  const double constant = -0.5 * (d * std::log(2.0 * M_PI) + log_det);
  const Eigen::MatrixXd z = c.chol.triangularView<Eigen::Lower>().solve(x.colwise() - c.mean);
  out = (constant - 0.5 * z.colwise().squaredNorm().array()).matrix().transpose();
}

// Log responsibilities of every (sample, component), and the mean log-likelihood per sample.
double e_step(const GmmFamily::Model& m, const Eigen::MatrixXd& x, Eigen::MatrixXd& log_resp) {
  const auto n = x.cols();
  const auto k = static_cast<Eigen::Index>(m.components.size());
  log_resp.resize(n, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const auto& c = m.components[static_cast<std::size_t>(j)];
    log_density(c, x, log_resp.col(j));
    log_resp.col(j).array() += c.weight > 0 ? std::log(c.weight) : -std::numeric_limits<double>::infinity();
  }
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double top = log_resp.row(i).maxCoeff();
    const double ll = top + std::log((log_resp.row(i).array() - top).exp().sum());
    log_resp.row(i).array() -= ll;
    total += ll;
  }
  return total / static_cast<double>(n);
}

void m_step(const Eigen::MatrixXd& x, const Eigen::MatrixXd& resp, GmmFamily::Model& m) {
  const double n = static_cast<double>(x.cols());
  for (std::size_t j = 0; j < m.components.size(); ++j) {
    auto& c = m.components[j];
    const auto col = resp.col(static_cast<Eigen::Index>(j));
    const double nj = col.sum();
    if (nj < 1e-12) {  // an emptied component keeps its shape with weight 0
      c.weight = 0;
      continue;
    }
    c.weight = nj / n;
    c.mean = x * col / nj;
    const Eigen::MatrixXd dev = x.colwise() - c.mean;
    c.cov = dev * col.asDiagonal() * dev.transpose() / nj;
    c.cov.diagonal().array() += kRegCovar;
    finish_component(c);
  }
}

}  // namespace

FamilyDescriptor GmmFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "gmm";
  d.summary = "mixture of k Gaussians in d dimensions, fitted by EM";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"em"};
  static constexpr MetricDecl<Metric> kList[]{
      {kTotalVariance, "total_variance", "trace of the mixture's covariance"},
      {kMinWeight, "min_weight", "smallest mixing weight"},
      {kMeanComponentSd, "mean_component_sd", "sum_j w_j sqrt(tr Sigma_j / d)"},
      {kConverged, "converged", "1 if EM met its tolerance before max_iter, else 0", true},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "sample kernel only";
  return d;
}

GmmFamily::GmmFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: gmm", kTruthParams);
  const auto k = t.integer("k");
  d_ = static_cast<int>(t.integer("d"));
  const double separation = t.number("separation");
  const double sd = t.number("sd");
  t.finish();
  for (std::int64_t j = 0; j < k; ++j) {
    Component c;
    c.weight = 1.0 / static_cast<double>(k);
    c.mean = Eigen::VectorXd::Zero(d_);
    if (d_ == 1) {
      c.mean[0] = separation * (static_cast<double>(j) - static_cast<double>(k - 1) / 2);
    } else {
      const double angle = 2 * M_PI * static_cast<double>(j) / static_cast<double>(k);
      c.mean[0] = separation * std::cos(angle);
      c.mean[1] = separation * std::sin(angle);
    }
    c.cov = sd * sd * Eigen::MatrixXd::Identity(d_, d_);
    finish_component(c);
    truth_.components.push_back(std::move(c));
  }
  SpecReader m(model, "model.family: gmm", kModelParams);
  components_ = static_cast<int>((m.has("components") ? m.integer("components") : k));
  max_iter_ = static_cast<int>(m.integer("max_iter"));
  tol_ = m.number("tol");
  const std::string init = m.word("init");
  init_ = init == "random" ? Init::kRandom : init == "previous" ? Init::kPrevious : Init::kFarthest;
  m.finish();
}

void GmmFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  const auto d = m.components.front().mean.size();
  Eigen::VectorXd z(d);
  for (std::int64_t s = 0; s < n; ++s) {
    double u = rng.uniform(), acc = 0;
    std::size_t j = 0;
    for (; j + 1 < m.components.size(); ++j) {
      acc += m.components[j].weight;
      if (u < acc) break;
    }
    const auto& c = m.components[j];
    for (Eigen::Index i = 0; i < d; ++i) z[i] = draw_normal(rng);
    out.push_back(c.mean + c.chol.triangularView<Eigen::Lower>() * z);
  }
}

// Farthest-point seeding from the sample nearest the mean.
std::vector<std::size_t> GmmFamily::farthest_seeds(std::span<const Sample> xs) const {
  const std::size_t n = xs.size(), k = static_cast<std::size_t>(components_);
  Eigen::VectorXd centre = Eigen::VectorXd::Zero(d_);
  for (const auto& x : xs) centre += x;
  centre /= static_cast<double>(n);
  std::vector<std::size_t> seeds;
  std::size_t first = 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((xs[i] - centre).squaredNorm() < (xs[first] - centre).squaredNorm()) first = i;
  seeds.push_back(first);
  std::vector<double> dist(n);
  for (std::size_t i = 0; i < n; ++i) dist[i] = (xs[i] - xs[first]).squaredNorm();
  while (seeds.size() < k) {
    const auto next = static_cast<std::size_t>(std::max_element(dist.begin(), dist.end()) - dist.begin());
    seeds.push_back(next);
    for (std::size_t i = 0; i < n; ++i) dist[i] = std::min(dist[i], (xs[i] - xs[next]).squaredNorm());
  }
  return seeds;
}

// k-means++ seeding (Arthur & Vassilvitskii 2007): the first seed uniform, each next one drawn with probability
// proportional to the squared distance to the nearest seed so far (uniform again if every distance is 0).
std::vector<std::size_t> GmmFamily::random_seeds(std::span<const Sample> xs, Rng& rng) const {
  const std::size_t n = xs.size(), k = static_cast<std::size_t>(components_);
  const auto uniform_index = [&] { return std::min(n - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(n))); };
  std::vector<std::size_t> seeds{uniform_index()};
  std::vector<double> dist(n);
  for (std::size_t i = 0; i < n; ++i) dist[i] = (xs[i] - xs[seeds[0]]).squaredNorm();
  while (seeds.size() < k) {
    double total = 0;
    for (const double x : dist) total += x;
    std::size_t next = n - 1;
    if (total > 0) {
      double u = rng.uniform() * total;
      for (std::size_t i = 0; i < n; ++i)
        if ((u -= dist[i]) < 0) {
          next = i;
          break;
        }
    } else {
      next = uniform_index();
    }
    seeds.push_back(next);
    for (std::size_t i = 0; i < n; ++i) dist[i] = std::min(dist[i], (xs[i] - xs[next]).squaredNorm());
  }
  return seeds;
}

// Every sample goes to its nearest seed; the initial components are the M-step of that hard assignment.
void GmmFamily::seed_components(std::span<const Sample> xs, const std::vector<std::size_t>& seeds, Model& out) const {
  const std::size_t n = xs.size(), k = seeds.size();
  Eigen::MatrixXd resp = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < k; ++j)
      if ((xs[i] - xs[seeds[j]]).squaredNorm() < (xs[i] - xs[seeds[best]]).squaredNorm()) best = j;
    resp(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(best)) = 1;
  }
  out.components.assign(k, Component{});
  for (std::size_t j = 0; j < k; ++j) {
    out.components[j].mean = xs[seeds[j]];
    out.components[j].cov = Eigen::MatrixXd::Identity(d_, d_);
    finish_component(out.components[j]);
  }
  m_step(stack(xs), resp, out);
}

// EM from the components in `out` until the mean log-likelihood improves by less than tol, or max_iter.
void GmmFamily::em(std::span<const Sample> xs, Model& out, const CancelToken* cancel, const FitContext<Model>* ctx) const {
  const Eigen::MatrixXd x = stack(xs);
  out.converged = false;
  out.iterations = 0;
  double previous = -std::numeric_limits<double>::infinity();
  Eigen::MatrixXd log_resp;
  for (int it = 1; it <= max_iter_; ++it) {
    if (cancel) cancel->throw_if_requested();
    const double ll = e_step(out, x, log_resp);
    out.iterations = it;
    if (ll - previous < tol_) {
      out.converged = true;
      break;
    }
    previous = ll;
    m_step(x, log_resp.array().exp().matrix(), out);
    if (ctx) ctx->report(static_cast<double>(it) / max_iter_);
  }
}

void GmmFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  if (init_ != Init::kFarthest)
    throw std::logic_error("gmm: init = random or previous needs a fit context (fit_samples(xs, ctx, out))");
  seed_components(xs, farthest_seeds(xs), out);
  em(xs, out, nullptr, nullptr);
}

void GmmFamily::fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const {
  // A warm start needs a previous model with as many components as are fitted (at generation 1 the previous
  // model is the truth, which may have another k: then the farthest-point seeds are used).
  if (init_ == Init::kPrevious && ctx.previous.components.size() == static_cast<std::size_t>(components_))
    out = ctx.previous;
  else if (init_ == Init::kRandom)
    seed_components(xs, random_seeds(xs, ctx.rng), out);
  else
    seed_components(xs, farthest_seeds(xs), out);
  em(xs, out, &ctx.cancel, &ctx);
}

double GmmFamily::mean_log_likelihood(const Model& m, std::span<const Sample> xs) {
  Eigen::MatrixXd log_resp;
  return e_step(m, stack(xs), log_resp);
}

void GmmFamily::metrics(const Model& m, std::span<double> out) const {
  const auto d = m.components.front().mean.size();
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(d);
  double second = 0, min_weight = 1, sd = 0;
  for (const auto& c : m.components) {
    mean += c.weight * c.mean;
    second += c.weight * (c.cov.trace() + c.mean.squaredNorm());
    min_weight = std::min(min_weight, c.weight);
    sd += c.weight * std::sqrt(c.cov.trace() / static_cast<double>(d));
  }
  out[kTotalVariance] = second - mean.squaredNorm();
  out[kMinWeight] = min_weight;
  out[kMeanComponentSd] = sd;
  out[kConverged] = m.converged ? 1.0 : 0.0;
}

void GmmFamily::validate(const Regime& regime, const SampleSchedule& samples) const {
  const std::int64_t smallest = min_training_size(regime, samples);
  if (smallest < components_)
    throw UserError(fmt::format("experiment.samples: a training set of {} samples under {} is smaller than the {} "
                                "components to fit", smallest, regime.name(), components_));
}

nlohmann::json GmmFamily::describe() const {
  return {{"truth", {{"k", truth_.components.size()}, {"d", d_}}},
          {"estimator", "em"},
          {"components", components_},
          {"max_iter", max_iter_},
          {"tol", tol_},
          {"init", init_ == Init::kRandom ? "random" : init_ == Init::kPrevious ? "previous" : "farthest"},
          {"convention", "full covariances + 1e-6 I; stop when the mean log-likelihood per sample improves by less "
                         "than tol"}};
}

OUROBOROS_REGISTER_FAMILY(GmmFamily);

}  // namespace ouro
