// The built-in functions: one registration line each.
#include "core/clock.h"
#include "core/error.h"
#include "data/lake_sql.h"
#include "data/steps/event_schema.h"
#include "data/steps/step.h"
#include "functions/registry.h"
#include "state/state_store.h"

namespace sluice::functions {

Handler dataStep(DataStepFn step) {
  return [step](const nlohmann::json& event, InvocationContext& ctx) {
    const auto& s = ctx.services();
    data::StepEnv env{s.lake,
                      s.duckdb,
                      s.scratch_dir,
                      [&ctx](const std::string& l) { ctx.log(l); },
                      core::SystemClock::instance().now(),
                      &s.state.parameters()};
    try {
      return step(event, env);
    } catch (const Error& e) {
      throw Error(e.code(), data::withLakeUrls(e.what(), s.lake));
    }
  };
}

namespace {

// A built-in step, its event checked against the step's schema before it runs.
void addStep(Registry& r, const std::string& name, const std::string& description,
             DataStepFn step) {
  r.add(name, description,
        [name, run = dataStep(step)](const nlohmann::json& event, InvocationContext& ctx) {
          data::checkStepEvent(name, event);
          return run(event, ctx);
        });
}

}  // namespace

void registerBuiltins(Registry& r) {
  addStep(r, "convert", "read lake objects in one format and write them in another",
          data::convertStep);
  addStep(r, "sql", "run SQL over named lake inputs; return rows or write an output",
          data::sqlStep);
  addStep(r, "dedup", "drop duplicate rows by key, keeping the latest by an ordering column",
          data::dedupStep);
  addStep(r, "mask", "mask card numbers, CVVs, names, SSNs, phones, e-mails and regexes",
          data::maskStep);
  addStep(r, "profile", "row, column, missing and duplicate counts and per-column statistics",
          data::profileStep);
  addStep(r, "quality_score",
          "completeness, validity, consistency and uniqueness in one 0..1 score",
          data::qualityScoreStep);
  addStep(r, "extract_sql",
          "incremental extract from SQLite or PostgreSQL by a watermark, as numbered packets",
          data::extractSqlStep);
  addStep(r, "validate",
          "check rows against column rules or documents against a JSON Schema; quarantine failures",
          data::validateStep);
}

}  // namespace sluice::functions
