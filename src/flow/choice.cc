#include "flow/choice.h"

#include <set>

#include "core/clock.h"
#include "core/error.h"

namespace sluice::flow {

using nlohmann::json;

namespace {

const std::set<std::string>& operators() {
  static const std::set<std::string> ops = {"StringEquals",
                                            "StringLessThan",
                                            "StringGreaterThan",
                                            "StringLessThanEquals",
                                            "StringGreaterThanEquals",
                                            "StringMatches",
                                            "NumericEquals",
                                            "NumericLessThan",
                                            "NumericGreaterThan",
                                            "NumericLessThanEquals",
                                            "NumericGreaterThanEquals",
                                            "BooleanEquals",
                                            "TimestampEquals",
                                            "TimestampLessThan",
                                            "TimestampGreaterThan",
                                            "TimestampLessThanEquals",
                                            "TimestampGreaterThanEquals",
                                            "IsNull",
                                            "IsPresent",
                                            "IsNumeric",
                                            "IsString",
                                            "IsBoolean",
                                            "IsTimestamp"};
  return ops;
}

std::optional<core::TimeNs> asTimestamp(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  // RFC 3339 with an upper-case T and a zone, as Step Functions requires.
  if (s.size() < 20 || s[10] != 'T') return std::nullopt;
  try {
    return core::parseIso8601(s);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// StringMatches: '*' matches any run of characters; '\*' and '\\' are literals.
bool wildcardMatch(const std::string& s, const std::string& pattern) {
  std::vector<std::pair<char, bool>> p;  // (char, is_wildcard)
  for (size_t i = 0; i < pattern.size(); i++) {
    if (pattern[i] == '\\' && i + 1 < pattern.size())
      p.push_back({pattern[++i], false});
    else
      p.push_back({pattern[i], pattern[i] == '*'});
  }
  size_t si = 0, pi = 0, star = std::string::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && !p[pi].second && p[pi].first == s[si]) {
      si++;
      pi++;
    } else if (pi < p.size() && p[pi].second) {
      star = pi++;
      mark = si;
    } else if (star != std::string::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi].second) pi++;
  return pi == p.size();
}

template <typename T>
bool compare(const std::string& op, const T& a, const T& b) {
  if (op.ends_with("GreaterThanEquals")) return a >= b;
  if (op.ends_with("LessThanEquals")) return a <= b;
  if (op.ends_with("GreaterThan")) return a > b;
  if (op.ends_with("LessThan")) return a < b;
  return a == b;  // *Equals
}

bool evaluateComparison(const std::string& op_in, const json& operand, const json& rule,
                        const Scope& scope, bool present) {
  std::string op = op_in;
  json expected = operand;
  if (op.ends_with("Path")) {
    op = op.substr(0, op.size() - 4);
    expected = evaluateExpression(operand.get<std::string>(), scope);
  }
  const std::string var_expr = rule["Variable"].get<std::string>();
  if (op == "IsPresent") return present == operand.get<bool>();
  if (!present) {
    // A missing Variable fails the run, except for IsPresent.
    throw Error("States.Runtime",
                "Invalid path '" + var_expr + "' : No results for path: " + var_expr);
  }
  const json value = evaluateExpression(var_expr, scope);
  if (op == "IsNull") return value.is_null() == operand.get<bool>();
  if (op == "IsNumeric") return value.is_number() == operand.get<bool>();
  if (op == "IsString") return value.is_string() == operand.get<bool>();
  if (op == "IsBoolean") return value.is_boolean() == operand.get<bool>();
  if (op == "IsTimestamp") return asTimestamp(value).has_value() == operand.get<bool>();
  if (op == "StringMatches")
    return value.is_string() && expected.is_string() && wildcardMatch(value, expected);
  if (op.rfind("String", 0) == 0) {
    if (!value.is_string() || !expected.is_string()) return false;
    return compare(op, value.get<std::string>(), expected.get<std::string>());
  }
  if (op.rfind("Numeric", 0) == 0) {
    if (!value.is_number() || !expected.is_number()) return false;
    return compare(op, value.get<double>(), expected.get<double>());
  }
  if (op == "BooleanEquals")
    return value.is_boolean() && expected.is_boolean() && value == expected;
  if (op.rfind("Timestamp", 0) == 0) {
    auto a = asTimestamp(value), b = asTimestamp(expected);
    if (!a || !b) return false;
    return compare(op, *a, *b);
  }
  throw Error("States.Runtime", "unknown Choice operator " + op_in);
}

}  // namespace

bool isComparisonOperator(const std::string& name) { return operators().count(name) > 0; }

bool evaluateChoiceRule(const json& rule, const Scope& scope) {
  if (rule.contains("And")) {
    for (const auto& r : rule["And"])
      if (!evaluateChoiceRule(r, scope)) return false;
    return true;
  }
  if (rule.contains("Or")) {
    for (const auto& r : rule["Or"])
      if (evaluateChoiceRule(r, scope)) return true;
    return false;
  }
  if (rule.contains("Not")) return !evaluateChoiceRule(rule["Not"], scope);
  if (!rule.contains("Variable"))
    throw Error("States.Runtime", "a Choice rule needs Variable, And, Or or Not");
  const std::string var = rule["Variable"].get<std::string>();
  bool present = true;
  try {
    evaluateExpression(var, scope);
  } catch (const Error& e) {
    if (e.code() != "States.Runtime") throw;
    present = false;
  }
  for (const auto& [key, operand] : rule.items()) {
    if (key == "Variable" || key == "Next" || key == "Comment" || key == "Assign" ||
        key == "Output")
      continue;
    std::string base =
        key.ends_with("Path") && key != "IsPresent" ? key.substr(0, key.size() - 4) : key;
    if (isComparisonOperator(base)) return evaluateComparison(key, operand, rule, scope, present);
  }
  throw Error("States.Runtime", "the Choice rule on " + var + " has no comparison operator");
}

}  // namespace sluice::flow
