#include "functions/invoker.h"

#include <chrono>
#include <optional>
#include <sstream>

#include "core/cancellation.h"
#include "core/error.h"
#include "core/ids.h"
#include "state/state_store.h"

namespace sluice::functions {

namespace {

std::string seconds(double s) {
  std::ostringstream out;
  out.precision(2);
  out << std::fixed << s;
  return out.str();
}

}  // namespace

InvocationResult Invoker::invoke(const std::string& function, const nlohmann::json& event,
                                 double task_timeout_seconds) {
  const FunctionInfo& info = registry_.find(function);
  const bool task_limit_first =
      task_timeout_seconds > 0 &&
      (info.timeout_seconds <= 0 || task_timeout_seconds < info.timeout_seconds);
  const double limit = task_limit_first ? task_timeout_seconds : info.timeout_seconds;
  auto& records = services_.state.invocations();
  state::InvocationRecord record;
  record.request_id = core::uuid4();
  record.function = function;
  record.start = clock_.now();
  record.status = "Running";
  records.begin(record);

  auto redact = [this](const std::string& text) {
    return services_.redact ? services_.redact(text) : text;
  };
  InvocationContext ctx(record.request_id, function, services_, [&](const std::string& raw) {
    const std::string line = redact(raw);
    records.appendLog(record.request_id, {clock_.now(), line});
    if (echo_) echo_(function, record.request_id, line);
  });
  auto finish = [&](const std::string& status, const std::string& type,
                    const std::string& message) {
    record.duration_ns = clock_.now() - record.start;
    record.status = status;
    record.error_type = type;
    record.error_message = redact(message);
    records.finish(record);
  };
  core::Cancellation cancellation;
  std::optional<core::Deadline> deadline;
  if (limit > 0)
    deadline.emplace(cancellation, std::chrono::steady_clock::now() +
                                       std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::duration<double>(limit)));
  // Whatever a cancelled handler ends with, the invocation timed out.
  auto timedOut = [&] {
    Error e = task_limit_first
                  ? Error("States.Timeout", "'" + function + "' did not finish within the task's " +
                                                "TimeoutSeconds (" + seconds(limit) + " s)")
                  : Error("Sandbox.Timedout", "RequestId: " + record.request_id +
                                                  " Error: Task timed out after " + seconds(limit) +
                                                  " seconds");
    finish("Failed", e.code(), e.what());
    return e;
  };
  nlohmann::json result;
  try {
    core::Cancellation::Scope current(&cancellation);
    result = info.handler(event, ctx);
  } catch (const Error& e) {
    if (cancellation.cancelled()) throw timedOut();
    finish("Failed", e.code(), e.what());
    throw;
  } catch (const std::exception& e) {
    if (cancellation.cancelled()) throw timedOut();
    finish("Failed", "Unhandled", e.what());
    throw Error("Unhandled", e.what());
  }
  if (cancellation.cancelled()) throw timedOut();
  finish("Succeeded", "", "");
  return {record.request_id, std::move(result)};
}

}  // namespace sluice::functions
