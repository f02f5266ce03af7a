#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

nlohmann::json convertStep(const nlohmann::json& event, const StepEnv& env) {
  Connection conn(env.duckdb);
  const nlohmann::json& input = requireField(event, "input");
  createInputView(conn, "input", input, env.lake);
  auto written = writeQuery(conn, "SELECT * FROM input", requireField(event, "output"), env.lake,
                            env.scratch_dir, event.value("vars", nlohmann::json::object()), env.now,
                            env.log, wholeParquetFile(input, env.lake));
  env.log("convert: wrote " + std::to_string(written.rows) + " rows to " +
          std::to_string(written.objects.size()) + " object(s)");
  return written.toJson();
}

}  // namespace sluice::data
