// The SIMD binomial lanes (src/ouroboros/core/binomial_lanes.hpp) and the lane path of draw_multinomial:
//  * chi-squared goodness of fit at 10^7 draws per case (10^6 under the sanitizers) over a grid of (n, p)
//    around the inversion / BTRD switch, at extreme p, flipped p > 0.5 and huge n, with every lane on the
//    same case and with a different case on every lane in one call (the lanes' masks);
//  * the same draws, and the same exp and log(1 - q) values (vector_math.hpp), on every instruction set that
//    the machine and the build have (bit for bit);
//  * the multinomial's totals, marginals and covariances when its cells go to the lanes.
#include "ouroboros/core/binomial_lanes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <hwy/targets.h>
#include <iostream>
#include <string>
#include <vector>

#include "ouroboros/core/binomial.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/core/vector_math.hpp"
#include "support/gof.hpp"

namespace ouro {
namespace {

using binomial_detail::BinomialLanes;
using binomial_detail::draw_binomial_lanes;
using binomial_detail::kBinomialLanes;

#if OUROBOROS_SANITIZED
constexpr std::int64_t kDraws = 1'000'000;
#else
constexpr std::int64_t kDraws = 10'000'000;
#endif
constexpr double kMinP = 1e-4;

struct Case {
  std::int64_t trials;
  double p;
  const char* why;
};

// The grid: both sides of the switch at mean 16, both branches of log(1 - q) (q <= 2^-6 and above), q near
// the kernel's split at u = sqrt(1/2), extreme and flipped p, huge trials.
const std::vector<Case>& grid() {
  static const std::vector<Case> cases{
      {1, 0.3, "Bernoulli"},
      {7, 0.5, "few trials, p = 0.5"},
      {100, 0.159, "inversion, mean 15.9, q > 2^-6"},
      {100, 0.16, "BTRD, mean 16"},
      {2000, 0.0079, "inversion, mean 15.8, q <= 2^-6"},
      {2000, 0.00805, "BTRD, mean 16.1, q <= 2^-6"},
      {30, 0.2929, "inversion, q near 1 - sqrt(1/2)"},
      {100'000, 1e-5, "inversion, mean 1"},
      {1'000'000, 1e-9, "extreme p, mean 0.001"},
      {1'000, 0.3, "BTRD, mean 300"},
      {1'000'000'000, 1.59e-8, "huge trials, inversion, mean 15.9"},
      {1'000'000'000, 1e-6, "huge trials, BTRD, mean 1000"},
      {1'000'000'000, 0.5, "huge trials, p = 0.5"},
      {40, 0.7, "flipped, q = 0.3, inversion, mean 12"},
      {1'000'000, 0.99999, "flipped, q = 1e-5, inversion, mean 10"},
      {100, 0.8, "flipped, q = 0.2, BTRD, mean 20"},
  };
  return cases;
}

void expect_fits(const std::vector<std::int64_t>& xs, const Case& c) {
  const testing::Gof g = testing::chi_squared_gof(xs, testing::binomial_law(c.trials, c.p));
  EXPECT_GT(g.p, kMinP) << "Bin(" << c.trials << ", " << c.p << ") [" << c.why << "]: chi2 " << g.stat << " on "
                        << g.cells - 1 << " df, " << xs.size() << " draws";
}

std::vector<Rng> lane_rngs(std::uint64_t seed) {
  Rng parent(seed, 0, 1, Stream::kSynthetic);
  std::vector<Rng> rngs;
  for (int l = 0; l < kBinomialLanes; ++l) rngs.push_back(parent.substream());
  return rngs;
}

TEST(BinomialLanes, EveryLaneFitsItsBinomialOverTheGrid) {
  std::uint64_t seed = 9000;
  for (const Case& c : grid()) {
    auto rngs = lane_rngs(++seed);
    BinomialLanes lanes;
    for (int l = 0; l < kBinomialLanes; ++l) lanes.trials[l] = c.trials, lanes.p[l] = c.p;
    std::vector<std::int64_t> xs;
    xs.reserve(kDraws);
    for (std::int64_t i = 0; i < kDraws / kBinomialLanes; ++i) {
      draw_binomial_lanes(rngs.data(), lanes);
      for (const auto x : lanes.out) {
        ASSERT_GE(x, 0) << c.why;
        ASSERT_LE(x, c.trials) << c.why;
        xs.push_back(x);
      }
    }
    expect_fits(xs, c);
  }
}

TEST(BinomialLanes, LanesWithDifferentCasesInOneCallEachFit) {
  // Inversion, BTRD, flipped and empty lanes side by side: the masks must keep each lane to its own law.
  const std::vector<Case> cases{
      {100, 0.159, "inversion"}, {100, 0.16, "BTRD"},        {0, 0.3, "no trials"},  {50, 0.0, "p = 0"},
      {40, 0.7, "flipped"},       {10'000, 0.5, "BTRD wide"}, {5, 1.0, "p = 1"},      {3, 0.02, "inversion, tiny mean"},
  };
  static_assert(kBinomialLanes == 8);
  auto rngs = lane_rngs(77);
  BinomialLanes lanes;
  for (int l = 0; l < kBinomialLanes; ++l) lanes.trials[l] = cases[l].trials, lanes.p[l] = cases[l].p;
  std::vector<std::vector<std::int64_t>> xs(kBinomialLanes);
  for (std::int64_t i = 0; i < kDraws / kBinomialLanes; ++i) {
    draw_binomial_lanes(rngs.data(), lanes);
    for (int l = 0; l < kBinomialLanes; ++l) xs[l].push_back(lanes.out[l]);
  }
  for (int l = 0; l < kBinomialLanes; ++l) {
    const Case& c = cases[l];
    if (c.trials == 0 || c.p == 0.0 || c.p == 1.0) {
      const std::int64_t want = c.p == 1.0 ? c.trials : 0;
      for (const auto x : xs[l]) ASSERT_EQ(x, want) << c.why;
    } else {
      expect_fits(xs[l], c);
    }
  }
}

TEST(BinomialLanes, LanesThatDrawNothingTakeNoUniforms) {
  // A lane's draws depend only on its own parameters and Rng: an empty lane leaves its Rng where it was.
  auto rngs = lane_rngs(5);
  BinomialLanes lanes;
  for (int l = 0; l < kBinomialLanes; ++l) lanes.trials[l] = 0, lanes.p[l] = 0.5;
  lanes.trials[3] = 1000;
  draw_binomial_lanes(rngs.data(), lanes);
  auto fresh = lane_rngs(5);
  EXPECT_EQ(rngs[0](), fresh[0]());
  EXPECT_NE(rngs[3](), fresh[3]());
}

// Draws a fixed mix of parameters with the best target that the mock allows; returns every output and the
// log1m / exp kernel values.
std::vector<double> draws_and_kernels() {
  Rng params(3, 0, 0, Stream::kTruth);
  auto rngs = lane_rngs(31);
  std::vector<double> out;
  BinomialLanes lanes;
  for (int i = 0; i < 20'000; ++i) {
    for (int l = 0; l < kBinomialLanes; ++l) {
      // Trials over 1..10^6 on a log scale, p over (0, 1) with both ends stretched: every path of both samplers.
      lanes.trials[l] = static_cast<std::int64_t>(std::exp(params.uniform() * std::log(1e6)));
      const double u = params.uniform();
      lanes.p[l] = u < 0.3 ? std::pow(10.0, -8 * params.uniform()) : u < 0.6 ? 1 - std::pow(10.0, -8 * params.uniform()) : params.uniform();
    }
    draw_binomial_lanes(rngs.data(), lanes);
    for (const auto x : lanes.out) out.push_back(static_cast<double>(x));
  }
  std::vector<double> q(4000), y(4000), k(4000);
  for (int i = 0; i < 4000; ++i) q[i] = 0.5 * (i + 1) / 4000.0, y[i] = 0.35 * i - 700;
  log1m_values(q, k);
  out.insert(out.end(), k.begin(), k.end());
  exp_values(y, k);
  out.insert(out.end(), k.begin(), k.end());
  return out;
}

TEST(BinomialLanes, EveryInstructionSetGivesTheSameDraws) {
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  std::vector<double> first;
  std::string first_name, ran;
  for (const auto target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    hwy::GetChosenTarget().Update(hwy::SupportedTargets());
    const std::string name = binomial_detail::binomial_lanes_target();
    EXPECT_EQ(name, hwy::TargetName(target));
    EXPECT_EQ(std::string(vector_math_target()), name);
    ran += name + " ";
    const auto values = draws_and_kernels();
    if (first.empty()) {
      first = values, first_name = name;
      continue;
    }
    ASSERT_EQ(values.size(), first.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < values.size(); ++i) differ += std::memcmp(&values[i], &first[i], sizeof(double)) != 0;
    EXPECT_EQ(differ, 0u) << name << " against " << first_name;
  }
  hwy::SetSupportedTargetsForTest(0);
  hwy::GetChosenTarget().Update(hwy::SupportedTargets());
  std::cout << "targets compared: " << ran << "\n";
  EXPECT_GE(targets.size(), 2u) << "only " << ran << "on this machine: nothing to compare";
}

// ---------- draw_multinomial on the lanes ----------

TEST(BinomialLanes, MultinomialOnLanesHasTheMarginalsAndCovariances) {
  // 100 cells of a Zipf-like weight, one of them 0, visited out of index order, with cells outside the support:
  // each count is Bin(n, p_i) and Cov(X_i, X_j) = -n p_i p_j, for cells in the same lane and in different ones.
  constexpr std::size_t kCells = 100;
  std::vector<double> weights(kCells + 10, 123.0);  // the last 10 indices are outside the support
  std::vector<std::uint32_t> support;
  for (std::size_t i = 0; i < kCells; ++i) {
    const std::size_t index = (i * 37) % kCells;  // a permutation of 0..99
    support.push_back(static_cast<std::uint32_t>(index));
    weights[index] = 1.0 / std::pow(static_cast<double>(i + 1), 1.1);
  }
  weights[support[50]] = 0.0;
  double total = 0;
  for (const auto i : support) total += weights[i];
  for (const std::int64_t n : {std::int64_t{60}, std::int64_t{100'000}}) {
#if OUROBOROS_SANITIZED
    constexpr int kReps = 20'000;
#else
    constexpr int kReps = 100'000;
#endif
    Rng rng(600 + static_cast<std::uint64_t>(n), 0, 1, Stream::kSynthetic);
    std::vector<std::int64_t> out(weights.size(), -1);
    // Cells watched: the first (lane 0's first draw), one late in lane 3, each lane's last cell (it takes the
    // rest), and the very last of the support.
    const std::vector<std::uint32_t> watch{support[0], support[1], support[8], support[59], support[92],
                                           support[95], support[99]};
    std::vector<std::vector<std::int64_t>> xs(watch.size());
    std::vector<std::vector<double>> cross(watch.size(), std::vector<double>(watch.size(), 0.0));
    std::vector<double> sum(watch.size(), 0.0);
    for (int rep = 0; rep < kReps; ++rep) {
      draw_multinomial(rng, n, weights, support, out);
      std::int64_t placed = 0;
      for (const auto i : support) {
        ASSERT_GE(out[i], 0);
        placed += out[i];
      }
      ASSERT_EQ(placed, n);
      ASSERT_EQ(out[support[50]], 0);
      for (std::size_t i = kCells; i < weights.size(); ++i) ASSERT_EQ(out[i], -1);
      for (std::size_t a = 0; a < watch.size(); ++a) {
        const auto xa = static_cast<double>(out[watch[a]]);
        xs[a].push_back(out[watch[a]]);
        sum[a] += xa;
        for (std::size_t b = 0; b < watch.size(); ++b) cross[a][b] += xa * static_cast<double>(out[watch[b]]);
      }
    }
    const double nd = static_cast<double>(n);
    for (std::size_t a = 0; a < watch.size(); ++a) {
      const double pa = weights[watch[a]] / total;
      expect_fits(xs[a], Case{n, pa, "multinomial marginal"});
      for (std::size_t b = a + 1; b < watch.size(); ++b) {
        const double pb = weights[watch[b]] / total;
        const double cov = cross[a][b] / kReps - (sum[a] / kReps) * (sum[b] / kReps);
        const double var_a = nd * pa * (1 - pa), var_b = nd * pb * (1 - pb), want = -nd * pa * pb;
        // The sample covariance's standard error, to leading order: sqrt((var_a var_b + cov^2) / reps).
        const double se = std::sqrt((var_a * var_b + want * want) / kReps);
        EXPECT_NEAR(cov, want, 5 * se) << "n " << n << ", cells " << watch[a] << " and " << watch[b];
      }
    }
  }
}

TEST(BinomialLanes, MultinomialCallsOnOneRngAreUncorrelated) {
  // Each call takes fresh substreams for its lanes: were they reused, two calls in a row would draw from the
  // same uniforms and their counts would be strongly correlated. Over 2000 pairs of calls, the correlation
  // of a cell's count in the first call with its count in the second must be within 5 standard errors of 0.
  constexpr std::uint32_t kCells = 64;
  constexpr int kPairs = 2000;
  std::vector<double> weights(kCells, 1.0);
  std::vector<std::uint32_t> support(kCells);
  for (std::uint32_t i = 0; i < kCells; ++i) support[i] = i;
  Rng rng(1, 2, 3, Stream::kSynthetic);
  std::vector<std::int64_t> a(kCells), b(kCells);
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (int pair = 0; pair < kPairs; ++pair) {
    draw_multinomial(rng, 10'000, weights, support, a);
    draw_multinomial(rng, 10'000, weights, support, b);
    for (std::uint32_t i = 0; i < kCells; ++i) {
      const auto x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
      sa += x, sb += y, saa += x * x, sbb += y * y, sab += x * y;
    }
  }
  const double m = static_cast<double>(kPairs) * kCells;
  const double cov = sab / m - (sa / m) * (sb / m);
  const double corr = cov / std::sqrt((saa / m - (sa / m) * (sa / m)) * (sbb / m - (sb / m) * (sb / m)));
  EXPECT_LT(std::fabs(corr), 5.0 / std::sqrt(m));
}

}  // namespace
}  // namespace ouro
