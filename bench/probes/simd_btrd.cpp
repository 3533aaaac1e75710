// Probe, not built by CMake: BTRD (Hoermann 1993) with every step on AVX2 lanes (Highway), for independent
// draws, against the scalar binomial_btrd. Written to measure the speed issue's vectorised route; see the
// README, "Performance". Build and run from the repository root:
//   g++ -std=c++20 -O3 -DNDEBUG -mavx2 -mfma -c bench/probes/simd_btrd.cpp -o build/simd_btrd.o
//   g++ -std=c++20 -O3 -DNDEBUG -Isrc bench/probes/simd_btrd_main.cpp build/simd_btrd.o src/ouroboros/core/binomial.cpp \
//       src/ouroboros/core/samplers.cpp src/ouroboros/core/pmf.cpp -o build/simd_btrd && build/simd_btrd 300
// Prototype: BTRD on AVX2 lanes (4 doubles), every step on the lanes, uniforms from a buffer.
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>
#include <cstdint>
#include <cstddef>
namespace hn = hwy::HWY_NAMESPACE;

namespace {
const double kStirling[10] = {0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
                              0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
                              0.01189670994589177, 0.01041126526197209, 0.009255462182712733,
                              0.008330563433362871};
template <class D, class V>
HWY_INLINE V Fc(D d, V k) {  // Stirling correction fc(k) for k >= 0 (k as double)
  const V ik = hn::Div(hn::Set(d, 1.0), hn::Add(k, hn::Set(d, 1.0)));
  const V ik2 = hn::Mul(ik, ik);
  V series = hn::Mul(hn::Sub(hn::Set(d, 1.0 / 12), hn::Mul(hn::Sub(hn::Set(d, 1.0 / 360), hn::Mul(hn::Set(d, 1.0 / 1260), ik2)), ik2)), ik);
  const auto small = hn::Lt(k, hn::Set(d, 10.0));
  if (!hn::AllFalse(d, small)) {
    const hn::RebindToSigned<D> di;
    const auto idx = hn::ConvertTo(di, hn::IfThenElseZero(small, k));
    series = hn::IfThenElse(small, hn::GatherIndex(d, kStirling, idx), series);
  }
  return series;
}
}  // namespace

// count must be a multiple of the lane count; returns uniforms consumed.
std::size_t btrd_simd(const double* trials, const double* p, double* out, std::size_t count, const double* u) {
  const hn::ScalableTag<double> d;
  using V = hn::Vec<decltype(d)>;
  const std::size_t L = hn::Lanes(d);
  const double* u0 = u;
  const V one = hn::Set(d, 1.0), half = hn::Set(d, 0.5);
  for (std::size_t i = 0; i < count; i += L) {
    const V n = hn::LoadU(d, trials + i), pv = hn::LoadU(d, p + i);
    const V q = hn::Sub(one, pv), r = hn::Div(pv, q);
    const V m = hn::Floor(hn::Mul(hn::Add(n, one), pv));
    const V npq = hn::Mul(n, hn::Mul(pv, q)), snpq = hn::Sqrt(npq);
    const V b = hn::Add(hn::Set(d, 1.15), hn::Mul(hn::Set(d, 2.53), snpq));
    const V a = hn::Add(hn::Add(hn::Set(d, -0.0873), hn::Mul(hn::Set(d, 0.0248), b)), hn::Mul(hn::Set(d, 0.01), pv));
    const V c = hn::Add(hn::Mul(n, pv), half);
    const V vr_b = hn::Sub(hn::Mul(hn::Set(d, 0.92), b), hn::Set(d, 4.2));
    const V two_a_vr_b = hn::Mul(hn::Add(a, a), vr_b);
    V result = hn::Zero(d);
    auto done = hn::Lt(one, hn::Zero(d));  // all false
    bool have_rej = false;
    V alpha, v_r, h;
    bool have_h = false;
    for (;;) {
      const V v = hn::LoadU(d, u);
      u += L;
      const V vb = hn::Mul(v, b);
      const auto acc1 = hn::AndNot(done, hn::Le(vb, hn::Mul(hn::Set(d, 0.86), vr_b)));
      const V w = hn::Sub(vb, hn::Mul(hn::Set(d, 0.43), vr_b));
      const V dd = hn::Sub(hn::Mul(half, vr_b), hn::Abs(w));
      const V xk1 = hn::Add(hn::Div(hn::Mul(w, hn::Add(two_a_vr_b, hn::Mul(b, dd))), hn::Mul(dd, vr_b)), c);
      result = hn::IfThenElse(acc1, hn::Floor(xk1), result);
      done = hn::Or(done, acc1);
      if (hn::AllTrue(d, done)) break;
      if (!have_rej) {
        alpha = hn::Mul(hn::Add(hn::Set(d, 2.83), hn::Div(hn::Set(d, 5.1), b)), snpq);
        v_r = hn::Sub(hn::Set(d, 0.92), hn::Div(hn::Set(d, 4.2), b));
        have_rej = true;
      }
      const V v2 = hn::LoadU(d, u);
      u += L;
      const auto cond = hn::Ge(v, v_r);
      const V ub0 = hn::Sub(hn::Div(v, v_r), hn::Set(d, 0.93));
      const V ub = hn::Sub(hn::IfThenElse(hn::Lt(ub0, hn::Zero(d)), hn::Set(d, -0.5), half), ub0);
      const V uu = hn::IfThenElse(cond, hn::Sub(v2, half), ub);
      const V vv = hn::IfThenElse(cond, v, hn::Mul(v2, v_r));
      const V us = hn::Sub(half, hn::Abs(uu));
      const V xk = hn::Add(hn::Mul(hn::Add(hn::Div(hn::Add(a, a), us), b), uu), c);
      const auto valid = hn::And(hn::Ge(xk, hn::Zero(d)), hn::Lt(xk, hn::Add(n, one)));
      const V k = hn::Floor(hn::IfThenElseZero(valid, xk));
      const V us2 = hn::Mul(us, us);
      const V v_num = hn::Mul(hn::Mul(vv, alpha), us2), v_den = hn::Add(a, hn::Mul(b, us2));
      const V km = hn::Abs(hn::Sub(k, m));
      const auto near = hn::Le(km, hn::Set(d, 15.0));
      auto acc = hn::Lt(one, hn::Zero(d));
      const auto pending = hn::AndNot(done, valid);
      if (!hn::AllFalse(d, hn::And(pending, near))) {
        const V lo = hn::Min(k, m);
        V num = one, den = one, sn = one, sd = one;
        for (int j = 1; j <= 15; ++j) {
          const V ii = hn::Add(lo, hn::Set(d, j));
          num = hn::Mul(num, hn::Mul(r, hn::Sub(hn::Add(n, one), ii)));
          den = hn::Mul(den, ii);
          const auto sel = hn::Eq(km, hn::Set(d, j));
          sn = hn::IfThenElse(sel, num, sn);
          sd = hn::IfThenElse(sel, den, sd);
        }
        const auto up = hn::Ge(k, m);
        const auto a31 = hn::IfThenElse(up, hn::VecFromMask(d, hn::Le(hn::Mul(v_num, sd), hn::Mul(sn, v_den))),
                                        hn::VecFromMask(d, hn::Le(hn::Mul(v_num, sn), hn::Mul(sd, v_den))));
        acc = hn::Or(acc, hn::And(near, hn::MaskFromVec(a31)));
      }
      const auto far = hn::AndNot(near, pending);
      if (!hn::AllFalse(d, far)) {
        const V lv = hn::Log(d, hn::Div(v_num, v_den));
        const V rho = hn::Mul(hn::Div(km, npq), hn::Add(hn::Div(hn::Add(hn::Mul(hn::Add(hn::Div(km, hn::Set(d, 3.0)), hn::Set(d, 0.625)), km), hn::Set(d, 1.0 / 6)), npq), half));
        const V t = hn::Neg(hn::Div(hn::Mul(km, km), hn::Add(npq, npq)));
        const auto acc_sq = hn::Lt(lv, hn::Sub(t, rho));
        const auto rej_sq = hn::Gt(lv, hn::Add(t, rho));
        auto fin = acc_sq;
        const auto need = hn::AndNot(hn::Or(acc_sq, rej_sq), far);
        if (!hn::AllFalse(d, need)) {
          const V nm = hn::Add(hn::Sub(n, m), one);
          if (!have_h) {
            h = hn::Add(hn::Add(hn::Mul(hn::Add(m, half), hn::Log(d, hn::Div(hn::Add(m, one), hn::Mul(r, nm)))), Fc(d, m)), Fc(d, hn::Sub(n, m)));
            have_h = true;
          }
          const V nk = hn::Add(hn::Sub(n, k), one);
          const V lr = hn::Sub(hn::Sub(hn::Add(hn::Add(h, hn::Mul(hn::Add(n, one), hn::Log1p(d, hn::Div(hn::Sub(k, m), nk)))),
                                                hn::Mul(hn::Add(k, half), hn::Log(d, hn::Div(hn::Mul(nk, r), hn::Add(k, one))))),
                                       Fc(d, k)), Fc(d, hn::Sub(n, k)));
          fin = hn::Or(fin, hn::And(need, hn::Le(lv, lr)));
        }
        acc = hn::Or(acc, hn::And(far, fin));
      }
      acc = hn::And(acc, pending);
      result = hn::IfThenElse(acc, k, result);
      done = hn::Or(done, acc);
      if (hn::AllTrue(d, done)) break;
    }
    hn::StoreU(result, d, out + i);
  }
  return static_cast<std::size_t>(u - u0);
}

// Refill variant: a lane that accepts takes the next draw at once, so no lane waits for the others.
std::size_t btrd_simd_refill(const double* trials, const double* p, double* out, std::size_t count, const double* u) {
  const hn::ScalableTag<double> d;
  const hn::RebindToSigned<decltype(d)> di;
  using V = hn::Vec<decltype(d)>;
  const std::size_t L = hn::Lanes(d);
  const double* u0 = u;
  const V one = hn::Set(d, 1.0), half = hn::Set(d, 0.5);
  V n, pv, q, r, m, npq, snpq, b, a, c, vr_b, two_a_vr_b, alpha, v_r;
  auto idx = hn::Iota(di, 0);
  std::int64_t next = static_cast<std::int64_t>(L);
  auto live = hn::Lt(hn::ConvertTo(d, idx), hn::Set(d, static_cast<double>(count)));
  auto load = [&](auto fresh) {
    const V n2 = hn::GatherIndex(d, trials, idx), p2 = hn::GatherIndex(d, p, idx);
    const V q2 = hn::Sub(one, p2), npq2 = hn::Mul(n2, hn::Mul(p2, q2)), s2 = hn::Sqrt(npq2);
    const V b2 = hn::Add(hn::Set(d, 1.15), hn::Mul(hn::Set(d, 2.53), s2));
    const V a2 = hn::Add(hn::Add(hn::Set(d, -0.0873), hn::Mul(hn::Set(d, 0.0248), b2)), hn::Mul(hn::Set(d, 0.01), p2));
    const V vrb2 = hn::Sub(hn::Mul(hn::Set(d, 0.92), b2), hn::Set(d, 4.2));
    n = hn::IfThenElse(fresh, n2, n); pv = hn::IfThenElse(fresh, p2, pv); q = hn::IfThenElse(fresh, q2, q);
    r = hn::IfThenElse(fresh, hn::Div(p2, q2), r);
    m = hn::IfThenElse(fresh, hn::Floor(hn::Mul(hn::Add(n2, one), p2)), m);
    npq = hn::IfThenElse(fresh, npq2, npq); snpq = hn::IfThenElse(fresh, s2, snpq);
    b = hn::IfThenElse(fresh, b2, b); a = hn::IfThenElse(fresh, a2, a);
    c = hn::IfThenElse(fresh, hn::Add(hn::Mul(n2, p2), half), c);
    vr_b = hn::IfThenElse(fresh, vrb2, vr_b);
    two_a_vr_b = hn::IfThenElse(fresh, hn::Mul(hn::Add(a2, a2), vrb2), two_a_vr_b);
    alpha = hn::IfThenElse(fresh, hn::Mul(hn::Add(hn::Set(d, 2.83), hn::Div(hn::Set(d, 5.1), b2)), s2), alpha);
    v_r = hn::IfThenElse(fresh, hn::Sub(hn::Set(d, 0.92), hn::Div(hn::Set(d, 4.2), b2)), v_r);
  };
  n = pv = q = r = m = npq = snpq = b = a = c = vr_b = two_a_vr_b = alpha = v_r = one;
  idx = hn::IfThenElseZero(hn::RebindMask(di, live), idx);
  load(live);
  while (!hn::AllFalse(d, live)) {
    const V v = hn::LoadU(d, u);
    u += L;
    const V vb = hn::Mul(v, b);
    auto acc = hn::And(live, hn::Le(vb, hn::Mul(hn::Set(d, 0.86), vr_b)));
    const V w = hn::Sub(vb, hn::Mul(hn::Set(d, 0.43), vr_b));
    const V dd = hn::Sub(hn::Mul(half, vr_b), hn::Abs(w));
    V result = hn::Floor(hn::Add(hn::Div(hn::Mul(w, hn::Add(two_a_vr_b, hn::Mul(b, dd))), hn::Mul(dd, vr_b)), c));
    const auto pending = hn::AndNot(acc, live);
    if (!hn::AllFalse(d, pending)) {
      const V v2 = hn::LoadU(d, u);
      u += L;
      const auto cond = hn::Ge(v, v_r);
      const V ub0 = hn::Sub(hn::Div(v, v_r), hn::Set(d, 0.93));
      const V ub = hn::Sub(hn::IfThenElse(hn::Lt(ub0, hn::Zero(d)), hn::Set(d, -0.5), half), ub0);
      const V uu = hn::IfThenElse(cond, hn::Sub(v2, half), ub);
      const V vv = hn::IfThenElse(cond, v, hn::Mul(v2, v_r));
      const V us = hn::Sub(half, hn::Abs(uu));
      const V xk = hn::Add(hn::Mul(hn::Add(hn::Div(hn::Add(a, a), us), b), uu), c);
      const auto valid = hn::And(pending, hn::And(hn::Ge(xk, hn::Zero(d)), hn::Lt(xk, hn::Add(n, one))));
      const V k = hn::Floor(hn::IfThenElseZero(valid, xk));
      const V us2 = hn::Mul(us, us);
      const V v_num = hn::Mul(hn::Mul(vv, alpha), us2), v_den = hn::Add(a, hn::Mul(b, us2));
      const V km = hn::Abs(hn::Sub(k, m));
      const auto near = hn::Le(km, hn::Set(d, 15.0));
      auto acc2 = hn::Lt(one, hn::Zero(d));
      if (!hn::AllFalse(d, hn::And(valid, near))) {
        const V lo = hn::Min(k, m);
        V num = one, den = one, sn = one, sd = one;
        for (int j = 1; j <= 15; ++j) {
          const V ii = hn::Add(lo, hn::Set(d, j));
          num = hn::Mul(num, hn::Mul(r, hn::Sub(hn::Add(n, one), ii)));
          den = hn::Mul(den, ii);
          const auto sel = hn::Eq(km, hn::Set(d, j));
          sn = hn::IfThenElse(sel, num, sn);
          sd = hn::IfThenElse(sel, den, sd);
        }
        const auto up = hn::Ge(k, m);
        const auto a31 = hn::IfThenElse(up, hn::VecFromMask(d, hn::Le(hn::Mul(v_num, sd), hn::Mul(sn, v_den))),
                                        hn::VecFromMask(d, hn::Le(hn::Mul(v_num, sn), hn::Mul(sd, v_den))));
        acc2 = hn::Or(acc2, hn::And(near, hn::MaskFromVec(a31)));
      }
      const auto far = hn::AndNot(near, valid);
      if (!hn::AllFalse(d, far)) {
        const V lv = hn::Log(d, hn::Div(v_num, v_den));
        const V rho = hn::Mul(hn::Div(km, npq), hn::Add(hn::Div(hn::Add(hn::Mul(hn::Add(hn::Div(km, hn::Set(d, 3.0)), hn::Set(d, 0.625)), km), hn::Set(d, 1.0 / 6)), npq), half));
        const V t = hn::Neg(hn::Div(hn::Mul(km, km), hn::Add(npq, npq)));
        const auto acc_sq = hn::Lt(lv, hn::Sub(t, rho));
        const auto rej_sq = hn::Gt(lv, hn::Add(t, rho));
        auto fin = acc_sq;
        const auto need = hn::AndNot(hn::Or(acc_sq, rej_sq), far);
        if (!hn::AllFalse(d, need)) {
          const V nm = hn::Add(hn::Sub(n, m), one);
          const V h = hn::Add(hn::Add(hn::Mul(hn::Add(m, half), hn::Log(d, hn::Div(hn::Add(m, one), hn::Mul(r, nm)))), Fc(d, m)), Fc(d, hn::Sub(n, m)));
          const V nk = hn::Add(hn::Sub(n, k), one);
          const V lr = hn::Sub(hn::Sub(hn::Add(hn::Add(h, hn::Mul(hn::Add(n, one), hn::Log1p(d, hn::Div(hn::Sub(k, m), nk)))),
                                                hn::Mul(hn::Add(k, half), hn::Log(d, hn::Div(hn::Mul(nk, r), hn::Add(k, one))))),
                                       Fc(d, k)), Fc(d, hn::Sub(n, k)));
          fin = hn::Or(fin, hn::And(need, hn::Le(lv, lr)));
        }
        acc2 = hn::Or(acc2, hn::And(far, fin));
      }
      acc2 = hn::And(acc2, valid);
      result = hn::IfThenElse(acc2, k, result);
      acc = hn::Or(acc, acc2);
    }
    if (hn::AllFalse(d, acc)) continue;
    hn::ScatterIndex(result, d, out, hn::IfThenElse(hn::RebindMask(di, acc), idx, hn::Set(di, static_cast<std::int64_t>(count))));
    // Refill the lanes that accepted with the next indices.
    alignas(64) std::int64_t lanes[8];
    alignas(64) std::int64_t acc_lanes[8];
    hn::Store(idx, di, lanes);
    hn::Store(hn::VecFromMask(di, hn::RebindMask(di, acc)), di, acc_lanes);
    for (std::size_t l = 0; l < L; ++l)
      if (acc_lanes[l]) lanes[l] = next < static_cast<std::int64_t>(count) ? next++ : static_cast<std::int64_t>(count);
    idx = hn::Load(di, lanes);
    live = hn::Lt(hn::ConvertTo(d, idx), hn::Set(d, static_cast<double>(count)));
    const auto fresh = hn::And(acc, live);
    idx = hn::IfThenElseZero(hn::RebindMask(di, live), idx);
    load(fresh);
    idx = hn::IfThenElse(hn::RebindMask(di, live), idx, hn::Set(di, static_cast<std::int64_t>(count)));
  }
  return static_cast<std::size_t>(u - u0);
}
