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

json evaluateExpression(const std::string& expr, const Scope& scope) {
  if (isIntrinsicCall(expr)) return evaluateIntrinsic(expr, scope);
  if (expr.rfind("$$", 0) == 0) return JsonPath::parse(expr.substr(1)).evaluate(scope.context);
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
    return JsonPath::parse("$" + expr.substr(end)).evaluate(*value);
  }
  return JsonPath::parse(expr).evaluate(scope.value);
}

}  // namespace sluice::flow
