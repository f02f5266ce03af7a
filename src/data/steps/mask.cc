#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

// The presets follow seed 003's masking rules (see shared/pipelines/SPEC.md, 003 §6).
std::string maskExpression(const std::string& column, const nlohmann::json& rule) {
  const std::string c = "CAST(" + sqlIdentifier(column) + " AS VARCHAR)";
  const std::string len = "length(" + c + ")";
  if (rule.is_object()) {
    if (!rule.contains("regex"))
      throw Error(errc::kInvalidArgument, "mask rule for '" + column + "' needs \"regex\"");
    return "regexp_replace(" + c + ", " + sqlLiteral(rule["regex"].get<std::string>()) + ", " +
           sqlLiteral(rule.value("replace", "***")) + ", 'g')";
  }
  const std::string preset = rule.is_string() ? rule.get<std::string>() : "";
  if (preset == "card")  // '*' x (len-4) + last 4, or '****'
    return "CASE WHEN " + len + " <= 4 THEN '****' ELSE repeat('*', " + len + " - 4) || right(" +
           c + ", 4) END";
  if (preset == "cvv") return "'***'";
  if (preset == "name")  // first + '*' x (len-2) + last, or '***'
    return "CASE WHEN " + len + " <= 2 THEN '***' ELSE left(" + c + ", 1) || repeat('*', " + len +
           " - 2) || right(" + c + ", 1) END";
  if (preset == "ssn")
    return "CASE WHEN " + len + " >= 4 THEN '***-**-' || right(" + c +
           ", 4) ELSE '***-**-****' END";
  if (preset == "phone")
    return "CASE WHEN " + len + " >= 7 THEN left(" + c + ", 3) || '***' || right(" + c +
           ", 4) ELSE '***-***-****' END";
  if (preset == "email")  // first character of the local part, then the domain
    return "CASE WHEN strpos(" + c + ", '@') > 1 THEN left(" + c + ", 1) || '***' || substr(" + c +
           ", strpos(" + c + ", '@')) ELSE '***' END";
  throw Error(errc::kInvalidArgument,
              "unknown mask rule for '" + column +
                  "' (use card, cvv, name, ssn, phone, email or {\"regex\": …})");
}

nlohmann::json maskStep(const nlohmann::json& event, const StepEnv& env) {
  Connection conn(env.duckdb);
  createInputView(conn, "input", requireField(event, "input"), env.lake);
  const auto& rules = requireField(event, "columns");
  if (!rules.is_object() || rules.empty())
    throw Error(errc::kInvalidArgument, "\"columns\" must map column names to mask rules");

  // Only columns that exist are touched, in their original position; NULL stays NULL.
  auto columns = conn.query("SELECT column_name FROM (DESCRIBE input)");
  std::string select;
  nlohmann::json masked = nlohmann::json::array();
  for (size_t r = 0; r < columns.rowCount(); r++) {
    std::string name = *columns.cell(r, 0);
    std::string expr = sqlIdentifier(name);
    if (rules.contains(name)) {
      expr = "CASE WHEN " + sqlIdentifier(name) + " IS NULL THEN NULL ELSE " +
             maskExpression(name, rules[name]) + " END AS " + sqlIdentifier(name);
      masked.push_back(name);
    }
    select += (select.empty() ? "" : ", ") + expr;
  }
  auto written =
      writeQuery(conn, "SELECT " + select + " FROM input", requireField(event, "output"), env.lake,
                 env.scratch_dir, event.value("vars", nlohmann::json::object()), env.now, env.log);
  nlohmann::json out = written.toJson();
  out["masked_columns"] = masked;
  env.log("mask: masked " + masked.dump() + " in " + std::to_string(written.rows) + " rows");
  return out;
}

}  // namespace sluice::data
