#pragma once
// Under `sluice up`: takes over the RUNNING executions whose process died (a crash of
// `sluice up` itself before this start, or of a `sluice start` meanwhile) and runs each
// to its end from its last checkpoint, at start and then every few seconds.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sluice::workflows {
class WorkflowService;
}

namespace sluice::runtime {

class ExecutionResumer {
 public:
  // `resumed` is told of each execution taken over (for the log).
  ExecutionResumer(workflows::WorkflowService& workflows,
                   std::function<void(const std::string&)> resumed, int interval_ms = 5000);
  ~ExecutionResumer();
  ExecutionResumer(const ExecutionResumer&) = delete;
  ExecutionResumer& operator=(const ExecutionResumer&) = delete;

  // Stops looking for more; executions already taken over run on to their end.
  void stop();

 private:
  void loop();

  workflows::WorkflowService& workflows_;
  std::function<void(const std::string&)> resumed_;
  const int interval_ms_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::runtime
