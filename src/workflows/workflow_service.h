#pragma once
// Durable executions: workflows registered by name, executions whose every history
// event is in the state store before the next step runs, checkpoints after every
// top-level state, resumption of interrupted executions, stop and redrive.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "flow/definition.h"
#include "flow/interpreter.h"
#include "functions/registry.h"
#include "state/execution_store.h"
#include "workflows/task_dispatcher.h"

namespace sluice::state {
class StateStore;
}

namespace sluice::workflows {

class DurableProgress;

struct WorkflowServiceOptions {
  const core::Clock* clock = &core::SystemClock::instance();
  flow::Sleeper* sleeper = nullptr;  // default: a real sleeper
  std::string region = "local";
  std::string account = "000000000000";
  // Replaces the task dispatcher (mocks in tests); null uses the dispatcher.
  flow::TaskRunner* tasks = nullptr;
};

class WorkflowService : public ChildExecutions {
 public:
  WorkflowService(const functions::Registry& registry, functions::Services services,
                  WorkflowServiceOptions options = {});
  ~WorkflowService() override;

  // Validates the definition (Error States.InvalidDefinition listing every fault).
  int64_t putWorkflow(const std::string& name, const nlohmann::json& definition);

  // Records a RUNNING execution (or returns the existing one with that name and input).
  state::ExecutionRecord start(const std::string& workflow, const nlohmann::json& input,
                               std::string name = "", const std::string& parent = "");
  // Starts an execution and runs it to its end, for callers that wait for the outcome
  // (`sluice start --wait`, object events and schedules, nested .sync executions). The
  // record is written with the first commit of progress, which precedes any outside
  // effect (a Task, a Wait), so a pure run costs one commit instead of two; a crash
  // before it loses only a start nobody was told of. A name already used is as start().
  state::ExecutionRecord startAndRun(const std::string& workflow, const nlohmann::json& input,
                                     std::string name = "", const std::string& parent = "");
  // Runs a RUNNING execution to its end, from its last checkpoint; returns the record.
  // One that another live process, or another thread of this one, is running is not run
  // twice: this waits for its end (and takes it over if that process dies).
  state::ExecutionRecord run(const std::string& execution_id);
  // Takes over the RUNNING executions whose process is gone (a crash); returns their ids,
  // for run().
  std::vector<std::string> claimOrphans();
  // Runs every execution claimOrphans() takes to its end; returns their ids.
  std::vector<std::string> resumeAll();
  // Ends a RUNNING execution as ABORTED; a run in progress stops before its next state.
  bool stop(const std::string& execution_id, const std::string& error, const std::string& cause);
  // Puts a FAILED, TIMED_OUT or ABORTED execution back to RUNNING at the state that
  // failed, with that state's input; then run() continues it.
  state::ExecutionRecord redrive(const std::string& execution_id);

  nlohmann::json startChild(const nlohmann::json& parameters, const std::string& parent_id,
                            const std::string& mode) override;

  std::string executionArn(const std::string& workflow, const std::string& name) const;

 private:
  state::ExecutionStore& store();
  state::ExecutionRecord newRecord(const std::string& workflow, const nlohmann::json& input,
                                   std::string name, const std::string& parent) const;
  // Makes this process (`me`) the one running `record` if the process that was is gone;
  // false if it may be alive or another process took it over first.
  bool takeOverIfOrphaned(const state::ExecutionRecord& record, const std::string& me);
  // Runs `record` from its checkpoint to its end, its progress kept by `progress`.
  state::ExecutionRecord execute(const state::ExecutionRecord& record, DurableProgress& progress);
  // The workflow's current definition, compiled once per version (a put makes a new one).
  flow::Definition currentDefinition(const std::string& workflow);
  functions::Services services_;
  WorkflowServiceOptions options_;
  std::unique_ptr<flow::Sleeper> own_sleeper_;
  TaskDispatcher dispatcher_;
  // The executions threads of this process are running now: one is never run twice at
  // once, also when an event's redelivery and the resumer reach it together.
  class RunningHere;
  std::mutex running_mu_;
  std::condition_variable running_cv_;
  std::set<std::string> running_;
  struct CompiledVersion {
    int64_t version;
    flow::Definition definition;
  };
  std::mutex definitions_mu_;
  std::unordered_map<std::string, CompiledVersion> definitions_;
};

// The result of an execution as `sluice start --wait` prints it: {"status", "output"}
// or {"status", "error", "cause"}.
nlohmann::json outcomeJson(const state::ExecutionRecord& record);

// An execution as ListExecutions lists it: executionArn, stateMachineName, name, status,
// startDate and, once it ended, stopDate.
nlohmann::json executionListItemJson(const state::ExecutionRecord& record);

// An execution's history as GetExecutionHistory's "events" array (flow::awsHistoryEvent).
nlohmann::json historyJson(state::ExecutionStore& store, const std::string& execution_id);

}  // namespace sluice::workflows
