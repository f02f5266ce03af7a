#include "core/cancellation.h"

#include <condition_variable>
#include <thread>

namespace sluice::core {

namespace {
thread_local Cancellation* current_cancellation = nullptr;

// The deadlines of the whole process, fired by one thread that lives as long as it.
struct DeadlineTimer {
  std::mutex mu;  // held while a cancellation fires, so a disarmed one is never touched
  std::condition_variable changed;
  std::multimap<Deadline::TimePoint, std::pair<uint64_t, Cancellation*>> pending;
  uint64_t next_id = 1;

  DeadlineTimer() {
    std::thread([this] { run(); }).detach();
  }

  void run() {
    std::unique_lock lock(mu);
    for (;;) {
      if (pending.empty()) {
        changed.wait(lock);
        continue;
      }
      auto first = pending.begin();
      if (std::chrono::steady_clock::now() < first->first) {
        changed.wait_until(lock, first->first);
        continue;
      }
      Cancellation* c = first->second.second;
      pending.erase(first);
      c->cancel();
    }
  }

  static DeadlineTimer& instance() {
    static auto* timer = new DeadlineTimer;  // never destroyed: its thread outlives main()
    return *timer;
  }
};
}  // namespace

void Cancellation::cancel() {
  std::lock_guard lock(mu_);
  if (cancelled_.exchange(true)) return;
  for (auto& [id, interrupt] : interrupters_) interrupt();
}

Cancellation::Registration Cancellation::onCancel(std::function<void()> interrupt) {
  std::lock_guard lock(mu_);
  if (cancelled_) interrupt();
  const uint64_t id = next_id_++;
  interrupters_.emplace(id, std::move(interrupt));
  return Registration(this, id);
}

Cancellation::Registration::Registration(Registration&& other) noexcept
    : owner_(other.owner_), id_(other.id_) {
  other.owner_ = nullptr;
}

Cancellation::Registration::~Registration() {
  if (!owner_) return;
  std::lock_guard lock(owner_->mu_);
  owner_->interrupters_.erase(id_);
}

Cancellation* Cancellation::current() { return current_cancellation; }

Cancellation::Scope::Scope(Cancellation* c) : previous_(current_cancellation) {
  current_cancellation = c;
}

Cancellation::Scope::~Scope() { current_cancellation = previous_; }

Deadline::Deadline(Cancellation& c, TimePoint at) : at_(at) {
  auto& timer = DeadlineTimer::instance();
  std::lock_guard lock(timer.mu);
  id_ = timer.next_id++;
  timer.pending.emplace(at, std::make_pair(id_, &c));
  timer.changed.notify_one();
}

Deadline::~Deadline() {
  auto& timer = DeadlineTimer::instance();
  std::lock_guard lock(timer.mu);
  auto [from, to] = timer.pending.equal_range(at_);
  for (auto it = from; it != to; ++it)
    if (it->second.first == id_) {  // not fired yet
      timer.pending.erase(it);
      return;
    }
}

}  // namespace sluice::core
