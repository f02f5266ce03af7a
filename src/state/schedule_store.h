#pragma once
// Schedules and their firings. A firing is recorded once per (schedule, scheduled time)
// before its target starts, and the schedule's high-water mark moves with it in the same
// transaction, so a crash neither loses a firing nor fires it twice.
#include <optional>
#include <string>
#include <vector>

#include "state/trigger_store.h"

namespace sluice::state {

struct ScheduleRecord {
  std::string name;
  std::string expression;
  std::string time_zone = "UTC";
  Target target;
  std::string input;                // JSON text of the input template
  std::string catch_up = "none";    // "none", "latest" or "all"
  core::TimeNs anchor = 0;          // when the schedule was first registered (rate's origin)
  core::TimeNs last_scheduled = 0;  // the scheduled time of the latest recorded firing
};

struct Firing {
  std::string schedule;
  core::TimeNs scheduled_time = 0;
  std::string status;  // "pending", "started", "failed", "skipped"
  std::string detail;  // execution or request id, or the error
  core::TimeNs recorded = 0;
};

class ScheduleStore {
 public:
  virtual ~ScheduleStore() = default;
  // Makes the stored schedules exactly `schedules`. A schedule that exists with the same
  // expression and zone keeps its anchor and high-water mark; a new or changed one starts
  // at `now` (no firings before it).
  virtual void syncSchedules(const std::vector<ScheduleRecord>& schedules, core::TimeNs now) = 0;
  virtual std::vector<ScheduleRecord> schedules() = 0;
  virtual std::optional<ScheduleRecord> schedule(const std::string& name) = 0;
  // Records a firing with `status` and moves the high-water mark to its time when later;
  // false when that firing was already recorded.
  virtual bool recordFiring(const Firing& firing, bool advance_mark) = 0;
  virtual void updateFiring(const std::string& schedule, core::TimeNs scheduled_time,
                            const std::string& status, const std::string& detail) = 0;
  // Firings recorded but not yet started (left by a crash), oldest first.
  virtual std::vector<Firing> pendingFirings() = 0;
  // Newest first.
  virtual std::vector<Firing> firings(const std::string& schedule, int limit) = 0;
};

}  // namespace sluice::state
