// The vector exp (src/ouroboros/core/vector_math.hpp) against long-double references over its domain, at the
// edges of its range reduction and below the normal range, and bit for bit the same on every instruction set
// that the machine and the build have.
#include "ouroboros/core/vector_math.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ouro {
namespace {

constexpr long double kUlp = 0x1p-52L;

std::vector<double> domain() {
  std::vector<double> y;
  for (int i = -7080; i <= 7090; ++i) y.push_back(0.1 * i);
  // Tiny arguments, both sides of r = log(2) / 2 where the reduction switches k, and a length that is no
  // multiple of any vector width (the last partial vector).
  for (const double x :
       {1e-300, -1e-300, 0.34657359027997264, 0.34657359027997265, -0.34657359027997264, 1e-8, 3.3})
    y.push_back(x);
  return y;
}

TEST(VectorMath, ExpIsWithinFourUlpsAndZeroBelowTheNormalRange) {
  const std::vector<double> y = domain();
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
  std::vector<double> in_place{0.0, 1.0};
  exp_values(in_place, in_place);
  EXPECT_EQ(in_place[0], 1.0);
  EXPECT_NEAR(in_place[1], std::exp(1.0), 4 * std::exp(1.0) * 0x1p-52);
}

TEST(VectorMath, EveryInstructionSetGivesTheSameBits) {
  const std::vector<std::string> targets = vector_math_targets();
  ASSERT_FALSE(targets.empty());
  EXPECT_EQ(targets.front(), vector_math_target());
  const std::vector<double> y = domain();
  std::vector<double> first(y.size());
  exp_values_on(targets.front(), y, first);
  std::string ran = targets.front();
  for (std::size_t t = 1; t < targets.size(); ++t) {
    std::vector<double> out(y.size());
    exp_values_on(targets[t], y, out);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
      differ += std::memcmp(&out[i], &first[i], sizeof(double)) != 0;
    EXPECT_EQ(differ, 0u) << targets[t] << " against " << targets.front();
    ran += " " + targets[t];
  }
  std::cout << "instruction sets compared: " << ran << "\n";
  EXPECT_GE(targets.size(), 2u) << "only " << ran << " on this machine: nothing to compare";
  EXPECT_THROW(exp_values_on("no such target", y, first), std::invalid_argument);
}

}  // namespace
}  // namespace ouro
