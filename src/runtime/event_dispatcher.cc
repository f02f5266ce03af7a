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

int EventDispatcher::drainOnce() {
  std::map<std::string, state::TriggerRule> rules;
  for (auto& r : store_.rules()) rules[r.name] = r;
  int ran = 0;
  for (;;) {
    const core::TimeNs now = clock_.now();
    auto batch = store_.claimDue(now, options_.parallelism, now + options_.lease_ns);
    if (batch.empty()) return ran;
    std::vector<std::thread> workers;
    workers.reserve(batch.size());
    std::vector<char> done(batch.size(), 0);
    for (size_t i = 0; i < batch.size(); ++i)
      workers.emplace_back(
          [this, &batch, &done, &rules, i] { done[i] = deliver(batch[i], rules); });
    for (auto& w : workers) w.join();
    std::vector<int64_t> done_ids;
    for (size_t i = 0; i < batch.size(); ++i)
      if (done[i]) done_ids.push_back(batch[i].id);
    if (!done_ids.empty()) store_.markDone(done_ids);
    ran += static_cast<int>(batch.size());
    if (stopping_) return ran;
  }
}

bool EventDispatcher::deliver(const state::Delivery& d,
                              const std::map<std::string, state::TriggerRule>& rules) {
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
    if (log_)
      log_->write("delivery", {{"rule", d.rule},
                               {"object", d.bucket + "/" + d.key},
                               {"status", "abandoned"},
                               {"reason", reason}});
    return false;
  }
  const RetryPolicy policy = policy_for_(rule);
  try {
    const std::string id =
        targets_.run(rule.target, nlohmann::json::parse(d.payload), d.rule + "-" + d.sequencer);
    if (log_)
      log_->write("delivery", {{"rule", d.rule},
                               {"object", d.bucket + "/" + d.key},
                               {"status", "done"},
                               {"request", id}});
    return true;
  } catch (const std::exception& e) {
    const Error* error = dynamic_cast<const Error*>(&e);
    const std::string message = error ? error->code() + ": " + error->what() : e.what();
    const int attempts = d.attempts + 1;
    const bool final = attempts >= policy.max_attempts;
    const core::TimeNs next = clock_.now() + policy.first_delay_ns * (int64_t{1} << (attempts - 1));
    store_.markFailed(d.id, message, next, final);
    if (log_)
      log_->write("delivery", {{"rule", d.rule},
                               {"object", d.bucket + "/" + d.key},
                               {"status", final ? "failed" : "retrying"},
                               {"attempt", attempts},
                               {"error", message}});
    if (final && !policy.dead_letter.empty()) {
      state::Delivery failed = d;
      failed.attempts = attempts;
      failed.last_error = message;
      dead_letter_(policy.dead_letter, failed);
    }
    return false;
  }
}

void EventDispatcher::start() {
  stopping_ = false;
  loop_ = std::thread([this] {
    while (!stopping_) {
      drainOnce();
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::nanoseconds(options_.poll_ns),
                   [this] { return woken_ || stopping_.load(); });
      woken_ = false;
    }
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
