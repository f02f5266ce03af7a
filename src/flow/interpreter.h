#pragma once
// Runs a state machine in memory: every state type, input/output processing in the
// spec's order, Retry/Catch, variables, the context object, and the history of events.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "core/clock.h"
#include "flow/definition.h"
#include "flow/history.h"
#include "flow/task_runner.h"

namespace sluice::flow {

struct ExecutionOptions {
  TaskRunner* tasks = nullptr;  // required when the machine has Task states
  Sleeper* sleeper = nullptr;   // required when it waits or retries
  HistorySink* history = nullptr;
  const core::Clock* clock = &core::SystemClock::instance();
  std::string execution_name = "execution";
  std::string state_machine_name = "state-machine";
  std::string region = "local";
  std::string account = "000000000000";
  uint64_t seed = 0;            // for retry jitter; 0 picks a random seed
  core::TimeNs start_time = 0;  // the execution's start ($$.Execution.StartTime); 0: now
  int64_t redrive_count = 0;    // $$.Execution.RedriveCount

  // Durable runs: `checkpoint` is called after every top-level state with where the run
  // goes next ({"state", "input", "variables"}; "state" is empty once the machine
  // ends), and `resume_from` starts a run at such a checkpoint instead of StartAt,
  // without a second ExecutionStarted event.
  std::function<void(const nlohmann::json& checkpoint)> checkpoint;
  nlohmann::json resume_from;
  // Stops the run between states with the given error (e.g. an execution timeout or
  // a stop request); checked before each state.
  std::function<std::optional<std::pair<std::string, std::string>>()> should_stop;
};

struct ExecutionOutcome {
  std::string status;     // "SUCCEEDED" or "FAILED"
  nlohmann::json output;  // SUCCEEDED
  nlohmann::json error;   // FAILED: the error name, or null (a Fail state without Error)
  nlohmann::json cause;   // FAILED: the cause, or null
  nlohmann::json toJson() const;
};

ExecutionOutcome runExecution(const Definition& definition, const nlohmann::json& input,
                              const ExecutionOptions& options);

}  // namespace sluice::flow
