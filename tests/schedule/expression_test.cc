// Schedule expressions against firings worked out by hand from a calendar
// (22 November 2026 is a Sunday).
#include "schedule/expression.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace sluice::schedule {
namespace {

core::TimeNs at(const std::string& iso) { return core::parseIso8601(iso); }
std::string iso(std::optional<core::TimeNs> t) {
  return t ? core::formatUtc(*t, "%Y-%m-%dT%H:%M:%SZ") : "none";
}
std::string nextOf(const std::string& expr, const std::string& after,
                   const std::string& zone = "UTC") {
  return iso(ScheduleExpression::parse(expr).next(at(after), zone));
}
std::string faultOf(const std::string& expr) {
  try {
    ScheduleExpression::parse(expr);
    return "accepted";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(ScheduleExpression, EventBridgeCronBasics) {
  EXPECT_EQ(nextOf("cron(0 10 * * ? *)", "2026-11-22T09:59:59Z"), "2026-11-22T10:00:00Z");
  EXPECT_EQ(nextOf("cron(0 10 * * ? *)", "2026-11-22T10:00:00Z"), "2026-11-23T10:00:00Z");
  EXPECT_EQ(nextOf("cron(0/15 * * * ? *)", "2026-11-22T10:07:00Z"), "2026-11-22T10:15:00Z");
  EXPECT_EQ(nextOf("cron(5,35 8-9 ? * MON-FRI *)", "2026-11-22T12:00:00Z"), "2026-11-23T08:05:00Z");
  EXPECT_EQ(nextOf("cron(0 0 1 JAN,JUL ? *)", "2026-11-22T00:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(nextOf("cron(0 0 29 2 ? 2027-2030)", "2026-11-22T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(nextOf("cron(0 0 1 1 ? 2025)", "2026-11-22T00:00:00Z"), "none");
}

TEST(ScheduleExpression, EventBridgeSpecialDays) {
  EXPECT_EQ(nextOf("cron(0 12 L * ? *)", "2026-11-22T00:00:00Z"), "2026-11-30T12:00:00Z");
  EXPECT_EQ(nextOf("cron(15 10 ? * 6L *)", "2026-11-22T00:00:00Z"), "2026-11-27T10:15:00Z");
  // 31 January 2027 is a Sunday: the last weekday is Friday the 29th.
  EXPECT_EQ(nextOf("cron(0 9 LW * ? *)", "2026-12-31T10:00:00Z"), "2027-01-29T09:00:00Z");
  // 15 November 2026 is a Sunday: the nearest weekday is Monday the 16th.
  EXPECT_EQ(nextOf("cron(0 9 15W * ? *)", "2026-11-01T00:00:00Z"), "2026-11-16T09:00:00Z");
  // 1 August 2026 is a Saturday: 1W stays in August, on Monday the 3rd.
  EXPECT_EQ(nextOf("cron(0 9 1W * ? *)", "2026-07-31T00:00:00Z"), "2026-08-03T09:00:00Z");
  // 1 December 2026 is a Tuesday: the second Tuesday is the 8th.
  EXPECT_EQ(nextOf("cron(0 8 ? * 3#2 *)", "2026-11-22T00:00:00Z"), "2026-12-08T08:00:00Z");
  EXPECT_EQ(nextOf("cron(0 8 ? * L *)", "2026-11-22T00:00:00Z"), "2026-11-28T08:00:00Z");
}

TEST(ScheduleExpression, UnixCron) {
  EXPECT_EQ(nextOf("*/15 * * * *", "2026-11-22T10:07:00Z"), "2026-11-22T10:15:00Z");
  EXPECT_EQ(nextOf("0 1 * * *", "2026-11-22T01:00:00Z"), "2026-11-23T01:00:00Z");
  EXPECT_EQ(nextOf("0 0 * * 0", "2026-11-22T00:00:00Z"), "2026-11-29T00:00:00Z");
  EXPECT_EQ(nextOf("0 0 * * 7", "2026-11-22T00:00:00Z"), "2026-11-29T00:00:00Z");
  EXPECT_EQ(nextOf("0 0 * * sat", "2026-11-22T00:00:00Z"), "2026-11-28T00:00:00Z");
  // Both day fields restricted: either matches (the 13th or a Friday).
  EXPECT_EQ(nextOf("0 0 13 * 5", "2026-11-22T00:00:00Z"), "2026-11-27T00:00:00Z");
  EXPECT_EQ(nextOf("0 0 13 * 5", "2026-11-27T00:00:00Z"), "2026-12-04T00:00:00Z");
}

TEST(ScheduleExpression, RatesCountFromTheirAnchor) {
  auto rate = ScheduleExpression::parse("rate(10 minutes)");
  const core::TimeNs anchor = at("2026-11-22T10:03:00Z");
  EXPECT_EQ(iso(rate.next(at("2026-11-22T10:03:00Z"), "UTC", anchor)), "2026-11-22T10:13:00Z");
  EXPECT_EQ(iso(rate.next(at("2026-11-22T10:20:00Z"), "UTC", anchor)), "2026-11-22T10:23:00Z");
  EXPECT_EQ(ScheduleExpression::parse("rate(1 day)").rateSeconds(), 86400);
  EXPECT_EQ(ScheduleExpression::parse("rate(2 hours)").rateSeconds(), 7200);
}

TEST(ScheduleExpression, DaylightSavingFollowsEventBridgeScheduler) {
  // London springs forward at 01:00 GMT on 29 March 2026: 01:30 does not exist that day
  // and is skipped.
  EXPECT_EQ(nextOf("cron(30 1 * * ? *)", "2026-03-28T02:00:00Z", "Europe/London"),
            "2026-03-30T00:30:00Z");
  // It falls back at 02:00 BST on 25 October 2026: 01:30 happens twice and fires once.
  EXPECT_EQ(nextOf("cron(30 1 * * ? *)", "2026-10-25T00:00:00Z", "Europe/London"),
            "2026-10-25T00:30:00Z");
  EXPECT_EQ(nextOf("cron(30 1 * * ? *)", "2026-10-25T00:30:00Z", "Europe/London"),
            "2026-10-26T01:30:00Z");
  // A daily 09:00 in New York keeps its wall-clock time across the change.
  auto nine = ScheduleExpression::parse("0 9 * * *");
  auto before = nine.next(at("2026-10-31T14:00:00Z"), "America/New_York");
  auto after = nine.next(*before, "America/New_York");
  EXPECT_EQ(formatLocal(*before, "America/New_York"), "2026-11-01T09:00:00-05:00");
  EXPECT_EQ(formatLocal(*after, "America/New_York"), "2026-11-02T09:00:00-05:00");
  EXPECT_EQ(
      formatLocal(*nine.next(at("2026-10-30T14:00:00Z"), "America/New_York"), "America/New_York"),
      "2026-10-31T09:00:00-04:00");
}

TEST(ScheduleExpression, FaultsNameTheirPosition) {
  EXPECT_EQ(faultOf("cron(0 25 * * ? *)"),
            "invalid schedule expression 'cron(0 25 * * ? *)' at position 8: hour 25 is out of "
            "range 0-23");
  EXPECT_EQ(faultOf("cron(0 10 * * * *)"),
            "invalid schedule expression 'cron(0 10 * * * *)' at position 15: exactly one of "
            "day-of-month and day-of-week must be '?'");
  EXPECT_EQ(faultOf("cron(0 10 * * ?)"),
            "invalid schedule expression 'cron(0 10 * * ?)' at position 6: cron() takes six "
            "fields: minute hour day-of-month month day-of-week year");
  EXPECT_EQ(faultOf("rate(0 minutes)"),
            "invalid schedule expression 'rate(0 minutes)' at position 6: the rate must be a "
            "positive whole number");
  EXPECT_EQ(faultOf("rate(1 minutes)"),
            "invalid schedule expression 'rate(1 minutes)' at position 8: the unit must be "
            "minute, hour or day");
  EXPECT_EQ(faultOf("0 0 * FOO *"),
            "invalid schedule expression '0 0 * FOO *' at position 7: 'FOO' is not a valid month");
  EXPECT_EQ(faultOf("5-1 * * * *"),
            "invalid schedule expression '5-1 * * * *' at position 1: the range '5-1' runs "
            "backwards");
  EXPECT_EQ(faultOf("cron(0 8 ? * 3#9 *)"),
            "invalid schedule expression 'cron(0 8 ? * 3#9 *)' at position 16: the week after '#' "
            "must be 1 to 5");
  EXPECT_NE(faultOf("daily").find("expected cron(…), rate(…)"), std::string::npos);
  EXPECT_THROW(validateTimeZone("Mars/Olympus"), Error);
}

}  // namespace
}  // namespace sluice::schedule
