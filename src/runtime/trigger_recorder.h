#pragma once
// Turns object events into durable deliveries: for every rule the event matches, the
// payload in the rule's shape is queued in the state store. Registered as a lake
// listener by every sluice process, so an upload through the S3 API, `sluice lake put`
// or a function's write is recorded before the writer hears it succeeded; the running
// `sluice up` dispatches the queue.
#include "lake/object.h"
#include "state/trigger_store.h"

namespace sluice::runtime {

bool ruleMatches(const state::TriggerRule& rule, const lake::ObjectEvent& event);

// Returns how many deliveries were queued.
int recordTriggers(state::TriggerStore& store, const lake::ObjectEvent& event);

}  // namespace sluice::runtime
