// This family's case in the shared conformance suite: a tiny network (one block, width 16, a 96-piece BPE) on the
// small test corpus, so that every chain of the suite trains in milliseconds; the recovery test fits the real
// training set itself.
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(transformer_lm,
                           {"transformer_lm(corpus=\"" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small\")",
                            "transformer_lm(vocab=96, layers=1, d_model=16, heads=2, context=48, batch=8, epochs=1, "
                            "warmup=2)",
                            8, 1, 0});
