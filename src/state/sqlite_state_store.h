#pragma once
// The embedded state store: one SQLite file (WAL mode) holding every concern of
// StateStore. Schema changes are numbered migrations kept in code and applied on open.
#include <memory>
#include <mutex>
#include <string>

#include "state/secret_box.h"
#include "state/sqlite_db.h"
#include "state/sqlite_execution_store.h"
#include "state/state_store.h"

namespace sluice::state {

class SqliteStateStore : public StateStore,
                         private ParameterStore,
                         private ItemStore,
                         private InvocationStore,
                         private CatalogStore {
 public:
  SqliteStateStore(const std::string& path, SecretBox secrets,
                   const core::Clock& clock = core::SystemClock::instance());

  ParameterStore& parameters() override { return *this; }
  ItemStore& items() override { return *this; }
  InvocationStore& invocations() override { return *this; }
  CatalogStore& catalog() override { return *this; }
  ExecutionStore& executions() override { return executions_; }
  int schemaVersion() override;

 private:
  void migrate();

  // ParameterStore
  int64_t put(const PutParameterRequest& request) override;
  Parameter get(const std::string& selector) override;
  std::vector<Parameter> listByPath(const std::string& path, bool recursive) override;
  std::vector<Parameter> history(const std::string& name) override;
  void remove(const std::string& name) override;
  Parameter readParameter(SqliteStatement& row);

  // ItemStore
  void createTable(const TableSchema& schema) override;
  void deleteTable(const std::string& table) override;
  std::optional<TableSchema> describeTable(const std::string& table) override;
  std::vector<TableSchema> listTables() override;
  void put(const std::string& table, const nlohmann::json& item) override;
  std::optional<nlohmann::json> get(const std::string& table, const nlohmann::json& key) override;
  bool remove(const std::string& table, const nlohmann::json& key) override;
  std::vector<nlohmann::json> query(const ItemQuery& query) override;
  TableSchema requireTable(const std::string& table);
  template <typename Fn>
  auto withItemKey(const std::string& table, const nlohmann::json& key_json, const char* sql, Fn fn);

  // InvocationStore
  void begin(const InvocationRecord& record) override;
  void finish(const InvocationRecord& record) override;
  void appendLog(const std::string& request_id, const InvocationLogLine& line) override;
  std::optional<InvocationRecord> find(const std::string& request_id) override;
  std::vector<InvocationRecord> recent(const std::string& function, int limit) override;
  std::vector<InvocationLogLine> logs(const std::string& request_id) override;

  // CatalogStore
  void putTable(const CatalogTable& table) override;
  std::optional<CatalogTable> getTable(const std::string& database, const std::string& name) override;
  std::vector<CatalogTable> listTables(const std::string& database) override;
  bool dropTable(const std::string& database, const std::string& name) override;

  std::mutex mu_;  // one connection, used by one thread at a time
  SqliteDb db_;
  SecretBox secrets_;
  const core::Clock& clock_;
  SqliteExecutionStore executions_;
};

}  // namespace sluice::state
