#pragma once
// What `sluice up` prints as it works, one line per thing that happened (a delivery, a
// firing, a function's log line, an HTTP request), as text or as JSON lines
// (`--log-format json`), each with its request id, and with secret values masked.
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "core/clock.h"
#include "core/redactor.h"

namespace sluice::runtime {

class RuntimeLog {
 public:
  RuntimeLog(std::ostream& out, bool json, const core::Redactor& redactor,
             const core::Clock& clock = core::SystemClock::instance())
      : out_(out), json_(json), redactor_(redactor), clock_(clock) {}

  // `what` names the kind of line ("delivery", "firing", "log", "http"); `fields` its
  // details, written in order.
  void write(const std::string& what, const nlohmann::ordered_json& fields);

 private:
  std::mutex mu_;
  std::ostream& out_;
  bool json_;
  const core::Redactor& redactor_;
  const core::Clock& clock_;
};

}  // namespace sluice::runtime
