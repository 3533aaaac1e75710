#pragma once
// exp and log(1 - q) over arrays on SIMD lanes (Highway, the best instruction set of the machine chosen at run
// time), with the same bits on every instruction set: the kernels of vector_math-inl.h, which the SIMD
// binomial lanes share. Within a few ulps of the exact values (tests/core/vector_math_test.cpp).
#include <span>

namespace ouro {

// out[i] = exp(y[i]) for y[i] <= 709; 0 for y[i] < -708. out.size() == y.size().
void exp_values(std::span<const double> y, std::span<double> out);

// out[i] = log(1 - q[i]) for 0 < q[i] <= 0.5. out.size() == q.size().
void log1m_values(std::span<const double> q, std::span<double> out);

// The instruction set that the kernels run on (Highway's name for it), for tests and the manifest.
const char* vector_math_target();

}  // namespace ouro
