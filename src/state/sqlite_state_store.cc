#include "state/sqlite_state_store.h"

#include "core/error.h"
#include "state/sqlite_schema.h"

namespace sluice::state {

SqliteStateStore::SqliteStateStore(const std::string& path, SecretBox secrets,
                                   const core::Clock& clock)
    : db_(path),
      log_db_(path),
      read_db_(path),
      secrets_(std::move(secrets)),
      clock_(clock),
      parameters_(db_, mu_, clock_, secrets_),
      items_(db_, mu_, clock_),
      invocations_(log_db_, log_mu_, clock_),
      catalog_(db_, mu_, clock_),
      executions_(db_, mu_, read_db_, read_mu_, clock_),
      triggers_(db_, mu_),
      schedules_(db_, mu_) {
  migrate();
  log_db_.exec("PRAGMA synchronous=NORMAL");
}

int SqliteStateStore::schemaVersion() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.int64(0));
}

void SqliteStateStore::migrate() {
  const auto& migrations = sqliteMigrations();
  const int target = static_cast<int>(migrations.size());
  SqliteTransaction tx(db_);  // IMMEDIATE: two processes opening at once migrate once
  int version = 0;
  {
    // Given back before the migrations run: a statement left open would lock the tables
    // a migration drops.
    auto st = db_.prepare("PRAGMA user_version");
    st.step();
    version = static_cast<int>(st.int64(0));
  }
  if (version > target)
    throw Error(errc::kInternal, "state database '" + db_.path() + "' is at schema version " +
                                     std::to_string(version) + ", newer than this sluice (" +
                                     std::to_string(target) + "); upgrade sluice");
  for (; version < target; version++) {
    db_.exec(migrations[version]);
    db_.exec("PRAGMA user_version = " + std::to_string(version + 1));
  }
  tx.commit();
}

}  // namespace sluice::state
