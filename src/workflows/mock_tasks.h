#pragma once
// Canned Task results for testing workflows without running their functions, in the
// shape of Step Functions Local's MockConfigFile:
//   {"StateMachines": {WORKFLOW: {"TestCases": {CASE: {STATE: RESPONSE_NAME}}}},
//    "MockedResponses": {RESPONSE_NAME: {"0": {"Return": …}, "1-2": {"Throw": {"Error",
//    "Cause"}}}}}
// Keys are the state's invocation numbers (0-based, ranges allowed); past the last one
// the last response repeats. States without a mock run for real through `fallback`.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "flow/task_runner.h"

namespace sluice::workflows {

class MockTaskRunner : public flow::TaskRunner {
 public:
  // Throws Error(InvalidArgument) when the workflow or test case is not in the config, or
  // a response's key is not an invocation number or range.
  MockTaskRunner(const nlohmann::json& config, const std::string& workflow,
                 const std::string& test_case, flow::TaskRunner* fallback);
  nlohmann::json run(const flow::TaskRequest& request) override;

 private:
  struct Response {
    int first, last;  // the invocation numbers it answers
    nlohmann::json response;
  };
  std::map<std::string, std::vector<Response>> responses_;  // by state name, in config order
  flow::TaskRunner* fallback_;
  std::mutex mu_;
  std::map<std::string, int> calls_;
};

}  // namespace sluice::workflows
