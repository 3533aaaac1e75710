// This family's case in the shared conformance suite (tests/families/conformance_test.cpp): example specs and the
// per-generation sample size of the kernel comparison.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(gmm_symmetric, {"gmm_symmetric(mu=1.5, sigma=1)",
                                   "gmm_symmetric(estimator=joint)", 10});
