// BTRD's rejection steps (2 and 3) and Stirling corrections; the algorithm and its sources are described in
// binomial.hpp.
#include "ouroboros/core/binomial.hpp"

#include <cmath>

namespace ouro::binomial_detail {

namespace {
constexpr double kStirlingTable[10] = {0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
                                       0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
                                       0.01189670994589177, 0.01041126526197209, 0.009255462182712733,
                                       0.008330563433362871};
}  // namespace

double stirling_correction(std::int64_t k) {
  if (k < 10) return kStirlingTable[k];
  const double ik = 1.0 / static_cast<double>(k + 1);
  const double ik2 = ik * ik;
  return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260) * ik2) * ik2) * ik;
}

std::int64_t btrd_rejection_step(Rng& rng, const BtrdParams& bp, double v) {
  // Step 2: a point (u, v) of the rest of the region.
  const double v2 = rng.uniform();
  double u;
  if (v >= bp.v_r) {
    u = v2 - 0.5;
  } else {
    u = v / bp.v_r - 0.93;
    u = (u < 0.0 ? -0.5 : 0.5) - u;
    v = v2 * bp.v_r;
  }
  // Step 3: k, and v scaled by alpha / (a / us^2 + b) = alpha us^2 / (a + b us^2), kept as v_num / v_den.
  const double us = 0.5 - std::abs(u);
  const double xk = (2.0 * bp.a / us + bp.b) * u + bp.c;
  if (!(xk >= 0.0 && xk < bp.n + 1.0)) return -1;  // k < 0 or k > trials
  const auto k = static_cast<std::int64_t>(xk);
  const std::int64_t m = bp.m;
  const double us2 = us * us;
  const double v_num = v * bp.alpha * us2, v_den = bp.a + bp.b * us2;
  const std::int64_t km = k > m ? k - m : m - k;
  if (km <= 15) {
    // Step 3.1: f(k) / f(m) = prod_{i = lo + 1}^{hi} r (n + 1 - i) / i with lo = min(k, m), hi = max(k, m):
    // the paper's recursion, as a ratio of two products (prefix products, read at |k - m|, so no loop
    // with a data-dependent trip count) and without the division at each step.
    const double lo = static_cast<double>(k < m ? k : m);
    double num[16], den[16];
    num[0] = den[0] = 1.0;
    for (int j = 1; j <= 15; ++j) {
      const double i = lo + j;
      num[j] = num[j - 1] * (bp.r * (bp.n + 1.0 - i));
      den[j] = den[j - 1] * i;
    }
    // Accept iff v' <= f(k) / f(m), with v' = v_num / v_den.
    const bool accept = k >= m ? v_num * den[km] <= num[km] * v_den : v_num * num[km] <= den[km] * v_den;
    return accept ? k : -1;
  }
  // Step 3.2: squeeze, with bounds on log(f(k) / f(m)).
  const double lv = std::log(v_num / v_den);
  const BtrdSqueeze sq = btrd_squeeze(bp, km);
  if (lv < sq.lower) return k;
  if (lv > sq.upper) return -1;
  // Step 3.3: final acceptance.
  return lv <= btrd_log_ratio(bp, k) ? k : -1;
}

BtrdSqueeze btrd_squeeze(const BtrdParams& bp, std::int64_t km) {
  const double kmd = static_cast<double>(km);
  const double rho = (kmd / bp.npq) * (((kmd / 3.0 + 0.625) * kmd + 1.0 / 6) / bp.npq + 0.5);
  const double t = -kmd * kmd / (2.0 * bp.npq);
  return {t - rho, t + rho};
}

double btrd_log_ratio(const BtrdParams& bp, std::int64_t k) {
  // The paper's (n + 1) log(nm / nk) is evaluated as (n + 1) log1p((k - m) / nk): the same number, without
  // the cancellation in nm / nk when n is large.
  const std::int64_t trials = bp.trials, m = bp.m;
  const double nm = static_cast<double>(trials - m + 1);
  const double md = static_cast<double>(m), kd = static_cast<double>(k);
  const double h = (md + 0.5) * std::log((md + 1.0) / (bp.r * nm)) + stirling_correction(m) +
                   stirling_correction(trials - m);
  const double nk = static_cast<double>(trials - k + 1);
  return h + (bp.n + 1.0) * std::log1p(static_cast<double>(k - m) / nk) +
         (kd + 0.5) * std::log(nk * bp.r / (kd + 1.0)) - stirling_correction(k) -
         stirling_correction(trials - k);
}

}  // namespace ouro::binomial_detail
