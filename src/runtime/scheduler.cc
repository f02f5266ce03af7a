#include "runtime/scheduler.h"

#include <date/date.h>

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/ids.h"
#include "runtime/template_fill.h"
#include "schedule/expression.h"

namespace sluice::runtime {

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kGraceNs = 60 * kSecond;  // how late a firing may be under catch-up "none"
constexpr size_t kMaxCatchUp = 10000;       // firings considered per tick and schedule

// Regular firings fall on whole seconds; a manual one (runNow) keeps its milliseconds so
// that two in the same second are two executions.
std::string firingName(const std::string& schedule, core::TimeNs t) {
  const int64_t ms = (t / 1'000'000) % 1000;
  char fraction[8] = "";
  if (ms != 0) std::snprintf(fraction, sizeof fraction, "%03lld", static_cast<long long>(ms));
  return executionName(schedule + "-" + core::formatUtc(t, "%Y%m%dT%H%M%S") + fraction + "Z");
}

// The calendar day before "YYYY-MM-DD".
std::string previousDate(const std::string& ymd) {
  const date::year_month_day day{date::year{std::stoi(ymd.substr(0, 4))},
                                 date::month{static_cast<unsigned>(std::stoi(ymd.substr(5, 2)))},
                                 date::day{static_cast<unsigned>(std::stoi(ymd.substr(8, 2)))}};
  return date::format("%Y-%m-%d", date::sys_days{day} - date::days{1});
}

}  // namespace

nlohmann::json firingInput(const state::ScheduleRecord& schedule, core::TimeNs t) {
  const std::string arn =
      "arn:aws:scheduler:us-east-1:000000000000:schedule/default/" + schedule.name;
  const std::string utc = core::formatUtc(t, "%Y-%m-%dT%H:%M:%SZ");
  if (schedule.input.empty())
    return {{"version", "0"},
            {"id", core::uuid4()},
            {"detail-type", "Scheduled Event"},
            {"source", "aws.events"},
            {"account", "000000000000"},
            {"time", utc},
            {"region", "us-east-1"},
            {"resources", {arn}},
            {"detail", nlohmann::json::object()}};
  const std::string local = schedule::formatLocal(t, schedule.time_zone);
  nlohmann::json input = nlohmann::json::parse(schedule.input);
  fillPlaceholders(input, {{"<aws.scheduler.scheduled-time>", utc},
                           {"<aws.scheduler.schedule-arn>", arn},
                           {"<aws.scheduler.execution-id>", firingName(schedule.name, t)},
                           {"<aws.scheduler.attempt-number>", "1"},
                           {"<sluice.scheduled-local-time>", local},
                           {"<sluice.scheduled-date>", local.substr(0, 10)},
                           {"<sluice.previous-date>", previousDate(local.substr(0, 10))}});
  return input;
}

Scheduler::Scheduler(state::ScheduleStore& store, TargetRunner& targets, const core::Clock& clock)
    : store_(store), targets_(targets), clock_(clock) {}

Scheduler::~Scheduler() { stop(); }

Scheduler::Outcome Scheduler::fire(const state::ScheduleRecord& schedule, core::TimeNs t) {
  std::string status = "started", detail;
  try {
    detail = targets_.run(schedule.target, firingInput(schedule, t), firingName(schedule.name, t));
  } catch (const Error& e) {
    status = "failed";
    detail = e.code() + ": " + e.what();
  } catch (const std::exception& e) {
    status = "failed";
    detail = e.what();
  }
  store_.updateFiring(schedule.name, t, status, detail);
  if (log_)
    log_->write("firing", {{"schedule", schedule.name},
                           {"scheduled", core::formatIso8601Ms(t)},
                           {"status", status},
                           {status == "started" ? "request" : "error", detail}});
  return {t, status, detail};
}

void Scheduler::fireInBackground(const state::ScheduleRecord& schedule, core::TimeNs t) {
  {
    std::lock_guard lock(running_mu_);
    ++running_;
  }
  std::thread([this, schedule, t] {
    fire(schedule, t);
    std::lock_guard lock(running_mu_);
    --running_;
    running_cv_.notify_all();
  }).detach();
}

int Scheduler::tick(bool wait) {
  const core::TimeNs now = clock_.now();
  int ran = 0;
  for (const auto& s : store_.schedules()) {
    const auto expression = schedule::ScheduleExpression::parse(s.expression);
    std::vector<core::TimeNs> due;
    for (auto t = expression.next(s.last_scheduled, s.time_zone, s.anchor);
         t && *t <= now && due.size() < kMaxCatchUp; t = expression.next(*t, s.time_zone, s.anchor))
      due.push_back(*t);
    if (due.empty()) continue;
    std::vector<core::TimeNs> to_fire;
    if (s.catch_up == "all") {
      to_fire = due;
    } else if (s.catch_up == "latest") {
      to_fire = {due.back()};
    } else {
      for (auto t : due)
        if (now - t <= kGraceNs) to_fire.push_back(t);
    }
    if (to_fire.size() < due.size()) {
      // One record stands for the missed firings: the latest of them.
      core::TimeNs latest_missed = 0;
      for (auto t : due)
        if (std::find(to_fire.begin(), to_fire.end(), t) == to_fire.end()) latest_missed = t;
      store_.recordFiring({s.name, latest_missed, "skipped",
                           std::to_string(due.size() - to_fire.size()) +
                               " firings missed while stopped (catch_up: " + s.catch_up + ")",
                           now},
                          true);
    }
    for (auto t : to_fire) {
      if (!store_.recordFiring({s.name, t, "pending", "", now}, true)) continue;
      if (wait)
        fire(s, t);
      else
        fireInBackground(s, t);
      ++ran;
    }
  }
  return ran;
}

int Scheduler::resumePending() {
  int ran = 0;
  for (const auto& f : store_.pendingFirings()) {
    auto s = store_.schedule(f.schedule);
    if (!s) {
      store_.updateFiring(f.schedule, f.scheduled_time, "failed", "the schedule no longer exists");
      continue;
    }
    fire(*s, f.scheduled_time);
    ++ran;
  }
  return ran;
}

std::vector<Scheduler::Outcome> Scheduler::backfill(const std::string& name, core::TimeNs from,
                                                    core::TimeNs to) {
  auto s = store_.schedule(name);
  if (!s) throw Error(errc::kResourceNotFound, "no schedule named '" + name + "'");
  const auto expression = schedule::ScheduleExpression::parse(s->expression);
  std::vector<Outcome> ran;
  for (auto t = expression.next(from - 1, s->time_zone, s->anchor); t && *t <= to;
       t = expression.next(*t, s->time_zone, s->anchor)) {
    if (!store_.recordFiring({name, *t, "pending", "backfill", clock_.now()}, false)) continue;
    ran.push_back(fire(*s, *t));
  }
  return ran;
}

std::string Scheduler::runNow(const std::string& name) {
  auto s = store_.schedule(name);
  if (!s) throw Error(errc::kResourceNotFound, "no schedule named '" + name + "'");
  // Milliseconds, like every firing time, so the execution name stays readable.
  const core::TimeNs t = clock_.now() / 1'000'000 * 1'000'000;
  if (!store_.recordFiring({name, t, "pending", "manual", clock_.now()}, false))
    throw Error(errc::kAlreadyExists, "schedule '" + name + "' was just fired; try again");
  const Outcome outcome = fire(*s, t);
  if (outcome.status == "failed") throw Error("FiringFailed", outcome.detail);
  return outcome.detail;
}

std::optional<core::TimeNs> nextFiring(const state::ScheduleRecord& s, core::TimeNs now) {
  const auto expression = schedule::ScheduleExpression::parse(s.expression);
  return expression.next(std::max(now, s.last_scheduled), s.time_zone, s.anchor);
}

void Scheduler::start() {
  stopping_ = false;
  loop_ = std::thread([this] {
    resumePending();
    while (!stopping_) {
      tick(false);
      // Sleep to the next firing, but wake every second to notice stop() and new schedules.
      for (int i = 0; i < 20 && !stopping_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

void Scheduler::stop() {
  stopping_ = true;
  if (loop_.joinable()) loop_.join();
  std::unique_lock lock(running_mu_);
  running_cv_.wait(lock, [this] { return running_ == 0; });  // firings finish, as deliveries do
}

}  // namespace sluice::runtime
