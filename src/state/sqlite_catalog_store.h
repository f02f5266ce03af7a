#pragma once
// CatalogStore on the SQLite state database; shares the connection and its lock with the
// other SQLite stores (SqliteStateStore composes them).
#include <mutex>

#include "state/catalog_store.h"
#include "state/sqlite_db.h"

namespace sluice::state {

class SqliteCatalogStore : public CatalogStore {
 public:
  SqliteCatalogStore(SqliteDb& db, std::mutex& mu, const core::Clock& clock)
      : db_(db), mu_(mu), clock_(clock) {}
  void putTable(const CatalogTable& table) override;
  std::optional<CatalogTable> getTable(const std::string& database,
                                       const std::string& name) override;
  std::vector<CatalogTable> listTables(const std::string& database) override;
  bool dropTable(const std::string& database, const std::string& name) override;

 private:
  SqliteDb& db_;
  std::mutex& mu_;
  const core::Clock& clock_;
};

}  // namespace sluice::state
