// Rng: addressability (one stream per (seed, replicate, generation, stream)), agreement with Random123's
// Philox4x64-10 known-answer vector and documented key/counter layout, and the moments of uniform().
#include "ouroboros/core/rng.hpp"

#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <random>
#include <vector>

namespace ouro {
namespace {

static_assert(std::uniform_random_bit_generator<Rng>);
static_assert(Rng::min() == 0);
static_assert(Rng::max() == ~std::uint64_t{0});

std::vector<std::uint64_t> take(Rng rng, std::size_t n) {
  std::vector<std::uint64_t> out(n);
  for (auto& x : out) x = rng();
  return out;
}

TEST(RngTest, SameAddressGivesSameStream) {
  const auto a = take(Rng(42, 7, 3, Stream::kReal), 1000);
  const auto b = take(Rng(42, 7, 3, Stream::kReal), 1000);
  EXPECT_EQ(a, b);
}

TEST(RngTest, ChangingAnyCoordinateGivesADisjointStream) {
  const auto base = take(Rng(42, 7, 3, Stream::kReal), 1000);
  const std::vector<std::vector<std::uint64_t>> others{
      take(Rng(43, 7, 3, Stream::kReal), 1000),       // seed
      take(Rng(42, 8, 3, Stream::kReal), 1000),       // replicate
      take(Rng(42, 7, 4, Stream::kReal), 1000),       // generation
      take(Rng(42, 7, 3, Stream::kSubsample), 1000),  // stream
      take(Rng(7, 42, 3, Stream::kReal), 1000),       // seed and replicate swapped
      take(Rng(42, 7, 1, Stream::kTruth), 1000),      // generation and stream swapped
  };
  std::vector<std::uint64_t> sorted_base = base;
  std::sort(sorted_base.begin(), sorted_base.end());
  for (std::size_t k = 0; k < others.size(); ++k) {
    // Not merely different: no 64-bit value in common (a shifted copy of the same stream would share them).
    for (const auto x : others[k])
      EXPECT_FALSE(std::binary_search(sorted_base.begin(), sorted_base.end(), x)) << "variant " << k;
  }
}

TEST(RngTest, MatchesPhiloxKnownAnswer) {
  // Random123 kat_vectors: philox4x64 10, counter 0 and key 0.
  Rng rng(0, 0, 0, Stream::kSynthetic);
  EXPECT_EQ(rng(), 0x16554d9eca36314cULL);
  EXPECT_EQ(rng(), 0xdb20fe9d672d0fdcULL);
  EXPECT_EQ(rng(), 0xd7e772cee186176bULL);
  EXPECT_EQ(rng(), 0x7e68b68aec7ba23bULL);
}

TEST(RngTest, KeyIsSeedReplicateAndCounterIsGenerationStreamBlock) {
  const std::uint64_t seed = 0x0123456789abcdefULL, replicate = 99, generation = 12;
  Rng rng(seed, replicate, generation, Stream::kTruth);
  r123::Philox4x64 philox;
  const r123::Philox4x64::key_type key{{seed, replicate}};
  for (std::uint64_t block = 0; block < 5; ++block) {
    const r123::Philox4x64::ctr_type ctr{{generation, static_cast<std::uint64_t>(Stream::kTruth), block, 0}};
    const auto out = philox(ctr, key);
    for (int j = 0; j < 4; ++j) EXPECT_EQ(rng(), out.v[j]) << "block " << block << " word " << j;
  }
}

TEST(RngTest, ConsumedCountsEveryNumberHandedOut) {
  Rng rng(3, 1, 2, Stream::kSynthetic);
  EXPECT_EQ(rng.consumed(), 0u);
  for (std::uint64_t k = 1; k <= 9; ++k) {  // across two block boundaries
    if (k % 2) {
      rng();
    } else {
      rng.uniform();
    }
    EXPECT_EQ(rng.consumed(), k);
  }
}

TEST(RngTest, UniformIsInOpenIntervalWithCorrectMoments) {
  constexpr int kN = 1'000'000;
  Rng rng(2024, 0, 1, Stream::kSynthetic);
  double sum = 0, sum_sq = 0, lo = 1, hi = 0;
  for (int i = 0; i < kN; ++i) {
    const double u = rng.uniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  const double n = kN;
  const double mean = sum / n;
  const double var = (sum_sq - n * mean * mean) / (n - 1);
  // Standard errors: sqrt(sigma^2 / n) for the mean, sqrt((mu4 - sigma^4) / n) for the variance, where
  // sigma^2 = 1/12 and mu4 = 1/80 for U(0, 1).
  const double se_mean = std::sqrt(1.0 / 12.0 / n);
  const double se_var = std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / n);
  EXPECT_NEAR(mean, 0.5, 5 * se_mean);
  EXPECT_NEAR(var, 1.0 / 12.0, 5 * se_var);
  // The extremes of 1e6 uniforms lie within ~1e-5 of the ends.
  EXPECT_LT(lo, 1e-4);
  EXPECT_GT(hi, 1 - 1e-4);
}

}  // namespace
}  // namespace ouro
