#pragma once
// A small RAII layer over DuckDB's C API: the data plane of sluice. Only this module
// and its .cc files include duckdb.h.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/streamed_chunk.h"

struct _duckdb_database;
struct _duckdb_connection;
struct _duckdb_prepared_statement;

namespace sluice::data {

struct EngineOptions {
  std::string path;            // empty: in-memory
  std::string memory_limit;    // e.g. "4GB"; empty: DuckDB's default (80% of RAM)
  std::string temp_directory;  // where DuckDB spills when over the memory limit
  int threads = 0;             // 0: DuckDB's default (all cores)
};

// A fully materialised query result; values are kept as text plus their column type.
class QueryResult {
 public:
  struct Column {
    std::string name;
    std::string type;  // DuckDB's type name, e.g. "BIGINT", "VARCHAR", "DECIMAL(10,2)"
  };
  const std::vector<Column>& columns() const { return columns_; }
  size_t rowCount() const { return rows_.size(); }
  // nullopt for SQL NULL.
  const std::optional<std::string>& cell(size_t row, size_t col) const { return rows_[row][col]; }
  // The cell as JSON: numbers and booleans typed, nested values as JSON, others as text.
  nlohmann::json cellJson(size_t row, size_t col) const;
  nlohmann::json rowJson(size_t row) const;

 private:
  friend struct QueryResultAccess;  // fills results from DuckDB's (in the .cc)
  std::vector<Column> columns_;
  std::vector<std::vector<std::optional<std::string>>> rows_;
};

// A value of a column of type `type` (DuckDB's name) as JSON: numbers and booleans typed,
// nested values (given as JSON text) and JSON as JSON, other values as text, NULL as null.
nlohmann::json cellJson(const std::string& type, const std::optional<std::string>& value);
// The same in two steps, for a column's many values: what its type makes of them, then each.
// kInteger: up to 64 bits, whose text is its JSON; kNumber: any other number.
enum class JsonKind { kText, kBoolean, kInteger, kNumber, kJson };
JsonKind jsonKind(const std::string& type);
nlohmann::json cellJson(JsonKind kind, const std::optional<std::string>& value);

class Database {
 public:
  explicit Database(const EngineOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  _duckdb_database* handle() { return db_; }
  const EngineOptions& options() const { return options_; }

 private:
  EngineOptions options_;
  _duckdb_database* db_ = nullptr;
};

class PreparedStatement;

class Connection {
 public:
  explicit Connection(Database& db);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL (one or more statements); the result is the last statement's. Throws
  // Error(QueryError) carrying DuckDB's message. A query run while an invocation's
  // core::Cancellation is current stops when it is cancelled.
  QueryResult query(const std::string& sql);
  // The same, calling `progress` with DuckDB's percentage (0-100) about once a second
  // while the query runs longer than `quiet_seconds`, for long work worth reporting.
  using ProgressFn = std::function<void(double percent)>;
  QueryResult query(const std::string& sql, const ProgressFn& progress, double quiet_seconds = 2.0);
  // One statement. The result's nested columns (LIST, STRUCT, MAP, ARRAY, UNION) come as
  // JSON text, since DuckDB gives a materialised result's nested values no text; when
  // their types are open until parameters are bound, a query returning them runs twice.
  // query() leaves them empty and is for SQL without them.
  PreparedStatement prepare(const std::string& sql);
  // Runs one statement that returns rows (a SELECT and the like) and hands them to `row`
  // one by one as DuckDB streams them, after `columns` with their names and types; values
  // are text as in a QueryResult, nested ones JSON. Memory stays flat however many rows
  // there are.
  using ColumnsFn = std::function<void(const std::vector<QueryResult::Column>&)>;
  using RowFn = std::function<void(const std::vector<std::optional<std::string>>&)>;
  void streamQuery(const std::string& sql, const ColumnsFn& columns, const RowFn& row);
  // Runs one statement that returns rows and hands them to `chunk` a vector at a time as
  // DuckDB streams them, after `columns`: the types StreamedType lists as DuckDB holds
  // them, VARCHAR as it is, every other type as `others` says. A chunk's memory is
  // DuckDB's and lasts until `chunk` returns.
  enum class OtherTypesAs {
    kText,            // DuckDB's text for them (what its COPY writes to CSV)
    kTextNestedJson,  // the same, but LIST, STRUCT, MAP, ARRAY and UNION values as JSON
    kJson,            // JSON, as its COPY writes them to JSON lines
  };
  using StreamedColumnsFn = std::function<void(const std::vector<StreamedColumn>&)>;
  using ChunkFn = std::function<void(const StreamedChunk&)>;
  void streamChunks(const std::string& sql, OtherTypesAs others, const StreamedColumnsFn& columns,
                    const ChunkFn& chunk);
  _duckdb_connection* handle() { return conn_; }
  Database& database() { return db_; }

 private:
  Database& db_;
  _duckdb_connection* conn_ = nullptr;
};

class PreparedStatement {
 public:
  PreparedStatement(PreparedStatement&& other) noexcept;
  ~PreparedStatement();
  // Parameters are 1-based ($1, $2, … or ? in order).
  PreparedStatement& bindNull(size_t index);
  PreparedStatement& bind(size_t index, bool value);
  PreparedStatement& bind(size_t index, int64_t value);
  PreparedStatement& bind(size_t index, double value);
  PreparedStatement& bind(size_t index, const std::string& value);
  // Binds by JSON type: null, bool, integer, float, string (objects/arrays as JSON text).
  PreparedStatement& bindJson(size_t index, const nlohmann::json& value);
  size_t parameterCount() const;
  // The name of parameter `index` ("region" for $region; "1" for $1 or ?).
  std::string parameterName(size_t index) const;
  QueryResult execute();

 private:
  friend class Connection;
  PreparedStatement(_duckdb_prepared_statement* stmt, _duckdb_connection* conn, std::string sql)
      : stmt_(stmt), conn_(conn), sql_(std::move(sql)) {}
  void check(int state, size_t index);
  _duckdb_prepared_statement* stmt_ = nullptr;
  _duckdb_connection* conn_ = nullptr;  // interrupted when the invocation is cancelled
  // What it was made from and bound to, to prepare it again with nested columns as JSON.
  std::string sql_;
  std::map<size_t, nlohmann::json> bound_;
};

}  // namespace sluice::data
