// The numerically optimised Gaussian MLE against the closed form (mean, ddof-0 sd), and its reporting.
#include <gtest/gtest.h>

#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/families/gaussian/gaussian_optimized.hpp"

namespace ouro {
namespace {

TEST(GaussianOptimized, MatchesTheClosedFormMle) {
  for (const double mean : {0.0, -3.5, 40.0, 1e3})
    for (const double sd : {1e-3, 0.2, 1.0, 25.0})
      for (const std::int64_t n : {2, 10, 1000}) {
        const double m2 = sd * sd * static_cast<double>(n);  // so that the ddof-0 MLE of the sd is `sd`
        const GaussianFit fit = optimize_gaussian_mle(n, mean, m2);
        EXPECT_TRUE(fit.converged) << mean << " " << sd << " " << n;
        EXPECT_NEAR(fit.mean, mean, 1e-6 * (std::abs(mean) + sd)) << mean << " " << sd << " " << n;
        EXPECT_NEAR(fit.sd, sd, 1e-6 * sd) << mean << " " << sd << " " << n;
      }
}

TEST(GaussianOptimized, ChainTracksTheExactMleAndReportsConvergence) {
  const auto exact = make_simulator("gaussian(mean=2, sd=0.5)", "gaussian(estimator=mle)");
  const auto optimized = make_simulator("gaussian(mean=2, sd=0.5)", "gaussian(estimator=optimized)");
  const SampleSchedule n(std::vector<std::int64_t>(30, 20));
  for (std::uint64_t rep = 0; rep < 10; ++rep) {
    auto a = exact->chain(parse_regime("accumulate"), KernelKind::kStatistics, n, 1, rep);
    auto b = optimized->chain(parse_regime("accumulate"), KernelKind::kStatistics, n, 1, rep);
    std::vector<double> ma(exact->metrics().size()), mb(optimized->metrics().size());
    for (std::int64_t g = 1; g <= 30; ++g) {
      a->step(g, ma);
      b->step(g, mb);
      EXPECT_NEAR(mb[0], ma[0], 1e-6) << "mean, generation " << g;
      EXPECT_NEAR(mb[1], ma[1], 1e-6 * ma[1]) << "sigma, generation " << g;
      EXPECT_EQ(mb[6], 1.0) << "converged";
    }
  }
}

TEST(GaussianOptimized, NeedsBothParametersFree) {
  try {
    make_simulator("gaussian", "gaussian(estimator=optimized, known=mean)");
    ADD_FAILURE() << "accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("must be none with estimator=optimized"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ouro
