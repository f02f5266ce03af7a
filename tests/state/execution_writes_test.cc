// Executions started and finished by many threads at once share commits (one fsync per
// group) yet stay apart: each is created and ended exactly once, with its own events,
// and one write's failure does not fail the others of its group.
#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "state/sqlite_state_store.h"
#include "testing/temp_dir.h"

namespace sluice::state {
namespace {

using nlohmann::json;

ExecutionRecord running(const std::string& name, const json& input) {
  ExecutionRecord r;
  r.id = "arn:aws:states:local:000000000000:execution:wf:" + name;
  r.workflow = "wf";
  r.name = name;
  r.status = "RUNNING";
  r.input = input;
  r.started = 1;
  return r;
}

class ExecutionWrites : public ::testing::Test {
 protected:
  testing::TempDir dir;
  core::ManualClock clock{1'700'000'000'000'000'000};
  SqliteStateStore store{dir / "state.db", SecretBox(std::string(32, 'k')), clock};
  ExecutionStore& executions = store.executions();
};

TEST_F(ExecutionWrites, ConcurrentStartsAndEndsEachHappenOnce) {
  executions.putWorkflow("wf", {{"StartAt", "A"}});
  constexpr int kThreads = 16, kEach = 10;
  std::atomic<int> conflicts{0}, finished{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; i++) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        bool created = false;
        ExecutionRecord r = executions.createExecution(running(name, {{"t", t}}), created);
        EXPECT_TRUE(created);
        // The same name with another input, while other threads' writes are in flight.
        try {
          executions.createExecution(running(name, {{"t", -1}}), created);
        } catch (const Error& e) {
          if (e.code() == std::string("ExecutionAlreadyExists")) conflicts++;
        }
        std::vector<StoredEvent> events = {{1, 0, 5, "ExecutionStarted", json::object()},
                                           {2, 1, 6, "PassStateEntered", {{"name", name}}}};
        r.status = "SUCCEEDED";
        r.output = {{"done", name}};
        if (executions.commitProgress(r.id, events, json(), &r, nullptr)) finished++;
        // Ending it again changes nothing: no execution completes twice.
        EXPECT_FALSE(executions.commitProgress(r.id, {}, json(), &r, nullptr));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(conflicts, kThreads * kEach);
  EXPECT_EQ(finished, kThreads * kEach);
  for (int t = 0; t < kThreads; t++)
    for (int i = 0; i < kEach; i++) {
      const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
      auto r = executions.getExecution(running(name, {}).id);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, "SUCCEEDED");
      EXPECT_EQ(r->input, (json{{"t", t}}));
      EXPECT_EQ(r->output, (json{{"done", name}}));
      auto history = executions.history(r->id);
      ASSERT_EQ(history.size(), 2u);
      EXPECT_EQ(history[1].details["name"], name);
    }
}

TEST_F(ExecutionWrites, AFailedWriteIsUndoneAloneAndReported) {
  executions.putWorkflow("wf", {{"StartAt", "A"}});
  bool created = false;
  ExecutionRecord r = executions.createExecution(running("one", json::object()), created);
  const std::vector<StoredEvent> first = {{1, 0, 5, "ExecutionStarted", json::object()}};
  ASSERT_TRUE(executions.commitProgress(r.id, first, {{"state", "B"}}, nullptr, nullptr));
  // Event 1 again, with a second event and a checkpoint: the duplicate id fails the
  // write, and none of it stays.
  const std::vector<StoredEvent> again = {{2, 1, 6, "PassStateEntered", json::object()},
                                          {1, 0, 7, "ExecutionStarted", json::object()}};
  EXPECT_THROW(executions.commitProgress(r.id, again, {{"state", "C"}}, nullptr, nullptr), Error);
  EXPECT_EQ(executions.history(r.id).size(), 1u);
  EXPECT_EQ(executions.getExecution(r.id)->checkpoint, (json{{"state", "B"}}));
  // The store still takes writes.
  EXPECT_TRUE(executions.commitProgress(r.id, {again[0]}, json(), nullptr, nullptr));
  EXPECT_EQ(executions.history(r.id).size(), 2u);
}

TEST_F(ExecutionWrites, AnExecutionOfAMissingWorkflowIsRefused) {
  bool created = false;
  try {
    executions.createExecution(running("one", json::object()), created);
    FAIL() << "expected StateMachineDoesNotExist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "StateMachineDoesNotExist");
    EXPECT_STREQ(e.what(), "workflow 'wf' does not exist");
  }
  EXPECT_FALSE(executions.getExecution(running("one", json::object()).id));
}

}  // namespace
}  // namespace sluice::state
