#include "ouroboros/io/csv_sink.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ouroboros/core/parallel.hpp"

namespace ouro {

std::string format_number(double x, bool empty_nan) {
  if (std::isnan(x)) return empty_nan ? "" : "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return fmt::format("{}", x);
}

CsvSink::CsvSink(const std::filesystem::path& dir, bool trajectories, bool forgetting, unsigned threads)
    : threads_(std::max(1u, threads)) {
  summary_ = std::make_unique<AtomicFile>(dir / "summary.csv");
  summary_->write("regime,generation,metric,mean,sd,se,q05,q50,q95,theory_lo,theory,theory_hi\n");
  if (trajectories) {
    trajectories_ = std::make_unique<AtomicFile>(dir / "trajectories.csv");
    trajectories_->write("regime,replicate,generation,metric,value\n");
  }
  if (forgetting) {
    forgetting_ = std::make_unique<AtomicFile>(dir / "forgetting.csv");
    forgetting_->write("regime,replicate,symbol,original_count,forgotten_at\n");
  }
}

namespace {
// Regime labels can hold commas ("fresh_mix(real_fraction=0.5)" does not, but symbols from a counts file can).
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

namespace {
void append_number(fmt::memory_buffer& out, double x, bool empty_nan = false) {
  out.push_back(',');
  if (std::isfinite(x))
    fmt::format_to(std::back_inserter(out), "{}", x);
  else if (!(std::isnan(x) && empty_nan))
    fmt::format_to(std::back_inserter(out), "{}", format_number(x));
}
}  // namespace

namespace {
void append_summary(fmt::memory_buffer& out, const SummaryRow& r) {
  const auto& s = r.stats;
  fmt::format_to(std::back_inserter(out), "{},{},{}", csv_field(r.regime), r.generation, csv_field(r.metric));
  for (const double x : {s.mean, s.sd, s.se, s.q05, s.q50, s.q95}) append_number(out, x);
  for (const double x : {r.theory.lo, r.theory.mid, r.theory.hi}) append_number(out, x, true);
  out.push_back('\n');
}
}  // namespace

void CsvSink::summary(const SummaryRow& r) {
  buffer_.clear();
  append_summary(buffer_, r);
  summary_->write(std::string_view(buffer_.data(), buffer_.size()));
}

void CsvSink::summary_block(std::span<const SummaryRow> rows) {
  // Summary rows are the bulk of a long run's output: formatted in contiguous chunks on several threads,
  // then written in order, so the file is the same whatever the thread count.
  const std::size_t chunks = std::min<std::size_t>(std::size_t{4} * threads_, (rows.size() + 255) / 256);
  if (chunks <= 1) {
    for (const auto& r : rows) summary(r);
    return;
  }
  chunks_.resize(chunks);
  parallel_for(threads_, chunks, [&](std::size_t c, unsigned) {
    chunks_[c].clear();
    const std::size_t begin = rows.size() * c / chunks, end = rows.size() * (c + 1) / chunks;
    for (std::size_t i = begin; i < end; ++i) append_summary(chunks_[c], rows[i]);
  });
  for (const auto& chunk : chunks_) summary_->write(std::string_view(chunk.data(), chunk.size()));
}

void CsvSink::trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                         const std::string& metric, double value) {
  if (!trajectories_) return;
  line_ = fmt::format("{},{},{},{},{}\n", csv_field(regime), replicate, generation, csv_field(metric), format_number(value));
  trajectories_->write(line_);
}

void CsvSink::forgetting(const std::string& regime, std::int64_t replicate, const std::string& item,
                         double original_count, std::int64_t forgotten_at) {
  if (!forgetting_) return;
  forgetting_used_ = true;
  line_ = fmt::format("{},{},{},{},{}\n", csv_field(regime), replicate, csv_field(item), format_number(original_count),
                      forgotten_at > 0 ? std::to_string(forgotten_at) : std::string());
  forgetting_->write(line_);
}

std::vector<std::string> CsvSink::commit() {
  std::vector<std::string> written;
  for (auto* f : {summary_.get(), trajectories_.get(), forgetting_.get()}) {
    if (!f) continue;
    if (f == forgetting_.get() && !forgetting_used_) continue;  // destroyed unrenamed: the temp file goes
    f->commit();
    written.push_back(f->path().filename().string());
  }
  return written;
}

}  // namespace ouro
