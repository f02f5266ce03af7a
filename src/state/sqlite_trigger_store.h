#pragma once
// TriggerStore on the SQLite state database (shares the connection and its lock).
#include <mutex>

#include "state/group_commit.h"
#include "state/sqlite_db.h"
#include "state/trigger_store.h"

namespace sluice::state {

class SqliteTriggerStore : public TriggerStore {
 public:
  SqliteTriggerStore(SqliteDb& db, std::mutex& mu);
  void replaceRules(const std::vector<TriggerRule>& rules) override;
  std::vector<TriggerRule> rules() override;
  bool enqueue(const Delivery& delivery) override;
  bool confirm(const Delivery& delivery) override;
  void discardUnconfirmed(const Delivery& delivery) override;
  std::vector<Delivery> claimDue(core::TimeNs now, int limit, core::TimeNs lease_until) override;
  void markDone(const std::vector<int64_t>& ids) override;
  void markFailed(int64_t id, const std::string& error, core::TimeNs next_attempt,
                  bool final) override;
  void markAbandoned(int64_t id, const std::string& reason) override;
  std::vector<Delivery> deliveries(const std::string& status, int limit) override;
  std::map<std::string, int64_t> countByStatus() override;

 private:
  std::vector<bool> insert(const std::vector<Delivery>& deliveries);
  std::vector<bool> update(const std::vector<Delivery>& confirmations);

  SqliteDb& db_;
  std::mutex& mu_;
  // Deliveries recorded by concurrent writes share a transaction (a burst of uploads
  // would otherwise wait for one fsync each, one after another).
  GroupCommit<Delivery, bool> enqueued_;
  // Confirmations come one per write too; they are batched alike, without an fsync.
  GroupCommit<Delivery, bool> confirmed_;
};

}  // namespace sluice::state
