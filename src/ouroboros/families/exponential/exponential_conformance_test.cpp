// This family's case in the shared conformance suite (tests/families/conformance_test.cpp): example specs and the
// per-generation sample size of the kernel comparison.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(exponential, {"exponential(rate=2)",
                                   "exponential(estimator=optimized)", 8});
