#pragma once
// The layout of the random streams: which draws take which numbers from which (seed, replicate, generation,
// stream). A change that makes the same configuration draw different numbers raises it. The manifest and the
// results store record it, and a store made under another layout is not resumed (its finished units and the
// rest would not be one run).
//   1: ouroboros 0.1.0 up to git commit cc71df5: draw_multinomial by four interleaved scalar conditional-binomial passes.
//   2: draw_multinomial deals its cells to 8 SIMD lanes, each with a substream (core/binomial_lanes.hpp).
namespace ouro {
inline constexpr int kStreamLayout = 2;
}  // namespace ouro
