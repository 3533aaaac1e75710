#pragma once
// Exact samplers on top of Rng. Normal and Poisson come from Boost.Random (portable, header-only: the same
// numbers on every platform). Gamma, binomial and hypergeometric are written here: Boost's gamma is slow, its
// binomial pays a heavy setup per call (the multinomial kernel changes the parameters every call; see
// binomial.hpp), and Boost has no hypergeometric variate. Each hand-written sampler cites its algorithm and
// is tested against its distribution (tests/core/samplers_test.cpp, tests/core/binomial_test.cpp).
#include <cstdint>
#include <span>

#include "ouroboros/core/rng.hpp"

namespace ouro {

double draw_normal(Rng& rng);  // N(0, 1), Boost's ziggurat

// Gamma(shape, 1): Marsaglia & Tsang (2000), "A simple method for generating gamma variables",
// ACM TOMS 26(3); shape < 1 through Gamma(shape + 1) * U^(1/shape).
double draw_gamma(Rng& rng, double shape);

// Chi-squared with k degrees of freedom (k > 0, not necessarily integer): 2 * Gamma(k / 2).
inline double draw_chi_squared(Rng& rng, double k) { return 2.0 * draw_gamma(rng, 0.5 * k); }

// Binomial(trials, p): inversion for means below 16, BTRD (Hoermann 1993) above (binomial.hpp).
std::int64_t draw_binomial(Rng& rng, std::int64_t trials, double p);

// Poisson(mean), Boost's PTRD (Hoermann 1993) or inversion for small means.
std::int64_t draw_poisson(Rng& rng, double mean);

// Number of marked items in `draws` items taken without replacement from `population` items of which
// `marked` are marked. Exact inversion by chop-down search outward from the mode (Kachitvichyanukul &
// Schmeiser 1985, "Computer generation of hypergeometric random variates", the HIN idea), O(sd) steps. The
// mode's probability, where the search starts, comes from Loader's saddle-point pmf (core/pmf.hpp): a
// difference of log-gammas would lose up to ten digits at the pool sizes accumulate_subsample reaches.
std::int64_t draw_hypergeometric(Rng& rng, std::int64_t population, std::int64_t marked, std::int64_t draws);

// Multinomial(trials, weights / sum(weights)) by conditional binomials, in place of `out`, visiting only the
// indices listed in `support` (weights outside it are taken as zero; every out[i] of the support is written).
void draw_multinomial(Rng& rng, std::int64_t trials, std::span<const double> weights,
                      std::span<const std::uint32_t> support, std::span<std::int64_t> out);

// Multivariate hypergeometric: `draws` items without replacement from a pool with counts[i] items of type i
// (types outside `support` taken as absent). Thinning, then a uniform trim (samplers.cpp explains why it is
// exact): one binomial per type and O(sqrt(draws) log(types)) more. Pools too small to thin use conditional
// univariate hypergeometrics over `support`. draws must not exceed the pool size.
void draw_multivariate_hypergeometric(Rng& rng, std::int64_t draws, std::span<const std::int64_t> counts,
                                      std::span<const std::uint32_t> support, std::span<std::int64_t> out);

}  // namespace ouro
