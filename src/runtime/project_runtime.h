#pragma once
// A project brought to life on an Environment: apply() creates what the project file
// declares (buckets, initial parameters, secrets, item tables, workflows, functions,
// object-event rules, schedules, topics) and start() runs the event dispatcher and the
// scheduler in the background. `sluice up PROJECT_DIR` is this plus the S3 API.
#include <memory>
#include <string>

#include "project/project.h"
#include "runtime/alarms.h"
#include "runtime/event_dispatcher.h"
#include "runtime/scheduler.h"
#include "runtime/targets.h"
#include "runtime/topics.h"

namespace sluice::app {
class Environment;
}

namespace sluice::runtime {

// How `command` functions reach the lake over S3 (set when the S3 API is served).
struct S3Access {
  std::string endpoint;
  std::string access_key_id;
  std::string secret_access_key;
  std::string ca_bundle;  // the server's certificate when it serves HTTPS
};

class ProjectRuntime {
 public:
  ProjectRuntime(app::Environment& env, project::Project project,
                 const core::Clock& clock = core::SystemClock::instance());
  ~ProjectRuntime();

  // Idempotent: existing buckets, parameters and tables are kept as they are (parameters
  // are initial values), workflows and rules and schedules are replaced by the file's.
  void apply(const S3Access& s3 = {});
  void start();
  void stop();
  // Where deliveries, firings and function log lines are reported as they happen.
  void setLog(RuntimeLog* log);

  const project::Project& project() const { return project_; }
  EventDispatcher& dispatcher() { return *dispatcher_; }
  Scheduler& scheduler() { return *scheduler_; }
  Topics& topics() { return *topics_; }
  AlarmEvaluator& alarms() { return *alarms_; }

 private:
  void registerFunction(const project::FunctionDecl& f, const S3Access& s3);
  void deadLetter(const std::string& destination, const state::Delivery& delivery);

  app::Environment& env_;
  project::Project project_;
  const core::Clock& clock_;
  std::unique_ptr<Topics> topics_;
  std::unique_ptr<TargetRunner> targets_;
  std::unique_ptr<EventDispatcher> dispatcher_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<AlarmEvaluator> alarms_;
};

}  // namespace sluice::runtime
