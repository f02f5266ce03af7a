#pragma once
// Runs functions and records each invocation (request id, start, duration, status,
// error, log lines) in the state store.
#include <string>

#include "core/clock.h"
#include "functions/registry.h"

namespace sluice::functions {

struct InvocationResult {
  std::string request_id;
  nlohmann::json result;
};

class Invoker {
 public:
  Invoker(const Registry& registry, Services services,
          const core::Clock& clock = core::SystemClock::instance())
      : registry_(registry), services_(services), clock_(clock) {}

  // Returns the handler's result; a failing handler's Error is rethrown unchanged after
  // it is recorded. Any other exception becomes Error("Unhandled").
  //
  // The invocation is cancelled at the function's timeout, or at `task_timeout_seconds`
  // (a workflow task's TimeoutSeconds; 0: none) when that comes first: DuckDB queries are
  // interrupted and command processes killed, and the invocation fails with
  // Sandbox.Timedout (the function's own limit, as Lambda names it) or States.Timeout
  // (the task's). A built-in handler stops at its next query.
  InvocationResult invoke(const std::string& function, const nlohmann::json& event,
                          double task_timeout_seconds = 0);

  // Also hands every log line to `echo` as it is written (the CLI prints them).
  using EchoFn = std::function<void(const std::string& function, const std::string& request_id,
                                    const std::string& line)>;
  void echoLogs(EchoFn echo) { echo_ = std::move(echo); }

 private:
  const Registry& registry_;
  Services services_;
  const core::Clock& clock_;
  EchoFn echo_;
};

}  // namespace sluice::functions
