#pragma once
// A thin RAII layer over the SQLite C API, used only inside the SQLite state store.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sluice::state {

class SqliteDb;

// A prepared statement. Those made by SqliteDb::prepare go back to the database's cache
// when they go out of scope, reset and unbound, so the same SQL is parsed only once.
class SqliteStatement {
 public:
  // `home`: the cache slot of this SQL, or null for a statement that is not kept.
  SqliteStatement(SqliteDb& db, sqlite3_stmt* stmt, std::vector<sqlite3_stmt*>* home)
      : db_(db), stmt_(stmt), home_(home) {}
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
  SqliteDb& db_;
  sqlite3_stmt* stmt_;
  std::vector<sqlite3_stmt*>* home_;
};

class SqliteDb {
 public:
  // Opens (creating) the database in WAL mode with a busy timeout, so several
  // processes (a server and CLI commands) can share it.
  explicit SqliteDb(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements (schema scripts, PRAGMAs, BEGIN/COMMIT).
  void exec(std::string_view sql);
  SqliteStatement prepare(std::string_view sql);
  int changes() const;
  const std::string& path() const { return path_; }

 private:
  friend class SqliteStatement;
  [[noreturn]] void fail(const std::string& what) const;
  void giveBack(sqlite3_stmt* stmt, std::vector<sqlite3_stmt*>* home);

  sqlite3* db_ = nullptr;
  std::string path_;
  // Prepared statements not in use, by their SQL. Parsing a statement costs more than
  // running a small one, and the stores run the same few dozen over and over. Entries
  // are never erased, so a statement can point at its slot.
  std::mutex cache_mu_;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> cache_;
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
