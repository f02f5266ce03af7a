#pragma once
// History events as Step Functions' GetExecutionHistory returns them: the event's fields
// under `<type>EventDetails` (`stateEnteredEventDetails` for every *StateEntered, …),
// JSON payloads as strings with their `inputDetails`/`outputDetails`, Task resources
// split into `resourceType` and `resource`. What sluice stores is the plain HistoryEvent;
// this is how `sluice executions history` and the HTTP API show it.
#include <nlohmann/json.hpp>

#include "flow/history.h"

namespace sluice::flow {

nlohmann::json awsHistoryEvent(const HistoryEvent& event);

}  // namespace sluice::flow
