#include "core/clock.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/error.h"

namespace sluice::core {

TimeNs SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

std::string formatIso8601Ms(TimeNs t) {
  int64_t ms = t / 1'000'000;
  if (t < 0 && t % 1'000'000 != 0) ms -= 1;
  time_t secs = static_cast<time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];  // room for any int the compiler can imagine, so no truncation warning
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string formatUtc(TimeNs t, const std::string& format) {
  time_t secs = static_cast<time_t>(t / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[256];
  size_t n = std::strftime(buf, sizeof buf, format.c_str(), &tm);
  return std::string(buf, n);
}

std::optional<TimeNs> parseUtc(const std::string& text, const std::string& format) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), format.c_str(), &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<TimeNs>(::timegm(&tm)) * 1'000'000'000;
}

TimeNs parseIso8601(const std::string& text) {
  int y, mo, d, h, mi, s, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) !=
          6 ||
      consumed != 19)
    throw Error(errc::kInvalidArgument, "not an ISO-8601 timestamp: '" + text + "'");
  size_t i = 19;
  int64_t frac_ns = 0;
  if (i < text.size() && text[i] == '.') {
    int64_t scale = 100'000'000;
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      frac_ns += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset_s = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int oh, om;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2)
      throw Error(errc::kInvalidArgument, "bad time zone offset in '" + text + "'");
    offset_s = (oh * 3600 + om * 60) * (text[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    throw Error(errc::kInvalidArgument, "timestamp without time zone: '" + text + "'");
  }
  if (i != text.size()) throw Error(errc::kInvalidArgument, "trailing text in '" + text + "'");
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = timegm(&tm) - offset_s;
  return secs * 1'000'000'000 + frac_ns;
}

TimeNs fromTimespec(const timespec& t) {
  return static_cast<TimeNs>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

timespec toTimespec(TimeNs t) {
  return {static_cast<time_t>(t / 1'000'000'000), static_cast<long>(t % 1'000'000'000)};
}

TimeNs parseSince(const std::string& text, TimeNs now) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) && text.size() < 12) {
    size_t used = 0;
    const int64_t n = std::stoll(text, &used);
    const std::string unit = text.substr(used);
    const int64_t s = unit == "s"   ? 1
                      : unit == "m" ? 60
                      : unit == "h" ? 3600
                      : unit == "d" ? 86400
                                    : 0;
    if (s > 0) return now - n * s * 1'000'000'000;
  }
  try {
    return parseIso8601(text);
  } catch (const Error&) {
    throw Error(errc::kInvalidArgument, "since '" + text +
                                            "': give a duration such as 10m, 2h, 1d or an "
                                            "ISO-8601 time");
  }
}

}  // namespace sluice::core
