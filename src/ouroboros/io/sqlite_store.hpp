#pragma once
// results.db: every record of a run in one SQLite file (WAL, one writer, a transaction per finished unit).
//   run(key, value)                   identity (the plan's resolved configuration), version, created_at
//   points(point, point_id, label, config, "<swept key>"...)   one column per swept key
//   units(point, regime_index, regime, status, kernel, kernel_note, theory, family, threads, seconds, error)
//                                     the ledger: status 'done' or 'failed' (with the error)
//   summary(point, regime, generation, metric, mean, sd, se, ci_lo, ci_hi, q05, q50, q95, finite, theory_lo,
//           theory, theory_hi, theory_kind, theory_source)
//   trajectories(point, regime, replicate, generation, metric, value)           when output.trajectories is on
//   forgetting(point, regime, replicate, symbol, original_count, forgotten_at)  families with symbols
// NaN is stored as NULL; infinities as such. A store made for another plan is refused (UserError naming the
// first difference) unless opened fresh; a file that is not an Ouroboros store, or one another run holds open,
// is refused too.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/experiment/records.hpp"
#include "ouroboros/experiment/sink.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ouro {

class SqliteStore final : public RecordStore {
 public:
  // fresh: an existing file is deleted first (--fresh).
  SqliteStore(const std::filesystem::path& file, const Plan& plan, bool fresh);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  bool done(std::size_t point, const std::string& regime) const override;
  void commit(const UnitRecords& unit) override;
  void failed(std::size_t point, const std::string& regime, const std::string& error) override;

  // Replays the stored rows in plan order (point, regime order, generation, metric) into a sink, as a run would
  // have produced them; `point_of` is set to each row's point before it is handed over.
  void replay(ResultSink& sink, std::size_t& point_of) const;
  // Per unit, in plan order: point, regime, kernel, kernel_note, theory (JSON), family (JSON), threads.
  nlohmann::json units() const;

 private:
  void exec(const std::string& sql) const;
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  sqlite3_stmt* insert_summary_ = nullptr;
  sqlite3_stmt* insert_trajectory_ = nullptr;
  sqlite3_stmt* insert_forgetting_ = nullptr;
};

}  // namespace ouro
