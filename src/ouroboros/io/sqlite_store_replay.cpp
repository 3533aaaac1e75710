// The results store's reading side: the finished units' records, replayed into a sink (CSV files, tables, a
// report) in plan order, and the units' descriptions.
#include <sqlite3.h>

#include <string>
#include <vector>

#include "ouroboros/io/sqlite_statement.hpp"
#include "ouroboros/io/sqlite_store.hpp"

namespace ouro {

using namespace sqlite;

namespace {

TheoryKind kind_of(const std::string& name) {
  for (const auto k : {TheoryKind::kExact, TheoryKind::kBound, TheoryKind::kApproximation})
    if (theory_kind_name(k) == name) return k;
  return TheoryKind::kNone;
}

}  // namespace

nlohmann::json SqliteStore::units() const {
  nlohmann::json out = nlohmann::json::array();
  Statement s(db_, "SELECT point, regime, kernel, kernel_note, theory, family, threads, config, stopped_at FROM units "
                   "WHERE status = 'done' ORDER BY point, regime_index");
  while (s.step()) {
    nlohmann::json u{{"point", sqlite3_column_int64(s.get(), 0)}, {"regime", column_text(s.get(), 1)},
                     {"kernel", column_text(s.get(), 2)}, {"theory", nlohmann::json::parse(column_text(s.get(), 4))},
                     {"family", nlohmann::json::parse(column_text(s.get(), 5))}, {"threads", sqlite3_column_int64(s.get(), 6)},
                     {"config", nlohmann::json::parse(column_text(s.get(), 7))}};
    if (const auto note = column_text(s.get(), 3); !note.empty()) u["kernel_note"] = note;
    if (sqlite3_column_type(s.get(), 8) != SQLITE_NULL) u["stopped_at"] = sqlite3_column_int64(s.get(), 8);
    out.push_back(std::move(u));
  }
  return out;
}

void SqliteStore::replay_unit(std::size_t point, const std::string& regime, ResultSink& sink) const {
  std::size_t point_of = 0;
  replay(sink, point_of, &point, &regime);
}

void SqliteStore::replay(ResultSink& sink, std::size_t& point_of, const std::size_t* only_point,
                         const std::string* only_regime) const {
  Statement units(db_, std::string("SELECT point, regime, kernel, summary_first, summary_last, trajectories_first, "
                                   "trajectories_last, forgetting_first, forgetting_last FROM units WHERE status = "
                                   "'done'") +
                           (only_point ? " AND point = ? AND regime = ?" : "") + " ORDER BY point, regime_index");
  if (only_point) {
    sqlite3_bind_int64(units.get(), 1, static_cast<sqlite3_int64>(*only_point));
    bind_text(units.get(), 2, *only_regime);
  }
  Statement summary(db_, "SELECT s.generation, s.metric, s.mean, s.sd, s.se, s.ci_lo, s.ci_hi, s.q05, s.q50, s.q95, "
                         "s.finite, s.theory_lo, s.theory, s.theory_hi, t.kind, t.source FROM summary_rows s LEFT JOIN "
                         "theory_sources t ON t.id = s.theory_id WHERE s.rowid BETWEEN ? AND ? ORDER BY s.rowid");
  Statement trajectories(db_, "SELECT replicate, generation, metric, value FROM trajectories WHERE rowid BETWEEN ? "
                              "AND ? ORDER BY rowid");
  Statement forgetting(db_, "SELECT f.replicate, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), "
                            "json_extract(j.value, '$[2]') FROM forgetting_rows f, json_each(f.items) j WHERE f.rowid "
                            "BETWEEN ? AND ? ORDER BY f.rowid, j.key");
  while (units.step()) {
    point_of = static_cast<std::size_t>(sqlite3_column_int64(units.get(), 0));
    const std::string regime = column_text(units.get(), 1);
    sink.begin_regime(regime, column_text(units.get(), 2) == "sample" ? KernelKind::kSample : KernelKind::kStatistics);
    const auto range = [&](Statement& st, int first) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, sqlite3_column_int64(units.get(), first));
      sqlite3_bind_int64(st.get(), 2, sqlite3_column_int64(units.get(), first + 1));
    };
    range(summary, 3);
    // In blocks, so that the sink can format them in parallel (CsvSink::summary_block).
    constexpr std::size_t kBlock = 8192;
    std::vector<std::string> metrics, sources;
    std::vector<std::pair<std::int64_t, std::pair<SummaryStats, TheoryValue>>> values;
    std::vector<SummaryRow> rows;
    const auto flush = [&] {
      rows.clear();
      for (std::size_t i = 0; i < values.size(); ++i) {
        TheoryValue t = values[i].second.second;
        t.source = sources[i];
        rows.push_back(SummaryRow{regime, values[i].first, metrics[i], values[i].second.first, t});
      }
      sink.summary_block(rows);
      metrics.clear();
      sources.clear();
      values.clear();
    };
    while (summary.step()) {
      sqlite3_stmt* q = summary.get();
      SummaryStats st{column_real(q, 2), column_real(q, 3), column_real(q, 4), column_real(q, 7), column_real(q, 8),
                      column_real(q, 9), column_real(q, 5), column_real(q, 6), sqlite3_column_int64(q, 10)};
      TheoryValue t;
      t.lo = column_real(q, 11);
      t.mid = column_real(q, 12);
      t.hi = column_real(q, 13);
      t.kind = kind_of(column_text(q, 14));
      metrics.push_back(column_text(q, 1));
      sources.push_back(column_text(q, 15));
      values.push_back({sqlite3_column_int64(q, 0), {st, t}});
      if (values.size() == kBlock) flush();
    }
    if (!values.empty()) flush();
    range(trajectories, 5);
    while (trajectories.step()) {
      sqlite3_stmt* q = trajectories.get();
      sink.trajectory(regime, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), column_text(q, 2),
                      column_real(q, 3));
    }
    range(forgetting, 7);
    while (forgetting.step()) {
      sqlite3_stmt* q = forgetting.get();
      sink.forgetting(regime, sqlite3_column_int64(q, 0), column_text(q, 1), column_real(q, 2),
                      sqlite3_column_type(q, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 3));
    }
    sink.end_regime(regime);
  }
}

}  // namespace ouro
