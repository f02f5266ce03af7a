#include "workflows/mock_tasks.h"

#include "core/error.h"

namespace sluice::workflows {

using nlohmann::json;

MockTaskRunner::MockTaskRunner(const json& config, const std::string& workflow,
                               const std::string& test_case, flow::TaskRunner* fallback)
    : responses_(json::object()), fallback_(fallback) {
  const json machines = config.value("StateMachines", json::object());
  if (!machines.contains(workflow))
    throw Error(errc::kInvalidArgument,
                "the mock configuration has no state machine '" + workflow + "'");
  const json cases = machines[workflow].value("TestCases", json::object());
  if (!cases.contains(test_case))
    throw Error(errc::kInvalidArgument, "the mock configuration has no test case '" + test_case +
                                            "' for '" + workflow + "'");
  const json mocked = config.value("MockedResponses", json::object());
  for (const auto& [state, response_name] : cases[test_case].items()) {
    if (!mocked.contains(response_name.get<std::string>()))
      throw Error(errc::kInvalidArgument,
                  "the mock configuration has no MockedResponses entry " + response_name.dump());
    responses_[state] = mocked[response_name.get<std::string>()];
  }
}

json MockTaskRunner::run(const flow::TaskRequest& request) {
  if (!responses_.contains(request.state_name)) {
    if (!fallback_)
      throw Error("States.TaskFailed", "state '" + request.state_name + "' has no mocked response");
    return fallback_->run(request);
  }
  int n;
  {
    std::lock_guard lock(mu_);
    n = calls_[request.state_name]++;
  }
  const json& entries = responses_[request.state_name];
  const json* chosen = nullptr;
  int best_last = -1;
  for (const auto& [range, response] : entries.items()) {
    size_t dash = range.find('-');
    int lo = std::stoi(range.substr(0, dash));
    int hi = dash == std::string::npos ? lo : std::stoi(range.substr(dash + 1));
    if (n >= lo && n <= hi) {
      chosen = &response;
      break;
    }
    if (hi > best_last) {
      best_last = hi;
      chosen = &response;  // the last range repeats past its end
    }
  }
  if (!chosen)
    throw Error("States.TaskFailed",
                "state '" + request.state_name + "' has an empty mocked response");
  if (chosen->contains("Throw")) {
    const json& t = (*chosen)["Throw"];
    throw Error(t.value("Error", "States.TaskFailed"), t.value("Cause", ""));
  }
  return chosen->value("Return", json::object());
}

}  // namespace sluice::workflows
