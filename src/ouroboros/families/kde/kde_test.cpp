// kde: exact sampling, the bandwidth rules' defining properties, the fixed-bandwidth variance recursion
// against simulation, and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/kde/kde.hpp"
#include "support/collect.hpp"
#include "support/stats.hpp"

namespace ouro {
namespace {

KdeFamily make(const std::string& model) { return KdeFamily(parse_spec("kde"), parse_spec(model)); }

TEST(Kde, SamplingFromTheKdeIsExact) {
  const auto f = make("kde");
  Rng rng(1, 0, 1, Stream::kSynthetic);
  std::vector<double> xs;
  f.sample(KdeFamily::Model{{0.0, 10.0}, 1.0}, 400000, rng, xs);
  const auto m = testing::moments(xs);
  EXPECT_NEAR(m.mean, 5.0, 4 * m.se);
  std::vector<double> sq;
  for (const double x : xs) sq.push_back((x - 5.0) * (x - 5.0));
  const auto v = testing::moments(sq);
  EXPECT_NEAR(v.mean, 26.0, 4 * v.se) << "mixture variance 25 + h^2";
}

TEST(Kde, BandwidthRules) {
  const auto scott = make("kde(bandwidth=scott)");
  const auto silverman = make("kde(bandwidth=silverman)");
  Rng rng(2, 0, 1, Stream::kSynthetic);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> xs;
    scott.sample(KdeFamily::Model{{0.0, 3.0 * trial}, 1.0}, 50, rng, xs);
    KdeFamily::Model a, b, scaled;
    scott.fit_samples(xs, a);
    silverman.fit_samples(xs, b);
    EXPECT_LE(b.bandwidth, 0.9 * a.bandwidth * (1 + 1e-12)) << "silverman uses min(s, IQR/1.34) times 0.9";
    std::vector<double> ys;
    for (const double x : xs) ys.push_back(-2.5 * x + 7.0);
    scott.fit_samples(ys, scaled);
    EXPECT_NEAR(scaled.bandwidth, 2.5 * a.bandwidth, 1e-12 * a.bandwidth) << "scale equivariant, shift invariant";
  }
}

TEST(Kde, FixedBandwidthVarianceRecursionIsExact) {
  const auto run = testing::run_toml(
      testing::experiment_toml("kde(mean=0, sd=1)", "kde(bandwidth=0.3)", 30, 20000, 20, "[\"replace\"]"));
  for (std::int64_t k : {1, 2, 5, 10, 30}) {
    const auto& row = run.sink.at("replace", k, "variance");
    ASSERT_FALSE(std::isnan(row.theory.mid));
    EXPECT_NEAR(row.stats.mean, row.theory.mid, 4 * row.stats.se) << "k=" << k;
  }
}

TEST(Kde, BadInput) {
  const auto message = [](const std::string& model) {
    try {
      make_simulator("kde", model);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("kde(bandwidth=0)").find("must be > 0"), std::string::npos);
  EXPECT_NE(message("kde(bandwidth=-1)").find("must be > 0"), std::string::npos);
  EXPECT_NE(message("kde(bandwidth=auto)").find("scott, silverman"), std::string::npos);
  const auto sim = make_simulator("kde", "kde");
  try {
    sim->validate(parse_regime("replace"), SampleSchedule(std::vector<std::int64_t>(3, 1)));
    ADD_FAILURE() << "n = 1 accepted with a bandwidth rule";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("give a fixed bandwidth"), std::string::npos);
  }
}

}  // namespace
}  // namespace ouro
