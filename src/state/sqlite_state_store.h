#pragma once
// The embedded state store: one SQLite file (WAL mode) holding every concern of
// StateStore, each in its own class sharing the connection and one lock. Schema changes
// are numbered migrations (sqlite_schema.cc) applied on open.
#include <mutex>
#include <string>

#include "state/secret_box.h"
#include "state/sqlite_catalog_store.h"
#include "state/sqlite_db.h"
#include "state/sqlite_execution_store.h"
#include "state/sqlite_invocation_store.h"
#include "state/sqlite_item_store.h"
#include "state/sqlite_parameter_store.h"
#include "state/sqlite_schedule_store.h"
#include "state/sqlite_trigger_store.h"
#include "state/state_store.h"

namespace sluice::state {

class SqliteStateStore : public StateStore {
 public:
  SqliteStateStore(const std::string& path, SecretBox secrets,
                   const core::Clock& clock = core::SystemClock::instance());

  ParameterStore& parameters() override { return parameters_; }
  ItemStore& items() override { return items_; }
  InvocationStore& invocations() override { return invocations_; }
  CatalogStore& catalog() override { return catalog_; }
  ExecutionStore& executions() override { return executions_; }
  TriggerStore& triggers() override { return triggers_; }
  ScheduleStore& schedules() override { return schedules_; }
  int schemaVersion() override;

 private:
  void migrate();

  std::mutex mu_;  // one connection, used by one thread at a time
  SqliteDb db_;
  // Invocation records and logs are observability, not the durability contract: they go
  // through a second connection that does not fsync each commit (synchronous=NORMAL, the
  // WAL is synced at checkpoints; a process crash loses nothing, a power cut the last
  // records). Events, executions, firings and parameters keep fsync-per-commit, and no
  // longer queue behind log writes.
  std::mutex log_mu_;
  SqliteDb log_db_;
  // Reads of executions and their histories, which running executions make often, use a
  // connection of their own: WAL readers do not wait for a writer's commit.
  std::mutex read_mu_;
  SqliteDb read_db_;
  SecretBox secrets_;
  const core::Clock& clock_;
  SqliteParameterStore parameters_;
  SqliteItemStore items_;
  SqliteInvocationStore invocations_;
  SqliteCatalogStore catalog_;
  SqliteExecutionStore executions_;
  SqliteTriggerStore triggers_;
  SqliteScheduleStore schedules_;
};

}  // namespace sluice::state
