#include "ouroboros/families/gaussian/gaussian_optimized.hpp"

#include <nlopt.h>

#include <cmath>
#include <memory>

namespace ouro {

namespace {
struct Data {
  double n, mean, m2;
};

double negative_log_likelihood(unsigned, const double* x, double*, void* p) {
  const auto& d = *static_cast<const Data*>(p);
  const double mu = x[0], u = x[1];
  const double dev = d.mean - mu;
  return d.n * u + (d.m2 + d.n * dev * dev) * 0.5 * std::exp(-2.0 * u);
}
}  // namespace

GaussianFit optimize_gaussian_mle(std::int64_t n, double mean, double m2) {
  Data data{static_cast<double>(n), mean, m2};
  const std::unique_ptr<nlopt_opt_s, decltype(&nlopt_destroy)> opt(nlopt_create(NLOPT_LN_NELDERMEAD, 2),
                                                                    nlopt_destroy);
  nlopt_set_min_objective(opt.get(), negative_log_likelihood, &data);
  nlopt_set_xtol_rel(opt.get(), 1e-10);
  nlopt_set_ftol_rel(opt.get(), 1e-14);
  nlopt_set_maxeval(opt.get(), 10000);
  const double step[2] = {1.0, 1.0};
  nlopt_set_initial_step(opt.get(), step);
  double x[2] = {0.0, 0.0};
  double value = 0;
  const nlopt_result result = nlopt_optimize(opt.get(), x, &value);
  GaussianFit fit;
  fit.mean = x[0];
  fit.sd = std::exp(x[1]);
  fit.converged = result == NLOPT_SUCCESS || result == NLOPT_FTOL_REACHED || result == NLOPT_XTOL_REACHED;
  return fit;
}

}  // namespace ouro
