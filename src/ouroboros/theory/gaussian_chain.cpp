#include "ouroboros/theory/gaussian_chain.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ouro::theory {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The law of one fit on m samples: chi-square (Wishart) degrees of freedom nu and divisor D.
struct Step {
  double m, nu, divisor;
};

Step step_of(std::int64_t m, const GaussianFit& fit) {
  const double md = static_cast<double>(m);
  if (fit.cov_known && m >= 1 && fit.d >= 1) return {md, md, md};  // only the mean is fitted: nu and D unused
  if (m < 1 || (!fit.mean_known && m < 2) || fit.d < 1 || fit.ddof < 0 || md - fit.ddof <= 0)
    throw std::invalid_argument(
        "ouro::theory: a Gaussian fit needs m >= 2 (m >= 1 with the mean or covariance "
        "known), d >= 1, and a positive divisor");
  if (fit.mean_known) return {md, md, md};
  return {md, md - 1, md - fit.ddof};
}

// One step of E[log det Sigma]: E[log det W] - d log D = sum_{i=1}^d psi((nu - i + 1)/2) + d log(2/D); -inf
// when W is singular (nu < d).
double log_det_step(const Step& s, int d) {
  if (s.nu < d) return -kInf;
  double step = d * std::log(2.0 / s.divisor);
  for (int i = 1; i <= d; ++i) step += boost::math::digamma((s.nu - i + 1) / 2);
  return step;
}

// log E[sqrt(chi2_nu / D)] = log(sqrt(2/D) Gamma((nu+1)/2) / Gamma(nu/2)); tgamma_delta_ratio keeps the ratio
// accurate for large nu, where a difference of lgammas would lose digits.
double log_alpha(const Step& s) {
  if (s.nu <= 0) return -kInf;
  // The run asks for the same step once per generation: the long-double gamma ratio is kept for the last one.
  thread_local double last_nu = -1, last_divisor = -1, last = 0;
  if (s.nu == last_nu && s.divisor == last_divisor) return last;
  last_nu = s.nu;
  last_divisor = s.divisor;
  last = 0.5 * std::log(2.0 / s.divisor) - std::log(boost::math::tgamma_delta_ratio(s.nu / 2, 0.5));
  return last;
}

// D/(nu - d - 1), the factor of E[Sigma^-1]; +inf where that mean does not exist.
double inverse_factor(const Step& s, int d) { return s.nu > d + 1 ? s.divisor / (s.nu - d - 1) : kInf; }

// sum_{j=0}^{k-1} x^j given x - 1 exactly (x near 1 for large m, where 1 - x^k would cancel).
double geometric(double log_x, double x_minus_1, std::int64_t k) {
  if (x_minus_1 == 0) return static_cast<double>(k);
  return std::expm1(static_cast<double>(k) * log_x) / x_minus_1;
}

}  // namespace

double ReplaceMoments::kl(int d) const { return 0.5 * (d * (inverse + mahalanobis - 1) + log_det); }

ReplaceMoments replace_step(const ReplaceMoments& previous, std::int64_t m, const GaussianFit& fit) {
  ReplaceMoments next = previous;
  const Step s = step_of(m, fit);
  if (fit.cov_known) {
    next.mean_sq += 1 / s.m;
    next.mahalanobis += 1 / s.m;
    return next;
  }
  const double c = inverse_factor(s, fit.d);
  next.trace *= s.nu / s.divisor;
  next.log_det += log_det_step(s, fit.d);
  next.log_sd = fit.d == 1 ? previous.log_sd + log_alpha(s) : std::numeric_limits<double>::quiet_NaN();
  next.inverse *= c;
  if (fit.mean_known) return next;  // mean_sq and mahalanobis stay 0
  next.mean_sq += previous.trace / s.m;
  next.mahalanobis = c * (previous.mahalanobis + 1 / s.m);
  return next;
}

ReplaceMoments replace_moments(std::int64_t m, std::int64_t k, const GaussianFit& fit) {
  if (k < 0) throw std::invalid_argument("ouro::theory: k must be >= 0");
  ReplaceMoments r;
  const Step s = step_of(m, fit);
  if (k == 0) return r;
  const double kd = static_cast<double>(k);
  if (fit.cov_known) {
    r.mean_sq = r.mahalanobis = kd / s.m;
    return r;
  }
  // trace ratio x = nu/D, x - 1 = (nu - D)/D.
  const double log_x = std::log(s.nu / s.divisor), x_minus_1 = (s.nu - s.divisor) / s.divisor;
  r.trace = std::exp(kd * log_x);
  r.log_det = kd * log_det_step(s, fit.d);
  r.log_sd = fit.d == 1 ? kd * log_alpha(s) : std::numeric_limits<double>::quiet_NaN();
  const double c = inverse_factor(s, fit.d);
  r.inverse = std::isinf(c) ? kInf : std::exp(kd * std::log(c));
  if (fit.mean_known) return r;
  r.mean_sq = geometric(log_x, x_minus_1, k) / s.m;
  // mahalanobis_k = (1/m) sum_{i=1}^k c^i = (c/m) sum_{j=0}^{k-1} c^j, c - 1 = (D - nu + d + 1)/(nu - d - 1).
  r.mahalanobis =
      std::isinf(c)
          ? kInf
          : c / s.m * geometric(std::log(c), (s.divisor - s.nu + fit.d + 1) / (s.nu - fit.d - 1), k);
  return r;
}

PooledMoments accumulate_step(const PooledMoments& previous, std::int64_t m, const GaussianFit& fit) {
  const Step s = step_of(m, fit);
  PooledMoments next;
  next.pool = previous.pool + m;
  const double pool = static_cast<double>(next.pool), before = static_cast<double>(previous.pool);
  if (fit.cov_known) {
    next.mean_sq = previous.mean_sq + s.m / (pool * pool);
    return next;
  }
  if (fit.mean_known) {
    next.scatter = previous.scatter + s.m * previous.trace;
    next.trace = next.scatter / pool;
    return next;
  }
  next.scatter = previous.scatter + previous.trace * (s.m - 1 + before / pool);
  next.trace = next.scatter / (pool - fit.ddof);
  next.mean_sq = previous.mean_sq + s.m * previous.trace / (pool * pool);
  return next;
}

MixMoments fresh_mix_step(const MixMoments& previous, std::int64_t synthetic, std::int64_t real,
                          const GaussianFit& fit) {
  if (synthetic < 0 || real < 0) throw std::invalid_argument("ouro::theory: negative batch size");
  const Step step = step_of(synthetic + real, fit);
  const double m = step.m, s = static_cast<double>(synthetic), r = static_cast<double>(real);
  MixMoments next;
  if (fit.cov_known) {
    next.mean_sq = (s / m) * (s / m) * previous.mean_sq + 1 / m;
    return next;
  }
  if (fit.mean_known) {
    next.trace = (s * previous.trace + r) / m;
    return next;
  }
  // With s = 0 or r = 0 the coefficients vanish as they should (no batch, no between-batch term).
  const double scatter = (s - 1 + r / m) * previous.trace + (r - 1 + s / m) + s * r / m * previous.mean_sq;
  next.trace = scatter / step.divisor;
  next.mean_sq = (s / m) * (s / m) * previous.mean_sq + (s * previous.trace + r) / (m * m);
  return next;
}

}  // namespace ouro::theory
