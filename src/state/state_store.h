#pragma once
// Everything sluice must remember, behind one interface: the embedded SQLite store
// implements it today, a PostgreSQL store (shared by many workers) implements it later.
// Each concern is its own sub-interface so callers depend on just the part they use;
// later issues add executions, event queues and schedules the same way.
#include <memory>
#include <string>

#include "state/catalog_store.h"
#include "state/execution_store.h"
#include "state/invocation_store.h"
#include "state/item_store.h"
#include "state/parameter_store.h"
#include "state/schedule_store.h"
#include "state/trigger_store.h"

namespace sluice::state {

class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual ParameterStore& parameters() = 0;
  virtual ItemStore& items() = 0;
  virtual InvocationStore& invocations() = 0;
  virtual CatalogStore& catalog() = 0;
  virtual ExecutionStore& executions() = 0;
  virtual TriggerStore& triggers() = 0;
  virtual ScheduleStore& schedules() = 0;
  // The schema version the database is at after migrations.
  virtual int schemaVersion() = 0;
};

}  // namespace sluice::state
