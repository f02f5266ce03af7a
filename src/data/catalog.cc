#include "data/catalog.h"

#include <map>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "lake/object_store.h"

namespace sluice::data {

namespace {

using nlohmann::json;

std::string sanitize(const std::string& raw) {
  std::string out;
  for (char c : raw)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "t_" + out;
  return out;
}

std::string formatOfKey(const std::string& key) {
  auto ends = [&](const std::string& e) {
    return key.size() >= e.size() && key.compare(key.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".parquet")) return "parquet";
  if (ends(".csv")) return "csv";
  if (ends(".jsonl") || ends(".ndjson")) return "jsonl";
  if (ends(".json")) return "json";
  return "";
}

std::string extensionOf(const std::string& format) {
  return format == "jsonl" ? "jsonl" : format;  // parquet, csv, json
}

struct Found {
  std::string location_key;  // key prefix of the table, ending in '/'
  std::map<std::string, int64_t> formats;
  std::vector<std::string> partition_keys;
  int64_t objects = 0;
};

std::vector<std::string> partitionKeysOf(const std::string& relative_dir) {
  std::vector<std::string> keys;
  size_t start = 0;
  while (start < relative_dir.size()) {
    size_t slash = relative_dir.find('/', start);
    if (slash == std::string::npos) break;
    std::string seg = relative_dir.substr(start, slash - start);
    size_t eq = seg.find('=');
    if (eq != std::string::npos && eq > 0) keys.push_back(seg.substr(0, eq));
    start = slash + 1;
  }
  return keys;
}

std::vector<state::CatalogColumn> inferColumns(Connection& conn, const std::string& read_expr) {
  auto r =
      conn.query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + read_expr + ")");
  std::vector<state::CatalogColumn> cols;
  for (size_t i = 0; i < r.rowCount(); i++) cols.push_back({*r.cell(i, 0), *r.cell(i, 1)});
  return cols;
}

std::vector<std::string> diffColumns(const std::vector<state::CatalogColumn>& before,
                                     const std::vector<state::CatalogColumn>& after) {
  std::vector<std::string> changes;
  std::map<std::string, std::string> old_types;
  for (const auto& c : before) old_types[c.name] = c.type;
  for (const auto& c : after) {
    auto it = old_types.find(c.name);
    if (it == old_types.end())
      changes.push_back("added column " + c.name + " " + c.type);
    else if (it->second != c.type)
      changes.push_back("column " + c.name + ": " + it->second + " -> " + c.type);
    if (it != old_types.end()) old_types.erase(it);
  }
  for (const auto& [name, type] : old_types)
    changes.push_back("removed column " + name + " " + type);
  return changes;
}

}  // namespace

std::string tableReadExpression(const state::CatalogTable& table, lake::ObjectStore& store) {
  std::string pattern = table.options.value("pattern", "**/*." + extensionOf(table.format));
  json spec = table.options;
  spec.erase("pattern");
  spec.erase("union_by_name");
  spec["path"] = table.location + pattern;
  spec["format"] = table.format;
  if (!table.partition_keys.empty()) spec["hive_partitioning"] = true;
  std::string expr = readExpression(spec, store);
  // Files whose columns differ are matched by name; that reads every file's schema up
  // front, so it is only on where the crawler saw the files differ.
  if (table.options.value("union_by_name", false))
    expr.insert(expr.size() - 1, ", union_by_name=true");
  return expr;
}

std::vector<CrawledTable> crawl(Connection& conn, lake::ObjectStore& store,
                                state::CatalogStore& catalog, const std::string& bucket,
                                const std::string& prefix_in, std::string database) {
  std::string prefix = prefix_in;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  if (database.empty()) database = sanitize(bucket);
  state::validateCatalogName(database, "database name");

  std::map<std::string, Found> found;  // by table name
  store.forEachObject(bucket, prefix, [&](const lake::ObjectInfo& o) {
    std::string rel = o.key.substr(prefix.size());
    std::string file = rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
    std::string format = formatOfKey(o.key);
    if (format.empty() || file.empty() || file[0] == '_' || file[0] == '.') return;
    size_t slash = rel.find('/');
    std::string table, location, inner_dir;
    if (slash == std::string::npos) {
      std::string base = prefix.empty() ? bucket : prefix.substr(0, prefix.size() - 1);
      table = sanitize(base.substr(base.rfind('/') == std::string::npos ? 0 : base.rfind('/') + 1));
      location = prefix;
    } else {
      table = sanitize(rel.substr(0, slash));
      location = prefix + rel.substr(0, slash + 1);
      inner_dir = rel.substr(slash + 1, rel.size() - slash - 1 - file.size());
    }
    Found& f = found[table];
    f.location_key = location;
    f.formats[format]++;
    f.objects++;
    auto keys = partitionKeysOf(inner_dir);
    if (keys.size() > f.partition_keys.size()) f.partition_keys = keys;
  });

  std::vector<CrawledTable> report;
  for (const auto& [name, f] : found) {
    state::CatalogTable t;
    t.database = database;
    t.name = name;
    t.location = "lake://" + bucket + "/" + f.location_key;
    t.format = std::max_element(f.formats.begin(), f.formats.end(), [](auto& a, auto& b) {
                 return a.second < b.second;
               })->first;
    t.partition_keys = f.partition_keys;
    t.origin = "crawled";
    t.columns = inferColumns(conn, tableReadExpression(t, store));
    if (t.format == "parquet" || t.format == "csv") {
      state::CatalogTable all_files = t;
      all_files.options["union_by_name"] = true;
      auto union_columns = inferColumns(conn, tableReadExpression(all_files, store));
      if (union_columns != t.columns) {
        t.options["union_by_name"] = true;
        t.columns = union_columns;
      }
    }
    CrawledTable r{t.qualifiedName(), "created", {}, f.objects};
    if (auto old = catalog.getTable(database, name)) {
      r.changes = diffColumns(old->columns, t.columns);
      if (old->location != t.location)
        r.changes.push_back("location " + old->location + " -> " + t.location);
      if (old->partition_keys != t.partition_keys) r.changes.push_back("partition keys changed");
      r.status = r.changes.empty() ? "unchanged" : "updated";
    }
    catalog.putTable(t);
    report.push_back(r);
  }
  return report;
}

std::vector<std::string> attachCatalog(Connection& conn, state::CatalogStore& catalog,
                                       lake::ObjectStore& store) {
  std::vector<std::string> warnings;
  std::string last_db;
  for (const auto& t : catalog.listTables("")) {
    if (t.database != last_db) {
      conn.query("CREATE SCHEMA IF NOT EXISTS " + sqlIdentifier(t.database));
      last_db = t.database;
    }
    try {
      conn.query("CREATE OR REPLACE VIEW " + sqlIdentifier(t.database) + "." +
                 sqlIdentifier(t.name) + " AS SELECT * FROM " + tableReadExpression(t, store));
    } catch (const Error& e) {
      warnings.push_back("catalog table " + t.qualifiedName() + " is not available: " + e.what());
    }
  }
  return warnings;
}

}  // namespace sluice::data
