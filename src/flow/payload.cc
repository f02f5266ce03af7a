#include "flow/payload.h"

#include "core/error.h"
#include "flow/json_path.h"
#include "flow/scope.h"

namespace sluice::flow {

using nlohmann::json;

namespace {

// A ".$" field's value. A definite path that selects nothing fails as AWS words it,
// naming the field and the input it was looked up in.
json fieldValue(const std::string& key, const std::string& expr, const Scope& scope) {
  const bool context = expr.rfind("$$", 0) == 0;
  const bool plain_path =
      context || expr == "$" || expr.rfind("$.", 0) == 0 || expr.rfind("$[", 0) == 0;
  if (!plain_path) return evaluateExpression(expr, scope);
  const JsonPath path = JsonPath::parse(context ? expr.substr(1) : expr);
  const json& input = context ? scope.context : scope.value;
  if (path.isDefinite() && !path.matchesAnything(input))
    throw Error("States.Runtime", "The JSONPath '" + expr + "' specified for the field '" + key +
                                      "' could not be found in the input '" + input.dump() + "'");
  return path.evaluate(input);
}

}  // namespace

json applyPayloadTemplate(const json& tmpl, const Scope& scope) {
  if (tmpl.is_array()) {
    json out = json::array();
    for (const auto& v : tmpl) out.push_back(applyPayloadTemplate(v, scope));
    return out;
  }
  if (!tmpl.is_object()) return tmpl;
  json out = json::object();
  for (const auto& [key, value] : tmpl.items()) {
    if (key.size() > 2 && key.compare(key.size() - 2, 2, ".$") == 0) {
      if (!value.is_string())
        throw Error("States.Runtime",
                    "The value of field '" + key + "' must be a path or intrinsic function");
      out[key.substr(0, key.size() - 2)] = fieldValue(key, value.get<std::string>(), scope);
    } else {
      out[key] = applyPayloadTemplate(value, scope);
    }
  }
  return out;
}

}  // namespace sluice::flow
