#pragma once
// Turns object events into durable deliveries: for every rule the event matches, the
// payload in the rule's shape is queued in the state store. Registered as a lake
// listener by every sluice process, so an upload through the S3 API, `sluice lake put`
// or a function's write is recorded before it becomes visible, and confirmed before the
// writer hears it succeeded; the running `sluice up` dispatches the queue.
#include <map>
#include <mutex>
#include <string>

#include "lake/object.h"
#include "lake/object_store.h"
#include "state/trigger_store.h"

namespace sluice::runtime {

bool ruleMatches(const state::TriggerRule& rule, const lake::ObjectEvent& event);

// How long a delivery recorded before its change waits for the writer to confirm it
// before a dispatcher looks at the object itself (the writer crashed, or is still
// sending a large object to a remote store).
constexpr core::TimeNs kUnconfirmedGraceNs = 60'000'000'000LL;

// Follows each change through its phases (a lake listener of every phase): kStaged
// records an unconfirmed delivery per matching rule, durably, before the change is
// visible; kPublished confirms them (due at once); kAbandoned discards them. It
// remembers which changes it staged, so that the later phases of a change no rule
// matched cost nothing.
class TriggerRecorder {
 public:
  explicit TriggerRecorder(state::TriggerStore& store) : store_(store) {}
  // Returns how many deliveries became due.
  int record(const lake::ObjectEvent& event);

 private:
  struct Staged {
    int deliveries = 0;
    uint64_t size = 0;
    std::string etag;
  };
  state::TriggerStore& store_;
  std::mutex mu_;
  std::map<std::string, Staged> staged_;  // by bucket, key and sequencer
};

// Whether the change an unconfirmed delivery is about can be seen in `lake`: the object
// as recorded (same size, and ETag when one was known), or for a removal no such object.
bool changeHappened(lake::ObjectStore& lake, const state::Delivery& delivery);

}  // namespace sluice::runtime
