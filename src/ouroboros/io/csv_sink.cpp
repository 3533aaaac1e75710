#include "ouroboros/io/csv_sink.hpp"

#include <fmt/compile.h>
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

namespace {
constexpr std::string_view kSummaryHeader =
    "regime,generation,metric,mean,sd,se,ci_lo,ci_hi,q05,q50,q95,finite,theory_lo,theory,theory_hi,theory_kind,"
    "theory_source\n";
constexpr std::string_view kTrajectoriesHeader = "regime,replicate,generation,metric,value\n";
constexpr std::string_view kForgettingHeader = "regime,replicate,symbol,original_count,forgotten_at\n";
}  // namespace

std::vector<std::string> join_csv_chunks(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& chunks,
                                         bool point_column, std::vector<std::unique_ptr<AtomicFile>>& staged) {
  std::vector<std::string> written;
  for (const auto& [name, header] : {std::pair{"summary.csv", kSummaryHeader},
                                     std::pair{"trajectories.csv", kTrajectoriesHeader},
                                     std::pair{"forgetting.csv", kForgettingHeader}}) {
    if (std::none_of(chunks.begin(), chunks.end(), [&, file_name = name](const auto& c) { return std::filesystem::exists(c / file_name); }))
      continue;
    auto file = std::make_unique<AtomicFile>(dir / name);
    AtomicFile& out = *file;
    if (point_column) out.write("point,");
    out.write(header);
    std::vector<char> buffer(std::size_t{1} << 20);
    for (const auto& c : chunks) {
      std::FILE* in = std::fopen((c / name).c_str(), "rb");
      if (!in) continue;
      for (std::size_t got; (got = std::fread(buffer.data(), 1, buffer.size(), in)) > 0;)
        out.write(std::string_view(buffer.data(), got));
      std::fclose(in);
    }
    out.finish();
    staged.push_back(std::move(file));
    written.push_back(name);
  }
  return written;
}

CsvSink::CsvSink(const std::filesystem::path& dir, bool trajectories, bool forgetting, unsigned threads,
                 const std::size_t* point, bool header, bool durable)
    : point_(point), threads_(std::max(1u, threads)) {
  const std::string_view lead = point && header ? "point," : "";
  summary_ = std::make_unique<AtomicFile>(dir / "summary.csv", durable);
  summary_->write(lead);
  if (header) summary_->write(kSummaryHeader);
  if (trajectories) {
    trajectories_ = std::make_unique<AtomicFile>(dir / "trajectories.csv", durable);
    trajectories_->write(lead);
    if (header) trajectories_->write(kTrajectoriesHeader);
  }
  if (forgetting) {
    forgetting_ = std::make_unique<AtomicFile>(dir / "forgetting.csv", durable);
    forgetting_->write(lead);
    if (header) forgetting_->write(kForgettingHeader);
  }
}

// A field is quoted only when it holds a comma, quote or newline (symbols from a counts file can).
void append_csv_field(fmt::memory_buffer& out, std::string_view s) {
  // One pass, not find_first_of (a memchr over the three characters for every character): a theory citation of
  // 100-200 characters is on every summary row.
  if (std::none_of(s.begin(), s.end(), [](char c) { return c == ',' || c == '"' || c == '\n'; })) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (const char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

namespace {
void append_number(fmt::memory_buffer& out, double x, bool empty_nan = false) {
  out.push_back(',');
  if (std::isfinite(x))
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), x);
  else if (!(std::isnan(x) && empty_nan))
    fmt::format_to(std::back_inserter(out), "{}", format_number(x));
}
}  // namespace

namespace {
void append_summary(fmt::memory_buffer& out, const SummaryRow& r) {
  const auto& s = r.stats;
  append_csv_field(out, r.regime);
  fmt::format_to(std::back_inserter(out), FMT_COMPILE(",{},"), r.generation);
  append_csv_field(out, r.metric);
  for (const double x : {s.mean, s.sd, s.se, s.ci_lo, s.ci_hi, s.q05, s.q50, s.q95}) append_number(out, x);
  fmt::format_to(std::back_inserter(out), FMT_COMPILE(",{}"), s.finite);
  for (const double x : {r.theory.lo, r.theory.mid, r.theory.hi}) append_number(out, x, true);
  out.push_back(',');
  out.append(theory_kind_name(r.theory.kind));
  out.push_back(',');
  append_csv_field(out, r.theory.source);
  out.push_back('\n');
}
}  // namespace

void CsvSink::begin_row(fmt::memory_buffer& out) const {
  if (point_) fmt::format_to(std::back_inserter(out), FMT_COMPILE("{},"), *point_);
}

void CsvSink::summary(const SummaryRow& r) {
  buffer_.clear();
  begin_row(buffer_);
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
    for (std::size_t i = begin; i < end; ++i) {
      begin_row(chunks_[c]);
      append_summary(chunks_[c], rows[i]);
    }
  });
  for (const auto& chunk : chunks_) summary_->write(std::string_view(chunk.data(), chunk.size()));
}

void CsvSink::trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                         const std::string& metric, double value) {
  if (!trajectories_) return;
  buffer_.clear();
  begin_row(buffer_);
  append_csv_field(buffer_, regime);
  fmt::format_to(std::back_inserter(buffer_), FMT_COMPILE(",{},{},"), replicate, generation);
  append_csv_field(buffer_, metric);
  append_number(buffer_, value);
  buffer_.push_back('\n');
  trajectories_->write(std::string_view(buffer_.data(), buffer_.size()));
}

void CsvSink::forgetting(const std::string& regime, std::int64_t replicate, const std::string& item,
                         double original_count, std::int64_t forgotten_at) {
  if (!forgetting_) return;
  forgetting_used_ = true;
  buffer_.clear();
  begin_row(buffer_);
  append_csv_field(buffer_, regime);
  fmt::format_to(std::back_inserter(buffer_), FMT_COMPILE(",{},"), replicate);
  append_csv_field(buffer_, item);
  append_number(buffer_, original_count);
  buffer_.push_back(',');
  if (forgotten_at > 0) fmt::format_to(std::back_inserter(buffer_), FMT_COMPILE("{}"), forgotten_at);
  buffer_.push_back('\n');
  forgetting_->write(std::string_view(buffer_.data(), buffer_.size()));
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
