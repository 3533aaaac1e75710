#pragma once
// A plan run by several processes (MPI ranks): rank 0 opens the store and hands out work units one at a time
// (dynamic assignment: units differ widely in cost, a neural fit against a Bernoulli chain), runs units itself on
// a second thread, and writes every finished unit; the other ranks run the units they are given and send back
// each unit's records (unit_record.hpp). Every random number is addressed by (seed, replicate, generation,
// stream), so a unit's records do not depend on the rank that ran it: the store equals a one-process run's,
// row for row, for any number of ranks. The store's ledger makes resume work as in one process, with any number
// of ranks; a rank that dies takes only its unfinished unit with it. Units run without checkpoints here (they
// would have to travel to rank 0): a killed unit restarts from generation 0.
//
// A generation-major unit can also be spread over every rank by replicates (Spread): rank k simulates replicates
// [kR/P, (k+1)R/P) and sends its rows to rank 0 block by block; rank 0 summarises every replicate's values, so
// means and quantiles are those of one process, and writes the unit's records as they come.
#include <functional>

#include "ouroboros/experiment/plan_runner.hpp"
#include "ouroboros/experiment/transport.hpp"

namespace ouro {

// Message tags (rank > 0 <-> rank 0). Every rank must hold the same plan: the front end sends rank 0's (kTagPlan)
// before the units start.
// A spread unit adds kTagRows (a share's rows of a block), kTagGoOn (rank 0: whether another block follows) and
// kTagForgetting (a share's forgetting records, at the end).
enum DistributedTag : int {
  kTagRequest = 1, kTagAssign, kTagResult, kTagError, kTagPlan, kTagRows, kTagGoOn, kTagForgetting
};

// What rank 0 has written so far: units, and the records (summary, trajectory and forgetting rows) with the time
// spent writing them (replayed into the store and the unit's files, commit included): the writer's throughput.
// A spread unit's records are written while it runs, so they count in units_done but not in records.
struct DistributedProgress {
  std::size_t units_done = 0, units_total = 0;
  std::size_t units_spread = 0;  // of units_done: spread over every rank by replicates
  std::size_t records = 0;
  double write_seconds = 0;
};

// How units go to ranks. Dynamic (the default): the next pending unit to whichever rank asks, so a rank that drew
// a long unit is not also handed its share of the rest. Static: unit i to rank i mod P (kept for comparison; see
// the README's measurement on a skewed sweep).
enum class Assignment { kDynamic, kStatic };

// Which units are spread over every rank by replicates. Auto (the default): when fewer units are left than there
// are ranks, each generation-major one with at least one replicate per rank (a single point of 10^6 replicates);
// otherwise whole units go to ranks, which sends no rows. Always: every such unit. Never: none.
enum class Spread { kAuto, kAlways, kNever };

// Over how many processes a point's units may be spread, for check_plan's memory check: `ranks` when Spread can
// spread units at all (always; auto with fewer units in the plan than ranks), else 1.
std::size_t spread_processes(const Plan& plan, int ranks, Spread spread);

// What a run over several processes cannot do yet (output.checkpoints): UserError.
void check_single_process(const Plan& plan);

// Rank 0. `progress` (optional) is called after each unit is committed.
PlanReport run_plan_distributed(const Plan& plan, RecordStore& store, const PlanObserver& observer,
                                const RunTuning& tuning, Transport& transport,
                                const std::function<void(const DistributedProgress&)>& progress = {},
                                Assignment assignment = Assignment::kDynamic, Spread spread = Spread::kAuto);

// Ranks > 0: runs the units rank 0 hands out until it says stop. An error (a data file this rank cannot read) is
// sent to rank 0, which stops the run with it. Throws RunCancelled when `tuning.cancel` fires.
void serve_plan(const Plan& plan, const RunTuning& tuning, Transport& transport);

}  // namespace ouro
