// Binomial draws on SIMD lanes (binomial_lanes.hpp), compiled once per instruction set by Highway and chosen
// at run time. Highway rather than xsimd: its foreach_target/HWY_DYNAMIC_DISPATCH builds and dispatches every
// x86 target from one source, where xsimd leaves the per-target builds and the dispatch to us.
//
// This file must be compiled without floating-point contraction (CMakeLists.txt sets -ffp-contract=off on
// it): a multiply and an add fused on one target and not on another would give different draws.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ouroboros/core/binomial_lanes.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#include "ouroboros/core/vector_math-inl.h"

#ifndef OUROBOROS_BINOMIAL_LANES_ONCE
#define OUROBOROS_BINOMIAL_LANES_ONCE
#include <algorithm>
#include <cmath>

#include "ouroboros/core/binomial.hpp"
#include "ouroboros/core/binomial_lanes.hpp"

namespace ouro::binomial_detail {
// Per-lane state between the scalar set-up, the vector kernel and the scalar finish.
struct alignas(64) LaneWork {
  double t[kBinomialLanes], p[kBinomialLanes], u[kBinomialLanes];  // in: trials, p, the first uniform
  double x[kBinomialLanes];       // out: the draw for q = min(p, 1 - p), 0 for lanes that draw nothing
  double finish[kBinomialLanes];  // out: 1 where the scalar code must finish the draw (BTRD's steps 2 and 3,
                                  // or inversion's far tail), else 0
  double q[kBinomialLanes], v[kBinomialLanes], s[kBinomialLanes], g[kBinomialLanes], k[kBinomialLanes];
  // out, for inversion's far tail: q, and the search's state where the table of 1 / k ended
};
}  // namespace ouro::binomial_detail
#endif

HWY_BEFORE_NAMESPACE();
namespace ouro::binomial_detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<double>;
using V = hn::Vec<D>;
using ouro::HWY_NAMESPACE::Exp;
using ouro::HWY_NAMESPACE::Log1m;

// BTRD's step 1 (binomial_btrd in binomial.hpp, the same expressions in the same order): floor(xk), and
// whether v <= u_r v_r accepted it.
HWY_INLINE V BtrdStep1(D d, V t, V q, V u, hn::Mask<D>& accepted) {
  const V one = hn::Set(d, 1.0);
  const V npq = t * (q * (one - q));
  const V b = hn::Set(d, 1.15) + hn::Set(d, 2.53) * hn::Sqrt(npq);
  const V a = (hn::Set(d, -0.0873) + hn::Set(d, 0.0248) * b) + hn::Set(d, 0.01) * q;
  const V c = t * q + hn::Set(d, 0.5);
  const V vr_b = hn::Set(d, 0.92) * b - hn::Set(d, 4.2);
  const V two_a_vr_b = (hn::Set(d, 2.0) * a) * vr_b;
  const V vb = u * b;
  accepted = hn::Le(vb, hn::Set(d, 0.86) * vr_b);
  const V wv = vb - hn::Set(d, 0.43) * vr_b;
  const V dv = hn::Set(d, 0.5) * vr_b - hn::Abs(wv);
  return hn::Floor(wv * (two_a_vr_b + b * dv) / (dv * vr_b) + c);
}

// Inversion (binomial_inversion in binomial.hpp, the same recursion and blocks) on the lanes of `active`:
// X where the search ended inside the table of 1 / k; `tail` marks the lanes whose search must go on past it,
// from the state stored in w at lane offset i.
HWY_INLINE V Inversion(D d, V t, V q, V u, hn::Mask<D> active, hn::Mask<D>& tail, LaneWork& w, std::size_t i) {
  constexpr int kBlock = 8;
  const V one = hn::Set(d, 1.0);
  const V r = q / (one - q);
  const V v = u * Exp(d, hn::Neg(t * Log1m(d, q)));
  V g = one, s = one;
  V x = hn::IfThenElseZero(hn::Gt(v, s), one);
  int k = 1;
  hn::Mask<D> more;
  for (;;) {
    for (int j = 0; j < kBlock; ++j, ++k) {
      g = g * ((r * (t - hn::Set(d, static_cast<double>(k - 1)))) * hn::Set(d, kReciprocal.v[k]));
      s = s + g;
      x = x + hn::IfThenElseZero(hn::Gt(v, s), one);
    }
    const V kv = hn::Set(d, static_cast<double>(k));
    // Go on while a lane that uses inversion has all its sums so far below v and terms left.
    more = hn::And(hn::And(hn::Eq(x, kv), hn::Le(kv, t)), active);
    if (hn::AllFalse(d, more) || k + kBlock > kReciprocals) break;
  }
  tail = more;
  if (!hn::AllFalse(d, more)) [[unlikely]] {
    hn::Store(q, d, w.q + i);
    hn::Store(v, d, w.v + i);
    hn::Store(s, d, w.s + i);
    hn::Store(g, d, w.g + i);
    hn::Store(hn::Set(d, static_cast<double>(k)), d, w.k + i);
  }
  return hn::Min(x, t);  // rounding can leave v above S(trials): that sliver goes to `trials`
}

// Every lane: classify (draws nothing, inversion below mean kInversionMaxMean, BTRD from it), draw with
// q = min(p, 1 - p), and mark the lanes the scalar code must finish.
void LaneKernel(LaneWork& w) {
  const D d;
  const V zero = hn::Zero(d), one = hn::Set(d, 1.0);
  for (std::size_t i = 0; i < static_cast<std::size_t>(kBinomialLanes); i += hn::Lanes(d)) {
    const V t_in = hn::Load(d, w.t + i), p = hn::Load(d, w.p + i), u = hn::Load(d, w.u + i);
    const auto active = hn::And(hn::And(hn::Gt(t_in, zero), hn::Gt(p, zero)), hn::Lt(p, one));
    // Lanes that draw nothing get harmless parameters.
    const V q = hn::IfThenElse(active, hn::IfThenElse(hn::Gt(p, hn::Set(d, 0.5)), one - p, p), hn::Set(d, 0.25));
    const V t = hn::IfThenElse(active, t_in, one);
    const auto inversion = hn::And(active, hn::Lt(t * q, hn::Set(d, kInversionMaxMean)));
    const auto btrd = hn::AndNot(inversion, active);
    V x = zero;
    auto finish = hn::Lt(one, zero);  // all false
    if (!hn::AllFalse(d, btrd)) {
      hn::Mask<D> accepted;
      x = hn::IfThenElseZero(btrd, BtrdStep1(d, t, q, u, accepted));
      finish = hn::AndNot(accepted, btrd);
    }
    if (!hn::AllFalse(d, inversion)) {
      hn::Mask<D> tail;
      x = hn::IfThenElse(inversion, Inversion(d, t, q, u, inversion, tail, w, i), x);
      finish = hn::Or(finish, tail);
    }
    hn::Store(x, d, w.x + i);
    hn::Store(hn::IfThenElseZero(finish, one), d, w.finish + i);
  }
}

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace ouro::binomial_detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ouro::binomial_detail {

HWY_EXPORT(LaneKernel);
HWY_EXPORT(TargetName);

void draw_binomial_lanes(Rng* rngs, BinomialLanes& lanes) {
  LaneWork w;
  for (int l = 0; l < kBinomialLanes; ++l) {
    const double p = lanes.p[l];
    w.t[l] = static_cast<double>(lanes.trials[l]), w.p[l] = p;
    w.u[l] = lanes.trials[l] > 0 && p > 0.0 && p < 1.0 ? rngs[l].uniform() : 0.5;
  }
  HWY_DYNAMIC_DISPATCH(LaneKernel)(w);
  for (int l = 0; l < kBinomialLanes; ++l) {
    const std::int64_t trials = lanes.trials[l];
    const double p = lanes.p[l];
    auto x = static_cast<std::int64_t>(w.x[l]);
    if (w.finish[l] != 0.0) [[unlikely]] {
      const double q = p > 0.5 ? 1.0 - p : p;
      if (trials * q < kInversionMaxMean) {
        const auto k = static_cast<std::int64_t>(w.k[l]);
        x = std::min(inversion_far_tail(w.v[l], w.s[l], w.g[l], k, trials, q / (1.0 - q)), trials);
      } else {
        // BTRD's steps 2 and 3 on this lane alone; a rejection starts a fresh scalar draw from the lane's Rng.
        x = btrd_rejection_step(rngs[l], btrd_params(trials, q), w.u[l]);
        if (x < 0) x = binomial_btrd(rngs[l], trials, q);
      }
    }
    lanes.out[l] = trials <= 0 ? 0 : p > 0.5 ? trials - x : x;
  }
}

const char* binomial_lanes_target() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

}  // namespace ouro::binomial_detail
#endif
