#pragma once
// Lake objects in and out of DuckDB, described by small JSON specs that events,
// workflows and project files carry.
//
// Input spec: "lake://BUCKET/KEY-OR-GLOB", or
//   {"path": "lake://…", "format": "auto|csv|json|jsonl|parquet",
//    "csv": {"delimiter": ",", "header": true, "null": "NULL", "quote": "\"",
//            "all_varchar": false},
//    "hive_partitioning": false}
// Output spec:
//   {"path": "lake://BUCKET/KEY-TEMPLATE", "format": "parquet|csv|jsonl",
//    "compression": "snappy|zstd|uncompressed", "row_group_size": 122880,
//    "csv": {"delimiter": ",", "header": true, "bom": false, "line_ending": "\n"},
//    "partition_by": ["col", …], "overwrite": true}
// A key template fills {name} and {name:08d} from the event's "vars" and {time:%H%M%S%f}
// (strftime plus %f for microseconds) from the current UTC time.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace sluice::lake {
class ObjectStore;
}

namespace sluice::data {

class Connection;

// The input spec in object form (a plain URL becomes {"path": URL}).
nlohmann::json inputSpecObject(const nlohmann::json& spec);
// Lake URL parts; throws Error(InvalidArgument) for anything but lake://BUCKET/KEY.
struct LakeUrl {
  std::string bucket;
  std::string key;
};
LakeUrl parseLakeUrl(const std::string& url);
// "parquet", "csv", "jsonl" or "json" from the spec's "format" or the key's extension.
std::string inputFormat(const nlohmann::json& spec);
// The format a file's name says: .parquet, .csv/.tsv/.txt, .jsonl/.ndjson, .json, each
// also compressed (.gz, .zst); nullopt when it says none.
struct NamedFormat {
  std::string format;  // parquet, csv, jsonl or json
  std::string suffix;  // the end of the name that says it: ".tsv", ".csv.gz"
};
std::optional<NamedFormat> formatOfName(const std::string& name);

// A DuckDB table expression (e.g. read_csv('…', delim=',')) reading the input spec.
std::string readExpression(const nlohmann::json& input_spec, lake::ObjectStore& store);

// The local path of the input when it is exactly one Parquet object (no glob, no Hive
// partitions); otherwise nullopt.
std::optional<std::string> wholeParquetFile(const nlohmann::json& input_spec,
                                            lake::ObjectStore& store);

std::string renderKeyTemplate(const std::string& key_template, const nlohmann::json& vars,
                              core::TimeNs now);

struct WrittenObject {
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

struct WriteResult {
  int64_t rows = 0;
  std::vector<WrittenObject> objects;
  nlohmann::json toJson() const;
};

// Runs `select_sql` and stores its result under the output spec: DuckDB writes to
// `scratch_dir`, then each file is streamed into the lake (atomically, raising events).
// Long writes report progress lines through `progress`. `whole_parquet_input`, when the
// query is every row of that one Parquet file in its order, lets text outputs be written
// in row ranges side by side (data/ranged_copy.h).
WriteResult writeQuery(Connection& conn, const std::string& select_sql,
                       const nlohmann::json& output_spec, lake::ObjectStore& store,
                       const std::string& scratch_dir, const nlohmann::json& vars, core::TimeNs now,
                       const std::function<void(const std::string&)>& progress = nullptr,
                       const std::optional<std::string>& whole_parquet_input = std::nullopt);

// SQL string literal and identifier quoting.
std::string sqlLiteral(const std::string& s);
std::string sqlIdentifier(const std::string& s);

}  // namespace sluice::data
