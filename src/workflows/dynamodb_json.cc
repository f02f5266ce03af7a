#include "workflows/dynamodb_json.h"

#include "core/error.h"

namespace sluice::workflows {

using nlohmann::json;

namespace {
json number(const std::string& text) {
  json v = json::parse(text, nullptr, false);
  if (v.is_discarded() || !v.is_number())
    throw Error("ValidationException", "'" + text + "' is not a number");
  return v;
}
std::string numberText(const json& v) { return v.dump(); }
}  // namespace

json fromAttributeValue(const json& v) {
  if (!v.is_object() || v.size() != 1)
    throw Error("ValidationException", "an AttributeValue needs exactly one type: " + v.dump());
  const auto& [type, value] = *v.items().begin();
  if (type == "S" || type == "B") return value;
  if (type == "N") return number(value.get<std::string>());
  if (type == "BOOL") return value;
  if (type == "NULL") return nullptr;
  if (type == "M") return fromAttributeMap(value);
  if (type == "L") {
    json out = json::array();
    for (const auto& e : value) out.push_back(fromAttributeValue(e));
    return out;
  }
  if (type == "SS" || type == "BS") return value;
  if (type == "NS") {
    json out = json::array();
    for (const auto& e : value) out.push_back(number(e.get<std::string>()));
    return out;
  }
  throw Error("ValidationException", "unknown AttributeValue type '" + type + "'");
}

json toAttributeValue(const json& v) {
  if (v.is_string()) return {{"S", v}};
  if (v.is_number()) return {{"N", numberText(v)}};
  if (v.is_boolean()) return {{"BOOL", v}};
  if (v.is_null()) return {{"NULL", true}};
  if (v.is_object()) return {{"M", toAttributeMap(v)}};
  json list = json::array();
  for (const auto& e : v) list.push_back(toAttributeValue(e));
  return {{"L", list}};
}

json fromAttributeMap(const json& item) {
  if (!item.is_object())
    throw Error("ValidationException", "an item must be a map of AttributeValues");
  json out = json::object();
  for (const auto& [k, v] : item.items()) out[k] = fromAttributeValue(v);
  return out;
}

json toAttributeMap(const json& item) {
  json out = json::object();
  for (const auto& [k, v] : item.items()) out[k] = toAttributeValue(v);
  return out;
}

}  // namespace sluice::workflows
