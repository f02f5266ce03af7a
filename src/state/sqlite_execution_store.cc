#include "state/sqlite_execution_store.h"

#include "core/error.h"

namespace sluice::state {

using nlohmann::json;

namespace {

constexpr const char* kExecutionColumns =
    "SELECT id, workflow, name, status, input, output, error, cause, started_ns, stopped_ns, "
    "checkpoint, parent, redrive_count, owner FROM executions ";

json parseOrNull(SqliteStatement& st, int col) {
  return st.isNull(col) ? json() : json::parse(st.text(col));
}

ExecutionRecord readExecution(SqliteStatement& st) {
  ExecutionRecord r;
  r.id = st.text(0);
  r.workflow = st.text(1);
  r.name = st.text(2);
  r.status = st.text(3);
  r.input = json::parse(st.text(4));
  r.output = parseOrNull(st, 5);
  r.error = parseOrNull(st, 6);
  r.cause = parseOrNull(st, 7);
  r.started = st.int64(8);
  r.stopped = st.int64(9);
  r.checkpoint = parseOrNull(st, 10);
  r.parent = st.text(11);
  r.redrive_count = st.int64(12);
  r.owner = st.text(13);
  return r;
}

void bindJsonOrNull(SqliteStatement& st, int index, const json& v) {
  if (v.is_null())
    st.bindNull(index);
  else
    st.bind(index, v.dump());
}

}  // namespace

SqliteExecutionStore::SqliteExecutionStore(SqliteDb& db, std::mutex& mu, SqliteDb& reads,
                                           std::mutex& reads_mu, const core::Clock& clock)
    : db_(db),
      mu_(mu),
      reads_(reads),
      reads_mu_(reads_mu),
      clock_(clock),
      writes_([this](const std::vector<Write>& writes) { return writeGroup(writes); }) {}

std::vector<SqliteExecutionStore::Written> SqliteExecutionStore::writeGroup(
    const std::vector<Write>& writes) {
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  std::vector<Written> results(writes.size());
  for (size_t i = 0; i < writes.size(); i++) {
    // Each write in a savepoint of its own: one that fails is undone alone.
    db_.exec("SAVEPOINT execution_write");
    try {
      const Write& w = writes[i];
      if (w.create) results[i] = createLocked(*w.create);
      if (w.execution_id) {
        if (w.create && !results[i].created)
          throw Error("ExecutionAlreadyExists", "execution '" + w.create->name + "' of workflow '" +
                                                    w.create->workflow + "' was started meanwhile");
        results[i].finished = progressLocked(w);
      }
    } catch (...) {
      results[i].error = std::current_exception();
      db_.exec("ROLLBACK TO execution_write");
    }
    db_.exec("RELEASE execution_write");
  }
  tx.commit();
  return results;
}

int64_t SqliteExecutionStore::putWorkflow(const std::string& name, const json& definition) {
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto cur = db_.prepare("SELECT version FROM workflows WHERE name = ?1");
  int64_t version = cur.bind(1, name).step() ? cur.int64(0) + 1 : 1;
  auto st = db_.prepare(
      "INSERT OR REPLACE INTO workflows(name, definition, version, updated_ns) VALUES (?1, ?2, ?3, "
      "?4)");
  st.bind(1, name)
      .bind(2, definition.dump())
      .bind(3, version)
      .bind(4, static_cast<int64_t>(clock_.now()))
      .run();
  tx.commit();
  return version;
}

std::optional<WorkflowRecord> SqliteExecutionStore::getWorkflow(const std::string& name) {
  std::lock_guard lock(reads_mu_);
  auto st =
      reads_.prepare("SELECT name, definition, version, updated_ns FROM workflows WHERE name = ?1");
  if (!st.bind(1, name).step()) return std::nullopt;
  return WorkflowRecord{st.text(0), json::parse(st.text(1)), st.int64(2), st.int64(3)};
}

std::optional<int64_t> SqliteExecutionStore::workflowVersion(const std::string& name) {
  std::lock_guard lock(reads_mu_);
  auto st = reads_.prepare("SELECT version FROM workflows WHERE name = ?1");
  if (!st.bind(1, name).step()) return std::nullopt;
  return st.int64(0);
}

std::vector<WorkflowRecord> SqliteExecutionStore::listWorkflows() {
  std::lock_guard lock(reads_mu_);
  auto st =
      reads_.prepare("SELECT name, definition, version, updated_ns FROM workflows ORDER BY name");
  std::vector<WorkflowRecord> out;
  while (st.step()) out.push_back({st.text(0), json::parse(st.text(1)), st.int64(2), st.int64(3)});
  return out;
}

ExecutionRecord SqliteExecutionStore::createExecution(const ExecutionRecord& r, bool& created) {
  Write write;
  write.create = &r;
  Written written = writes_.submit(write);
  if (written.error) std::rethrow_exception(written.error);
  created = written.created;
  return std::move(written.record);
}

SqliteExecutionStore::Written SqliteExecutionStore::createLocked(const ExecutionRecord& r) {
  auto workflow = db_.prepare("SELECT 1 FROM workflows WHERE name = ?1");
  if (!workflow.bind(1, r.workflow).step())
    throw Error("StateMachineDoesNotExist", "workflow '" + r.workflow + "' does not exist");
  auto existing = db_.prepare(std::string(kExecutionColumns) + "WHERE workflow = ?1 AND name = ?2");
  if (existing.bind(1, r.workflow).bind(2, r.name).step()) {
    ExecutionRecord found = readExecution(existing);
    if (found.input != r.input)
      throw Error("ExecutionAlreadyExists", "execution '" + r.name + "' of workflow '" +
                                                r.workflow +
                                                "' already exists with a different input");
    return {std::move(found), false, true, nullptr};
  }
  auto st = db_.prepare(
      "INSERT INTO executions(id, workflow, name, status, input, started_ns, parent, owner) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.bind(1, r.id).bind(2, r.workflow).bind(3, r.name).bind(4, r.status).bind(5, r.input.dump());
  st.bind(6, static_cast<int64_t>(r.started)).bind(7, r.parent).bind(8, r.owner).run();
  return {r, true, true, nullptr};
}

std::optional<ExecutionRecord> SqliteExecutionStore::getExecution(const std::string& id) {
  std::lock_guard lock(reads_mu_);
  auto st = reads_.prepare(std::string(kExecutionColumns) + "WHERE id = ?1");
  if (!st.bind(1, id).step()) return std::nullopt;
  return readExecution(st);
}

std::vector<ExecutionRecord> SqliteExecutionStore::listExecutions(const std::string& workflow,
                                                                  const std::string& status,
                                                                  int limit) {
  std::lock_guard lock(reads_mu_);
  std::string sql = std::string(kExecutionColumns) +
                    "WHERE (?1 = '' OR workflow = ?1) AND (?2 = '' OR status = ?2) "
                    "ORDER BY started_ns DESC, id LIMIT " +
                    std::to_string(limit > 0 ? limit : 1000);
  auto st = reads_.prepare(sql);
  st.bind(1, workflow).bind(2, status);
  std::vector<ExecutionRecord> out;
  while (st.step()) out.push_back(readExecution(st));
  return out;
}

void SqliteExecutionStore::saveCheckpoint(const std::string& id, const json& checkpoint) {
  std::lock_guard lock(mu_);
  auto st =
      db_.prepare("UPDATE executions SET checkpoint = ?2 WHERE id = ?1 AND status = 'RUNNING'");
  st.bind(1, id);
  bindJsonOrNull(st, 2, checkpoint);
  st.run();
}

bool SqliteExecutionStore::finishExecution(const ExecutionRecord& r) {
  std::lock_guard lock(mu_);
  return finishLocked(r);
}

bool SqliteExecutionStore::finishLocked(const ExecutionRecord& r) {
  auto st = db_.prepare(
      "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stopped_ns = ?6 "
      "WHERE id = ?1 AND status = 'RUNNING'");
  st.bind(1, r.id).bind(2, r.status);
  bindJsonOrNull(st, 3, r.output);
  bindJsonOrNull(st, 4, r.error);
  bindJsonOrNull(st, 5, r.cause);
  st.bind(6, static_cast<int64_t>(r.stopped)).run();
  return db_.changes() > 0;
}

bool SqliteExecutionStore::claimExecution(const std::string& id, const std::string& expected_owner,
                                          const std::string& new_owner) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE executions SET owner = ?3 WHERE id = ?1 AND owner = ?2 AND status = 'RUNNING'");
  st.bind(1, id).bind(2, expected_owner).bind(3, new_owner).run();
  return db_.changes() > 0;
}

bool SqliteExecutionStore::reopenExecution(const std::string& id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, "
      "stopped_ns = 0, owner = '', "
      "redrive_count = redrive_count + 1 WHERE id = ?1 AND status IN ('FAILED', 'TIMED_OUT', "
      "'ABORTED')");
  st.bind(1, id).run();
  return db_.changes() > 0;
}

StoredEvent SqliteExecutionStore::appendEvent(const std::string& execution_id,
                                              const std::string& type, const json& details,
                                              core::TimeNs timestamp) {
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  const int64_t last = lastEventIdIn(db_, execution_id);
  StoredEvent e{last + 1, last, timestamp, type, details};
  insertEventsLocked(execution_id, {e});
  tx.commit();
  return e;
}

bool SqliteExecutionStore::commitProgress(const std::string& execution_id,
                                          const std::vector<StoredEvent>& events,
                                          const json& checkpoint, const ExecutionRecord* finish,
                                          const ExecutionRecord* create) {
  const Written written = writes_.submit({create, &execution_id, &events, &checkpoint, finish});
  if (written.error) std::rethrow_exception(written.error);
  return written.finished;
}

bool SqliteExecutionStore::progressLocked(const Write& w) {
  const std::string& execution_id = *w.execution_id;
  if (!w.events->empty()) insertEventsLocked(execution_id, *w.events);
  if (!w.checkpoint->is_null()) {
    auto cp =
        db_.prepare("UPDATE executions SET checkpoint = ?2 WHERE id = ?1 AND status = 'RUNNING'");
    cp.bind(1, execution_id).bind(2, w.checkpoint->dump()).run();
  }
  return w.finish ? finishLocked(*w.finish) : true;
}

int64_t SqliteExecutionStore::lastEventIdIn(SqliteDb& db, const std::string& execution_id) {
  auto last =
      db.prepare("SELECT COALESCE(MAX(last_id), 0) FROM execution_history WHERE execution_id = ?1");
  last.bind(1, execution_id).step();
  return last.int64(0);
}

// The events of one commit go into one row, as a JSON array of [id, previous_id, time_ns,
// type, details]: a commit of a whole short execution is then one insert, not one per
// event (whose keys would each repeat the execution's ARN).
void SqliteExecutionStore::insertEventsLocked(const std::string& execution_id,
                                              const std::vector<StoredEvent>& events) {
  int64_t expected = lastEventIdIn(db_, execution_id) + 1;
  std::string batch = "[";
  for (const auto& e : events) {
    if (e.id != expected)
      throw Error(errc::kInternal, "execution '" + execution_id + "': event " +
                                       std::to_string(e.id) + " stored where event " +
                                       std::to_string(expected) + " belongs");
    expected++;
    if (batch.size() > 1) batch += ',';
    batch += "[" + std::to_string(e.id) + "," + std::to_string(e.previous_id) + "," +
             std::to_string(e.timestamp) + "," + json(e.type).dump() + "," + e.details.dump() + "]";
  }
  batch += "]";
  auto st = db_.prepare(
      "INSERT INTO execution_history(execution_id, last_id, events) VALUES (?1, ?2, ?3)");
  st.bind(1, execution_id).bind(2, events.back().id).bind(3, batch).run();
}

int64_t SqliteExecutionStore::lastEventId(const std::string& execution_id) {
  std::lock_guard lock(reads_mu_);
  return lastEventIdIn(reads_, execution_id);
}

std::vector<StoredEvent> SqliteExecutionStore::history(const std::string& execution_id) {
  std::lock_guard lock(reads_mu_);
  auto st = reads_.prepare(
      "SELECT events FROM execution_history WHERE execution_id = ?1 ORDER BY last_id");
  st.bind(1, execution_id);
  std::vector<StoredEvent> out;
  while (st.step())
    for (auto& e : json::parse(st.text(0)))
      out.push_back({e[0].get<int64_t>(), e[1].get<int64_t>(), e[2].get<core::TimeNs>(),
                     e[3].get<std::string>(), std::move(e[4])});
  return out;
}

void SqliteExecutionStore::createTaskToken(const TaskTokenRecord& r) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT INTO task_tokens(token, execution_id, state_name, status, heartbeat_ns) VALUES (?1, "
      "?2, ?3, 'WAITING', ?4)");
  st.bind(1, r.token)
      .bind(2, r.execution_id)
      .bind(3, r.state_name)
      .bind(4, static_cast<int64_t>(clock_.now()))
      .run();
}

std::optional<TaskTokenRecord> SqliteExecutionStore::getTaskToken(const std::string& token) {
  std::lock_guard lock(reads_mu_);
  auto st = reads_.prepare(
      "SELECT token, execution_id, state_name, status, output, error, cause, heartbeat_ns FROM "
      "task_tokens WHERE token = ?1");
  if (!st.bind(1, token).step()) return std::nullopt;
  return TaskTokenRecord{st.text(0),         st.text(1), st.text(2), st.text(3),
                         parseOrNull(st, 4), st.text(5), st.text(6), st.int64(7)};
}

void SqliteExecutionStore::completeTaskToken(const TaskTokenRecord& r) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE task_tokens SET status = ?2, output = ?3, error = ?4, cause = ?5 WHERE token = ?1 "
      "AND status = 'WAITING'");
  st.bind(1, r.token).bind(2, r.status);
  bindJsonOrNull(st, 3, r.output);
  st.bind(4, r.error).bind(5, r.cause).run();
  if (db_.changes() == 0) {
    auto exists = db_.prepare("SELECT status FROM task_tokens WHERE token = ?1");
    if (!exists.bind(1, r.token).step())
      throw Error("InvalidToken", "no task is waiting for this token");
    throw Error("TaskTimedOut",
                "the task of this token is no longer waiting (" + exists.text(0) + ")");
  }
}

void SqliteExecutionStore::heartbeatTaskToken(const std::string& token, core::TimeNs at) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE task_tokens SET heartbeat_ns = ?2 WHERE token = ?1 AND status = 'WAITING'");
  st.bind(1, token).bind(2, static_cast<int64_t>(at)).run();
  if (db_.changes() == 0) throw Error("TaskTimedOut", "no task is waiting for this token");
}

std::vector<std::tuple<std::string, std::string, int64_t>> SqliteExecutionStore::statusCounts() {
  std::lock_guard lock(reads_mu_);
  auto st = reads_.prepare(
      "SELECT workflow, status, count(*) FROM executions GROUP BY workflow, status ORDER BY 1, 2");
  std::vector<std::tuple<std::string, std::string, int64_t>> out;
  while (st.step()) out.emplace_back(st.text(0), st.text(1), st.int64(2));
  return out;
}

}  // namespace sluice::state
