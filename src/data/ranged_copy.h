#pragma once
// Writing one Parquet file's rows as CSV or JSON lines, in order, several row ranges at
// once, each by sluice's own writer for the format.
//
// DuckDB keeps a query's row order when it runs on several threads by buffering and
// re-sequencing their output; for Parquet -> 632 MB pipe CSV on 2 cores that made the
// COPY 2.4-2.9 s, where two single-threaded COPYs of half the row groups each, run side
// by side and joined, took 1.7-2.3 s and produce the same bytes. Text formats without a
// footer can be joined; the header, when there is one, comes from the first range only.
#include <cstdint>
#include <optional>
#include <string>

#include "data/csv_writer.h"
#include "data/duckdb_engine.h"

namespace sluice::data {

struct RangedCopy {
  std::string parquet_path;  // the one file read, every row of it, nothing else
  std::string target;        // the file written
  // CSV in this dialect (data/csv_writer.h), or else JSON lines (data/json_lines_writer.h).
  std::optional<CsvDialect> csv;
  // Below this many rows the second database and its connections (about 25 ms) cost more
  // than the ranges save.
  int64_t min_rows = 1'000'000;
};

// Copies in as many ranges as `db` has threads (whole row groups each) and returns the
// rows written; nullopt, having written nothing, when `db` has one thread or the file
// fewer than two row groups or than `min_rows` rows. `progress` follows the first range
// once the copy has run for two seconds.
// A failed range fails the copy.
std::optional<int64_t> copyParquetInRanges(Database& db, const RangedCopy& copy,
                                           const Connection::ProgressFn& progress);

}  // namespace sluice::data
