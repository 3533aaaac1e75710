// This family's case in the shared conformance suite: a tiny VAE (latent 4, 4 channels) on the shipped 12x12
// stand-in for Fashion-MNIST, so that every chain of the suite trains in milliseconds; the recovery test fits the
// real training subset itself and compares its training-set size (the other metrics score the network's images).
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(vae,
                           {"vae(data=\"" OUROBOROS_SOURCE_DIR "/tests/data/fashion_tiny\", train_size=40, test_size=30, "
                            "classifier_epochs=2, cache=\"" OUROBOROS_TEST_CACHE "\")",
                            "vae(latent=4, channels=4, batch=16, epochs=1, metric_samples=20)", 8, 1, 0, {"train_images"}});
