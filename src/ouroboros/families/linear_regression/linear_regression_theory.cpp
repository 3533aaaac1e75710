// LinearRegressionFamily::theory: which closed form applies to which metric, regime, estimator and design.
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
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<TheoryValue> LinearRegressionFamily::theory(const TheoryQuery& q) const {
  if (q.threshold || !q.samples.constant()) return std::nullopt;
  const std::int64_t T = q.samples.at(1), k = q.generation;
  const double s2 = sigma_ * sigma_;
  TheoryValue v;
  // Least squares without a penalty on T >= d + 2 rows (min_norm is OLS there).
  const bool least_squares = estimator_ == Estimator::kOls || estimator_ == Estimator::kMinNorm ||
                             (estimator_ == Estimator::kRidge && !lambda_exponent_ && lambda_ == 0);
  if (least_squares && T >= d_ + 2) {
    const std::optional<double> m = chain_multiplier(q);
    if (!m) return std::nullopt;
    if (q.metric == "test_error" || q.metric == "variance") {
      v.mid = *m * theory::ols_fit_variance(s2, d_, T);
      v.kind = TheoryKind::kExact;
      v.source =
          q.regime.kind == RegimeKind::kReplace
              ? "n sigma^2 d/(T-d-1), Gerstgrasser et al. 2024 (any Sigma: E(X^T X)^-1 = Sigma^-1/(T-d-1))"
          : q.regime.kind == RegimeKind::kAccumulate
              ? "sigma^2 d/(T-d-1) sum_{i<=n} 1/i^2, Gerstgrasser et al. 2024"
              : "sigma^2 d/(T-d-1) H_n, derived from Gerstgrasser et al. 2024 App. E";
    } else if (q.metric == "bias") {
      v.mid = 0;
      v.kind = TheoryKind::kExact;
      v.source = "0: least squares is unbiased given the design (derived)";
    } else if (q.metric == "downstream_error" && downstream_samples_ > 0) {
      v.mid = downstream_clean_ +
              *m * s2 * theory::chain_rho(std::span(eig_.data(), eig_.size()), downstream_, T);
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
      spectrum_kind_ == "isotropic" && T <= d_ - 2) {
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
