#pragma once
// results.db: every record of a run in one SQLite file (WAL, one writer, a transaction per finished unit).
//   run(key, value)                   identity (the plan's resolved configuration), version, created_at
//   points(point, point_id, label, config, "<swept key>"...)   one column per swept key
//   units(point, regime_index, regime, status, kernel, kernel_note, theory, family, threads, seconds, error)
//                                     the ledger: status 'done' or 'failed' (with the error)
//   summary(point, regime, generation, metric, mean, sd, se, ci_lo, ci_hi, q05, q50, q95, finite, theory_lo,
//           theory, theory_hi, theory_kind, theory_source)   a view over summary_rows (theory_id instead of the
//                                     last two) and theory_sources(id, kind, source): each citation stored once
//   trajectories(point, regime, replicate, generation, metric, value)           when output.trajectories is on
//   forgetting(point, regime, replicate, symbol, original_count, forgotten_at)  families with symbols: a view over
//                                     forgetting_rows(point, regime, replicate, items), one row per replicate whose
//                                     items is a JSON array of [symbol, original_count, forgotten_at] (one insert
//                                     per replicate instead of one per symbol: W1 has 200,000 symbol rows)
// Beside it, <file>.checkpoints/ holds the checkpoints of replicate-major units not yet committed.
// NaN is stored as NULL; infinities as such. A store made for another plan is refused (UserError naming the
// first difference) unless opened fresh; a file that is not an Ouroboros store, or one another run holds open,
// is refused too.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/experiment/records.hpp"
#include "ouroboros/io/checkpoint_dir.hpp"
#include "ouroboros/io/row_queue.hpp"
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
  ResultSink& begin_unit(std::size_t point, const std::string& regime) override;
  void commit_unit(const UnitInfo& unit) override;
  void abort_unit() override;
  void failed(std::size_t point, const std::string& regime, const std::string& error) override;
  // The open unit's checkpoints: files under <results.db>.checkpoints/, removed when the unit commits.
  CheckpointStore* checkpoints() override { return unit_checkpoints_ ? &*unit_checkpoints_ : nullptr; }
  std::unique_ptr<CheckpointStore> checkpoints_for(std::size_t point, const std::string& regime) override;
  // <directory of results.db>/models/p<point>-<regime>/ (io/model_files.hpp).
  std::unique_ptr<ModelStore> models_for(std::size_t point, const std::string& regime,
                                         const nlohmann::json& header) override;
  std::filesystem::path checkpoint_root() const { return file_.string() + ".checkpoints"; }

  // Replays the stored rows in plan order (point, regime order, generation, metric) into a sink, as a run would
  // have produced them; `point_of` is set to each row's point before it is handed over.
  // `only_point` and `only_regime` (both or neither) restrict it to one unit.
  void replay(ResultSink& sink, std::size_t& point_of, const std::size_t* only_point = nullptr,
              const std::string* only_regime = nullptr) const;
  void replay_unit(std::size_t point, const std::string& regime, ResultSink& sink) const;
  // Per unit, in plan order: point, regime, kernel, kernel_note, theory (JSON), family (JSON), threads.
  nlohmann::json units() const;

 private:
  // One record of the open unit, as the background writer inserts it into the unit's transaction.
  struct StoreRow {
    enum class Kind : std::uint8_t { kSummary, kTrajectory, kForgetting } kind;
    std::string regime, name;  // name: the metric, or the replicate's forgetting items as JSON
    std::int64_t a = 0;        // summary and trajectory: the generation; forgetting: the replicate
    std::int64_t b = 0;        // trajectory: the replicate
    double value = 0;          // trajectory: the value
    SummaryStats stats;
    TheoryValue theory;        // its source is a string literal (family.hpp), so it outlives the row
  };
  // The open unit's rows go to a background thread that inserts them into the unit's transaction, overlapping
  // the computation; commit_unit waits for it.
  class UnitWriter final : public ResultSink {
   public:
    explicit UnitWriter(SqliteStore& store) : store_(store) {}
    void summary(const SummaryRow& row) override;
    void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                    const std::string& metric, double value) override;
    void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item, double original_count,
                    std::int64_t forgotten_at) override;

    void flush_forgetting();  // hands the replicate's forgetting items to the writer thread
    void discard_forgetting();

   private:
    SqliteStore& store_;
    std::string forgetting_regime_, forgetting_items_;  // the open replicate's items, as a JSON array
    std::int64_t forgetting_replicate_ = -1;
  };
  // On the writer thread.
  static constexpr std::size_t kSummaryGroup = 32;  // 32 x 17 = 544 variables, below SQLite's limit of 32766
  static constexpr int kSummaryColumns = 17;
  void insert_batch(const std::vector<StoreRow>& rows);
  void insert(const StoreRow& row);
  void bind_summary(sqlite3_stmt* s, int offset, const StoreRow& row);

  void exec(const std::string& sql) const;
  std::int64_t theory_id(TheoryKind kind, std::string_view source);
  struct CachedTheory {
    const char* data;
    std::size_t size;
    TheoryKind kind;
    std::int64_t id;
  };
  std::vector<CachedTheory> theory_cache_;
  std::int64_t last_rowid(const char* table) const;
  UnitWriter writer_{*this};
  std::int64_t point_ = 0;
  std::filesystem::path unit_checkpoint_dir(std::size_t point, const std::string& regime) const;
  std::string checkpoint_stamp_;  // the build and the plan's identity: a checkpoint is restored only under both
  std::optional<CheckpointDir> unit_checkpoints_;
  std::int64_t first_[3] = {0, 0, 0};  // first rowid of the open unit in summary, trajectories, forgetting
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  sqlite3_stmt* insert_summary_ = nullptr;
  sqlite3_stmt* insert_summary_group_ = nullptr;
  sqlite3_stmt* insert_trajectory_ = nullptr;
  sqlite3_stmt* insert_forgetting_ = nullptr;
  std::unique_ptr<RowQueue<StoreRow>> queue_;  // the only user of db_ while a unit streams its rows
};

}  // namespace ouro
