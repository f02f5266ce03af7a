#pragma once
// The events pipeline's one bucket, as the stages use it: objects by key, read by DuckDB
// where they lie and written through the lake (atomically, raising object events).
#include <optional>
#include <string>
#include <vector>

#include "data/steps/step.h"

namespace sluice::pipelines::events {

class Bucket {
 public:
  Bucket(const nlohmann::json& event, const data::StepEnv& env);
  const std::string& name() const { return name_; }
  bool exists(const std::string& key) const;
  // A path DuckDB can read (a glob is allowed).
  std::string path(const std::string& key_or_glob) const;
  // read_parquet(…) of the key, or nullopt when there is no such object.
  std::optional<std::string> parquet(const std::string& key) const;
  // Writes the query's rows to the key (Parquet unless `output` says otherwise: any
  // fields of data::writeQuery's output spec, e.g. format, csv, compression); returns rows.
  int64_t write(data::Connection& conn, const std::string& select, const std::string& key,
                const nlohmann::json& output = nlohmann::json::object()) const;
  std::string url(const std::string& key) const { return "lake://" + name_ + "/" + key; }

 private:
  std::string name_;
  const data::StepEnv& env_;
};

// read_csv(…) of CSV files whose header is already known to be `columns`, every field
// as text: no sniffing (a second pass over large files), RFC 4180 quoting.
// `files_sql` is a SQL string literal or a list of them.
std::string textCsv(const std::string& files_sql, const std::string& delimiter,
                    const std::vector<std::string>& columns);

}  // namespace sluice::pipelines::events
