#pragma once
// Schedule expressions as EventBridge and cron users write them:
//   cron(MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR)  EventBridge, with ? L W # and names
//   MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK              Unix cron (0 and 7 are Sunday)
//   rate(N minute|minutes|hour|hours|day|days)
// evaluated in an IANA time zone. Daylight-saving changes follow EventBridge Scheduler:
// a wall-clock time that does not exist (spring forward) is skipped, and one that occurs
// twice (fall back) fires once, at its first occurrence.
#include <bitset>
#include <optional>
#include <string>

#include "core/clock.h"

namespace sluice::schedule {

struct CronFields {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // 1..31
  std::bitset<13> months;         // 1..12
  std::bitset<8> days_of_week;    // 1..7 = SUN..SAT
  std::bitset<230> years;         // 1970..2199
  bool any_day_of_month = false;  // '*' or '?'
  bool any_day_of_week = false;
  bool last_day_of_month = false;      // L
  bool last_weekday_of_month = false;  // LW
  std::bitset<32> nearest_weekday;     // 15W: the weekday nearest the 15th, in its month
  int last_weekday_in_month = 0;       // 5L: the last Thursday (1..7), 0 if unused
  int nth_weekday = 0, nth = 0;        // 3#2: the second Tuesday
  bool unix_semantics = false;         // Unix cron: both day fields restricted means either matches
};

class ScheduleExpression {
 public:
  // Throws Error(InvalidArgument) naming the 1-based character position of the fault.
  static ScheduleExpression parse(const std::string& text);

  const std::string& text() const { return text_; }
  bool isRate() const { return rate_seconds_ > 0; }
  int64_t rateSeconds() const { return rate_seconds_; }

  // The first firing strictly after `after`, in the IANA zone `time_zone` (cron), or the
  // first `anchor + k·rate` after `after` (rate); nullopt when there is none (before 2200).
  std::optional<core::TimeNs> next(core::TimeNs after, const std::string& time_zone,
                                   core::TimeNs anchor = 0) const;

 private:
  std::string text_;
  int64_t rate_seconds_ = 0;
  CronFields cron_;
};

// Throws Error(InvalidArgument) unless `name` is a known IANA zone (e.g. "Europe/London").
void validateTimeZone(const std::string& name);

// `t` as ISO-8601 local time with its offset in `time_zone`: "2026-03-29T01:30:00+00:00".
std::string formatLocal(core::TimeNs t, const std::string& time_zone);

}  // namespace sluice::schedule
