#include "schedule/expression.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/error.h"

namespace sluice::schedule {

namespace {

using namespace std::chrono;

constexpr int kFirstYear = 1970;
constexpr int kLastYear = 2199;

[[noreturn]] void fault(const std::string& text, size_t position, const std::string& what) {
  throw Error(errc::kInvalidArgument, "invalid schedule expression '" + text + "' at position " +
                                          std::to_string(position + 1) + ": " + what);
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Field {
  const char* name;
  int min, max;
  std::vector<const char*> names;  // names[i] stands for min + i
};

const Field kMinute{"minute", 0, 59, {}};
const Field kHour{"hour", 0, 23, {}};
const Field kDayOfMonth{"day-of-month", 1, 31, {}};
const Field kMonth{
    "month",
    1,
    12,
    {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}};
const Field kDayOfWeek{"day-of-week", 1, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}};
const Field kUnixDayOfWeek{"day-of-week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}};
const Field kYear{"year", kFirstYear, kLastYear, {}};

// Parses one comma-separated field of the expression at `offset` in `text`.
class FieldParser {
 public:
  FieldParser(const std::string& text, size_t offset, const std::string& value, const Field& field)
      : text_(text), offset_(offset), value_(value), field_(field) {}

  // Calls `set(v)` for every value the field selects; `special(item, at)` gets first look
  // at each item and returns true when it handled it (L, W, #, ?).
  template <typename Set, typename Special>
  void each(Set set, Special special) {
    size_t start = 0;
    while (start <= value_.size()) {
      size_t comma = value_.find(',', start);
      if (comma == std::string::npos) comma = value_.size();
      const std::string item = value_.substr(start, comma - start);
      const size_t at = offset_ + start;
      if (item.empty())
        fault(text_, at, std::string("empty item in the ") + field_.name + " field");
      if (!special(item, at)) parseItem(item, at, set);
      start = comma + 1;
    }
  }

  int number(const std::string& token, size_t at) const {
    const std::string u = upper(token);
    for (size_t i = 0; i < field_.names.size(); ++i)
      if (u == field_.names[i]) return field_.min + static_cast<int>(i);
    if (token.empty() || !std::all_of(token.begin(), token.end(), ::isdigit) || token.size() > 4)
      fault(text_, at, "'" + token + "' is not a valid " + field_.name);
    const int v = std::stoi(token);
    if (v < field_.min || v > field_.max)
      fault(text_, at,
            std::string(field_.name) + " " + token + " is out of range " +
                std::to_string(field_.min) + "-" + std::to_string(field_.max));
    return v;
  }

 private:
  template <typename Set>
  void parseItem(const std::string& item, size_t at, Set set) {
    std::string range = item;
    int step = 1;
    const size_t slash = item.find('/');
    if (slash != std::string::npos) {
      range = item.substr(0, slash);
      const std::string s = item.substr(slash + 1);
      if (s.empty() || !std::all_of(s.begin(), s.end(), ::isdigit) || s.size() > 4 ||
          std::stoi(s) == 0)
        fault(text_, at + slash + 1, "the step after '/' must be a positive number");
      step = std::stoi(s);
    }
    int lo, hi;
    if (range == "*") {
      lo = field_.min;
      hi = field_.max;
    } else {
      const size_t dash = range.find('-');
      lo = number(range.substr(0, dash), at);
      hi = lo;
      if (dash != std::string::npos) {
        hi = number(range.substr(dash + 1), at + dash + 1);
        if (hi < lo) fault(text_, at, "the range '" + range + "' runs backwards");
      } else if (slash != std::string::npos) {
        hi = field_.max;  // "5/15": from 5 every 15
      }
    }
    for (int v = lo; v <= hi; v += step) set(v);
  }

  const std::string& text_;
  size_t offset_;
  std::string value_;
  const Field& field_;
};

struct Token {
  std::string value;
  size_t offset;
};

std::vector<Token> splitFields(const std::string& body, size_t offset) {
  std::vector<Token> fields;
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && body[i] == ' ') ++i;
    if (i >= body.size()) break;
    size_t j = i;
    while (j < body.size() && body[j] != ' ') ++j;
    fields.push_back({body.substr(i, j - i), offset + i});
    i = j;
  }
  return fields;
}

CronFields parseCron(const std::string& text, const std::vector<Token>& f, bool unix_cron) {
  CronFields c;
  c.unix_semantics = unix_cron;
  auto none = [](const std::string&, size_t) { return false; };
  FieldParser(text, f[0].offset, f[0].value, kMinute).each([&](int v) { c.minutes.set(v); }, none);
  FieldParser(text, f[1].offset, f[1].value, kHour).each([&](int v) { c.hours.set(v); }, none);
  FieldParser(text, f[3].offset, f[3].value, kMonth).each([&](int v) { c.months.set(v); }, none);

  const Token& dom = f[2];
  c.any_day_of_month = dom.value == "*" || (!unix_cron && dom.value == "?");
  FieldParser dom_parser(text, dom.offset, dom.value, kDayOfMonth);
  dom_parser.each([&](int v) { c.days_of_month.set(v); },
                  [&](const std::string& item, size_t at) {
                    if (unix_cron) return false;
                    if (item == "?") return true;
                    if (item == "L") return c.last_day_of_month = true;
                    if (item == "LW") return c.last_weekday_of_month = true;
                    if (item.size() > 1 && item.back() == 'W') {
                      c.nearest_weekday.set(dom_parser.number(item.substr(0, item.size() - 1), at));
                      return true;
                    }
                    return false;
                  });

  const Token& dow = f[4];
  c.any_day_of_week = dow.value == "*" || (!unix_cron && dow.value == "?");
  FieldParser dow_parser(text, dow.offset, dow.value, unix_cron ? kUnixDayOfWeek : kDayOfWeek);
  dow_parser.each([&](int v) { c.days_of_week.set(unix_cron ? v % 7 + 1 : v); },
                  [&](const std::string& item, size_t at) {
                    if (unix_cron) return false;
                    if (item == "?") return true;
                    if (item == "L") {  // alone, L is the week's last day
                      c.days_of_week.set(7);
                      return true;
                    }
                    if (item.size() > 1 && item.back() == 'L') {
                      c.last_weekday_in_month =
                          dow_parser.number(item.substr(0, item.size() - 1), at);
                      return true;
                    }
                    const size_t hash = item.find('#');
                    if (hash != std::string::npos) {
                      c.nth_weekday = dow_parser.number(item.substr(0, hash), at);
                      const std::string n = item.substr(hash + 1);
                      if (n.size() != 1 || n[0] < '1' || n[0] > '5')
                        fault(text, at + hash + 1, "the week after '#' must be 1 to 5");
                      c.nth = n[0] - '0';
                      return true;
                    }
                    return false;
                  });

  if (!unix_cron) {
    const bool dom_q = dom.value == "?", dow_q = dow.value == "?";
    if (dom_q == dow_q)
      fault(text, dow_q ? dom.offset : dow.offset,
            "exactly one of day-of-month and day-of-week must be '?'");
    FieldParser(text, f[5].offset, f[5].value, kYear)
        .each([&](int v) { c.years.set(v - kFirstYear); }, none);
  } else {
    c.years.set();
  }
  return c;
}

bool dayMatches(const CronFields& c, date::year_month_day ymd) {
  const int year = static_cast<int>(ymd.year());
  if (year < kFirstYear || year > kLastYear || !c.years.test(year - kFirstYear)) return false;
  if (!c.months.test(static_cast<unsigned>(ymd.month()))) return false;
  const unsigned day = static_cast<unsigned>(ymd.day());
  const date::sys_days days{ymd};
  const unsigned weekday = date::weekday{days}.c_encoding() + 1;  // 1..7 = SUN..SAT
  const unsigned last = static_cast<unsigned>((ymd.year() / ymd.month() / date::last).day());
  auto isWeekday = [](date::sys_days d) {
    const unsigned w = date::weekday{d}.c_encoding();
    return w != 0 && w != 6;
  };

  bool dom = c.days_of_month.test(day) || (c.last_day_of_month && day == last);
  if (c.last_weekday_of_month) {
    unsigned d = last;
    while (!isWeekday(date::sys_days{ymd.year() / ymd.month() / date::day{d}})) --d;
    dom = dom || day == d;
  }
  if (c.nearest_weekday.any() && isWeekday(days)) {
    // The weekday nearest the given day, never leaving the month.
    for (unsigned target = 1; target <= 31; ++target) {
      if (!c.nearest_weekday.test(target) || target > last) continue;
      const date::sys_days t{ymd.year() / ymd.month() / date::day{target}};
      const unsigned w = date::weekday{t}.c_encoding();
      unsigned nearest = target;
      if (w == 6) nearest = target == 1 ? 3 : target - 1;              // Saturday
      if (w == 0) nearest = target == last ? target - 2 : target + 1;  // Sunday
      if (day == nearest) dom = true;
    }
  }
  bool dow = c.days_of_week.test(weekday) ||
             (c.last_weekday_in_month == static_cast<int>(weekday) && day + 7 > last) ||
             (c.nth_weekday == static_cast<int>(weekday) &&
              (day - 1) / 7 + 1 == static_cast<unsigned>(c.nth));
  if (c.unix_semantics) {
    if (c.any_day_of_month && c.any_day_of_week) return true;
    if (c.any_day_of_month) return dow;
    if (c.any_day_of_week) return dom;
    return dom || dow;
  }
  return c.any_day_of_month ? (c.any_day_of_week || dow) : dom;
}

const date::time_zone* zoneOf(const std::string& name) {
  try {
    return date::locate_zone(name.empty() ? "UTC" : name);
  } catch (const std::exception&) {
    throw Error(errc::kInvalidArgument, "unknown time zone '" + name +
                                            "' (use an IANA name such as "
                                            "Europe/London)");
  }
}

}  // namespace

ScheduleExpression ScheduleExpression::parse(const std::string& text) {
  ScheduleExpression e;
  e.text_ = text;
  auto inner = [&](const char* prefix) -> std::optional<std::string> {
    const std::string p = prefix;
    if (text.rfind(p, 0) != 0) return std::nullopt;
    if (text.back() != ')') fault(text, text.size() - 1, "missing ')' at the end");
    return text.substr(p.size(), text.size() - p.size() - 1);
  };
  if (auto body = inner("rate(")) {
    const auto f = splitFields(*body, 5);
    if (f.size() != 2) fault(text, 5, "rate takes a number and a unit, as in rate(5 minutes)");
    if (!std::all_of(f[0].value.begin(), f[0].value.end(), ::isdigit) || f[0].value.size() > 9 ||
        std::stoll(f[0].value) == 0)
      fault(text, f[0].offset, "the rate must be a positive whole number");
    const int64_t n = std::stoll(f[0].value);
    const std::string& unit = f[1].value;
    const bool one = n == 1;
    int64_t seconds = 0;
    if (unit == (one ? "minute" : "minutes")) seconds = 60;
    if (unit == (one ? "hour" : "hours")) seconds = 3600;
    if (unit == (one ? "day" : "days")) seconds = 86400;
    if (seconds == 0)
      fault(text, f[1].offset,
            std::string("the unit must be ") +
                (one ? "minute, hour or day" : "minutes, hours or days"));
    e.rate_seconds_ = n * seconds;
    return e;
  }
  if (auto body = inner("cron(")) {
    const auto f = splitFields(*body, 5);
    if (f.size() != 6)
      fault(text, 5, "cron() takes six fields: minute hour day-of-month month day-of-week year");
    e.cron_ = parseCron(text, f, false);
    return e;
  }
  const auto f = splitFields(text, 0);
  if (f.size() != 5)
    fault(text, 0,
          "expected cron(…), rate(…) or five Unix cron fields: minute hour day-of-month month "
          "day-of-week");
  e.cron_ = parseCron(text, f, true);
  return e;
}

std::optional<core::TimeNs> ScheduleExpression::next(core::TimeNs after,
                                                     const std::string& time_zone,
                                                     core::TimeNs anchor) const {
  if (isRate()) {
    const int64_t period = rate_seconds_ * 1'000'000'000;
    if (after < anchor) return anchor;
    return anchor + ((after - anchor) / period + 1) * period;
  }
  const date::time_zone* zone = zoneOf(time_zone);
  const auto after_s = date::floor<seconds>(date::sys_time<nanoseconds>{nanoseconds{after}});
  const auto local_after = zone->to_local(after_s);
  date::local_days day = date::floor<date::days>(local_after);
  const date::local_days end{date::year{kLastYear + 1} / 1 / 1};
  for (; day < end; day += date::days{1}) {
    const date::year_month_day ymd{day};
    if (!cron_.months.test(static_cast<unsigned>(ymd.month()))) {
      day = date::local_days{(ymd.year() / ymd.month() / date::last)};  // skip the month
      continue;
    }
    if (!dayMatches(cron_, ymd)) continue;
    for (int h = 0; h < 24; ++h) {
      if (!cron_.hours.test(h)) continue;
      for (int m = 0; m < 60; ++m) {
        if (!cron_.minutes.test(m)) continue;
        const auto local = day + hours{h} + minutes{m};
        const date::local_info info = zone->get_info(local);
        if (info.result == date::local_info::nonexistent) continue;  // skipped, as EventBridge
        // Ambiguous times fire once, at the first occurrence (the earlier offset).
        const auto sys = date::sys_seconds{local.time_since_epoch()} - info.first.offset;
        if (sys > after_s) return duration_cast<nanoseconds>(sys.time_since_epoch()).count();
        if (info.result == date::local_info::ambiguous) continue;
      }
    }
  }
  return std::nullopt;
}

void validateTimeZone(const std::string& name) { zoneOf(name); }

std::string formatLocal(core::TimeNs t, const std::string& time_zone) {
  const date::time_zone* zone = zoneOf(time_zone);
  const auto s = date::floor<seconds>(date::sys_time<nanoseconds>{nanoseconds{t}});
  const auto info = zone->get_info(s);
  const auto local = zone->to_local(s);
  std::string out = date::format("%Y-%m-%dT%H:%M:%S", local);
  const int64_t offset_min = info.offset.count() / 60;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", offset_min < 0 ? '-' : '+',
                static_cast<long long>(std::abs(offset_min) / 60),
                static_cast<long long>(std::abs(offset_min) % 60));
  return out + buf;
}

}  // namespace sluice::schedule
