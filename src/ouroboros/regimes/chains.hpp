#pragma once
// The two generic kernels that run a family under a regime, one replicate at a time:
//   StatsChain<F>  : draws each batch's sufficient statistics directly (F::draw_stats), pools them with
//                    F::merge, subsamples pools with F::subsample_stats; cost per generation independent of n.
//   SampleChain<F> : the per-sample reference: draws every sample, pools sample vectors, subsamples by
//                    choosing indices without replacement, fits with F::fit_samples.
// Both follow regimes/regime.hpp exactly and use the same random streams per (replicate, generation).
#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "ouroboros/core/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/regimes/family_traits.hpp"

namespace ouro {

template <class F>
class ChainBase : public Chain {
 public:
  ChainBase(const F& family, const Regime& regime, const SampleSchedule& samples, std::uint64_t seed,
            std::uint64_t replicate)
      : f_(family), regime_(regime), samples_(samples), seed_(seed), replicate_(replicate) {}

  std::span<const std::uint32_t> newly_forgotten() const override { return forgotten_; }
  void want_metrics(MetricMask mask) override { wanted_ = std::move(mask); }
  const std::vector<double>& real_item_counts() const override { return real_counts_; }

 protected:
  Rng rng(std::int64_t generation, Stream stream) const {
    return Rng(seed_, replicate_, static_cast<std::uint64_t>(generation), stream);
  }
  // Number of synthetic draws from model k-1 and fresh real draws from the truth at generation k.
  std::pair<std::int64_t, std::int64_t> draws(std::int64_t k) const {
    const std::int64_t n = samples_.at(k);
    if (k == 1) return {n, 0};  // generation 1 is fitted on real data: "synthetic" draws come from model 0 = truth
    switch (regime_.kind) {
      case RegimeKind::kGrow: return {k * n, 0};
      case RegimeKind::kFreshMix: {
        const auto real = static_cast<std::int64_t>(std::llround(regime_.real_fraction * static_cast<double>(n)));
        return {n - real, real};
      }
      default: return {n, 0};
    }
  }
  bool pooled() const {
    return regime_.kind == RegimeKind::kAccumulate || regime_.kind == RegimeKind::kAccumulateSubsample;
  }
  const typename F::Model& source(std::int64_t k) const { return k == 1 ? f_.truth() : prev_; }
  void finish_step(std::int64_t k, std::span<double> metrics) {
    if constexpr (HasMaskedMetrics<F>) {
      f_.metrics(cur_, metrics, wanted_);
    } else {
      f_.metrics(cur_, metrics);
    }
    if constexpr (kHasItems<F>) {
      forgotten_.clear();
      f_.forgotten(source(k), cur_, forgotten_);
    }
    std::swap(prev_, cur_);
  }

  const F& f_;
  Regime regime_;
  const SampleSchedule& samples_;
  std::uint64_t seed_, replicate_;
  typename F::Model prev_, cur_;
  std::vector<std::uint32_t> forgotten_;
  std::vector<double> real_counts_;
  MetricMask wanted_;
};

template <class F>
class StatsChain final : public ChainBase<F> {
  using Base = ChainBase<F>;
  static_assert(!kHasItems<F> || HasItemCountsFromStats<F>,
                "a family with items and a statistics kernel must count its items from Stats (item_counts_stats)");

 public:
  using Base::Base;

  void step(std::int64_t k, std::span<double> metrics) override {
    const auto [synthetic, real] = this->draws(k);
    Rng rng_syn = this->rng(k, Stream::kSynthetic);
    this->f_.draw_stats(this->source(k), synthetic, rng_syn, batch_);
    if (real > 0) {
      Rng rng_real = this->rng(k, Stream::kReal);
      this->f_.draw_stats(this->f_.truth(), real, rng_real, extra_);
      this->f_.merge(batch_, extra_);
    }
    if constexpr (kHasItems<F>)
      if (k == 1) this->f_.item_counts_stats(batch_, this->real_counts_);
    const typename F::Stats* train = &batch_;
    if (this->pooled()) {
      if (k == 1)
        pool_ = batch_;
      else
        this->f_.merge(pool_, batch_);
      train = &pool_;
      if (this->regime_.kind == RegimeKind::kAccumulateSubsample) {
        if constexpr (kHasStatsSubsample<F>) {
          Rng rng_sub = this->rng(k, Stream::kSubsample);
          this->f_.subsample_stats(pool_, this->regime_.subsample_size, rng_sub, extra_);
          train = &extra_;
        }
      }
    }
    this->f_.fit_stats(*train, this->cur_);
    this->finish_step(k, metrics);
  }

 private:
  typename F::Stats batch_, extra_, pool_;
};

template <class F>
class SampleChain final : public ChainBase<F> {
  using Base = ChainBase<F>;

 public:
  using Base::Base;

  void step(std::int64_t k, std::span<double> metrics) override {
    const auto [synthetic, real] = this->draws(k);
    std::vector<typename F::Sample>& batch = this->pooled() ? pool_ : batch_;
    if (!this->pooled()) batch.clear();
    const std::size_t start = batch.size();
    Rng rng_syn = this->rng(k, Stream::kSynthetic);
    this->f_.sample(this->source(k), synthetic, rng_syn, batch);
    if (real > 0) {
      Rng rng_real = this->rng(k, Stream::kReal);
      this->f_.sample(this->f_.truth(), real, rng_real, batch);
    }
    if constexpr (kHasItems<F>)
      if (k == 1) this->f_.item_counts(std::span(batch).subspan(start), this->real_counts_);
    std::span<const typename F::Sample> train(batch);
    if (this->regime_.kind == RegimeKind::kAccumulateSubsample) {
      // Partial Fisher-Yates over indices: a uniform subset of the pool, drawn without replacement.
      Rng rng_sub = this->rng(k, Stream::kSubsample);
      const std::size_t size = static_cast<std::size_t>(this->regime_.subsample_size);
      index_.resize(pool_.size());
      std::iota(index_.begin(), index_.end(), std::size_t{0});
      subsample_.clear();
      for (std::size_t i = 0; i < size; ++i) {
        const std::size_t j = boost::random::uniform_int_distribution<std::size_t>(i, index_.size() - 1)(rng_sub);
        std::swap(index_[i], index_[j]);
        subsample_.push_back(pool_[index_[i]]);
      }
      train = subsample_;
    }
    this->f_.fit_samples(train, this->cur_);
    this->finish_step(k, metrics);
  }

 private:
  std::vector<typename F::Sample> batch_, pool_, subsample_;
  std::vector<std::size_t> index_;
};

}  // namespace ouro
