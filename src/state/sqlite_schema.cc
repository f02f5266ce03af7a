#include "state/sqlite_schema.h"

namespace sluice::state {

const std::vector<const char*>& sqliteMigrations() {
  static const std::vector<const char*> migrations = {
      // 1: parameters and item tables
      R"sql(
    CREATE TABLE parameters (
      name TEXT NOT NULL,
      version INTEGER NOT NULL,
      type TEXT NOT NULL,
      value BLOB NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      modified_ns INTEGER NOT NULL,
      PRIMARY KEY (name, version)
    );
    CREATE TABLE item_tables (
      name TEXT PRIMARY KEY,
      pk_name TEXT NOT NULL,
      pk_type TEXT NOT NULL,
      sk_name TEXT,
      sk_type TEXT,
      created_ns INTEGER NOT NULL
    );
    CREATE TABLE items (
      table_name TEXT NOT NULL REFERENCES item_tables(name) ON DELETE CASCADE,
      pk TEXT NOT NULL,
      sk NOT NULL DEFAULT '',
      doc TEXT NOT NULL,
      PRIMARY KEY (table_name, pk, sk)
    ) WITHOUT ROWID;
    )sql",
      // 2: function invocations and their logs
      R"sql(
    CREATE TABLE invocations (
      request_id TEXT PRIMARY KEY,
      function TEXT NOT NULL,
      start_ns INTEGER NOT NULL,
      duration_ns INTEGER NOT NULL DEFAULT 0,
      status TEXT NOT NULL,
      error_type TEXT NOT NULL DEFAULT '',
      error_message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX invocations_by_function ON invocations(function, start_ns);
    CREATE TABLE invocation_logs (
      request_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      time_ns INTEGER NOT NULL,
      line TEXT NOT NULL,
      PRIMARY KEY (request_id, seq)
    );
    )sql",
      // 3: the table catalog; a table's definition is one JSON document
      R"sql(
    CREATE TABLE catalog_tables (
      database_name TEXT NOT NULL,
      table_name TEXT NOT NULL,
      definition TEXT NOT NULL,
      updated_ns INTEGER NOT NULL,
      PRIMARY KEY (database_name, table_name)
    );
    )sql",
      // 4: workflows, executions, their history and task tokens
      R"sql(
    CREATE TABLE workflows (
      name TEXT PRIMARY KEY,
      definition TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_ns INTEGER NOT NULL
    );
    CREATE TABLE executions (
      id TEXT PRIMARY KEY,
      workflow TEXT NOT NULL,
      name TEXT NOT NULL,
      status TEXT NOT NULL,
      input TEXT NOT NULL,
      output TEXT,
      error TEXT,
      cause TEXT,
      started_ns INTEGER NOT NULL,
      stopped_ns INTEGER NOT NULL DEFAULT 0,
      checkpoint TEXT,
      parent TEXT NOT NULL DEFAULT '',
      redrive_count INTEGER NOT NULL DEFAULT 0,
      UNIQUE (workflow, name)
    );
    CREATE INDEX executions_by_status ON executions(status, started_ns);
    CREATE TABLE execution_events (
      execution_id TEXT NOT NULL,
      id INTEGER NOT NULL,
      previous_id INTEGER NOT NULL,
      time_ns INTEGER NOT NULL,
      type TEXT NOT NULL,
      details TEXT NOT NULL,
      PRIMARY KEY (execution_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE task_tokens (
      token TEXT PRIMARY KEY,
      execution_id TEXT NOT NULL,
      state_name TEXT NOT NULL,
      status TEXT NOT NULL,
      output TEXT,
      error TEXT NOT NULL DEFAULT '',
      cause TEXT NOT NULL DEFAULT '',
      heartbeat_ns INTEGER NOT NULL DEFAULT 0
    );
    )sql",
      // 5: object-event rules and their delivery queue; schedules and their firings
      R"sql(
    CREATE TABLE trigger_rules (
      name TEXT PRIMARY KEY,
      bucket TEXT NOT NULL,
      prefix TEXT NOT NULL,
      suffix TEXT NOT NULL,
      on_created INTEGER NOT NULL,
      on_removed INTEGER NOT NULL,
      target_kind TEXT NOT NULL,
      target_name TEXT NOT NULL,
      shape TEXT NOT NULL
    );
    CREATE TABLE deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      rule TEXT NOT NULL,
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      sequencer TEXT NOT NULL,
      payload TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      status TEXT NOT NULL,
      last_error TEXT NOT NULL DEFAULT '',
      created_ns INTEGER NOT NULL,
      next_attempt_ns INTEGER NOT NULL,
      UNIQUE (rule, bucket, key, sequencer)
    );
    CREATE INDEX deliveries_due ON deliveries(status, next_attempt_ns);
    CREATE TABLE schedules (
      name TEXT PRIMARY KEY,
      expression TEXT NOT NULL,
      time_zone TEXT NOT NULL,
      target_kind TEXT NOT NULL,
      target_name TEXT NOT NULL,
      input TEXT NOT NULL,
      catch_up TEXT NOT NULL,
      anchor_ns INTEGER NOT NULL,
      last_scheduled_ns INTEGER NOT NULL
    );
    CREATE TABLE schedule_firings (
      schedule TEXT NOT NULL,
      scheduled_ns INTEGER NOT NULL,
      status TEXT NOT NULL,
      detail TEXT NOT NULL DEFAULT '',
      recorded_ns INTEGER NOT NULL,
      PRIMARY KEY (schedule, scheduled_ns)
    ) WITHOUT ROWID;
    )sql",
      // 6: input templates on object-event rules
      R"sql(
    ALTER TABLE trigger_rules ADD COLUMN input TEXT NOT NULL DEFAULT '';
    )sql",
      // 7: the state of each alarm, so a restart does not announce a change twice
      R"sql(
    CREATE TABLE alarm_states (
      name TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      changed_ns INTEGER NOT NULL
    );
    )sql",
      // 8: deliveries recorded before their change is made, and what that change is
      R"sql(
    ALTER TABLE deliveries ADD COLUMN removal INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN object_etag TEXT NOT NULL DEFAULT '';
    ALTER TABLE deliveries ADD COLUMN object_size INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX deliveries_change ON deliveries(bucket, key, sequencer);
    )sql",
      // 9: the process running each execution, so only a dead one's are resumed
      R"sql(
    ALTER TABLE executions ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    )sql",
      // 10: history events in one row per commit: [[id, previous_id, time_ns, type,
      // details], ...] under the commit's last event id
      R"sql(
    CREATE TABLE execution_history (
      execution_id TEXT NOT NULL,
      last_id INTEGER NOT NULL,
      events TEXT NOT NULL,
      PRIMARY KEY (execution_id, last_id)
    ) WITHOUT ROWID;
    INSERT INTO execution_history(execution_id, last_id, events)
      SELECT execution_id, id, json_array(json_array(id, previous_id, time_ns, type, json(details)))
      FROM execution_events;
    DROP TABLE execution_events;
    )sql",
  };
  return migrations;
}

}  // namespace sluice::state
