#include "core/error.h"
#include "data/steps/step.h"
#include "data/table_io.h"

namespace sluice::data {

nlohmann::json validateStep(const nlohmann::json& event, const StepEnv& env) {
  if (event.contains("schema")) return validateDocuments(event, env);
  if (event.contains("columns") || event.contains("unique")) return validateTable(event, env);
  throw Error(errc::kInvalidArgument,
              "validate needs \"schema\" (JSON documents) or \"columns\" (a table's column rules)");
}

void enforceThresholds(const nlohmann::json& event, int64_t rows, int64_t invalid) {
  if (event.contains("max_invalid_rows") && invalid > event["max_invalid_rows"].get<int64_t>())
    throw Error("ValidationFailed", std::to_string(invalid) +
                                        " invalid rows exceed max_invalid_rows " +
                                        event["max_invalid_rows"].dump());
  if (event.contains("max_invalid_fraction") && rows > 0 &&
      static_cast<double>(invalid) / static_cast<double>(rows) >
          event["max_invalid_fraction"].get<double>())
    throw Error("ValidationFailed", std::to_string(invalid) + " of " + std::to_string(rows) +
                                        " rows are invalid, over max_invalid_fraction " +
                                        event["max_invalid_fraction"].dump());
}

nlohmann::json quarantineSpec(const nlohmann::json& event) {
  if (event.contains("quarantine")) return event["quarantine"];
  LakeUrl in = parseLakeUrl(inputSpecObject(requireField(event, "input"))["path"]);
  std::string key = in.key;
  for (char& c : key)
    if (c == '*' || c == '?' || c == '[' || c == ']') c = '_';
  return {{"path", "lake://" + in.bucket + "/quarantine/" + key + ".errors.jsonl"},
          {"format", "jsonl"}};
}

}  // namespace sluice::data
