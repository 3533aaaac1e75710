// Driver of the BTRD lane probe (simd_btrd.cpp, which says how to build it): 2^16 independent draws with
// trials in (5e4, 1e5] and the given mean (+-20%), 20 times over; prints ns per draw for lanes that wait for
// each other, lanes refilled as they accept, and the scalar binomial_btrd, with z-score moments as a check.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>
#include <random>
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/core/binomial.hpp"
std::size_t btrd_simd(const double* trials, const double* p, double* out, std::size_t count, const double* u);
std::size_t btrd_simd_refill(const double* trials, const double* p, double* out, std::size_t count, const double* u);
int main(int argc, char** argv) {
  const double mean = argc > 1 ? atof(argv[1]) : 300;
  const std::size_t N = 1 << 16;
  std::vector<double> t(N), p(N), out(N);
  std::vector<std::int64_t> ti(N), outs(N);
  std::mt19937_64 g(1);
  for (std::size_t i = 0; i < N; ++i) { ti[i] = 100000 - (g() % 50000); t[i] = ti[i]; p[i] = mean * (0.8 + 0.4 * (g() % 1000) / 1000.0) / t[i]; }
  ouro::Rng rng(1, 0, 0, ouro::Stream::kSynthetic);
  std::vector<double> u(N * 12);
  for (auto& x : u) x = rng.uniform();
  const int reps = 20;
  // SIMD
  auto t0 = std::chrono::steady_clock::now();
  std::size_t used = 0;
  for (int r = 0; r < reps; ++r) used += btrd_simd(t.data(), p.data(), out.data(), N, u.data());
  auto t1 = std::chrono::steady_clock::now();
  double simd = std::chrono::duration<double, std::nano>(t1 - t0).count() / (reps * N);
  std::vector<double> out2(N + 1);
  t0 = std::chrono::steady_clock::now();
  std::size_t used2 = 0;
  for (int r = 0; r < reps; ++r) used2 += btrd_simd_refill(t.data(), p.data(), out2.data(), N, u.data());
  t1 = std::chrono::steady_clock::now();
  double refill = std::chrono::duration<double, std::nano>(t1 - t0).count() / (reps * N);
  double z1 = 0, z2 = 0;
  for (std::size_t i = 0; i < N; ++i) { double e = t[i] * p[i], v = e * (1 - p[i]); double z = (out2[i] - e) / std::sqrt(v); z1 += z; z2 += z * z; }
  printf("refill: %.2f ns/draw (%.2f uniforms per draw), z mean %.4f var %.4f\n", refill, double(used2) / (reps * N), z1 / N, z2 / N);
  // scalar BTRD, independent draws
  t0 = std::chrono::steady_clock::now();
  std::int64_t sum = 0;
  for (int r = 0; r < reps; ++r) for (std::size_t i = 0; i < N; ++i) sum += ouro::binomial_detail::binomial_btrd(rng, ti[i], p[i]);
  t1 = std::chrono::steady_clock::now();
  double scal = std::chrono::duration<double, std::nano>(t1 - t0).count() / (reps * N);
  // check mean and var of simd vs expected
  double m1 = 0, m2 = 0;
  for (std::size_t i = 0; i < N; ++i) { double e = t[i] * p[i], v = e * (1 - p[i]); double z = (out[i] - e) / std::sqrt(v); m1 += z; m2 += z * z; }
  printf("mean %.0f: simd %.2f ns/draw (uniforms from a buffer, %.2f per draw), scalar BTRD %.2f ns/draw (Philox inside); z mean %.4f z var %.4f (sum %ld)\n", mean, simd, double(used) / (reps * N), scal, m1 / N, m2 / N, (long)sum);
}
