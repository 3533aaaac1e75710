#pragma once
// Compile-time capabilities of a family class F (see families/README.md for the full contract).
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/engine/fit_context.hpp"

namespace ouro {

template <class F>
concept HasStatistics = requires(const F& f, const typename F::Model& m, typename F::Model& out,
                                 typename F::Stats& s, const typename F::Stats& cs, Rng& rng) {
  f.draw_stats(m, std::int64_t{}, rng, s);
  f.merge(s, cs);
  f.fit_stats(cs, out);
};

// stats_of(samples, out): the statistics of a batch of samples (what fit_samples computes before it fits).
template <class F>
concept HasStatsOf = requires(const F& f, std::span<const typename F::Sample> xs, typename F::Stats& s) {
  f.stats_of(xs, s);
};

// fit_weighted(real, synthetic, w, out): fresh_mix(real_weight=w).
template <class F>
concept HasWeightedFit = requires(const F& f, const typename F::Stats& cs, typename F::Model& out) {
  f.fit_weighted(cs, cs, double{}, out);
};

template <class F>
concept HasStatsSubsampleImpl = requires(const F& f, const typename F::Stats& pool, typename F::Stats& out, Rng& rng) {
  f.subsample_stats(pool, std::int64_t{}, rng, out);
};
template <class F>
inline constexpr bool kHasStatsSubsample = HasStatsSubsampleImpl<F>;

// Items that can be forgotten (forgetting.csv). A family with a statistics kernel also counts them from its
// statistics (HasItemCountsFromStats), which StatsChain checks.
template <class F>
concept HasItemsImpl = requires(const F& f, const typename F::Model& m, std::vector<std::uint32_t>& ids,
                                std::span<const typename F::Sample> xs, std::vector<double>& counts) {
  { f.items() } -> std::convertible_to<std::size_t>;
  f.item_label(std::size_t{});
  f.forgotten(m, m, ids);
  f.item_counts(xs, counts);
};
template <class F>
inline constexpr bool kHasItems = HasItemsImpl<F>;

template <class F>
concept HasItemCountsFromStats = requires(const F& f, const typename F::Stats& s, std::vector<double>& counts) {
  f.item_counts_stats(s, counts);
};

template <class F>
concept HasTheory = requires(const F& f, const TheoryQuery& q) {
  { f.theory(q) } -> std::same_as<std::optional<TheoryValue>>;
};

template <class F>
concept HasRealSampleSize = requires(const F& f) {
  { f.real_sample_size() } -> std::convertible_to<std::optional<std::int64_t>>;
};

// metrics(model, out, wanted): the family computes at least the wanted metrics and may skip the others.
template <class F>
concept HasMaskedMetrics = requires(const F& f, const typename F::Model& m, std::span<double> out, const MetricMask& w) {
  f.metrics(m, out, w);
};

template <class F>
concept HasValidate = requires(const F& f, const Regime& r, const SampleSchedule& s) { f.validate(r, s); };

// Size hints for the memory estimate: bytes of a model, of a batch's statistics, of one sample, heap included
// (a categorical model holds m probabilities). Without them, the types' sizes are used.
template <class F>
concept HasModelBytes = requires(const F& f) { { f.model_bytes() } -> std::convertible_to<double>; };
template <class F>
concept HasStatsBytes = requires(const F& f) { { f.stats_bytes() } -> std::convertible_to<double>; };
template <class F>
concept HasSampleBytes = requires(const F& f) { { f.sample_bytes() } -> std::convertible_to<double>; };

// Contract v2: is_fixed_point(model) is true only when every fit to any sample of the model (under this family's
// estimator) returns the model itself bit for bit (a categorical MLE with one symbol left, a Bernoulli at 0 or 1).
// The chains then skip a fixed model's draws and fit under the regimes whose data come from it alone.
template <class F>
concept HasFixedPoint = requires(const F& f, const typename F::Model& m) {
  { f.is_fixed_point(m) } -> std::convertible_to<bool>;
};

// Contract v2: fits given a FitContext (engine/fit_context.hpp), preferred by the chains when present.
template <class F>
concept HasSampleFitContext = requires(const F& f, std::span<const typename F::Sample> xs,
                                       const FitContext<typename F::Model>& ctx, typename F::Model& out) {
  f.fit_samples(xs, ctx, out);
};
template <class F>
concept HasStatsFitContext = requires(const F& f, const typename F::Stats& s, const FitContext<typename F::Model>& ctx,
                                      typename F::Model& out) {
  f.fit_stats(s, ctx, out);
};

// A sample as one line of text (`ouroboros model --samples`): a sentence's words, say. Without it, numbers and
// vectors of numbers print as such; other samples have no text form.
template <class F>
concept HasSampleText = requires(const F& f, const typename F::Sample& x) {
  { f.sample_text(x) } -> std::convertible_to<std::string>;
};

// Checkpoints: a chain can be saved after a generation and restored exactly when its model, its samples and (with a
// statistics kernel) its statistics can be archived (core/archive.hpp). Plain structs of numbers need nothing;
// others declare a member archive(A&).
template <class F>
struct StatsArchivable : std::true_type {};
template <class F>
  requires requires { typename F::Stats; }
struct StatsArchivable<F> : std::bool_constant<Archivable<typename F::Stats>> {};

template <class F>
inline constexpr bool kCheckpointable =
    Archivable<typename F::Model> && Archivable<typename F::Sample> && StatsArchivable<F>::value;

}  // namespace ouro
