#include "ouroboros/io/sqlite_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <iterator>
#include <cmath>
#include <ctime>
#include <cstring>
#include <stdexcept>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/stream_layout.hpp"
#include "ouroboros/io/model_files.hpp"
#include "ouroboros/io/sqlite_statement.hpp"
#include "ouroboros/version.hpp"

namespace ouro {

using namespace sqlite;

namespace {

constexpr int kApplicationId = 0x4F55524F;  // "OURO"
constexpr int kSchemaVersion = 3;  // 2: summary is a view over summary_rows and theory_sources; 3: forgetting over
                                   // forgetting_rows (a JSON array per replicate)

// The first place where two configurations differ, as "path: stored X, now Y".
std::string first_difference(const nlohmann::json& stored, const nlohmann::json& now, const std::string& path) {
  if (stored.type() != now.type() || (!stored.is_object() && !stored.is_array()))
    return stored == now ? "" : fmt::format("{}: stored {}, now {}", path.empty() ? "(root)" : path, stored.dump(), now.dump());
  if (stored.is_array()) {
    if (stored.size() != now.size())
      return fmt::format("{}: stored {} entries, now {}", path.empty() ? "points" : path, stored.size(), now.size());
    for (std::size_t i = 0; i < stored.size(); ++i) {
      const auto d = first_difference(stored[i], now[i], path.empty() ? fmt::format("point {}", i) : fmt::format("{}[{}]", path, i));
      if (!d.empty()) return d;
    }
    return "";
  }
  const auto join = [&](const std::string& key) {
    if (path.empty()) return key;
    return path + (path.rfind("point ", 0) == 0 && path.find(':') == std::string::npos ? ": " : ".") + key;
  };
  for (auto it = stored.begin(); it != stored.end(); ++it) {
    const std::string p = join(it.key());
    if (!now.contains(it.key())) return fmt::format("{}: stored {}, now absent", p, it.value().dump());
    const auto d = first_difference(it.value(), now[it.key()], p);
    if (!d.empty()) return d;
  }
  for (auto it = now.begin(); it != now.end(); ++it)
    if (!stored.contains(it.key())) return fmt::format("{}: absent before, now {}", join(it.key()), it.value().dump());
  return "";
}

}  // namespace

void SqliteStore::exec(const std::string& sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    if (message.find("locked") != std::string::npos || message.find("busy") != std::string::npos)
      throw UserError(fmt::format("{}: in use by another run (wait for it, or use another output.dir)", file_.string()));
    if (message.find("not a database") != std::string::npos)
      throw UserError(fmt::format("{}: not an Ouroboros results store (a file of another kind); use another output.dir",
                                  file_.string()));
    const int sys = sqlite3_system_errno(db_);
    throw std::runtime_error(fmt::format("results store {}: {}{}{}", file_.string(), message, sys ? ": " : "",
                                         sys ? std::strerror(sys) : ""));
  }
}

SqliteStore::SqliteStore(const std::filesystem::path& file, const Plan& plan, bool fresh) : file_(file) {
  std::error_code ec;
  if (fresh)
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(file.string() + suffix, ec);
  const bool existed = std::filesystem::exists(file);
  // Checkpoints belong to a store: a new store starts without any (a stale directory left beside a deleted one).
  if (!existed) std::filesystem::remove_all(checkpoint_root(), ec);
  checkpoint_stamp_ = fmt::format("ouroboros-checkpoint {} {} {:016x}", kVersion, kGitHash,
                                  std::hash<std::string>{}(plan.identity().dump()));
  // NOMUTEX: one thread uses the connection at a time, so SQLite need not lock a mutex around every call (that
  // was a measurable share of a long run's inserts).
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(fmt::format("{}: cannot open the results store: {}", file.string(), message));
  }
  try {
    // One writer: the exclusive lock is taken by the first write and held until the store is closed.
    exec("PRAGMA locking_mode = EXCLUSIVE");
    // A rollback journal, not a write-ahead log: a unit's rows are written to the store once, at its commit (or as
    // the page cache spills), where a log writes them twice, to the log and again when it is checkpointed into the
    // store on close. A killed process leaves the journal behind, and the next open rolls the unfinished unit back.
    exec("PRAGMA journal_mode = DELETE");
    // Without a sync a killed process loses nothing committed; only a power failure could.
    exec("PRAGMA synchronous = OFF");
    int application_id = 0, tables = 0;
    {
      Statement s(db_, "PRAGMA application_id");
      if (s.step()) application_id = sqlite3_column_int(s.get(), 0);
    }
    {
      Statement s(db_, "SELECT count(*) FROM sqlite_master");
      if (s.step()) tables = sqlite3_column_int(s.get(), 0);
    }
    // A database without a single table holds nothing to lose: it is a store whose first run was killed before
    // its first commit (or an empty file), and is taken over. One with tables must be ours.
    if (existed && tables > 0 && application_id != kApplicationId)
      throw UserError(fmt::format("{}: not an Ouroboros results store; use another output.dir, or --fresh to replace it",
                                  file.string()));
    exec("BEGIN IMMEDIATE");
    const std::string identity = plan.identity().dump();
    if (tables == 0) {
      exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
      exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
      exec("CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT)");
      std::string swept;
      for (const auto& k : plan.swept_keys) swept += fmt::format(", \"{}\"", k);
      exec("CREATE TABLE points (point INTEGER PRIMARY KEY, point_id TEXT, label TEXT, config TEXT" + swept + ")");
      exec("CREATE TABLE units (point INTEGER, regime_index INTEGER, regime TEXT, status TEXT, kernel TEXT, "
           "kernel_note TEXT, theory TEXT, family TEXT, config TEXT, threads INTEGER, seconds REAL, error TEXT, "
           "summary_first INTEGER, summary_last INTEGER, trajectories_first INTEGER, trajectories_last INTEGER, "
           "forgetting_first INTEGER, forgetting_last INTEGER, stopped_at INTEGER, PRIMARY KEY (point, regime))");
      // A theory's citation is long (100-200 characters) and the same on thousands of rows: it is stored once, and
      // the view `summary` shows it on every row.
      exec("CREATE TABLE theory_sources (id INTEGER PRIMARY KEY, kind TEXT, source TEXT, UNIQUE (kind, source))");
      exec("CREATE TABLE summary_rows (point INTEGER, regime TEXT, generation INTEGER, metric TEXT, mean REAL, "
           "sd REAL, se REAL, ci_lo REAL, ci_hi REAL, q05 REAL, q50 REAL, q95 REAL, finite INTEGER, theory_lo REAL, "
           "theory REAL, theory_hi REAL, theory_id INTEGER)");
      exec("CREATE VIEW summary AS SELECT s.point, s.regime, s.generation, s.metric, s.mean, s.sd, s.se, s.ci_lo, "
           "s.ci_hi, s.q05, s.q50, s.q95, s.finite, s.theory_lo, s.theory, s.theory_hi, t.kind AS theory_kind, "
           "t.source AS theory_source FROM summary_rows s LEFT JOIN theory_sources t ON t.id = s.theory_id");
      exec("CREATE TABLE trajectories (point INTEGER, regime TEXT, replicate INTEGER, generation INTEGER, metric TEXT, "
           "value REAL)");
      exec("CREATE TABLE forgetting_rows (point INTEGER, regime TEXT, replicate INTEGER, items TEXT)");
      exec("CREATE VIEW forgetting AS SELECT f.point, f.regime, f.replicate, json_extract(j.value, '$[0]') AS symbol, "
           "CAST(json_extract(j.value, '$[1]') AS REAL) AS original_count, json_extract(j.value, '$[2]') AS "
           "forgotten_at FROM forgetting_rows f, json_each(f.items) j");
      {
        Statement s(db_, "INSERT INTO run VALUES (?, ?)");
        const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
                 {"identity", identity}, {"ouroboros_version", kVersion}, {"git_commit", kGitHash}, {"created_at", stamp},
                 {"stream_layout", std::to_string(kStreamLayout)},
                 {"swept_keys", nlohmann::json(plan.swept_keys).dump()}, {"seed_mode", plan.seed_mode}}) {
          bind_text(s.get(), 1, k);
          bind_text(s.get(), 2, v);
          run_step(db_, s.get());
        }
      }
      std::string marks;
      for (std::size_t i = 0; i < plan.swept_keys.size(); ++i) marks += ", ?";
      Statement s(db_, "INSERT INTO points VALUES (?, ?, ?, ?" + marks + ")");
      for (const auto& p : plan.points) {
        sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(p.index));
        bind_text(s.get(), 2, p.id);
        bind_text(s.get(), 3, p.label());
        bind_text(s.get(), 4, results_identity(p.config).dump());
        for (std::size_t i = 0; i < plan.swept_keys.size(); ++i) {
          const auto& v = p.values[plan.swept_keys[i]];
          const int col = static_cast<int>(5 + i);
          if (v.is_number_integer())
            sqlite3_bind_int64(s.get(), col, v.get<sqlite3_int64>());
          else if (v.is_number())
            sqlite3_bind_double(s.get(), col, v.get<double>());
          else if (v.is_string())
            bind_text(s.get(), col, v.get<std::string>());
          else
            bind_text(s.get(), col, v.dump());
        }
        run_step(db_, s.get());
      }
    } else {
      {
        Statement v(db_, "PRAGMA user_version");
        const int version = v.step() ? sqlite3_column_int(v.get(), 0) : 0;
        if (version != kSchemaVersion)
          throw UserError(fmt::format("{} was written by another version of Ouroboros (store schema {}, this version "
                                      "writes {}); run with --fresh to start over, or use another output.dir",
                                      file.string(), version, kSchemaVersion));
      }
      Statement s(db_, "SELECT value FROM run WHERE key = 'identity'");
      const std::string stored = s.step() ? column_text(s.get(), 0) : "";
      if (stored != identity) {
        const auto diff = first_difference(nlohmann::json::parse(stored.empty() ? "null" : stored), plan.identity(), "");
        throw UserError(fmt::format("{} holds the results of another configuration ({}); run with --fresh to start "
                                    "over (its results are deleted), or use another output.dir",
                                    file.string(), diff.empty() ? "the stored identity differs" : diff));
      }
      // Stores from before the layout was recorded have layout 1.
      Statement l(db_, "SELECT value FROM run WHERE key = 'stream_layout'");
      const std::string layout = l.step() ? column_text(l.get(), 0) : "1";
      if (layout != std::to_string(kStreamLayout))
        throw UserError(fmt::format(
            "{} was made with random-stream layout {}, and this version of Ouroboros draws with layout {}: the "
            "rest of the run would not reproduce. Finish it with the version that made it (README, \"Reproducing "
            "old results\"), or run with --fresh to start over",
            file.string(), layout, kStreamLayout));
    }
    exec("COMMIT");
    const auto prepare = [&](const char* sql, sqlite3_stmt** out) {
      if (sqlite3_prepare_v2(db_, sql, -1, out, nullptr) != SQLITE_OK)
        throw std::runtime_error(fmt::format("results store: {}", store_error(db_)));
    };
    prepare("INSERT INTO summary_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &insert_summary_);
    {
      std::string group = "INSERT INTO summary_rows VALUES ";
      for (std::size_t j = 0; j < kSummaryGroup; ++j)
        group += std::string(j ? ", " : "") + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      prepare(group.c_str(), &insert_summary_group_);
    }
    prepare("INSERT INTO trajectories VALUES (?, ?, ?, ?, ?, ?)", &insert_trajectory_);
    prepare("INSERT INTO forgetting_rows VALUES (?, ?, ?, ?)", &insert_forgetting_);
    queue_ = std::make_unique<RowQueue<StoreRow>>([this](std::vector<StoreRow>& rows) { insert_batch(rows); });
    // A run killed between a unit's commit and the removal of its checkpoints left them behind: they go now.
    if (existed)
      for (const auto& p : plan.points)
        for (const auto& r : p.config.regimes)
          if (done(p.index, r.name())) std::filesystem::remove_all(unit_checkpoint_dir(p.index, r.name()), ec);
    if (std::filesystem::is_empty(checkpoint_root(), ec)) std::filesystem::remove(checkpoint_root(), ec);
  } catch (...) {
    sqlite3_finalize(insert_summary_);
    sqlite3_finalize(insert_summary_group_);
    sqlite3_finalize(insert_trajectory_);
    sqlite3_finalize(insert_forgetting_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteStore::~SqliteStore() {
  queue_.reset();  // its thread stops before the connection closes
  sqlite3_finalize(insert_summary_);
  sqlite3_finalize(insert_summary_group_);
  sqlite3_finalize(insert_trajectory_);
  sqlite3_finalize(insert_forgetting_);
  sqlite3_close(db_);
}

bool SqliteStore::done(std::size_t point, const std::string& regime) const {
  Statement s(db_, "SELECT status FROM units WHERE point = ? AND regime = ?");
  sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(point));
  bind_text(s.get(), 2, regime);
  return s.step() && column_text(s.get(), 0) == "done";
}

std::int64_t SqliteStore::last_rowid(const char* table) const {
  Statement s(db_, fmt::format("SELECT coalesce(max(rowid), 0) FROM {}", table));
  s.step();
  return sqlite3_column_int64(s.get(), 0);
}

std::filesystem::path SqliteStore::unit_checkpoint_dir(std::size_t point, const std::string& regime) const {
  return checkpoint_root() / unit_directory_name(point, regime);
}

std::unique_ptr<ModelStore> SqliteStore::models_for(std::size_t point, const std::string& regime,
                                                    const nlohmann::json& header) {
  return std::make_unique<ModelDir>(file_.parent_path() / "models" / unit_directory_name(point, regime), header);
}

std::unique_ptr<CheckpointStore> SqliteStore::checkpoints_for(std::size_t point, const std::string& regime) {
  return std::make_unique<CheckpointDir>(unit_checkpoint_dir(point, regime), checkpoint_stamp_);
}

ResultSink& SqliteStore::begin_unit(std::size_t point, const std::string& regime) {
  unit_checkpoints_.emplace(unit_checkpoint_dir(point, regime), checkpoint_stamp_);
  exec("BEGIN IMMEDIATE");
  point_ = static_cast<std::int64_t>(point);
  first_[0] = last_rowid("summary_rows") + 1;
  first_[1] = last_rowid("trajectories") + 1;
  first_[2] = last_rowid("forgetting_rows") + 1;
  return writer_;
}

void SqliteStore::UnitWriter::summary(const SummaryRow& r) {
  store_.queue_->push({StoreRow::Kind::kSummary, r.regime, r.metric, r.generation, 0, 0, r.stats, r.theory});
}

void SqliteStore::UnitWriter::trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                                         const std::string& metric, double value) {
  store_.queue_->push({StoreRow::Kind::kTrajectory, regime, metric, generation, replicate, value, {}, {}});
}

namespace {
// A JSON string of any bytes: '"', '\\' and control characters escaped, every other byte kept, so that
// json_extract gives the label back byte for byte (SQLite's JSON reader does not check UTF-8).
void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  out += '"';
}
}  // namespace

void SqliteStore::UnitWriter::forgetting(const std::string& regime, std::int64_t replicate, const std::string& item,
                                         double original_count, std::int64_t forgotten_at) {
  if (replicate != forgetting_replicate_ || regime != forgetting_regime_) {
    flush_forgetting();
    forgetting_regime_ = regime;
    forgetting_replicate_ = replicate;
  }
  forgetting_items_ += forgetting_items_.empty() ? "[[" : ",[";
  append_json_string(forgetting_items_, item);
  // Shortest round-trip text: the stored count is the double itself (JSON has no NaN: null).
  if (std::isfinite(original_count))
    fmt::format_to(std::back_inserter(forgetting_items_), ",{}", original_count);
  else
    forgetting_items_ += ",null";
  if (forgotten_at > 0)
    fmt::format_to(std::back_inserter(forgetting_items_), ",{}]", forgotten_at);
  else
    forgetting_items_ += ",null]";
}

void SqliteStore::UnitWriter::flush_forgetting() {
  if (forgetting_items_.empty()) return;
  forgetting_items_ += ']';
  store_.queue_->push({StoreRow::Kind::kForgetting, forgetting_regime_, std::move(forgetting_items_),
                       forgetting_replicate_, 0, 0, {}, {}});
  discard_forgetting();
}

void SqliteStore::UnitWriter::discard_forgetting() {
  forgetting_items_.clear();
  forgetting_regime_.clear();
  forgetting_replicate_ = -1;
}

// Strings are bound SQLITE_STATIC: each outlives the step that reads it.
void SqliteStore::bind_summary(sqlite3_stmt* s, int offset, const StoreRow& r) {
  const auto text = [](sqlite3_stmt* st, int col, const std::string& t) {
    sqlite3_bind_text(st, col, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
  };
  sqlite3_bind_int64(s, offset + 1, point_);
  text(s, offset + 2, r.regime);
  sqlite3_bind_int64(s, offset + 3, r.a);
  text(s, offset + 4, r.name);
  int col = offset + 5;
  for (const double x : {r.stats.mean, r.stats.sd, r.stats.se, r.stats.ci_lo, r.stats.ci_hi, r.stats.q05, r.stats.q50,
                         r.stats.q95})
    bind_real(s, col++, x);
  sqlite3_bind_int64(s, col++, r.stats.finite);
  for (const double x : {r.theory.lo, r.theory.mid, r.theory.hi}) bind_real(s, col++, x);
  if (r.theory.kind != TheoryKind::kNone || !r.theory.source.empty())
    sqlite3_bind_int64(s, col, theory_id(r.theory.kind, r.theory.source));
  else
    sqlite3_bind_null(s, col);
}

// A batch from the queue: runs of kSummaryGroup summary rows go in by one multi-row statement (a third of the
// statement overhead per row in W2's 70,000 rows), the rest row by row.
void SqliteStore::insert_batch(const std::vector<StoreRow>& rows) {
  std::size_t i = 0;
  while (i < rows.size()) {
    std::size_t run = 0;
    while (run < kSummaryGroup && i + run < rows.size() && rows[i + run].kind == StoreRow::Kind::kSummary) ++run;
    if (run == kSummaryGroup) {
      for (std::size_t j = 0; j < run; ++j) bind_summary(insert_summary_group_, static_cast<int>(j) * kSummaryColumns, rows[i + j]);
      run_step(db_, insert_summary_group_);
      i += run;
    } else {
      insert(rows[i++]);
    }
  }
}

void SqliteStore::insert(const StoreRow& r) {
  const auto text = [](sqlite3_stmt* s, int col, const std::string& t) {
    sqlite3_bind_text(s, col, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
  };
  sqlite3_stmt* s = nullptr;
  switch (r.kind) {
    case StoreRow::Kind::kSummary:
      s = insert_summary_;
      bind_summary(s, 0, r);
      break;
    case StoreRow::Kind::kTrajectory:
      s = insert_trajectory_;
      sqlite3_bind_int64(s, 1, point_);
      text(s, 2, r.regime);
      sqlite3_bind_int64(s, 3, r.b);
      sqlite3_bind_int64(s, 4, r.a);
      text(s, 5, r.name);
      bind_real(s, 6, r.value);
      break;
    case StoreRow::Kind::kForgetting:
      s = insert_forgetting_;
      sqlite3_bind_int64(s, 1, point_);
      text(s, 2, r.regime);
      sqlite3_bind_int64(s, 3, r.a);
      text(s, 4, r.name);
      break;
  }
  run_step(db_, s);
}

// A citation's row in theory_sources. Families cite string literals, so a run's rows point at a handful of
// addresses: those are looked up first, the text only on a miss.
std::int64_t SqliteStore::theory_id(TheoryKind kind, std::string_view source) {
  for (const auto& c : theory_cache_)
    if (c.data == source.data() && c.size == source.size() && c.kind == kind) return c.id;
  const std::string_view kind_name = theory_kind_name(kind);
  Statement insert(db_, "INSERT OR IGNORE INTO theory_sources (kind, source) VALUES (?, ?)");
  Statement select(db_, "SELECT id FROM theory_sources WHERE kind IS ? AND source IS ?");
  for (Statement* st : {&insert, &select}) {
    if (kind_name.empty()) sqlite3_bind_null(st->get(), 1);
    else sqlite3_bind_text(st->get(), 1, kind_name.data(), static_cast<int>(kind_name.size()), SQLITE_STATIC);
    if (source.empty()) sqlite3_bind_null(st->get(), 2);
    else sqlite3_bind_text(st->get(), 2, source.data(), static_cast<int>(source.size()), SQLITE_STATIC);
  }
  insert.step();
  if (!select.step()) throw std::runtime_error("results store: a theory source could not be stored");
  const std::int64_t id = sqlite3_column_int64(select.get(), 0);
  // Only addresses that stay valid (the families' literals) are worth keeping; a replayed row's text is a
  // temporary, so the cache is bounded and cleared whenever a unit is rolled back.
  if (theory_cache_.size() < 256) theory_cache_.push_back({source.data(), source.size(), kind, id});
  return id;
}

void SqliteStore::commit_unit(const UnitInfo& unit) {
  try {
    writer_.flush_forgetting();
    queue_->drain();  // every row of the unit is in its transaction
    nlohmann::json theory = nlohmann::json::object();
    for (const auto& [metric, cited] : unit.report.theory_sources)
      for (const auto& c : cited) theory[metric].push_back({{"kind", c.kind}, {"source", c.source}});
    Statement s(db_, "INSERT OR REPLACE INTO units VALUES (?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(unit.point));
    sqlite3_bind_int64(s.get(), 2, static_cast<sqlite3_int64>(unit.regime_index));
    bind_text(s.get(), 3, unit.regime);
    bind_text(s.get(), 4, kernel_name(unit.report.kernel));
    bind_text(s.get(), 5, unit.report.kernel_note);
    bind_text(s.get(), 6, theory.dump());
    bind_text(s.get(), 7, unit.family);
    bind_text(s.get(), 8, unit.config);
    sqlite3_bind_int64(s.get(), 9, unit.threads);
    sqlite3_bind_double(s.get(), 10, unit.seconds);
    const sqlite3_int64 ranges[] = {first_[0], last_rowid("summary_rows"), first_[1], last_rowid("trajectories"), first_[2],
                                    last_rowid("forgetting_rows")};
    for (int i = 0; i < 6; ++i) sqlite3_bind_int64(s.get(), 11 + i, ranges[i]);
    if (unit.report.stopped_at >= 0) sqlite3_bind_int64(s.get(), 17, unit.report.stopped_at);
    s.step();
    exec("COMMIT");
    // The unit's records are in: its checkpoints are no longer needed (a failure to remove them is harmless).
    std::error_code ec;
    if (unit_checkpoints_) std::filesystem::remove_all(unit_checkpoints_->dir(), ec);
    if (std::filesystem::is_empty(checkpoint_root(), ec)) std::filesystem::remove(checkpoint_root(), ec);
    unit_checkpoints_.reset();
  } catch (...) {
    abort_unit();
    throw;
  }
}

void SqliteStore::abort_unit() {
  writer_.discard_forgetting();
  if (queue_) queue_->discard();
  theory_cache_.clear();  // ids made inside the rolled-back transaction are gone
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteStore::failed(std::size_t point, const std::string& regime, const std::string& error) {
  abort_unit();
  Statement s(db_, "INSERT OR REPLACE INTO units (point, regime, status, error) VALUES (?, ?, 'failed', ?)");
  sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(point));
  bind_text(s.get(), 2, regime);
  bind_text(s.get(), 3, error);
  s.step();
}

}  // namespace ouro
