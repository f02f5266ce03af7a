#pragma once
// Read access to an external SQL database that pipelines extract from: SQLite files
// (the embedded default) and PostgreSQL (libpq). Rows come back as JSON objects with
// integers and floats as numbers, booleans as booleans, NULL as null, and everything
// else (timestamps, numerics, text) as the database's own text form.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sluice::data {

class SqlSource {
 public:
  virtual ~SqlSource() = default;
  // Runs `sql` with text parameters ($1.. for PostgreSQL, ?1.. for SQLite; see
  // placeholder()) and calls `row` for each result row.
  virtual void query(const std::string& sql, const std::vector<std::string>& params,
                     const std::function<void(nlohmann::json&&)>& row) = 0;
  // Runs one or more statements that return no rows (needs a writable connection).
  virtual void execute(const std::string& statements) = 0;
  // Appends the rows of a CSV file (no header; empty unquoted fields are NULL) to
  // `table`'s `columns` ("a, b, c") in bulk: PostgreSQL's COPY FROM STDIN. Throws
  // Error(InvalidArgument) for databases without a bulk path (SQLite).
  virtual void copyCsv(const std::string& table, const std::string& columns,
                       const std::string& csv_path) = 0;
  // The placeholder for the nth (1-based) parameter.
  virtual std::string placeholder(int n) const = 0;
  virtual std::string describe() const = 0;  // for messages; never includes a password
};

// {"sqlite": "/path/file.db"} or {"postgres": "host=… dbname=… user=…"} (a libpq
// connection string or URI). Throws Error(InvalidArgument | IOError). `writable` opens a
// SQLite file for writing, creating it when missing (databases pipelines write into,
// such as a warehouse or a generated source); PostgreSQL rights are the user's.
std::unique_ptr<SqlSource> openSqlSource(const nlohmann::json& spec, bool writable = false);

}  // namespace sluice::data
