// This family's case in the shared conformance suite (tests/families/conformance_test.cpp): example specs and the
// per-generation sample size of the kernel comparison.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(linear_regression, {"linear_regression(d=3, sigma=0.5, spectrum=[1, 0.5, 0.25], w=[1, -0.5, 0.25])",
                                   "linear_regression(test_samples=50, downstream_samples=20)", 12});
