// bs_staircase: the exact MLE against a brute-force search over every candidate, the statistics kernel against
// the samples' own statistics, and the switch to the spike against its exact conditional probability and the
// derived closed forms.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/bs_staircase/bs_staircase.hpp"
#include "ouroboros/theory/barzilai_shamir2025.hpp"
#include "support/collect.hpp"
#include "support/stats.hpp"
#include "support/errors.hpp"

namespace ouro {
namespace {

using Model = BsStaircaseFamily::Model;

// The best log-likelihood over a grid of alphas joined with every data-derived candidate (j + 1 - x)/2, for
// steps 0..2, and over every spike alternative with J up to two above the data and mu at a sample or an end.
double brute_force_best(const BsStaircaseFamily& f, const std::vector<double>& xs) {
  double best = -INFINITY;
  std::vector<std::vector<double>> grid(3);
  for (std::size_t j = 0; j < 3; ++j) {
    for (int g = 0; g <= 20; ++g) grid[j].push_back(0.25 * g / 20);
    for (const double x : xs)
      if (static_cast<std::size_t>(x) == j) grid[j].push_back(std::min(0.25, (static_cast<double>(j) + 1 - x) / 2));
  }
  Model m;
  m.alpha.assign(3, 0.0);
  for (const double a0 : grid[0])
    for (const double a1 : grid[1])
      for (const double a2 : grid[2]) {
        m.alpha = {a0, a1, a2};
        best = std::max(best, f.log_likelihood(m, xs));
      }
  const auto top_step = static_cast<std::int64_t>(*std::max_element(xs.begin(), xs.end()));
  for (std::int64_t top = std::max(f.height(), top_step + 1); top <= top_step + 3; ++top) {
    Model g;
    g.alpha.clear();
    g.top = top;
    g.log_f = f.log_f(top);
    const double lo = static_cast<double>(top) - 1, hi = static_cast<double>(top) - std::exp(g.log_f);
    std::vector<double> starts{lo, hi};
    for (const double x : xs) starts.push_back(std::clamp(x, lo, hi));
    for (const double mu : starts) {
      g.mu = mu;
      best = std::max(best, f.log_likelihood(g, xs));
    }
  }
  return best;
}

// A small growth, so that the spike alternative and the staircase each win on some of the data sets.
TEST(BsStaircase, ExactMleIsTheBruteForceMaximum) {
  const BsStaircaseFamily f(parse_spec("bs_staircase"), parse_spec("bs_staircase(height=2, growth=2.5)"));
  Rng rng(7, 0, 1, Stream::kSynthetic);
  int spikes = 0, staircases = 0;
  for (int trial = 0; trial < 150; ++trial) {
    std::vector<double> xs;
    const int n0 = 2 + static_cast<int>(rng() % 12), n1 = static_cast<int>(rng() % 4), n2 = static_cast<int>(rng() % 4);
    const double edge = 0.5 + 0.5 * rng.uniform();  // step 0 data on [0, edge]: alpha_0 ranges over [0, 1/4]
    for (int i = 0; i < n0; ++i) xs.push_back(edge * rng.uniform());
    for (int i = 0; i < n1; ++i) xs.push_back(1 + rng.uniform());
    // Step 2: clustered, so that spike windows of width f(3) cover several samples.
    const double base = 2 + 0.9 * rng.uniform();
    for (int i = 0; i < n2; ++i) xs.push_back(base + (i % 2 ? 0.0 : 0.003 * rng.uniform()));
    Model fit;
    f.fit_samples(xs, fit);
    (fit.spike() ? spikes : staircases)++;
    const double fitted = f.log_likelihood(fit, xs), brute = brute_force_best(f, xs);
    ASSERT_TRUE(std::isfinite(fitted)) << "trial " << trial;
    EXPECT_NEAR(fitted, brute, 1e-9 * (1 + std::abs(brute))) << "trial " << trial << (fit.spike() ? " (spike)" : "");
  }
  EXPECT_GT(spikes, 10);
  EXPECT_GT(staircases, 10);
}

// draw_stats against the statistics of sample(): per-step counts (means), per-step maxima and the top step's
// size (two-sample KS), for a staircase reaching step 3 and for a spike alternative.
TEST(BsStaircase, StatisticsKernelMatchesTheSamplesStatistics) {
  const BsStaircaseFamily f(parse_spec("bs_staircase"), parse_spec("bs_staircase(height=3, growth=4)"));
  Model h;
  h.alpha = {0.2, 0.25, 0.1};
  Model g;
  g.alpha.clear();
  g.top = 3;
  g.log_f = f.log_f(3);
  g.mu = 2.3;
  const std::int64_t n = 30, reps = 4000;
  for (const Model* m : {&h, &g}) {
    std::vector<std::vector<double>> count_a(5), count_b(5), max_a(5), max_b(5);
    std::vector<double> top_a, top_b;
    for (std::int64_t r = 0; r < reps; ++r) {
      Rng ra(11, static_cast<std::uint64_t>(r), 1, Stream::kSynthetic), rb(12, static_cast<std::uint64_t>(r), 1, Stream::kSynthetic);
      BsStaircaseFamily::Stats a, b;
      f.draw_stats(*m, n, ra, a);
      std::vector<double> xs;
      f.sample(*m, n, rb, xs);
      f.stats_of(xs, b);
      for (auto [s, counts, maxima, tops] : {std::tuple{&a, &count_a, &max_a, &top_a}, std::tuple{&b, &count_b, &max_b, &top_b}}) {
        ASSERT_LE(s->count.size(), 5u);
        ASSERT_GT(s->count.back(), 0);
        std::int64_t in_top = 0;
        for (const auto& [value, mult] : s->top) in_top += mult;
        tops->push_back(static_cast<double>(in_top));
        if (s->count.size() >= 3) {
          ASSERT_EQ(in_top, s->count.back());
        }
        for (std::size_t j = 0; j < 5; ++j) {
          const std::int64_t c = j < s->count.size() ? s->count[j] : 0;
          (*counts)[j].push_back(static_cast<double>(c));
          if (c > 0) (*maxima)[j].push_back(s->max[j]);
        }
      }
    }
    const std::string what = m->spike() ? "spike" : "staircase";
    for (std::size_t j = 0; j < 5; ++j) {
      EXPECT_LE(testing::z_difference(testing::moments(count_a[j]), testing::moments(count_b[j])), 4.5) << what << " step " << j;
      if (max_a[j].size() > 100 && max_b[j].size() > 100) {
        EXPECT_LT(testing::ks_scaled(max_a[j], max_b[j]), 1.95) << what << " step " << j;
      }
    }
    EXPECT_LT(testing::ks_scaled(top_a, top_b), 1.95) << what;
    if (!m->spike()) {
      EXPECT_NEAR(testing::moments(count_b[1]).mean, n * 0.2 * 0.75, 4.5 * testing::moments(count_b[1]).se);
      EXPECT_NEAR(testing::moments(count_b[3]).mean, n * 0.2 * 0.25 * 0.1, 4.5 * testing::moments(count_b[3]).se);
    }
  }
}

// Given model k (not yet switched), round k+1 switches exactly when one of its n synthetic samples lands at
// step height-1 or above, which happens with probability 1 - (1 - q_k)^n, q_k = prod_{j < height-1} alpha_j.
// The indicators minus these probabilities are martingale differences: their sum over replicates and rounds
// has variance sum p(1-p).
TEST(BsStaircase, SwitchMatchesItsConditionalProbability) {
  const BsStaircaseFamily f(parse_spec("bs_staircase"), parse_spec("bs_staircase(height=3)"));
  const std::int64_t n = 20, rounds = 40, reps = 3000;
  double diff = 0, var = 0, switches = 0;
  for (std::int64_t r = 0; r < reps; ++r) {
    BsStaircaseFamily::Stats pool, batch;
    Model model = f.truth();
    for (std::int64_t k = 1; k <= rounds && !model.spike(); ++k) {
      double p = 0;
      if (k > 1) {
        double q = 1;
        for (std::size_t j = 0; j + 1 < static_cast<std::size_t>(f.height()); ++j)
          q *= j < model.alpha.size() ? model.alpha[j] : 0.0;
        p = 1 - std::pow(1 - q, static_cast<double>(n));
      }
      Rng rng(3, static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(k), Stream::kSynthetic);
      f.draw_stats(model, n, rng, batch);
      f.merge(pool, batch);
      f.fit_stats(pool, model);
      diff += (model.spike() ? 1.0 : 0.0) - p;
      var += p * (1 - p);
      switches += model.spike() ? 1.0 : 0.0;
    }
  }
  EXPECT_GT(switches, 500) << "the test needs switches to test";
  EXPECT_LE(std::abs(diff), 4.5 * std::sqrt(var)) << switches << " switches";
}

// Height 2 under accumulate: Pr(switched by k) and E[tv_k] are exact; height 3: no switch before round 3 and
// Pr(switched by k) below the bound. Replace: no switch before round `height` either.
TEST(BsStaircase, SwitchAndTvMatchTheory) {
  const std::int64_t n = 20, reps = 20000;
  for (const char* model : {"bs_staircase(height=2)", "bs_staircase(height=3)"}) {
    const auto run = testing::run_toml(testing::experiment_toml("bs_staircase", model, 12, reps, n, "[\"accumulate\", \"replace\"]"));
    const bool two = std::string(model).find("height=2") != std::string::npos;
    for (const std::int64_t k : {1, 2, 3, 6, 12}) {
      const auto& s = run.sink.at("accumulate", k, "switched");
      const auto& tv = run.sink.at("accumulate", k, "tv");
      const std::string what = std::string(model) + " round " + std::to_string(k);
      if (k == 1 || (!two && k == 2)) {
        EXPECT_EQ(s.theory.mid, 0.0) << what;
        EXPECT_EQ(s.stats.mean, 0.0) << what;
        EXPECT_EQ(run.sink.at("replace", k, "switched").stats.mean, 0.0) << what;
      } else if (two) {
        EXPECT_NEAR(s.stats.mean, s.theory.mid, 4.5 * s.stats.se) << what;
        EXPECT_NEAR(tv.stats.mean, tv.theory.mid, 4.5 * tv.stats.se) << what;
      } else {
        ASSERT_FALSE(std::isnan(s.theory.hi)) << what;
        EXPECT_LE(s.stats.mean, s.theory.hi + 4.5 * s.stats.se) << what;
        EXPECT_GT(s.stats.mean, 0.0) << what;
      }
      if (k == 1) {
        EXPECT_NEAR(tv.stats.mean, tv.theory.mid, 4.5 * tv.stats.se) << what;
      }
    }
  }
}

TEST(BsStaircase, TheoryClosedForms) {
  // E[min(1/4, (1 - M)/2)] = 1/(2(n+1)) - E[((1 - M)/2 - 1/4)^+], the correction int_0^(1/2) (1/2 - m)/2 n m^(n-1)
  // dm = 2^-(n+2) / (n+1) (the cap binds only when M < 1/2).
  for (const std::int64_t n : {1, 2, 5, 50, 1000}) {
    const double nd = static_cast<double>(n);
    EXPECT_NEAR(theory::staircase_round1_tv(n), 1 / (2 * (nd + 1)) - std::pow(2.0, -nd - 2) / (nd + 1), 1e-10) << n;
  }
  // One round: no synthetic draw yet. Then the bound falls with k and rises with the height; height 2 at round
  // 2 is E[(1 - (1 - M)/2)^n] -> E[e^(-E/2)] = 2/3 for large n (n (1 - M) -> E ~ Exp(1)).
  EXPECT_NEAR(theory::staircase_no_switch_bound(30, 3, 1), 1.0, 1e-12);
  EXPECT_NEAR(theory::staircase_no_switch_bound(100000, 2, 2), 2.0 / 3.0, 1e-4);
  for (const std::int64_t k : {2, 5, 50}) {
    EXPECT_LT(theory::staircase_no_switch_bound(50, 2, k + 1), theory::staircase_no_switch_bound(50, 2, k));
    EXPECT_LT(theory::staircase_no_switch_bound(50, 2, k), theory::staircase_no_switch_bound(50, 4, k));
  }
  EXPECT_THROW(theory::staircase_no_switch_bound(10, 1, 3), std::invalid_argument);
}

TEST(BsStaircase, BadInput) {
  const auto message = testing::simulator_error;
  EXPECT_NE(message("bs_staircase", "bs_staircase(height=1)").find("'height=1' must be in [2, 1000]"), std::string::npos);
  EXPECT_NE(message("bs_staircase", "bs_staircase(height=2.5)").find("must be an integer"), std::string::npos);
  EXPECT_NE(message("bs_staircase", "bs_staircase(height=5000)").find("must be in [2, 1000]"), std::string::npos);
  EXPECT_NE(message("bs_staircase", "bs_staircase(growth=-1)").find("must be >= 0"), std::string::npos);
  EXPECT_NE(message("bs_staircase", "bs_staircase(width=0.1)").find("unknown parameter 'width'"), std::string::npos);
  EXPECT_NE(message("bs_staircase(alpha=0.1)", "bs_staircase").find("unknown parameter 'alpha'"), std::string::npos);
}

}  // namespace
}  // namespace ouro
