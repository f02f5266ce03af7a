#include "runtime/execution_resumer.h"

#include <chrono>

#include "workflows/workflow_service.h"

namespace sluice::runtime {

ExecutionResumer::ExecutionResumer(workflows::WorkflowService& workflows,
                                   std::function<void(const std::string&)> resumed, int interval_ms)
    : workflows_(workflows),
      resumed_(std::move(resumed)),
      interval_ms_(interval_ms),
      thread_([this] { loop(); }) {}

ExecutionResumer::~ExecutionResumer() { stop(); }

void ExecutionResumer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ExecutionResumer::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    try {
      for (const std::string& id : workflows_.claimOrphans()) {
        if (resumed_) resumed_(id);
        // Each on its own thread, as the HTTP API runs the executions it starts: one
        // long execution does not hold back the others.
        std::thread([&workflows = workflows_, id] {
          try {
            workflows.run(id);
          } catch (const std::exception&) {
            // The execution records its own failure; a store error leaves it RUNNING,
            // and it is taken over again once this process is gone.
          }
        }).detach();
      }
    } catch (const std::exception&) {
      // The state store was unreachable this time; the next round tries again.
    }
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
  }
}

}  // namespace sluice::runtime
