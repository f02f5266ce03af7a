#pragma once
// The generic data steps (convert, sql, dedup, mask, …): each reads lake objects into
// DuckDB, transforms them with SQL and writes results back to the lake. They are plain
// functions of (event, environment) → result so the function registry can expose them
// and tests can call them directly.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"

namespace sluice::lake {
class ObjectStore;
}
namespace sluice::state {
class ParameterStore;
}

namespace sluice::data {

class Database;
class Connection;

struct StepEnv {
  lake::ObjectStore& lake;
  Database& duckdb;
  std::string scratch_dir;
  std::function<void(const std::string&)> log;
  core::TimeNs now;
  state::ParameterStore* parameters = nullptr;  // for steps that keep watermarks
};

// {"input": IN, "output": OUT, "vars": {…}} → {"rows", "objects"}
nlohmann::json convertStep(const nlohmann::json& event, const StepEnv& env);
// {"inputs": {NAME: IN, …}, "sql": "SELECT … FROM NAME", "output": OUT?, "max_rows": 1000}
// → with an output: {"rows", "objects"}; without: {"columns", "rows": [{…}, …]}.
nlohmann::json sqlStep(const nlohmann::json& event, const StepEnv& env);
// {"input", "output", "keys": [COL…]?, "order_by": COL?} → {"rows_in", "rows_out", "removed",
// "objects"}
nlohmann::json dedupStep(const nlohmann::json& event, const StepEnv& env);
// {"input", "output", "columns": {COL: "card"|"cvv"|"name"|"ssn"|"phone"|"email"|
//   {"regex": R, "replace": S}}} → {"rows", "masked_columns", "objects"}
nlohmann::json maskStep(const nlohmann::json& event, const StepEnv& env);

// Table mode: {"input", "columns": {COL: {"type", "nullable", "regex", "allowed", "min",
//   "max", "unique", "references": {"input", "column"}}}, "unique": [[COL…]…],
//   "output"?, "quarantine"?, "max_invalid_rows"?, "max_invalid_fraction"?}
// Document mode: {"schema": JSON Schema or lake URL, "document": {…}} or {"schema", "input"
//   (a JSON document, array or JSON lines object), "output"?, "quarantine"?, thresholds}
// → counts, a sample of errors, the quarantine object; fails with ValidationFailed past a
// threshold (after the quarantine is written, so nothing is lost).
nlohmann::json validateStep(const nlohmann::json& event, const StepEnv& env);
nlohmann::json validateTable(const nlohmann::json& event, const StepEnv& env);
nlohmann::json validateDocuments(const nlohmann::json& event, const StepEnv& env);
// Throws Error(ValidationFailed) when the invalid rows exceed the event's thresholds.
void enforceThresholds(const nlohmann::json& event, int64_t rows, int64_t invalid);
// Where rejected rows go: the event's "quarantine" output, or by default
// lake://BUCKET/quarantine/KEY.errors.jsonl beside the input.
nlohmann::json quarantineSpec(const nlohmann::json& event);

// {"input"} → {"rows", "columns", "missing_fraction", "duplicate_rows", "column_profiles":
//   [{"name", "type", "missing", "unique", "mean", "std", "min", "max"}]}
nlohmann::json profileStep(const nlohmann::json& event, const StepEnv& env);
// {"input", "key": [COL…]?, "validity_columns": REGEX?, "email_column": COL?} → the
// seed 003 score: 0.3 completeness + 0.3 validity + 0.2 consistency + 0.2 uniqueness.
nlohmann::json qualityScoreStep(const nlohmann::json& event, const StepEnv& env);

// {"source": {"sqlite": PATH} | {"postgres": CONNINFO}, "tables": [NAME | {"name", "full"}],
//  "watermark_column": "last_updated", "parameter_prefix": "/extract",
//  "output": {"path": "lake://B/{table}_{packet_id:08d}.jsonl", "format": "jsonl"|"json"}}
// Incremental extract: rows with watermark_column above the table's stored watermark
// (every row for "full" tables) become one packet object per table, numbered by a
// per-table sequence. Watermark and sequence live in the parameter store under
// PREFIX/TABLE/watermark and PREFIX/TABLE/packet_id (or the templates of
// "parameter_names": {"watermark", "packet_id"}, filled from "vars" and {table}) and are
// advanced only after the packet is stored. → {"new_data", "tables": {NAME: {"rows", "packet_id", "key", "watermark"}}}
nlohmann::json extractSqlStep(const nlohmann::json& event, const StepEnv& env);

// The SQL expression that masks column `column` with `rule` (see maskStep).
std::string maskExpression(const std::string& column, const nlohmann::json& rule);

// Helpers shared by the steps.
const nlohmann::json& requireField(const nlohmann::json& event, const char* name);
// Creates temporary view `name` over the input spec on `conn`.
void createInputView(Connection& conn, const std::string& name, const nlohmann::json& input_spec,
                     lake::ObjectStore& store);
int64_t countRows(Connection& conn, const std::string& relation);

}  // namespace sluice::data
