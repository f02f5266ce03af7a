#pragma once
// A lock that every sluice process sharing a state store respects, kept as a parameter:
// taken by a create-only put, released by removing it. A holder that died leaves a lock
// that grows old; once older than `stale_after` the next taker breaks it. Two takers
// breaking the same stale lock at the same instant could both succeed: it guards work
// that is safe to repeat (the worst case is work done twice), not money.
#include <string>

#include "core/clock.h"

namespace sluice::state {

class ParameterStore;

class ParameterLock {
 public:
  // Waits up to `wait` for the lock; throws Error("LockTimeout") naming it after that.
  ParameterLock(ParameterStore& store, std::string name, core::TimeNs stale_after,
                core::TimeNs wait, const core::Clock& clock = core::SystemClock::instance());
  ~ParameterLock();
  ParameterLock(const ParameterLock&) = delete;
  ParameterLock& operator=(const ParameterLock&) = delete;

 private:
  ParameterStore& store_;
  std::string name_;
  std::string token_;
};

}  // namespace sluice::state
