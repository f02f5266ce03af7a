#include "runtime/targets.h"

#include <cctype>

#include "core/error.h"
#include "functions/invoker.h"
#include "workflows/workflow_service.h"

namespace sluice::runtime {

std::string TargetRunner::run(const state::Target& target, const nlohmann::json& input,
                              const std::string& execution_name) {
  if (target.kind == "function") {
    functions::Invoker invoker(registry_, services_);
    if (log_)
      invoker.echoLogs(
          [this](const std::string& fn, const std::string& id, const std::string& line) {
            log_->write("log", {{"function", fn}, {"request", id}, {"line", line}});
          });
    return invoker.invoke(target.name, input).request_id;
  }
  if (target.kind == "workflow") {
    return workflows_.startAndRun(target.name, input, executionName(execution_name)).id;
  }
  throw Error(errc::kInvalidArgument, "unknown target kind '" + target.kind + "'");
}

std::string executionName(const std::string& text) {
  std::string out;
  for (char c : text)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '-';
  return out.substr(0, 80);
}

}  // namespace sluice::runtime
