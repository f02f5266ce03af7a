#pragma once
// ExecutionStore on the SQLite state database. Writes share the connection and its lock
// with the other SQLite stores; reads go through a connection of their own, so a
// running execution reading its record does not wait for another group's fsync.
#include <exception>
#include <mutex>

#include "state/execution_store.h"
#include "state/group_commit.h"
#include "state/sqlite_db.h"

namespace sluice::state {

class SqliteExecutionStore : public ExecutionStore {
 public:
  SqliteExecutionStore(SqliteDb& db, std::mutex& mu, SqliteDb& reads, std::mutex& reads_mu,
                       const core::Clock& clock);

  int64_t putWorkflow(const std::string& name, const nlohmann::json& definition) override;
  std::vector<std::tuple<std::string, std::string, int64_t>> statusCounts() override;
  std::optional<WorkflowRecord> getWorkflow(const std::string& name) override;
  std::optional<int64_t> workflowVersion(const std::string& name) override;
  std::vector<WorkflowRecord> listWorkflows() override;

  ExecutionRecord createExecution(const ExecutionRecord& record, bool& created) override;
  std::optional<ExecutionRecord> getExecution(const std::string& id) override;
  std::vector<ExecutionRecord> listExecutions(const std::string& workflow,
                                              const std::string& status, int limit) override;
  void saveCheckpoint(const std::string& id, const nlohmann::json& checkpoint) override;
  bool finishExecution(const ExecutionRecord& record) override;
  bool claimExecution(const std::string& id, const std::string& expected_owner,
                      const std::string& new_owner) override;
  bool reopenExecution(const std::string& id) override;

  StoredEvent appendEvent(const std::string& execution_id, const std::string& type,
                          const nlohmann::json& details, core::TimeNs timestamp) override;
  std::vector<StoredEvent> history(const std::string& execution_id) override;
  bool commitProgress(const std::string& execution_id, const std::vector<StoredEvent>& events,
                      const nlohmann::json& checkpoint, const ExecutionRecord* finish,
                      const ExecutionRecord* create) override;
  int64_t lastEventId(const std::string& execution_id) override;

  void createTaskToken(const TaskTokenRecord& record) override;
  std::optional<TaskTokenRecord> getTaskToken(const std::string& token) override;
  void completeTaskToken(const TaskTokenRecord& record) override;
  void heartbeatTaskToken(const std::string& token, core::TimeNs at) override;

 private:
  // An execution's start or its progress, written in a group commit with those of other
  // executions running at the same time (one fsync for all). The caller waits for its
  // group, so the pointers stay valid.
  struct Write {
    const ExecutionRecord* create = nullptr;    // createExecution, or commitProgress's
    const std::string* execution_id = nullptr;  // commitProgress:
    const std::vector<StoredEvent>* events = nullptr;
    const nlohmann::json* checkpoint = nullptr;
    const ExecutionRecord* finish = nullptr;
  };
  struct Written {
    ExecutionRecord record;  // a create: the execution, new or found
    bool created = false;
    bool finished = true;      // a progress with `finish`: whether it ended a running execution
    std::exception_ptr error;  // this write's own failure (the others still commit)
  };
  std::vector<Written> writeGroup(const std::vector<Write>& writes);
  Written createLocked(const ExecutionRecord& record);
  bool progressLocked(const Write& write);
  void insertEventsLocked(const std::string& execution_id, const std::vector<StoredEvent>& events);
  static int64_t lastEventIdIn(SqliteDb& db, const std::string& execution_id);

  bool finishLocked(const ExecutionRecord& record);
  SqliteDb& db_;
  std::mutex& mu_;
  // One read at a time: reads overlapping on one connection would share its snapshot,
  // and a read could then miss a write committed just before it.
  SqliteDb& reads_;
  std::mutex& reads_mu_;
  const core::Clock& clock_;
  GroupCommit<Write, Written> writes_;
};

}  // namespace sluice::state
