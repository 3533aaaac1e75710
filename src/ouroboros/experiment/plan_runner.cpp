#include "ouroboros/experiment/plan_runner.hpp"

#include <chrono>
#include <map>

#include "ouroboros/core/error.hpp"

namespace ouro {

namespace {

// Collects one unit's rows (owned copies) and forwards summary rows and progress to the front end's sink.
class UnitSink final : public ResultSink {
 public:
  UnitSink(UnitRecords& unit, ResultSink* forward) : unit_(unit), forward_(forward) {}

  void begin_regime(const std::string& regime, KernelKind kernel) override {
    if (forward_) forward_->begin_regime(regime, kernel);
  }
  void summary(const SummaryRow& row) override {
    const auto& t = row.theory;
    unit_.summary.push_back(SummaryRecord{row.generation, metric(row.metric), row.stats, t.lo, t.mid, t.hi, t.kind,
                                          std::string(t.source)});
    if (forward_) forward_->summary(row);
  }
  void summary_block(std::span<const SummaryRow> rows) override {
    for (const auto& row : rows) {
      const auto& t = row.theory;
      unit_.summary.push_back(SummaryRecord{row.generation, metric(row.metric), row.stats, t.lo, t.mid, t.hi, t.kind,
                                            std::string(t.source)});
    }
    if (forward_) forward_->summary_block(rows);
  }
  void trajectory(const std::string&, std::int64_t replicate, std::int64_t generation, const std::string& name,
                  double value) override {
    unit_.trajectories.push_back(TrajectoryRecord{replicate, generation, metric(name), value});
  }
  void forgetting(const std::string&, std::int64_t replicate, const std::string& item, double original_count,
                  std::int64_t forgotten_at) override {
    unit_.forgetting.push_back(ForgettingRecord{replicate, item, original_count, forgotten_at});
  }
  void end_regime(const std::string& regime) override {
    if (forward_) forward_->end_regime(regime);
  }
  bool progress(std::size_t regime_index, std::int64_t generation) override {
    return forward_ && forward_->progress(regime_index, generation);
  }

 private:
  std::uint32_t metric(const std::string& name) {
    const auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    unit_.metrics.push_back(name);
    return index_[name] = static_cast<std::uint32_t>(unit_.metrics.size() - 1);
  }
  UnitRecords& unit_;
  ResultSink* forward_;
  std::map<std::string, std::uint32_t> index_;
};

std::unique_ptr<Simulator> bind(ExperimentConfig& config, const Point& point, bool sweep) {
  try {
    auto simulator = make_simulator(config.truth_family, config.model_family);
    bind_samples(config, *simulator);
    check_against_family(config, *simulator);
    return simulator;
  } catch (const UserError& e) {
    if (!sweep) throw;
    throw UserError("sweep point " + std::to_string(point.index) + " (" + point.label() + "): " + e.what());
  }
}

}  // namespace

void check_plan(const Plan& plan) {
  for (const auto& point : plan.points) {
    ExperimentConfig config = point.config;
    bind(config, point, plan.sweep());
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
      if (!simulator) simulator = bind(config, point, plan.sweep());
      if (observer.unit) observer.unit(point, regime, false);
      ExperimentConfig one = config;
      one.regimes = {regime};
      UnitRecords unit;
      unit.point = point.index;
      unit.regime_index = r;
      unit.regime = name;
      UnitSink sink(unit, observer.sink);
      const auto start = std::chrono::steady_clock::now();
      try {
        const RunReport run = run_experiment(one, *simulator, sink, tuning);
        unit.report = run.regimes.front();
        unit.threads = run.threads;
      } catch (const std::exception& e) {
        if (dynamic_cast<const RunCancelled*>(&e) == nullptr) store.failed(point.index, name, e.what());
        throw;
      }
      unit.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      unit.family = simulator->describe().dump();
      unit.config = config.resolved.dump();
      store.commit(unit);
      ++report.units_run;
    }
  }
  return report;
}

}  // namespace ouro
