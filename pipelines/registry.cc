#include "pipelines/registry.h"

#include "functions/registry.h"
#include "pipelines/totesys/steps/load.h"
#include "pipelines/totesys/steps/process.h"

namespace sluice::pipelines {

void registerPipelineFunctions(functions::Registry& r) {
  r.add("totesys_process", "totesys: ingestion packets to star-schema Parquet (SPEC 001)",
        functions::dataStep(totesys::processStep));
  r.add("totesys_load", "totesys: processed Parquet into the warehouse, insert-or-ignore",
        functions::dataStep(totesys::loadStep));
}

}  // namespace sluice::pipelines
