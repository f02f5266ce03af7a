#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

nlohmann::json dedupStep(const nlohmann::json& event, const StepEnv& env) {
  Connection conn(env.duckdb);
  createInputView(conn, "input", requireField(event, "input"), env.lake);
  std::vector<std::string> keys = event.value("keys", std::vector<std::string>{});
  std::string select;
  if (keys.empty()) {
    select = "SELECT DISTINCT * FROM input";  // exact duplicates
  } else {
    std::string partition;
    for (const auto& k : keys) partition += (partition.empty() ? "" : ", ") + sqlIdentifier(k);
    // Keep the latest row per key: highest order_by first, nulls last; ties keep
    // the earliest row of the input so the result is deterministic.
    std::string order =
        event.contains("order_by")
            ? sqlIdentifier(event["order_by"].get<std::string>()) + " DESC NULLS LAST, "
            : "";
    conn.query(
        "CREATE OR REPLACE TEMP VIEW numbered AS SELECT *, row_number() OVER () AS __sluice_pos "
        "FROM input");
    select =
        "SELECT * EXCLUDE (__sluice_pos) FROM numbered QUALIFY row_number() OVER (PARTITION BY " +
        partition + " ORDER BY " + order + "__sluice_pos) = 1 ORDER BY __sluice_pos";
  }
  int64_t rows_in = countRows(conn, "input");
  auto written = writeQuery(conn, select, requireField(event, "output"), env.lake, env.scratch_dir,
                            event.value("vars", nlohmann::json::object()), env.now, env.log);
  nlohmann::json out = written.toJson();
  out["rows_in"] = rows_in;
  out["rows_out"] = written.rows;
  out["removed"] = rows_in - written.rows;
  env.log("dedup: removed " + std::to_string(rows_in - written.rows) + " of " +
          std::to_string(rows_in) + " rows");
  return out;
}

}  // namespace sluice::data
