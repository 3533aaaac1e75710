// The vector exp and log(1 - q) kernels (src/ouroboros/core/vector_math.hpp) against long-double references,
// over their domains and at the points where their branches switch; the same bits on every instruction set are
// checked in binomial_lanes_test.cpp.
#include "ouroboros/core/vector_math.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ouro {
namespace {

constexpr long double kUlp = 0x1p-52L;

TEST(VectorMath, Log1mIsWithinFourUlps) {
  std::vector<double> q;
  for (int i = 1; i <= 4000; ++i) q.push_back(0.5 * i / 4000.0);
  // The switch from the series at 2^-6, the split of u at sqrt(1/2), tiny q, and a length that is no multiple
  // of any vector width (the last partial vector).
  for (const double x : {0x1p-6, std::nextafter(0x1p-6, 1.0), 1e-12, 1e-300, 1.0 - std::sqrt(0.5), 0.29289, 0.3})
    q.push_back(x);
  std::vector<double> out(q.size());
  log1m_values(q, out);
  for (std::size_t i = 0; i < q.size(); ++i) {
    const long double ref = std::log1p(-static_cast<long double>(q[i]));
    EXPECT_LE(std::fabs((out[i] - ref) / ref), 4 * kUlp) << "log(1 - " << q[i] << ")";
  }
}

TEST(VectorMath, ExpIsWithinFourUlpsAndZeroBelowTheNormalRange) {
  std::vector<double> y;
  for (int i = -7080; i <= 7090; ++i) y.push_back(0.1 * i);
  for (const double x : {1e-300, -1e-300, 0.34657359027997264, 0.34657359027997265, -0.34657359027997264, 1e-8})
    y.push_back(x);
  std::vector<double> out(y.size());
  exp_values(y, out);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const long double ref = std::exp(static_cast<long double>(y[i]));
    EXPECT_LE(std::fabs((out[i] - ref) / ref), 4 * kUlp) << "exp(" << y[i] << ")";
  }
  const std::vector<double> below{-708.5, -745.2, -1e6, -INFINITY, -708.0000001};
  std::vector<double> zero(below.size(), 1.0);
  exp_values(below, zero);
  for (std::size_t i = 0; i < below.size(); ++i) EXPECT_EQ(zero[i], 0.0) << "exp(" << below[i] << ")";
  std::vector<double> one{0.0}, e(1);
  exp_values(one, e);
  EXPECT_EQ(e[0], 1.0);
}

}  // namespace
}  // namespace ouro
