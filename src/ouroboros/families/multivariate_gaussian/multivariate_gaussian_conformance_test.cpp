// This family's case in the shared conformance suite (tests/families/conformance_test.cpp): example specs and the
// per-generation sample size of the kernel comparison.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(multivariate_gaussian, {"multivariate_gaussian(d=2, variances=[1, 3], correlation=0.4)",
                                   "multivariate_gaussian(estimator=unbiased)", 8});
