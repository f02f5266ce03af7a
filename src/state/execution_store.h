#pragma once
// Workflows (named state machine definitions) and their executions: status, input,
// output, the history of events, the checkpoint an interrupted execution resumes from,
// and task tokens waiting for an outside answer.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/clock.h"

namespace sluice::state {

struct WorkflowRecord {
  std::string name;
  nlohmann::json definition;
  int64_t version = 0;
  core::TimeNs updated = 0;
};

// Every status an execution can have, as Step Functions names them.
inline const std::vector<std::string> kExecutionStatuses = {"RUNNING", "SUCCEEDED", "FAILED",
                                                            "TIMED_OUT", "ABORTED"};

struct ExecutionRecord {
  std::string id;        // the execution ARN
  std::string workflow;  // workflow name
  std::string name;      // execution name, unique per workflow
  std::string status;    // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
  nlohmann::json input;
  nlohmann::json output;  // null unless SUCCEEDED
  nlohmann::json error;   // null unless FAILED/TIMED_OUT/ABORTED
  nlohmann::json cause;
  core::TimeNs started = 0;
  core::TimeNs stopped = 0;  // 0 while running
  nlohmann::json
      checkpoint;      // {"state", "input", "variables"}: where a resume starts; null at the start
  std::string parent;  // execution id that started this one (states:startExecution), or ""
  int64_t redrive_count = 0;
  std::string owner;  // the process running it (core::currentProcessId), "" if none yet
};

struct StoredEvent {
  int64_t id = 0;
  int64_t previous_id = 0;
  core::TimeNs timestamp = 0;
  std::string type;
  nlohmann::json details;
};

struct TaskTokenRecord {
  std::string token;
  std::string execution_id;
  std::string state_name;
  std::string status;  // WAITING, SUCCEEDED, FAILED
  nlohmann::json output;
  std::string error;
  std::string cause;
  core::TimeNs heartbeat = 0;
};

class ExecutionStore {
 public:
  virtual ~ExecutionStore() = default;

  // Returns the new version.
  virtual int64_t putWorkflow(const std::string& name, const nlohmann::json& definition) = 0;
  virtual std::optional<WorkflowRecord> getWorkflow(const std::string& name) = 0;
  // The current version alone (cheaper than the definition), to check a cached one.
  virtual std::optional<int64_t> workflowVersion(const std::string& name) = 0;
  virtual std::vector<WorkflowRecord> listWorkflows() = 0;

  // Creates a RUNNING execution of an existing workflow (else StateMachineDoesNotExist).
  // The execution name is an idempotency key: if one with the same workflow and name
  // exists with the same input, that one is returned and `created` is false; with
  // another input it is ExecutionAlreadyExists.
  virtual ExecutionRecord createExecution(const ExecutionRecord& record, bool& created) = 0;
  virtual std::optional<ExecutionRecord> getExecution(const std::string& id) = 0;
  // Newest first; empty workflow or status means any.
  virtual std::vector<ExecutionRecord> listExecutions(const std::string& workflow,
                                                      const std::string& status, int limit) = 0;
  // How many executions each workflow has in each status: {workflow, status, count}.
  virtual std::vector<std::tuple<std::string, std::string, int64_t>> statusCounts() = 0;
  virtual void saveCheckpoint(const std::string& id, const nlohmann::json& checkpoint) = 0;
  // Ends a RUNNING execution; returns false (and changes nothing) if it was not running,
  // so no execution completes twice.
  virtual bool finishExecution(const ExecutionRecord& record) = 0;
  // Makes `new_owner` the process running a RUNNING execution, if `expected_owner` still
  // is: of two processes taking over from the same dead one, only one succeeds.
  virtual bool claimExecution(const std::string& id, const std::string& expected_owner,
                              const std::string& new_owner) = 0;
  // Puts a FAILED/TIMED_OUT/ABORTED execution back to RUNNING for a redrive, with no
  // process running it yet.
  virtual bool reopenExecution(const std::string& id) = 0;

  // Numbers the event after the execution's last one and stores it.
  virtual StoredEvent appendEvent(const std::string& execution_id, const std::string& type,
                                  const nlohmann::json& details, core::TimeNs timestamp) = 0;
  // In one transaction: creates the execution (when `create` is given: a start whose
  // record waited for its first progress; if an execution with that name exists
  // already, nothing is written and it is ExecutionAlreadyExists), stores `events`
  // (already numbered, following the last stored one), then the checkpoint (when not
  // null), then ends the execution (when `finish` is given; as finishExecution, only a
  // RUNNING one). Returns false if `finish` found the execution no longer running.
  virtual bool commitProgress(const std::string& execution_id,
                              const std::vector<StoredEvent>& events,
                              const nlohmann::json& checkpoint, const ExecutionRecord* finish,
                              const ExecutionRecord* create) = 0;
  virtual int64_t lastEventId(const std::string& execution_id) = 0;
  virtual std::vector<StoredEvent> history(const std::string& execution_id) = 0;

  virtual void createTaskToken(const TaskTokenRecord& record) = 0;
  virtual std::optional<TaskTokenRecord> getTaskToken(const std::string& token) = 0;
  // Completes a WAITING token; TaskTimedOut/InvalidToken errors when it is not waiting.
  virtual void completeTaskToken(const TaskTokenRecord& record) = 0;
  virtual void heartbeatTaskToken(const std::string& token, core::TimeNs at) = 0;
};

}  // namespace sluice::state
