#pragma once
// Addressable randomness: Philox4x64-10 (Random123) keyed by (seed, replicate), with the counter holding
// (generation, stream, block). Any (seed, replicate, generation, stream) names its own independent stream,
// so a replicate can be recomputed alone and results do not depend on thread count or scheduling.
//
// Rng satisfies UniformRandomBitGenerator (64-bit), so Boost.Random distributions accept it; their code is
// header-only and identical on every platform, unlike std:: distributions.
#include <Random123/philox.h>

#include <cstdint>
#include <limits>

namespace ouro {

// Stream identifiers: each use of randomness within one generation has its own stream.
enum class Stream : std::uint64_t {
  kSynthetic = 0,  // samples drawn from the previous generation's model
  kReal = 1,       // fresh samples from the truth (fresh_mix)
  kSubsample = 2,  // subsampling of a pool
  kTruth = 3,      // randomness in building the truth itself
  kFit = 4,        // randomness inside a fit (initialisation, minibatches): FitContext::rng
};

class Rng {
 public:
  using result_type = std::uint64_t;

  Rng(std::uint64_t seed, std::uint64_t replicate, std::uint64_t generation, Stream stream)
      : key_{{seed, replicate}}, ctr_{{generation, static_cast<std::uint64_t>(stream), 0, 0}} {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    if (used_ == 4) refill();
    return out_.v[used_++];
  }

  // Uniform on the open interval (0, 1) on a grid of 2^52 midpoints: exact in a double, so never 0 and never 1
  // (with 53 bits, (2^53 - 1) + 0.5 would round up to 2^53 and give exactly 1).
  double uniform() { return (static_cast<double>((*this)() >> 12) + 0.5) * 0x1.0p-52; }

  // How many 64-bit numbers this stream has handed out (each uniform() takes one).
  std::uint64_t consumed() const { return ctr_.v[2] * 4 - (4 - used_); }

 private:
  void refill() {
    out_ = philox_(ctr_, key_);
    ++ctr_.v[2];
    used_ = 0;
  }

  r123::Philox4x64 philox_;
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type ctr_;
  r123::Philox4x64::ctr_type out_{};
  unsigned used_ = 4;
};

}  // namespace ouro
