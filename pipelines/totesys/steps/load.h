#pragma once
// The totesys loading step (SPEC 001 §3, "Loader"): processed Parquet into the
// warehouse's star schema, in the spec's order (dimensions before the fact), with
// insert-or-ignore semantics: a dimension row whose key is already there is left as it
// is (the original's ON CONFLICT DO NOTHING), and every fact row gets a new
// sales_record_id from the warehouse.
//
// It loads whatever processed packets the warehouse has not seen yet, whichever way
// they were made (the workflow's processing task or an object event), so a delivery that
// raced another one is loaded later rather than lost. Which packets are loaded is
// recorded in the warehouse itself (sluice_loaded_packets), in the same transaction as
// their rows: a packet is loaded exactly once even across a crash. Of two processings of
// one packet (a forced re-run), the newest file is the one loaded.
#include <nlohmann/json.hpp>

#include "data/steps/step.h"

namespace sluice::pipelines::totesys {

// Event: {"warehouse": {"duckdb": PATH} | {"postgres": CONNINFO},
//         "processed_bucket": "processed"}; anything else (the processing result) is
// ignored. Result: {"statusCode": 200, "loaded": {STAR_TABLE: {"packets", "rows"}}, "rows"}.
nlohmann::json loadStep(const nlohmann::json& event, const data::StepEnv& env);

// The star tables in load order.
const std::vector<std::string>& starTablesInLoadOrder();

}  // namespace sluice::pipelines::totesys
