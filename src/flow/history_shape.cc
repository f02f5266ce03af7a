#include "flow/history_shape.h"

#include <cctype>

#include "core/clock.h"

namespace sluice::flow {

using nlohmann::json;

namespace {

std::string detailsKey(const std::string& type) {
  if (type.ends_with("StateEntered")) return "stateEnteredEventDetails";
  if (type.ends_with("StateExited")) return "stateExitedEventDetails";
  std::string key = type;
  key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
  return key + "EventDetails";
}

// arn:aws:states:::lambda:invoke.waitForTaskToken → ("lambda", "invoke.waitForTaskToken");
// anything else (an activity) stays whole.
std::pair<std::string, std::string> splitResource(const std::string& resource) {
  const std::string service_prefix = "arn:aws:states:::";
  if (resource.rfind(service_prefix, 0) == 0) {
    const std::string rest = resource.substr(service_prefix.size());
    const size_t colon = rest.find(':');
    if (colon != std::string::npos) return {rest.substr(0, colon), rest.substr(colon + 1)};
  }
  return {"", resource};
}

}  // namespace

json awsHistoryEvent(const HistoryEvent& e) {
  json out = {{"id", e.id},
              {"previousEventId", e.previous_id},
              {"timestamp", core::formatIso8601Ms(e.timestamp)},
              {"type", e.type}};
  if (e.details.is_null()) return out;  // an event type without details (MapStateSucceeded, …)
  json details = e.details;
  // Not part of ExecutionStartedEventDetails: DescribeExecution carries it.
  if (e.type == "ExecutionStarted") details.erase("stateMachineArn");
  // AWS says whether each payload was cut short (sluice never cuts); parameters get no such note.
  for (const char* payload : {"input", "output"})
    if (details.contains(payload))
      details[std::string(payload) + "Details"] = {{"truncated", false}};
  if (details.contains("assignedVariables"))
    details["assignedVariablesDetails"] = {{"truncated", false}};
  // Task* events split their resource; LambdaFunction* events keep the function's ARN.
  if (e.type.rfind("Task", 0) == 0 && details.contains("resource") &&
      details["resource"].is_string()) {
    auto [type, resource] = splitResource(details["resource"]);
    if (!type.empty()) details["resourceType"] = type;
    details["resource"] = resource;
  }
  out[detailsKey(e.type)] = std::move(details);
  return out;
}

}  // namespace sluice::flow
