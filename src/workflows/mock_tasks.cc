#include "workflows/mock_tasks.h"

#include "core/error.h"

namespace sluice::workflows {

using nlohmann::json;

namespace {

// "3" or "1-2": the invocation numbers a MockedResponses entry answers.
std::pair<int, int> invocationRange(const std::string& key, const std::string& response_name) {
  const size_t dash = key.find('-');
  const std::string first = key.substr(0, dash);
  const std::string last = dash == std::string::npos ? first : key.substr(dash + 1);
  const auto number = [](const std::string& s) {
    return !s.empty() && s.size() < 9 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!number(first) || !number(last) || std::stoi(first) > std::stoi(last))
    throw Error(errc::kInvalidArgument, "the mock configuration's MockedResponses entry '" +
                                            response_name + "' has key '" + key +
                                            "': keys are invocation numbers such as \"0\" or "
                                            "ranges such as \"1-2\"");
  return {std::stoi(first), std::stoi(last)};
}

}  // namespace

MockTaskRunner::MockTaskRunner(const json& config, const std::string& workflow,
                               const std::string& test_case, flow::TaskRunner* fallback)
    : fallback_(fallback) {
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
    const std::string name = response_name.get<std::string>();
    if (!mocked.contains(name))
      throw Error(errc::kInvalidArgument,
                  "the mock configuration has no MockedResponses entry " + response_name.dump());
    auto& answers = responses_[state];
    for (const auto& [key, response] : mocked[name].items()) {
      const auto [first, last] = invocationRange(key, name);
      answers.push_back({first, last, response});
    }
  }
}

json MockTaskRunner::run(const flow::TaskRequest& request) {
  const auto mocked = responses_.find(request.state_name);
  if (mocked == responses_.end()) {
    if (!fallback_)
      throw Error("States.TaskFailed", "state '" + request.state_name + "' has no mocked response");
    return fallback_->run(request);
  }
  int n;
  {
    std::lock_guard lock(mu_);
    n = calls_[request.state_name]++;
  }
  const json* chosen = nullptr;
  int best_last = -1;
  for (const auto& [first, last, response] : mocked->second) {
    if (n >= first && n <= last) {
      chosen = &response;
      break;
    }
    if (last > best_last) {
      best_last = last;
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
