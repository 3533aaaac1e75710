#pragma once
// The store interface the plan runner writes through (io/ implements it with SQLite). A work unit (a point and a
// regime) streams its rows into the store between begin_unit and commit_unit and becomes visible only at
// commit_unit, whole, so an interrupted run keeps every finished unit and a resumed run recomputes only the
// others; memory does not grow with the unit's rows.
#include <cstdint>
#include <memory>
#include <string>

#include "ouroboros/experiment/runner.hpp"
#include "ouroboros/experiment/sink.hpp"

namespace ouro {

struct UnitInfo {
  std::size_t point = 0;
  std::size_t regime_index = 0;
  std::string regime;
  RegimeReport report;
  unsigned threads = 1;
  double seconds = 0;
  std::string family;  // the bound family's describe(), as JSON text (for the manifest)
  std::string config;  // the point's resolved configuration once bound (samples = "real" resolved)
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  virtual bool done(std::size_t point, const std::string& regime) const = 0;
  // Opens the unit; the returned sink takes its rows (summary, trajectories, forgetting) until commit or abort.
  virtual ResultSink& begin_unit(std::size_t point, const std::string& regime) = 0;
  virtual void commit_unit(const UnitInfo& unit) = 0;
  virtual void abort_unit() = 0;  // drops the open unit's rows
  virtual void failed(std::size_t point, const std::string& regime, const std::string& error) = 0;
  // The open unit's checkpoint store (replicate-major scheduler), kept across interrupted runs until the unit
  // commits; null: this store keeps no checkpoints.
  virtual CheckpointStore* checkpoints() { return nullptr; }
  // The checkpoint store of a unit that is not open yet (units of a point run side by side, then commit one by
  // one): the same checkpoints the unit has once begun. Null: this store keeps no checkpoints.
  virtual std::unique_ptr<CheckpointStore> checkpoints_for(std::size_t, const std::string&) { return nullptr; }
  // Where a unit keeps its models for output.checkpoints; `header` describes the unit (see io/model_files.hpp).
  // Null: this store keeps no model files.
  virtual std::unique_ptr<ModelStore> models_for(std::size_t, const std::string&, const nlohmann::json&) {
    return nullptr;
  }
};

}  // namespace ouro
