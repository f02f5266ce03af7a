#include "pipelines/registry.h"

#include "functions/registry.h"
#include "pipelines/events/steps/steps.h"
#include "pipelines/totesys/steps/load.h"
#include "pipelines/totesys/steps/process.h"

namespace sluice::pipelines {

void registerPipelineFunctions(functions::Registry& r) {
  r.add("totesys_process", "totesys: ingestion packets to star-schema Parquet (SPEC 001)",
        functions::dataStep(totesys::processStep));
  r.add("totesys_load", "totesys: processed Parquet into the warehouse, insert-or-ignore",
        functions::dataStep(totesys::loadStep));
  r.add("events_preprocess", "events: inbound files checked against the metadata CSV (SPEC 004)",
        functions::dataStep(events::preprocessStep));
  r.add("events_landing", "events: landing layer with snapshot semantics and error rows",
        functions::dataStep(events::landingStep));
  r.add("events_layer", "events: normalize, expenses, KPIs, outbound or cleanup, by \"stage\"",
        functions::dataStep(events::layerStep));
}

}  // namespace sluice::pipelines
