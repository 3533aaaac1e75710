#pragma once
// The loop of DESIGN.md, generic over families: for each regime, replicates x generations, with metrics
// summarised across replicates generation by generation. Generations run in blocks, so memory does not grow
// with the number of generations (only with replicates x family state), and every summary row is handed to
// the sink as soon as its block is done.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/experiment/config.hpp"
#include "ouroboros/experiment/sink.hpp"

namespace ouro {

class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("run cancelled") {}
};

struct TheoryCitation {
  std::string kind;    // exact, bound, approximation
  std::string source;  // the citation
  bool operator==(const TheoryCitation&) const = default;
};

struct RegimeReport {
  std::string regime;
  KernelKind kernel;
  std::string kernel_note;  // why the kernel differs from the one requested, if it does
  std::int64_t stopped_at = -1;  // experiment.until: the generation where the event held in every replicate; -1: never
  // metric -> every distinct result shown for it, in order of first use (generation 1 may cite another)
  std::map<std::string, std::vector<TheoryCitation>> theory_sources;
};

struct RunReport {
  std::vector<RegimeReport> regimes;
  unsigned threads = 1;
  std::vector<std::string> metrics;  // family metrics, then thresholds, in output order
};

// Internal knobs that change how the work is cut, never the results (tests vary them to prove it).
struct RunTuning {
  std::size_t block_bytes = std::size_t{4} << 20;  // metric values held per block of generations
};

RunReport run_experiment(const ExperimentConfig& config, const Simulator& simulator, ResultSink& sink,
                         const RunTuning& tuning = {});

}  // namespace ouro
