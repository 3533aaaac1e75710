#include "ouroboros/experiment/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/parallel.hpp"

namespace ouro {

namespace {

const Regime kReplace{};
constexpr std::uint64_t kCheckpointMagic = 0x6f75726f636b7031;  // "ourockp1"

// A family's theory value must say what kind of result it is.
TheoryValue checked(TheoryValue v, const std::string& metric) {
  const bool has_value = !std::isnan(v.lo) || !std::isnan(v.mid) || !std::isnan(v.hi);
  if (has_value && (v.kind == TheoryKind::kNone || v.source.empty()))
    throw std::logic_error("a theory value for " + metric + " has no kind or no source");
  if (!has_value) return TheoryValue{};
  return v;
}

// Columns of a replicate's row: every family metric, then every threshold, then every first passage. `out`
// lists the columns that are recorded (metrics.select, then the thresholds and first passages), in output order.
struct Layout {
  std::size_t family_metrics;
  std::vector<std::size_t> threshold_source;  // family metric index of each threshold
  std::vector<std::size_t> first_source;      // family metric index of each first passage's event
  std::size_t until_source = 0;               // family metric of experiment.until (when set)
  std::vector<std::string> names;
  std::vector<bool> indicator;  // per column: 0/1 values (Wilson interval)
  std::vector<std::size_t> out;
  std::size_t columns() const { return names.size(); }
  std::size_t first_column(std::size_t f) const { return family_metrics + threshold_source.size() + f; }
  bool is_threshold(std::size_t m) const {
    return m >= family_metrics && m < family_metrics + threshold_source.size();
  }
};

std::size_t metric_index(const Simulator& simulator, const Threshold& t) {
  const auto& ms = simulator.metrics();
  const auto it = std::find_if(ms.begin(), ms.end(), [&](const MetricInfo& m) { return m.name == t.metric; });
  return static_cast<std::size_t>(it - ms.begin());
}

Layout make_layout(const ExperimentConfig& config, const Simulator& simulator) {
  Layout l;
  l.family_metrics = simulator.metrics().size();
  for (const auto& m : simulator.metrics()) {
    l.names.push_back(m.name);
    l.indicator.push_back(m.indicator);
  }
  for (const auto& t : config.thresholds) {
    l.threshold_source.push_back(metric_index(simulator, t));
    l.names.push_back(t.label());
    l.indicator.push_back(true);
  }
  for (const auto& t : config.first_passages) {
    l.first_source.push_back(metric_index(simulator, t));
    l.names.push_back(first_passage_label(t));
    l.indicator.push_back(false);
  }
  if (config.until) l.until_source = metric_index(simulator, *config.until);
  for (std::size_t m = 0; m < l.family_metrics; ++m) {
    const auto& sel = config.selected_metrics;
    if (sel.empty() || std::find(sel.begin(), sel.end(), l.names[m]) != sel.end()) l.out.push_back(m);
  }
  for (std::size_t m = l.family_metrics; m < l.columns(); ++m) l.out.push_back(m);
  return l;
}

// The family metrics a run reads: those recorded, and the sources of its thresholds and first passages.
MetricMask wanted_metrics(const Layout& l, bool until) {
  MetricMask mask{std::vector<bool>(l.family_metrics, false)};
  for (const std::size_t m : l.out)
    if (m < l.family_metrics) mask.wanted[m] = true;
  for (const std::size_t m : l.threshold_source) mask.wanted[m] = true;
  for (const std::size_t m : l.first_source) mask.wanted[m] = true;
  if (until) mask.wanted[l.until_source] = true;
  return mask;
}

void fill_thresholds(const ExperimentConfig& config, const Layout& l, std::span<double> row) {
  for (std::size_t t = 0; t < config.thresholds.size(); ++t)
    row[l.family_metrics + t] = config.thresholds[t].holds(row[l.threshold_source[t]]) ? 1.0 : 0.0;
}

// First passages at generation g: `first` holds each event's first generation so far (-1: not yet), and the
// row gets min(T, g + 1).
void fill_first_passages(const ExperimentConfig& config, const Layout& l, std::int64_t g, std::span<std::int64_t> first,
                         std::span<double> row) {
  for (std::size_t f = 0; f < first.size(); ++f) {
    if (first[f] < 0 && config.first_passages[f].holds(row[l.first_source[f]])) first[f] = g;
    row[l.first_column(f)] = static_cast<double>(first[f] >= 0 ? first[f] : g + 1);
  }
}

class RegimeRun {
 public:
  RegimeRun(const ExperimentConfig& config, const Simulator& simulator, const Layout& layout, const Regime& regime,
            std::size_t regime_index, unsigned threads, ResultSink& sink, RegimeReport& report, const RunTuning& tuning)
      : c_(config), sim_(simulator), l_(layout), regime_(regime), index_(regime_index), threads_(threads),
        sink_(sink), report_(report), label_(regime.name()), reps_(static_cast<std::size_t>(config.replicates)),
        items_(config.forgetting ? simulator.items() : 0), tuning_(tuning),
        wanted_(wanted_metrics(l_, c_.until.has_value())), exchange_(tuning.exchange),
        lo_(exchange_ ? exchange_->begin() : 0), hi_(exchange_ ? exchange_->end() : reps_) {
    if (lo_ > hi_ || hi_ > reps_) throw std::logic_error("a share of replicates outside the unit's");
  }

  void run() {
    if (items_) {
      forgotten_at_.assign(reps_ * items_, 0);
      original_.resize(reps_);
    }
    first_.assign(reps_ * c_.first_passages.size(), -1);
    emit_truth();
    if (c_.until && c_.until->holds(truth_until_)) {  // the truth itself satisfies the event: nothing to run
      report_.stopped_at = 0;
      emit_forgetting();
      return;
    }
    if (report_.scheduler == "replicate") {
      if (exchange_) throw std::logic_error("only a generation-major unit is spread over processes");
      run_replicate_major();
    } else {
      run_generation_major();
    }
    emit_forgetting();
  }

 private:
  std::unique_ptr<Chain> make_chain(std::size_t r) const {
    auto chain = sim_.chain(regime_, report_.kernel, c_.samples, c_.seed, r);
    chain->want_metrics(wanted_);
    chain->set_fit_hooks(&tuning_.cancel, tuning_.fit_progress ? &tuning_.fit_progress : nullptr);
    return chain;
  }

  // Whether this process writes the records: always, unless it simulates a share of another process's unit.
  bool leads() const { return !exchange_ || exchange_->lead(); }

  void run_generation_major() {
    for (std::size_t r = lo_; r < hi_; ++r) chains_.push_back(make_chain(r));
    const std::size_t cols = l_.columns();
    // Blocks are kept small (a few MiB of metric values) so they stay in cache and cost few page faults.
    const auto block = static_cast<std::int64_t>(
        std::clamp<std::size_t>(tuning_.block_bytes / (reps_ * cols * sizeof(double)), 1, 4096));
    values_.resize(static_cast<std::size_t>(std::min(block, c_.generations)) * reps_ * cols);
    for (std::int64_t g0 = 1; g0 <= c_.generations; g0 += block) {
      const std::int64_t len = std::min(block, c_.generations - g0 + 1);
      simulate_block(g0, len);
      if (exchange_)
        exchange_->block(len, reps_, cols, std::span(values_).first(static_cast<std::size_t>(len) * reps_ * cols));
      if (!leads()) {  // the lead says after every block but the last whether there is another
        if (g0 + len <= c_.generations && !exchange_->go_on(false)) break;
        continue;
      }
      // Without experiment.until only a cancellation stops the run, so the other processes learn at once that
      // another block follows and simulate it while this one is summarised.
      const bool more = exchange_ && g0 + len <= c_.generations;
      if (more && !c_.until) exchange_->go_on(!tuning_.cancel.requested());
      // experiment.until: the block is emitted up to the first generation where every replicate satisfies the
      // event, so the records do not depend on how generations are cut into blocks.
      const std::int64_t kept = c_.until ? until_cut(g0, len) : len;
      emit_block(g0, kept);
      const bool stop = kept < len || (c_.until && kept == len && all_hold(len - 1));
      if (stop) report_.stopped_at = g0 + kept - 1;
      const bool cancel = !stop && (sink_.progress(index_, g0 + len - 1) || tuning_.cancel.requested());
      if (more && c_.until) exchange_->go_on(!stop && !cancel);
      if (stop) break;
      if (cancel) throw RunCancelled();
    }
  }

  // Each replicate's chain runs from its last checkpoint (or generation 1) to G alone, then the whole unit is
  // summarised exactly as generation-major does it. Holds G x R x columns values; with experiment.until the chains
  // still run to G (a replicate cannot know where the others stop), and the records are cut as generation-major
  // cuts them.
  void run_replicate_major() {
    const std::size_t cols = l_.columns();
    const auto G = static_cast<std::size_t>(c_.generations);
    values_.assign(G * reps_ * cols, 0.0);
    const unsigned hint = sim_.resources().max_chains;
    const unsigned workers = hint > 0 ? std::min(threads_, hint) : threads_;
    std::atomic<bool> stop{false};
    std::atomic<std::int64_t> steps{0};
    std::mutex progress_mutex;
    parallel_for(workers, reps_, [&](std::size_t r, unsigned) {
      std::unique_ptr<Chain> chain = make_chain(r);
      const bool saving = tuning_.checkpoints && c_.checkpoint_every > 0 && chain->checkpointable();
      std::int64_t g = restore(*chain, r) + 1;
      steps += g - 1;
      for (; g <= c_.generations; ++g) {
        if (stop || tuning_.cancel.requested()) {
          stop = true;
          throw RunCancelled();
        }
        step_one(*chain, r, g, row(g - 1, r));
        if (saving && (g % c_.checkpoint_every == 0 || g == c_.generations)) checkpoint(*chain, r, g);
        const std::int64_t done = ++steps;
        std::unique_lock lock(progress_mutex, std::try_to_lock);
        if (lock && sink_.progress(index_, done / static_cast<std::int64_t>(reps_))) {
          stop = true;
          throw RunCancelled();
        }
      }
    });
    const auto block = static_cast<std::int64_t>(
        std::clamp<std::size_t>(tuning_.block_bytes / (reps_ * cols * sizeof(double)), 1, 4096));
    for (std::int64_t g0 = 1; g0 <= c_.generations; g0 += block) {
      const std::int64_t len = std::min(block, c_.generations - g0 + 1);
      base_ = g0 - 1;
      const std::int64_t kept = c_.until ? until_cut(g0, len) : len;
      emit_block(g0, kept);
      if (kept < len || (c_.until && kept == len && all_hold(len - 1))) {
        report_.stopped_at = g0 + kept - 1;
        break;
      }
    }
  }

  // One generation of one replicate: the family's metrics, then thresholds, first passages and forgetting.
  void step_one(Chain& chain, std::size_t r, std::int64_t g, std::span<double> out) {
    chain.step(g, out.first(l_.family_metrics));
    if (tuning_.models) {
      ArchiveWriter a;
      chain.save_model(a);
      tuning_.models->save(r, g, a.bytes());
    }
    fill_thresholds(c_, l_, out);
    fill_first_passages(c_, l_, g, first_of(r), out);
    if (!items_) return;
    if (g == 1) original_[r] = chain.real_item_counts();
    for (const auto i : chain.newly_forgotten()) forgotten_at_[r * items_ + i] = static_cast<std::int32_t>(g);
  }

  // A replicate's checkpoint: its records so far and the runner's and the chain's state after generation g.
  // Replicate-major keeps every generation (base_ = 0 while chains run), so row(k - 1, r) is generation k.
  void checkpoint(const Chain& chain, std::size_t r, std::int64_t g) {
    ArchiveWriter a;
    const std::uint64_t magic = kCheckpointMagic, columns = l_.columns();
    a(magic, label_, c_.seed, static_cast<std::uint64_t>(r), columns, g);
    std::vector<double> rows;
    rows.reserve(static_cast<std::size_t>(g) * l_.columns());
    for (std::int64_t k = 0; k < g; ++k) {
      const auto v = row(k, r);
      rows.insert(rows.end(), v.begin(), v.end());
    }
    std::vector<std::int64_t> first(first_of(r).begin(), first_of(r).end());
    a(rows, first);
    if (items_) {
      std::vector<std::int32_t> forgotten(forgotten_at_.begin() + static_cast<std::ptrdiff_t>(r * items_),
                                          forgotten_at_.begin() + static_cast<std::ptrdiff_t>((r + 1) * items_));
      a(forgotten, original_[r]);
    }
    chain.save(a);
    tuning_.checkpoints->save(label_, r, a.bytes());
  }

  // Restores replicate r from its checkpoint, if there is one; returns the generation it holds (0: none).
  std::int64_t restore(Chain& chain, std::size_t r) {
    if (!tuning_.checkpoints || !chain.checkpointable()) return 0;
    const std::optional<std::string> bytes = tuning_.checkpoints->load(label_, r);
    if (!bytes) return 0;
    ArchiveReader a(*bytes);
    std::uint64_t magic = 0, seed = 0, replicate = 0, columns = 0;
    std::string regime;
    std::int64_t g = 0;
    a(magic, regime, seed, replicate, columns, g);
    if (magic != kCheckpointMagic || regime != label_ || seed != c_.seed || replicate != r || columns != l_.columns() || g < 1 ||
        g > c_.generations)
      throw std::runtime_error("checkpoint of replicate " + std::to_string(r) + " does not belong to this unit");
    std::vector<double> rows;
    std::vector<std::int64_t> first;
    a(rows, first);
    if (rows.size() != static_cast<std::size_t>(g) * l_.columns() || first.size() != first_of(r).size())
      throw std::runtime_error("checkpoint of replicate " + std::to_string(r) + " is damaged");
    for (std::int64_t k = 0; k < g; ++k)
      std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(k) * l_.columns()),
                  l_.columns(), row(k, r).begin());
    std::copy(first.begin(), first.end(), first_of(r).begin());
    if (items_) {
      std::vector<std::int32_t> forgotten;
      a(forgotten, original_[r]);
      if (forgotten.size() != items_)
        throw std::runtime_error("checkpoint of replicate " + std::to_string(r) + " is damaged");
      std::copy(forgotten.begin(), forgotten.end(), forgotten_at_.begin() + static_cast<std::ptrdiff_t>(r * items_));
    }
    chain.load(a);
    if (!a.at_end()) throw std::runtime_error("checkpoint of replicate " + std::to_string(r) + " is damaged");
    return g;
  }

  bool all_hold(std::int64_t offset) {
    for (std::size_t r = 0; r < reps_; ++r)
      if (!c_.until->holds(row(offset, r)[l_.until_source])) return false;
    return true;
  }
  // The number of generations of the block to keep: up to and including the first where the event holds in
  // every replicate, or the whole block.
  std::int64_t until_cut(std::int64_t, std::int64_t len) {
    for (std::int64_t offset = 0; offset < len; ++offset)
      if (all_hold(offset)) return offset + 1;
    return len;
  }

  std::span<std::int64_t> first_of(std::size_t r) {
    const std::size_t f = c_.first_passages.size();
    return std::span(first_).subspan(r * f, f);
  }

  // Generation base_ + offset + 1's row of replicate r.
  std::span<double> row(std::int64_t offset, std::size_t r) {
    const std::size_t cols = l_.columns();
    return std::span(values_).subspan((static_cast<std::size_t>(base_ + offset) * reps_ + r) * cols, cols);
  }

  // The stop request is polled before every step (an atomic load), so a long block still stops at once.
  void simulate_block(std::int64_t g0, std::int64_t len) {
    parallel_for(threads_, hi_ - lo_, [&](std::size_t i, unsigned) {
      const std::size_t r = lo_ + i;
      for (std::int64_t g = g0; g < g0 + len; ++g) {
        tuning_.cancel.throw_if_requested();
        step_one(*chains_[i], r, g, row(g - g0, r));
      }
    });
  }

  void emit_truth() {
    std::vector<double> truth(l_.columns());
    sim_.truth_metrics(std::span(truth).first(l_.family_metrics));
    truth_until_ = truth[l_.until_source];
    fill_thresholds(c_, l_, truth);
    // Generation 0 is the same for every replicate: an event that holds for the truth has T = 0 everywhere.
    for (std::size_t r = 0; r < reps_; ++r) fill_first_passages(c_, l_, 0, first_of(r), truth);
    if (!leads()) return;
    for (const std::size_t m : l_.out) {
      const double x = truth[m];
      const auto finite = std::isfinite(x) ? static_cast<std::int64_t>(reps_) : 0;
      SummaryStats s{x, 0, 0, x, x, x, x, x, finite};
      sink_.summary(SummaryRow{label_, 0, l_.names[m], s, TheoryValue{}});
    }
    if (c_.trajectories_every > 0)
      for (std::size_t r = 0; r < reps_; ++r)
        for (const std::size_t m : l_.out) sink_.trajectory(label_, static_cast<std::int64_t>(r), 0, l_.names[m], truth[m]);
  }

  void emit_block(std::int64_t g0, std::int64_t len) {
    const std::size_t outs = l_.out.size();
    // Buffers live across blocks: large ones would otherwise be mapped and unmapped (page faults) each block.
    auto& stats = stats_;
    auto& theory = theory_;
    stats.resize(static_cast<std::size_t>(len) * outs);
    theory.resize(stats.size());
    scratch_.resize(threads_, std::vector<double>(reps_ * outs));
    auto& scratch = scratch_;
    const auto summarize_one = [&](std::size_t offset, std::size_t o, std::span<double> values) {
      const std::size_t j = offset * outs + o, m = l_.out[o];
      stats[j] = summarize(values, l_.indicator[m]);
      if (m >= l_.family_metrics && !l_.is_threshold(m)) {
        theory[j] = TheoryValue{};  // no family predicts first passages
        return;
      }
      const bool is_threshold = l_.is_threshold(m);
      const std::string& metric = l_.names[is_threshold ? l_.threshold_source[m - l_.family_metrics] : m];
      // Generation 1 is fitted on n_1 real samples in every regime, so every regime's generation 1 has the law
      // of replace's: its results hold there.
      const std::int64_t g = g0 + static_cast<std::int64_t>(offset);
      const TheoryQuery q{g == 1 ? kReplace : regime_, c_.samples, g, metric,
                          is_threshold ? &c_.thresholds[m - l_.family_metrics] : nullptr};
      theory[j] = checked(sim_.theory(q).value_or(TheoryValue{}), metric);
    };
    if (static_cast<std::size_t>(len) >= 4 * threads_) {
      // One job per generation: its rows (replicates x metrics, contiguous) are transposed in one pass, so
      // each cache line of the block is read once.
      parallel_for(threads_, static_cast<std::size_t>(len), [&](std::size_t offset, unsigned worker) {
        auto& v = scratch[worker];
        for (std::size_t r = 0; r < reps_; ++r) {
          const auto values = row(static_cast<std::int64_t>(offset), r);
          for (std::size_t o = 0; o < outs; ++o) v[o * reps_ + r] = values[l_.out[o]];
        }
        for (std::size_t o = 0; o < outs; ++o) summarize_one(offset, o, std::span(v).subspan(o * reps_, reps_));
      });
    } else {
      // Few generations per block (many replicates): one job per (generation, metric) keeps every thread busy.
      parallel_for(threads_, stats.size(), [&](std::size_t j, unsigned worker) {
        const std::size_t offset = j / outs, o = j % outs;
        const std::span<double> v = std::span(scratch[worker]).first(reps_);
        for (std::size_t r = 0; r < reps_; ++r) v[r] = row(static_cast<std::int64_t>(offset), r)[l_.out[o]];
        summarize_one(offset, o, v);
      });
    }
    rows_.clear();
    for (std::size_t j = 0; j < stats.size(); ++j) {
      const std::string& name = l_.names[l_.out[j % outs]];
      if (!theory[j].source.empty()) {
        auto& cited = report_.theory_sources[name];
        const TheoryCitation c{std::string(theory_kind_name(theory[j].kind)), std::string(theory[j].source)};
        if (std::find(cited.begin(), cited.end(), c) == cited.end()) cited.push_back(c);
      }
      rows_.push_back(SummaryRow{label_, g0 + static_cast<std::int64_t>(j / outs), name, stats[j], theory[j]});
    }
    sink_.summary_block(rows_);
    if (c_.trajectories_every <= 0) return;
    for (std::int64_t offset = 0; offset < len; ++offset) {
      const std::int64_t g = g0 + offset;
      if (g % c_.trajectories_every != 0) continue;
      for (std::size_t r = 0; r < reps_; ++r) {
        const auto values = row(offset, r);
        for (const std::size_t m : l_.out) sink_.trajectory(label_, static_cast<std::int64_t>(r), g, l_.names[m], values[m]);
      }
    }
  }

  // A forgetting past the generation where experiment.until stopped the run is outside its horizon.
  std::int64_t horizon(std::int64_t forgotten_at) const {
    return report_.stopped_at >= 0 && forgotten_at > report_.stopped_at ? 0 : forgotten_at;
  }

  void emit_forgetting() {
    if (!items_) return;
    if (exchange_) exchange_->forgetting(items_, forgotten_at_, original_);
    if (!leads()) return;
    std::vector<std::string> labels(items_);  // once, not once per replicate
    for (std::size_t i = 0; i < items_; ++i) labels[i] = sim_.item_label(i);
    for (std::size_t r = 0; r < reps_; ++r)
      for (std::size_t i = 0; i < items_; ++i)
        sink_.forgetting(label_, static_cast<std::int64_t>(r), labels[i],
                         original_[r].empty() ? 0.0 : original_[r][i], horizon(forgotten_at_[r * items_ + i]));
  }

  const ExperimentConfig& c_;
  const Simulator& sim_;
  const Layout& l_;
  const Regime& regime_;
  std::size_t index_;
  unsigned threads_;
  ResultSink& sink_;
  RegimeReport& report_;
  std::string label_;
  std::size_t reps_;
  std::size_t items_;
  const RunTuning& tuning_;
  MetricMask wanted_;
  std::int64_t base_ = 0;  // values_ holds generations base_ + 1, ... (replicate-major: all of them)
  std::vector<std::unique_ptr<Chain>> chains_;
  std::vector<double> values_;
  std::vector<SummaryStats> stats_;
  std::vector<TheoryValue> theory_;
  std::vector<SummaryRow> rows_;
  std::vector<std::vector<double>> scratch_;
  std::vector<std::int32_t> forgotten_at_;
  std::vector<std::int64_t> first_;  // replicate x first passage: first generation of the event, -1 not yet
  std::vector<std::vector<double>> original_;
  double truth_until_ = 0;
  ReplicateExchange* exchange_;
  std::size_t lo_, hi_;  // the replicates this process simulates (all of them unless exchange_ says otherwise)
};

}  // namespace

RunReport run_experiment(const ExperimentConfig& config, const Simulator& simulator, ResultSink& sink,
                         const RunTuning& tuning) {
  check_against_family(config, simulator);
  const Layout layout = make_layout(config, simulator);
  RunReport report;
  report.threads = std::min<unsigned>(resolve_threads(config.threads), static_cast<unsigned>(config.replicates));
  for (const std::size_t m : layout.out) report.metrics.push_back(layout.names[m]);
  for (std::size_t i = 0; i < config.regimes.size(); ++i) {
    const Regime& regime = config.regimes[i];
    RegimeReport rr;
    rr.regime = regime.name();
    rr.kernel = config.kernel;
    if (config.kernel == KernelKind::kStatistics && !simulator.statistics_kernel_supports(regime)) {
      rr.kernel = KernelKind::kSample;
      rr.kernel_note = "no statistics-space kernel for this family under this regime; the sample kernel was used";
    }
    rr.scheduler = replicate_major(config, simulator) ? "replicate" : "generation";
    sink.begin_regime(rr.regime, rr.kernel);
    RegimeRun(config, simulator, layout, regime, i, report.threads, sink, rr, tuning).run();
    sink.end_regime(rr.regime);
    report.regimes.push_back(std::move(rr));
  }
  return report;
}

namespace {
}  // namespace

double estimate_bytes(const ExperimentConfig& config, const Simulator& simulator, const Regime& regime,
                      std::size_t processes) {
  const Layout layout = make_layout(config, simulator);
  const auto reps = static_cast<double>(config.replicates);
  const double cols = static_cast<double>(layout.columns()), gens = static_cast<double>(config.generations);
  const KernelKind kernel = config.kernel == KernelKind::kStatistics && simulator.statistics_kernel_supports(regime)
                                ? KernelKind::kStatistics
                                : KernelKind::kSample;
  const double threads = std::min<double>(resolve_threads(config.threads), reps);
  const double chain = simulator.chain_bytes(regime, kernel, config.samples);
  double bytes = 0;
  if (replicate_major(config, simulator)) {
    const unsigned hint = simulator.resources().max_chains;
    bytes += std::min(reps, hint > 0 ? std::min<double>(threads, hint) : threads) * chain;
    bytes += gens * reps * cols * sizeof(double);
  } else {
    const double share = std::ceil(reps / static_cast<double>(std::max<std::size_t>(processes, 1)));
    bytes += share * (chain + sizeof(void*));
    bytes += std::min(static_cast<double>(RunTuning{}.block_bytes), gens * reps * cols * sizeof(double));
  }
  const double items = config.forgetting ? static_cast<double>(simulator.items()) : 0;
  bytes += reps * items * (sizeof(std::int32_t) + sizeof(double));  // forgetting: generation and original count
  bytes += threads * reps * cols * sizeof(double);                    // summary scratch
  return bytes;
}

bool replicate_major(const ExperimentConfig& config, const Simulator& simulator) {
  return config.scheduler == SchedulerKind::kReplicate ||
         (config.scheduler == SchedulerKind::kAuto && simulator.resources().heavy);
}

double memory_limit_bytes(const ExperimentConfig& config) {
  return config.memory_limit_gib > 0 ? config.memory_limit_gib * 1073741824.0 : available_memory_bytes();
}

void check_memory(const ExperimentConfig& config, const Simulator& simulator, std::size_t processes) {
  const double limit = memory_limit_bytes(config);
  for (const auto& regime : config.regimes) {
    const double need = estimate_bytes(config, simulator, regime, processes);
    if (need <= limit) continue;
    throw UserError(fmt::format(
        "this run would need about {:.3g} GiB of memory{} under {} ({} replicates, {} columns of metrics, the "
        "family's chains), more than the {:.3g} GiB {}; lower experiment.replicates, experiment.samples or "
        "experiment.generations{}, or set experiment.memory_limit (GiB) if the estimate is too cautious",
        need / 1073741824.0,
        processes > 1 ? fmt::format(" in each of the {} processes its replicates are spread over", processes) : "",
        regime.name(), config.replicates, make_layout(config, simulator).columns(),
        limit / 1073741824.0, config.memory_limit_gib > 0 ? "of experiment.memory_limit" : "available now",
        config.forgetting && simulator.items() > 0 ? ", or set output.forgetting = false" : ""));
  }
}

}  // namespace ouro
