#pragma once
// Addressable randomness: Philox4x64-10 (Random123) keyed by (seed, replicate), with the counter holding
// (generation, stream, block). Any (seed, replicate, generation, stream) names its own independent stream,
// so a replicate can be recomputed alone and results do not depend on thread count or scheduling.
//
// Rng satisfies UniformRandomBitGenerator (64-bit), so Boost.Random distributions accept it; their code is
// header-only and identical on every platform, unlike std:: distributions.
#include <Random123/philox.h>

#include <cassert>
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

  // A new independent stream derived from this one: the same (seed, replicate, generation, stream), with the
  // counter's last word, 0 in a stream made by the constructor, set to the number of substreams this Rng has
  // made so far (from 1). Deterministic in the order of the calls; draw_multinomial gives one to each of its
  // SIMD lanes. A substream must not make substreams of its own (they would collide with its siblings).
  Rng substream() {
    assert(ctr_.v[3] == 0);
    Rng r = *this;
    r.ctr_.v[2] = 0;
    r.ctr_.v[3] = ++substreams_;
    r.used_ = 4;
    r.substreams_ = 0;
    return r;
  }

  // Uniform on the open interval (0, 1) on a grid of 2^52 midpoints: exact in a double, so never 0 and never 1
  // (with 53 bits, (2^53 - 1) + 0.5 would round up to 2^53 and give exactly 1).
  double uniform() { return (static_cast<double>((*this)() >> 12) + 0.5) * 0x1.0p-52; }

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
  std::uint64_t substreams_ = 0;
};

}  // namespace ouro
