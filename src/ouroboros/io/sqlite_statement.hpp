#pragma once
// The results store's SQLite helpers (sqlite_store.cpp, sqlite_store_replay.cpp): a prepared statement, binding and
// reading values (NaN as NULL), and SQLite's message with the operating system's reason. Included by the store's
// sources only.
#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace ouro::sqlite {

// SQLite's message, with the operating system's reason when there is one ("disk I/O error: No space left on
// device").
inline std::string store_error(sqlite3* db) {
  const int sys = sqlite3_system_errno(db);
  return sys != 0 ? fmt::format("{}: {}", sqlite3_errmsg(db), std::strerror(sys)) : std::string(sqlite3_errmsg(db));
}

// A prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK)
      throw std::runtime_error(fmt::format("results store: {} ({})", sqlite3_errmsg(db), sql));
  }
  ~Statement() { sqlite3_finalize(s_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() { return s_; }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw std::runtime_error(fmt::format("results store: {}", store_error(db_)));
    return false;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

inline void bind_real(sqlite3_stmt* s, int i, double x) {
  if (std::isnan(x))
    sqlite3_bind_null(s, i);
  else
    sqlite3_bind_double(s, i, x);
}
inline void bind_text(sqlite3_stmt* s, int i, const std::string& t) {
  sqlite3_bind_text(s, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
}
inline double column_real(sqlite3_stmt* s, int i) {
  return sqlite3_column_type(s, i) == SQLITE_NULL ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(s, i);
}
inline std::string column_text(sqlite3_stmt* s, int i) {
  const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return t ? std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}
// Steps a prepared insert and makes it ready for the next row, on failure too: a statement left unreset keeps
// its bindings (pointers into rows that are then freed) and refuses new ones.
inline void run_step(sqlite3* db, sqlite3_stmt* s) {
  if (sqlite3_step(s) == SQLITE_DONE) {
    sqlite3_reset(s);  // every insert binds all its columns, so the bindings need no clearing
    return;
  }
  const std::string error = store_error(db);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  throw std::runtime_error(fmt::format("results store: {}", error));
}

}  // namespace ouro::sqlite
