#pragma once
// The shape of each built-in step's event, as JSON Schema (draft 7). The function
// registry checks an event against it before the step runs, so that a value of the wrong
// type or a misspelt option is an error naming where it is, instead of a step that
// quietly ignores the option or fails deep inside with a bare type error.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sluice::data {

// The schema of step `step` (convert, sql, dedup, …); Error(InvalidArgument) for others.
const nlohmann::json& stepEventSchema(const std::string& step);
bool hasStepEventSchema(const std::string& step);

struct StepEventFault {
  std::string pointer;  // JSON pointer to the value at fault, "" for the event itself
  std::string what;
};

// Every fault of `event`. A `partial` event, such as a project's settings that events
// complete, may lack required fields.
std::vector<StepEventFault> stepEventFaults(const std::string& step, const nlohmann::json& event,
                                            bool partial = false);

// Throws Error(InvalidArgument) listing every fault of `event`, one per line, each with
// its JSON pointer: "the dedup event has 1 fault:\n  /keys: must be an array, not a
// string". Fields a step does not know are allowed at the top level (a workflow may hand
// a step its whole state), except names one or two letters from a known one, which are
// taken for typos; inside inputs, outputs and rules every field must be known.
void checkStepEvent(const std::string& step, const nlohmann::json& event);

}  // namespace sluice::data
