#pragma once
// Catalog tables over the lake: discovering them (crawl) and making them queryable by
// name in DuckDB (attach).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "state/catalog_store.h"

namespace sluice::lake {
class ObjectStore;
}

namespace sluice::data {

class Connection;

struct CrawledTable {
  std::string qualified_name;
  std::string status;                // "created", "updated", "unchanged" or "removed"
  std::vector<std::string> changes;  // e.g. "added column x BIGINT", "column y: BIGINT -> VARCHAR"
  int64_t objects = 0;
};

// Finds tables under lake://BUCKET/PREFIX: each folder directly below the prefix is a
// table, Hive-style key=value folders inside become partition columns, the format is
// the files' extension and the columns are what DuckDB infers. Files directly in the
// prefix, and in its key=value folders, are its own table, named after it; at a bucket's root (the bucket is the
// database) each file is a table named after it (curated/orders.parquet: curated.orders).
// Records them in `catalog` under `database` (default: the bucket name), reports what
// changed since the last crawl, and removes the tables an earlier crawl found there
// whose objects are all gone.
std::vector<CrawledTable> crawl(Connection& conn, lake::ObjectStore& store,
                                state::CatalogStore& catalog, const std::string& bucket,
                                const std::string& prefix, std::string database);

// The DuckDB table expression reading a catalog table's objects.
std::string tableReadExpression(const state::CatalogTable& table, lake::ObjectStore& store);

// Creates a schema per database and a view per table on `conn`, so SQL can say
// database.table. Partition filters prune files (DuckDB's hive filter pushdown).
// Returns a warning per table that could not be attached (e.g. no objects yet).
std::vector<std::string> attachCatalog(Connection& conn, state::CatalogStore& catalog,
                                       lake::ObjectStore& store);

}  // namespace sluice::data
