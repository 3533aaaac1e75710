// Vector kernels shared by the SIMD code (binomial_lanes.cpp, vector_math.cpp), in Highway's per-target
// "-inl.h" form: include it after <hwy/highway.h> in a file compiled once per target. The kernels use only
// correctly rounded IEEE-754 operations (+, -, *, /, floor, compare, bit moves), so with contraction into fused
// multiply-adds off (CMakeLists.txt) every target gives the same bits.
#if defined(OUROBOROS_CORE_VECTOR_MATH_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OUROBOROS_CORE_VECTOR_MATH_INL_H_
#undef OUROBOROS_CORE_VECTOR_MATH_INL_H_
#else
#define OUROBOROS_CORE_VECTOR_MATH_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace ouro::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// log(1 - q) for 0 < q <= 0.5 with +, -, *, / only. For q <= 2^-6 the series of log1m (binomial.hpp), term
// for term. Otherwise log1p(x) = log(u) + (x - (u - 1)) / u with x = -q and u = 1 + x rounded (the
// correction recovers the rounding of u), and log(u) = e log 2 + log(m), u = 2^e m, m in [sqrt(1/2), sqrt(2)),
// by log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: the series 2 (s + s^3 / 3 + ... + s^23 / 23),
// whose next term is below 2^-56 of the sum. Within a few ulps (tests/core/vector_math_test.cpp).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Log1m(D d, V q) {
  const V one = hn::Set(d, 1.0);
  const V q2 = q * q, q4 = q2 * q2;
  const V tail = ((hn::Set(d, 1.0 / 2) + q * hn::Set(d, 1.0 / 3)) + q2 * (hn::Set(d, 1.0 / 4) + q * hn::Set(d, 1.0 / 5))) +
                 q4 * ((hn::Set(d, 1.0 / 6) + q * hn::Set(d, 1.0 / 7)) + q2 * (hn::Set(d, 1.0 / 8) + q * hn::Set(d, 1.0 / 9)));
  const V series = hn::Neg(q + q2 * tail);

  const V x = hn::Neg(q);
  const V u = one + x;
  const V correction = (x - (u - one)) / u;
  const auto below = hn::Lt(u, hn::Set(d, 0.70710678118654752440));
  const V m = hn::IfThenElse(below, u + u, u);
  const V e = hn::IfThenElseZero(below, hn::Set(d, -1.0));
  const V s = (m - one) / (m + one);
  const V s2 = s * s;
  V poly = hn::Set(d, 2.0 / 23);
  for (const double c : {2.0 / 21, 2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3})
    poly = hn::Set(d, c) + s2 * poly;
  const V log_m = (s + s) + s * s2 * poly;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  const V log_u = e * hn::Set(d, kLn2Hi) + (log_m + e * hn::Set(d, kLn2Lo));
  return hn::IfThenElse(hn::Le(q, hn::Set(d, 0x1p-6)), series, log_u + correction);
}

// exp(y) for y <= 709 with +, -, *, / only; 0 below -708, where exp leaves the normal range (y not NaN).
// y = k log 2 + r, |r| <= log(2) / 2 (Cody and Waite's two-part log 2, so k log 2 is exact), exp(r) by its
// Taylor series to r^13 / 13! (the rest is below 2^-57), and 2^k put together in the exponent bits. Within a few ulps (tests/core/vector_math_test.cpp).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Exp(D d, V y) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  const V k = hn::Floor(y * hn::Set(d, 1.44269504088896338700) + hn::Set(d, 0.5));
  const V r = (y - k * hn::Set(d, kLn2Hi)) - k * hn::Set(d, kLn2Lo);
  // 1 / j! for j = 0..13, each the correctly rounded quotient of two exact doubles.
  constexpr double kInverseFactorial[14] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720,
                                            1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800,
                                            1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800};
  V poly = hn::Set(d, kInverseFactorial[13]);
  for (int j = 12; j >= 0; --j) poly = hn::Set(d, kInverseFactorial[j]) + r * poly;
  // k + 2^52 + 1023 holds k + 1023 in its low mantissa bits; shifted to the exponent field it is 2^k.
  const hn::RebindToSigned<D> di;
  const V biased = k + hn::Set(d, 0x1p52 + 1023.0);
  const V scale = hn::BitCast(d, hn::ShiftLeft<52>(hn::BitCast(di, biased)));
  return hn::IfThenZeroElse(hn::Lt(y, hn::Set(d, -708.0)), poly * scale);
}

}  // namespace ouro::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif
