#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

nlohmann::json sqlStep(const nlohmann::json& event, const StepEnv& env) {
  Connection conn(env.duckdb);
  if (event.contains("inputs")) {
    if (!event["inputs"].is_object())
      throw Error(errc::kInvalidArgument, "\"inputs\" must map view names to inputs");
    for (const auto& [name, spec] : event["inputs"].items())
      createInputView(conn, name, spec, env.lake);
  }
  const std::string sql = requireField(event, "sql").get<std::string>();
  const nlohmann::json vars = event.value("vars", nlohmann::json::object());
  if (event.contains("outputs")) {
    // The SQL makes tables or views; each named one is written to its output.
    if (!event["outputs"].is_object() || event["outputs"].empty())
      throw Error(errc::kInvalidArgument,
                  "\"outputs\" must map names of tables the SQL makes to outputs");
    conn.query(sql);
    nlohmann::json written = nlohmann::json::object();
    for (const auto& [name, spec] : event["outputs"].items()) {
      try {
        written[name] = writeQuery(conn, "SELECT * FROM " + sqlIdentifier(name), spec, env.lake,
                                   env.scratch_dir, vars, env.now, env.log)
                            .toJson();
      } catch (const Error& e) {
        throw Error(e.code(), "output '" + name + "': " + e.what());
      }
      env.log("sql: wrote " + written[name]["rows"].dump() + " rows of " + name);
    }
    return {{"outputs", written}};
  }
  if (event.contains("output")) {
    auto written =
        writeQuery(conn, sql, event["output"], env.lake, env.scratch_dir, vars, env.now, env.log);
    env.log("sql: wrote " + std::to_string(written.rows) + " rows");
    return written.toJson();
  }
  const int64_t max_rows = event.value("max_rows", 1000);
  // Prepared, so that nested values come as JSON (Connection::prepare).
  auto result =
      conn.prepare("SELECT * FROM (" + sql + "\n) LIMIT " + std::to_string(max_rows + 1)).execute();
  nlohmann::json rows = nlohmann::json::array();
  for (size_t r = 0; r < result.rowCount() && static_cast<int64_t>(r) < max_rows; r++)
    rows.push_back(result.rowJson(r));
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : result.columns()) columns.push_back({{"name", c.name}, {"type", c.type}});
  return {{"columns", columns},
          {"rows", rows},
          {"truncated", static_cast<int64_t>(result.rowCount()) > max_rows}};
}

}  // namespace sluice::data
