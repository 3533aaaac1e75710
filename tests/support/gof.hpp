#pragma once
// Test support: chi-squared goodness of fit of integer samples against a discrete law, with cells pooled so
// that every expected count is at least max(5, n / 5000).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <tuple>
#include <utility>
#include <vector>

namespace ouro::testing {

// A discrete law on the integers, given on a window [a, b] that covers all but a negligible mass: pmf(k) for
// a <= k <= b, below = P(X < a), above = P(X > b). The tails are folded into the end cells.
struct DiscreteLaw {
  std::int64_t a = 0, b = 0;
  std::function<double(std::int64_t)> pmf;
  double below = 0, above = 0;
};

struct Gof {
  double stat = 0;
  int cells = 0;
  double p = 0;
};

// Observed counts of each value of the window [law.a, law.b] (values outside it counted at its ends), n in all.
inline Gof chi_squared_gof_counts(const std::vector<double>& observed, double n, const DiscreteLaw& law) {
  const auto width = static_cast<std::size_t>(law.b - law.a + 1);
  std::vector<double> prob(width);
  for (std::size_t i = 0; i < width; ++i) prob[i] = law.pmf(law.a + static_cast<std::int64_t>(i));
  prob.front() += law.below;
  prob.back() += law.above;
  // Pool adjacent values, left to right, until each cell expects at least max(5, n / 5000) counts; a short
  // remainder joins the last cell.
  const double min_expected = std::max(5.0, n / 5000.0);
  std::vector<double> cell_e, cell_o;
  double e = 0, o = 0;
  for (std::size_t i = 0; i < width; ++i) {
    e += n * prob[i];
    o += observed[i];
    if (e >= min_expected) {
      cell_e.push_back(e);
      cell_o.push_back(o);
      e = o = 0;
    }
  }
  if (cell_e.empty()) {
    ADD_FAILURE() << "no cell reaches the minimum expected count";
    return {};
  }
  cell_e.back() += e;
  cell_o.back() += o;
  Gof g;
  g.cells = static_cast<int>(cell_e.size());
  for (std::size_t i = 0; i < cell_e.size(); ++i) g.stat += (cell_o[i] - cell_e[i]) * (cell_o[i] - cell_e[i]) / cell_e[i];
  if (g.cells < 2) {
    ADD_FAILURE() << "a goodness-of-fit test needs at least two cells";
    return g;
  }
  g.p = boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<>(g.cells - 1), g.stat));
  return g;
}

inline Gof chi_squared_gof(const std::vector<std::int64_t>& samples, const DiscreteLaw& law) {
  std::vector<double> observed(static_cast<std::size_t>(law.b - law.a + 1), 0.0);
  for (const auto x : samples) observed[static_cast<std::size_t>(std::clamp(x, law.a, law.b) - law.a)] += 1;
  return chi_squared_gof_counts(observed, static_cast<double>(samples.size()), law);
}

// The window mean +- 8 sd (+- 5), clipped to the support [lo, hi].
inline std::pair<std::int64_t, std::int64_t> window(double mean, double sd, std::int64_t lo, std::int64_t hi) {
  const auto a = static_cast<std::int64_t>(std::floor(mean - 8 * sd - 5));
  const auto b = static_cast<std::int64_t>(std::ceil(mean + 8 * sd + 5));
  return {std::max(lo, a), std::min(hi, b)};
}

inline DiscreteLaw binomial_law(std::int64_t trials, double p) {
  const boost::math::binomial_distribution<> d(static_cast<double>(trials), p);
  const double t = static_cast<double>(trials);
  DiscreteLaw law;
  std::tie(law.a, law.b) = window(t * p, std::sqrt(t * p * (1 - p)), 0, trials);
  law.pmf = [d](std::int64_t k) { return boost::math::pdf(d, static_cast<double>(k)); };
  if (law.a > 0) law.below = boost::math::cdf(d, static_cast<double>(law.a - 1));
  if (law.b < trials) law.above = boost::math::cdf(boost::math::complement(d, static_cast<double>(law.b)));
  return law;
}

}  // namespace ouro::testing
