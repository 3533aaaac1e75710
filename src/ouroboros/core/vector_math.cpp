// Array entry points to the kernels of vector_math-inl.h, compiled once per instruction set by Highway and
// dispatched at run time. Compiled without contraction into fused multiply-adds (CMakeLists.txt).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ouroboros/core/vector_math.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#include "ouroboros/core/vector_math-inl.h"

#ifndef OUROBOROS_VECTOR_MATH_ONCE
#define OUROBOROS_VECTOR_MATH_ONCE
#include <cassert>
#include <cstddef>

#include "ouroboros/core/vector_math.hpp"
#endif

HWY_BEFORE_NAMESPACE();
namespace ouro::HWY_NAMESPACE {

// Applies kernel to whole vectors, then to the last partial one through a padded copy.
template <class Kernel>
void apply(const double* in, double* out, std::size_t n, double pad, Kernel kernel) {
  const hn::ScalableTag<double> d;
  const std::size_t step = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + step <= n; i += step) hn::StoreU(kernel(d, hn::LoadU(d, in + i)), d, out + i);
  if (i == n) return;
  alignas(64) double buffer[8];  // x86's widest vector (AVX-512) holds 8 doubles
  assert(step <= 8);
  for (std::size_t j = 0; j < step; ++j) buffer[j] = i + j < n ? in[i + j] : pad;
  hn::Store(kernel(d, hn::Load(d, buffer)), d, buffer);
  for (std::size_t j = 0; i + j < n; ++j) out[i + j] = buffer[j];
}

void ExpArray(const double* y, double* out, std::size_t n) {
  apply(y, out, n, 0.0, [](auto d, auto v) { return Exp(d, v); });
}
void Log1mArray(const double* q, double* out, std::size_t n) {
  apply(q, out, n, 0.25, [](auto d, auto v) { return Log1m(d, v); });
}
const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace ouro::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ouro {

HWY_EXPORT(ExpArray);
HWY_EXPORT(Log1mArray);
HWY_EXPORT(TargetName);

void exp_values(std::span<const double> y, std::span<double> out) {
  assert(out.size() == y.size());
  HWY_DYNAMIC_DISPATCH(ExpArray)(y.data(), out.data(), y.size());
}

void log1m_values(std::span<const double> q, std::span<double> out) {
  assert(out.size() == q.size());
  HWY_DYNAMIC_DISPATCH(Log1mArray)(q.data(), out.data(), q.size());
}

const char* vector_math_target() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

}  // namespace ouro
#endif
