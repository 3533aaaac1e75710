#include "ouroboros/experiment/plan_runner.hpp"

#include <chrono>

#include "ouroboros/core/error.hpp"

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

}  // namespace

std::unique_ptr<Simulator> bind_point(ExperimentConfig& config, const Point& point, bool sweep) {
  try {
    auto simulator = make_simulator(config.truth_family, config.model_family);
    bind_samples(config, *simulator);
    check_against_family(config, *simulator);
    check_memory(config, *simulator);
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

void check_plan(const Plan& plan) {
  for (const auto& point : plan.points) {
    ExperimentConfig config = point.config;
    bind_point(config, point, plan.sweep());
  }
}

PlanReport run_plan(const Plan& plan, RecordStore& store, const PlanObserver& observer, const RunTuning& tuning) {
  PlanReport report;
  for (const auto& point : plan.points) {
    ExperimentConfig config = point.config;
    std::unique_ptr<Simulator> simulator;
    for (std::size_t r = 0; r < point.config.regimes.size(); ++r) {
      const Regime& regime = point.config.regimes[r];
      const std::string name = regime.name();
      if (store.done(point.index, name)) {
        ++report.units_skipped;
        if (observer.unit) observer.unit(point, regime, true);
        continue;
      }
      if (!simulator) simulator = bind_point(config, point, plan.sweep());
      if (observer.unit) observer.unit(point, regime, false);
      commit_unit(store, observer, point, r, [&](ResultSink& sink) {
        RunTuning unit_tuning = tuning;
        unit_tuning.checkpoints = store.checkpoints();  // the open unit's (commit_unit has begun it)
        return run_unit(config, *simulator, point, r, sink, unit_tuning);
      });
      ++report.units_run;
    }
  }
  return report;
}

}  // namespace ouro
