#pragma once
// run_plan: the library call behind `ouroboros run` (and, later, Python and MPI). Every (point, regime) unit not
// yet in the store is run and committed whole; units already there are skipped, so running an interrupted plan
// again finishes it with the same records as an uninterrupted run.
#include <functional>

#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/experiment/records.hpp"
#include "ouroboros/experiment/runner.hpp"
#include "ouroboros/experiment/sink.hpp"

namespace ouro {

// What a front end sees while the plan runs: the units it starts or skips, and each unit's rows (for a table).
// `sink` gets every summary row and the progress calls; returning true from progress() cancels (RunCancelled).
struct PlanObserver {
  std::function<void(const Point&, const Regime&, bool skipped)> unit;
  ResultSink* sink = nullptr;  // may be null
  // Optional: a sink of the unit's own that gets every row of the unit (e.g. files written beside the store),
  // and a call once the unit is committed to the store.
  std::function<ResultSink*(const Point&, std::size_t regime_index)> begin_unit;
  std::function<void(const Point&, std::size_t regime_index)> end_unit;
};

struct PlanReport {
  std::size_t units_run = 0, units_skipped = 0;
};

// Builds and binds every point's family (bind_samples, check_against_family) and drops it again: bad input
// throws UserError, naming the point in a sweep. Call it before anything is written. `processes`: as bind_point's.
void check_plan(const Plan& plan, std::size_t processes = 1);

// Runs the units not yet in the store, point by point (one family at a time, so a sweep's memory does not grow
// with its points).
PlanReport run_plan(const Plan& plan, RecordStore& store, const PlanObserver& observer = {},
                    const RunTuning& tuning = {});

// How many of a point's `pending` units run_plan runs side by side (1: one after another): replicate-major units
// (heavy families, or scheduler = "replicate") whose replicates leave threads idle, each on its share of the
// threads, as many as their memory estimates allow together. Their records are those of a sequential run.
std::size_t units_at_once(const ExperimentConfig& config, const Simulator& simulator, std::size_t pending);

// The pieces of run_plan that a distributed run shares (distributed_runner.hpp):
// the point's family, built and bound (bad input: UserError naming the point in a sweep), its memory checked for
// one of `processes` processes when its units can be spread over them (spreads_over);
std::unique_ptr<Simulator> bind_point(ExperimentConfig& config, const Point& point, bool sweep,
                                      std::size_t processes = 1);
// whether a unit of this bound config can be spread over that many processes by replicates: generation-major, with
// at least one replicate per process;
bool spreads_over(const ExperimentConfig& config, const Simulator& simulator, std::size_t processes);
// one unit (regime r of the point) run into `sink`, with its report;
UnitInfo run_unit(const ExperimentConfig& config, const Simulator& simulator, const Point& point, std::size_t r,
                  ResultSink& sink, const RunTuning& tuning);
// and one unit written to the store: `produce` hands its rows to the sink (the store's, the observer's and the
// unit's files) and returns its report; the unit is committed whole, or aborted (and marked failed unless
// cancelled) when `produce` throws.
void commit_unit(RecordStore& store, const PlanObserver& observer, const Point& point, std::size_t r,
                 const std::function<UnitInfo(ResultSink&)>& produce);

}  // namespace ouro
