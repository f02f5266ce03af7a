#pragma once
// Object-event rules and the durable queue of their deliveries. A delivery is recorded
// while the object write that caused it is being acknowledged, keyed by (rule, bucket,
// key, sequencer) so a repeated record of the same event is ignored, and leaves the
// queue only when its target has run (or finally failed): at-least-once delivery.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"

namespace sluice::state {

// What a rule or a schedule starts.
struct Target {
  std::string kind;  // "function" or "workflow"
  std::string name;
};

struct TriggerRule {
  std::string name;
  std::string bucket;
  std::string prefix;
  std::string suffix;
  bool on_created = true;
  bool on_removed = false;
  Target target;
  std::string shape = "s3";  // "s3" (S3 notification Records) or "eventbridge"
  // When set, the target gets this JSON instead, its strings' <bucket>, <key>, <size>,
  // <etag>, <sequencer>, <event-time> and <event-name> filled from the event (EventBridge's
  // input transformer, simplified).
  std::string input;
};

struct Delivery {
  int64_t id = 0;
  std::string rule;
  std::string bucket, key, sequencer;
  std::string payload;  // the event JSON the target receives
  int attempts = 0;     // finished attempts so far
  std::string status;   // "pending", "running", "done", "failed", "abandoned"
  std::string last_error;
  core::TimeNs created = 0;
  core::TimeNs next_attempt = 0;  // for "running": when its lease ends
  // The change the delivery is about, as recorded before it was made.
  bool removal = false;
  std::string etag;  // may be empty when the store did not know it yet
  uint64_t size = 0;
  // False while only the intent to change the object is recorded: the change may not
  // have happened (its writer may have stopped first), so before running the target
  // the dispatcher looks at the object.
  bool confirmed = true;
};

class TriggerStore {
 public:
  virtual ~TriggerStore() = default;
  // Replaces every rule with `rules` (a project's rules, as loaded).
  virtual void replaceRules(const std::vector<TriggerRule>& rules) = 0;
  virtual std::vector<TriggerRule> rules() = 0;
  // Records a delivery, durably, due at its next_attempt (0: at once); false when this
  // (rule, bucket, key, sequencer) is already recorded.
  virtual bool enqueue(const Delivery& delivery) = 0;
  // The change (bucket, key, sequencer) has happened: its unconfirmed deliveries become
  // confirmed and, unless a dispatcher holds them, due at once. Asynchronous and not
  // durable on its own: the writer does not wait for it, this store's later calls see it,
  // other processes a moment later, and a crash may forget it (the dispatcher then looks
  // at the object).
  virtual void confirm(const std::string& bucket, const std::string& key,
                       const std::string& sequencer) = 0;
  // confirm() for one rule's delivery whose payload, ETag and size are replaced (the
  // store learnt the object's ETag only once the change was made).
  virtual void confirmWith(const Delivery& delivery) = 0;
  // The change did not happen: its unconfirmed deliveries that no dispatcher holds go.
  virtual void discardUnconfirmed(const std::string& bucket, const std::string& key,
                                  const std::string& sequencer) = 0;
  // Takes up to `limit` deliveries that are due (pending, or running with an expired
  // lease, i.e. left by a process that stopped), oldest first, and leases them until
  // `lease_until`.
  virtual std::vector<Delivery> claimDue(core::TimeNs now, int limit, core::TimeNs lease_until) = 0;
  // Marks deliveries done, in one transaction (a dispatcher finishes them in batches).
  virtual void markDone(const std::vector<int64_t>& ids) = 0;
  // One more failed attempt: retried at `next_attempt`, or "failed" when `final`.
  virtual void markFailed(int64_t id, const std::string& error, core::TimeNs next_attempt,
                          bool final) = 0;
  // The dispatcher found no trace of an unconfirmed delivery's change: "abandoned", or
  // due at once if it was confirmed meanwhile.
  virtual void markAbandoned(int64_t id, const std::string& reason) = 0;
  // How many deliveries are in each status.
  virtual std::map<std::string, int64_t> countByStatus() = 0;
  // Newest first; an empty status means any.
  virtual std::vector<Delivery> deliveries(const std::string& status, int limit) = 0;
};

}  // namespace sluice::state
