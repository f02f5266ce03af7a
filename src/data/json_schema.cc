// valijson aborts the process on a bad schema unless told to throw.
#define VALIJSON_USE_EXCEPTIONS 1
#include "data/json_schema.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/error.h"

namespace sluice::data {

struct JsonSchema::Impl {
  valijson::Schema schema;
};

JsonSchema::JsonSchema(const nlohmann::json& schema) : impl_(std::make_unique<Impl>()) {
  if (!schema.is_object() && !schema.is_boolean())
    throw Error(errc::kInvalidArgument, "a JSON Schema must be an object");
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, impl_->schema);
  } catch (const std::exception& e) {
    throw Error(errc::kInvalidArgument, std::string("invalid JSON Schema: ") + e.what());
  }
}

JsonSchema::~JsonSchema() = default;
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;

std::vector<SchemaViolation> JsonSchema::validate(const nlohmann::json& document) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  std::vector<SchemaViolation> out;
  if (validator.validate(impl_->schema, adapter, &results)) return out;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    // valijson's context is ["<root>", "[field]", "[2]", …]; make it a JSON pointer.
    std::string path;
    for (size_t i = 1; i < error.context.size(); i++) {
      std::string part = error.context[i];
      if (part.size() >= 2 && part.front() == '[' && part.back() == ']')
        part = part.substr(1, part.size() - 2);
      if (part.size() >= 2 && part.front() == '"' && part.back() == '"')
        part = part.substr(1, part.size() - 2);
      path += "/" + part;
    }
    out.push_back({path, error.description});
  }
  // valijson reports the failing subschemas' parents too; the deepest come first.
  return out;
}

}  // namespace sluice::data
