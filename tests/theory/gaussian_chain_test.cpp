// theory/gaussian_chain.hpp: the per-generation recursions against their constant-n closed forms, against the
// constant-n results of Suresh et al. and Barzilai & Shamir (exact identities), and one step against
// numerical integration over the chi-square law (the independent check of the moment factors, KL included).
#include "ouroboros/theory/gaussian_chain.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ouroboros/theory/barzilai_shamir2025.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro::theory {
namespace {

std::vector<GaussianFit> fits() {
  return {{1, 0, false, false}, {1, 1, false, false}, {1, 0, true, false}, {1, 1, false, true},
          {3, 0, false, false}, {3, 1, false, false}, {3, 0, true, false}};
}

std::string name(const GaussianFit& f) {
  return "d=" + std::to_string(f.d) + " ddof=" + std::to_string(f.ddof) +
         (f.mean_known ? " mean known" : "") + (f.cov_known ? " cov known" : "");
}

void expect_rel(double a, double b, double rel, const std::string& what) {
  if (std::isinf(b)) {
    EXPECT_EQ(a, b) << what;
    return;
  }
  EXPECT_NEAR(a, b, rel * std::max(1.0, std::abs(b))) << what;
}

TEST(GaussianChain, ReplaceStepsCompoundToTheClosedForm) {
  for (const GaussianFit& fit : fits())
    for (const std::int64_t m : {5, 12, 200, 100000}) {
      ReplaceMoments r;
      for (std::int64_t k = 1; k <= 300; ++k) {
        r = replace_step(r, m, fit);
        if (k % 37 != 1 && k != 300) continue;
        const ReplaceMoments c = replace_moments(m, k, fit);
        const std::string what = name(fit) + " m=" + std::to_string(m) + " k=" + std::to_string(k);
        expect_rel(r.trace, c.trace, 1e-11, what + " trace");
        expect_rel(r.log_det, c.log_det, 1e-11, what + " log_det");
        if (fit.d == 1) expect_rel(r.log_sd, c.log_sd, 1e-11, what + " log_sd");
        expect_rel(r.mean_sq, c.mean_sq, 1e-11, what + " mean_sq");
        expect_rel(r.inverse, c.inverse, 1e-11, what + " inverse");
        expect_rel(r.mahalanobis, c.mahalanobis, 1e-11, what + " mahalanobis");
      }
    }
}

TEST(GaussianChain, ReplaceMomentsAreSureshEtAlsForAConstantN) {
  const double v0 = 2.3;
  for (const int ddof : {0, 1})
    for (const std::int64_t n : {2, 3, 10, 500})
      for (const std::int64_t k : {1, 4, 50}) {
        const ReplaceMoments r = replace_moments(n, k, GaussianFit{1, ddof, false, false});
        const std::string what =
            "ddof=" + std::to_string(ddof) + " n=" + std::to_string(n) + " k=" + std::to_string(k);
        EXPECT_NEAR(v0 * r.trace, gaussian_variance_mean(v0, n, k, ddof), 1e-12 * v0) << what;
        EXPECT_NEAR(std::log(v0) + r.log_det, gaussian_log_variance_mean(v0, n, k, ddof), 1e-11 * k) << what;
        EXPECT_NEAR(v0 * r.mean_sq, gaussian_mean_sq_error_replace(v0, n, k, ddof), 1e-12 * v0 * k) << what;
        if (ddof == 1) {
          EXPECT_NEAR(r.log_sd, k * std::log(bertrand_alpha(n)), 1e-12 * k) << what;
        }
      }
}

// E[f(chi2_nu)] by quadrature over the chi-square density.
template <class F>
double chi2_mean(double nu, F f) {
  const boost::math::chi_squared_distribution<double> chi2(nu);
  boost::math::quadrature::exp_sinh<double> integrator;
  return integrator.integrate([&](double x) { return x > 0 ? f(x) * boost::math::pdf(chi2, x) : 0.0; }, 0.0,
                              std::numeric_limits<double>::infinity(), 1e-12);
}

// One fit on m samples of N(0, 1): S^2 = chi2_nu / D, M ~ N(0, 1/m) independent (0 with the mean known), so
// E[S] = E[sqrt(chi2/D)] and E[KL] = E[log(S^2)/2 + (1 + E[M^2])/(2 S^2) - 1/2], integrated over chi2
// directly.
TEST(GaussianChain, OneStepMatchesIntegrationOverTheChiSquareLaw) {
  for (const GaussianFit& fit :
       {GaussianFit{1, 0, false, false}, GaussianFit{1, 1, false, false}, GaussianFit{1, 0, true, false}})
    for (const std::int64_t m : {4, 7, 30}) {
      const double md = static_cast<double>(m);
      const double nu = fit.mean_known ? md : md - 1, d = fit.mean_known ? md : md - fit.ddof;
      const double mean_sq = fit.mean_known ? 0.0 : 1 / md;
      const ReplaceMoments r = replace_moments(m, 1, fit);
      const std::string what = name(fit) + " m=" + std::to_string(m);
      EXPECT_NEAR(std::exp(r.log_sd), chi2_mean(nu, [&](double x) { return std::sqrt(x / d); }), 1e-10)
          << what;
      EXPECT_NEAR(r.trace, chi2_mean(nu, [&](double x) { return x / d; }), 1e-10) << what;
      EXPECT_NEAR(r.log_det, chi2_mean(nu, [&](double x) { return std::log(x / d); }), 1e-9) << what;
      const double kl = chi2_mean(nu, [&](double x) {
        const double s2 = x / d;
        return 0.5 * std::log(s2) + (1 + mean_sq) / (2 * s2) - 0.5;
      });
      EXPECT_NEAR(r.kl(1), kl, 1e-9) << what;
    }
}

// Two generations by hand: M_2 - mu_0 = S_0 Z_1/sqrt(m) + S_1 Z_2/sqrt(m) and S_2^2 = C_1 C_2 (C = chi2/D),
// so E[(M_2 - mu_0)^2 / S_2^2] = (E[1/C]^2 + E[1/C])/m with E[1/C] = D/(nu - 2).
TEST(GaussianChain, MahalanobisTermOfTwoGenerations) {
  for (const int ddof : {0, 1}) {
    const std::int64_t m = 9;
    const double c = (9.0 - ddof) / (8.0 - 2.0);
    const ReplaceMoments r = replace_moments(m, 2, GaussianFit{1, ddof, false, false});
    EXPECT_NEAR(r.mahalanobis, (c * c + c) / 9.0, 1e-14);
    EXPECT_NEAR(r.inverse, c * c, 1e-14);
  }
  // d dimensions: E[W^-1] = I/(nu - d - 1) for W ~ Wishart_d(nu, I).
  const ReplaceMoments r = replace_moments(10, 1, GaussianFit{3, 0, false, false});
  EXPECT_NEAR(r.inverse, 10.0 / (9.0 - 4.0), 1e-14);
  EXPECT_TRUE(std::isinf(replace_moments(5, 1, GaussianFit{3, 0, false, false}).inverse)) << "nu = 4 = d + 1";
}

TEST(GaussianChain, AccumulatedMeanWithKnownVarianceIsBarzilaiShamirs) {
  const GaussianFit fit{1, 0, false, true};
  for (const std::int64_t n : {1, 5, 40}) {
    PooledMoments p;
    for (std::int64_t k = 1; k <= 200; ++k) {
      p = accumulate_step(p, n, fit);
      EXPECT_NEAR(p.mean_sq, accumulated_mean_variance(1.0, n, k), 1e-13) << n << " " << k;
      EXPECT_EQ(p.trace, 1.0);
    }
  }
}

TEST(GaussianChain, FirstGenerationIsAFitOnRealDataInEveryRegime) {
  for (const GaussianFit& fit : fits()) {
    const ReplaceMoments r = replace_moments(11, 1, fit);
    const PooledMoments p = accumulate_step(PooledMoments{}, 11, fit);
    const MixMoments x = fresh_mix_step(MixMoments{}, 11, 0, fit);
    const MixMoments y =
        fresh_mix_step(MixMoments{}, 7, 4, fit);  // the truth is model 0: real or not, same law
    for (const double trace : {p.trace, x.trace, y.trace}) EXPECT_NEAR(trace, r.trace, 1e-15) << name(fit);
    for (const double mean_sq : {p.mean_sq, x.mean_sq, y.mean_sq})
      EXPECT_NEAR(mean_sq, r.mean_sq, 1e-15) << name(fit);
  }
}

TEST(GaussianChain, FreshMixWithoutRealSamplesIsReplaceAndWithOnlyRealOnesIsAFreshFit) {
  for (const GaussianFit& fit : fits()) {
    const ReplaceMoments r1 = replace_moments(8, 1, fit);
    MixMoments x;
    ReplaceMoments r;
    for (int k = 1; k <= 6; ++k) {
      x = fresh_mix_step(x, 8, 0, fit);
      r = replace_step(r, 8, fit);
      EXPECT_NEAR(x.trace, r.trace, 1e-14) << name(fit);
      EXPECT_NEAR(x.mean_sq, r.mean_sq, 1e-14) << name(fit);
    }
    const MixMoments fresh = fresh_mix_step(x, 0, 8, fit);
    EXPECT_NEAR(fresh.trace, r1.trace, 1e-14) << name(fit);
    EXPECT_NEAR(fresh.mean_sq, r1.mean_sq, 1e-14) << name(fit);
  }
}

TEST(GaussianChain, InvalidFitsThrow) {
  EXPECT_THROW(replace_step(ReplaceMoments{}, 1, GaussianFit{1, 0, false, false}), std::invalid_argument);
  EXPECT_THROW(replace_step(ReplaceMoments{}, 2, GaussianFit{1, 2, false, false}), std::invalid_argument);
  EXPECT_THROW(replace_moments(5, -1, GaussianFit{}), std::invalid_argument);
  EXPECT_NO_THROW(replace_step(ReplaceMoments{}, 1, GaussianFit{1, 0, true, false}));
  EXPECT_NO_THROW(replace_step(ReplaceMoments{}, 1, GaussianFit{1, 1, false, true}));
}

}  // namespace
}  // namespace ouro::theory
