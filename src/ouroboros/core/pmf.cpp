// Loader's saddle-point pmfs; see pmf.hpp.
#include "ouroboros/core/pmf.hpp"

#include <array>
#include <cassert>
#include <cmath>
#include <numbers>

namespace ouro::pmf {

namespace {

// Below 30 the truncated series below is not accurate to a double, so the error term comes from log(n!)
// summed in long double: log(29!) < 72, so the difference is within about 1e-17.
constexpr std::int64_t kTable = 30;
const std::array<double, kTable>& stirling_table() {
  static const std::array<double, kTable> table = [] {
    std::array<double, kTable> t{};
    long double log_factorial = 0;
    for (std::int64_t n = 1; n < kTable; ++n) {
      const long double ld = static_cast<long double>(n);
      log_factorial += std::log(ld);
      t[n] = static_cast<double>(log_factorial - (0.5L * std::log(2 * std::numbers::pi_v<long double> * ld) +
                                                  ld * std::log(ld) - ld));
    }
    return t;
  }();
  return table;
}

}  // namespace

double stirling_error(std::int64_t n) {
  assert(n >= 1);
  if (n < kTable) return stirling_table()[n];
  // 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9): the next term, 691/(360360 n^11), is below
  // 4e-17 of the sum at n = 30.
  const double r = 1.0 / static_cast<double>(n), r2 = r * r;
  return (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 * (1.0 / 1188))))) * r;
}

double deviance(double x, double np) {
  assert(x >= 0 && np > 0);
  if (x == 0) return np;
  const double d = x - np;
  if (std::abs(d) < 0.1 * (x + np)) {
    // With v = d / (x + np), the deviance is 2 x (v^3/3 + v^5/5 + ...) + d v; |v| < 0.1, so each term is
    // below a hundredth of the one before.
    static constexpr double kOdd[] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
                                      1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25};
    const double v = d / (x + np), v2 = v * v;
    double sum = d * v, term = 2.0 * x * v;
    for (const double odd : kOdd) {  // 0.01^12 = 1e-24: the loop always ends on the break
      term *= v2;
      const double next = sum + term * odd;
      if (next == sum) break;
      sum = next;
    }
    return sum;
  }
  return x * std::log(x / np) + np - x;
}

namespace {

// b(x; n, p) = exp(log_core) * sqrt(scale): Loader's form with the exponent and the square root apart, so that
// a product or quotient of several pmfs takes one exp and one square root.
struct BinomialParts {
  double log_core, scale;
};

BinomialParts binomial_parts(std::int64_t x, std::int64_t n, double p, double q) {
  assert(0 <= x && x <= n && p >= 0 && q >= 0);
  const double nd = static_cast<double>(n);
  if (x == 0) return {n == 0 ? 0.0 : p < 0.1 ? -deviance(nd, nd * q) - nd * p : nd * std::log(q), 1.0};
  if (x == n) return {q < 0.1 ? -deviance(nd, nd * p) - nd * q : nd * std::log(p), 1.0};
  const double xd = static_cast<double>(x), yd = nd - xd;
  return {stirling_error(n) - stirling_error(x) - stirling_error(n - x) - deviance(xd, nd * p) -
              deviance(yd, nd * q),
          nd / (2 * std::numbers::pi * xd * yd)};
}

}  // namespace

double binomial(std::int64_t x, std::int64_t n, double p, double q) {
  const BinomialParts b = binomial_parts(x, n, p, q);
  return std::exp(b.log_core) * std::sqrt(b.scale);
}

double hypergeometric(std::int64_t x, std::int64_t population, std::int64_t marked, std::int64_t draws) {
  assert(0 <= marked && marked <= population && 0 <= draws && draws <= population);
  assert(x >= 0 && x <= marked && draws - x <= population - marked);
  if (draws == 0 || draws == population) return 1.0;
  // C(K, x) C(N - K, n - x) / C(N, n) = b(x; K, p) b(n - x; N - K, p) / b(n; N, p) with p = n / N: each factor
  // is near its mode when x is near the mean, so none underflows there.
  const double p = static_cast<double>(draws) / static_cast<double>(population);
  const double q = static_cast<double>(population - draws) / static_cast<double>(population);
  const BinomialParts a = binomial_parts(x, marked, p, q), b = binomial_parts(draws - x, population - marked, p, q);
  // b(n; N, n / N): its deviances vanish, since n = N p exactly (0 < n < N here).
  const double nd = static_cast<double>(draws), rest = static_cast<double>(population - draws);
  const BinomialParts c{stirling_error(population) - stirling_error(draws) - stirling_error(population - draws),
                        static_cast<double>(population) / (2 * std::numbers::pi * nd * rest)};
  return std::exp(a.log_core + b.log_core - c.log_core) * std::sqrt(a.scale * b.scale / c.scale);
}

}  // namespace ouro::pmf
