// The Gaussian's `error` metric is Barzilai & Shamir's |theta_k - theta_0| for theta = (mu, sigma): the Euclidean
// distance of (M_k, S_k) from the truth's (mu_0, sigma_0), the same number as from the chain's own mean and sigma.
#include <gtest/gtest.h>

#include <cmath>

#include "ouroboros/engine/family.hpp"

namespace ouro {
namespace {

std::size_t index_of(const Simulator& sim, const std::string& name) {
  for (std::size_t i = 0; i < sim.metrics().size(); ++i)
    if (sim.metrics()[i].name == name) return i;
  ADD_FAILURE() << name;
  return 0;
}

TEST(GaussianError, IsTheDistanceOfMeanAndSigmaFromTheTruth) {
  const auto sim = make_simulator("gaussian(mean=-1.5, sd=0.4)", "gaussian(estimator=unbiased)");
  const std::size_t mean = index_of(*sim, "mean"), sigma = index_of(*sim, "sigma"), error = index_of(*sim, "error");
  std::vector<double> truth(sim->metrics().size());
  sim->truth_metrics(truth);
  EXPECT_EQ(truth[error], 0.0);
  const SampleSchedule n(std::vector<std::int64_t>(20, 12));
  for (const char* regime : {"replace", "accumulate"})
    for (const auto kernel : {KernelKind::kStatistics, KernelKind::kSample})
      for (std::uint64_t rep = 0; rep < 5; ++rep) {
        auto chain = sim->chain(parse_regime(regime), kernel, n, 3, rep);
        std::vector<double> m(sim->metrics().size());
        for (std::int64_t g = 1; g <= 20; ++g) {
          chain->step(g, m);
          EXPECT_DOUBLE_EQ(m[error], std::sqrt((m[mean] + 1.5) * (m[mean] + 1.5) + (m[sigma] - 0.4) * (m[sigma] - 0.4)))
              << regime << " generation " << g;
        }
      }
}

}  // namespace
}  // namespace ouro
