// LinearRegressionFamily::theory: which closed form applies to which metric, regime, estimator and design.
#include <cmath>
#include <limits>
#include <string_view>

#include "ouroboros/families/linear_regression/linear_regression.hpp"
#include "ouroboros/theory/dohmatob2024.hpp"
#include "ouroboros/theory/gerstgrasser2024.hpp"

namespace ouro {

// m_n with E||w_n - w*||^2_Sigma = m_n sigma^2 d / (T - d - 1) for OLS fits on T rows (gerstgrasser2024.hpp).
// Replace holds for either design (each fit adds independent noise of the same law); accumulate and grow
// reuse the same X, so only the fixed design has the closed form.
std::optional<double> LinearRegressionFamily::chain_multiplier(const TheoryQuery& q) const {
  switch (q.regime.kind) {
    case RegimeKind::kReplace:
      return theory::replace_multiplier(q.generation);
    case RegimeKind::kAccumulate:
      if (fixed_design_) return theory::accumulate_multiplier(q.generation);
      return std::nullopt;
    case RegimeKind::kGrow:
      if (fixed_design_) return theory::grow_multiplier(q.generation);
      return std::nullopt;  // fresh designs: fresh_chain_sum
    default:
      return std::nullopt;
  }
}

// [derived] Fresh designs under replace (m_j = n_j rows) and grow (m_j = j n_j):
// w_k = w_{k-1} + (X_j^T X_j)^{-1} X_j^T eps_j with X_j independent of the past, so the errors add: w_k - w*
// has covariance sigma^2 Sigma^{-1} sum_j 1/(m_j - d - 1) (inverse Wishart mean), for any per-generation
// sizes. +inf once some m_j < d + 2.
double LinearRegressionFamily::fresh_chain_sum(const TheoryQuery& q) const {
  const RegimeKind kind = q.regime.kind;
  return fresh_table_.at(q.regime, q.samples, q.generation, 0.0, [&](double sum, std::int64_t j) {
    const std::int64_t m = kind == RegimeKind::kGrow ? j * q.samples.at(j) : q.samples.at(j);
    return m >= d_ + 2 ? sum + 1.0 / static_cast<double>(m - d_ - 1)
                       : std::numeric_limits<double>::infinity();
  });
}

std::optional<TheoryValue> LinearRegressionFamily::theory(const TheoryQuery& q) const {
  const std::int64_t k = q.generation;
  if (q.threshold || k < 1 || k > q.samples.generations()) return std::nullopt;
  const std::int64_t T = q.samples.at(1);
  const double s2 = sigma_ * sigma_;
  TheoryValue v;
  // Least squares without a penalty on T >= d + 2 rows (min_norm is OLS there).
  const bool least_squares = estimator_ == Estimator::kOls || estimator_ == Estimator::kMinNorm ||
                             (estimator_ == Estimator::kRidge && !lambda_exponent_ && lambda_ == 0);
  // The error w_k - w* is zero-mean with covariance (test_error / d) Sigma^{-1} in every case below, and the
  // downstream learner's excess error is linear in that covariance: rho(T0) (T0 - d - 1) per unit of
  // sum 1/(T0 - d - 1), i.e. chain_rho at T0 = d + 2.
  std::optional<double> variance;  // E||w_k - w*||^2_Sigma
  std::string_view source;
  if (least_squares && q.samples.constant() && T >= d_ + 2) {
    if (const std::optional<double> m = chain_multiplier(q)) {
      variance = *m * theory::ols_fit_variance(s2, d_, T);
      source =
          q.regime.kind == RegimeKind::kReplace
              ? "n sigma^2 d/(T-d-1), Gerstgrasser et al. 2024 (any Sigma: E(X^T X)^-1 = Sigma^-1/(T-d-1))"
          : q.regime.kind == RegimeKind::kAccumulate
              ? "sigma^2 d/(T-d-1) sum_{i<=n} 1/i^2, Gerstgrasser et al. 2024"
              : "sigma^2 d/(T-d-1) H_n, derived from Gerstgrasser et al. 2024 App. E";
    }
  }
  if (!variance && least_squares && !fixed_design_ &&
      (q.regime.kind == RegimeKind::kReplace || q.regime.kind == RegimeKind::kGrow)) {
    const double sum = fresh_chain_sum(q);
    if (std::isfinite(sum)) {
      variance = s2 * static_cast<double>(d_) * sum;
      source =
          "sigma^2 d sum_j 1/(m_j - d - 1), fresh designs, m_j = n_j (replace) or j n_j (grow) (derived from "
          "Gerstgrasser et al. 2024)";
    }
  }
  if (variance) {
    if (q.metric == "test_error" || q.metric == "variance") {
      v.mid = *variance;
      v.kind = TheoryKind::kExact;
      v.source = source;
    } else if (q.metric == "bias") {
      v.mid = 0;
      v.kind = TheoryKind::kExact;
      v.source = "0: least squares is unbiased given the design (derived)";
    } else if (q.metric == "downstream_error" && downstream_samples_ > 0) {
      const double unit = theory::chain_rho(std::span(eig_.data(), eig_.size()), downstream_, d_ + 2);
      v.mid = downstream_clean_ + *variance / static_cast<double>(d_) * unit;
      v.kind = downstream_.lambda == 0 ? TheoryKind::kExact : TheoryKind::kApproximation;
      v.source =
          downstream_.lambda == 0
              ? "E_clean + n sigma0^2 rho, rho = d/(T0-d-1): Dohmatob et al. 2024 (exact at lambda = 0)"
              : "E_clean + n sigma0^2 rho, Dohmatob et al. 2024, kappa deterministic equivalent (lambda > 0)";
    } else {
      return std::nullopt;
    }
    return v;
  }
  // Over-parameterised generators: minimum-norm interpolation of T0 <= d - 2 fresh rows, Sigma = c I.
  if (estimator_ == Estimator::kMinNorm && !fixed_design_ && q.regime.kind == RegimeKind::kReplace &&
      q.samples.constant() && spectrum_kind_ == "isotropic" && T <= d_ - 2) {
    // Scaling x by sqrt(c) leaves the interpolator's bias unchanged and divides its noise by c (Euclidean).
    const double c = eig_[0];
    const double bias = theory::overparameterised_bias(truth_.w.squaredNorm(), T, d_, k);
    const double var = theory::overparameterised_variance(s2, T, d_, k);  // in the Sigma norm
    if (q.metric == "test_error")
      v.mid = c * bias + var;
    else if (q.metric == "bias")
      v.mid = c * bias;
    else if (q.metric == "variance")
      v.mid = var;
    else if (q.metric == "weight_sq_norm")
      v.mid = truth_.w.squaredNorm() - bias + var / c;
    else
      return std::nullopt;
    v.kind = TheoryKind::kExact;
    v.source =
        "||w0||^2 (1-q^n) + sigma0^2 T0/(d-T0-1) (1-q^n)/(1-q), q = T0/d: Dohmatob et al. 2024 (derived)";
    return v;
  }
  return std::nullopt;
}

}  // namespace ouro
