#pragma once
// A function's `memory` for the runtimes that compute in DuckDB (sql and built-in): each
// invocation gets a DuckDB of its own whose memory limit is that many MB, spilling to
// the invocation's scratch folder beyond it, so one function's large query cannot take
// the memory the rest of the process needs. (A command function gets the same limit as
// its data segment, see CommandSpec.)
#include "functions/function.h"

namespace sluice::functions {

Handler limitDuckDbMemory(Handler handler, int memory_mb);

}  // namespace sluice::functions
