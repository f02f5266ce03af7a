#include "workflows/task_dispatcher.h"

#include <chrono>
#include <thread>

#include "core/error.h"
#include "state/state_store.h"
#include "workflows/dynamodb_tasks.h"

namespace sluice::workflows {

using nlohmann::json;

namespace {
constexpr const char* kLambdaInvoke = "arn:aws:states:::lambda:invoke";
constexpr const char* kDynamoDb = "arn:aws:states:::dynamodb:";
constexpr const char* kStartExecution = "arn:aws:states:::states:startExecution";
constexpr const char* kSnsPublish = "arn:aws:states:::sns:publish";
constexpr const char* kWaitSuffix = ".waitForTaskToken";

bool startsWith(const std::string& s, const std::string& p) {
  return s.compare(0, p.size(), p) == 0;
}
}  // namespace

TaskDispatcher::TaskDispatcher(const functions::Registry& registry, functions::Services services,
                               ChildExecutions* children, const core::Clock& clock)
    : invoker_(registry, services, clock),
      services_(services),
      children_(children),
      clock_(clock) {}

std::string TaskDispatcher::functionName(const std::string& r) {
  if (startsWith(r, "arn:aws:lambda:")) {
    // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    size_t at = r.find(":function:");
    if (at == std::string::npos)
      throw Error("States.Runtime", "'" + r + "' is not a Lambda function ARN");
    std::string rest = r.substr(at + 10);
    return rest.substr(0, rest.find(':'));
  }
  if (startsWith(r, "function:")) return r.substr(9);
  return r.substr(0, r.find(':'));
}

json TaskDispatcher::invoke(const std::string& function, const json& payload, bool lambda_invoke,
                            double timeout_seconds) {
  try {
    json result = invoker_.invoke(function, payload, timeout_seconds).result;
    if (!lambda_invoke) return result;
    return {{"ExecutedVersion", "$LATEST"}, {"Payload", result}, {"StatusCode", 200}};
  } catch (const Error& e) {
    // Lambda's own failures carry its service prefix; a function's errorType is kept.
    if (e.code() == errc::kResourceNotFound || e.code() == "TooManyRequestsException")
      throw Error("Lambda." + e.code(), e.what());
    throw;
  }
}

json TaskDispatcher::run(const flow::TaskRequest& r) {
  std::string resource = r.resource;
  const bool wait_token = resource.size() > std::strlen(kWaitSuffix) &&
                          resource.compare(resource.size() - std::strlen(kWaitSuffix),
                                           std::string::npos, kWaitSuffix) == 0;
  if (wait_token) {
    resource.resize(resource.size() - std::strlen(kWaitSuffix));
    state::TaskTokenRecord token;
    token.token = r.task_token;
    token.execution_id = r.execution_id;
    token.state_name = r.state_name;
    services_.state.executions().createTaskToken(token);
  }

  json result;
  if (resource == kLambdaInvoke) {
    if (!r.parameters.contains("FunctionName"))
      throw Error("States.Runtime", "lambda:invoke needs FunctionName");
    result = invoke(functionName(r.parameters["FunctionName"].get<std::string>()),
                    r.parameters.value("Payload", json::object()), true, r.timeout_seconds);
  } else if (startsWith(resource, kDynamoDb)) {
    result = runDynamoDbTask(resource.substr(std::strlen(kDynamoDb)), r.parameters,
                             services_.state.items());
  } else if (startsWith(resource, kStartExecution)) {
    if (!children_) throw Error("States.Runtime", "nested executions are not available here");
    std::string mode =
        resource == kStartExecution ? "" : resource.substr(std::strlen(kStartExecution) + 1);
    if (mode != "" && mode != "sync" && mode != "sync:2")
      throw Error("States.Runtime", "unsupported resource " + r.resource);
    result = children_->startChild(r.parameters, r.execution_id, mode);
  } else if (resource == kSnsPublish) {
    result = publish(r.parameters);
  } else if (startsWith(resource, "arn:aws:lambda:") || startsWith(resource, "function:")) {
    result = invoke(functionName(resource), r.parameters, false, r.timeout_seconds);
  } else {
    throw Error("States.Runtime",
                "the Task resource '" + r.resource + "' is not supported by sluice");
  }
  return wait_token ? waitForToken(r) : result;
}

// sns:publish with TopicArn, Message (text, or JSON written as text) and Subject; the
// result is SNS's {"MessageId": …}.
json TaskDispatcher::publish(const json& parameters) {
  if (!services_.publish) throw Error("States.Runtime", "sns:publish needs a project's topics");
  if (!parameters.contains("TopicArn") || !parameters["TopicArn"].is_string())
    throw Error("States.Runtime", "sns:publish needs TopicArn");
  if (!parameters.contains("Message")) throw Error("States.Runtime", "sns:publish needs Message");
  const json& message = parameters["Message"];
  try {
    return {{"MessageId",
             services_.publish(parameters["TopicArn"].get<std::string>(),
                               parameters.value("Subject", ""),
                               message.is_string() ? message.get<std::string>() : message.dump())}};
  } catch (const Error& e) {
    throw Error(e.code() == errc::kNotFound ? "SNS.NotFoundException" : "SNS.SnsException",
                e.what());
  }
}

json TaskDispatcher::waitForToken(const flow::TaskRequest& r) {
  auto& executions = services_.state.executions();
  const core::TimeNs started = clock_.now();
  for (;;) {
    auto token = executions.getTaskToken(r.task_token);
    if (!token) throw Error("States.Runtime", "the task token disappeared");
    if (token->status == "SUCCEEDED") return token->output;
    if (token->status == "FAILED")
      throw Error(token->error.empty() ? "States.TaskFailed" : token->error, token->cause);
    const core::TimeNs now = clock_.now();
    if (r.timeout_seconds > 0 && now - started > static_cast<core::TimeNs>(r.timeout_seconds * 1e9))
      throw Error("States.Timeout",
                  "the task '" + r.state_name + "' got no answer within its TimeoutSeconds");
    if (r.heartbeat_seconds > 0 &&
        now - token->heartbeat > static_cast<core::TimeNs>(r.heartbeat_seconds * 1e9))
      throw Error("States.HeartbeatTimeout",
                  "the task '" + r.state_name + "' sent no heartbeat within HeartbeatSeconds");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace sluice::workflows
