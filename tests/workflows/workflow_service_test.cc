#include "workflows/workflow_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <utility>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "lake/local_store.h"
#include "state/sqlite_state_store.h"
#include "testing/temp_dir.h"
#include "workflows/mock_tasks.h"

namespace sluice::workflows {
namespace {

using nlohmann::json;

class WorkflowServiceTest : public ::testing::Test {
 protected:
  WorkflowServiceTest() {
    registry_.add("double", "doubles x", [](const json& e, functions::InvocationContext&) {
      return json{{"x", e.at("x").get<int>() * 2}};
    });
    registry_.add("flaky", "fails until told not to",
                  [this](const json&, functions::InvocationContext&) -> json {
                    if (flaky_failures_-- > 0) throw Error("Custom.Flaky", "not yet");
                    return json{{"ok", true}};
                  });
    registry_.add("count", "counts its calls and returns its event",
                  [this](const json& e, functions::InvocationContext&) {
                    counted_++;
                    return e;
                  });
    registry_.add("peek", "returns the stored history of the execution it is given",
                  [this](const json& e, functions::InvocationContext&) {
                    json types = json::array();
                    for (const auto& event : state_.executions().history(e.at("id")))
                      types.push_back(event.type);
                    return types;
                  });
    registry_.add("notify", "remembers the task token it was given",
                  [this](const json& e, functions::InvocationContext&) {
                    std::lock_guard lock(mu_);
                    token_ = e.at("token");
                    return json::object();
                  });
    WorkflowServiceOptions o;
    o.sleeper = &sleeper_;
    service_ = std::make_unique<WorkflowService>(registry_, services_, o);
  }
  json outcome(const std::string& wf, const json& def, const json& input,
               const std::string& name = "") {
    service_->putWorkflow(wf, def);
    auto r = service_->start(wf, input, name);
    return outcomeJson(service_->run(r.id));
  }

  testing::TempDir dir_;
  lake::LocalObjectStore lake_{dir_ / "lake"};
  core::ManualClock clock_{1'700'000'000'000'000'000};
  state::SqliteStateStore state_{dir_ / "state.db", state::SecretBox(std::string(32, 'k'))};
  data::Database duckdb_;
  functions::Services services_{lake_, state_, duckdb_, dir_.path(), {}, {}};
  functions::Registry registry_;
  flow::RecordingSleeper sleeper_;
  std::unique_ptr<WorkflowService> service_;
  int flaky_failures_ = 0;
  std::atomic<int> counted_{0};  // calls of "count"
  std::mutex mu_;
  std::string token_;
};

TEST_F(WorkflowServiceTest, LambdaResourceFormsAllReachTheFunction) {
  json def = json::parse(R"asl({"StartAt": "A", "States": {
      "A": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-2:123456789012:function:double", "Next": "B"},
      "B": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-2:123456789012:function:double:live", "Next": "C"},
      "C": {"Type": "Task", "Resource": "function:double", "Next": "D"},
      "D": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "double", "Payload.$": "$"}, "End": true}}})asl");
  auto out = outcome("lambdas", def, {{"x", 1}});
  EXPECT_EQ(out["status"], "SUCCEEDED") << out;
  EXPECT_EQ(out["output"],
            (json{{"ExecutedVersion", "$LATEST"}, {"Payload", {{"x", 16}}}, {"StatusCode", 200}}));
}

TEST_F(WorkflowServiceTest, FunctionErrorsKeepTheirNamesForRetry) {
  flaky_failures_ = 2;
  json def = json::parse(
      R"asl({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:flaky",
      "Retry": [{"ErrorEquals": ["Custom.Flaky"], "MaxAttempts": 2}], "End": true}}})asl");
  EXPECT_EQ(outcome("retry", def, json::object())["output"], (json{{"ok", true}}));
  EXPECT_EQ(sleeper_.slept.size(), 2u);
  auto missing =
      outcome("missing", json::parse(R"asl({"StartAt": "A", "States": {"A": {"Type": "Task",
      "Resource": "function:nope", "End": true}}})asl"),
              json::object());
  EXPECT_EQ(missing["error"], "Lambda.ResourceNotFoundException");
}

TEST_F(WorkflowServiceTest, ExecutionNamesAreIdempotencyKeys) {
  json def = json::parse(
      R"asl({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:double", "End": true}}})asl");
  service_->putWorkflow("idem", def);
  auto a = service_->start("idem", {{"x", 2}}, "run-1");
  service_->run(a.id);
  auto b = service_->start("idem", {{"x", 2}}, "run-1");
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(b.status, "SUCCEEDED");
  EXPECT_THROW(service_->start("idem", {{"x", 3}}, "run-1"), Error);
  auto history = state_.executions().history(a.id);
  EXPECT_EQ(std::count_if(history.begin(), history.end(),
                          [](auto& e) { return e.type == "ExecutionSucceeded"; }),
            1);
}

// Everything before a task is durable before the task runs, for functions named as the
// Resource (LambdaFunction* events) as for service integrations (Task* events): a crash
// during the task then re-runs only the task.
TEST_F(WorkflowServiceTest, ATaskRunsOnlyOnceTheStepsBeforeItAreStored) {
  for (const std::string resource : {"function:peek", "arn:aws:states:::lambda:invoke"}) {
    json task = {{"Type", "Task"}, {"Resource", resource}, {"End", true}};
    if (resource.find("invoke") != std::string::npos)
      task["Parameters"] = {{"FunctionName", "peek"}, {"Payload.$", "$"}};
    json def = {
        {"StartAt", "Id"},
        {"States",
         {{"Id",
           {{"Type", "Pass"}, {"Parameters", {{"id.$", "$$.Execution.Id"}}}, {"Next", "Peek"}}},
          {"Peek", task}}}};
    json out = outcome("peek", def, json::object())["output"];
    if (out.contains("Payload")) out = out["Payload"];
    const std::string scheduled =
        resource.rfind("function:", 0) == 0 ? "LambdaFunctionScheduled" : "TaskScheduled";
    EXPECT_EQ(out, (json{"ExecutionStarted", "PassStateEntered", "PassStateExited",
                         "TaskStateEntered", scheduled}))
        << resource;
  }
}

TEST_F(WorkflowServiceTest, StartAndRunKeepsNamesIdempotent) {
  json def = json::parse(
      R"asl({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:double", "End": true}}})asl");
  service_->putWorkflow("idem2", def);
  auto first = service_->startAndRun("idem2", {{"x", 2}}, "run-1");
  EXPECT_EQ(first.status, "SUCCEEDED");
  EXPECT_EQ(first.output, (json{{"x", 4}}));
  EXPECT_EQ(state_.executions().getExecution(first.id)->output, (json{{"x", 4}}));
  auto again = service_->startAndRun("idem2", {{"x", 2}}, "run-1");
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.output, (json{{"x", 4}}));
  EXPECT_EQ(state_.executions().history(first.id).size(),
            7u);  // started, entered, scheduled, started, succeeded, exited, succeeded
  try {
    service_->startAndRun("idem2", {{"x", 3}}, "run-1");
    FAIL() << "expected ExecutionAlreadyExists";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ExecutionAlreadyExists");
  }
  try {
    service_->startAndRun("never-registered", json::object());
    FAIL() << "expected StateMachineDoesNotExist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "StateMachineDoesNotExist");
  }
}

// A clock that, once, does something when first read: here, another process starting
// an execution of the same name between startAndRun's look for it and its first commit.
class InterruptingClock : public core::Clock {
 public:
  core::TimeNs now() const override {
    if (auto f = std::exchange(once, nullptr)) f();
    return core::SystemClock::instance().now();
  }
  mutable std::function<void()> once;
};

TEST_F(WorkflowServiceTest, AStartThatLosesItsNameToAnotherProcessTouchesNothing) {
  InterruptingClock clock;
  WorkflowServiceOptions o;
  o.sleeper = &sleeper_;
  o.clock = &clock;
  WorkflowService racing(registry_, services_, o);
  WorkflowService other(registry_, services_);
  racing.putWorkflow("race", json::parse(R"asl({"StartAt": "P", "States": {
      "P": {"Type": "Pass", "Next": "T"},
      "T": {"Type": "Task", "Resource": "function:count", "End": true}}})asl"));
  clock.once = [&] { other.start("race", {{"n", 1}}, "shared-name"); };
  auto done = racing.startAndRun("race", {{"n", 1}}, "shared-name");
  EXPECT_FALSE(clock.once) << "the other start did not happen";
  EXPECT_EQ(done.status, "SUCCEEDED");
  EXPECT_EQ(done.output, (json{{"n", 1}}));
  EXPECT_EQ(counted_, 1) << "the losing run must not have called the function";
  std::vector<std::string> types;
  for (const auto& e : state_.executions().history(done.id)) types.push_back(e.type);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ExecutionStarted"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "LambdaFunctionScheduled"), 1);
  EXPECT_EQ(types.back(), "ExecutionSucceeded");
}

// An execution another live process runs is not run twice: run() waits for its end.
// (A process of another machine counts as alive, since this one cannot see it.)
TEST_F(WorkflowServiceTest, RunWaitsForAnExecutionAnotherProcessRuns) {
  service_->putWorkflow("elsewhere", json::parse(R"asl({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "function:count", "End": true}}})asl"));
  state::ExecutionRecord r;
  r.id = service_->executionArn("elsewhere", "e1");
  r.workflow = "elsewhere";
  r.name = "e1";
  r.status = "RUNNING";
  r.input = json::object();
  r.owner = "another-host.example/boot/1234/5678";
  bool created = false;
  state_.executions().createExecution(r, created);
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    state::ExecutionRecord done = r;
    done.status = "SUCCEEDED";
    done.output = {{"from", "the other process"}};
    done.stopped = 1;
    state_.executions().finishExecution(done);
  });
  auto outcome = service_->run(r.id);
  other.join();
  EXPECT_EQ(outcome.status, "SUCCEEDED");
  EXPECT_EQ(outcome.output, (json{{"from", "the other process"}}));
  EXPECT_EQ(counted_, 0);
  EXPECT_TRUE(service_->claimOrphans().empty());
}

// Two threads of one process reaching the same execution (an event's redelivery and the
// resumer, say) run it once: the second waits for the first's end.
TEST_F(WorkflowServiceTest, TwoThreadsRunAnExecutionOnce) {
  std::atomic<int> calls{0};
  registry_.add("slow", "counts its calls and takes a while",
                [&](const json& e, functions::InvocationContext&) {
                  calls++;
                  std::this_thread::sleep_for(std::chrono::milliseconds(200));
                  return e;
                });
  service_->putWorkflow("once", json::parse(R"asl({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "function:slow", "End": true}}})asl"));
  const auto r = service_->start("once", {{"n", 1}});
  state::ExecutionRecord a, b;
  std::thread first([&] { a = service_->run(r.id); });
  std::thread second([&] { b = service_->run(r.id); });
  first.join();
  second.join();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(a.status, "SUCCEEDED");
  EXPECT_EQ(b.status, "SUCCEEDED");
  EXPECT_EQ(b.output, (json{{"n", 1}}));
  // The same for two starts of one name racing in this process.
  std::thread third([&] { a = service_->startAndRun("once", {{"n", 2}}, "same"); });
  std::thread fourth([&] { b = service_->startAndRun("once", {{"n", 2}}, "same"); });
  third.join();
  fourth.join();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(b.output, (json{{"n", 2}}));
}

TEST_F(WorkflowServiceTest, DynamoDbIntegrationOnItemTables) {
  state_.items().createTable({"counters", {"id", state::KeyType::kString}, std::nullopt});
  json def = json::parse(R"asl({"StartAt": "Put", "States": {
      "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
              "Parameters": {"TableName": "counters", "Item": {"id": {"S": "runs"}, "n": {"N": "1"}}}, "ResultPath": null, "Next": "Bump"},
      "Bump": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
               "Parameters": {"TableName": "counters", "Key": {"id": {"S": "runs"}},
                              "UpdateExpression": "SET n = n + :one, #s = :s", "ExpressionAttributeNames": {"#s": "state"},
                              "ExpressionAttributeValues": {":one": {"N": "1"}, ":s": {"S": "ok"}}, "ReturnValues": "ALL_NEW"},
               "ResultPath": "$.updated", "Next": "Get"},
      "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
              "Parameters": {"TableName": "counters", "Key": {"id": {"S": "runs"}}}, "ResultPath": "$.got", "Next": "Again"},
      "Again": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "counters", "Item": {"id": {"S": "runs"}}, "ConditionExpression": "attribute_not_exists(id)"},
                "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": "$.conflict", "Next": "Done"}],
                "End": true},
      "Done": {"Type": "Succeed"}}})asl");
  auto out = outcome("ddb", def, json::object());
  ASSERT_EQ(out["status"], "SUCCEEDED") << out;
  EXPECT_EQ(out["output"]["updated"]["Attributes"]["n"], (json{{"N", "2"}}));
  EXPECT_EQ(out["output"]["got"]["Item"]["state"], (json{{"S", "ok"}}));
  EXPECT_EQ(out["output"]["conflict"]["Error"], "DynamoDB.ConditionalCheckFailedException");
  EXPECT_EQ((*state_.items().get("counters", {{"id", "runs"}}))["n"], 2);
}

TEST_F(WorkflowServiceTest, NestedExecutionsSyncAndSync2) {
  service_->putWorkflow(
      "child",
      json::parse(
          R"asl({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:double", "End": true}}})asl"));
  json def = json::parse(R"asl({"StartAt": "S", "States": {
      "S": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": "arn:aws:states:local:000000000000:stateMachine:child", "Input": {"x.$": "$.x"}},
            "ResultSelector": {"out.$": "$.Output", "status.$": "$.Status"}, "ResultPath": "$.sync", "Next": "S2"},
      "S2": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
             "Parameters": {"StateMachineArn": "arn:aws:states:local:000000000000:stateMachine:child", "Input": {"x": 5}},
             "ResultSelector": {"out.$": "$.Output"}, "ResultPath": "$.sync2", "End": true}}})asl");
  auto out = outcome("parent", def, {{"x", 3}});
  ASSERT_EQ(out["status"], "SUCCEEDED") << out;
  EXPECT_EQ(out["output"]["sync"], (json{{"out", "{\"x\":6}"}, {"status", "SUCCEEDED"}}));
  EXPECT_EQ(out["output"]["sync2"], (json{{"out", {{"x", 10}}}}));
  EXPECT_EQ(state_.executions().listExecutions("child", "SUCCEEDED", 0).size(), 2u);
}

TEST_F(WorkflowServiceTest, WaitForTaskTokenCompletesFromOutside) {
  json def = json::parse(R"asl({"StartAt": "W", "States": {"W": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}}, "TimeoutSeconds": 30, "End": true}}})asl");
  service_->putWorkflow("approve", def);
  auto r = service_->start("approve", json::object());
  std::thread answer([&] {
    for (int i = 0; i < 500; i++) {
      std::string t;
      {
        std::lock_guard lock(mu_);
        t = token_;
      }
      if (!t.empty()) {
        state::TaskTokenRecord done;
        done.token = t;
        done.status = "SUCCEEDED";
        done.output = {{"approved", true}};
        state_.executions().completeTaskToken(done);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  auto done = service_->run(r.id);
  answer.join();
  EXPECT_EQ(done.status, "SUCCEEDED");
  EXPECT_EQ(done.output, (json{{"approved", true}}));
  state::TaskTokenRecord again;
  again.token = token_;
  again.status = "SUCCEEDED";
  EXPECT_THROW(state_.executions().completeTaskToken(again), Error);  // answered once only
}

TEST_F(WorkflowServiceTest, TimeoutSecondsStopsAFunctionTask) {
  registry_.add("endless", "a DuckDB query of minutes",
                [this](const json&, functions::InvocationContext&) {
                  data::Connection conn(duckdb_);
                  conn.query("SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b");
                  return json::object();
                });
  json def = json::parse(R"asl({"StartAt": "Long", "States": {
      "Long": {"Type": "Task", "Resource": "function:endless", "TimeoutSeconds": 1,
               "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Late"}],
               "End": true},
      "Late": {"Type": "Pass", "End": true}}})asl");
  const auto start = std::chrono::steady_clock::now();
  service_->putWorkflow("deadline", def);
  auto r = service_->start("deadline", json::object());
  auto done = service_->run(r.id);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(done.status, "SUCCEEDED");
  EXPECT_EQ(done.output["error"]["Error"], "States.Timeout");
  std::vector<std::string> types;
  for (const auto& e : state_.executions().history(r.id)) types.push_back(e.type);
  EXPECT_NE(std::find(types.begin(), types.end(), "LambdaFunctionTimedOut"), types.end());
  EXPECT_EQ(std::find(types.begin(), types.end(), "LambdaFunctionFailed"), types.end());
}

TEST_F(WorkflowServiceTest, StopAndRedrive) {
  flaky_failures_ = 1;
  json def = json::parse(R"asl({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Result": {"x": 4}, "Next": "B"},
      "B": {"Type": "Task", "Resource": "function:flaky", "ResultPath": "$.flaky", "Next": "C"},
      "C": {"Type": "Task", "Resource": "function:double", "ResultPath": "$.doubled", "End": true}}})asl");
  service_->putWorkflow("redrivable", def);
  auto r = service_->start("redrivable", json::object());
  auto failed = service_->run(r.id);
  ASSERT_EQ(failed.status, "FAILED");
  EXPECT_EQ(failed.error, "Custom.Flaky");
  service_->redrive(r.id);
  auto done = service_->run(r.id);
  ASSERT_EQ(done.status, "SUCCEEDED") << outcomeJson(done);
  EXPECT_EQ(done.output, (json{{"x", 4}, {"flaky", {{"ok", true}}}, {"doubled", {{"x", 8}}}}));
  EXPECT_EQ(done.redrive_count, 1);
  // Stopping works only on a running execution.
  auto s = service_->start("redrivable", json::object(), "to-stop");
  EXPECT_TRUE(service_->stop(s.id, "Manual", "operator"));
  EXPECT_FALSE(service_->stop(s.id, "Manual", "again"));
  EXPECT_EQ(service_->run(s.id).status, "ABORTED");
}

TEST_F(WorkflowServiceTest, MockConfigReplacesTasksPerTestCase) {
  json config =
      json::parse(R"({"StateMachines": {"m": {"TestCases": {"HappyPath": {"A": "Flaky"}}}},
      "MockedResponses": {"Flaky": {"0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "busy"}},
                                    "1": {"Return": {"mocked": true}}}}})");
  MockTaskRunner mocks(config, "m", "HappyPath", nullptr);
  WorkflowServiceOptions o;
  o.sleeper = &sleeper_;
  o.tasks = &mocks;
  WorkflowService service(registry_, services_, o);
  service.putWorkflow(
      "m",
      json::parse(
          R"asl({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:double",
      "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 1}], "End": true}}})asl"));
  auto r = service.run(service.start("m", json::object()).id);
  EXPECT_EQ(r.output, (json{{"mocked", true}}));
  EXPECT_THROW(MockTaskRunner(config, "m", "Unknown", nullptr), Error);
  config["MockedResponses"]["Flaky"]["2-x"] = {{"Return", 1}};
  try {
    MockTaskRunner bad(config, "m", "HappyPath", nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "the mock configuration's MockedResponses entry 'Flaky' has key '2-x': keys are "
              "invocation numbers such as \"0\" or ranges such as \"1-2\"");
  }
}

TEST_F(WorkflowServiceTest, InvalidWorkflowsAreRefused) {
  EXPECT_THROW(service_->putWorkflow("bad", json::parse(R"({"StartAt": "X", "States": {}})")),
               Error);
  try {
    service_->start("never-registered", json::object());
    FAIL() << "expected StateMachineDoesNotExist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "StateMachineDoesNotExist");
  }
}

// Definitions are compiled once per version; putting a new version is seen by the next
// execution, also when another service (another process) put it.
TEST_F(WorkflowServiceTest, ANewVersionOfAWorkflowIsWhatTheNextExecutionRuns) {
  const auto constant = [](int n) {
    return json{{"StartAt", "P"},
                {"States", {{"P", {{"Type", "Pass"}, {"Result", n}, {"End", true}}}}}};
  };
  EXPECT_EQ(outcome("versions", constant(1), json::object())["output"], 1);
  EXPECT_EQ(outcome("versions", constant(1), json::object())["output"], 1);
  WorkflowService other(registry_, services_);
  other.putWorkflow("versions", constant(2));
  auto r = service_->start("versions", json::object());
  EXPECT_EQ(outcomeJson(service_->run(r.id))["output"], 2);
}

}  // namespace
}  // namespace sluice::workflows
