#pragma once
// Where a run's results go. The runner knows nothing of files: io/ implements the CSV sinks, the CLI the
// terminal table and progress, tests collect rows in memory.
#include <cstdint>
#include <span>
#include <string>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/experiment/summary.hpp"

namespace ouro {

struct SummaryRow {
  const std::string& regime;
  std::int64_t generation;
  const std::string& metric;
  SummaryStats stats;
  TheoryValue theory;  // NaN where no result applies
};

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void begin_regime(const std::string& regime, KernelKind kernel) { (void)regime, (void)kernel; }
  virtual void summary(const SummaryRow& row) = 0;
  // A block of rows in output order (generation, then metric); sinks may override it to work in parallel.
  virtual void summary_block(std::span<const SummaryRow> rows) {
    for (const auto& row : rows) summary(row);
  }
  virtual void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                          const std::string& metric, double value) {
    (void)regime, (void)replicate, (void)generation, (void)metric, (void)value;
  }
  // forgotten_at = 0: not forgotten within the horizon.
  virtual void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item,
                          double original_count, std::int64_t forgotten_at) {
    (void)regime, (void)replicate, (void)item, (void)original_count, (void)forgotten_at;
  }
  virtual void end_regime(const std::string& regime) { (void)regime; }
  // Called between blocks of generations; returning true stops the run (RunCancelled is thrown).
  virtual bool progress(std::size_t regime_index, std::int64_t generation) {
    (void)regime_index, (void)generation;
    return false;
  }
};

}  // namespace ouro
