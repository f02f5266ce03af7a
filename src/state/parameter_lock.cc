#include "state/parameter_lock.h"

#include <thread>

#include "core/error.h"
#include "core/ids.h"
#include "state/parameter_store.h"

namespace sluice::state {

ParameterLock::ParameterLock(ParameterStore& store, std::string name, core::TimeNs stale_after,
                             core::TimeNs wait, const core::Clock& clock)
    : store_(store), name_(std::move(name)), token_(core::randomHex(16)) {
  const core::TimeNs deadline = clock.now() + wait;
  while (true) {
    try {
      store_.put({name_, token_, ParameterType::kString, "held by a running step", false});
      return;
    } catch (const Error& e) {
      if (e.code() != errc::kParameterAlreadyExists) throw;
    }
    try {
      if (clock.now() - store_.get(name_).last_modified > stale_after) {
        store_.remove(name_);  // its holder died
        continue;
      }
    } catch (const Error& e) {
      if (e.code() != errc::kParameterNotFound) throw;
      continue;  // released meanwhile
    }
    if (clock.now() > deadline)
      throw Error("LockTimeout", "'" + name_ + "' is still held by another step; try again later");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ParameterLock::~ParameterLock() {
  try {
    if (findParameterValue(store_, name_) == token_) store_.remove(name_);
  } catch (...) {
    // A lock that cannot be released goes stale and is broken by the next taker.
  }
}

}  // namespace sluice::state
