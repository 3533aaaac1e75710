#include "terminal_sink.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>

#include "ouroboros/io/csv_sink.hpp"

namespace ouro {

namespace {
std::atomic<int> g_signal{0};
// The first SIGINT or SIGTERM asks the run to stop after saving its finished work; a second one exits at once
// (_exit is async-signal-safe; what was committed stays committed, stale temporary files are removed next run).
extern "C" void on_signal(int signal) {
  if (g_signal != 0) ::_exit(128 + signal);
  g_signal = signal;
}

std::string number(double x) {
  if (std::isnan(x)) return "nan";
  return fmt::format("{:.6g}", x);
}
}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}
bool interrupted() { return g_signal != 0; }

namespace {
std::atomic<bool> g_output_closed{false};
}  // namespace
bool output_closed() { return g_output_closed; }
void mark_output_closed() { g_output_closed = true; }
int interrupt_signal() { return g_signal; }

std::set<std::int64_t> default_table_generations(std::int64_t generations) {
  std::set<std::int64_t> out;
  for (std::int64_t scale = 1; scale <= generations; scale *= 10)
    for (const std::int64_t step : {1, 2, 5})
      if (scale * step <= generations) out.insert(scale * step);
  out.insert(generations);
  return out;
}

TerminalSink::TerminalSink(const ExperimentConfig& config, ResultSink& files, bool quiet, std::FILE* out)
    : config_(config), files_(files), quiet_(quiet), show_progress_(!quiet && ::isatty(STDERR_FILENO)), out_(out) {
  if (config.table_generations.empty())
    shown_ = default_table_generations(config.generations);
  else
    shown_.insert(config.table_generations.begin(), config.table_generations.end());
  start_ = last_progress_ = std::chrono::steady_clock::now();
}

void TerminalSink::begin_regime(const std::string& regime, KernelKind kernel) {
  files_.begin_regime(regime, kernel);
  lines_.clear();
  if (quiet_) return;
  say(out_, "\n== {}  ({} kernel, {} replicates, seed {}) ==\n", regime, kernel_name(kernel), config_.replicates,
             config_.seed);
  say(out_, "{:>10}  {:<16} {:>28}  {}\n", "generation", "metric", "simulation mean ± se", "theory");
}

void TerminalSink::summary(const SummaryRow& row) {
  files_.summary(row);
  add_table_line(row);
}

void TerminalSink::summary_block(std::span<const SummaryRow> rows) {
  files_.summary_block(rows);
  for (const auto& row : rows) add_table_line(row);
}

void TerminalSink::add_table_line(const SummaryRow& row) {
  if (quiet_ || !shown_.count(row.generation)) return;
  std::string theory;
  const auto& t = row.theory;
  // "= x" for an exact mean, "≈ x" for an approximation, "[lo, hi]" for bounds.
  if (!std::isnan(t.mid)) theory = (t.kind == TheoryKind::kApproximation ? "≈ " : "= ") + number(t.mid);
  if (!std::isnan(t.lo) || !std::isnan(t.hi))
    theory += fmt::format("{}[{}, {}]", theory.empty() ? "" : "  ", std::isnan(t.lo) ? "" : number(t.lo),
                          std::isnan(t.hi) ? "" : number(t.hi));
  const std::string sim = row.generation == 0 ? number(row.stats.mean) + " (truth)"
                                              : number(row.stats.mean) + " ± " + number(row.stats.se);
  lines_.push_back(fmt::format("{:>10}  {:<16} {:>28}  {}\n", row.generation, row.metric, sim, theory));
}

void TerminalSink::trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                              const std::string& metric, double value) {
  files_.trajectory(regime, replicate, generation, metric, value);
}

void TerminalSink::forgetting(const std::string& regime, std::int64_t replicate, const std::string& item,
                              double original_count, std::int64_t forgotten_at) {
  files_.forgetting(regime, replicate, item, original_count, forgotten_at);
}

void TerminalSink::end_regime(const std::string& regime) {
  files_.end_regime(regime);
  if (progress_printed_) {
    fmt::print(stderr, "\r{:60}\r", "");
    progress_printed_ = false;
  }
  for (const auto& line : lines_) say(out_, "{}", line);
  std::fflush(out_);
}

bool TerminalSink::progress(std::size_t regime_index, std::int64_t generation) {
  if (interrupted()) return true;
  if (!show_progress_) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(2) || now - last_progress_ < std::chrono::milliseconds(200)) return false;
  last_progress_ = now;
  progress_printed_ = true;
  fmt::print(stderr, "\r  regime {}/{}: generation {}/{}   ", regime_index + 1, config_.regimes.size(), generation,
             config_.generations);
  return false;
}

}  // namespace ouro
