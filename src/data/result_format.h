#pragma once
// Renders query results the way `sluice query --format` and the API print them.
#include <ostream>
#include <string>

namespace sluice::data {

class QueryResult;

enum class ResultFormat { kTable, kCsv, kJson, kJsonLines };

// "table", "csv", "json", "jsonl"; throws Error(InvalidArgument).
ResultFormat parseResultFormat(const std::string& name);
void writeResult(const QueryResult& result, ResultFormat format, std::ostream& out);

}  // namespace sluice::data
