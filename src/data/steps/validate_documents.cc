// JSON Schema validation of JSON documents: one inline document, or a lake object
// holding one document, an array of them, or JSON lines.
#include "core/error.h"
#include "data/json_schema.h"
#include "data/steps/step.h"
#include "data/table_io.h"
#include "lake/object_store.h"

namespace sluice::data {

namespace {

using nlohmann::json;

json loadSchema(const json& spec, lake::ObjectStore& store) {
  if (!spec.is_string()) return spec;
  LakeUrl url = parseLakeUrl(spec.get<std::string>());
  json schema = json::parse(store.get(url.bucket, url.key), nullptr, false);
  if (schema.is_discarded())
    throw Error(errc::kInvalidArgument, "schema " + spec.get<std::string>() + " is not valid JSON");
  return schema;
}

struct Document {
  int64_t line;  // 1-based line (JSON lines) or position (array)
  json value;    // discarded when malformed
  std::string raw;
};

std::vector<Document> splitDocuments(const std::string& text, bool force_lines) {
  std::vector<Document> docs;
  if (!force_lines) {
    json whole = json::parse(text, nullptr, false);
    if (!whole.is_discarded()) {
      if (whole.is_array()) {
        int64_t i = 1;
        for (auto& d : whole) docs.push_back({i++, d, ""});
      } else {
        docs.push_back({1, whole, ""});
      }
      return docs;
    }
  }
  size_t start = 0;
  int64_t line = 1;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string raw = text.substr(start, end - start);
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (raw.find_first_not_of(" \t") != std::string::npos)
      docs.push_back({line, json::parse(raw, nullptr, false), raw});
    start = end + 1;
    line++;
  }
  return docs;
}

}  // namespace

json validateDocuments(const json& event, const StepEnv& env) {
  JsonSchema schema(loadSchema(event["schema"], env.lake));
  if (event.contains("document")) {
    auto violations = schema.validate(event["document"]);
    json errors = json::array();
    for (const auto& v : violations) errors.push_back({{"path", v.path}, {"reason", v.message}});
    return {{"valid", violations.empty()}, {"errors", errors}};
  }

  json input = inputSpecObject(requireField(event, "input"));
  const std::string source = input["path"];
  LakeUrl url = parseLakeUrl(source);
  auto docs = splitDocuments(env.lake.get(url.bucket, url.key), inputFormat(input) == "jsonl");

  std::string quarantined, valid;
  int64_t invalid = 0, faults = 0;
  json sample = json::array();
  for (const auto& d : docs) {
    std::vector<SchemaViolation> violations;
    if (d.value.is_discarded()) {
      violations.push_back({"", "malformed JSON"});
    } else {
      violations = schema.validate(d.value);
    }
    if (violations.empty()) {
      valid += d.value.dump() + "\n";
      continue;
    }
    invalid++;
    for (const auto& v : violations) {
      json fault{{"source", source}, {"row", d.line}, {"field", v.path}, {"reason", v.message}};
      if (sample.size() < 10) sample.push_back(fault);
      fault["record"] = d.value.is_discarded() ? json(d.raw) : d.value;
      quarantined += fault.dump() + "\n";
      faults++;
    }
  }
  const int64_t rows = static_cast<int64_t>(docs.size());
  json out{{"rows_in", rows},
           {"rows_valid", rows - invalid},
           {"rows_invalid", invalid},
           {"errors", faults},
           {"sample", sample}};
  auto put = [&](const json& spec, const std::string& body) {
    LakeUrl dest = parseLakeUrl(renderKeyTemplate(inputSpecObject(spec)["path"],
                                                  event.value("vars", json::object()), env.now));
    auto info = env.lake.put(dest.bucket, dest.key, body);
    return json::array(
        {{{"bucket", info.bucket}, {"key", info.key}, {"size", info.size}, {"etag", info.etag}}});
  };
  if (faults > 0) out["quarantine"] = put(quarantineSpec(event), quarantined);
  if (event.contains("output")) out["objects"] = put(event["output"], valid);
  env.log("validate: " + std::to_string(invalid) + " of " + std::to_string(rows) +
          " documents invalid");
  enforceThresholds(event, rows, invalid);
  return out;
}

}  // namespace sluice::data
