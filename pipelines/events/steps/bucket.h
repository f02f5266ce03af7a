#pragma once
// The events pipeline's one bucket, as the stages use it: objects by key, read by DuckDB
// where they lie and written through the lake (atomically, raising object events).
#include <optional>
#include <string>

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
  // Writes the query's rows to the key (Parquet, or CSV with `csv` options); returns rows.
  int64_t write(data::Connection& conn, const std::string& select, const std::string& key,
                const nlohmann::json& csv = nullptr) const;
  std::string url(const std::string& key) const { return "lake://" + name_ + "/" + key; }

 private:
  std::string name_;
  const data::StepEnv& env_;
};

}  // namespace sluice::pipelines::events
