#include "state/sqlite_db.h"

#include <sqlite3.h>

#include "core/error.h"

namespace sluice::state {

namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw Error(errc::kIo, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK)
    fail(db, "state database: cannot prepare '" + std::string(sql.substr(0, 60)) + "'");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int i, std::string_view t) {
  sqlite3_bind_text(stmt_, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::bindBlob(int i, std::string_view b) {
  sqlite3_bind_blob(stmt_, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::bindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "state database");
}

void SqliteStatement::run() {
  while (step()) {
  }
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::isNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
bool SqliteStatement::isInteger(int c) const {
  return sqlite3_column_type(stmt_, c) == SQLITE_INTEGER;
}
bool SqliteStatement::isReal(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_FLOAT; }
int64_t SqliteStatement::int64(int c) const { return sqlite3_column_int64(stmt_, c); }
double SqliteStatement::real(int c) const { return sqlite3_column_double(stmt_, c); }
std::string SqliteStatement::text(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

SqliteDb::SqliteDb(const std::string& path) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(errc::kIo, "cannot open state database '" + path + "': " + msg);
  }
  sqlite3_busy_timeout(db_, 10'000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

void SqliteDb::exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(errc::kIo, "state database: " + msg);
  }
}

int SqliteDb::changes() const { return sqlite3_changes(db_); }

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace sluice::state
