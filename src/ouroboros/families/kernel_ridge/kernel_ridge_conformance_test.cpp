// This family's case in the shared conformance suite (tests/families/conformance_test.cpp): example specs and the
// per-generation sample size of the kernel comparison.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(kernel_ridge, {"kernel_ridge(data=\"" OUROBOROS_SOURCE_DIR "/tests/data/fashion_tiny\", train_size=40, test_size=30)",
                                   "kernel_ridge(lambda=0.00001, noise=0.2, design=resample)", 10});
