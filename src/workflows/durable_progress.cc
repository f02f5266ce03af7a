#include "workflows/durable_progress.h"

#include "core/error.h"

namespace sluice::workflows {

DurableProgress::DurableProgress(state::ExecutionStore& store, std::string id,
                                 const core::Clock& clock, int64_t next_event_id,
                                 const state::ExecutionRecord* create)
    : store_(store),
      id_(std::move(id)),
      clock_(clock),
      create_(create),
      next_id_(next_event_id),
      last_commit_(clock.now()) {}

void DurableProgress::append(flow::HistoryEvent& e) {
  std::lock_guard lock(mu_);
  e.id = next_id_++;
  e.previous_id = e.id - 1;
  const bool outside_effect = e.type == "TaskScheduled" || e.type == "LambdaFunctionScheduled" ||
                              e.type == "WaitStateEntered";
  pending_.push_back({e.id, e.previous_id, e.timestamp, std::move(e.type), std::move(e.details)});
  if (outside_effect || e.timestamp - last_commit_ > kMaxBatchAge) commitLocked(nullptr);
  if (lost_ && outside_effect)
    throw Error("States.Runtime", "execution '" + id_ + "' was started elsewhere meanwhile");
}

void DurableProgress::checkpoint(const nlohmann::json& cp) {
  std::lock_guard lock(mu_);
  checkpoint_ = cp;
}

bool DurableProgress::commit(const state::ExecutionRecord* finish) {
  std::lock_guard lock(mu_);
  return commitLocked(finish);
}

bool DurableProgress::lost() {
  std::lock_guard lock(mu_);
  return lost_;
}

bool DurableProgress::commitLocked(const state::ExecutionRecord* finish) {
  if (lost_) return false;
  bool ok = false;
  try {
    ok = store_.commitProgress(id_, pending_, checkpoint_, finish, create_);
  } catch (const Error& e) {
    if (!create_ || e.code() != "ExecutionAlreadyExists") throw;
    lost_ = true;
  }
  create_ = nullptr;
  pending_.clear();
  checkpoint_ = nullptr;
  last_commit_ = clock_.now();
  return ok;
}

}  // namespace sluice::workflows
