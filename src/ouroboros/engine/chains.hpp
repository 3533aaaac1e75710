#pragma once
// The two generic kernels that run a family under a regime, one replicate at a time:
//   StatsChain<F>  : draws each batch's sufficient statistics directly (F::draw_stats), pools them with
//                    F::merge, subsamples pools with F::subsample_stats; cost per generation independent of n.
//   SampleChain<F> : the per-sample reference: draws every sample, pools sample vectors, subsamples by
//                    choosing indices without replacement, fits with F::fit_samples.
// Both follow regimes/regime.hpp exactly and use the same random streams per (replicate, generation).
// Generation 1's real batch is the same in every regime of a replicate, whichever kernel runs it: for a family
// whose statistics kernel cannot serve every regime (no subsample_stats, so accumulate_subsample and keep_real
// fall back to samples), the statistics kernel draws the real batch as samples, from the same stream as the
// sample kernel, and summarises it with F::stats_of. O(n_1) once per replicate.
#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/engine/family_traits.hpp"

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
  void set_fit_hooks(const CancelToken* cancel, const FitProgress* progress) override {
    cancel_ = cancel ? cancel : &kNever;
    progress_ = progress;
  }
  bool checkpointable() const override { return kCheckpointable<F>; }
  void save_model(ArchiveWriter& out) const override {
    if constexpr (kCheckpointable<F>) out(prev_);  // finish_step has swapped the new model into prev_
    else Chain::save_model(out);
  }

 protected:
  // Generation k's draws: from model k-1 (generation 1: from the truth, the real batch), fresh from the truth,
  // and kept from the real batch.
  struct Draws {
    std::int64_t synthetic = 0, fresh_real = 0, kept_real = 0;
  };

  Rng rng(std::int64_t generation, Stream stream) const {
    return Rng(seed_, replicate_, static_cast<std::uint64_t>(generation), stream);
  }
  Draws draws(std::int64_t k) const {
    const std::int64_t n = samples_.at(k);
    if (k == 1) return {n, 0, 0};  // generation 1 is fitted on real data: "synthetic" draws come from model 0 = truth
    const auto share = [&](double x) { return static_cast<std::int64_t>(std::llround(x * static_cast<double>(n))); };
    switch (regime_.kind) {
      case RegimeKind::kGrow: return {k * n, 0, 0};
      case RegimeKind::kFreshMix:
      case RegimeKind::kFreshMixWeighted:
        return {n - share(regime_.real_fraction), share(regime_.real_fraction), 0};
      case RegimeKind::kKeepReal: return {n - share(regime_.real_fraction), 0, share(regime_.real_fraction)};
      case RegimeKind::kAccumulateRatio:
      case RegimeKind::kAugment: return {share(regime_.ratio), 0, 0};
      default: return {n, 0, 0};
    }
  }
  bool pooled() const { return regime_.pooled(); }
  // Regimes that reuse the real batch after generation 1.
  bool keeps_real() const { return regime_.kind == RegimeKind::kAugment || regime_.kind == RegimeKind::kKeepReal; }
  // fresh_mix(real_weight=w) with both kinds of sample present.
  bool weighs(const Draws& d) const { return regime_.weighted() && d.synthetic > 0 && d.fresh_real > 0; }
  const typename F::Model& source(std::int64_t k) const { return k == 1 ? f_.truth() : prev_; }
  // Fits model k on `train` (a sample span or statistics), with a FitContext where the family takes one.
  template <class Train>
  void fit(const Train& train, std::int64_t k) {
    constexpr bool kSamples = std::is_convertible_v<const Train&, std::span<const typename F::Sample>>;
    constexpr bool kContext = [] {
      if constexpr (kSamples) return HasSampleFitContext<F>;
      else return HasStatsFitContext<F>;
    }();
    if constexpr (kContext) {
      Rng r = rng(k, Stream::kFit);
      const FitContext<typename F::Model> ctx{r, source(k), k, replicate_, *cancel_, progress_};
      if constexpr (kSamples)
        f_.fit_samples(std::span<const typename F::Sample>(train), ctx, cur_);
      else
        f_.fit_stats(train, ctx, cur_);
    } else if constexpr (kSamples) {
      f_.fit_samples(std::span<const typename F::Sample>(train), cur_);
    } else {
      f_.fit_stats(train, cur_);
    }
  }
  // A fixed point (the family's is_fixed_point) under a regime whose generation-k data come from model k-1 alone
  // (replace, grow): model k is model k-1 bit for bit, so the step draws and fits nothing and reports the same
  // metrics. Nothing else changes: every generation's random streams are addressed by (seed, replicate, generation),
  // so skipping one generation's draws moves no other number. prev_ stays the current model.
  bool skip_fixed_point(std::int64_t k, std::span<double> metrics) {
    if constexpr (HasFixedPoint<F>) {
      if (k > 1 && (regime_.kind == RegimeKind::kReplace || regime_.kind == RegimeKind::kGrow) &&
          f_.is_fixed_point(prev_)) {
        metrics_of(prev_, metrics);
        forgotten_.clear();
        return true;
      }
    }
    return false;
  }
  void metrics_of(const typename F::Model& m, std::span<double> metrics) const {
    if constexpr (HasMaskedMetrics<F>) {
      f_.metrics(m, metrics, wanted_);
    } else {
      f_.metrics(m, metrics);
    }
  }
  // The state every kernel keeps between generations (both models: a family's fit may reuse its output's buffers).
  template <class A>
  void archive_base(A& a) {
    a(prev_, cur_, real_counts_);
  }
  void finish_step(std::int64_t k, std::span<double> metrics) {
    metrics_of(cur_, metrics);
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
  static inline const CancelToken kNever{};
  const CancelToken* cancel_ = &kNever;
  const FitProgress* progress_ = nullptr;
};

// A family whose statistics kernel falls back to samples for some regime draws its real batch as samples.
template <class F>
inline constexpr bool kRealBatchAsSamples = !kHasStatsSubsample<F>;

template <class F>
class StatsChain final : public ChainBase<F> {
  using Base = ChainBase<F>;
  static_assert(!kHasItems<F> || HasItemCountsFromStats<F>,
                "a family with items and a statistics kernel must count its items from Stats (item_counts_stats)");
  static_assert(kHasStatsSubsample<F> || HasStatsOf<F>,
                "a family with a statistics kernel but no subsample_stats must summarise samples (stats_of), so "
                "that regimes run on the sample kernel share generation 1's real batch");

 public:
  using Base::Base;

  void step(std::int64_t k, std::span<double> metrics) override {
    if (this->skip_fixed_point(k, metrics)) return;
    const auto d = this->draws(k);
    Rng rng_syn = this->rng(k, Stream::kSynthetic);
    if (k == 1 && kRealBatchAsSamples<F>) {
      if constexpr (HasStatsOf<F>) {
        samples_.clear();
        this->f_.sample(this->f_.truth(), d.synthetic, rng_syn, samples_);
        this->f_.stats_of(samples_, batch_);
        std::vector<typename F::Sample>().swap(samples_);  // needed once: do not hold it for the whole run
      }
    } else {
      this->f_.draw_stats(this->source(k), d.synthetic, rng_syn, batch_);
    }
    if (k == 1 && this->keeps_real()) real_ = batch_;
    if (d.fresh_real > 0) {
      Rng rng_real = this->rng(k, Stream::kReal);
      this->f_.draw_stats(this->f_.truth(), d.fresh_real, rng_real, extra_);
      if (this->weighs(d)) {
        if constexpr (HasWeightedFit<F>) {
          this->f_.fit_weighted(extra_, batch_, this->regime_.real_weight, this->cur_);
          this->finish_step(k, metrics);
          return;
        }
      }
      this->f_.merge(batch_, extra_);
    }
    if (k > 1 && this->regime_.kind == RegimeKind::kAugment) this->f_.merge(batch_, real_);
    if (k > 1 && d.kept_real > 0) {
      if constexpr (kHasStatsSubsample<F>) {
        Rng rng_sub = this->rng(k, Stream::kSubsample);
        this->f_.subsample_stats(real_, d.kept_real, rng_sub, extra_);
        this->f_.merge(batch_, extra_);
      }
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
      if (this->regime_.kind == RegimeKind::kAccumulateSubsample && k > 1) {
        if constexpr (kHasStatsSubsample<F>) {
          Rng rng_sub = this->rng(k, Stream::kSubsample);
          this->f_.subsample_stats(pool_, this->regime_.subsample_size, rng_sub, extra_);
          train = &extra_;
        }
      }
    }
    this->fit(*train, k);
    this->finish_step(k, metrics);
  }

  void save(ArchiveWriter& out) const override {
    if constexpr (kCheckpointable<F>) const_cast<StatsChain*>(this)->archive(out);
    else Chain::save(out);
  }
  void load(ArchiveReader& in) override {
    if constexpr (kCheckpointable<F>) archive(in);
    else Chain::load(in);
  }

 private:
  template <class A>
  void archive(A& a) {
    this->archive_base(a);
    a(batch_, extra_, pool_, real_);
  }

  typename F::Stats batch_, extra_, pool_, real_;
  std::vector<typename F::Sample> samples_;
};

template <class F>
class SampleChain final : public ChainBase<F> {
  using Base = ChainBase<F>;

 public:
  using Base::Base;

  void step(std::int64_t k, std::span<double> metrics) override {
    if (this->skip_fixed_point(k, metrics)) return;
    const auto d = this->draws(k);
    std::vector<typename F::Sample>& batch = this->pooled() ? pool_ : batch_;
    if (!this->pooled()) batch.clear();
    const std::size_t start = batch.size();
    Rng rng_syn = this->rng(k, Stream::kSynthetic);
    this->f_.sample(this->source(k), d.synthetic, rng_syn, batch);
    if (k == 1 && this->keeps_real()) real_ = batch;
    if (d.fresh_real > 0) {
      Rng rng_real = this->rng(k, Stream::kReal);
      if (this->weighs(d)) {
        if constexpr (HasWeightedFit<F> && HasStatsOf<F>) {
          // The weighted fit is defined on the two groups' statistics; here they are summed from the samples.
          fresh_.clear();
          this->f_.sample(this->f_.truth(), d.fresh_real, rng_real, fresh_);
          typename F::Stats real, synthetic;
          this->f_.stats_of(fresh_, real);
          this->f_.stats_of(batch, synthetic);
          this->f_.fit_weighted(real, synthetic, this->regime_.real_weight, this->cur_);
          this->finish_step(k, metrics);
          return;
        }
      }
      this->f_.sample(this->f_.truth(), d.fresh_real, rng_real, batch);
    }
    if (k > 1 && this->regime_.kind == RegimeKind::kAugment) batch.insert(batch.end(), real_.begin(), real_.end());
    if (k > 1 && d.kept_real > 0) {
      Rng rng_sub = this->rng(k, Stream::kSubsample);
      choose(real_, d.kept_real, rng_sub, batch);
    }
    if constexpr (kHasItems<F>)
      if (k == 1) this->f_.item_counts(std::span(batch).subspan(start), this->real_counts_);
    std::span<const typename F::Sample> train(batch);
    if (this->regime_.kind == RegimeKind::kAccumulateSubsample && k > 1) {
      Rng rng_sub = this->rng(k, Stream::kSubsample);
      subsample_.clear();
      choose(pool_, this->regime_.subsample_size, rng_sub, subsample_);
      train = subsample_;
    }
    this->fit(train, k);
    this->finish_step(k, metrics);
  }

  void save(ArchiveWriter& out) const override {
    if constexpr (kCheckpointable<F>) const_cast<SampleChain*>(this)->archive(out);
    else Chain::save(out);
  }
  void load(ArchiveReader& in) override {
    if constexpr (kCheckpointable<F>) archive(in);
    else Chain::load(in);
  }

 private:
  template <class A>
  void archive(A& a) {
    this->archive_base(a);
    a(batch_, pool_, real_);
  }

  // Appends `size` elements of `from` chosen uniformly without replacement (a partial Fisher-Yates over indices).
  void choose(const std::vector<typename F::Sample>& from, std::int64_t size, Rng& rng,
              std::vector<typename F::Sample>& out) {
    index_.resize(from.size());
    std::iota(index_.begin(), index_.end(), std::size_t{0});
    for (std::size_t i = 0; i < static_cast<std::size_t>(size); ++i) {
      const std::size_t j = boost::random::uniform_int_distribution<std::size_t>(i, index_.size() - 1)(rng);
      std::swap(index_[i], index_[j]);
      out.push_back(from[index_[i]]);
    }
  }

  std::vector<typename F::Sample> batch_, pool_, subsample_, real_, fresh_;
  std::vector<std::size_t> index_;
};

}  // namespace ouro
