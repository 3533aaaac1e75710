#pragma once
// Internal: kBinomialLanes independent binomial draws at once, on SIMD lanes (binomial_lanes.cpp), for
// draw_multinomial's interleaved conditional-binomial chains.
//
// Each lane is its own draw with its own parameters and its own Rng, and the result of a lane depends only on
// that lane's (trials, p) and the uniforms it takes from its Rng. The algorithms are those of the scalar
// draw_binomial (binomial.hpp): inversion for means below kInversionMaxMean, BTRD (Hoermann 1993) from there
// on, with p > 0.5 drawn as trials - Binomial(trials, 1 - p). On the lanes run:
//  * inversion, the whole of it: P(X = 0) = exp(t log(1 - q)) from the hand-written vector kernels of
//    vector_math-inl.h (+, -, *, / only, within a few ulps) and the same branch-free blocks of 8 terms;
//  * BTRD's step 1, the immediate acceptance, which takes 79% to 90% of its variates for the means that
//    dominate W1. A lane that step 1 rejects finishes on the scalar steps 2 and 3 (btrd_rejection_step) with
//    its own Rng, so it stays exact.
// The kernels use only IEEE-754 operations that are correctly rounded (add, subtract, multiply, divide,
// square root, floor, compare) and the file is compiled without contraction into fused multiply-adds, so
// every instruction set that runtime dispatch may pick (AVX-512, AVX2, SSE4, the portable fallback) gives the
// same numbers; tests/core/binomial_lanes_test.cpp checks that bit for bit on each target the machine has.
#include <cstdint>

#include "ouroboros/core/rng.hpp"

namespace ouro::binomial_detail {

// The number of lanes is fixed, not the vector width of the machine, so the draws are the same everywhere.
inline constexpr int kBinomialLanes = 8;

struct alignas(64) BinomialLanes {
  std::int64_t trials[kBinomialLanes];  // a lane with trials <= 0 or p <= 0 gives 0 and takes no uniform
  double p[kBinomialLanes];             // in [0, 1]
  std::int64_t out[kBinomialLanes];     // Binomial(trials[l], p[l]) drawn with rngs[l]
};

// Fills lanes.out, taking each lane's uniforms from rngs[l] (kBinomialLanes of them).
void draw_binomial_lanes(Rng* rngs, BinomialLanes& lanes);

// For tests: the instruction set the lanes run on (Highway's name for it).
const char* binomial_lanes_target();

}  // namespace ouro::binomial_detail
