#include "pipelines/events/steps/bucket.h"

#include "core/error.h"
#include "data/table_io.h"
#include "lake/object_store.h"

namespace sluice::pipelines::events {

Bucket::Bucket(const nlohmann::json& event, const data::StepEnv& env)
    : name_(event.value("bucket", "lmhc")), env_(env) {}

bool Bucket::exists(const std::string& key) const { return env_.lake.find(name_, key).has_value(); }

std::string Bucket::path(const std::string& key_or_glob) const {
  return env_.lake.requireLocalPath(name_, key_or_glob);
}

std::optional<std::string> Bucket::parquet(const std::string& key) const {
  if (!exists(key)) return std::nullopt;
  return "read_parquet(" + data::sqlLiteral(path(key)) + ")";
}

int64_t Bucket::write(data::Connection& conn, const std::string& select, const std::string& key,
                      const nlohmann::json& output) const {
  nlohmann::json out = output;
  out["path"] = url(key);
  return data::writeQuery(conn, select, out, env_.lake, env_.scratch_dir, nlohmann::json::object(),
                          env_.now)
      .rows;
}

std::string textCsv(const std::string& files_sql, const std::string& delimiter,
                    const std::vector<std::string>& columns) {
  std::string types;
  for (const auto& c : columns)
    types += (types.empty() ? "" : ", ") + data::sqlLiteral(c) + ": 'VARCHAR'";
  return "read_csv(" + files_sql +
         ", header = true, auto_detect = false, delim = " + data::sqlLiteral(delimiter) +
         ", quote = '\"', escape = '\"', columns = {" + types + "})";
}

}  // namespace sluice::pipelines::events
