#include "data/sql_source.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <fstream>
#include <regex>

#include "core/error.h"

namespace sluice::data {

using nlohmann::json;

namespace {

class SqliteSource : public SqlSource {
 public:
  SqliteSource(std::string path, bool writable) : path_(std::move(path)) {
    const int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw Error(errc::kIo, "cannot open SQLite database '" + path_ + "': " + msg);
    }
    sqlite3_busy_timeout(db_, 10'000);
  }
  ~SqliteSource() override { sqlite3_close(db_); }

  void query(const std::string& sql, const std::vector<std::string>& params,
             const std::function<void(json&&)>& row) override {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw Error(errc::kQuery, describe() + ": " + sqlite3_errmsg(db_));
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> guard(st, sqlite3_finalize);
    for (size_t i = 0; i < params.size(); i++)
      sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    const int ncols = sqlite3_column_count(st);
    std::vector<std::string> names;
    for (int c = 0; c < ncols; c++) names.emplace_back(sqlite3_column_name(st, c));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      json obj = json::object();
      for (int c = 0; c < ncols; c++) {
        switch (sqlite3_column_type(st, c)) {
          case SQLITE_INTEGER:
            obj[names[c]] = sqlite3_column_int64(st, c);
            break;
          case SQLITE_FLOAT:
            obj[names[c]] = sqlite3_column_double(st, c);
            break;
          case SQLITE_NULL:
            obj[names[c]] = nullptr;
            break;
          default:
            obj[names[c]] = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
            break;
        }
      }
      row(std::move(obj));
    }
    if (rc != SQLITE_DONE) throw Error(errc::kQuery, describe() + ": " + sqlite3_errmsg(db_));
  }

  void execute(const std::string& statements) override {
    char* message = nullptr;
    if (sqlite3_exec(db_, statements.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw Error(errc::kQuery, describe() + ": " + text);
    }
  }

  void copyCsv(const std::string&, const std::string&, const std::string&) override {
    throw Error(errc::kInvalidArgument, describe() + ": bulk CSV loading is not supported");
  }

  std::string placeholder(int n) const override { return "?" + std::to_string(n); }
  std::string describe() const override { return "SQLite database '" + path_ + "'"; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

std::string trimmed(std::string message) {
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return message;
}

// PostgreSQL type OIDs (pg_type.h) that map to JSON numbers and booleans.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701;

class PostgresSource : public SqlSource {
 public:
  explicit PostgresSource(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    // Keep the description free of secrets: drop password=… and user:pass@ forms.
    described_ = std::regex_replace(conninfo, std::regex("password=\\S*"), "password=***");
    described_ = std::regex_replace(described_, std::regex("//([^:/@]+):[^@]*@"), "//$1:***@");
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = trimmed(PQerrorMessage(conn_));
      PQfinish(conn_);
      throw Error(errc::kIo, "cannot connect to PostgreSQL (" + described_ + "): " + msg);
    }
  }
  ~PostgresSource() override { PQfinish(conn_); }

  void query(const std::string& sql, const std::vector<std::string>& params,
             const std::function<void(json&&)>& row) override {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    std::unique_ptr<PGresult, decltype(&PQclear)> guard(res, PQclear);
    if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
      throw Error(errc::kQuery, "PostgreSQL: " + trimmed(PQresultErrorMessage(res)));
    const int ncols = PQnfields(res), nrows = PQntuples(res);
    for (int r = 0; r < nrows; r++) {
      json obj = json::object();
      for (int c = 0; c < ncols; c++) {
        const char* name = PQfname(res, c);
        if (PQgetisnull(res, r, c)) {
          obj[name] = nullptr;
          continue;
        }
        const char* v = PQgetvalue(res, r, c);
        switch (PQftype(res, c)) {
          case kInt2:
          case kInt4:
          case kInt8:
            obj[name] = std::stoll(v);
            break;
          case kFloat4:
          case kFloat8:
            obj[name] = std::stod(v);
            break;
          case kBool:
            obj[name] = v[0] == 't';
            break;
          default:
            obj[name] = v;
            break;
        }
      }
      row(std::move(obj));
    }
  }

  void execute(const std::string& statements) override {
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn_, statements.c_str()), PQclear);
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY &&
        status != PGRES_COPY_IN)
      throw Error(errc::kQuery, "PostgreSQL: " + trimmed(PQresultErrorMessage(res.get())));
  }

  void copyCsv(const std::string& table, const std::string& columns,
               const std::string& csv_path) override {
    execute("COPY " + table + " (" + columns + ") FROM STDIN (FORMAT csv)");
    std::ifstream in(csv_path, std::ios::binary);
    if (!in) throw Error(errc::kIo, "cannot read " + csv_path);
    std::string buf(1 << 20, '\0');
    bool sent = true;
    while (sent && in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in.gcount() > 0)
        sent = PQputCopyData(conn_, buf.data(), static_cast<int>(in.gcount())) == 1;
    }
    PQputCopyEnd(conn_, sent ? nullptr : "sending the rows failed");
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQgetResult(conn_), PQclear);
    const bool ok = PQresultStatus(res.get()) == PGRES_COMMAND_OK;
    const std::string message = ok ? "" : trimmed(PQresultErrorMessage(res.get()));
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    if (!ok) throw Error(errc::kQuery, "PostgreSQL: COPY " + table + ": " + message);
  }

  std::string placeholder(int n) const override { return "$" + std::to_string(n); }
  std::string describe() const override { return "PostgreSQL (" + described_ + ")"; }

 private:
  PGconn* conn_;
  std::string described_;
};

}  // namespace

std::unique_ptr<SqlSource> openSqlSource(const json& spec, bool writable) {
  if (spec.is_object() && spec.contains("sqlite"))
    return std::make_unique<SqliteSource>(spec["sqlite"].get<std::string>(), writable);
  if (spec.is_object() && spec.contains("postgres"))
    return std::make_unique<PostgresSource>(spec["postgres"].get<std::string>());
  throw Error(errc::kInvalidArgument,
              "a source must be {\"sqlite\": PATH} or {\"postgres\": CONNINFO}");
}

}  // namespace sluice::data
