#pragma once
// The terminal side of a run: a compact table per regime on stdout (simulation mean +- se beside theory at a
// few generations) and progress on stderr (only when stderr is a terminal, the run is longer than two seconds,
// and --quiet is off). Forwards every row to the file sink.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ouroboros/experiment/config.hpp"
#include "ouroboros/experiment/sink.hpp"

namespace ouro {

// Prints to stdout (or `out`) unless an earlier print found it closed: `ouroboros run ... | head` must not lose
// the run when the reader goes away (SIGPIPE is ignored; the table is dropped, the files are still written).
bool output_closed();
void mark_output_closed();
template <class... Args>
void say(std::FILE* out, fmt::format_string<Args...> format, Args&&... args) {
  if (output_closed()) return;
  try {
    fmt::print(out, format, std::forward<Args>(args)...);
  } catch (const std::system_error&) {
    mark_output_closed();
  }
}
template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
  say(stdout, format, std::forward<Args>(args)...);
}

class TerminalSink final : public ResultSink {
 public:
  TerminalSink(const ExperimentConfig& config, ResultSink& files, bool quiet, std::FILE* out);
  void begin_regime(const std::string& regime, KernelKind kernel) override;
  void summary(const SummaryRow& row) override;
  void summary_block(std::span<const SummaryRow> rows) override;
  void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                  const std::string& metric, double value) override;
  void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item, double original_count,
                  std::int64_t forgotten_at) override;
  void end_regime(const std::string& regime) override;
  bool progress(std::size_t regime_index, std::int64_t generation) override;

 private:
  void add_table_line(const SummaryRow& row);
  const ExperimentConfig& config_;
  ResultSink& files_;
  bool quiet_, show_progress_;
  std::FILE* out_;
  std::set<std::int64_t> shown_;
  std::vector<std::string> lines_;
  std::chrono::steady_clock::time_point start_, last_progress_;
  bool progress_printed_ = false;
};

// The generations shown in the table when output.table is not set: 1, 2, 5, 10, 20, 50, ... and the last.
std::set<std::int64_t> default_table_generations(std::int64_t generations);

// Set by SIGINT/SIGTERM; the next progress() call stops the run.
void install_interrupt_handler();
bool interrupted();
int interrupt_signal();  // the signal that interrupted (SIGINT or SIGTERM), 0 if none

}  // namespace ouro
