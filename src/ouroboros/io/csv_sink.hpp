#pragma once
// The CSV outputs of a run, each written atomically into the output directory:
//   summary.csv      regime,generation,metric,mean,sd,se,ci_lo,ci_hi,q05,q50,q95,finite,theory_lo,theory,theory_hi,
//                    theory_kind,theory_source
//   trajectories.csv regime,replicate,generation,metric,value            (when enabled)
//   forgetting.csv   regime,replicate,symbol,original_count,forgotten_at (families with items)
// In a sweep every file starts with a `point` column (points.csv maps it to the swept values).
// Numbers are written in the shortest form that reads back to the same double; inf, -inf and nan as such;
// an empty cell where no theory applies, and an empty forgotten_at when the item survived the horizon.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "ouroboros/experiment/sink.hpp"
#include "ouroboros/io/atomic_file.hpp"

namespace ouro {

class CsvSink final : public ResultSink {
 public:
  // point: when given (a sweep), every file gets a first column `point` holding *point at the time of the row.
  // header = false: rows only (a chunk of a file, joined later by join_csv_chunks). durable = false: the files are
  // not synced to disk before they are renamed into place (see AtomicFile).
  CsvSink(const std::filesystem::path& dir, bool trajectories, bool forgetting, unsigned threads = 1,
          const std::size_t* point = nullptr, bool header = true, bool durable = true);
  void summary(const SummaryRow& row) override;
  void summary_block(std::span<const SummaryRow> rows) override;  // formats on `threads` workers
  void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                  const std::string& metric, double value) override;
  void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item, double original_count,
                  std::int64_t forgotten_at) override;
  // Renames every file into place; files never written to (e.g. forgetting.csv for a Gaussian) are dropped.
  std::vector<std::string> commit();

 private:
  void begin_row(fmt::memory_buffer& out) const;
  std::unique_ptr<AtomicFile> summary_, trajectories_, forgetting_;
  const std::size_t* point_ = nullptr;
  bool forgetting_used_ = false;
  fmt::memory_buffer buffer_;
  unsigned threads_;
  std::vector<fmt::memory_buffer> chunks_;
};

// Writes dir/NAME for NAME in summary.csv, trajectories.csv, forgetting.csv: the header of a CsvSink (with a point
// column when `point_column`), then each chunk directory's NAME in order; a NAME found in no chunk is not written.
// The files are finished (synced) but not published: they are appended to `staged`, and the caller renames the
// whole set into place at once. Returns the names.
std::vector<std::string> join_csv_chunks(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& chunks,
                                         bool point_column, std::vector<std::unique_ptr<AtomicFile>>& staged);


// Appends one CSV field, quoted only when it holds a comma, quote or newline.
void append_csv_field(fmt::memory_buffer& out, std::string_view field);

// Shortest round-trip text of a double; "" for NaN when `empty_nan` (theory cells).
std::string format_number(double x, bool empty_nan = false);

}  // namespace ouro
