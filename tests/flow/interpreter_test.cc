// Behaviour the conformance cases do not pin down: Task states, Retry timing, Catch,
// timeouts, validation messages, big Maps.
#include "flow/interpreter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.h"

namespace sluice::flow {
namespace {

using nlohmann::json;

// A task runner scripted per resource: a list of results or errors, one per call.
class ScriptedTasks : public TaskRunner {
 public:
  std::map<std::string, std::vector<json>> script;  // {"error": NAME} entries fail
  std::vector<TaskRequest> calls;
  json run(const TaskRequest& r) override {
    calls.push_back(r);
    auto& list = script[r.resource];
    if (list.empty()) return r.parameters;
    json next = list.front();
    if (list.size() > 1) list.erase(list.begin());
    if (next.is_object() && next.contains("error"))
      throw Error(next["error"], next.value("cause", ""));
    return next;
  }
};

ExecutionOutcome run(const json& def, const json& input, ScriptedTasks& tasks,
                     RecordingSleeper& sleeper, MemoryHistory* history = nullptr) {
  ExecutionOptions o;
  o.tasks = &tasks;
  o.sleeper = &sleeper;
  o.history = history;
  o.seed = 7;
  return runExecution(Definition::parse(def), input, o);
}

TEST(Interpreter, TaskInputOutputProcessingInSpecOrder) {
  json def = json::parse(R"asl({"StartAt": "T", "States": {"T": {
      "Type": "Task", "Resource": "function:f",
      "InputPath": "$.in", "Parameters": {"value.$": "$.v", "const": 1},
      "ResultSelector": {"got.$": "$.value"}, "ResultPath": "$.in.result", "OutputPath": "$.in", "End": true}}})asl");
  ScriptedTasks tasks;
  RecordingSleeper sleeper;
  auto out = run(def, {{"in", {{"v", 42}}}, {"other", 1}}, tasks, sleeper);
  ASSERT_EQ(out.status, "SUCCEEDED") << out.toJson();
  EXPECT_EQ(tasks.calls[0].parameters, (json{{"value", 42}, {"const", 1}}));
  EXPECT_EQ(out.output, (json{{"v", 42}, {"result", {{"got", 42}}}}));
}

TEST(Interpreter, RetryBackoffIsComputedWithoutSleeping) {
  json def =
      json::parse(R"asl({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f",
      "Retry": [{"ErrorEquals": ["Custom.Flaky"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3,
                 "MaxDelaySeconds": 10}], "End": true}}})asl");
  ScriptedTasks tasks;
  tasks.script["function:f"] = {json{{"error", "Custom.Flaky"}}, json{{"error", "Custom.Flaky"}},
                                json{{"error", "Custom.Flaky"}}, json{{"ok", true}}};
  RecordingSleeper sleeper;
  auto out = run(def, json::object(), tasks, sleeper);
  ASSERT_EQ(out.status, "SUCCEEDED") << out.toJson();
  EXPECT_EQ(out.output, (json{{"ok", true}}));
  EXPECT_EQ(sleeper.slept, (std::vector<double>{2, 6, 10}));  // 2, 2*3, min(2*9, 10)
  EXPECT_EQ(tasks.calls.size(), 4u);
}

TEST(Interpreter, RetriesRunOutThenCatchRoutesTheError) {
  json def = json::parse(R"asl({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "function:f",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["Custom.Bad"], "ResultPath": "$.err", "Next": "Handle"}], "End": true},
      "Handle": {"Type": "Pass", "End": true}}})asl");
  ScriptedTasks tasks;
  tasks.script["function:f"] = {json{{"error", "Custom.Bad"}, {"cause", "broken"}}};
  RecordingSleeper sleeper;
  auto out = run(def, {{"x", 1}}, tasks, sleeper);
  ASSERT_EQ(out.status, "SUCCEEDED");
  EXPECT_EQ(out.output, (json{{"x", 1}, {"err", {{"Error", "Custom.Bad"}, {"Cause", "broken"}}}}));
  EXPECT_EQ(tasks.calls.size(), 2u);
  EXPECT_EQ(sleeper.slept, (std::vector<double>{1}));
}

TEST(Interpreter, JitterFullStaysWithinTheDelay) {
  json def =
      json::parse(R"asl({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f",
      "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4, "MaxAttempts": 5, "BackoffRate": 1,
                 "JitterStrategy": "FULL"}], "End": true}}})asl");
  ScriptedTasks tasks;
  tasks.script["function:f"] = {json{{"error", "E"}}, json{{"error", "E"}}, json{{"error", "E"}},
                                json{{"ok", 1}}};
  RecordingSleeper sleeper;
  ASSERT_EQ(run(def, json::object(), tasks, sleeper).status, "SUCCEEDED");
  ASSERT_EQ(sleeper.slept.size(), 3u);
  for (double s : sleeper.slept) {
    EXPECT_GE(s, 0.0);
    EXPECT_LE(s, 4.0);
  }
}

TEST(Interpreter, RuntimeErrorsAreNotCaughtByStatesAll) {
  json def = json::parse(R"asl({"StartAt": "T", "States": {
      "T": {"Type": "Pass", "InputPath": "$.missing",
            "End": true}}})asl");
  ScriptedTasks tasks;
  RecordingSleeper sleeper;
  auto out = run(def, json::object(), tasks, sleeper);
  EXPECT_EQ(out.status, "FAILED");
  EXPECT_EQ(out.error, "States.Runtime");
  EXPECT_NE(out.cause.get<std::string>().find("$.missing"), std::string::npos);
}

TEST(Interpreter, TaskFailedMatchesTaskErrors) {
  json def = json::parse(R"asl({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "function:f",
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}], "End": true},
      "Caught": {"Type": "Succeed"}}})asl");
  ScriptedTasks tasks;
  tasks.script["function:f"] = {json{{"error", "Lambda.Unknown"}}};
  RecordingSleeper sleeper;
  EXPECT_EQ(run(def, json::object(), tasks, sleeper).status, "SUCCEEDED");
}

TEST(Interpreter, TenThousandItemMap) {
  json def =
      json::parse(R"asl({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
      "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
      "ItemProcessor": {"StartAt": "Sq", "States": {"Sq": {"Type": "Pass",
          "Parameters": {"r.$": "States.MathAdd($.v, $.i)"}, "OutputPath": "$.r", "End": true}}},
      "End": true}}})asl");
  json items = json::array();
  for (int i = 0; i < 10000; i++) items.push_back(i);
  ScriptedTasks tasks;
  RecordingSleeper sleeper;
  MemoryHistory history;
  auto out = run(def, {{"items", items}}, tasks, sleeper, &history);
  ASSERT_EQ(out.status, "SUCCEEDED");
  ASSERT_EQ(out.output.size(), 10000u);
  for (int i = 0; i < 10000; i += 997) EXPECT_EQ(out.output[i], 2 * i);
  auto types = history.types();
  EXPECT_EQ(std::count(types.begin(), types.end(), "MapIterationSucceeded"), 10000);
  EXPECT_EQ(types.back(), "ExecutionSucceeded");
}

TEST(Interpreter, HistoryEventsAreNumberedAndLinked) {
  json def = json::parse(
      R"asl({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}})asl");
  ScriptedTasks tasks;
  RecordingSleeper sleeper;
  MemoryHistory history;
  run(def, json::object(), tasks, sleeper, &history);
  EXPECT_EQ(history.types(),
            (std::vector<std::string>{"ExecutionStarted", "PassStateEntered", "PassStateExited",
                                      "SucceedStateEntered", "SucceedStateExited",
                                      "ExecutionSucceeded"}));
  auto events = history.events();
  for (size_t i = 0; i < events.size(); i++) {
    EXPECT_EQ(events[i].id, static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].previous_id, static_cast<int64_t>(i));
  }
}

TEST(Interpreter, ResumeStartsAtTheCheckpoint) {
  json def = json::parse(R"asl({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Assign": {"seen": "a"}, "Next": "B"},
      "B": {"Type": "Pass", "Parameters": {"b.$": "$.a", "var.$": "$seen"}, "End": true}}})asl");
  std::vector<json> checkpoints;
  ScriptedTasks tasks;
  RecordingSleeper sleeper;
  ExecutionOptions o;
  o.tasks = &tasks;
  o.sleeper = &sleeper;
  o.checkpoint = [&](const json& cp) { checkpoints.push_back(cp); };
  auto full = runExecution(Definition::parse(def), json::object(), o);
  ASSERT_EQ(checkpoints.size(), 2u);
  EXPECT_EQ(checkpoints[0]["state"], "B");
  EXPECT_EQ(checkpoints[0]["variables"], (json{{"seen", "a"}}));
  EXPECT_EQ(checkpoints[1]["state"], "");

  MemoryHistory history;
  o.history = &history;
  o.resume_from = checkpoints[0];
  auto resumed = runExecution(Definition::parse(def), json::object(), o);
  EXPECT_EQ(resumed.output, full.output);
  EXPECT_EQ(resumed.output, (json{{"b", 1}, {"var", "a"}}));
  EXPECT_EQ(history.types().front(), "PassStateEntered");  // no second ExecutionStarted
}

TEST(Definition, EveryFaultIsListedWithItsPath) {
  try {
    Definition::parse(json::parse(R"asl({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "Nowhere", "Bogus": 1},
        "B": {"Type": "Task", "End": true, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEqualz": 1, "Next": "A"}]},
        "D": {"Type": "Pass", "Parameters": {"x.$": "not a path"}, "End": true},
        "E": {"Type": "Pass", "InputPath": "$..[", "End": true},
        "F": {"Type": "Pass", "OutputPath": "$.a[99999999999999999999]", "End": true}}})asl"));
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.code(), "States.InvalidDefinition");
    for (const char* f :
         {"$.States.A.Next: no state named \"Nowhere\"",
          "$.States.A.Bogus: is not a field of a Pass state",
          "$.States.B: a Task state needs a Resource",
          "$.States.B.Retry[0].ErrorEquals: States.ALL must appear alone",
          "$.States.C.Choices[0].NumericEqualz: unknown field",
          "$.States.D.Parameters['x.$']: 'not a path'", "$.States.E.InputPath: Invalid JSONPath",
          "$.States.B: is not reachable from StartAt",
          "$.States.F.OutputPath: Invalid JSONPath '$.a[99999999999999999999]': number too large "
          "at position 4"})
      EXPECT_NE(m.find(f), std::string::npos) << "missing: " << f << "\nin:\n" << m;
  }
}

// Values of the wrong kind are faults when the definition is read, as AWS refuses them at
// creation, instead of type errors while it runs.
TEST(Definition, FieldsOfTheWrongKindAreFaults) {
  try {
    Definition::parse(json::parse(R"asl({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": "10", "Next": "T", "Comment": 1},
        "T": {"Type": "Task", "Resource": "function:f", "TimeoutSeconds": 0,
              "HeartbeatSeconds": "5", "Next": "At"},
        "At": {"Type": "Wait", "Timestamp": "tomorrow", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": 5, "StringEquals": "x", "Next": "M"}]},
        "M": {"Type": "Map", "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass",
              "End": "yes"}}}, "MaxConcurrency": -1, "ToleratedFailurePercentage": 101,
              "Next": "F"},
        "F": {"Type": "Fail", "Error": 5}}})asl"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "the state machine definition has 11 faults:\n"
              "  $.States.At.Timestamp: must be an ISO-8601 timestamp such as "
              "2025-11-01T00:00:00Z\n"
              "  $.States.C.Choices[0].Variable: must be a JSONPath string\n"
              "  $.States.F.Error: must be a string\n"
              "  $.States.M.MaxConcurrency: must be a non-negative integer\n"
              "  $.States.M.ToleratedFailurePercentage: must be a number from 0 to 100\n"
              "  $.States.M.ItemProcessor.States.X: needs Next or End: true\n"
              "  $.States.M.ItemProcessor.States.X.End: must be true or false\n"
              "  $.States.T.TimeoutSeconds: must be a positive integer\n"
              "  $.States.T.HeartbeatSeconds: must be a positive integer\n"
              "  $.States.W.Comment: must be a string\n"
              "  $.States.W.Seconds: must be a non-negative integer");
  }
}

TEST(Definition, JsonataIsRefusedNamingTheState) {
  try {
    Definition::parse(json::parse(
        R"asl({"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "End": true}}})asl"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "state 'A' uses QueryLanguage JSONata, which is not supported yet"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace sluice::flow

namespace sluice::flow {
namespace {

// Counts how many calls run at once; each call takes a little while.
class SlowTasks : public TaskRunner {
 public:
  json run(const TaskRequest& r) override {
    int now = ++in_flight_;
    int seen = max_seen_.load();
    while (now > seen && !max_seen_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // long enough for all to overlap
    --in_flight_;
    if (r.parameters.value("fail", false)) throw Error("Custom.Bad", "item failed");
    return {{"doubled", r.parameters["v"].get<int>() * 2}};
  }
  std::atomic<int> in_flight_{0}, max_seen_{0};
};

TEST(Interpreter, MapRunsTaskIterationsConcurrentlyUpToMaxConcurrency) {
  json def = json::parse(R"asl({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 3,
      "ItemSelector": {"v.$": "$$.Map.Item.Value"},
      "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f", "End": true}}},
      "End": true}}})asl");
  SlowTasks tasks;
  RecordingSleeper sleeper;
  MemoryHistory history;
  ExecutionOptions o;
  o.tasks = &tasks;
  o.sleeper = &sleeper;
  o.history = &history;
  json items = json::array();
  for (int i = 0; i < 12; i++) items.push_back(i);
  auto out = runExecution(Definition::parse(def), items, o);
  ASSERT_EQ(out.status, "SUCCEEDED") << out.toJson();
  for (int i = 0; i < 12; i++) EXPECT_EQ(out.output[i]["doubled"], 2 * i);  // input order kept
  EXPECT_EQ(tasks.max_seen_.load(), 3);
  auto types = history.types();
  EXPECT_EQ(std::count(types.begin(), types.end(), "MapIterationSucceeded"), 12);
}

TEST(Interpreter, ParallelBranchesRunSideBySideAndAFailureFailsTheState) {
  json def = json::parse(R"asl({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:f", "Parameters": {"v": 1}, "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "function:f", "Parameters": {"v": 2}, "End": true}}},
      {"StartAt": "C", "States": {"C": {"Type": "Task", "Resource": "function:f", "Parameters": {"v": 3, "fail": true}, "End": true}}}],
      "Catch": [{"ErrorEquals": ["Custom.Bad"], "Next": "Caught"}], "End": true},
      "Caught": {"Type": "Pass", "End": true}}})asl");
  SlowTasks tasks;
  RecordingSleeper sleeper;
  ExecutionOptions o;
  o.tasks = &tasks;
  o.sleeper = &sleeper;
  auto out = runExecution(Definition::parse(def), json::object(), o);
  ASSERT_EQ(out.status, "SUCCEEDED") << out.toJson();
  EXPECT_EQ(out.output["Error"], "Custom.Bad");
  EXPECT_EQ(tasks.max_seen_.load(), 3);
}

}  // namespace
}  // namespace sluice::flow
