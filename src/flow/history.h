#pragma once
// Execution history in Step Functions' shape: numbered events (ExecutionStarted,
// PassStateEntered, TaskScheduled, MapIterationSucceeded, …) each pointing at the event
// before it. The interpreter appends to a HistorySink; the durable executor's sink
// writes each event to the state store before the next step runs.
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"

namespace sluice::flow {

struct HistoryEvent {
  int64_t id = 0;
  int64_t previous_id = 0;
  core::TimeNs timestamp = 0;
  std::string type;
  nlohmann::json details;  // the event type's *EventDetails fields
};

class HistorySink {
 public:
  virtual ~HistorySink() = default;
  // Numbers the event (id, previous_id) and keeps it; it may take the type and details
  // (the caller reads back only the ids).
  virtual void append(HistoryEvent& event) = 0;
};

class MemoryHistory : public HistorySink {
 public:
  void append(HistoryEvent& event) override {
    std::lock_guard lock(mu_);
    event.id = static_cast<int64_t>(events_.size()) + 1;
    event.previous_id = event.id - 1;
    events_.push_back(event);
  }
  std::vector<HistoryEvent> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> types() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : events_) out.push_back(e.type);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<HistoryEvent> events_;
};

}  // namespace sluice::flow
