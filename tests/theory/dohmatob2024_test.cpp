// theory/dohmatob2024: the kappa fixed point, the limits that tie the deterministic equivalent to the exact
// lambda = 0 forms, and the power-law exponents [recon] against the slope of the deterministic equivalent.
#include "ouroboros/theory/dohmatob2024.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ouro::theory {
namespace {

std::vector<double> power_law(int d, double beta) {
  std::vector<double> eig(static_cast<std::size_t>(d));
  for (int j = 0; j < d; ++j) eig[static_cast<std::size_t>(j)] = std::pow(j + 1.0, -beta);
  return eig;
}

TEST(Dohmatob2024, KappaSolvesItsFixedPoint) {
  const auto eig = power_law(200, 1.5);
  for (const double lambda : {1e-4, 1e-2, 1.0})
    for (const double T : {50.0, 400.0}) {
      const double kappa = ridge_kappa(eig, lambda, T);
      EXPECT_GE(kappa, lambda);
      EXPECT_NEAR(kappa - lambda, kappa * ridge_df(eig, kappa, 1) / T, 1e-12 * (1 + kappa));
    }
  // lambda = 0: 0 above the interpolation threshold, the positive root df1(kappa) = T below it.
  EXPECT_EQ(ridge_kappa(eig, 0.0, 300.0), 0.0);
  const double kappa = ridge_kappa(eig, 0.0, 50.0);
  EXPECT_GT(kappa, 0.0);
  EXPECT_NEAR(ridge_df(eig, kappa, 1), 50.0, 1e-9);
}

TEST(Dohmatob2024, RhoTendsToTheExactValueAsLambdaVanishes) {
  const auto eig = power_law(20, 1.0);
  const double exact = chain_rho(eig, ridge_equivalent(eig, 0.0, 100.0), 60);
  EXPECT_DOUBLE_EQ(exact, 20.0 / 39.0);
  EXPECT_NEAR(chain_rho(eig, ridge_equivalent(eig, 1e-9, 100.0), 60), exact, 1e-6);
  // Regularisation shrinks the propagated synthetic noise: rho decreases in lambda.
  double previous = exact;
  for (const double lambda : {1e-3, 1e-2, 1e-1, 1.0}) {
    const double rho = chain_rho(eig, ridge_equivalent(eig, lambda, 100.0), 60);
    EXPECT_LT(rho, previous) << lambda;
    previous = rho;
  }
}

TEST(Dohmatob2024, DownstreamErrorOfTheTruthIsCleanError) {
  const auto eig = power_law(10, 1.0);
  std::vector<double> w0(10, 0.3), w = w0;
  w[2] += 0.5;
  // lambda = 0 exact: ||w - w0||^2_Sigma + sigma^2 d / (T - d - 1).
  const auto ols = ridge_equivalent(eig, 0.0, 40.0);
  EXPECT_DOUBLE_EQ(downstream_error(eig, w0, w0, 0.25, ols), 0.25 * 10.0 / 29.0);
  EXPECT_DOUBLE_EQ(downstream_error(eig, w0, w, 0.25, ols), eig[2] * 0.25 + 0.25 * 10.0 / 29.0);
  // lambda > 0 with no noise and teacher w0: only the bias kappa^2 w0^T Sigma (Sigma + kappa)^-2 w0 / (1 -
  // df2/T).
  const auto ridge = ridge_equivalent(eig, 0.1, 40.0);
  double bias = 0;
  for (std::size_t j = 0; j < eig.size(); ++j)
    bias += eig[j] * w0[j] * w0[j] / ((eig[j] + ridge.kappa) * (eig[j] + ridge.kappa));
  EXPECT_NEAR(downstream_error(eig, w0, w0, 0.0, ridge),
              ridge.kappa * ridge.kappa * bias / (1 - ridge.df2 / 40.0), 1e-14);
}

TEST(Dohmatob2024, OverparameterisedLaw) {
  EXPECT_DOUBLE_EQ(overparameterised_bias(2.0, 10, 40, 0), 0.0);
  EXPECT_DOUBLE_EQ(overparameterised_bias(2.0, 10, 40, 3), 2.0 * (1 - std::pow(0.25, 3)));
  EXPECT_DOUBLE_EQ(overparameterised_variance(1.0, 10, 40, 1), 10.0 / 29.0);
  EXPECT_NEAR(overparameterised_variance(1.0, 10, 40, 1000), 10.0 / 29.0 / 0.75, 1e-12);
}

// log E(T) from the deterministic equivalent (sigma0 = sigma, one generation, T0 = T) has the reconstructed
// slope -alpha once T is large enough for the power law to dominate.
double clean_de(const std::vector<double>& eig, const std::vector<double>& w0, double sigma_sq, double lambda,
                double T) {
  return downstream_error(eig, w0, w0, sigma_sq, ridge_equivalent(eig, lambda, T));
}

TEST(Dohmatob2024, PowerLawExponentsMatchTheDeterministicEquivalent) {
  const double beta = 2.0, r = 0.4;
  const int d = 20000;
  const auto eig = power_law(d, beta);
  std::vector<double> w0(static_cast<std::size_t>(d));
  for (int j = 0; j < d; ++j)
    w0[static_cast<std::size_t>(j)] =
        std::pow(j + 1.0, -(1 + 2 * beta * r) / 2) / std::sqrt(eig[static_cast<std::size_t>(j)]);
  const double t1 = 1e5, t2 = 1e6;
  const auto slope = [&](double ell, double sigma_sq) {
    return -std::log(clean_de(eig, w0, sigma_sq, std::pow(t2, -ell), t2) /
                     clean_de(eig, w0, sigma_sq, std::pow(t1, -ell), t1)) /
           std::log(t2 / t1);
  };
  // Noiseless: the bias alone, T^{-2 ell r}.
  EXPECT_NEAR(slope(0.5, 0.0), powerlaw_bias_exponent(r, 0.5), 0.03);
  // With noise and ell above the critical value the variance T^{ell/beta - 1} dominates.
  EXPECT_NEAR(slope(1.2, 1.0), powerlaw_error_exponent(beta, r, 1.2), 0.05);
  EXPECT_NEAR(powerlaw_error_exponent(beta, r, 1.2), powerlaw_variance_exponent(beta, 1.2), 1e-15);
  // At ell_crit the two rates meet, and no other ell does better.
  const double crit = powerlaw_critical_ell(beta, r);
  EXPECT_NEAR(powerlaw_bias_exponent(r, crit), powerlaw_variance_exponent(beta, crit), 1e-12);
  for (const double ell : {0.2, 0.5, 1.0, 1.5})
    EXPECT_LE(powerlaw_error_exponent(beta, r, ell), powerlaw_error_exponent(beta, r, crit) + 1e-12);
}

}  // namespace
}  // namespace ouro::theory
