#pragma once
// What a path or intrinsic in a state can refer to: the value `$` names, the context
// object (`$$`), and workflow variables (`$name`), which live in nested scopes: a Map
// iteration or Parallel branch reads its enclosing scopes and assigns in its own.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::flow {

class Variables {
 public:
  explicit Variables(const Variables* parent = nullptr) : parent_(parent) {}
  const nlohmann::json* find(const std::string& name) const {
    auto it = values_.find(name);
    if (it != values_.end()) return &it->second;
    return parent_ ? parent_->find(name) : nullptr;
  }
  void set(const std::string& name, nlohmann::json value) { values_[name] = std::move(value); }
  const std::map<std::string, nlohmann::json>& own() const { return values_; }

 private:
  const Variables* parent_;
  std::map<std::string, nlohmann::json> values_;
};

struct Scope {
  const nlohmann::json& value;    // what `$` names
  const nlohmann::json& context;  // the context object, `$$`
  const Variables* variables;     // may be null
};

// Evaluates a path-like string as ASL's JSONPath mode allows it in ".$" fields and
// *Path fields: "$…" (a JSONPath over scope.value), "$$…" (over the context object),
// "$name…" (a variable, optionally followed by a path) or "States.Fn(…)" (an
// intrinsic function). Failures are Error("States.Runtime" | "States.IntrinsicFailure").
// `field` names the ".$" field being filled, if any: a "$…" or "$$…" path that selects
// nothing there fails as AWS words it, naming the field and the input.
nlohmann::json evaluateExpression(const std::string& expr, const Scope& scope,
                                  const std::string& field = "");

// Whether `s` is something evaluateExpression accepts (used by definition checks).
bool isIntrinsicCall(const std::string& s);

}  // namespace sluice::flow
