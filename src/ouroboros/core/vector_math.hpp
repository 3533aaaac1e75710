#pragma once
// exp over arrays on SIMD lanes (Highway; the best instruction set of the machine is chosen at run time),
// with the same bits on every instruction set, within 4 ulps of the exact value
// (tests/core/vector_math_test.cpp). The Corollary 1 theory column takes one exp per symbol and generation
// through it.
#include <span>
#include <string>
#include <vector>

namespace ouro {

// out[i] = exp(y[i]) for y[i] <= 709; 0 for y[i] < -708. out.size() == y.size(); out may be y.
void exp_values(std::span<const double> y, std::span<double> out);

// The instruction set that exp_values runs on (Highway's name for it).
const char* vector_math_target();

// For tests: the instruction sets compiled in and supported by this CPU, best first (the portable fallback
// last), and exp_values on one of them (std::invalid_argument for another name).
std::vector<std::string> vector_math_targets();
void exp_values_on(const std::string& target, std::span<const double> y, std::span<double> out);

}  // namespace ouro
