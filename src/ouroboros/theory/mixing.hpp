#pragma once
// The mean of a Gaussian with known variance sigma^2 under any regime that mixes the previous model, the real
// batch of generation 1 and fresh real data linearly [derived]. With D_k = M_k - mu_0 and E = D_1 (the mean of
// the real batch, Var sigma^2/n_1), every such regime is one step
//   D_k = c_prev D_{k-1} + c_real E + (noise independent of the past and of E, variance `noise`),
// so V_k = Var D_k and C_k = Cov(D_k, E) follow exactly:
//   V_k = c_prev^2 V_{k-1} + 2 c_prev c_real C_{k-1} + c_real^2 sigma^2/n_1 + noise,   C_k = c_prev C_{k-1} + c_real sigma^2/n_1,
// from V_1 = C_1 = sigma^2/n_1. E[(M_k - mu_0)^2] = V_k since E[M_k] = mu_0.
//
// He, Xu, Cheng (2025) weight fresh real data against synthetic data; with r real and s synthetic samples and a
// share alpha of the weight on the real ones, the step is c_prev = 1 - alpha, noise = alpha^2 sigma^2/r +
// (1-alpha)^2 sigma^2/s, and the chain settles at the stationary value
//   V* = (alpha^2/r + (1-alpha)^2/s) sigma^2 / (1 - (1-alpha)^2),
// which for r = s is smallest at alpha = (sqrt 5 - 1)/2, the golden-ratio optimum [derived: d/dalpha log V* = 0
// reduces to alpha^2 + alpha - 1 = 0].
#include <span>

namespace ouro::theory {

struct MeanMixStep {
  double c_prev = 1;  // weight of the previous model's mean
  double c_real = 0;  // weight of the real batch of generation 1
  double noise = 0;   // variance of the independent part
};

// steps[j] is generation j + 2's step; returns V_k for k = steps.size() + 1.
double mixed_mean_mse(double sigma_sq, double n1, std::span<const MeanMixStep> steps);

double weighted_mix_stationary(double sigma_sq, double alpha, double real, double synthetic);
double golden_weight();  // (sqrt 5 - 1)/2

}  // namespace ouro::theory
