// Column rules checked in SQL over the whole input at once: each rule is a query that
// yields (row, field, reason, value) for the rows breaking it.
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

namespace {

using nlohmann::json;

std::string faultQuery(const std::string& col, const std::string& reason_sql,
                       const std::string& where) {
  return "SELECT __row, " + sqlLiteral(col) + " AS field, " + reason_sql + " AS reason, CAST(" +
         sqlIdentifier(col) + " AS VARCHAR) AS value FROM __rows WHERE " + where;
}

// Flags every occurrence of a key after its first.
std::string duplicateQuery(const std::vector<std::string>& cols) {
  std::string list, not_null, value;
  for (const auto& c : cols) {
    list += (list.empty() ? "" : ", ") + sqlIdentifier(c);
    not_null += (not_null.empty() ? "" : " AND ") + sqlIdentifier(c) + " IS NOT NULL";
    value += std::string(value.empty() ? "" : " || '|' || ") + "CAST(" + sqlIdentifier(c) +
             " AS VARCHAR)";
  }
  std::string field;
  for (const auto& c : cols) field += (field.empty() ? "" : ",") + c;
  return "SELECT __row, " + sqlLiteral(field) +
         " AS field, 'duplicate of row ' || __first AS reason, " + value +
         " AS value FROM (SELECT *, first_value(__row) OVER (PARTITION BY " + list +
         " ORDER BY __row) AS __first FROM __rows WHERE " + not_null + ") WHERE __row <> __first";
}

std::vector<std::string> ruleQueries(Connection& conn, const json& event, const StepEnv& env) {
  std::vector<std::string> queries;
  const json columns = event.value("columns", json::object());
  int ref = 0;
  for (const auto& [col, rule] : columns.items()) {
    const std::string c = sqlIdentifier(col);
    if (rule.contains("type")) {
      std::string type = rule["type"];
      queries.push_back(
          faultQuery(col, sqlLiteral("not a valid " + type),
                     c + " IS NOT NULL AND TRY_CAST(" + c + " AS " + type + ") IS NULL"));
    }
    if (rule.contains("nullable") && !rule["nullable"].get<bool>())
      queries.push_back(faultQuery(col, "'missing value'", c + " IS NULL"));
    if (rule.contains("regex")) {
      std::string re = rule["regex"];
      queries.push_back(faultQuery(col, sqlLiteral("does not match " + re),
                                   c + " IS NOT NULL AND NOT regexp_full_match(CAST(" + c +
                                       " AS VARCHAR), " + sqlLiteral(re) + ")"));
    }
    if (rule.contains("allowed")) {
      std::string list;
      for (const auto& v : rule["allowed"])
        list += (list.empty() ? "" : ", ") +
                sqlLiteral(v.is_string() ? v.get<std::string>() : v.dump());
      queries.push_back(
          faultQuery(col, sqlLiteral("not one of " + rule["allowed"].dump()),
                     c + " IS NOT NULL AND CAST(" + c + " AS VARCHAR) NOT IN (" + list + ")"));
    }
    for (const char* bound : {"min", "max"}) {
      if (!rule.contains(bound)) continue;
      bool is_min = std::string(bound) == "min";
      std::string limit = rule[bound].dump();
      queries.push_back(faultQuery(
          col,
          sqlLiteral(std::string(is_min ? "below the minimum " : "above the maximum ") + limit),
          "TRY_CAST(" + c + " AS DOUBLE) " + (is_min ? "< " : "> ") + limit));
    }
    if (rule.value("unique", false)) queries.push_back(duplicateQuery({col}));
    if (rule.contains("references")) {
      const json& r = rule["references"];
      std::string view = "__ref" + std::to_string(ref++);
      createInputView(conn, view, requireField(r, "input"), env.lake);
      std::string target = sqlIdentifier(requireField(r, "column").get<std::string>());
      queries.push_back(faultQuery(
          col,
          sqlLiteral("no matching " + r["column"].get<std::string>() + " in " +
                     inputSpecObject(r["input"])["path"].get<std::string>()),
          c + " IS NOT NULL AND CAST(" + c + " AS VARCHAR) NOT IN (SELECT CAST(" + target +
              " AS VARCHAR) FROM " + view + " WHERE " + target + " IS NOT NULL)"));
    }
  }
  for (const auto& key : event.value("unique", json::array())) {
    if (!key.is_array() || key.empty())
      throw Error(errc::kInvalidArgument,
                  "\"unique\" must be a list of column lists, e.g. [[\"a\", \"b\"]]");
    queries.push_back(duplicateQuery(key.get<std::vector<std::string>>()));
  }
  return queries;
}

}  // namespace

json validateTable(const json& event, const StepEnv& env) {
  json input = inputSpecObject(requireField(event, "input"));
  // CSV is read as text so that a wrongly typed value is reported, not guessed around.
  if (inputFormat(input) == "csv" && !input.value("csv", json::object()).contains("all_varchar"))
    input["csv"]["all_varchar"] = true;
  const std::string source = input["path"];

  Connection conn(env.duckdb);
  conn.query("CREATE TEMP TABLE __rows AS SELECT row_number() OVER () AS __row, * FROM " +
             readExpression(input, env.lake));
  auto described =
      conn.query("SELECT column_name FROM (DESCRIBE __rows) WHERE column_name <> '__row'");
  std::vector<std::string> present;
  for (size_t r = 0; r < described.rowCount(); r++) present.push_back(*described.cell(r, 0));
  const json columns = event.value("columns", json::object());
  for (const auto& [col, rule] : columns.items())
    if (std::find(present.begin(), present.end(), col) == present.end())
      throw Error(errc::kValidation, "'" + source + "' has no column '" + col + "' (it has " +
                                         json(present).dump() + ")");

  auto queries = ruleQueries(conn, event, env);
  std::string all =
      queries.empty()
          ? "SELECT NULL::BIGINT AS __row, NULL AS field, NULL AS reason, NULL AS value WHERE false"
          : "";
  for (const auto& q : queries) all += (all.empty() ? "" : " UNION ALL ") + q;
  conn.query("CREATE TEMP TABLE __faults AS " + all);

  std::string record;
  for (const auto& c : present)
    record += (record.empty() ? "" : ", ") + sqlIdentifier(c) + " := " + sqlIdentifier(c);
  const int64_t rows = countRows(conn, "__rows");
  const int64_t invalid = countRows(conn, "(SELECT DISTINCT __row FROM __faults)");
  const int64_t faults = countRows(conn, "__faults");

  json out{{"rows_in", rows},
           {"rows_valid", rows - invalid},
           {"rows_invalid", invalid},
           {"errors", faults}};
  auto sample = conn.query(
      "SELECT __row AS row, field, reason, value FROM __faults ORDER BY __row, field LIMIT 10");
  out["sample"] = json::array();
  for (size_t r = 0; r < sample.rowCount(); r++) out["sample"].push_back(sample.rowJson(r));

  const json vars = event.value("vars", json::object());
  if (faults > 0) {
    auto q = writeQuery(conn,
                        "SELECT " + sqlLiteral(source) +
                            " AS source, f.__row AS row, field, reason, value, "
                            "to_json(struct_pack(" +
                            record +
                            ")) AS record FROM __faults f JOIN __rows r USING (__row) "
                            "ORDER BY f.__row, field",
                        quarantineSpec(event), env.lake, env.scratch_dir, vars, env.now, env.log);
    out["quarantine"] = q.toJson()["objects"];
  }
  if (event.contains("output")) {
    // Valid rows, cast to their declared types.
    std::string select;
    for (const auto& c : present) {
      std::string expr = sqlIdentifier(c);
      if (columns.contains(c) && columns[c].contains("type"))
        expr = "CAST(" + expr + " AS " + columns[c]["type"].get<std::string>() + ") AS " +
               sqlIdentifier(c);
      select += (select.empty() ? "" : ", ") + expr;
    }
    auto w = writeQuery(
        conn,
        "SELECT " + select +
            " FROM __rows WHERE __row NOT IN (SELECT __row FROM __faults) ORDER BY __row",
        event["output"], env.lake, env.scratch_dir, vars, env.now, env.log);
    out["objects"] = w.toJson()["objects"];
  }
  env.log("validate: " + std::to_string(invalid) + " of " + std::to_string(rows) +
          " rows invalid (" + std::to_string(faults) + " faults)");
  enforceThresholds(event, rows, invalid);
  return out;
}

}  // namespace sluice::data
