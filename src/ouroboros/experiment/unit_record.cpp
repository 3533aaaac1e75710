#include "ouroboros/experiment/unit_record.hpp"

#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

#include "ouroboros/core/archive.hpp"

namespace ouro {

namespace {

enum Event : std::uint8_t { kBegin = 1, kSummary, kBlock, kTrajectory, kForgetting, kEnd };

// Theory citations are string literals where a family makes them, and sinks may key on their address (the store
// caches ids by pointer): a replayed citation gets one address per text for the life of the process.
std::string_view intern(std::string text) {
  static std::mutex mutex;
  static std::set<std::string> texts;
  const std::lock_guard lock(mutex);
  return *texts.insert(std::move(text)).first;
}

struct RowText {
  std::string regime, metric, source;
};

void put_row(ArchiveWriter& w, const SummaryRow& row) {
  w(row.regime, row.generation, row.metric, row.stats, row.theory.lo, row.theory.mid, row.theory.hi,
    static_cast<std::uint8_t>(row.theory.kind), std::string(row.theory.source));
}

SummaryRow get_row(ArchiveReader& r, RowText& text) {
  std::int64_t generation = 0;
  SummaryStats stats;
  TheoryValue theory;
  std::uint8_t kind = 0;
  r(text.regime, generation, text.metric, stats, theory.lo, theory.mid, theory.hi, kind, text.source);
  if (kind > static_cast<std::uint8_t>(TheoryKind::kApproximation)) throw std::runtime_error("unit record: bad theory kind");
  theory.kind = static_cast<TheoryKind>(kind);
  theory.source = text.source.empty() ? std::string_view() : intern(text.source);
  return SummaryRow{text.regime, generation, text.metric, stats, theory};
}

}  // namespace

void RecordingSink::begin_regime(const std::string& regime, KernelKind kernel) {
  ArchiveWriter w;
  w(kBegin, regime, static_cast<std::uint8_t>(kernel));
  bytes_ += w.take();
}

void RecordingSink::summary(const SummaryRow& row) {
  ArchiveWriter w;
  w(kSummary);
  put_row(w, row);
  bytes_ += w.take();
}

void RecordingSink::summary_block(std::span<const SummaryRow> rows) {
  ArchiveWriter w;
  w(kBlock, static_cast<std::uint64_t>(rows.size()));
  for (const auto& row : rows) put_row(w, row);
  bytes_ += w.take();
}

void RecordingSink::trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                               const std::string& metric, double value) {
  ArchiveWriter w;
  w(kTrajectory, regime, replicate, generation, metric, value);
  bytes_ += w.take();
}

void RecordingSink::forgetting(const std::string& regime, std::int64_t replicate, const std::string& item,
                               double original_count, std::int64_t forgotten_at) {
  ArchiveWriter w;
  w(kForgetting, regime, replicate, item, original_count, forgotten_at);
  bytes_ += w.take();
}

void RecordingSink::end_regime(const std::string& regime) {
  ArchiveWriter w;
  w(kEnd, regime);
  bytes_ += w.take();
}

std::size_t replay(std::string_view recording, ResultSink& sink) {
  ArchiveReader r(recording);
  std::size_t records = 0;
  std::string regime, text;
  while (!r.at_end()) {
    std::uint8_t event = 0;
    r(event);
    switch (event) {
      case kBegin: {
        std::uint8_t kernel = 0;
        r(regime, kernel);
        if (kernel > static_cast<std::uint8_t>(KernelKind::kSample)) throw std::runtime_error("unit record: bad kernel");
        sink.begin_regime(regime, static_cast<KernelKind>(kernel));
        break;
      }
      case kSummary: {
        RowText t;
        sink.summary(get_row(r, t));
        ++records;
        break;
      }
      case kBlock: {
        std::uint64_t n = 0;
        r(n);
        if (n > recording.size()) throw std::runtime_error("unit record: bad block size");
        std::vector<RowText> texts(n);  // the rows refer to these strings
        std::vector<SummaryRow> rows;
        rows.reserve(n);
        for (auto& t : texts) rows.push_back(get_row(r, t));
        sink.summary_block(rows);
        records += rows.size();
        break;
      }
      case kTrajectory: {
        std::int64_t replicate = 0, generation = 0;
        double value = 0;
        r(regime, replicate, generation, text, value);
        sink.trajectory(regime, replicate, generation, text, value);
        ++records;
        break;
      }
      case kForgetting: {
        std::int64_t replicate = 0, forgotten_at = 0;
        double original_count = 0;
        r(regime, replicate, text, original_count, forgotten_at);
        sink.forgetting(regime, replicate, text, original_count, forgotten_at);
        ++records;
        break;
      }
      case kEnd:
        r(regime);
        sink.end_regime(regime);
        break;
      default:
        throw std::runtime_error("unit record: unknown event");
    }
  }
  return records;
}

std::string encode_unit(const UnitInfo& unit, const std::string& recording) {
  ArchiveWriter w;
  const RegimeReport& rep = unit.report;
  w(static_cast<std::uint64_t>(unit.point), static_cast<std::uint64_t>(unit.regime_index), unit.regime, unit.threads,
    unit.seconds, unit.family, unit.config);
  w(rep.regime, static_cast<std::uint8_t>(rep.kernel), rep.kernel_note, rep.scheduler, rep.stopped_at,
    static_cast<std::uint64_t>(rep.theory_sources.size()));
  for (const auto& [metric, cited] : rep.theory_sources) {
    w(metric, static_cast<std::uint64_t>(cited.size()));
    for (const auto& c : cited) w(c.kind, c.source);
  }
  w(recording);
  return w.take();
}

UnitInfo decode_unit(std::string_view message, std::string& recording) {
  ArchiveReader r(message);
  UnitInfo unit;
  std::uint64_t point = 0, regime_index = 0, metrics = 0;
  std::uint8_t kernel = 0;
  RegimeReport& rep = unit.report;
  r(point, regime_index, unit.regime, unit.threads, unit.seconds, unit.family, unit.config);
  r(rep.regime, kernel, rep.kernel_note, rep.scheduler, rep.stopped_at, metrics);
  if (kernel > static_cast<std::uint8_t>(KernelKind::kSample) || metrics > message.size())
    throw std::runtime_error("unit record: bad report");
  rep.kernel = static_cast<KernelKind>(kernel);
  for (std::uint64_t m = 0; m < metrics; ++m) {
    std::string metric;
    std::uint64_t n = 0;
    r(metric, n);
    if (n > message.size()) throw std::runtime_error("unit record: bad report");
    auto& cited = rep.theory_sources[metric];
    cited.resize(n);
    for (auto& c : cited) r(c.kind, c.source);
  }
  r(recording);
  if (!r.at_end()) throw std::runtime_error("unit record: trailing bytes");
  unit.point = point;
  unit.regime_index = regime_index;
  return unit;
}

}  // namespace ouro
