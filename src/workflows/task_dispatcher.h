#pragma once
// Carries out Task states: Lambda-style resources run sluice functions, the DynamoDB
// integrations run on item tables, states:startExecution starts nested workflows, and
// .waitForTaskToken resources wait for `sluice tasks send-success|send-failure`.
#include <string>

#include "core/clock.h"
#include "flow/task_runner.h"
#include "functions/invoker.h"

namespace sluice::workflows {

// Starts child executions for arn:aws:states:::states:startExecution[.sync[:2]].
class ChildExecutions {
 public:
  virtual ~ChildExecutions() = default;
  // `mode` is "", "sync" or "sync:2"; returns the integration's result document.
  virtual nlohmann::json startChild(const nlohmann::json& parameters, const std::string& parent_id,
                                    const std::string& mode) = 0;
};

class TaskDispatcher : public flow::TaskRunner {
 public:
  TaskDispatcher(const functions::Registry& registry, functions::Services services,
                 ChildExecutions* children,
                 const core::Clock& clock = core::SystemClock::instance());

  nlohmann::json run(const flow::TaskRequest& request) override;

  // The function a Lambda-style resource or FunctionName names: NAME, function:NAME,
  // or arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
  static std::string functionName(const std::string& resource_or_name);

 private:
  // `timeout_seconds`: the task's TimeoutSeconds (0: none), which cancels the function.
  nlohmann::json invoke(const std::string& function, const nlohmann::json& payload,
                        bool lambda_invoke, double timeout_seconds);
  nlohmann::json waitForToken(const flow::TaskRequest& request);
  nlohmann::json publish(const nlohmann::json& parameters);

  functions::Invoker invoker_;
  functions::Services services_;
  ChildExecutions* children_;
  const core::Clock& clock_;
};

}  // namespace sluice::workflows
