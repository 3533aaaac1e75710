// This family's case in the shared conformance suite (tests/families/conformance_test.cpp): example specs and the
// per-generation sample size of the kernel comparison.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(gmm, {"gmm(k=2, d=2, separation=5, sd=1)",
                                   "gmm", 30});
