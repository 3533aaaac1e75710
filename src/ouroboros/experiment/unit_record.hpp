#pragma once
// A work unit's records as bytes: what a unit run on one process (an MPI rank) sends to the process that writes
// the store. RecordingSink takes the rows a unit produces, in order; replay() hands them to another sink (the
// store's, the CSV chunk's, the terminal's) in the same order and with the same values, bit for bit, so a unit
// run elsewhere writes exactly the rows it would have written in place. encode_unit/decode_unit carry the
// unit's report (UnitInfo) beside them.
#include <string>

#include "ouroboros/experiment/records.hpp"
#include "ouroboros/experiment/sink.hpp"

namespace ouro {

class RecordingSink final : public ResultSink {
 public:
  void begin_regime(const std::string& regime, KernelKind kernel) override;
  void summary(const SummaryRow& row) override;
  void summary_block(std::span<const SummaryRow> rows) override;
  void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation, const std::string& metric,
                  double value) override;
  void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item, double original_count,
                  std::int64_t forgotten_at) override;
  void end_regime(const std::string& regime) override;

  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Hands the recorded rows to `sink`, in the order they were recorded, and returns how many records (summary,
// trajectory and forgetting rows) it handed on. Throws std::runtime_error on bytes that are not a recording.
std::size_t replay(std::string_view recording, ResultSink& sink);

// A finished unit: its report and its recorded rows, as one message.
std::string encode_unit(const UnitInfo& unit, const std::string& recording);
UnitInfo decode_unit(std::string_view message, std::string& recording);

}  // namespace ouro
