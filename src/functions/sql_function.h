#pragma once
// The `sql` runtime: a function that is a SQL file run by DuckDB. Named parameters
// ($region) take the event's fields of the same name; 'lake://BUCKET/KEY' literals read
// lake objects. The result is the last statement's rows as a JSON array of objects.
#include <string>

#include "functions/function.h"

namespace sluice::functions {

// Reads `sql_file` at each invocation, so edits apply without a restart.
Handler sqlFileHandler(std::string sql_file);

}  // namespace sluice::functions
