#include "data/query_runner.h"

#include <cctype>

#include "core/error.h"
#include "data/catalog.h"
#include "data/duckdb_engine.h"
#include "data/lake_sql.h"

namespace sluice::data {

namespace {

// Whether a statement produces rows that LIMIT can bound.
bool isQuery(const std::string& statement) {
  size_t i = statement.find_first_not_of(" \t\r\n(");
  if (i == std::string::npos) return false;
  std::string word;
  while (i < statement.size() && std::isalpha(static_cast<unsigned char>(statement[i])))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(statement[i++])));
  return word == "SELECT" || word == "WITH" || word == "FROM" || word == "VALUES" ||
         word == "TABLE";
}

}  // namespace

void runQuery(Connection& conn, state::CatalogStore& catalog, lake::ObjectStore& lake,
              const QueryRequest& request, std::ostream& out,
              const std::function<void(const std::string&)>& warn) {
  const ResolvedSql resolved = resolveLakeUrls(request.sql, lake);
  if (resolved.statements.empty())
    throw Error(errc::kInvalidArgument, "the SQL holds no statement");
  for (const auto& warning : attachCatalog(conn, catalog, lake))
    if (warn) warn(resolved.describe(warning));
  try {
    for (size_t i = 0; i + 1 < resolved.statements.size(); i++) conn.query(resolved.statements[i]);
    std::string last = resolved.statements.back();
    if (!isQuery(last)) {
      writeResult(conn.query(last), request.format, out);
      return;
    }
    if (request.max_rows > 0)  // \n ends a trailing -- comment
      last = "SELECT * FROM (" + last + "\n) LIMIT " + std::to_string(request.max_rows);
    streamResult(conn, last, request.format, out);
  } catch (const Error& e) {
    throw Error(e.code(), resolved.describe(e.what()));
  }
}

}  // namespace sluice::data
