#pragma once
// The events pipeline's stages (SPEC 004 §2), each a data step over one bucket laid out
// as the original's S3 bucket: inbound/, preprocess/, landing/, landing_snapshot/,
// error/, common/master/, common/metadata/, common/normalized/, summarized/,
// common/outbound/. Every event may name "bucket" (default "lmhc"); the project's
// config sets it.
#include <nlohmann/json.hpp>

#include "data/steps/step.h"

namespace sluice::pipelines::events {

// Per metadata row (common/metadata/lm_metadata.csv): each inbound file whose name starts
// with the row's prefix is checked (name pattern, readable, at least one row, the exact
// header); failures are copied to error/{filename} with the reason as object metadata,
// successes become preprocess/{target_table}/data.parquet with processing_timestamp.
// Sources are deleted either way. → {"files": [{"file","table","status","reason","rows"}]}
nlohmann::json preprocessStep(const nlohmann::json& event, const data::StepEnv& env);

// Per feed: new keys only are added to the snapshot (landing_snapshot/{object}), rows
// with a NULL required column or a duplicate key (all but the latest by
// source_updated_date) or failing the HCP integrity checks go to
// error/{object}_error/ with error_reason and error_timestamp; landing/{table} is written.
// → {"tables": {TABLE: {"new", "rows", "errors"}}}
nlohmann::json landingStep(const nlohmann::json& event, const data::StepEnv& env);

// {"stage": "events" | "participants" | "expenses" | "kpis" | "outbound" | "cleanup",
//  "run_date": "YYYY-MM-DD"?} → the tables written and their rows.
nlohmann::json layerStep(const nlohmann::json& event, const data::StepEnv& env);

}  // namespace sluice::pipelines::events
