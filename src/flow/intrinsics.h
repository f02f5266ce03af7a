#pragma once
// The States.* intrinsic functions of ASL's JSONPath mode.
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::flow {

struct Scope;

// Parses and evaluates a call such as States.Format('Hi {}', $.name), with nested calls,
// string/number/boolean/null literals, and paths as arguments. Throws
// Error("States.IntrinsicFailure") for bad arguments and Error("States.Runtime") for
// unknown functions or syntax.
nlohmann::json evaluateIntrinsic(const std::string& call, const Scope& scope);

}  // namespace sluice::flow
