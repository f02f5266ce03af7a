#include "state/sqlite_invocation_store.h"

#include <algorithm>

#include "core/error.h"

namespace sluice::state {

namespace {
constexpr const char* kInvocationColumns =
    "SELECT request_id, function, start_ns, duration_ns, status, error_type, error_message "
    "FROM invocations ";

InvocationRecord readInvocation(SqliteStatement& st) {
  return {st.text(0), st.text(1), st.int64(2), st.int64(3), st.text(4), st.text(5), st.text(6)};
}
}  // namespace

void SqliteInvocationStore::begin(const InvocationRecord& r) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT INTO invocations(request_id, function, start_ns, status) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, r.request_id)
      .bind(2, r.function)
      .bind(3, static_cast<int64_t>(r.start))
      .bind(4, r.status)
      .run();
}

void SqliteInvocationStore::finish(const InvocationRecord& r) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE invocations SET duration_ns = ?2, status = ?3, error_type = ?4, error_message = ?5 "
      "WHERE request_id = ?1");
  st.bind(1, r.request_id).bind(2, r.duration_ns).bind(3, r.status).bind(4, r.error_type);
  st.bind(5, r.error_message).run();
}

void SqliteInvocationStore::appendLog(const std::string& request_id,
                                      const InvocationLogLine& line) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT INTO invocation_logs(request_id, seq, time_ns, line) VALUES (?1, "
      "(SELECT COALESCE(MAX(seq), 0) + 1 FROM invocation_logs WHERE request_id = ?1), ?2, ?3)");
  st.bind(1, request_id).bind(2, static_cast<int64_t>(line.time)).bind(3, line.line).run();
}

std::optional<InvocationRecord> SqliteInvocationStore::find(const std::string& request_id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(std::string(kInvocationColumns) + "WHERE request_id = ?1");
  if (!st.bind(1, request_id).step()) return std::nullopt;
  return readInvocation(st);
}

std::vector<InvocationRecord> SqliteInvocationStore::recent(const std::string& function,
                                                            int limit) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(std::string(kInvocationColumns) +
                        (function.empty() ? "" : "WHERE function = ?1 ") +
                        "ORDER BY start_ns DESC LIMIT " + std::to_string(limit > 0 ? limit : 100));
  if (!function.empty()) st.bind(1, function);
  std::vector<InvocationRecord> out;
  while (st.step()) out.push_back(readInvocation(st));
  return out;
}

std::vector<InvocationLogLine> SqliteInvocationStore::logs(const std::string& request_id) {
  std::lock_guard lock(mu_);
  auto st =
      db_.prepare("SELECT time_ns, line FROM invocation_logs WHERE request_id = ?1 ORDER BY seq");
  st.bind(1, request_id);
  std::vector<InvocationLogLine> out;
  while (st.step()) out.push_back({st.int64(0), st.text(1)});
  return out;
}

std::vector<FunctionSummary> SqliteInvocationStore::summaries(int window) {
  std::lock_guard lock(mu_);
  std::vector<FunctionSummary> out;
  auto counts = db_.prepare(
      "SELECT function, count(*), sum(status = 'Failed'), "
      "sum(error_type = 'TooManyRequestsException') FROM invocations GROUP BY function "
      "ORDER BY function");
  while (counts.step())
    out.push_back({counts.text(0), counts.int64(1), counts.int64(2), counts.int64(3)});
  // Like a CloudWatch metric filter on "WARNING" over each function's log group.
  auto warnings = db_.prepare(
      "SELECT count(*) FROM invocation_logs l JOIN invocations i USING (request_id) "
      "WHERE i.function = ?1 AND l.line LIKE 'WARNING%'");
  for (auto& f : out) {
    warnings.bind(1, f.function);
    if (warnings.step()) f.warnings = warnings.int64(0);
    warnings.reset();
  }
  auto durations = db_.prepare(
      "SELECT duration_ns FROM invocations WHERE function = ?1 AND status != 'Running' "
      "ORDER BY start_ns DESC LIMIT ?2");
  for (auto& f : out) {
    std::vector<int64_t> ns;
    durations.bind(1, f.function).bind(2, static_cast<int64_t>(window));
    while (durations.step()) ns.push_back(durations.int64(0));
    durations.reset();
    if (ns.empty()) continue;
    std::sort(ns.begin(), ns.end());
    auto at = [&](double q) {
      return static_cast<double>(ns[std::min(ns.size() - 1, static_cast<size_t>(q * ns.size()))]) /
             1e9;
    };
    f.p50_seconds = at(0.5);
    f.p90_seconds = at(0.9);
    f.p99_seconds = at(0.99);
  }
  return out;
}

std::string SqliteInvocationStore::alarmState(const std::string& alarm) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT state FROM alarm_states WHERE name = ?1");
  return st.bind(1, alarm).step() ? st.text(0) : "OK";
}

bool SqliteInvocationStore::changeAlarmState(const std::string& alarm, const std::string& previous,
                                             const std::string& next, core::TimeNs at) {
  std::lock_guard lock(mu_);
  // No row means "OK": a change from OK inserts the row or updates one still OK.
  auto st = db_.prepare(
      previous == "OK"
          ? "INSERT INTO alarm_states(name, state, changed_ns) VALUES (?1, ?3, ?4) ON "
            "CONFLICT(name) DO UPDATE SET state = excluded.state, changed_ns = "
            "excluded.changed_ns WHERE alarm_states.state = ?2"
          : "UPDATE alarm_states SET state = ?3, changed_ns = ?4 WHERE name = ?1 AND state = ?2");
  st.bind(1, alarm).bind(2, previous).bind(3, next).bind(4, static_cast<int64_t>(at)).run();
  return db_.changes() == 1;
}

}  // namespace sluice::state
