#include "state/sqlite_db.h"

#include <sqlite3.h>

#include "core/error.h"

namespace sluice::state {

namespace {
// Enough for every statement the stores run; SQL built with varying text (a LIMIT) beyond
// it is simply not kept.
constexpr size_t kMaxCachedSql = 256;
}  // namespace

void SqliteDb::fail(const std::string& what) const {
  throw Error(errc::kIo, what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
}

SqliteStatement::~SqliteStatement() { db_.giveBack(stmt_, home_); }

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
  db_.fail("state database");
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

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmts] : cache_)
    for (sqlite3_stmt* stmt : stmts) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

SqliteStatement SqliteDb::prepare(std::string_view sql) {
  std::vector<sqlite3_stmt*>* home = nullptr;
  {
    std::string key(sql);
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(key);
    if (it == cache_.end() && cache_.size() < kMaxCachedSql)
      it = cache_.emplace(std::move(key), std::vector<sqlite3_stmt*>{}).first;
    if (it != cache_.end()) {
      home = &it->second;
      if (!home->empty()) {
        sqlite3_stmt* stmt = home->back();
        home->pop_back();
        return SqliteStatement(*this, stmt, home);
      }
    }
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                         home ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    fail("state database: cannot prepare '" + std::string(sql.substr(0, 60)) + "'");
  }
  return SqliteStatement(*this, stmt, home);
}

void SqliteDb::giveBack(sqlite3_stmt* stmt, std::vector<sqlite3_stmt*>* home) {
  if (!home) {
    sqlite3_finalize(stmt);
    return;
  }
  sqlite3_reset(stmt);  // also ends the read it may hold open
  sqlite3_clear_bindings(stmt);
  std::lock_guard lock(cache_mu_);
  home->push_back(stmt);
}

void SqliteDb::exec(std::string_view sql) {
  // A single statement (BEGIN, COMMIT, a SAVEPOINT) is run from the cache.
  if (sql.find(';') == std::string_view::npos) {
    prepare(sql).run();
    return;
  }
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
