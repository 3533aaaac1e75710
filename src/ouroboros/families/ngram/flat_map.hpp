#pragma once
// An open-addressing hash map from 64-bit keys to 32-bit values (linear probing, power-of-two capacity, load
// factor <= 1/2). Hand-written because Debian 12's Boost (1.74) predates boost::unordered_flat_map, and
// std::unordered_map allocates one node per entry: the n-gram trie does one lookup per token and order.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace ouro {

class FlatMap64 {
 public:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // never a key: node ids stay below 2^32 - 1
  static constexpr std::uint32_t kMissing = ~std::uint32_t{0};

  void clear() {
    std::fill(keys_.begin(), keys_.end(), kEmpty);
    size_ = 0;
  }
  std::size_t size() const { return size_; }

  std::uint32_t find(std::uint64_t key) const {
    if (keys_.empty()) return kMissing;
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] == kEmpty) return kMissing;
    }
  }

  // The value stored under `key`, inserting `value` first when absent.
  std::uint32_t find_or_insert(std::uint64_t key, std::uint32_t value) {
    if (2 * (size_ + 1) > keys_.size()) grow();
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] == kEmpty) {
        keys_[i] = key;
        values_[i] = value;
        ++size_;
        return value;
      }
    }
  }

 private:
  std::size_t slot(std::uint64_t key) const {
    // Fibonacci hashing on a murmur-style finaliser: keys are (node << 32 | token), both small integers.
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<std::size_t>(key) & mask_;
  }
  void grow() {
    std::vector<std::uint64_t> old_keys = std::move(keys_);
    std::vector<std::uint32_t> old_values = std::move(values_);
    const std::size_t capacity = old_keys.empty() ? 1024 : 2 * old_keys.size();
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, 0);
    mask_ = capacity - 1;
    size_ = 0;
    for (std::size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i] != kEmpty) find_or_insert(old_keys[i], old_values[i]);
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> values_;
  std::size_t mask_ = 0, size_ = 0;
};

}  // namespace ouro
