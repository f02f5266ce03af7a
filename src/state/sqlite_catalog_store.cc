#include "state/sqlite_catalog_store.h"

#include "core/error.h"

namespace sluice::state {

using nlohmann::json;

namespace {
json tableToJson(const CatalogTable& t) {
  json cols = json::array();
  for (const auto& c : t.columns) cols.push_back({{"name", c.name}, {"type", c.type}});
  return {{"location", t.location}, {"format", t.format},
          {"columns", cols},        {"partition_keys", t.partition_keys},
          {"options", t.options},   {"origin", t.origin}};
}

CatalogTable tableFromRow(SqliteStatement& st) {
  json d = json::parse(st.text(2));
  CatalogTable t;
  t.database = st.text(0);
  t.name = st.text(1);
  t.location = d.value("location", "");
  t.format = d.value("format", "");
  for (const auto& c : d.value("columns", json::array()))
    t.columns.push_back({c["name"], c["type"]});
  t.partition_keys = d.value("partition_keys", std::vector<std::string>{});
  t.options = d.value("options", json::object());
  t.origin = d.value("origin", "declared");
  t.updated = st.int64(3);
  return t;
}
}  // namespace

void SqliteCatalogStore::putTable(const CatalogTable& t) {
  validateCatalogName(t.database, "database name");
  validateCatalogName(t.name, "table name");
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT OR REPLACE INTO catalog_tables(database_name, table_name, definition, updated_ns) "
      "VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, t.database)
      .bind(2, t.name)
      .bind(3, tableToJson(t).dump())
      .bind(4, static_cast<int64_t>(clock_.now()))
      .run();
}

std::optional<CatalogTable> SqliteCatalogStore::getTable(const std::string& database,
                                                         const std::string& name) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT database_name, table_name, definition, updated_ns FROM catalog_tables "
      "WHERE database_name = ?1 AND table_name = ?2");
  if (!st.bind(1, database).bind(2, name).step()) return std::nullopt;
  return tableFromRow(st);
}

std::vector<CatalogTable> SqliteCatalogStore::listTables(const std::string& database) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      std::string("SELECT database_name, table_name, definition, updated_ns FROM catalog_tables ") +
      (database.empty() ? "" : "WHERE database_name = ?1 ") + "ORDER BY database_name, table_name");
  if (!database.empty()) st.bind(1, database);
  std::vector<CatalogTable> out;
  while (st.step()) out.push_back(tableFromRow(st));
  return out;
}

bool SqliteCatalogStore::dropTable(const std::string& database, const std::string& name) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM catalog_tables WHERE database_name = ?1 AND table_name = ?2");
  st.bind(1, database).bind(2, name).run();
  return db_.changes() > 0;
}

}  // namespace sluice::state
