#pragma once
// The family interface seen by generic code (runner, outputs, CLI). Concrete families never appear here:
// each family is a class F with typed operations (see families/README.md) and becomes a Simulator through
// SimulatorFor<F> (engine/simulator_for.hpp), registered by name with OUROBOROS_REGISTER_FAMILY.
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/engine/fit_context.hpp"
#include "ouroboros/regimes/regime.hpp"

namespace ouro {

class ArchiveWriter;
class ArchiveReader;

enum class KernelKind { kStatistics, kSample };
std::string kernel_name(KernelKind kind);

struct MetricInfo {
  std::string name;
  std::string help;
  // A 0/1 indicator per replicate (alive, converged, collapsed, ...): its mean is a probability, and its
  // confidence interval is Wilson's.
  bool indicator = false;
};

// A family's metrics as one constexpr list beside its enum: entry i carries the enumerator whose value is i, and
// metrics_in_order() checks that at compile time, so the enum used by metrics() and the names in the descriptor
// cannot drift apart:
//   enum Metric { kMean, kSigma };
//   static constexpr MetricDecl<Metric> kList[]{{kMean, "mean", "fitted mean"}, {kSigma, "sigma", "fitted sd"}};
//   static_assert(metrics_in_order(kList));
//   d.metrics = metric_infos(kList);
template <class E>
struct MetricDecl {
  E id;
  std::string_view name;
  std::string_view help;
  bool indicator = false;
};
template <class E, std::size_t N>
consteval bool metrics_in_order(const MetricDecl<E> (&list)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    if (static_cast<std::size_t>(list[i].id) != i) return false;
  return true;
}
template <class E, std::size_t N>
std::vector<MetricInfo> metric_infos(const MetricDecl<E> (&list)[N]) {
  std::vector<MetricInfo> out;
  for (const auto& m : list) out.push_back({std::string(m.name), std::string(m.help), m.indicator});
  return out;
}

// "metric op value", e.g. "sigma > 0.1": recorded per replicate as 1 or 0, so its mean is the probability.
struct Threshold {
  std::string metric;
  std::string op;  // one of < <= > >= == !=
  double value = 0;
  std::string label() const;  // e.g. "sigma>0.1", the metric name used in output rows
  bool holds(double x) const;
};

// What a theory result is asked for: one metric (or the probability of a threshold event) at one generation.
struct TheoryQuery {
  const Regime& regime;
  const SampleSchedule& samples;
  std::int64_t generation;
  const std::string& metric;     // the family metric
  const Threshold* threshold;    // non-null: the quantity is Pr(metric op value)
};

// What a theory value is: the exact mean, a bound on it (lo and/or hi), or an approximation of the mean (first
// order in 1/n, a deterministic equivalent). kNone only where no value is given.
enum class TheoryKind { kNone, kExact, kBound, kApproximation };
std::string_view theory_kind_name(TheoryKind kind);  // "exact", "bound", "approximation", "" for kNone

// A prediction for the mean of a metric: a value (mid) and/or bounds; NaN where absent.
struct TheoryValue {
  double lo = std::numeric_limits<double>::quiet_NaN();
  double mid = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  TheoryKind kind = TheoryKind::kNone;  // every family result sets it (the runner checks)
  // Citation, e.g. "Suresh et al. 2025, Theorem 2 (exact)": a string literal, so asking for a theory value
  // (once per generation and metric) allocates nothing.
  std::string_view source;
  static TheoryValue exact(double mid, std::string_view source) {
    TheoryValue v;
    v.mid = mid;
    v.kind = TheoryKind::kExact;
    v.source = source;
    return v;
  }
};

// Which of a family's metrics (descriptor order) a run reads. Empty: all of them. A family that can skip the
// work of unread metrics (a logarithm per symbol, say) provides metrics(model, out, wanted); the entries it
// skips hold NaN.
struct MetricMask {
  std::vector<bool> wanted;
  bool operator()(std::size_t metric) const { return wanted.empty() || wanted[metric]; }
};

// One replicate's chain of generations under one regime and kernel.
class Chain {
 public:
  virtual ~Chain() = default;
  // Fits model k (k = 1, 2, ... in order) and writes its metric values: every one, or at least those in the
  // mask given to want_metrics.
  virtual void step(std::int64_t generation, std::span<double> metrics) = 0;
  virtual void want_metrics(MetricMask mask) = 0;
  // Items whose probability became zero in the last step (families with items only).
  virtual std::span<const std::uint32_t> newly_forgotten() const { return {}; }
  // Count of every item in the real batch of generation 1, valid after step(1) (families with items only).
  virtual const std::vector<double>& real_item_counts() const;
  // Contract v2 hooks passed to a family's fit (FitContext): a stop request and a progress listener. Both must
  // outlive the chain; null: none.
  virtual void set_fit_hooks(const CancelToken* cancel, const FitProgress* progress) = 0;
  // Checkpoints. save() writes the chain's state after its last step; load() into a fresh chain made with the same
  // (regime, kernel, samples, seed, replicate) restores it, and the next step continues with identical bits.
  // Only where checkpointable() (the family's model, samples and statistics can be archived).
  virtual bool checkpointable() const { return false; }
  virtual void save(ArchiveWriter& out) const;
  virtual void load(ArchiveReader& in);
  // The model fitted by the last step alone (output.checkpoints), as Simulator::saved_model_* read it back. Only
  // where checkpointable().
  virtual void save_model(ArchiveWriter& out) const;
};

// What a scheduler reads about a family's cost. A cheap family runs generation-major, every replicate's chain
// alive at once; a heavy one (fits of seconds or more, models of many MB: neural families) runs replicate-major
// with a checkpoint every few generations, at most `max_chains` chains at once (0: one per thread).
struct ResourceHint {
  bool heavy = false;
  unsigned max_chains = 0;
};

// A family bound to its truth and model specs: everything the runner needs.
class Simulator {
 public:
  virtual ~Simulator() = default;
  virtual const std::vector<MetricInfo>& metrics() const = 0;
  virtual void truth_metrics(std::span<double> out) const = 0;
  virtual bool statistics_kernel_supports(const Regime& regime) const = 0;
  // Throws UserError when the sizes cannot work with this family (e.g. n < 2 with the unbiased estimator).
  virtual void validate(const Regime& regime, const SampleSchedule& samples) const = 0;
  virtual std::unique_ptr<Chain> chain(const Regime& regime, KernelKind kernel, const SampleSchedule& samples,
                                       std::uint64_t seed, std::uint64_t replicate) const = 0;
  virtual std::optional<TheoryValue> theory(const TheoryQuery& query) const = 0;
  virtual std::size_t items() const = 0;  // forgettable items (categorical symbols); 0 if none
  virtual std::string item_label(std::size_t item) const = 0;
  // The size of the real data set behind the truth (corpus sentences, counts-file total, image pool), for
  // experiment.samples = "real"; nullopt for a family whose truth is a parametric law.
  virtual std::optional<std::int64_t> real_sample_size() const = 0;
  virtual nlohmann::json describe() const = 0;  // resolved parameters and estimator conventions
  virtual ResourceHint resources() const = 0;
  virtual bool checkpointable() const = 0;  // its chains can be saved and restored (Chain::save)
  // A model saved by Chain::save_model: its metrics (every one, descriptor order), and n samples drawn from it with
  // the random stream (seed, replicate 0, generation 0, synthetic), one line of text each. Throw UserError when the
  // bytes are not such a model, or (samples) when this family's samples have no text form.
  virtual void saved_model_metrics(const std::string& model, std::span<double> out) const = 0;
  virtual std::vector<std::string> saved_model_samples(const std::string& model, std::int64_t n,
                                                       std::uint64_t seed) const = 0;
  // Estimated peak bytes of one chain (its models, statistics or samples, pools) under a regime and kernel, from
  // the family's size hints (model_bytes, stats_bytes, sample_bytes) or the types' sizes: checked before a run.
  virtual double chain_bytes(const Regime& regime, KernelKind kernel, const SampleSchedule& samples) const = 0;
};

struct FamilyDescriptor {
  std::string name;
  std::string summary;
  std::vector<ParamInfo> truth_params;
  std::vector<ParamInfo> model_params;
  std::vector<std::string> estimators;
  std::vector<MetricInfo> metrics;
  std::string kernels;  // what the statistics kernel draws, and which regimes fall back to samples
  bool weighted_fit = false;  // fresh_mix(real_weight=w) is supported (set at registration from the contract)
  bool checkpoints = false;   // chains can be checkpointed (set at registration from the contract)
  bool fit_context = false;   // the fit takes a FitContext (set at registration from the contract)
  bool fixed_points = false;  // declares fixed-point models, skipped exactly (set at registration from the contract)
  ResourceHint resources;     // declared by the family; default: cheap
  std::function<std::unique_ptr<Simulator>(const Spec& truth, const Spec& model)> make;
};

class Registry {
 public:
  static Registry& instance();
  void add(FamilyDescriptor descriptor);
  const FamilyDescriptor* find(const std::string& name) const;
  std::vector<const FamilyDescriptor*> all() const;  // sorted by name

 private:
  std::vector<FamilyDescriptor> families_;
};

// A descriptor as JSON, as `ouroboros families --json` prints it (and the Python package reads it).
nlohmann::json family_json(const FamilyDescriptor& descriptor);

// Parses both specs, checks they name the same registered family, and binds them. Throws UserError.
std::unique_ptr<Simulator> make_simulator(const std::string& truth_spec, const std::string& model_spec);

}  // namespace ouro
