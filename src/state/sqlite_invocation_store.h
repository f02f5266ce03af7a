#pragma once
// InvocationStore on the SQLite state database; shares the connection and its lock with the
// other SQLite stores (SqliteStateStore composes them).
#include <mutex>

#include "state/invocation_store.h"
#include "state/sqlite_db.h"

namespace sluice::state {

class SqliteInvocationStore : public InvocationStore {
 public:
  SqliteInvocationStore(SqliteDb& db, std::mutex& mu, const core::Clock& clock)
      : db_(db), mu_(mu), clock_(clock) {}
  void begin(const InvocationRecord& record) override;
  void finish(const InvocationRecord& record) override;
  void appendLog(const std::string& request_id, const InvocationLogLine& line) override;
  std::optional<InvocationRecord> find(const std::string& request_id) override;
  std::vector<InvocationRecord> recent(const std::string& function, int limit) override;
  std::vector<InvocationLogLine> logs(const std::string& request_id) override;
  std::vector<FunctionSummary> summaries(int window) override;
  std::string alarmState(const std::string& alarm) override;
  bool changeAlarmState(const std::string& alarm, const std::string& previous,
                        const std::string& next, core::TimeNs at) override;

 private:
  SqliteDb& db_;
  std::mutex& mu_;
  const core::Clock& clock_;
};

}  // namespace sluice::state
