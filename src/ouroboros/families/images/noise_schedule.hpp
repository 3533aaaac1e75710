#pragma once
// The forward process of a denoising diffusion model (Ho et al. 2020, "DDPM") and the deterministic DDIM sampler
// (Song et al. 2021), written once for any array type with scalar arithmetic (torch::Tensor in the torch module,
// Eigen matrices in the tests).
//
// Forward process   x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, eps ~ N(0, I), t = 1..T, abar_t = prod_{s<=t} (1 - beta_s).
// Schedules         linear: beta_t from 1e-4 to 0.02 over T = 1000 (Ho et al.), both ends scaled by 1000 / T for
//                   other T (as Nichol and Dhariwal's code does), so that abar_T is near 0 for every T (unscaled, T = 100
//                   would end at abar_T = 0.37, far from noise); cosine: abar_t = f(t) / f(0),
//                   f(t) = cos^2(((t / T) + s) / (1 + s) pi / 2), s = 0.008, beta_t capped at 0.999 (Nichol and
//                   Dhariwal 2021).
// Training          an eps-predictor eps_theta(x_t, t) fitted by the mean squared error to eps at t uniform on 1..T.
// DDIM (eta = 0)    on the timesteps tau_1 > ... > tau_S (S = `steps`, evenly spaced from T down to 1):
//                   x0_hat = (x - sqrt(1 - abar_tau) eps_theta(x, tau)) / sqrt(abar_tau),
//                   x <- sqrt(abar_next) x0_hat + sqrt(1 - abar_next) eps_theta(x, tau), abar_next = 1 after the last
//                   step, so the output is the last x0_hat. In pixel space x0_hat is clipped to [-1, 1] at every
//                   step (Ho et al.'s sampler for images; "clip_sample" in common DDIM code).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace ouro::diffusion {

struct NoiseSchedule {
  std::vector<double> alpha_bar;  // index t = 0..T, alpha_bar[0] = 1
  std::int64_t steps() const { return static_cast<std::int64_t>(alpha_bar.size()) - 1; }

  static NoiseSchedule linear(std::int64_t T) {
    const double scale = 1000.0 / static_cast<double>(T);
    const double beta_first = std::min(0.999, 1e-4 * scale), beta_last = std::min(0.999, 0.02 * scale);
    NoiseSchedule s;
    s.alpha_bar.assign(1, 1.0);
    for (std::int64_t t = 1; t <= T; ++t) {
      const double beta = T == 1 ? beta_first
                                 : beta_first + (beta_last - beta_first) * static_cast<double>(t - 1) /
                                                    static_cast<double>(T - 1);
      s.alpha_bar.push_back(s.alpha_bar.back() * (1 - beta));
    }
    return s;
  }
  static NoiseSchedule cosine(std::int64_t T, double offset = 0.008) {
    const auto f = [&](double t) {
      const double c = std::cos((t / static_cast<double>(T) + offset) / (1 + offset) * std::numbers::pi / 2);
      return c * c;
    };
    NoiseSchedule s;
    s.alpha_bar.assign(1, 1.0);
    for (std::int64_t t = 1; t <= T; ++t) {
      const double beta = std::min(0.999, 1 - f(static_cast<double>(t)) / f(static_cast<double>(t - 1)));
      s.alpha_bar.push_back(s.alpha_bar.back() * (1 - beta));
    }
    return s;
  }
};

// S timesteps evenly spaced from T down to 1 (tau_i = round(1 + (T - 1) (S - i) / (S - 1)), i = 1..S; T alone
// when S = 1).
inline std::vector<std::int64_t> ddim_timesteps(std::int64_t T, std::int64_t S) {
  if (S < 1 || S > T) throw std::invalid_argument("ddim_timesteps: need 1 <= steps <= T");
  std::vector<std::int64_t> tau;
  for (std::int64_t i = 0; i < S; ++i)
    tau.push_back(S == 1 ? T
                         : static_cast<std::int64_t>(std::llround(
                               static_cast<double>(T) - static_cast<double>(T - 1) * static_cast<double>(i) /
                                                            static_cast<double>(S - 1))));
  return tau;
}

struct Unchanged {
  template <class X>
  X operator()(X x0) const { return x0; }
};

// DDIM from x = x_T; eps(x, t) is the noise prediction at timestep t. `denoised` maps each step's x0_hat before it is
// used (pixel space clips it to the data's range, as Ho et al.'s sampler does for images).
template <class X, class Eps, class Denoised = Unchanged>
X ddim_sample(X x, const NoiseSchedule& schedule, std::int64_t steps, const Eps& eps, const Denoised& denoised = {}) {
  const auto tau = ddim_timesteps(schedule.steps(), steps);
  for (std::size_t i = 0; i < tau.size(); ++i) {
    const double a = schedule.alpha_bar[static_cast<std::size_t>(tau[i])];
    const double next = i + 1 < tau.size() ? schedule.alpha_bar[static_cast<std::size_t>(tau[i + 1])] : 1.0;
    const X e = eps(x, tau[i]);
    const X x0 = denoised(X((x - std::sqrt(1 - a) * e) / std::sqrt(a)));
    x = std::sqrt(next) * x0 + std::sqrt(1 - next) * e;
  }
  return x;
}

}  // namespace ouro::diffusion
