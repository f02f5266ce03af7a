#pragma once
// A thin RAII layer over the SQLite C API, used only inside the SQLite state store.
#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace sluice::state {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQLite.
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bindBlob(int index, std::string_view bytes);
  SqliteStatement& bindNull(int index);

  // Returns true while a row is available.
  bool step();
  void run();    // step() for statements that return no rows
  void reset();  // makes the statement ready to run again with new bindings

  bool isNull(int col) const;
  int64_t int64(int col) const;
  double real(int col) const;
  bool isInteger(int col) const;
  bool isReal(int col) const;
  std::string text(int col) const;  // also blobs

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  // Opens (creating) the database in WAL mode with a busy timeout, so several
  // processes (a server and CLI commands) can share it.
  explicit SqliteDb(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(std::string_view sql);
  SqliteStatement prepare(std::string_view sql) { return SqliteStatement(db_, sql); }
  int changes() const;
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE … COMMIT, rolled back if the scope exits by exception.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

// Commits made within its scope skip the fsync (PRAGMA synchronous=NORMAL; in WAL mode
// they survive a process crash but not a power loss). The connection is back to
// fsync-per-commit afterwards, and that next commit syncs these with its own.
class SqliteNoSync {
 public:
  explicit SqliteNoSync(SqliteDb& db) : db_(db) { db_.exec("PRAGMA synchronous=NORMAL"); }
  ~SqliteNoSync() {
    try {
      db_.exec("PRAGMA synchronous=FULL");
    } catch (...) {
      // Only a broken connection refuses a PRAGMA, and such a one commits nothing more.
    }
  }
  SqliteNoSync(const SqliteNoSync&) = delete;
  SqliteNoSync& operator=(const SqliteNoSync&) = delete;

 private:
  SqliteDb& db_;
};

}  // namespace sluice::state
