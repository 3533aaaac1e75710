#pragma once
// The records of one work unit (a point and a regime), held until the unit is finished and handed to a store
// as a whole; and the store interface the plan runner writes through (io/ implements it with SQLite).
#include <cstdint>
#include <string>
#include <vector>

#include "ouroboros/experiment/runner.hpp"
#include "ouroboros/experiment/summary.hpp"

namespace ouro {

struct SummaryRecord {
  std::int64_t generation;
  std::uint32_t metric;  // index into UnitRecords::metrics
  SummaryStats stats;
  double theory_lo, theory, theory_hi;
  TheoryKind theory_kind;
  std::string theory_source;
};

struct TrajectoryRecord {
  std::int64_t replicate, generation;
  std::uint32_t metric;
  double value;
};

struct ForgettingRecord {
  std::int64_t replicate;
  std::string item;
  double original_count;
  std::int64_t forgotten_at;  // 0: not forgotten within the horizon
};

struct UnitRecords {
  std::size_t point = 0;
  std::size_t regime_index = 0;
  std::string regime;
  RegimeReport report;
  unsigned threads = 1;
  double seconds = 0;
  std::vector<std::string> metrics;  // names, in output order
  std::string family;                // the bound family's describe(), as JSON text (for the manifest)
  std::string config;                // the point's resolved configuration once bound (samples = "real" resolved)
  std::vector<SummaryRecord> summary;
  std::vector<TrajectoryRecord> trajectories;
  std::vector<ForgettingRecord> forgetting;
};

// Where finished units go. A unit is committed whole or not at all, so an interrupted run keeps every finished
// unit and a resumed run recomputes only the others.
class RecordStore {
 public:
  virtual ~RecordStore() = default;
  virtual bool done(std::size_t point, const std::string& regime) const = 0;
  virtual void commit(const UnitRecords& unit) = 0;
  virtual void failed(std::size_t point, const std::string& regime, const std::string& error) = 0;
};

}  // namespace ouro
