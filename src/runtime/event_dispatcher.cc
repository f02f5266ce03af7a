#include "runtime/event_dispatcher.h"

#include <vector>

#include "core/error.h"

namespace sluice::runtime {

EventDispatcher::EventDispatcher(state::TriggerStore& store, TargetRunner& targets,
                                 PolicyFn policy_for, DeadLetterFn dead_letter,
                                 ChangeCheckFn change_happened, DispatcherOptions options,
                                 const core::Clock& clock)
    : store_(store),
      targets_(targets),
      policy_for_(std::move(policy_for)),
      dead_letter_(std::move(dead_letter)),
      change_happened_(std::move(change_happened)),
      options_(options),
      clock_(clock) {}

EventDispatcher::~EventDispatcher() { stop(); }

int EventDispatcher::startDue() {
  int free_slots;
  {
    // Slots are refilled half a pool at a time, so that claims and done marks (a commit
    // each) are shared by many deliveries while a long one keeps its slot.
    std::lock_guard lock(mu_);
    free_slots = options_.parallelism - running_;
    if (free_slots == 0 || (running_ > 0 && free_slots < (options_.parallelism + 1) / 2)) return 0;
  }
  recordFinished();
  const core::TimeNs now = clock_.now();
  auto batch = store_.claimDue(now, free_slots, now + options_.lease_ns);
  if (batch.empty()) return 0;
  auto rules = std::make_shared<Rules>();
  for (auto& r : store_.rules()) (*rules)[r.name] = r;
  {
    std::lock_guard lock(mu_);
    running_ += static_cast<int>(batch.size());
  }
  for (auto& d : batch)
    std::thread([this, d = std::move(d), rules] {
      const bool done = deliver(d, *rules);
      std::lock_guard lock(mu_);
      if (done) finished_.push_back(d.id);
      --running_;
      woken_ = true;
      cv_.notify_all();
    }).detach();
  return static_cast<int>(batch.size());
}

void EventDispatcher::recordFinished() {
  std::vector<int64_t> ids;
  {
    std::lock_guard lock(mu_);
    ids.swap(finished_);
  }
  if (!ids.empty()) store_.markDone(ids);
}

int EventDispatcher::drainOnce() {
  int ran = 0;
  for (;;) {
    const int started = startDue();
    ran += started;
    std::unique_lock lock(mu_);
    if (started == 0 && running_ == 0) break;
    // A finished delivery frees a slot for the next due one.
    cv_.wait(lock, [this] { return woken_ || running_ == 0; });
    woken_ = false;
  }
  recordFinished();
  return ran;
}

bool EventDispatcher::deliver(const state::Delivery& d, const Rules& rules) {
  state::TriggerRule rule;
  if (auto it = rules.find(d.rule); it != rules.end()) {
    rule = it->second;
  } else if (d.rule.rfind(kInvokeRulePrefix, 0) == 0) {
    rule.name = d.rule;
    rule.target = {"function", d.rule.substr(std::string(kInvokeRulePrefix).size())};
  } else {
    store_.markFailed(d.id, "rule '" + d.rule + "' no longer exists", 0, true);
    return false;
  }
  if (!d.confirmed && !change_happened_(d)) {
    const std::string reason = std::string("the ") + (d.removal ? "removal" : "write") +
                               " it reports never completed (its writer stopped first)";
    store_.markAbandoned(d.id, reason);
    logDelivery(d, "abandoned", {{"reason", reason}});
    return false;
  }
  const RetryPolicy policy = policy_for_(rule);
  try {
    const std::string id =
        targets_.run(rule.target, nlohmann::json::parse(d.payload), d.rule + "-" + d.sequencer);
    logDelivery(d, "done", {{"request", id}});
    return true;
  } catch (const std::exception& e) {
    const Error* error = dynamic_cast<const Error*>(&e);
    const std::string message = error ? error->code() + ": " + error->what() : e.what();
    const int attempts = d.attempts + 1;
    const bool final = attempts >= policy.max_attempts;
    const core::TimeNs next = clock_.now() + policy.first_delay_ns * (int64_t{1} << (attempts - 1));
    store_.markFailed(d.id, message, next, final);
    logDelivery(d, final ? "failed" : "retrying", {{"attempt", attempts}, {"error", message}});
    if (final && !policy.dead_letter.empty()) {
      state::Delivery failed = d;
      failed.attempts = attempts;
      failed.last_error = message;
      dead_letter_(policy.dead_letter, failed);
    }
    return false;
  }
}

void EventDispatcher::logDelivery(const state::Delivery& d, const std::string& status,
                                  const nlohmann::ordered_json& details) {
  if (!log_) return;
  nlohmann::ordered_json fields = {
      {"rule", d.rule}, {"object", d.bucket + "/" + d.key}, {"status", status}};
  fields.update(details);
  log_->write("delivery", fields);
}

void EventDispatcher::start() {
  stopping_ = false;
  loop_ = std::thread([this] {
    while (!stopping_) {
      startDue();
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::nanoseconds(options_.poll_ns),
                   [this] { return woken_ || stopping_.load(); });
      woken_ = false;
    }
    // Running deliveries finish and are recorded before the dispatcher stops.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return running_ == 0; });
    lock.unlock();
    recordFinished();
  });
}

void EventDispatcher::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void EventDispatcher::stop() {
  stopping_ = true;
  wake();
  if (loop_.joinable()) loop_.join();
}

}  // namespace sluice::runtime
