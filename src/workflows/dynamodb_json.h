#pragma once
// DynamoDB's typed AttributeValue JSON ({"S": "x"}, {"N": "1"}, {"M": {…}}, …) to and
// from the plain JSON items sluice's item tables hold.
#include <nlohmann/json.hpp>

namespace sluice::workflows {

// {"id": {"S": "a"}, "n": {"N": "2"}} → {"id": "a", "n": 2}. Throws Error(ValidationException).
nlohmann::json fromAttributeMap(const nlohmann::json& item);
nlohmann::json toAttributeMap(const nlohmann::json& item);
nlohmann::json fromAttributeValue(const nlohmann::json& value);
nlohmann::json toAttributeValue(const nlohmann::json& value);

}  // namespace sluice::workflows
