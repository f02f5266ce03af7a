#include "data/duckdb_engine.h"

#include <duckdb.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/cancellation.h"
#include "core/error.h"
#include "data/value_text.h"

namespace sluice::data {

using nlohmann::json;

namespace {

[[noreturn]] void queryError(const std::string& message) { throw Error(errc::kQuery, message); }

// Lets the current invocation's cancellation interrupt a query on `conn` while it runs.
core::Cancellation::Registration interruptible(duckdb_connection conn) {
  core::Cancellation* c = core::Cancellation::current();
  if (!c) return {};
  auto registration = c->onCancel([conn] { duckdb_interrupt(conn); });
  // Cancelled before the query began: DuckDB forgets an interrupt when a query starts.
  if (c->cancelled())
    throw Error("Interrupted", "the query was not run: the invocation was cancelled");
  return registration;
}

// The name of a logical type, which it destroys.
std::string typeName(duckdb_logical_type t) {
  char* s = duckdb_logical_type_get_alias(t);
  std::string name;
  if (s) {
    name = s;
    duckdb_free(s);
  } else {
    switch (duckdb_get_type_id(t)) {
      case DUCKDB_TYPE_BOOLEAN:
        name = "BOOLEAN";
        break;
      case DUCKDB_TYPE_TINYINT:
        name = "TINYINT";
        break;
      case DUCKDB_TYPE_SMALLINT:
        name = "SMALLINT";
        break;
      case DUCKDB_TYPE_INTEGER:
        name = "INTEGER";
        break;
      case DUCKDB_TYPE_BIGINT:
        name = "BIGINT";
        break;
      case DUCKDB_TYPE_UTINYINT:
        name = "UTINYINT";
        break;
      case DUCKDB_TYPE_USMALLINT:
        name = "USMALLINT";
        break;
      case DUCKDB_TYPE_UINTEGER:
        name = "UINTEGER";
        break;
      case DUCKDB_TYPE_UBIGINT:
        name = "UBIGINT";
        break;
      case DUCKDB_TYPE_HUGEINT:
        name = "HUGEINT";
        break;
      case DUCKDB_TYPE_FLOAT:
        name = "FLOAT";
        break;
      case DUCKDB_TYPE_DOUBLE:
        name = "DOUBLE";
        break;
      case DUCKDB_TYPE_DECIMAL:
        name = "DECIMAL(" + std::to_string(duckdb_decimal_width(t)) + "," +
               std::to_string(duckdb_decimal_scale(t)) + ")";
        break;
      case DUCKDB_TYPE_VARCHAR:
        name = "VARCHAR";
        break;
      case DUCKDB_TYPE_DATE:
        name = "DATE";
        break;
      case DUCKDB_TYPE_TIME:
        name = "TIME";
        break;
      case DUCKDB_TYPE_TIMESTAMP:
        name = "TIMESTAMP";
        break;
      case DUCKDB_TYPE_TIMESTAMP_TZ:
        name = "TIMESTAMP WITH TIME ZONE";
        break;
      case DUCKDB_TYPE_TIMESTAMP_S:
        name = "TIMESTAMP_S";
        break;
      case DUCKDB_TYPE_TIMESTAMP_MS:
        name = "TIMESTAMP_MS";
        break;
      case DUCKDB_TYPE_TIMESTAMP_NS:
        name = "TIMESTAMP_NS";
        break;
      case DUCKDB_TYPE_INTERVAL:
        name = "INTERVAL";
        break;
      case DUCKDB_TYPE_UUID:
        name = "UUID";
        break;
      case DUCKDB_TYPE_ENUM:
        name = "ENUM";
        break;
      case DUCKDB_TYPE_MAP:
        name = "MAP";
        break;
      case DUCKDB_TYPE_LIST:
        name = "LIST";
        break;
      case DUCKDB_TYPE_STRUCT:
        name = "STRUCT";
        break;
      case DUCKDB_TYPE_ARRAY:
        name = "ARRAY";
        break;
      case DUCKDB_TYPE_UNION:
        name = "UNION";
        break;
      case DUCKDB_TYPE_BLOB:
        name = "BLOB";
        break;
      default:
        name = "OTHER";
        break;
    }
  }
  duckdb_destroy_logical_type(&t);
  return name;
}

std::string typeName(duckdb_result* res, idx_t col) {
  return typeName(duckdb_column_logical_type(res, col));
}

}  // namespace

struct QueryResultAccess {
  static std::vector<QueryResult::Column>& columns(QueryResult& r) { return r.columns_; }
  static std::vector<std::vector<std::optional<std::string>>>& rows(QueryResult& r) {
    return r.rows_;
  }
};

// Copies a DuckDB result into a QueryResult's columns and rows.
static void fillResult(duckdb_result* res, std::vector<QueryResult::Column>& columns,
                       std::vector<std::vector<std::optional<std::string>>>& rows) {
  idx_t ncols = duckdb_column_count(res);
  idx_t nrows = duckdb_row_count(res);
  for (idx_t c = 0; c < ncols; c++)
    columns.push_back({duckdb_column_name(res, c), typeName(res, c)});
  rows.resize(nrows);
  for (idx_t r = 0; r < nrows; r++) {
    auto& row = rows[r];
    row.reserve(ncols);
    for (idx_t c = 0; c < ncols; c++) {
      if (duckdb_value_is_null(res, c, r)) {
        row.emplace_back(std::nullopt);
        continue;
      }
      char* s = duckdb_value_varchar(res, c, r);
      row.emplace_back(s ? std::string(s) : std::string());
      duckdb_free(s);
    }
  }
}

json QueryResult::cellJson(size_t row, size_t col) const {
  return data::cellJson(columns_[col].type, rows_[row][col]);
}

JsonKind jsonKind(const std::string& t) {
  if (t == "BOOLEAN") return JsonKind::kBoolean;
  // Nested values arrive as JSON text (Connection::prepare, streamQuery).
  if (t == "JSON" || t == "LIST" || t == "STRUCT" || t == "MAP" || t == "ARRAY" || t == "UNION")
    return JsonKind::kJson;
  if (t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "UTINYINT" ||
      t == "USMALLINT" || t == "UINTEGER" || t == "UBIGINT")
    return JsonKind::kInteger;
  const bool number = t == "HUGEINT" || t == "FLOAT" || t == "DOUBLE" || t.rfind("DECIMAL", 0) == 0;
  return number ? JsonKind::kNumber : JsonKind::kText;
}

json cellJson(JsonKind kind, const std::optional<std::string>& v) {
  if (!v) return nullptr;
  switch (kind) {
    case JsonKind::kBoolean:
      return *v == "true";
    case JsonKind::kJson: {
      json parsed = json::parse(*v, nullptr, false);
      return parsed.is_discarded() ? json(*v) : parsed;
    }
    case JsonKind::kInteger:
    case JsonKind::kNumber: {  // nan and inf stay text
      json parsed = json::parse(*v, nullptr, false);
      if (!parsed.is_discarded() && parsed.is_number()) return parsed;
      break;
    }
    case JsonKind::kText:
      break;
  }
  return *v;
}

json cellJson(const std::string& type, const std::optional<std::string>& v) {
  return cellJson(jsonKind(type), v);
}

json QueryResult::rowJson(size_t row) const {
  json obj = json::object();
  for (size_t c = 0; c < columns_.size(); c++) obj[columns_[c].name] = cellJson(row, c);
  return obj;
}

Database::Database(const EngineOptions& options) : options_(options) {
  duckdb_config config;
  duckdb_create_config(&config);
  // No network here: never try to download an extension; parquet, json and icu are built in.
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  if (!options.memory_limit.empty())
    duckdb_set_config(config, "memory_limit", options.memory_limit.c_str());
  if (!options.temp_directory.empty())
    duckdb_set_config(config, "temp_directory", options.temp_directory.c_str());
  if (options.threads > 0)
    duckdb_set_config(config, "threads", std::to_string(options.threads).c_str());
  char* err = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  duckdb_state st = duckdb_open_ext(path, &db_, config, &err);
  duckdb_destroy_config(&config);
  if (st != DuckDBSuccess) {
    std::string msg = err ? err : "unknown error";
    duckdb_free(err);
    throw Error(errc::kQuery, "cannot open DuckDB: " + msg);
  }
}

Database::~Database() { duckdb_close(&db_); }

Connection::Connection(Database& db) : db_(db) {
  if (duckdb_connect(db.handle(), &conn_) != DuckDBSuccess)
    throw Error(errc::kQuery, "cannot connect to DuckDB");
  // Track progress of long queries (read by Connection::query's watcher), never print it.
  query(
      "SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET "
      "progress_bar_time = 500");
}

Connection::~Connection() { duckdb_disconnect(&conn_); }

// Turns a DuckDB result into a QueryResult (or its error into Error(QueryError)) and frees it.
static QueryResult takeResult(duckdb_state state, duckdb_result& res) {
  if (state != DuckDBSuccess) {
    std::string msg = duckdb_result_error(&res) ? duckdb_result_error(&res) : "query failed";
    duckdb_destroy_result(&res);
    queryError(msg);
  }
  QueryResult out;
  fillResult(&res, QueryResultAccess::columns(out), QueryResultAccess::rows(out));
  duckdb_destroy_result(&res);
  return out;
}

namespace {

StreamedType streamedType(duckdb_logical_type t) {
  switch (duckdb_get_type_id(t)) {
    case DUCKDB_TYPE_BOOLEAN:
      return StreamedType::kBoolean;
    case DUCKDB_TYPE_TINYINT:
      return StreamedType::kInt8;
    case DUCKDB_TYPE_SMALLINT:
      return StreamedType::kInt16;
    case DUCKDB_TYPE_INTEGER:
      return StreamedType::kInt32;
    case DUCKDB_TYPE_BIGINT:
      return StreamedType::kInt64;
    case DUCKDB_TYPE_UTINYINT:
      return StreamedType::kUInt8;
    case DUCKDB_TYPE_USMALLINT:
      return StreamedType::kUInt16;
    case DUCKDB_TYPE_UINTEGER:
      return StreamedType::kUInt32;
    case DUCKDB_TYPE_UBIGINT:
      return StreamedType::kUInt64;
    case DUCKDB_TYPE_DOUBLE:
      return StreamedType::kDouble;
    case DUCKDB_TYPE_DATE:
      return StreamedType::kDate;
    default:
      return StreamedType::kText;
  }
}

static_assert(sizeof(duckdb_string_t) == 16 && sizeof(duckdb_date) == sizeof(int32_t) &&
              sizeof(bool) == 1);

bool isNested(duckdb_logical_type t) {
  switch (duckdb_get_type_id(t)) {
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_UNION:
      return true;
    default:
      return false;
  }
}

duckdb_prepared_statement prepareOrThrow(duckdb_connection conn, const std::string& sql) {
  duckdb_prepared_statement st = nullptr;
  if (duckdb_prepare(conn, sql.c_str(), &st) != DuckDBSuccess) {
    const char* e = duckdb_prepare_error(st);
    std::string msg = e ? e : "cannot prepare the query";
    duckdb_destroy_prepare(&st);
    queryError(msg);
  }
  return st;
}

// The query `sql` again, its columns renamed by position (names may repeat) to c0, c1, …
// and selected as `expressions` of those under their own names.
template <class Column>
std::string reselect(const std::string& sql, const std::vector<Column>& columns,
                     const std::vector<std::string>& expressions) {
  std::string select, renamed;
  for (size_t c = 0; c < columns.size(); c++) {
    std::string name = "\"";
    for (char ch : columns[c].name) name += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    select += (c ? ", " : "") + expressions[c] + " AS " + name + "\"";
    renamed += (c ? ", c" : "c") + std::to_string(c);
  }
  // \n ends a trailing -- comment.
  return "SELECT " + select + " FROM (" + sql + "\n) AS t(" + renamed + ")";
}

struct NamedType {
  std::string name;
  bool nested;
};

// `sql` with its nested columns as JSON text, since DuckDB gives a materialised result's
// nested values no text; nullopt when it has none.
std::optional<std::string> nestedAsJson(const std::string& sql,
                                        const std::vector<NamedType>& columns) {
  std::vector<std::string> expressions;
  bool any = false;
  for (size_t c = 0; c < columns.size(); c++) {
    const std::string column = "c" + std::to_string(c);
    any = any || columns[c].nested;
    expressions.push_back(columns[c].nested ? "to_json(" + column + ")" : column);
  }
  if (!any) return std::nullopt;
  return reselect(sql, columns, expressions);
}

// Starts `st` as a streaming query and destroys it; throws DuckDB's message on failure.
duckdb_result startStreaming(duckdb_prepared_statement st) {
  duckdb_pending_result pending;
  duckdb_result res;
  const bool started = duckdb_pending_prepared_streaming(st, &pending) == DuckDBSuccess;
  duckdb_destroy_prepare(&st);
  if (!started) {
    std::string msg =
        duckdb_pending_error(pending) ? duckdb_pending_error(pending) : "query failed";
    duckdb_destroy_pending(&pending);
    queryError(msg);
  }
  const duckdb_state state = duckdb_execute_pending(pending, &res);
  duckdb_destroy_pending(&pending);
  if (state != DuckDBSuccess) takeResult(state, res);  // throws with DuckDB's message
  return res;
}

}  // namespace

void Connection::streamChunks(const std::string& sql, OtherTypesAs others,
                              const StreamedColumnsFn& on_columns, const ChunkFn& on_chunk) {
  auto interrupt = interruptible(conn_);
  // The query's own column names and types decide how each column arrives.
  duckdb_prepared_statement st = prepareOrThrow(conn_, sql);
  std::vector<StreamedColumn> columns;
  std::vector<std::string> expressions;
  for (idx_t c = 0; c < duckdb_prepared_statement_column_count(st); c++) {
    const char* name = duckdb_prepared_statement_column_name(st, c);
    duckdb_logical_type type = duckdb_prepared_statement_column_logical_type(st, c);
    StreamedType as = streamedType(type);
    const bool varchar = duckdb_get_type_id(type) == DUCKDB_TYPE_VARCHAR;
    const bool nested = isNested(type);
    const std::string type_name = typeName(type);  // destroys `type`
    // JSON is VARCHAR underneath; as JSON it is written as its value, not as a string.
    const bool json_type = type_name == "JSON";
    const bool other = as == StreamedType::kText && (!varchar || json_type);
    const std::string column = "c" + std::to_string(c);
    if (other &&
        (others == OtherTypesAs::kJson || (others == OtherTypesAs::kTextNestedJson && nested))) {
      as = StreamedType::kJson;
      expressions.push_back("to_json(" + column + ")");
    } else if (other && !varchar) {
      expressions.push_back("CAST(" + column + " AS VARCHAR)");
    } else {
      expressions.push_back(column);
    }
    columns.push_back({name ? name : "", type_name, as});
    duckdb_free(const_cast<char*>(name));
  }
  duckdb_destroy_prepare(&st);
  duckdb_result res = startStreaming(prepareOrThrow(conn_, reselect(sql, columns, expressions)));
  // Freed however this ends, a callback's exception included.
  struct OwnedResult {
    duckdb_result& res;
    ~OwnedResult() { duckdb_destroy_result(&res); }
  } owned_result{res};
  struct OwnedChunk {
    duckdb_data_chunk chunk;
    ~OwnedChunk() { duckdb_destroy_data_chunk(&chunk); }
  };
  on_columns(columns);
  StreamedChunk view;
  view.columns_.resize(columns.size());
  while (duckdb_data_chunk fetched = duckdb_fetch_chunk(res)) {
    OwnedChunk owned{fetched};
    view.rows_ = duckdb_data_chunk_get_size(owned.chunk);
    for (idx_t c = 0; c < columns.size(); c++) {
      duckdb_vector v = duckdb_data_chunk_get_vector(owned.chunk, c);
      view.columns_[c] = {duckdb_vector_get_data(v), duckdb_vector_get_validity(v)};
    }
    on_chunk(view);
  }
  if (const char* error = duckdb_result_error(&res); error && *error) queryError(error);
}

void Connection::streamQuery(const std::string& sql, const ColumnsFn& on_columns,
                             const RowFn& on_row) {
  std::vector<StreamedColumn> streamed;
  std::vector<std::optional<std::string>> row;
  streamChunks(
      sql, OtherTypesAs::kTextNestedJson,
      [&](const std::vector<StreamedColumn>& columns) {
        streamed = columns;
        std::vector<QueryResult::Column> named;
        for (const auto& c : columns) named.push_back({c.name, c.type});
        row.resize(columns.size());
        on_columns(named);
      },
      [&](const StreamedChunk& chunk) {
        char text[kMaxValueText];
        for (size_t r = 0; r < chunk.rows(); r++) {
          for (size_t c = 0; c < row.size(); c++) {
            if (chunk.isNull(c, r))
              row[c].reset();
            else if (streamed[c].as == StreamedType::kText || streamed[c].as == StreamedType::kJson)
              row[c].emplace(chunk.text(c, r));
            else  // the text DuckDB's cast gives, written here
              row[c].emplace(text, formatStreamed(text, streamed[c].as, chunk, c, r));
          }
          on_row(row);
        }
      });
}

QueryResult Connection::query(const std::string& sql) {
  auto interrupt = interruptible(conn_);
  duckdb_result res;
  return takeResult(duckdb_query(conn_, sql.c_str(), &res), res);
}

QueryResult Connection::query(const std::string& sql, const ProgressFn& progress,
                              double quiet_seconds) {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watcher([&] {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    double last = -1;
    std::unique_lock lock(mu);
    while (!done_cv.wait_for(lock, std::chrono::milliseconds(1000), [&] { return done; })) {
      if (std::chrono::duration<double>(clock::now() - start).count() < quiet_seconds) continue;
      double pct = duckdb_query_progress(conn_).percentage;
      if (pct >= 0 && pct != last) {
        progress(pct);
        last = pct;
      }
    }
  });
  auto finish = [&] {
    {
      std::lock_guard lock(mu);
      done = true;
    }
    done_cv.notify_all();
    watcher.join();
  };
  try {
    QueryResult r = query(sql);
    finish();
    return r;
  } catch (...) {
    finish();
    throw;
  }
}

PreparedStatement Connection::prepare(const std::string& sql) {
  duckdb_prepared_statement stmt = prepareOrThrow(conn_, sql);
  // Nested columns become JSON here when their types are known before binding (no
  // parameters whose type is open), else at execute().
  std::vector<NamedType> columns;
  for (idx_t c = 0; c < duckdb_prepared_statement_column_count(stmt); c++) {
    const char* name = duckdb_prepared_statement_column_name(stmt, c);
    duckdb_logical_type type = duckdb_prepared_statement_column_logical_type(stmt, c);
    columns.push_back({name ? name : "", isNested(type)});
    duckdb_free(const_cast<char*>(name));
    duckdb_destroy_logical_type(&type);
  }
  const bool select = duckdb_prepared_statement_type(stmt) == DUCKDB_STATEMENT_TYPE_SELECT;
  if (auto as_json = select ? nestedAsJson(sql, columns) : std::nullopt) {
    duckdb_destroy_prepare(&stmt);
    return PreparedStatement(prepareOrThrow(conn_, *as_json), conn_, *as_json);
  }
  return PreparedStatement(stmt, conn_, sql);
}

PreparedStatement::PreparedStatement(PreparedStatement&& other) noexcept
    : stmt_(other.stmt_),
      conn_(other.conn_),
      sql_(std::move(other.sql_)),
      bound_(std::move(other.bound_)) {
  other.stmt_ = nullptr;
}

PreparedStatement::~PreparedStatement() {
  if (stmt_) duckdb_destroy_prepare(&stmt_);
}

void PreparedStatement::check(int state, size_t index) {
  if (state != DuckDBSuccess)
    queryError("cannot bind parameter " + std::to_string(index) + ": " +
               (duckdb_prepare_error(stmt_) ? duckdb_prepare_error(stmt_) : "out of range"));
}

PreparedStatement& PreparedStatement::bindNull(size_t i) {
  check(duckdb_bind_null(stmt_, i), i);
  bound_[i] = nullptr;
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t i, bool v) {
  check(duckdb_bind_boolean(stmt_, i, v), i);
  bound_[i] = v;
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t i, int64_t v) {
  check(duckdb_bind_int64(stmt_, i, v), i);
  bound_[i] = v;
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t i, double v) {
  check(duckdb_bind_double(stmt_, i, v), i);
  bound_[i] = v;
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t i, const std::string& v) {
  check(duckdb_bind_varchar_length(stmt_, i, v.data(), v.size()), i);
  bound_[i] = v;
  return *this;
}

PreparedStatement& PreparedStatement::bindJson(size_t i, const json& v) {
  if (v.is_null()) return bindNull(i);
  if (v.is_boolean()) return bind(i, v.get<bool>());
  if (v.is_number_integer()) return bind(i, v.get<int64_t>());
  if (v.is_number()) return bind(i, v.get<double>());
  if (v.is_string()) return bind(i, v.get<std::string>());
  return bind(i, v.dump());
}

size_t PreparedStatement::parameterCount() const { return duckdb_nparams(stmt_); }

std::string PreparedStatement::parameterName(size_t index) const {
  const char* name = duckdb_parameter_name(stmt_, index);
  std::string out = name ? name : "";
  duckdb_free(const_cast<char*>(name));
  return out;
}

QueryResult PreparedStatement::execute() {
  auto interrupt = interruptible(conn_);
  duckdb_result res;
  const duckdb_state state = duckdb_execute_prepared(stmt_, &res);
  if (state != DuckDBSuccess || duckdb_result_statement_type(res) != DUCKDB_STATEMENT_TYPE_SELECT)
    return takeResult(state, res);
  // Nested columns whose types were open until binding: the query runs again with them
  // as JSON.
  std::vector<NamedType> columns;
  for (idx_t c = 0; c < duckdb_column_count(&res); c++) {
    duckdb_logical_type type = duckdb_column_logical_type(&res, c);
    columns.push_back({duckdb_column_name(&res, c), isNested(type)});
    duckdb_destroy_logical_type(&type);
  }
  const auto as_json = nestedAsJson(sql_, columns);
  if (!as_json) return takeResult(state, res);
  duckdb_destroy_result(&res);
  PreparedStatement again(prepareOrThrow(conn_, *as_json), conn_, *as_json);
  for (const auto& [index, value] : bound_) again.bindJson(index, value);
  return again.execute();
}

}  // namespace sluice::data
