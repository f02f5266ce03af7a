#include "runtime/alarms.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "state/invocation_store.h"

namespace sluice::runtime {

namespace {

bool breaches(double value, const std::string& comparison, double threshold) {
  if (comparison == ">=") return value >= threshold;
  if (comparison == ">") return value > threshold;
  if (comparison == "<=") return value <= threshold;
  return value < threshold;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

AlarmEvaluator::AlarmEvaluator(std::vector<project::AlarmDecl> alarms,
                               state::InvocationStore& invocations, Topics& topics,
                               const core::Clock& clock)
    : alarms_(std::move(alarms)), invocations_(invocations), topics_(topics), clock_(clock) {}

AlarmEvaluator::~AlarmEvaluator() { stop(); }

std::optional<double> AlarmEvaluator::value(const project::AlarmDecl& a) {
  const core::TimeNs since =
      clock_.now() - static_cast<core::TimeNs>(a.window_seconds * 1'000'000'000);
  int64_t count = 0, errors = 0, throttles = 0;
  std::vector<double> seconds;
  for (const auto& r : invocations_.recent(a.function, 10000)) {
    if (r.start < since) break;  // newest first
    ++count;
    if (r.status == "Failed") ++errors;
    if (r.error_type == "TooManyRequestsException") ++throttles;
    if (r.status != "Running") seconds.push_back(static_cast<double>(r.duration_ns) / 1e9);
  }
  if (a.metric == "invocations") return static_cast<double>(count);
  if (a.metric == "errors") return static_cast<double>(errors);
  if (a.metric == "throttles") return static_cast<double>(throttles);
  if (seconds.empty()) return std::nullopt;
  std::sort(seconds.begin(), seconds.end());
  if (a.statistic == "max") return seconds.back();
  if (a.statistic == "p99") return seconds[std::min(seconds.size() - 1, seconds.size() * 99 / 100)];
  double sum = 0;
  for (double s : seconds) sum += s;
  return sum / static_cast<double>(seconds.size());
}

int AlarmEvaluator::tick() {
  int changed = 0;
  for (const auto& a : alarms_) {
    const auto v = value(a);
    const std::string next = v && breaches(*v, a.comparison, a.threshold) ? "ALARM" : "OK";
    const std::string previous = invocations_.alarmState(a.name);
    if (next == previous) continue;
    // Claimed before it is announced, so of several processes only one announces it.
    if (!invocations_.changeAlarmState(a.name, previous, next, clock_.now())) continue;
    const std::string reason =
        "Threshold Crossed: " + a.metric + " " + a.statistic + " of " + a.function + " over " +
        number(a.window_seconds) + " s was " + (v ? number(*v) : "no data") + " (" + a.comparison +
        " " + number(a.threshold) + (next == "ALARM" ? " holds)" : " no longer holds)");
    const nlohmann::json message = {
        {"AlarmName", a.name},
        {"NewStateValue", next},
        {"OldStateValue", previous},
        {"NewStateReason", reason},
        {"StateChangeTime", core::formatIso8601Ms(clock_.now())},
        {"Trigger",
         {{"MetricName", a.metric},
          {"Dimensions", {{{"name", "FunctionName"}, {"value", a.function}}}},
          {"Statistic", a.statistic},
          {"Period", a.window_seconds},
          {"ComparisonOperator", a.comparison},
          {"Threshold", a.threshold}}}};
    try {
      topics_.publish(a.topic, next + ": \"" + a.name + "\"", message.dump(2));
    } catch (const Error&) {
      // Not delivered: given back, so the change is announced again at the next tick.
      invocations_.changeAlarmState(a.name, next, previous, clock_.now());
      continue;
    }
    ++changed;
  }
  return changed;
}

std::string AlarmEvaluator::stateOf(const std::string& alarm) const {
  return invocations_.alarmState(alarm);
}

void AlarmEvaluator::start() {
  if (alarms_.empty()) return;
  stopping_ = false;
  loop_ = std::thread([this] {
    while (!stopping_) {
      tick();
      for (int i = 0; i < 200 && !stopping_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

void AlarmEvaluator::stop() {
  stopping_ = true;
  if (loop_.joinable()) loop_.join();
}

}  // namespace sluice::runtime
