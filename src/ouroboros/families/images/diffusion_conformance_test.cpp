// This family's case in the shared conformance suite: a tiny latent diffusion model (a 4-dimensional latent space,
// a 16-unit noise predictor, 50 timesteps, 5 DDIM steps) on the shipped 12x12 stand-in for Fashion-MNIST; the
// recovery test compares the training-set size (the other metrics score the model's images).
#include "support/conformance.hpp"

OUROBOROS_CONFORMANCE_CASE(diffusion,
                           {"diffusion(data=\"" OUROBOROS_SOURCE_DIR "/tests/data/fashion_tiny\", train_size=40, "
                            "test_size=30, classifier_epochs=2, cache=\"" OUROBOROS_TEST_CACHE "\")",
                            "diffusion(latent=4, ae_channels=4, ae_steps=20, width=16, depth=2, train_steps=50, "
                            "sample_steps=5, batch=16, epochs=1, metric_samples=20)",
                            8, 1, 0, {"train_images"}});
