#include <cctype>

#include "core/error.h"
#include "flow/intrinsics.h"
#include "flow/json_path.h"
#include "flow/scope.h"

namespace sluice::flow {

using nlohmann::json;

bool isIntrinsicCall(const std::string& s) {
  return s.rfind("States.", 0) == 0 && s.find('(') != std::string::npos;
}

json evaluateExpression(const std::string& expr, const Scope& scope, const std::string& field) {
  if (isIntrinsicCall(expr)) return evaluateIntrinsic(expr, scope);
  auto path = [&](const std::string& text, const json& root) {
    const JsonPath& p = JsonPath::parseCached(text);
    if (field.empty()) return p.evaluate(root);
    auto value = p.find(root);
    if (!value)
      throw Error("States.Runtime", "The JSONPath '" + expr + "' specified for the field '" +
                                        field + "' could not be found in the input '" +
                                        root.dump() + "'");
    return *value;
  };
  if (expr.rfind("$$", 0) == 0) return path(expr.substr(1), scope.context);
  if (expr.size() > 1 && expr[0] == '$' &&
      (std::isalpha(static_cast<unsigned char>(expr[1])) || expr[1] == '_')) {
    size_t end = 1;
    while (end < expr.size() &&
           (std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_'))
      end++;
    const std::string name = expr.substr(1, end - 1);
    const json* value = scope.variables ? scope.variables->find(name) : nullptr;
    if (!value)
      throw Error(
          "States.Runtime",
          "The variable '$" + name + "' is not defined in this scope (reference '" + expr + "')");
    if (end == expr.size()) return *value;
    return JsonPath::parseCached("$" + expr.substr(end)).evaluate(*value);
  }
  return path(expr, scope.value);
}

}  // namespace sluice::flow
