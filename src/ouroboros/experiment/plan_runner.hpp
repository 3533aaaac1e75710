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
// throws UserError, naming the point in a sweep. Call it before anything is written.
void check_plan(const Plan& plan);

// Runs the units not yet in the store, point by point (one family at a time, so a sweep's memory does not grow
// with its points).
PlanReport run_plan(const Plan& plan, RecordStore& store, const PlanObserver& observer = {},
                    const RunTuning& tuning = {});

}  // namespace ouro
