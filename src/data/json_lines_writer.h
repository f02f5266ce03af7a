#pragma once
// JSON lines with the bytes DuckDB's COPY … (FORMAT JSON) writes, formatted here from
// DuckDB's vectors for booleans, integers, doubles, dates and text, and from DuckDB's own
// JSON for every other type (as data/csv_writer does for CSV).
#include <cstdint>
#include <functional>
#include <string>

namespace sluice::data {

class Connection;

// Writes the rows of the query `sql` to a new file at `path`, one object per line with
// the columns in order, and returns how many; `rows_done`, if given, hears the running
// count after each vector.
int64_t writeJsonLines(Connection& conn, const std::string& sql, const std::string& path,
                       const std::function<void(int64_t rows)>& rows_done = nullptr);

}  // namespace sluice::data
