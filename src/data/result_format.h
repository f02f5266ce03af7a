#pragma once
// Renders query results the way `sluice query --format` and the API print them.
#include <ostream>
#include <string>

namespace sluice::data {

class QueryResult;
class Connection;

enum class ResultFormat { kTable, kCsv, kJson, kJsonLines };

// "table", "csv", "json", "jsonl"; throws Error(InvalidArgument).
ResultFormat parseResultFormat(const std::string& name);
void writeResult(const QueryResult& result, ResultFormat format, std::ostream& out);
// Runs a statement that returns rows and writes them as they stream from DuckDB, so
// CSV, JSON and JSON lines of any size use little memory (a table still collects them).
void streamResult(Connection& conn, const std::string& sql, ResultFormat format, std::ostream& out);

}  // namespace sluice::data
