#pragma once
// How a Task state's Resource is carried out. The runtime maps resources to sluice
// functions and integrations; tests supply canned runners.
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sluice::flow {

struct TaskRequest {
  std::string execution_id;  // $$.Execution.Id
  std::string state_name;
  std::string resource;
  nlohmann::json parameters;   // the effective input after InputPath and Parameters
  std::string task_token;      // set for .waitForTaskToken resources
  double timeout_seconds = 0;  // 0: none
  double heartbeat_seconds = 0;
};

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  // Returns the task's result; fails with Error(errorType, cause) so Retry and Catch
  // can match the error's name.
  virtual nlohmann::json run(const TaskRequest& request) = 0;
};

// Pauses for Wait states and Retry intervals; tests use one that does not sleep.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep(double seconds) = 0;
};

class RealSleeper : public Sleeper {
 public:
  void sleep(double seconds) override;
};

// Records what it was asked to sleep, without sleeping (safe from several threads).
class RecordingSleeper : public Sleeper {
 public:
  void sleep(double seconds) override {
    std::lock_guard lock(mu_);
    slept.push_back(seconds);
  }
  std::vector<double> slept;

 private:
  std::mutex mu_;
};

}  // namespace sluice::flow
