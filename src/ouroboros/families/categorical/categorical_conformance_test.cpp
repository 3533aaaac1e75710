// This family's case in the shared conformance suite (tests/families/conformance_test.cpp): example specs and the
// per-generation sample size of the kernel comparison.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(categorical, {"categorical(dist=zipf, m=20, a=1.2, b=1)",
                                   "categorical(estimator=mle)", 12});
