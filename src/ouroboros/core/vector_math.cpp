// exp over arrays (vector_math.hpp), compiled once per instruction set by Highway's foreach_target and chosen
// at run time. Highway rather than xsimd: foreach_target builds every x86 target from one source, where xsimd
// leaves the per-target builds to us. The choice is made here, not by HWY_DYNAMIC_DISPATCH: that needs
// libhwy.so, whose static initialiser measures the timer's resolution when the library loads, about 6 ms of
// every process's start (`ouroboros --version` took 24 ms instead of 14).
//
// The kernel uses only correctly rounded IEEE-754 operations (+, -, *, floor, compare, bit moves), and this
// file is compiled without contraction into fused multiply-adds and without the precompiled header
// (CMakeLists.txt), so every target gives the same bits.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ouroboros/core/vector_math.cpp"
// Only the targets chosen below: AVX2, SSE4 and the portable fallback (AVX-512 would give the same bits).
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_AVX3 | HWY_AVX3_DL | HWY_SSSE3)
#endif
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#ifndef OUROBOROS_VECTOR_MATH_ONCE
#define OUROBOROS_VECTOR_MATH_ONCE
#include <cpuid.h>

#include <cassert>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "ouroboros/core/vector_math.hpp"
#endif

HWY_BEFORE_NAMESPACE();
namespace ouro::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// exp(y) for y <= 709 with +, -, * only; 0 below -708, where exp leaves the normal range (y not NaN).
// y = k log 2 + r, |r| <= log(2) / 2 (Cody and Waite's two-part log 2, so k log 2 is exact), exp(r) by its
// Taylor series to r^13 / 13! (the rest is below 2^-57), and 2^k put together in the exponent bits.
// Within 4 ulps (tests/core/vector_math_test.cpp).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Exp(D d, V y) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  const V k = hn::Floor(y * hn::Set(d, 1.44269504088896338700) + hn::Set(d, 0.5));
  const V r = (y - k * hn::Set(d, kLn2Hi)) - k * hn::Set(d, kLn2Lo);
  // 1 / j! for j = 0..13, each the correctly rounded quotient of two exact doubles.
  constexpr double kInverseFactorial[14] = {
      1.0,          1.0,           1.0 / 2,        1.0 / 6,         1.0 / 24,          1.0 / 120,
      1.0 / 720,    1.0 / 5040,    1.0 / 40320,    1.0 / 362880,    1.0 / 3628800,     1.0 / 39916800,
      1.0 / 479001600, 1.0 / 6227020800};
  V poly = hn::Set(d, kInverseFactorial[13]);
  for (int j = 12; j >= 0; --j) poly = hn::Set(d, kInverseFactorial[j]) + r * poly;
  // k + 2^52 + 1023 holds k + 1023 in its low mantissa bits; shifted to the exponent field it is 2^k.
  const hn::RebindToSigned<D> di;
  const V biased = k + hn::Set(d, 0x1p52 + 1023.0);
  const V scale = hn::BitCast(d, hn::ShiftLeft<52>(hn::BitCast(di, biased)));
  return hn::IfThenZeroElse(hn::Lt(y, hn::Set(d, -708.0)), poly * scale);
}

void ExpArray(const double* y, double* out, std::size_t n) {
  const hn::ScalableTag<double> d;
  const std::size_t step = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + step <= n; i += step) hn::StoreU(Exp(d, hn::LoadU(d, y + i)), d, out + i);
  if (i == n) return;
  // The last partial vector through a padded copy.
  alignas(64) double buffer[8] = {};  // x86's widest vector (AVX-512) holds 8 doubles
  assert(step <= 8);
  for (std::size_t j = 0; i + j < n; ++j) buffer[j] = y[i + j];
  hn::Store(Exp(d, hn::Load(d, buffer)), d, buffer);
  for (std::size_t j = 0; i + j < n; ++j) out[i + j] = buffer[j];
}

}  // namespace ouro::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ouro {

namespace {

using ExpFn = void (*)(const double*, double*, std::size_t);
struct Target {
  const char* name;
  ExpFn exp;
};

// The CPU features that Highway's targets assume (Highway's targets.cc lists them per target).
bool has_sse4() {
  return __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1") &&
         __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
         __builtin_cpu_supports("aes");
}
// F16C and LZCNT from CPUID itself: Clang's __builtin_cpu_supports does not know them.
bool has_f16c_and_lzcnt() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_F16C)) return false;
  return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_LZCNT);
}
bool has_avx2() {
  return has_sse4() && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
         __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
         has_f16c_and_lzcnt();
}

// The compiled targets that this CPU runs, best first; the portable fallback always.
std::vector<Target> usable_targets() {
  std::vector<Target> t;
#if HWY_TARGETS & HWY_AVX2
  if (has_avx2()) t.push_back({hwy::TargetName(HWY_AVX2), N_AVX2::ExpArray});
#endif
#if HWY_TARGETS & HWY_SSE4
  if (has_sse4()) t.push_back({hwy::TargetName(HWY_SSE4), N_SSE4::ExpArray});
#endif
#if HWY_TARGETS & HWY_EMU128
  t.push_back({hwy::TargetName(HWY_EMU128), N_EMU128::ExpArray});
#endif
#if HWY_TARGETS & HWY_SCALAR
  t.push_back({hwy::TargetName(HWY_SCALAR), N_SCALAR::ExpArray});
#endif
  return t;
}

const std::vector<Target>& targets() {
  static const std::vector<Target> t = usable_targets();
  return t;
}

}  // namespace

void exp_values(std::span<const double> y, std::span<double> out) {
  assert(out.size() == y.size());
  static const ExpFn best = targets().front().exp;
  best(y.data(), out.data(), y.size());
}

const char* vector_math_target() { return targets().front().name; }

std::vector<std::string> vector_math_targets() {
  std::vector<std::string> names;
  for (const auto& t : targets()) names.emplace_back(t.name);
  return names;
}

void exp_values_on(const std::string& target, std::span<const double> y, std::span<double> out) {
  assert(out.size() == y.size());
  for (const auto& t : targets())
    if (target == t.name) return t.exp(y.data(), out.data(), y.size());
  throw std::invalid_argument("exp_values_on: no target " + target + " on this machine");
}

}  // namespace ouro
#endif
