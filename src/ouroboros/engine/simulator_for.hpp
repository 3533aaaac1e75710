#pragma once
// SimulatorFor<F>: the one adapter from a typed family class F to the type-erased Simulator interface, and
// OUROBOROS_REGISTER_FAMILY(F), which registers F under F::descriptor().name at start-up.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/engine/chains.hpp"
#include "ouroboros/engine/family_traits.hpp"

namespace ouro {

template <class F>
class SimulatorFor final : public Simulator {
 public:
  explicit SimulatorFor(F family)
      : f_(std::move(family)), metrics_(F::descriptor().metrics), resources_(F::descriptor().resources) {}

  const std::vector<MetricInfo>& metrics() const override { return metrics_; }
  void truth_metrics(std::span<double> out) const override { f_.metrics(f_.truth(), out); }

  bool statistics_kernel_supports(const Regime& regime) const override {
    if constexpr (!HasStatistics<F>) return false;
    if (regime.kind == RegimeKind::kAccumulateSubsample || regime.kind == RegimeKind::kKeepReal)
      return kHasStatsSubsample<F>;
    return true;
  }

  void validate(const Regime& regime, const SampleSchedule& samples) const override {
    if constexpr (!(HasWeightedFit<F> && HasStatsOf<F>)) {
      if (regime.weighted())
        throw UserError(fmt::format("experiment.regimes: {} weights real and synthetic samples, but the fit of {} "
                                    "cannot carry weights (`ouroboros families` lists the families that can)",
                                    regime.name(), F::descriptor().name));
    }
    if constexpr (HasValidate<F>) f_.validate(regime, samples);
  }

  std::unique_ptr<Chain> chain(const Regime& regime, KernelKind kernel, const SampleSchedule& samples,
                               std::uint64_t seed, std::uint64_t replicate) const override {
    if constexpr (HasStatistics<F>) {
      if (kernel == KernelKind::kStatistics && statistics_kernel_supports(regime))
        return std::make_unique<StatsChain<F>>(f_, regime, samples, seed, replicate);
    }
    return std::make_unique<SampleChain<F>>(f_, regime, samples, seed, replicate);
  }

  std::optional<TheoryValue> theory(const TheoryQuery& query) const override {
    if constexpr (HasTheory<F>) return f_.theory(query);
    return std::nullopt;
  }

  std::optional<std::int64_t> real_sample_size() const override {
    if constexpr (HasRealSampleSize<F>) return f_.real_sample_size();
    return std::nullopt;
  }
  std::size_t items() const override {
    if constexpr (kHasItems<F>) return f_.items();
    return 0;
  }
  std::string item_label(std::size_t item) const override {
    if constexpr (kHasItems<F>) return f_.item_label(item);
    return {};
  }
  nlohmann::json describe() const override { return f_.describe(); }
  ResourceHint resources() const override { return resources_; }

  double chain_bytes(const Regime& regime, KernelKind kernel, const SampleSchedule& samples) const override {
    double model = sizeof(typename F::Model), sample = sizeof(typename F::Sample);
    if constexpr (HasModelBytes<F>) model = f_.model_bytes();
    if constexpr (HasSampleBytes<F>) sample = f_.sample_bytes();
    const double n1 = static_cast<double>(samples.at(1));
    double bytes = 2 * model + 1024;  // two models (previous, current) and the chain's own fields
    if (kernel == KernelKind::kStatistics && statistics_kernel_supports(regime)) {
      if constexpr (HasStatistics<F>) {
        double stats = sizeof(typename F::Stats);
        if constexpr (HasStatsBytes<F>) stats = f_.stats_bytes();
        bytes += 4 * stats;                            // batch, extra, pool, real
        if constexpr (kRealBatchAsSamples<F>) bytes += n1 * sample;  // generation 1's batch, drawn as samples
      }
      return bytes;
    }
    // The sample kernel holds its batch or pool, the kept real batch, and a subsample.
    const double held = static_cast<double>(max_held_samples(regime, samples));
    bytes += held * sample;
    if (regime.kind == RegimeKind::kAugment || regime.kind == RegimeKind::kKeepReal) bytes += n1 * sample;
    if (regime.kind == RegimeKind::kAccumulateSubsample)
      bytes += static_cast<double>(regime.subsample_size) * sample + held * sizeof(std::size_t);
    return bytes;
  }
  bool checkpointable() const override { return kCheckpointable<F>; }

  void saved_model_metrics(const std::string& model, std::span<double> out) const override {
    f_.metrics(load_model(model), out);
  }
  std::vector<std::string> saved_model_samples(const std::string& model, std::int64_t n,
                                               std::uint64_t seed) const override {
    if constexpr (!HasSampleText<F> && !std::is_arithmetic_v<typename F::Sample> && !DenseMatrix<typename F::Sample>) {
      throw UserError(fmt::format("the samples of {} have no text form", F::descriptor().name));
    } else {
      const typename F::Model m = load_model(model);
      std::vector<typename F::Sample> xs;
      Rng rng(seed, 0, 0, Stream::kSynthetic);
      f_.sample(m, n, rng, xs);
      std::vector<std::string> lines;
      lines.reserve(xs.size());
      for (const auto& x : xs) {
        if constexpr (HasSampleText<F>) {
          lines.push_back(f_.sample_text(x));
        } else if constexpr (std::is_arithmetic_v<typename F::Sample>) {
          lines.push_back(fmt::format("{}", +x));  // + prints a one-byte integer as a number
        } else {
          lines.push_back(fmt::format("{}", fmt::join(x.data(), x.data() + x.size(), " ")));
        }
      }
      return lines;
    }
  }

  const F& family() const { return f_; }

 private:
  typename F::Model load_model(const std::string& bytes) const {
    if constexpr (!kCheckpointable<F>) {
      throw UserError(fmt::format("the models of {} cannot be saved or loaded", F::descriptor().name));
    } else {
      typename F::Model m{};
      try {
        ArchiveReader in(bytes);
        in(m);
        if (!in.at_end()) throw std::runtime_error("bytes left over");
      } catch (const std::exception& e) {  // a truncated archive, or a model part the family refuses
        throw UserError(fmt::format("not a saved model of {}: {}", F::descriptor().name, e.what()));
      }
      return m;
    }
  }

  F f_;
  std::vector<MetricInfo> metrics_;
  ResourceHint resources_;
};

template <class F>
struct FamilyRegistrar {
  FamilyRegistrar() {
    FamilyDescriptor d = F::descriptor();
    d.weighted_fit = HasWeightedFit<F> && HasStatsOf<F>;
    d.checkpoints = kCheckpointable<F>;
    d.fit_context = HasSampleFitContext<F> || HasStatsFitContext<F>;
    d.fixed_points = HasFixedPoint<F>;
    d.make = [](const Spec& truth, const Spec& model) -> std::unique_ptr<Simulator> {
      return std::make_unique<SimulatorFor<F>>(F(truth, model));
    };
    Registry::instance().add(std::move(d));
  }
};

#define OUROBOROS_REGISTER_FAMILY(F) \
  static const ::ouro::FamilyRegistrar<F> ouroboros_registrar_##F {}

}  // namespace ouro
