// diffusion: the forward process and DDIM sampler of noise_schedule.hpp (the sampler driven by the exact noise
// prediction of a Gaussian truth recovers that Gaussian), the noise predictors' fit (the MLP and the UNet), save/load,
// sampling, the family's regimes at the image level in both spaces, and bad input.
#include "ouroboros/families/images/diffusion.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/images/noise_schedule.hpp"
#include "ouroboros/regimes/regime.hpp"
#include "support/errors.hpp"
#include "support/training_set_sizes.hpp"

namespace ouro {
namespace {

const std::string kTiny = std::string(OUROBOROS_SOURCE_DIR) + "/tests/data/fashion_tiny";

std::string truth(const std::string& extra = "") {
  return "diffusion(data=\"" + kTiny + "\", train_size=60, test_size=40, classifier_epochs=2, cache=\"" OUROBOROS_TEST_CACHE
         "\"" + extra + ")";
}
const std::string kModel =
    "diffusion(latent=4, ae_channels=4, ae_steps=30, width=16, depth=2, train_steps=50, sample_steps=5, batch=16, "
    "epochs=1, metric_samples=20)";
const std::string kPixelModel =
    "diffusion(space=pixel, channels=8, train_steps=50, sample_steps=5, batch=16, epochs=1, metric_samples=20)";

TEST(NoiseSchedule, ClosedFormsAndTimesteps) {
  const auto linear = diffusion::NoiseSchedule::linear(1000);
  ASSERT_EQ(linear.steps(), 1000);
  // prod (1 - beta_t) for beta linear from 1e-4 to 0.02 over 1000 steps: about 4.04e-5 (Ho et al.'s schedule).
  EXPECT_NEAR(linear.alpha_bar[1000], 4.04e-5, 0.02e-5);
  EXPECT_NEAR(linear.alpha_bar[1], 1 - 1e-4, 1e-15);
  const auto cosine = diffusion::NoiseSchedule::cosine(1000);
  for (std::int64_t t = 1; t <= 1000; ++t) {
    EXPECT_LT(cosine.alpha_bar[static_cast<std::size_t>(t)], cosine.alpha_bar[static_cast<std::size_t>(t - 1)]);
    EXPECT_LT(linear.alpha_bar[static_cast<std::size_t>(t)], linear.alpha_bar[static_cast<std::size_t>(t - 1)]);
  }
  EXPECT_LT(cosine.alpha_bar[1000], 1e-6);
  // Other T: the linear schedule's betas scale by 1000 / T, so it still ends near pure noise.
  EXPECT_LT(diffusion::NoiseSchedule::linear(100).alpha_bar[100], 1e-4);
  EXPECT_NEAR(diffusion::NoiseSchedule::linear(100).alpha_bar[1], 1 - 1e-3, 1e-15);
  const auto tau = diffusion::ddim_timesteps(1000, 50);
  ASSERT_EQ(tau.size(), 50u);
  EXPECT_EQ(tau.front(), 1000);
  EXPECT_EQ(tau.back(), 1);
  for (std::size_t i = 1; i < tau.size(); ++i) EXPECT_LT(tau[i], tau[i - 1]);
  EXPECT_EQ(diffusion::ddim_timesteps(1000, 1), std::vector<std::int64_t>{1000});
  EXPECT_THROW(diffusion::ddim_timesteps(10, 11), std::invalid_argument);
  EXPECT_THROW(diffusion::ddim_timesteps(10, 0), std::invalid_argument);
}

// The data N(m, S): x_t ~ N(sqrt(a) m, a S + (1 - a) I), and the exact noise prediction is
// E[eps | x_t] = sqrt(1 - a) (a S + (1 - a) I)^-1 (x_t - sqrt(a) m). Driven by it from x_T ~ N(0, I), DDIM's 200
// steps must give N(m, S): the mean within 5 standard errors, each covariance entry within 5 of its standard
// errors, sqrt((S_ii S_jj + S_ij^2) / n), plus 0.02 for the discretisation.
TEST(Ddim, TheExactNoisePredictionOfAGaussianRecoversIt) {
  const Eigen::Vector2d m(1.0, -2.0);
  const Eigen::Matrix2d S{{1.5, 0.6}, {0.6, 0.8}};
  const auto schedule = diffusion::NoiseSchedule::linear(1000);
  const Eigen::Index n = 20000;
  Rng rng(4, 0, 0, Stream::kSynthetic);
  boost::random::normal_distribution<double> z;
  Eigen::MatrixXd x(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) x(i, 0) = z(rng), x(i, 1) = z(rng);
  const auto eps = [&](const Eigen::MatrixXd& xt, std::int64_t t) -> Eigen::MatrixXd {
    const double a = schedule.alpha_bar[static_cast<std::size_t>(t)];
    const Eigen::Matrix2d sigma = a * S + (1 - a) * Eigen::Matrix2d::Identity();
    const Eigen::MatrixXd centred = xt.rowwise() - (std::sqrt(a) * m).transpose();
    return std::sqrt(1 - a) * centred * sigma.inverse();  // sigma is symmetric
  };
  const Eigen::MatrixXd out = diffusion::ddim_sample(x, schedule, 200, eps);
  const Eigen::Vector2d mean = out.colwise().mean().transpose();
  const Eigen::MatrixXd centred = out.rowwise() - mean.transpose();
  const Eigen::Matrix2d cov = centred.transpose() * centred / static_cast<double>(n - 1);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(mean(i), m(i), 5 * std::sqrt(S(i, i) / static_cast<double>(n)) + 0.02) << "mean " << i;
    for (int j = 0; j < 2; ++j)
      EXPECT_NEAR(cov(i, j), S(i, j), 5 * std::sqrt((S(i, i) * S(j, j) + S(i, j) * S(i, j)) / static_cast<double>(n)) + 0.02)
          << "cov " << i << j;
  }
}

// A new noise predictor (initialised from `seed`) trained on `train`, and its held-out loss on `test` before and after.
struct Trained {
  std::shared_ptr<vision::Denoiser> net;
  double before, after;
};
Trained trained(const vision::DenoiserConfig& c, const vision::FitConfig& fc, const std::vector<float>& train,
                const std::vector<float>& test, std::uint64_t seed) {
  Rng rng(seed, 0, 1, Stream::kFit);
  auto net = vision::Denoiser::create(c, rng);
  const double before = net->loss(test, 3, 1);
  net->train(train, fc, rng, 1, CancelToken{}, nullptr);
  return {net, before, net->loss(test, 3, 1)};
}

// The noise predictor learns a 2-D Gaussian: the held-out loss falls from about 1 (an untrained predictor's
// output is near 0, and eps has unit variance) and samples come out near the data's mean.
TEST(Denoiser, TrainingLowersTheLossAndSamplesLandOnTheData) {
  Rng data_rng(5, 0, 0, Stream::kReal);
  boost::random::normal_distribution<double> z;
  const auto points = [&](std::int64_t n) {
    std::vector<float> out;
    for (std::int64_t i = 0; i < n; ++i) {
      out.push_back(static_cast<float>(2.0 + 0.3 * z(data_rng)));
      out.push_back(static_cast<float>(-1.0 + 0.3 * z(data_rng)));
    }
    return out;
  };
  const auto train = points(2000), test = points(500);
  vision::DenoiserConfig c;
  c.dim = 2, c.width = 64, c.depth = 2, c.timesteps = 100;
  vision::FitConfig fc;
  fc.epochs = 60, fc.batch = 128, fc.lr = 3e-3;
  const auto [net, before, after] = trained(c, fc, train, test, 6);
  EXPECT_LT(after, 0.7 * before) << before << " -> " << after;
  EXPECT_EQ(net->loss(test, 3, 1), after) << "a fixed function of the network and the seed";
  std::vector<float> s;
  Rng srng(7, 0, 0, Stream::kSynthetic);
  net->sample(1000, 20, 1.0, srng, 1, s);
  ASSERT_EQ(s.size(), 2000u);
  double m0 = 0, m1 = 0;
  for (std::size_t i = 0; i < 1000; ++i) m0 += s[2 * i] / 1000.0, m1 += s[2 * i + 1] / 1000.0;
  EXPECT_NEAR(m0, 2.0, 0.3);
  EXPECT_NEAR(m1, -1.0, 0.3);
  // Save and load: the same samples for the same seed, and other samples for another.
  const auto loaded = vision::Denoiser::load(net->save());
  std::vector<float> a, b, other;
  Rng ra(8, 0, 0, Stream::kSynthetic), rb(8, 0, 0, Stream::kSynthetic), rc(9, 0, 0, Stream::kSynthetic);
  net->sample(10, 5, 1.0, ra, 1, a);
  loaded->sample(10, 5, 1.0, rb, 1, b);
  net->sample(10, 5, 1.0, rc, 1, other);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
  EXPECT_EQ(loaded->loss(test, 3, 1), after);
  EXPECT_THROW(vision::Denoiser::load("not a network"), UserError);
}

// The UNet (pixel space) on 8 x 8 images, each a left half at +0.6 and a right half at -0.6 (in the network's
// [-1, 1] units) plus noise of standard deviation 0.1: the held-out loss falls, and DDIM's images show the two halves.
// Saved and loaded, it gives the same images for the same seed. A version-1 file (the MLP, five integers) still loads.
TEST(Denoiser, TheUNetLearnsImagesAndRoundTrips) {
  Rng data_rng(15, 0, 0, Stream::kReal);
  boost::random::normal_distribution<double> z;
  const auto images = [&](std::int64_t n) {
    std::vector<float> out;
    for (std::int64_t i = 0; i < n; ++i)
      for (int r = 0; r < 8; ++r)
        for (int c = 0; c < 8; ++c) out.push_back(static_cast<float>((c < 4 ? 0.6 : -0.6) + 0.1 * z(data_rng)));
    return out;
  };
  const auto train = images(512), test = images(128);
  vision::DenoiserConfig c;
  c.rows = 8, c.cols = 8, c.dim = 64, c.channels = 8, c.timesteps = 100;
  vision::FitConfig fc;
  fc.epochs = 15, fc.batch = 32, fc.lr = 3e-3;
  const auto [net, before, after] = trained(c, fc, train, test, 16);
  EXPECT_LT(after, 0.5 * before) << before << " -> " << after;
  std::vector<float> s;
  Rng srng(17, 0, 0, Stream::kSynthetic);
  net->sample(200, 20, 1.0, srng, 1, s);
  ASSERT_EQ(s.size(), 200u * 64);
  double left = 0, right = 0;
  for (std::size_t k = 0; k < s.size(); ++k) ((k % 8) < 4 ? left : right) += s[k] / (s.size() / 2.0);
  EXPECT_NEAR(left, 0.6, 0.15);
  EXPECT_NEAR(right, -0.6, 0.15);
  const auto loaded = vision::Denoiser::load(net->save());
  EXPECT_TRUE(loaded->config().unet());
  EXPECT_EQ(loaded->parameters(), net->parameters());
  std::vector<float> a, b;
  Rng ra(18, 0, 0, Stream::kSynthetic), rb(18, 0, 0, Stream::kSynthetic);
  net->sample(4, 5, 1.0, ra, 1, a);
  loaded->sample(4, 5, 1.0, rb, 1, b);
  EXPECT_EQ(a, b);

  vision::DenoiserConfig mlp;
  mlp.dim = 3, mlp.width = 8, mlp.depth = 1, mlp.timesteps = 20;
  Rng mlp_rng(19, 0, 1, Stream::kFit);
  const auto v2 = vision::Denoiser::create(mlp, mlp_rng)->save();
  std::string v1 = v2.substr(0, 8 + 5 * sizeof(std::int64_t)) + v2.substr(8 + 8 * sizeof(std::int64_t));
  v1[7] = '1';
  const auto old = vision::Denoiser::load(v1);
  EXPECT_FALSE(old->config().unet());
  EXPECT_EQ(old->save(), v2);
}

// Pixel space: the regimes run with their training-set sizes, each generation's test loss and FD are finite, and
// the manifest describes the space.
TEST(DiffusionFamily, PixelSpaceRunsEveryRegime) {
  const auto sim = make_simulator(truth(), kPixelModel);
  std::size_t fd = 0;
  while (sim->metrics()[fd].name != "fd") ++fd;
  testing::expect_training_set_sizes(
      *sim, {{"replace", {8, 8}}, {"accumulate", {8, 16}}, {"augment(ratio=0.5)", {8, 12}}}, 8, "train_images",
      [&](const std::string& regime, std::span<const double> out) {
        EXPECT_TRUE(std::isfinite(out[0])) << regime << " test_loss";
        EXPECT_TRUE(std::isfinite(out[fd])) << regime << " fd";
      });
  const auto d = sim->describe();
  EXPECT_EQ(d["space"], "pixel");
  EXPECT_FALSE(d.contains("latent_space"));
  EXPECT_GT(d["network"]["parameters"].get<std::int64_t>(), 0);
}

TEST(DiffusionFamily, RegimesSetTheTrainingSetSizePerGeneration) {
  const auto sim = make_simulator(truth(), kModel);
  testing::expect_training_set_sizes(*sim,
                                     {{"replace", {8, 8, 8}},
                                      {"accumulate", {8, 16, 24}},
                                      {"augment(ratio=0.5)", {8, 12, 12}},
                                      {"fresh_mix(real_fraction=0.5)", {8, 8, 8}}},
                                     8, "train_images", [](const std::string& regime, std::span<const double> out) {
                                       EXPECT_TRUE(std::isfinite(out[0])) << regime << " test_loss";
                                     });
  const auto d = sim->describe();
  EXPECT_EQ(d["latent_space"]["key"].get<std::string>().size(), 16u) << d["latent_space"];
}

TEST(DiffusionFamily, BadInputIsAUserError) {
  const auto expect_error = [](const std::string& t, const std::string& m, const std::string& needle) {
    const std::string error = testing::simulator_error(t, m);
    EXPECT_NE(error.find(needle), std::string::npos) << t << " / " << m << ": " << error;
  };
  expect_error(truth(), "diffusion(train_steps=10, sample_steps=11)", "sample_steps");
  expect_error(truth(), "diffusion(sample_steps=0)", "sample_steps");
  expect_error(truth(), "diffusion(temperature=0)", "temperature");
  expect_error(truth(", train_size=121"), "diffusion", "train_size");
  expect_error("diffusion(data=\"/nonexistent\")", "diffusion", "dataset-fashion-mnist");
  // Each space's own keys.
  expect_error(truth(), "diffusion(space=pixel, ae_steps=10)", "'ae_steps' does not apply");
  expect_error(truth(), "diffusion(space=pixel, width=10)", "'width' does not apply");
  expect_error(truth(), "diffusion(channels=8)", "'channels' does not apply");
  expect_error(truth(), "diffusion(space=voxel)", "space");
}

}  // namespace
}  // namespace ouro
