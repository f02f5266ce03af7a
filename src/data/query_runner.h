#pragma once
// What `sluice query` and the HTTP API's POST /sluice/query run: SQL over lake objects
// ('lake://BUCKET/KEY', globs allowed) and catalog tables (database.table).
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "data/result_format.h"

namespace sluice::lake {
class ObjectStore;
}
namespace sluice::state {
class CatalogStore;
}

namespace sluice::data {

class Connection;

struct QueryRequest {
  std::string sql;  // one or more statements
  ResultFormat format = ResultFormat::kTable;
  int64_t max_rows = 0;  // of the last statement, when it is a query; 0: all
};

// Runs every statement in order and writes the last one's result to `out`, a query's rows
// as DuckDB streams them. Catalog tables that cannot be attached (no objects yet) are
// told to `warn` and left out. Errors name lake objects by their lake:// URLs.
void runQuery(Connection& conn, state::CatalogStore& catalog, lake::ObjectStore& lake,
              const QueryRequest& request, std::ostream& out,
              const std::function<void(const std::string&)>& warn);

}  // namespace sluice::data
