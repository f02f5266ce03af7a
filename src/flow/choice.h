#pragma once
// Choice rules: every comparison operator of ASL (String*, Numeric*, Boolean*,
// Timestamp* and their *Path forms, StringMatches, Is*), combined with And, Or, Not.
#include <nlohmann/json.hpp>

#include "flow/scope.h"

namespace sluice::flow {

// Whether `rule` (one element of Choices, or a nested rule) holds for the scope.
bool evaluateChoiceRule(const nlohmann::json& rule, const Scope& scope);

// The comparison operators ASL defines (without the *Path forms).
bool isComparisonOperator(const std::string& name);

}  // namespace sluice::flow
