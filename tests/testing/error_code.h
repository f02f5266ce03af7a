#pragma once
// The code of the sluice::Error a call throws, or "ok": lets a test state the expected
// error name in one line.
#include <functional>
#include <string>

#include "core/error.h"

namespace sluice::testing {

inline std::string errorCodeOf(const std::function<void()>& fn) {
  try {
    fn();
    return "ok";
  } catch (const Error& e) {
    return e.code();
  }
}

}  // namespace sluice::testing
