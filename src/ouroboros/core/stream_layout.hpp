#pragma once
// The layout of the random streams: which draws take which numbers from which (seed, replicate, generation,
// stream). A change that makes the same configuration draw different numbers raises it. The manifest and the
// results store record it, and a store made under another layout is not resumed (its finished units and the
// rest would not be one run). README, "Reproducing old results", lists the layouts.
namespace ouro {
// 2: draw_multivariate_hypergeometric by thinning and a uniform trim; draw_hypergeometric's starting
//    probability by Loader's saddle-point pmf (core/pmf.hpp).
inline constexpr int kStreamLayout = 2;
}  // namespace ouro
