#pragma once
// TriggerStore on the SQLite state database (shares the connection and its lock).
#include <condition_variable>
#include <mutex>
#include <thread>

#include "state/group_commit.h"
#include "state/sqlite_db.h"
#include "state/trigger_store.h"

namespace sluice::state {

class SqliteTriggerStore : public TriggerStore {
 public:
  SqliteTriggerStore(SqliteDb& db, std::mutex& mu);
  ~SqliteTriggerStore() override;  // commits the confirmations still queued
  void replaceRules(const std::vector<TriggerRule>& rules) override;
  std::vector<TriggerRule> rules() override;
  bool enqueue(const Delivery& delivery) override;
  void confirm(const std::string& bucket, const std::string& key,
               const std::string& sequencer) override;
  void confirmWith(const Delivery& delivery) override;
  void discardUnconfirmed(const std::string& bucket, const std::string& key,
                          const std::string& sequencer) override;
  std::vector<Delivery> claimDue(core::TimeNs now, int limit, core::TimeNs lease_until) override;
  void markDone(const std::vector<int64_t>& ids) override;
  void markFailed(int64_t id, const std::string& error, core::TimeNs next_attempt,
                  bool final) override;
  void markAbandoned(int64_t id, const std::string& reason) override;
  std::vector<Delivery> deliveries(const std::string& status, int limit) override;
  std::map<std::string, int64_t> countByStatus() override;

 private:
  std::vector<bool> insert(const std::vector<Delivery>& deliveries);
  // Commits the queued confirmations (without an fsync: losing them costs only a look at
  // the object). The caller holds mu_, outside a transaction.
  void applyConfirmations();
  void runFlusher();

  SqliteDb& db_;
  std::mutex& mu_;
  // Deliveries recorded by concurrent writes share a transaction (a burst of uploads
  // would otherwise wait for one fsync each, one after another).
  GroupCommit<Delivery, bool> enqueued_;
  // Confirmations come one per write too. A writer only queues its own: a background
  // thread commits them in batches, and every call that reads the queue applies the
  // rest first (lock order: mu_, then queue_mu_).
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Delivery> confirmations_;  // an empty rule: every rule's delivery
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace sluice::state
