#include "functions/sql_function.h"

#include "core/error.h"
#include "core/text.h"
#include "data/duckdb_engine.h"
#include "data/lake_sql.h"

namespace sluice::functions {

Handler sqlFileHandler(std::string sql_file) {
  return [sql_file](const nlohmann::json& event, InvocationContext& ctx) {
    const auto& services = ctx.services();
    const data::ResolvedSql resolved =
        data::resolveLakeUrls(core::readFile(sql_file), services.lake);
    data::Connection conn(services.duckdb);
    nlohmann::json rows = nlohmann::json::array();
    try {
      for (const auto& statement : resolved.statements) {
        auto prepared = conn.prepare(statement);
        for (size_t i = 1; i <= prepared.parameterCount(); ++i) {
          const std::string name = prepared.parameterName(i);
          if (!event.is_object() || !event.contains(name))
            throw Error(errc::kInvalidArgument, "the SQL of '" + ctx.functionName() + "' uses $" +
                                                    name + " but the event has no field '" + name +
                                                    "'");
          prepared.bindJson(i, event[name]);
        }
        auto result = prepared.execute();
        rows = nlohmann::json::array();
        for (size_t r = 0; r < result.rowCount(); ++r) rows.push_back(result.rowJson(r));
      }
    } catch (const Error& e) {
      throw Error(e.code(), resolved.describe(e.what()));
    }
    ctx.log("sql: " + std::to_string(rows.size()) + " rows");
    return rows;
  };
}

}  // namespace sluice::functions
