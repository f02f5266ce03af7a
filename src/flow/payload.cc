#include "flow/payload.h"

#include "core/error.h"

namespace sluice::flow {

using nlohmann::json;

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
      out[key.substr(0, key.size() - 2)] = evaluateExpression(value.get<std::string>(), scope, key);
    } else {
      out[key] = applyPayloadTemplate(value, scope);
    }
  }
  return out;
}

}  // namespace sluice::flow
