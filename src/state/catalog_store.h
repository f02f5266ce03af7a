#pragma once
// The table catalog (Glue's role): named tables over lake prefixes, with their format,
// columns and partition columns, so SQL can name them (processed.fact_sales_order).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace sluice::state {

struct CatalogColumn {
  std::string name;
  std::string type;  // DuckDB type name
  bool operator==(const CatalogColumn&) const = default;
};

struct CatalogTable {
  std::string database;  // e.g. "processed"
  std::string name;      // e.g. "fact_sales_order"
  std::string location;  // lake://BUCKET/PREFIX/
  std::string format;    // parquet, csv, jsonl, json
  std::vector<CatalogColumn> columns;
  std::vector<std::string> partition_keys;  // Hive-style key=value folders, outermost first
  nlohmann::json options = nlohmann::json::object();  // reader options, e.g. {"csv": {…}}
  std::string origin = "declared";                    // "declared" or "crawled"
  core::TimeNs updated = 0;

  std::string qualifiedName() const { return database + "." + name; }
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  virtual void putTable(const CatalogTable& table) = 0;  // insert or replace
  virtual std::optional<CatalogTable> getTable(const std::string& database,
                                               const std::string& name) = 0;
  virtual std::vector<CatalogTable> listTables(const std::string& database) = 0;  // "" for all
  virtual bool dropTable(const std::string& database, const std::string& name) = 0;
};

// Database and table names are SQL identifiers: letters, digits and '_', not starting
// with a digit. Throws Error(ValidationException).
void validateCatalogName(const std::string& name, const char* what);

}  // namespace sluice::state
