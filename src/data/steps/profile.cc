// Profiling and the quality score (seed 003's definitions, shared/pipelines/SPEC.md).
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

namespace {

using nlohmann::json;

struct Column {
  std::string name;
  std::string type;
  bool numeric;
};

std::vector<Column> describe(Connection& conn, const std::string& relation) {
  auto r = conn.query("SELECT column_name, column_type FROM (DESCRIBE " + relation + ")");
  std::vector<Column> out;
  for (size_t i = 0; i < r.rowCount(); i++) {
    const std::string& t = *r.cell(i, 1);
    bool numeric = t.find("INT") != std::string::npos || t == "FLOAT" || t == "DOUBLE" ||
                   t.rfind("DECIMAL", 0) == 0;
    out.push_back({*r.cell(i, 0), t, numeric});
  }
  return out;
}

double scalar(Connection& conn, const std::string& sql) {
  auto r = conn.query(sql);
  return r.cell(0, 0) ? std::stod(*r.cell(0, 0)) : 0.0;
}

std::string keyList(const std::vector<std::string>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + sqlIdentifier(c);
  return out;
}

// Rows that repeat an earlier row's key (all columns when no key is given).
int64_t duplicateRows(Connection& conn, const std::vector<std::string>& key) {
  if (key.empty())
    return static_cast<int64_t>(scalar(conn,
                                       "SELECT (SELECT count(*) FROM input) - (SELECT count(*) "
                                       "FROM (SELECT DISTINCT * FROM input))"));
  return static_cast<int64_t>(scalar(
      conn, "SELECT COALESCE(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM input GROUP BY " +
                keyList(key) + ")"));
}

}  // namespace

json profileStep(const json& event, const StepEnv& env) {
  Connection conn(env.duckdb);
  createInputView(conn, "input", requireField(event, "input"), env.lake);
  auto columns = describe(conn, "input");
  const int64_t rows = countRows(conn, "input");
  json profiles = json::array();
  int64_t nulls = 0;
  for (const auto& c : columns) {
    const std::string id = sqlIdentifier(c.name);
    std::string stats = "count(*) - count(" + id + "), count(DISTINCT " + id + ")";
    if (c.numeric)
      stats += ", avg(" + id + ")::DOUBLE, stddev_samp(" + id + ")::DOUBLE, min(" + id +
               ")::DOUBLE, max(" + id + ")::DOUBLE";
    auto r = conn.query("SELECT " + stats + " FROM input");
    json p{{"name", c.name},
           {"type", c.type},
           {"missing", r.cellJson(0, 0)},
           {"unique", r.cellJson(0, 1)}};
    if (c.numeric) {
      p["mean"] = r.cellJson(0, 2);
      p["std"] = r.cellJson(0, 3);
      p["min"] = r.cellJson(0, 4);
      p["max"] = r.cellJson(0, 5);
    }
    nulls += p["missing"].get<int64_t>();
    profiles.push_back(p);
  }
  const double cells = static_cast<double>(rows) * static_cast<double>(columns.size());
  json out{{"rows", rows},
           {"columns", columns.size()},
           {"missing_fraction", cells > 0 ? static_cast<double>(nulls) / cells : 0.0},
           {"duplicate_rows", duplicateRows(conn, {})},
           {"column_profiles", profiles}};
  env.log("profile: " + std::to_string(rows) + " rows, " + std::to_string(columns.size()) +
          " columns, " + out["duplicate_rows"].dump() + " duplicate rows");
  return out;
}

json qualityScoreStep(const json& event, const StepEnv& env) {
  Connection conn(env.duckdb);
  createInputView(conn, "input", requireField(event, "input"), env.lake);
  auto columns = describe(conn, "input");
  const double rows = static_cast<double>(countRows(conn, "input"));
  if (rows == 0) return {{"score", 0.0}, {"rows", 0}, {"reason", "no rows"}};

  std::string null_sum;
  for (const auto& c : columns)
    null_sum +=
        (null_sum.empty() ? "" : " + ") + ("count(*) - count(" + sqlIdentifier(c.name) + ")");
  const double completeness = 1.0 - scalar(conn, "SELECT " + null_sum + " FROM input") /
                                        (rows * static_cast<double>(columns.size()));

  const std::string pattern = event.value("validity_columns", "amount|price|total");
  double validity = 1.0;
  for (const auto& c : columns) {
    if (!c.numeric) continue;
    if (scalar(conn, "SELECT regexp_matches(lower(" + sqlLiteral(c.name) + "), " +
                         sqlLiteral(pattern) + ")::INTEGER") == 0)
      continue;
    validity -= scalar(conn, "SELECT count(*) FROM input WHERE " + sqlIdentifier(c.name) + " < 0") /
                rows * 0.1;
  }
  validity = std::max(0.0, validity);

  double consistency = 1.0;
  if (event.contains("email_column")) {
    std::string col = sqlIdentifier(event["email_column"].get<std::string>());
    consistency = scalar(conn, "SELECT COALESCE(avg((strpos(CAST(" + col +
                                   " AS VARCHAR), '@') > 0)::INTEGER), 1) FROM input WHERE " + col +
                                   " IS NOT NULL");
  }
  const double uniqueness = 1.0 - static_cast<double>(duplicateRows(
                                      conn, event.value("key", std::vector<std::string>{}))) /
                                      rows;
  const double score = 0.3 * completeness + 0.3 * validity + 0.2 * consistency + 0.2 * uniqueness;
  if (score < event.value("warn_below", 0.7))
    env.log("quality_score: warning: score " + std::to_string(score) + " is low");
  return {
      {"score", score},       {"rows", static_cast<int64_t>(rows)}, {"completeness", completeness},
      {"validity", validity}, {"consistency", consistency},         {"uniqueness", uniqueness}};
}

}  // namespace sluice::data
