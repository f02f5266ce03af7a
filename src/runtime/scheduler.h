#pragma once
// Fires schedules. Each firing is recorded (with the schedule's high-water mark) before
// its target starts, so it happens once even across a crash: a recorded firing that never
// started is started on the next run. Firings missed while sluice was stopped follow the
// schedule's catch-up policy: "all" fires each, "latest" only the most recent, "none"
// only those less than a minute late (the rest are recorded as skipped).
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "runtime/targets.h"
#include "state/schedule_store.h"

namespace sluice::runtime {

class Scheduler {
 public:
  Scheduler(state::ScheduleStore& store, TargetRunner& targets,
            const core::Clock& clock = core::SystemClock::instance());
  ~Scheduler();

  // Records and runs every firing due now; returns how many ran (or were started, when
  // `wait` is false: then each runs on its own thread, so a long workflow does not hold
  // back the next schedule).
  int tick(bool wait = true);
  // Starts recorded firings that never started (after a crash); returns how many.
  int resumePending();
  // What became of one firing: "started" (detail: the execution or request id) or
  // "failed" (detail: the error).
  struct Outcome {
    core::TimeNs scheduled_time = 0;
    std::string status;
    std::string detail;
  };
  // Runs the firings of `schedule` scheduled in [from, to], whatever the policy; firings
  // already recorded are not repeated. Returns those that ran, in time order.
  std::vector<Outcome> backfill(const std::string& schedule, core::TimeNs from, core::TimeNs to);
  // Fires `schedule` once now, as if its time had come (recorded as a "manual" firing at
  // the current time; its regular firings are unchanged). Returns the firing's detail
  // (the execution or request id); throws when the target failed to start.
  std::string runNow(const std::string& schedule);

  // Ticks in the background (at each next firing, at least every second) until stop().
  void start();
  void stop();
  void setLog(RuntimeLog* log) { log_ = log; }

 private:
  Outcome fire(const state::ScheduleRecord& schedule, core::TimeNs scheduled_time);
  void fireInBackground(const state::ScheduleRecord& schedule, core::TimeNs scheduled_time);

  state::ScheduleStore& store_;
  TargetRunner& targets_;
  const core::Clock& clock_;
  std::atomic<bool> stopping_{false};
  std::thread loop_;
  RuntimeLog* log_ = nullptr;
  std::mutex running_mu_;
  std::condition_variable running_cv_;
  int running_ = 0;  // firings running on their own threads
};

// When `schedule` fires next after `now` (and after its latest recorded firing).
std::optional<core::TimeNs> nextFiring(const state::ScheduleRecord& schedule, core::TimeNs now);

// The input a firing passes: the schedule's template with its placeholders filled
// (<aws.scheduler.scheduled-time>, <aws.scheduler.schedule-arn>,
// <aws.scheduler.execution-id>, <aws.scheduler.attempt-number>, and sluice's
// <sluice.scheduled-local-time>, <sluice.scheduled-date>, <sluice.previous-date> in the
// schedule's zone), or EventBridge's "Scheduled Event" when there is no template.
nlohmann::json firingInput(const state::ScheduleRecord& schedule, core::TimeNs scheduled_time);

}  // namespace sluice::runtime
