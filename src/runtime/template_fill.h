#pragma once
// Fills "<name>" placeholders inside every string of a JSON document: how schedule and
// rule input templates take values from the firing or the event.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace sluice::runtime {

void fillPlaceholders(nlohmann::json& document, const std::map<std::string, std::string>& values);

}  // namespace sluice::runtime
