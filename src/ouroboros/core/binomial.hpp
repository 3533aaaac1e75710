#pragma once
// Internal: the two exact binomial samplers behind draw_binomial (samplers.cpp), exposed so that tests can
// exercise each one on its own, at and beyond the regime boundary that draw_binomial uses.
//
// Hand-written rather than Boost's binomial_distribution for speed. draw_multinomial draws conditional
// binomials with new parameters on every call, so the per-call setup costs as much as the sampling itself;
// and each call's `trials` depends on the previous result, so the latency from `trials` to the result and
// the branch mispredictions set the speed, not the instruction count. Boost builds a distribution object per
// call (several divisions and a square root on that path, then two dependent divisions per variate), and
// its inversion ends on a data-dependent branch after exp() and one division per step. The algorithms are
// the published ones; only the arithmetic is rearranged:
//
//  * binomial_inversion: inversion by sequential search from 0 (Devroye 1986, "Non-Uniform Random Variate
//    Generation", X.4; Kachitvichyanukul & Schmeiser 1988, BINV), with P(X = 0) = (1 - q)^t. The search
//    compares u / P(X = 0) with the cumulative sums of f(k) / f(0), so exp() runs alongside the search
//    instead of before it; it counts the sums below u / P(X = 0) in branch-free blocks of 8 terms (one branch
//    per block, not per term); and the ratio f(k) / f(k - 1) = r (t - k + 1) / k takes 1 / k from a table.
//  * binomial_btrd: BTRD, transformed rejection with decomposition (Hoermann 1993, "The generation of
//    binomial random variates", J. Stat. Comput. Simul. 46, 101-110), valid for t q >= 10. Same constants
//    and steps as the paper. The immediate-acceptance step (from about half of the variates at t q = 16 to
//    79% for large means) takes one division instead of three; the recursive evaluation of f(k) / f(m) for
//    |k - m| <= 15 compares products of numerators and denominators instead of dividing at each step, and
//    the scaling of v by alpha / (a / us^2 + b) is folded into that comparison. Step 3.3's (n + 1) log(nm /
//    nk) is evaluated as (n + 1) log1p((k - m) / nk), which avoids its cancellation for large n. The Stirling
//    correction terms fc(k) are those of the paper (a table for k < 10, three terms of the series above).
//
// For a given seed the variates differ from those of the Boost-based code (BTRD takes its uniforms from
// Rng::uniform rather than Boost's uniform_01, and the regime boundary moved from 10 to 16); their
// distribution does not. Tests: tests/core/binomial_test.cpp and the binomial cases of samplers_test.cpp.
#include <cassert>
#include <cmath>
#include <cstdint>

#include "ouroboros/core/rng.hpp"

namespace ouro::binomial_detail {

// Below this mean draw_binomial uses inversion, from it on BTRD (which needs t q >= 10). Inversion's cost
// grows with the mean, BTRD's does not; on the multinomial workload they cross between 14 and 20.
inline constexpr double kInversionMaxMean = 16.0;

// log(1 - q) for 0 < q <= 0.5, within an ulp. For q <= 2^-6 (every call with t >= 64 * mean) the Taylor
// series -(q + q^2 (1/2 + q/3 + ... + q^7/9)), truncated after q^9/9 (relative error < 2^-54) and evaluated
// by Estrin's scheme; the leading q is exact, so only the last addition rounds at full weight. Otherwise
// std::log1p. Twice as fast as log1p on the common small-q path.
inline double log1m(double q) {
  if (q > 0x1p-6) return std::log1p(-q);
  const double q2 = q * q, q4 = q2 * q2;
  const double tail = ((1.0 / 2 + q * (1.0 / 3)) + q2 * (1.0 / 4 + q * (1.0 / 5))) +
                      q4 * ((1.0 / 6 + q * (1.0 / 7)) + q2 * (1.0 / 8 + q * (1.0 / 9)));
  return -(q + q2 * tail);
}

// 1 / k for k < kReciprocals, so the inversion's ratio f(k) / f(k - 1) = r (t - k + 1) / k needs no division.
inline constexpr int kReciprocals = 256;
struct ReciprocalTable {
  double v[kReciprocals];
  constexpr ReciprocalTable() : v{} {
    for (int k = 1; k < kReciprocals; ++k) v[k] = 1.0 / k;
  }
};
inline constexpr ReciprocalTable kReciprocal{};

// Binomial(trials, q) by inversion, for trials >= 1 and 0 < q <= 0.5: exact for any mean with
// -t log(1 - q) < 700 (so that 1 / P(X = 0) is finite), fast for small ones.
inline std::int64_t binomial_inversion(Rng& rng, std::int64_t trials, double q) {
  assert(trials >= 1 && q > 0.0 && q <= 0.5);
  constexpr int kBlock = 8;
  const double t = static_cast<double>(trials);
  const double r = q / (1.0 - q);
  // X = min{k : u <= F(k)} = #{k : F(k) < u} with F(k) = P(X <= k) = f(0) S(k), S(k) = sum_{j <= k} g(j),
  // g(j) = f(j) / f(0). Comparing S(k) with v = u / f(0) keeps exp() off the path from `trials` to the
  // result: S is built while exp runs.
  const double v = rng.uniform() * std::exp(-t * log1m(q));  // 1 / f(0) = (1 - q)^-t

  double g = 1.0, s = 1.0;  // g(k) and S(k), from k = 0
  std::int64_t x = v > s ? 1 : 0;
  std::int64_t k = 1;  // next term
  // Branch-free blocks: count the S(k) below v; go on only while all of them were.
  do {
    for (int j = 0; j < kBlock; ++j, ++k) {
      g *= r * (t - static_cast<double>(k - 1)) * kReciprocal.v[k];
      s += g;
      x += v > s ? 1 : 0;
    }
  } while (x == k && k + kBlock <= kReciprocals && k <= trials);
  if (x == k && k <= trials) [[unlikely]] {
    // Far tail (past the table of 1 / k): plain sequential search.
    double rest = v - s;
    for (;; ++k) {
      g *= r * (t - static_cast<double>(k - 1)) / static_cast<double>(k);
      if (!(rest > g) || k >= trials || g == 0.0) break;
      rest -= g;
    }
    x = k;
  }
  // Terms past `trials` are zero; rounding can leave v above S(trials): that sliver goes to `trials`.
  return x < trials ? x : trials;
}

// Stirling-series correction fc(k) = log(k!) - [log(sqrt(2 pi)) + (k + 1/2) log(k + 1) - (k + 1)], as in
// Hoermann (1993): exact values for k < 10, the first three terms of the series otherwise.
double stirling_correction(std::int64_t k);

// BTRD's constants for one (trials, p), 0 < p <= 0.5, trials p >= 10; see binomial_btrd.
struct BtrdParams {
  std::int64_t trials, m;         // m = floor((trials + 1) p), the mode
  double n, p, r, npq, sqrt_npq;  // r = p / (1 - p)
  double a, b, c, alpha, v_r;
};

inline BtrdParams btrd_params(std::int64_t trials, double p) {
  BtrdParams bp;
  bp.trials = trials;
  bp.n = static_cast<double>(trials);
  bp.p = p;
  assert(p > 0.0 && p <= 0.5 && bp.n * p >= 10.0);
  const double q = 1.0 - p;
  bp.r = p / q;
  bp.m = static_cast<std::int64_t>((bp.n + 1.0) * p);
  bp.npq = bp.n * (p * q);
  bp.sqrt_npq = std::sqrt(bp.npq);
  bp.b = 1.15 + 2.53 * bp.sqrt_npq;
  bp.a = -0.0873 + 0.0248 * bp.b + 0.01 * p;
  bp.c = bp.n * p + 0.5;
  bp.alpha = (2.83 + 5.1 / bp.b) * bp.sqrt_npq;
  bp.v_r = 0.92 - 4.2 / bp.b;
  return bp;
}

// Steps 2 and 3 of BTRD for a first uniform v > u_r v_r: the accepted k, or -1 to start over at step 1.
// Out of line (binomial.cpp), so that step 1 stays small enough to inline into draw_binomial.
std::int64_t btrd_rejection_step(Rng& rng, const BtrdParams& bp, double v);

// Step 3.2's bounds on log(f(k) / f(m)) for km = |k - m| > 15: t - rho <= log(f(k) / f(m)) <= t + rho.
struct BtrdSqueeze {
  double lower, upper;
};
BtrdSqueeze btrd_squeeze(const BtrdParams& bp, std::int64_t km);

// Step 3.3's log(f(k) / f(m)) by Stirling's formula, 0 <= k <= trials.
double btrd_log_ratio(const BtrdParams& bp, std::int64_t k);

// Binomial(trials, p) by BTRD, for 0 < p <= 0.5 and trials * p >= 10.
inline std::int64_t binomial_btrd(Rng& rng, std::int64_t trials, double p) {
  const BtrdParams bp = btrd_params(trials, p);
  const double vr_b = 0.92 * bp.b - 4.2;  // v_r b, without the division
  const double two_a_vr_b = 2.0 * bp.a * vr_b;
  for (;;) {
    // Step 1, immediate acceptance: if v <= u_r v_r (u_r = 0.86), u = v / v_r - 0.43, us = 0.5 - |u| and
    // k = floor((2a / us + b) u + c). In terms of w = u v_r b and d = us v_r b this takes one division.
    const double v = rng.uniform();
    const double vb = v * bp.b;
    if (vb <= 0.86 * vr_b) {
      const double w = vb - 0.43 * vr_b;
      const double d = 0.5 * vr_b - std::abs(w);
      const double xk = w * (two_a_vr_b + bp.b * d) / (d * vr_b) + bp.c;
      assert(xk >= 0.0 && xk < bp.n + 1.0);
      return static_cast<std::int64_t>(xk);
    }
    const std::int64_t k = btrd_rejection_step(rng, bp, v);
    if (k >= 0) return k;
  }
}

}  // namespace ouro::binomial_detail
