#include "ouroboros/experiment/plan_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <span>
#include <thread>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/parallel.hpp"
#include "ouroboros/experiment/unit_record.hpp"
#include "ouroboros/version.hpp"

namespace ouro {

namespace {

// Hands one unit's rows to the store and to the front end's sink (table, progress).
class UnitSink final : public ResultSink {
 public:
  UnitSink(ResultSink& store, ResultSink* forward, ResultSink* files, std::size_t regime_index)
      : store_(store), forward_(forward), files_(files), regime_index_(regime_index) {}

  void begin_regime(const std::string& regime, KernelKind kernel) override {
    store_.begin_regime(regime, kernel);
    if (forward_) forward_->begin_regime(regime, kernel);
  }
  void summary(const SummaryRow& row) override {
    store_.summary(row);
    if (files_) files_->summary(row);
    if (forward_) forward_->summary(row);
  }
  void summary_block(std::span<const SummaryRow> rows) override {
    store_.summary_block(rows);
    if (files_) files_->summary_block(rows);
    if (forward_) forward_->summary_block(rows);
  }
  void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation, const std::string& name,
                  double value) override {
    store_.trajectory(regime, replicate, generation, name, value);
    if (files_) files_->trajectory(regime, replicate, generation, name, value);
  }
  void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item, double original_count,
                  std::int64_t forgotten_at) override {
    store_.forgetting(regime, replicate, item, original_count, forgotten_at);
    if (files_) files_->forgetting(regime, replicate, item, original_count, forgotten_at);
  }
  void end_regime(const std::string& regime) override {
    store_.end_regime(regime);
    if (forward_) forward_->end_regime(regime);
  }
  // The unit runs one regime of its point: progress is reported with the regime's index in the point.
  bool progress(std::size_t, std::int64_t generation) override {
    return forward_ && forward_->progress(regime_index_, generation);
  }

 private:
  ResultSink& store_;
  ResultSink* forward_;
  ResultSink* files_;
  std::size_t regime_index_;
};

// A unit running beside others: its rows recorded (committed later, in plan order), its progress forwarded to the
// front end's sink (one call at a time).
class RecordingUnit final : public ResultSink {
 public:
  RecordingUnit(ResultSink* live, std::size_t regime_index, std::mutex& live_mutex)
      : live_(live), regime_index_(regime_index), live_mutex_(live_mutex) {}
  void begin_regime(const std::string& regime, KernelKind kernel) override { rows_.begin_regime(regime, kernel); }
  void summary(const SummaryRow& row) override { rows_.summary(row); }
  void summary_block(std::span<const SummaryRow> rows) override { rows_.summary_block(rows); }
  void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation, const std::string& name,
                  double value) override {
    rows_.trajectory(regime, replicate, generation, name, value);
  }
  void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item, double original_count,
                  std::int64_t forgotten_at) override {
    rows_.forgetting(regime, replicate, item, original_count, forgotten_at);
  }
  void end_regime(const std::string& regime) override { rows_.end_regime(regime); }
  bool progress(std::size_t, std::int64_t generation) override {
    if (live_ == nullptr) return false;
    const std::lock_guard lock(live_mutex_);
    return live_->progress(regime_index_, generation);
  }
  std::string take() { return rows_.take(); }

 private:
  RecordingSink rows_;
  ResultSink* live_;
  std::size_t regime_index_;
  std::mutex& live_mutex_;
};

}  // namespace

// Generation-major units run one after another: each streams its rows to the store and fills the threads with its
// replicates.
std::size_t units_at_once(const ExperimentConfig& config, const Simulator& simulator, std::size_t pending) {
  const unsigned threads = resolve_threads(config.threads);
  if (pending < 2 || threads < 2 || !replicate_major(config, simulator)) return 1;
  const auto replicates = static_cast<unsigned>(std::max<std::int64_t>(1, config.replicates));
  std::size_t together = std::min<std::size_t>(pending, std::max(1u, threads / replicates));
  for (; together > 1; --together) {
    ExperimentConfig share = config;
    share.threads = static_cast<unsigned>(threads / together);
    double need = 0;
    for (const auto& regime : config.regimes) need = std::max(need, estimate_bytes(share, simulator, regime));
    if (static_cast<double>(together) * need <= memory_limit_bytes(config)) break;
  }
  return together;
}

namespace {

// output.checkpoints: where the unit keeps its models, and what their files say about it.
std::unique_ptr<ModelStore> model_store(RecordStore& store, const ExperimentConfig& config, const Point& point,
                                        std::size_t r) {
  if (!config.model_files) return nullptr;
  const std::string regime = config.regimes[r].name();
  const nlohmann::json header = {{"ouroboros_version", kVersion}, {"truth", config.truth_family},
                                 {"model", config.model_family}, {"seed", config.seed}, {"point", point.index},
                                 {"regime", regime}};
  return store.models_for(point.index, regime, header);
}

// Runs units `rs` of a point side by side, each on a thread of its own with `threads` threads and its checkpoints,
// then commits them in plan order. A unit's records do not depend on the threads it ran with, so the store is the
// one a run of the units one after another writes. When one unit fails the others stop; the units that finished
// are committed and the failure is recorded and rethrown, as in a sequential run.
void run_together(RecordStore& store, const PlanObserver& observer, const RunTuning& tuning,
                  const ExperimentConfig& config, const Simulator& simulator, const Point& point,
                  std::span<const std::size_t> rs, unsigned threads) {
  struct Outcome {
    UnitInfo unit;
    std::string rows;
    std::exception_ptr error;
    bool cancelled = false;
  };
  std::vector<Outcome> outcomes(rs.size());
  std::atomic<bool> failed{false};
  std::mutex live_mutex;
  // The front end hears of every unit before any of them reports progress (it sets up its display per point).
  for (const std::size_t r : rs)
    if (observer.unit) observer.unit(point, config.regimes[r], false);
  {
    std::vector<std::jthread> workers;
    for (std::size_t i = 0; i < rs.size(); ++i)
      workers.emplace_back([&, i] {
        try {
          ExperimentConfig share = config;
          share.threads = threads;
          auto checkpoints = store.checkpoints_for(point.index, config.regimes[rs[i]].name());
          auto models = model_store(store, config, point, rs[i]);
          RunTuning unit_tuning = tuning;
          unit_tuning.checkpoints = checkpoints.get();
          unit_tuning.models = models.get();
          unit_tuning.cancel = CancelToken([&failed, outer = tuning.cancel] { return failed || outer.requested(); });
          RecordingUnit sink(observer.sink, rs[i], live_mutex);
          outcomes[i].unit = run_unit(share, simulator, point, rs[i], sink, unit_tuning);
          outcomes[i].rows = sink.take();
        } catch (const RunCancelled&) {
          outcomes[i].error = std::current_exception();
          outcomes[i].cancelled = true;
        } catch (...) {
          outcomes[i].error = std::current_exception();
          failed = true;
        }
      });
  }
  std::exception_ptr first;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    auto& o = outcomes[i];
    if (o.cancelled && failed) continue;  // stopped because another unit failed: left for the next run
    try {
      commit_unit(store, observer, point, rs[i], [&](ResultSink& sink) {
        if (o.error) std::rethrow_exception(o.error);
        replay(o.rows, sink);
        return o.unit;
      });
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace

bool spreads_over(const ExperimentConfig& config, const Simulator& simulator, std::size_t processes) {
  return processes > 1 && static_cast<std::size_t>(config.replicates) >= processes &&
         !replicate_major(config, simulator);
}

std::unique_ptr<Simulator> bind_point(ExperimentConfig& config, const Point& point, bool sweep,
                                      std::size_t processes) {
  try {
    auto simulator = make_simulator(config.truth_family, config.model_family);
    bind_samples(config, *simulator);
    check_against_family(config, *simulator);
    check_memory(config, *simulator, spreads_over(config, *simulator, processes) ? processes : 1);
    return simulator;
  } catch (const UserError& e) {
    if (!sweep) throw;
    throw UserError("sweep point " + std::to_string(point.index) + " (" + point.label() + "): " + e.what());
  }
}

UnitInfo run_unit(const ExperimentConfig& config, const Simulator& simulator, const Point& point, std::size_t r,
                  ResultSink& sink, const RunTuning& tuning) {
  ExperimentConfig one = config;
  one.regimes = {config.regimes[r]};
  UnitInfo unit;
  unit.point = point.index;
  unit.regime_index = r;
  unit.regime = config.regimes[r].name();
  const auto start = std::chrono::steady_clock::now();
  const RunReport run = run_experiment(one, simulator, sink, tuning);
  unit.report = run.regimes.front();
  unit.threads = run.threads;
  unit.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  unit.family = simulator.describe().dump();
  unit.config = config.resolved.dump();
  return unit;
}

void commit_unit(RecordStore& store, const PlanObserver& observer, const Point& point, std::size_t r,
                 const std::function<UnitInfo(ResultSink&)>& produce) {
  const std::string name = point.config.regimes[r].name();
  ResultSink* files = observer.begin_unit ? observer.begin_unit(point, r) : nullptr;
  UnitSink sink(store.begin_unit(point.index, name), observer.sink, files, r);
  UnitInfo unit;
  try {
    unit = produce(sink);
  } catch (const std::exception& e) {
    store.abort_unit();
    if (dynamic_cast<const RunCancelled*>(&e) == nullptr) store.failed(point.index, name, e.what());
    throw;
  }
  store.commit_unit(unit);
  if (observer.end_unit) observer.end_unit(point, r);
}

void check_plan(const Plan& plan, std::size_t processes) {
  for (const auto& point : plan.points) {
    ExperimentConfig config = point.config;
    bind_point(config, point, plan.sweep(), processes);
  }
}

PlanReport run_plan(const Plan& plan, RecordStore& store, const PlanObserver& observer, const RunTuning& tuning) {
  PlanReport report;
  for (const auto& point : plan.points) {
    ExperimentConfig config = point.config;
    std::vector<std::size_t> pending;
    for (std::size_t r = 0; r < point.config.regimes.size(); ++r) {
      if (!store.done(point.index, point.config.regimes[r].name())) {
        pending.push_back(r);
      } else {
        ++report.units_skipped;
        if (observer.unit) observer.unit(point, point.config.regimes[r], true);
      }
    }
    if (pending.empty()) continue;
    const auto simulator = bind_point(config, point, plan.sweep());
    const std::size_t together = units_at_once(config, *simulator, pending.size());
    const unsigned threads = std::max(1u, resolve_threads(config.threads) / static_cast<unsigned>(together));
    for (std::size_t first = 0; first < pending.size(); first += together) {
      const auto group = std::span(pending).subspan(first, std::min(together, pending.size() - first));
      if (group.size() > 1) {
        run_together(store, observer, tuning, config, *simulator, point, group, threads);
        report.units_run += group.size();
        continue;
      }
      const std::size_t r = group.front();
      if (observer.unit) observer.unit(point, point.config.regimes[r], false);
      const auto models = model_store(store, config, point, r);
      commit_unit(store, observer, point, r, [&](ResultSink& sink) {
        RunTuning unit_tuning = tuning;
        unit_tuning.checkpoints = store.checkpoints();  // the open unit's (commit_unit has begun it)
        unit_tuning.models = models.get();
        return run_unit(config, *simulator, point, r, sink, unit_tuning);
      });
      ++report.units_run;
    }
  }
  return report;
}

}  // namespace ouro
