#include "functions/invoker.h"

#include "core/error.h"
#include "core/ids.h"
#include "state/state_store.h"

namespace sluice::functions {

InvocationResult Invoker::invoke(const std::string& function, const nlohmann::json& event) {
  const FunctionInfo& info = registry_.find(function);
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
  try {
    nlohmann::json result = info.handler(event, ctx);
    finish("Succeeded", "", "");
    return {record.request_id, std::move(result)};
  } catch (const Error& e) {
    finish("Failed", e.code(), e.what());
    throw;
  } catch (const std::exception& e) {
    finish("Failed", "Unhandled", e.what());
    throw Error("Unhandled", e.what());
  }
}

}  // namespace sluice::functions
