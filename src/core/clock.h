#pragma once
// Time behind an interface so tests can move it by hand (schedules, retries, expiry)
// instead of sleeping.
#include <atomic>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace sluice::core {

// Nanoseconds since the Unix epoch, UTC.
using TimeNs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeNs now() const = 0;
};

class SystemClock : public Clock {
 public:
  TimeNs now() const override;
  static const SystemClock& instance();
};

class ManualClock : public Clock {
 public:
  explicit ManualClock(TimeNs start) : now_(start) {}
  TimeNs now() const override { return now_.load(); }
  void set(TimeNs t) { now_.store(t); }
  void advance(TimeNs d) { now_.fetch_add(d); }

 private:
  std::atomic<TimeNs> now_;
};

// "2026-11-22T10:15:17.123Z" (milliseconds, UTC): the form S3 and Step Functions print.
std::string formatIso8601Ms(TimeNs t);
// `t` in UTC through strftime's `format` (e.g. "%Y-%m-%d %H:%M:%S").
std::string formatUtc(TimeNs t, const std::string& format);
// The inverse of formatUtc for formats without fractions (e.g. HTTP dates,
// "%a, %d %b %Y %H:%M:%S GMT"); nullopt when `text` does not match.
std::optional<TimeNs> parseUtc(const std::string& text, const std::string& format);
// A file time (struct stat's st_mtim, utimensat's times) as TimeNs, and back.
TimeNs fromTimespec(const timespec& t);
timespec toTimespec(TimeNs t);
// Accepts "YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)"; throws Error(InvalidArgument).
TimeNs parseIso8601(const std::string& text);
// A "since" as logs take it: "30s", "10m", "2h", "1d" before `now`, or an ISO-8601 time;
// throws Error(InvalidArgument) saying so.
TimeNs parseSince(const std::string& text, TimeNs now);

}  // namespace sluice::core
