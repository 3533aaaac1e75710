#include "ouroboros/theory/dohmatob2024.hpp"

#include <algorithm>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>

namespace ouro::theory {

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

}  // namespace

double ridge_df(std::span<const double> eig, double kappa, int m) {
  double sum = 0;
  for (const double e : eig) {
    const double ratio = e / (e + kappa);
    sum += m == 1 ? ratio : ratio * ratio;
  }
  return sum;
}

double ridge_kappa(std::span<const double> eig, double lambda, double T) {
  require(lambda >= 0 && T > 0 && !eig.empty(), "ouro::theory: ridge_kappa needs lambda >= 0, T > 0, d >= 1");
  const double d = static_cast<double>(eig.size());
  if (lambda == 0 && T >= d) return 0.0;
  // f(kappa) = kappa - lambda - kappa df1(kappa) / T is increasing where it crosses zero. f(hi) > 0 at
  // hi = lambda + tr Sigma / T because kappa df1(kappa) < tr Sigma; f(lo) < 0 at lo = lambda when lambda > 0.
  // With lambda = 0 and d > T the root is positive: lo is halved until df1(lo) > T.
  const auto f = [&](double kappa) { return kappa - lambda - kappa * ridge_df(eig, kappa, 1) / T; };
  const double trace = std::accumulate(eig.begin(), eig.end(), 0.0);
  const double hi = lambda + trace / T;
  double lo = lambda;
  if (lambda == 0) {
    lo = hi;
    while (f(lo) >= 0 && lo > 1e-300) lo /= 2;
  }
  std::uintmax_t iterations = 200;
  const auto [a, b] =
      boost::math::tools::toms748_solve(f, lo, hi, boost::math::tools::eps_tolerance<double>(50), iterations);
  return 0.5 * (a + b);
}

RidgeEquivalent ridge_equivalent(std::span<const double> eig, double lambda, double T) {
  RidgeEquivalent r;
  r.lambda = lambda;
  r.T = T;
  r.kappa = ridge_kappa(eig, lambda, T);
  r.df2 = ridge_df(eig, r.kappa, 2);
  return r;
}

double downstream_error(std::span<const double> eig, std::span<const double> w0, std::span<const double> w,
                        double sigma_sq, const RidgeEquivalent& learner) {
  const double T = learner.T, kappa = learner.kappa, df2 = learner.df2;
  require(w0.size() == eig.size() && w.size() == eig.size(), "ouro::theory: downstream_error size mismatch");
  const std::size_t d = eig.size();
  double delta_sq = 0;  // ||w - w0||^2_Sigma
  for (std::size_t j = 0; j < d; ++j) delta_sq += eig[j] * (w[j] - w0[j]) * (w[j] - w0[j]);
  if (learner.lambda == 0) {
    require(T >= static_cast<double>(d) + 2, "ouro::theory: downstream_error at lambda = 0 needs T >= d + 2");
    return delta_sq + sigma_sq * static_cast<double>(d) / (T - static_cast<double>(d) - 1.0);
  }
  double bias = 0, cross = 0;
  for (std::size_t j = 0; j < d; ++j) {
    const double shrink = eig[j] + kappa;
    bias += eig[j] * w[j] * w[j] / (shrink * shrink);
    cross += w[j] * eig[j] * (w[j] - w0[j]) / shrink;
  }
  return kappa * kappa * bias / (1.0 - df2 / T) - 2.0 * kappa * cross + delta_sq + sigma_sq * df2 / (T - df2);
}

double chain_rho(std::span<const double> eig, const RidgeEquivalent& learner, std::int64_t T0) {
  const double T = learner.T, kappa = learner.kappa, df2 = learner.df2;
  const auto d = static_cast<std::int64_t>(eig.size());
  require(T0 >= d + 2, "ouro::theory: chain_rho needs T0 >= d + 2");
  const double denom = static_cast<double>(T0 - d - 1);
  if (learner.lambda == 0) {
    require(T >= static_cast<double>(d) + 2, "ouro::theory: chain_rho at lambda = 0 needs T >= d + 2");
    return static_cast<double>(d) / denom;
  }
  double inv1 = 0, inv2 = 0;  // tr (Sigma + kappa)^{-1}, tr (Sigma + kappa)^{-2}
  for (const double e : eig) {
    inv1 += 1.0 / (e + kappa);
    inv2 += 1.0 / ((e + kappa) * (e + kappa));
  }
  return (kappa * kappa * inv2 / (1.0 - df2 / T) - 2.0 * kappa * inv1 + static_cast<double>(d)) / denom;
}

double overparameterised_bias(double w0_sq_norm, std::int64_t T0, std::int64_t d, std::int64_t n) {
  require(T0 >= 1 && T0 <= d - 2 && n >= 0, "ouro::theory: overparameterised law needs 1 <= T0 <= d - 2");
  const double q = static_cast<double>(T0) / static_cast<double>(d);
  return w0_sq_norm * (1.0 - std::pow(q, static_cast<double>(n)));
}

double overparameterised_variance(double sigma0_sq, std::int64_t T0, std::int64_t d, std::int64_t n) {
  require(T0 >= 1 && T0 <= d - 2 && n >= 0, "ouro::theory: overparameterised law needs 1 <= T0 <= d - 2");
  const double q = static_cast<double>(T0) / static_cast<double>(d);
  // E||X^+ eps||^2 = sigma0^2 tr E[(X X^T)^{-1}] = sigma0^2 T0 / (d - T0 - 1) (inverse Wishart, d dof), and a
  // projection onto a random T0-dimensional row space keeps a fraction q of an independent vector's norm.
  return sigma0_sq * static_cast<double>(T0) / static_cast<double>(d - T0 - 1) *
         (1.0 - std::pow(q, static_cast<double>(n))) / (1.0 - q);
}

double powerlaw_bias_exponent(double r, double ell) { return 2.0 * ell * std::min(r, 1.0); }

double powerlaw_variance_exponent(double beta, double ell) { return 1.0 - ell / beta; }

double powerlaw_error_exponent(double beta, double r, double ell) {
  return std::min(powerlaw_bias_exponent(r, ell), powerlaw_variance_exponent(beta, ell));
}

double powerlaw_critical_ell(double beta, double r) { return beta / (2.0 * beta * std::min(r, 1.0) + 1.0); }

}  // namespace ouro::theory
