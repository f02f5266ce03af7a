#include "state/sqlite_schedule_store.h"

#include <map>

namespace sluice::state {

void SqliteScheduleStore::syncSchedules(const std::vector<ScheduleRecord>& schedules,
                                        core::TimeNs now) {
  std::map<std::string, ScheduleRecord> existing;
  for (auto& s : this->schedules()) existing[s.name] = s;
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  db_.exec("DELETE FROM schedules");
  auto st = db_.prepare(
      "INSERT INTO schedules(name, expression, time_zone, target_kind, target_name, input, "
      "catch_up, anchor_ns, last_scheduled_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (const auto& s : schedules) {
    core::TimeNs anchor = now, mark = now;
    auto it = existing.find(s.name);
    if (it != existing.end() && it->second.expression == s.expression &&
        it->second.time_zone == s.time_zone) {
      anchor = it->second.anchor;
      mark = it->second.last_scheduled;
    }
    st.bind(1, s.name).bind(2, s.expression).bind(3, s.time_zone).bind(4, s.target.kind);
    st.bind(5, s.target.name).bind(6, s.input).bind(7, s.catch_up);
    st.bind(8, static_cast<int64_t>(anchor)).bind(9, static_cast<int64_t>(mark)).run();
    st.reset();
  }
  tx.commit();
}

std::vector<ScheduleRecord> SqliteScheduleStore::select(const std::string& where,
                                                        const std::string& name) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT name, expression, time_zone, target_kind, target_name, input, catch_up, anchor_ns, "
      "last_scheduled_ns FROM schedules " +
      where + " ORDER BY name");
  if (!name.empty()) st.bind(1, name);
  std::vector<ScheduleRecord> out;
  while (st.step())
    out.push_back({st.text(0), st.text(1), st.text(2), Target{st.text(3), st.text(4)}, st.text(5),
                   st.text(6), st.int64(7), st.int64(8)});
  return out;
}

std::vector<ScheduleRecord> SqliteScheduleStore::schedules() { return select("", ""); }

std::optional<ScheduleRecord> SqliteScheduleStore::schedule(const std::string& name) {
  auto found = select("WHERE name = ?1", name);
  if (found.empty()) return std::nullopt;
  return found.front();
}

bool SqliteScheduleStore::recordFiring(const Firing& f, bool advance_mark) {
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto st = db_.prepare(
      "INSERT OR IGNORE INTO schedule_firings(schedule, scheduled_ns, status, detail, recorded_ns) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  st.bind(1, f.schedule).bind(2, static_cast<int64_t>(f.scheduled_time)).bind(3, f.status);
  st.bind(4, f.detail).bind(5, static_cast<int64_t>(f.recorded)).run();
  const bool recorded = db_.changes() > 0;
  if (advance_mark)
    db_.prepare(
           "UPDATE schedules SET last_scheduled_ns = MAX(last_scheduled_ns, ?2) WHERE name = ?1")
        .bind(1, f.schedule)
        .bind(2, static_cast<int64_t>(f.scheduled_time))
        .run();
  tx.commit();
  return recorded;
}

void SqliteScheduleStore::updateFiring(const std::string& schedule, core::TimeNs scheduled_time,
                                       const std::string& status, const std::string& detail) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE schedule_firings SET status = ?3, detail = ?4 WHERE schedule = ?1 AND "
      "scheduled_ns = ?2");
  st.bind(1, schedule).bind(2, static_cast<int64_t>(scheduled_time)).bind(3, status);
  st.bind(4, detail).run();
}

std::vector<Firing> SqliteScheduleStore::selectFirings(const std::string& where_order,
                                                       const std::string& name) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT schedule, scheduled_ns, status, detail, recorded_ns FROM schedule_firings " +
      where_order);
  if (!name.empty()) st.bind(1, name);
  std::vector<Firing> out;
  while (st.step()) out.push_back({st.text(0), st.int64(1), st.text(2), st.text(3), st.int64(4)});
  return out;
}

std::vector<Firing> SqliteScheduleStore::pendingFirings() {
  return selectFirings("WHERE status = 'pending' ORDER BY scheduled_ns", "");
}

std::vector<Firing> SqliteScheduleStore::firings(const std::string& schedule, int limit) {
  return selectFirings("WHERE schedule = ?1 ORDER BY scheduled_ns DESC LIMIT " +
                           std::to_string(limit > 0 ? limit : 100),
                       schedule);
}

}  // namespace sluice::state
