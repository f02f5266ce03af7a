#pragma once
// Keeps an execution's progress in the store. Events of states with no effect outside
// the engine (Pass, Choice, Succeed, Map bookkeeping) are batched; the batch is
// committed, with the latest checkpoint, in one transaction before any state with an
// outside effect starts (a Task is scheduled or a Wait begins), at least every 100 ms,
// and together with the execution's end. A crash can so lose only steps nobody outside
// could observe, and the resume re-runs them from the last committed checkpoint.
//
// A deferred start (`create`) writes the execution's record with the first commit. If
// that finds the name taken (started meanwhile by another process or thread), the
// progress is `lost`: nothing more is written, and a state with an outside effect fails
// with States.Runtime before the effect, so the run ends without having touched anything.
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "flow/history.h"
#include "state/execution_store.h"

namespace sluice::workflows {

class DurableProgress : public flow::HistorySink {
 public:
  // `create`, when given, must outlive this object.
  DurableProgress(state::ExecutionStore& store, std::string id, const core::Clock& clock,
                  int64_t next_event_id, const state::ExecutionRecord* create);

  // Map iterations and Parallel branches may append from several threads.
  void append(flow::HistoryEvent& e) override;
  void checkpoint(const nlohmann::json& cp);
  // Commits what is pending, ending the execution with `finish` when given. Returns false
  // when `finish` found the execution no longer running (or the progress was lost).
  bool commit(const state::ExecutionRecord* finish);
  bool lost();

 private:
  bool commitLocked(const state::ExecutionRecord* finish);

  static constexpr core::TimeNs kMaxBatchAge = 100'000'000;
  std::mutex mu_;
  state::ExecutionStore& store_;
  std::string id_;
  const core::Clock& clock_;
  const state::ExecutionRecord* create_;  // until the first commit has written it
  bool lost_ = false;
  int64_t next_id_;
  core::TimeNs last_commit_;
  std::vector<state::StoredEvent> pending_;
  nlohmann::json checkpoint_;
};

}  // namespace sluice::workflows
