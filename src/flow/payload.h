#pragma once
// Payload templates (Parameters, ResultSelector, ItemSelector, Assign): a JSON value in
// which a key ending in ".$" takes the value of its path or intrinsic expression and
// loses the suffix; everything else is copied as is.
#include <nlohmann/json.hpp>

#include "flow/scope.h"

namespace sluice::flow {

nlohmann::json applyPayloadTemplate(const nlohmann::json& tmpl, const Scope& scope);

}  // namespace sluice::flow
