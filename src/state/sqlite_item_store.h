#pragma once
// ItemStore on the SQLite state database; shares the connection and its lock with the
// other SQLite stores (SqliteStateStore composes them).
#include <mutex>

#include "core/clock.h"
#include "state/item_store.h"
#include "state/sqlite_db.h"

namespace sluice::state {

class SqliteItemStore : public ItemStore {
 public:
  SqliteItemStore(SqliteDb& db, std::mutex& mu, const core::Clock& clock)
      : db_(db), mu_(mu), clock_(clock) {}
  void createTable(const TableSchema& schema) override;
  void deleteTable(const std::string& table) override;
  std::optional<TableSchema> describeTable(const std::string& table) override;
  std::vector<TableSchema> listTables() override;
  void put(const std::string& table, const nlohmann::json& item) override;
  std::optional<nlohmann::json> get(const std::string& table, const nlohmann::json& key) override;
  bool remove(const std::string& table, const nlohmann::json& key) override;
  std::vector<nlohmann::json> query(const ItemQuery& query) override;

 private:
  TableSchema requireTable(const std::string& table);
  template <typename Fn>
  auto withItemKey(const std::string& table, const nlohmann::json& key_json, const char* sql,
                   Fn fn);
  SqliteDb& db_;
  std::mutex& mu_;
  const core::Clock& clock_;
};

}  // namespace sluice::state
