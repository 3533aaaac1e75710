#pragma once
// The loop of DESIGN.md, generic over families: for each regime, replicates x generations, with metrics
// summarised across replicates generation by generation. Generations run in blocks, so memory does not grow
// with the number of generations (only with replicates x family state), and every summary row is handed to
// the sink as soon as its block is done.
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/experiment/config.hpp"
#include "ouroboros/experiment/sink.hpp"

namespace ouro {

struct TheoryCitation {
  std::string kind;    // exact, bound, approximation
  std::string source;  // the citation
  bool operator==(const TheoryCitation&) const = default;
};

struct RegimeReport {
  std::string regime;
  KernelKind kernel = KernelKind::kStatistics;
  std::string kernel_note;  // why the kernel differs from the one requested, if it does
  std::string scheduler;  // "generation" or "replicate" (the results do not depend on it)
  std::int64_t stopped_at = -1;  // experiment.until: the generation where the event held in every replicate; -1: never
  // metric -> every distinct result shown for it, in order of first use (generation 1 may cite another)
  std::map<std::string, std::vector<TheoryCitation>> theory_sources;
};

struct RunReport {
  std::vector<RegimeReport> regimes;
  unsigned threads = 1;
  std::vector<std::string> metrics;  // family metrics, then thresholds, in output order
};

// Where a replicate-major unit keeps its chains' checkpoints until the unit is committed (records.hpp's stores
// provide one per unit).
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // Replaces the last checkpoint of that regime's replicate.
  virtual void save(const std::string& regime, std::uint64_t replicate, const std::string& bytes) = 0;
  virtual std::optional<std::string> load(const std::string& regime, std::uint64_t replicate) const = 0;
};

// Where a unit keeps its fitted models when output.checkpoints asks for them (records.hpp's stores provide one per
// unit): one file per replicate and generation, rewritten with the same bytes when a resumed run repeats a generation.
class ModelStore {
 public:
  virtual ~ModelStore() = default;
  // `model`: the model's archive (Chain::save_model).
  virtual void save(std::uint64_t replicate, std::int64_t generation, const std::string& model) = 0;
};

// One generation-major regime spread over several processes by replicates (distributed_runner.cpp). Every
// process simulates its own replicates, [begin, end); the lead process receives the others' rows block by block
// and alone writes the records, which are therefore those of one process (chains are addressed by their
// absolute replicate index, and the summaries see every replicate's values). Called from the thread that runs
// the regime, never from its workers.
class ReplicateExchange {
 public:
  virtual ~ReplicateExchange() = default;
  virtual std::size_t begin() const = 0;
  virtual std::size_t end() const = 0;
  virtual std::size_t processes() const = 0;  // that share the unit
  virtual bool lead() const = 0;
  // A block of `len` generations simulated. `values` is len x replicates x columns, this process's replicates
  // filled in: the lead gets the other processes' rows into theirs, the others send theirs.
  virtual void block(std::int64_t len, std::size_t replicates, std::size_t columns, std::span<double> values) = 0;
  // After each block: whether the run goes on (experiment.until, a cancelled lead). The lead says it, the
  // others learn it.
  virtual bool go_on(bool lead_says) = 0;
  // At the end (output.forgetting): each replicate's generation of forgetting per item (replicates x items) and
  // its original counts, gathered at the lead as the rows are.
  virtual void forgetting(std::size_t items, std::span<std::int32_t> forgotten_at,
                          std::vector<std::vector<double>>& original) = 0;
};

// How the work is cut, and what may stop it: never the results (tests vary these to prove it).
struct RunTuning {
  std::size_t block_bytes = std::size_t{4} << 20;  // metric values held per block of generations
  CheckpointStore* checkpoints = nullptr;          // replicate-major: where chains are saved (null: nowhere)
  ModelStore* models = nullptr;                    // where every generation's model is kept (null: nowhere)
  CancelToken cancel;                              // polled between generations and inside long fits
  FitProgress fit_progress;                        // optional, from worker threads: a fit's fraction done
  ReplicateExchange* exchange = nullptr;           // generation-major only: this process's share of replicates
};

RunReport run_experiment(const ExperimentConfig& config, const Simulator& simulator, ResultSink& sink,
                         const RunTuning& tuning = {});

// Whether a unit runs replicate-major (scheduler = "replicate", or "auto" with a heavy family).
bool replicate_major(const ExperimentConfig& config, const Simulator& simulator);

// experiment.memory_limit in bytes, or without one the memory available now.
double memory_limit_bytes(const ExperimentConfig& config);

// Estimated peak memory of running one regime of a bound config: its chains (Simulator::chain_bytes, all of them
// generation-major, the concurrent ones replicate-major), the metric values held (a block, or every generation
// replicate-major), forgetting records and summary scratch. An estimate, not a bound: allocator overhead and the
// family's shared data (a corpus, an image pool) are not counted. `processes` > 1: a generation-major unit spread
// over that many processes by replicates (ReplicateExchange); the estimate is then one process's, with the chains
// of the largest share.
double estimate_bytes(const ExperimentConfig& config, const Simulator& simulator, const Regime& regime,
                      std::size_t processes = 1);

// Throws UserError when a regime's estimate exceeds experiment.memory_limit (GiB) or, without one, the memory
// available now (MemAvailable): the message gives the estimate, the limit, and which keys to change.
void check_memory(const ExperimentConfig& config, const Simulator& simulator, std::size_t processes = 1);

}  // namespace ouro
