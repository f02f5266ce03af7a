#pragma once
// Works off the queue of object-event deliveries: claims due deliveries, runs their
// targets in parallel (up to a limit, a freed slot taking the next due delivery at once,
// so one long target does not hold back the others), and records each outcome. A failed delivery is
// retried with exponential backoff; after its last attempt it is marked failed and its
// event written to the rule's dead-letter destination, if it has one. A delivery whose
// change was never confirmed by its writer runs only if the change can be seen in the
// lake; otherwise it is marked abandoned.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "runtime/targets.h"
#include "state/trigger_store.h"

namespace sluice::runtime {

// Deliveries queued by `sluice invoke --async NAME` name this rule prefix and the function.
inline constexpr const char* kInvokeRulePrefix = "invoke:";

struct RetryPolicy {
  int max_attempts = 3;  // Lambda's asynchronous invocations: the first and 2 retries
  int64_t first_delay_ns = 1'000'000'000;
  // Where the events that still fail go: "lake://BUCKET/PREFIX/" (one JSON object per
  // event) or "topic:NAME"; empty drops them (they stay visible as failed deliveries).
  std::string dead_letter;
};

struct DispatcherOptions {
  int parallelism = 16;
  int64_t lease_ns = 15LL * 60 * 1'000'000'000;  // a claimed delivery returns after this
  int64_t poll_ns = 50'000'000;                  // idle polling when not woken
};

class EventDispatcher {
 public:
  // `policy_for` gives the retry policy of a rule's target; `dead_letter` sends a failed
  // event (with its error) to a destination.
  using PolicyFn = std::function<RetryPolicy(const state::TriggerRule&)>;
  using DeadLetterFn =
      std::function<void(const std::string& destination, const state::Delivery& delivery)>;
  // Whether an unconfirmed delivery's change happened (runtime::changeHappened).
  using ChangeCheckFn = std::function<bool(const state::Delivery& delivery)>;

  EventDispatcher(state::TriggerStore& store, TargetRunner& targets, PolicyFn policy_for,
                  DeadLetterFn dead_letter, ChangeCheckFn change_happened,
                  DispatcherOptions options = {},
                  const core::Clock& clock = core::SystemClock::instance());
  ~EventDispatcher();

  // Dispatches everything due now, in parallel, until nothing is due or running, and
  // returns how many deliveries ran.
  int drainOnce();
  // Dispatches in the background until stop(); wake() shortens the wait after a write.
  void start();
  void wake();
  void stop();  // lets running deliveries finish
  void setLog(RuntimeLog* log) { log_ = log; }

 private:
  using Rules = std::map<std::string, state::TriggerRule>;
  // Claims due deliveries for the free slots and starts each on its own thread; returns
  // how many started.
  int startDue();
  // Marks the deliveries finished since the last call done, in one commit.
  void recordFinished();
  // Runs one delivery; true when its target succeeded (recordFinished marks it done),
  // false when it was recorded as failed.
  bool deliver(const state::Delivery& delivery, const Rules& rules);
  // One "delivery" line of the runtime log: rule, object, status, then `details`.
  void logDelivery(const state::Delivery& delivery, const std::string& status,
                   const nlohmann::ordered_json& details);

  state::TriggerStore& store_;
  TargetRunner& targets_;
  PolicyFn policy_for_;
  DeadLetterFn dead_letter_;
  ChangeCheckFn change_happened_;
  DispatcherOptions options_;
  const core::Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;  // by wake() or a finished delivery
  int running_ = 0;
  std::vector<int64_t> finished_;  // succeeded, not yet marked done
  std::atomic<bool> stopping_{false};
  std::thread loop_;
  RuntimeLog* log_ = nullptr;
};

}  // namespace sluice::runtime
