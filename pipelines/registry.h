#pragma once
// The bundled pipelines' own functions (pipelines/*/steps): registered beside the
// generic built-ins, one line per function, so project files name them as handlers.
namespace sluice::functions {
class Registry;
}

namespace sluice::pipelines {

void registerPipelineFunctions(functions::Registry& registry);

}  // namespace sluice::pipelines
