#pragma once
// Evaluates the project's alarms: each tick computes the alarm's statistic over the
// invocations of its function that started inside its window, compares it with the
// threshold, and publishes to the alarm's topic when the state changes (OK → ALARM, and
// back), with CloudWatch's alarm message shape. The state is kept in the state store: a
// restart does not announce a change again, and of several processes one announces it.
#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "project/project.h"
#include "runtime/topics.h"

namespace sluice::state {
class InvocationStore;
}

namespace sluice::runtime {

class AlarmEvaluator {
 public:
  AlarmEvaluator(std::vector<project::AlarmDecl> alarms, state::InvocationStore& invocations,
                 Topics& topics, const core::Clock& clock = core::SystemClock::instance());
  ~AlarmEvaluator();

  // Evaluates every alarm now; returns how many changed state.
  int tick();
  std::string stateOf(const std::string& alarm) const;  // "OK" or "ALARM"
  // The alarm's statistic over its window now; nullopt when there is no data.
  std::optional<double> value(const project::AlarmDecl& alarm);

  void start();  // ticks every 10 seconds until stop()
  void stop();

 private:
  std::vector<project::AlarmDecl> alarms_;
  state::InvocationStore& invocations_;
  Topics& topics_;
  const core::Clock& clock_;
  std::atomic<bool> stopping_{false};
  std::thread loop_;
};

}  // namespace sluice::runtime
