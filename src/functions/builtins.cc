// The built-in functions: one registration line each.
#include "core/clock.h"
#include "core/error.h"
#include "data/lake_sql.h"
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

void registerBuiltins(Registry& r) {
  r.add("convert", "read lake objects in one format and write them in another",
        dataStep(data::convertStep));
  r.add("sql", "run SQL over named lake inputs; return rows or write an output",
        dataStep(data::sqlStep));
  r.add("dedup", "drop duplicate rows by key, keeping the latest by an ordering column",
        dataStep(data::dedupStep));
  r.add("mask", "mask card numbers, CVVs, names, SSNs, phones, e-mails and regexes",
        dataStep(data::maskStep));
  r.add("profile", "row, column, missing and duplicate counts and per-column statistics",
        dataStep(data::profileStep));
  r.add("quality_score", "completeness, validity, consistency and uniqueness in one 0..1 score",
        dataStep(data::qualityScoreStep));
  r.add("extract_sql",
        "incremental extract from SQLite or PostgreSQL by a watermark, as numbered packets",
        dataStep(data::extractSqlStep));
  r.add("validate",
        "check rows against column rules or documents against a JSON Schema; quarantine failures",
        dataStep(data::validateStep));
}

}  // namespace sluice::functions
