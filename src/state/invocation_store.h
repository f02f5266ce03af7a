#pragma once
// A record of every function invocation: who ran, when, how long, how it ended, and the
// log lines it wrote. Written before the function starts (status Running) and updated
// when it ends, so a crash leaves a visible trace.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace sluice::state {

struct InvocationRecord {
  std::string request_id;
  std::string function;
  core::TimeNs start = 0;
  int64_t duration_ns = 0;
  std::string status;  // "Running", "Succeeded", "Failed"
  std::string error_type;
  std::string error_message;
};

struct InvocationLogLine {
  core::TimeNs time = 0;
  std::string line;
};

// What /metrics reports per function: counts over every recorded invocation, duration
// quantiles over the most recent ones.
struct FunctionSummary {
  std::string function;
  int64_t invocations = 0;
  int64_t errors = 0;     // Failed
  int64_t throttles = 0;  // failed with TooManyRequestsException
  int64_t warnings = 0;   // log lines that begin with "WARNING"
  double p50_seconds = 0, p90_seconds = 0, p99_seconds = 0;
};

class InvocationStore {
 public:
  virtual ~InvocationStore() = default;
  virtual void begin(const InvocationRecord& record) = 0;
  virtual void finish(const InvocationRecord& record) = 0;  // by request_id
  virtual void appendLog(const std::string& request_id, const InvocationLogLine& line) = 0;
  virtual std::optional<InvocationRecord> find(const std::string& request_id) = 0;
  // Most recent first; an empty `function` means every function.
  virtual std::vector<InvocationRecord> recent(const std::string& function, int limit) = 0;
  virtual std::vector<InvocationLogLine> logs(const std::string& request_id) = 0;
  // One summary per function, by name; quantiles over its last `window` finished calls.
  virtual std::vector<FunctionSummary> summaries(int window) = 0;

  // The state of an alarm over these records: "OK" until it is changed. Kept here, not
  // in the process, so a restart does not announce a change already announced.
  virtual std::string alarmState(const std::string& alarm) = 0;
  // Sets the alarm to `next` if it is still `previous`: false when another process
  // changed it first (that process then announces the change).
  virtual bool changeAlarmState(const std::string& alarm, const std::string& previous,
                                const std::string& next, core::TimeNs at) = 0;
};

}  // namespace sluice::state
