#include "ouroboros/theory/suresh2025.hpp"

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "ouroboros/core/vector_math.hpp"

namespace ouro::theory {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("ouro::theory: ") + what);
}

void check_nk(std::int64_t n, std::int64_t k) {
  require(n >= 1, "n must be >= 1");
  require(k >= 0, "k must be >= 0");
}

void check_gaussian(std::int64_t n, std::int64_t k, int ddof) {
  require(n >= 2, "n must be >= 2 for a Gaussian fit");
  require(k >= 0, "k must be >= 0");
  require(ddof == 0 || ddof == 1, "ddof must be 0 or 1");
}

double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

// 1 - exp(-x) without cancellation for small x (n p0 g_k is tiny for rare symbols).
double one_minus_exp_neg(double x) { return -std::expm1(-x); }

// exp(-c g_k) with the k = 0 convention (g_0 = inf) and c = 0 handled, where c * inf would be NaN.
double exp_neg_c_g(double c, std::int64_t k) {
  if (c == 0.0) return 1.0;
  if (k == 0) return 0.0;
  return std::exp(-c * g(k));
}

// Theorem 1's max(1 - 3 n p0^2 - 3 k p0, 0).
double thm1_factor(double p0, std::int64_t n, std::int64_t k) {
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  return std::max(1.0 - 3.0 * nd * p0 * p0 - 3.0 * kd * p0, 0.0);
}

// (sigma0/eps) * rate^k in log space (rate^k underflows long before the bound stops mattering), min 1.
double tail_bound(double log_ratio, double log_rate, std::int64_t k) {
  return std::min(std::exp(log_ratio + static_cast<double>(k) * log_rate), 1.0);
}

}  // namespace

double g(std::int64_t k) {
  require(k >= 0, "g: k must be >= 0");
  if (k == 0) return std::numeric_limits<double>::infinity();
  // Index i holds g_{i+1}. Grown geometrically under the lock so a caller walking k = 1..G pays O(1)
  // amortised; the lock (not a lock-free read) keeps concurrent growth and reads simple and safe.
  static std::mutex mutex;
  static std::vector<double> cache{1.0};
  const auto need = static_cast<std::size_t>(k);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() < need) {
    if (need > cache.capacity()) cache.reserve(std::max(need, 2 * cache.capacity()));
    while (cache.size() < need) cache.push_back(one_minus_exp_neg(cache.back()));
  }
  return cache[need - 1];
}

Bounds bernoulli_nonzero(double p0, std::int64_t n, std::int64_t k) {
  require(p0 >= 0.0 && p0 <= 1.0, "p0 must be in [0, 1]");
  check_nk(n, k);
  const double e = exp_neg_c_g(static_cast<double>(n) * p0, k);
  return {clamp01(1.0 - e), clamp01(1.0 - thm1_factor(p0, n, k) * e)};
}

// [derived] {P_k not in {0,1}} = {P_k != 0} minus {P_k == 1}, and {P_k == 1} = {Q_k == 0} with
// Q_k = 1 - P_k. Q is itself a Wright-Fisher chain started at 1 - p0 (N'_k = n - N_k ~ Bin(n, Q_{k-1})),
// so Theorem 1 applies to it. Hence
//   Pr(P_k in (0,1)) = Pr(P_k != 0) - (1 - Pr(Q_k != 0)) = Pr(P_k != 0) + Pr(Q_k != 0) - 1,
// and since the right side is increasing in both probabilities, the lower (upper) bound is the sum of
// the two Theorem 1 lower (upper) bounds minus 1, clamped to [0, 1].
Bounds bernoulli_interior(double p0, std::int64_t n, std::int64_t k) {
  const Bounds a = bernoulli_nonzero(p0, n, k);
  const Bounds b = bernoulli_nonzero(1.0 - p0, n, k);
  return {clamp01(a.lo + b.lo - 1.0), clamp01(a.hi + b.hi - 1.0)};
}

Bounds seddik_interior(double p0, std::int64_t n, std::int64_t k) {
  const double pq = bernoulli_pq_mean(p0, n, k);
  return {clamp01(4.0 * pq), clamp01(2.0 * static_cast<double>(n) * pq)};
}

// [paper; derivation] E[P_k(1-P_k) | P_{k-1}] = P - (P^2 + P(1-P)/n) = (1 - 1/n) P(1-P).
double bernoulli_pq_mean(double p0, std::int64_t n, std::int64_t k) {
  require(p0 >= 0.0 && p0 <= 1.0, "p0 must be in [0, 1]");
  check_nk(n, k);
  const double nd = static_cast<double>(n);
  return p0 * (1.0 - p0) * std::exp(static_cast<double>(k) * std::log1p(-1.0 / nd));
}

double poisson_nonzero(double lambda0, std::int64_t n, std::int64_t k) {
  require(lambda0 >= 0.0, "lambda0 must be >= 0");
  check_nk(n, k);
  return clamp01(1.0 - exp_neg_c_g(static_cast<double>(n) * lambda0, k));
}

ProbabilityRuns probability_runs(std::span<const double> p0) {
  bool valid = true;
  for (const double p : p0) valid &= p >= 0.0 && p <= 1.0;
  require(valid, "probabilities must be in [0, 1]");
  // Runs of equal probabilities (a uniform truth, ties in a counts file) cost one term times their length.
  ProbabilityRuns runs;
  for (std::size_t i = 0; i < p0.size();) {
    std::size_t j = i + 1;
    while (j < p0.size() && p0[j] == p0[i]) ++j;
    runs.value.push_back(p0[i]);
    runs.length.push_back(static_cast<double>(j - i));
    i = j;
  }
  return runs;
}

Bounds discrete_alive(std::span<const double> p0, std::int64_t n, std::int64_t k) {
  check_nk(n, k);
  return discrete_alive(probability_runs(p0), n, k);
}

Bounds discrete_alive(const ProbabilityRuns& p0, std::int64_t n, std::int64_t k) {
  check_nk(n, k);
  // Called once per generation over every symbol (m up to 1e6): g_k is looked up once, and each run of equal
  // probabilities costs one (vector) exp and no branch. The terms are those of bernoulli_nonzero, inlined, without
  // its clamps: for k >= 1, e = exp(-n p g_k) and thm1_factor are in [0, 1], so both terms already are. A zero
  // entry (a symbol absent from the start, which stays absent) gives e = 1 and factor 1, so it adds exactly 0.
  Bounds sum{0.0, 0.0};
  const std::size_t runs = p0.value.size();
  if (k == 0) {  // g_0 = inf: every symbol present at the start is alive
    for (std::size_t i = 0; i < runs; ++i) sum.lo += p0.value[i] > 0.0 ? p0.length[i] : 0.0;
    sum.hi = sum.lo;
    return sum;
  }
  // The exponentials, one per run and generation, go through the SIMD exp (core/vector_math.hpp, within 4 ulps of
  // the exact value).
  thread_local std::vector<double> e;
  e.resize(runs);
  const double nd = static_cast<double>(n), gk = g(k);
  for (std::size_t i = 0; i < runs; ++i) e[i] = -nd * p0.value[i] * gk;
  exp_values(e, e);
  for (std::size_t i = 0; i < runs; ++i) {
    sum.lo += p0.length[i] * (1.0 - e[i]);
    sum.hi += p0.length[i] * (1.0 - thm1_factor(p0.value[i], n, k) * e[i]);
  }
  return sum;
}

double symbol_survival(double count, std::int64_t k) {
  require(count >= 0.0, "count must be >= 0");
  require(k >= 0, "k must be >= 0");
  return clamp01(1.0 - exp_neg_c_g(count, k));
}

double gaussian_sigma_tail_thm3(double sigma0, double eps, std::int64_t n, std::int64_t k) {
  require(sigma0 > 0.0 && eps > 0.0, "sigma0 and eps must be > 0");
  require(n >= 1 && k >= 0, "need n >= 1, k >= 0");
  return tail_bound(std::log(sigma0 / eps), -1.0 / (4.0 * static_cast<double>(n) - 1.0), k);
}

double gmm_sigma_tail_thm4(double sigma0, double eps, std::int64_t n, std::int64_t k) {
  require(sigma0 > 0.0 && eps > 0.0, "sigma0 and eps must be > 0");
  require(n >= 1 && k >= 0, "need n >= 1, k >= 0");
  return tail_bound(std::log(sigma0 / eps), -1.0 / (4.0 * static_cast<double>(n)), k);
}

// Boost's lgamma, not std::lgamma: glibc's std::lgamma writes the global signgam (a data race when
// theory values are computed from several threads).
double bertrand_alpha(std::int64_t n) {
  require(n >= 2, "n must be >= 2");
  const double nd = static_cast<double>(n);
  using boost::math::lgamma;
  return std::exp(0.5 * std::log(2.0) + lgamma(nd / 2.0) - lgamma((nd - 1.0) / 2.0) -
                  0.5 * std::log(nd - 1.0));
}

double gaussian_sigma_tail_bertrand(double sigma0, double eps, std::int64_t n, std::int64_t k) {
  require(sigma0 > 0.0 && eps > 0.0, "sigma0 and eps must be > 0");
  require(k >= 0, "k must be >= 0");
  return tail_bound(std::log(sigma0 / eps), std::log(bertrand_alpha(n)), k);
}

double moment_m(double s, std::int64_t n) {
  require(n >= 2, "n must be >= 2");
  require(s > -(static_cast<double>(n) - 1.0), "moment order s must exceed -(n-1)");
  const double h = (static_cast<double>(n) - 1.0) / 2.0;
  using boost::math::lgamma;
  return std::exp(lgamma(h + s / 2.0) - (s / 2.0) * std::log(h) - lgamma(h));
}

// Markov on Sigma_k^s: E[Sigma_k^s] = sigma0^s m_s^k (ddof 1: Sigma_k^2 = sigma0^2 prod of iid chi2/(n-1)).
double gaussian_sigma_tail_moment(double sigma0, double eps, std::int64_t n, std::int64_t k, double s) {
  require(sigma0 > 0.0 && eps > 0.0, "sigma0 and eps must be > 0");
  require(s > 0.0, "moment order s must be > 0");
  require(k >= 0, "k must be >= 0");
  return tail_bound(s * std::log(sigma0 / eps), std::log(moment_m(s, n)), k);
}

// [derived] Sigma_k^2 = Sigma_{k-1}^2 chi2_{n-1}/D with D = n - ddof, independent steps, so
// E[Sigma_k^2] = sigma0^2 ((n-1)/D)^k.
double gaussian_variance_mean(double sigma0_sq, std::int64_t n, std::int64_t k, int ddof) {
  check_gaussian(n, k, ddof);
  if (ddof == 1) return sigma0_sq;
  return sigma0_sq * std::exp(static_cast<double>(k) * std::log1p(-1.0 / static_cast<double>(n)));
}

// [derived] log Sigma_k^2 = log sigma0^2 + sum of k iid log(chi2_{n-1}/D), and
// E log chi2_v = psi(v/2) + log 2.
double gaussian_log_variance_mean(double sigma0_sq, std::int64_t n, std::int64_t k, int ddof) {
  check_gaussian(n, k, ddof);
  require(sigma0_sq > 0.0, "sigma0_sq must be > 0");
  const double nd = static_cast<double>(n);
  const double d = nd - static_cast<double>(ddof);
  const double step = boost::math::digamma((nd - 1.0) / 2.0) - std::log(d / 2.0);
  return std::log(sigma0_sq) + static_cast<double>(k) * step;
}

// [derived] M_k = M_{k-1} + Sigma_{k-1} Z_k/sqrt(n), Z_k ~ N(0,1) independent of everything up to
// generation k-1 (and of Sigma_k: Gaussian sample mean and variance are independent). The cross terms
// vanish, so E[(M_k - mu0)^2] = sum_{j=0}^{k-1} E[Sigma_j^2]/n: k sigma0^2/n for ddof 1, and for ddof 0 the
// geometric sum (sigma0^2/n) (1 - r^k)/(1 - r) = sigma0^2 (1 - r^k) with r = (n-1)/n.
double gaussian_mean_sq_error_replace(double sigma0_sq, std::int64_t n, std::int64_t k, int ddof) {
  check_gaussian(n, k, ddof);
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  if (ddof == 1) return kd * sigma0_sq / nd;
  return sigma0_sq * -std::expm1(kd * std::log1p(-1.0 / nd));
}

}  // namespace ouro::theory
