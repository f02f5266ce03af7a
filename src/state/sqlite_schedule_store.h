#pragma once
// ScheduleStore on the SQLite state database (shares the connection and its lock).
#include <mutex>

#include "state/schedule_store.h"
#include "state/sqlite_db.h"

namespace sluice::state {

class SqliteScheduleStore : public ScheduleStore {
 public:
  SqliteScheduleStore(SqliteDb& db, std::mutex& mu) : db_(db), mu_(mu) {}
  void syncSchedules(const std::vector<ScheduleRecord>& schedules, core::TimeNs now) override;
  std::vector<ScheduleRecord> schedules() override;
  std::optional<ScheduleRecord> schedule(const std::string& name) override;
  bool recordFiring(const Firing& firing, bool advance_mark) override;
  void updateFiring(const std::string& schedule, core::TimeNs scheduled_time,
                    const std::string& status, const std::string& detail) override;
  std::vector<Firing> pendingFirings() override;
  std::vector<Firing> firings(const std::string& schedule, int limit) override;

 private:
  std::vector<ScheduleRecord> select(const std::string& where, const std::string& name);
  std::vector<Firing> selectFirings(const std::string& where_order, const std::string& name);

  SqliteDb& db_;
  std::mutex& mu_;
};

}  // namespace sluice::state
