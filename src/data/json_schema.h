#pragma once
// JSON Schema (draft 7) validation of JSON documents, on valijson.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sluice::data {

struct SchemaViolation {
  std::string path;     // where in the document, e.g. "/items/2/price" ("" for the root)
  std::string message;  // what is wrong
};

class JsonSchema {
 public:
  // Throws Error(InvalidArgument) when `schema` is not a usable schema.
  explicit JsonSchema(const nlohmann::json& schema);
  ~JsonSchema();
  JsonSchema(JsonSchema&&) noexcept;
  std::vector<SchemaViolation> validate(const nlohmann::json& document) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::data
