#include "flow/history_shape.h"

#include <gtest/gtest.h>

namespace sluice::flow {
namespace {

using nlohmann::json;

TEST(HistoryShape, TaskEventsSplitTheResourceAsAwsDoes) {
  HistoryEvent scheduled{5,
                         4,
                         1'700'000'000'000'000'000,
                         "TaskScheduled",
                         {{"resource", "arn:aws:states:::lambda:invoke.waitForTaskToken"},
                          {"parameters", "{\"FunctionName\":\"f\"}"},
                          {"timeoutInSeconds", 30}}};
  EXPECT_EQ(awsHistoryEvent(scheduled),
            json::parse(R"({"id": 5, "previousEventId": 4, "timestamp": "2023-11-14T22:13:20.000Z",
                "type": "TaskScheduled", "taskScheduledEventDetails": {
                  "resourceType": "lambda", "resource": "invoke.waitForTaskToken",
                  "parameters": "{\"FunctionName\":\"f\"}", "timeoutInSeconds": 30}})"));
  HistoryEvent timed_out{6,
                         5,
                         1'700'000'000'000'000'000,
                         "TaskTimedOut",
                         {{"resource", "arn:aws:states:::lambda:invoke"},
                          {"error", "States.Timeout"},
                          {"cause", "late"}}};
  EXPECT_EQ(awsHistoryEvent(timed_out)["taskTimedOutEventDetails"],
            json::parse(R"({"resourceType": "lambda", "resource": "invoke",
                "error": "States.Timeout", "cause": "late"})"));
  // A function named as the Resource: LambdaFunction* events keep its ARN whole.
  HistoryEvent lambda{7,
                      6,
                      0,
                      "LambdaFunctionScheduled",
                      {{"resource", "arn:aws:lambda:eu-west-2:123456789012:function:f"},
                       {"input", "{}"},
                       {"timeoutInSeconds", 5}}};
  EXPECT_EQ(awsHistoryEvent(lambda)["lambdaFunctionScheduledEventDetails"],
            json::parse(R"({"resource": "arn:aws:lambda:eu-west-2:123456789012:function:f",
                "input": "{}", "inputDetails": {"truncated": false}, "timeoutInSeconds": 5})"));
}

TEST(HistoryShape, StateEventsShareOneDetailsKeyAndPayloadsSayTheyAreWhole) {
  HistoryEvent entered{2, 1, 0, "ChoiceStateEntered", {{"name", "C"}, {"input", "{}"}}};
  EXPECT_EQ(awsHistoryEvent(entered)["stateEnteredEventDetails"],
            json::parse(R"({"name": "C", "input": "{}", "inputDetails": {"truncated": false}})"));
  HistoryEvent exited{3,
                      2,
                      0,
                      "PassStateExited",
                      {{"name", "P"}, {"output", "1"}, {"assignedVariables", {{"x", "2"}}}}};
  EXPECT_EQ(awsHistoryEvent(exited)["stateExitedEventDetails"],
            json::parse(R"({"name": "P", "output": "1", "outputDetails": {"truncated": false},
                "assignedVariables": {"x": "2"}, "assignedVariablesDetails": {"truncated": false}})"));
  EXPECT_FALSE(awsHistoryEvent({4, 3, 0, "MapStateSucceeded", nullptr})
                   .contains("mapStateSucceededEventDetails"));
  EXPECT_EQ(
      awsHistoryEvent({5, 4, 0, "ExecutionFailed", json::object()})["executionFailedEventDetails"],
      json::object());
}

}  // namespace
}  // namespace sluice::flow
