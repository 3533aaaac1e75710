#pragma once
// n draws from a finite real data set of N items, as the text families sample their truth: floor(n / N) copies of
// the whole set plus n mod N items drawn without replacement (a partial Fisher-Yates). So n = N is exactly the
// real set, and fresh_mix draws fresh real items.
#include <boost/random/uniform_int_distribution.hpp>
#include <cstdint>
#include <numeric>
#include <vector>

#include "ouroboros/core/rng.hpp"

namespace ouro {

// The first `size` entries of a uniformly shuffled 0..population-1 (a partial Fisher-Yates): the subsets of a real
// data set a family keeps (kernel_ridge's pool and test images, vae's).
inline std::vector<std::size_t> choose_subset(std::size_t population, std::size_t size, Rng rng) {
  std::vector<std::size_t> index(population);
  std::iota(index.begin(), index.end(), std::size_t{0});
  for (std::size_t i = 0; i < size; ++i)
    std::swap(index[i], index[boost::random::uniform_int_distribution<std::size_t>(i, population - 1)(rng)]);
  index.resize(size);
  return index;
}

template <class T>
void draw_real(const std::vector<T>& real, std::int64_t n, Rng& rng, std::vector<T>& out) {
  const auto size = static_cast<std::int64_t>(real.size());
  for (std::int64_t c = 0; c < n / size; ++c) out.insert(out.end(), real.begin(), real.end());
  const auto rest = static_cast<std::size_t>(n % size);
  std::vector<std::size_t> index(real.size());
  std::iota(index.begin(), index.end(), std::size_t{0});
  for (std::size_t i = 0; i < rest; ++i) {
    std::swap(index[i], index[boost::random::uniform_int_distribution<std::size_t>(i, index.size() - 1)(rng)]);
    out.push_back(real[index[i]]);
  }
}

}  // namespace ouro
