#pragma once
// Runs what a rule or schedule targets: a function through the invoker (recorded like
// any invocation), or a workflow execution, started under a name derived from the event
// so that a repeated delivery joins the execution it already started (and resumes it
// from its checkpoint after a restart) instead of starting another.
#include <nlohmann/json.hpp>
#include <string>

#include "functions/function.h"
#include "runtime/runtime_log.h"
#include "state/trigger_store.h"

namespace sluice::functions {
class Registry;
}
namespace sluice::workflows {
class WorkflowService;
}

namespace sluice::runtime {

class TargetRunner {
 public:
  TargetRunner(const functions::Registry& registry, functions::Services services,
               workflows::WorkflowService& workflows)
      : registry_(registry), services_(services), workflows_(workflows) {}

  // Returns the invocation's request id or the execution's ARN. A failing function
  // throws its Error; a workflow target succeeds once its execution has run (its own
  // failure is the execution's outcome, not the delivery's).
  std::string run(const state::Target& target, const nlohmann::json& input,
                  const std::string& execution_name);
  // Function log lines also go to `log` (sluice up's output).
  void setLog(RuntimeLog* log) { log_ = log; }

 private:
  const functions::Registry& registry_;
  functions::Services services_;
  workflows::WorkflowService& workflows_;
  RuntimeLog* log_ = nullptr;
};

// An execution name AWS would accept (letters, digits, '-' and '_', at most 80).
std::string executionName(const std::string& text);

}  // namespace sluice::runtime
