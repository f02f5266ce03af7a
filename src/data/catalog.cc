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

// A table the crawl found: the objects one read expression over `location_key` covers.
struct Found {
  std::string location_key;  // key prefix of the table, ending in '/'
  std::string pattern;       // files below it; "" = every file of the format, at any depth
  std::map<std::string, int64_t> formats;
  std::vector<std::string> partition_keys;
  int64_t objects = 0;
};

// A data file directly in the crawled prefix rather than in a folder below it.
struct LooseFile {
  std::string name;
  std::string format;
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

// The lake path a table reads: its location and the pattern of its files.
std::string readPath(const state::CatalogTable& t) {
  return t.location + t.options.value("pattern", "**/*." + extensionOf(t.format));
}

struct CrawlScope {
  Connection& conn;
  lake::ObjectStore& store;
  std::string bucket;
  std::string database;
};

struct Described {
  state::CatalogTable table;
  int64_t objects = 0;
  bool columns_differ = false;  // its files' columns differ, so they are matched by name
};

Described describe(const CrawlScope& s, const std::string& name, const Found& f) {
  state::CatalogTable t;
  t.database = s.database;
  t.name = name;
  t.location = "lake://" + s.bucket + "/" + f.location_key;
  t.format = std::max_element(f.formats.begin(), f.formats.end(), [](auto& a, auto& b) {
               return a.second < b.second;
             })->first;
  if (!f.pattern.empty()) t.options["pattern"] = f.pattern;
  t.partition_keys = f.partition_keys;
  t.origin = "crawled";
  t.columns = inferColumns(s.conn, tableReadExpression(t, s.store));
  bool differ = false;
  if (t.format == "parquet" || t.format == "csv") {
    state::CatalogTable all_files = t;
    all_files.options["union_by_name"] = true;
    auto union_columns = inferColumns(s.conn, tableReadExpression(all_files, s.store));
    if (union_columns != t.columns) {
      t.options["union_by_name"] = true;
      t.columns = union_columns;
      differ = true;
    }
  }
  return {t, f.objects, differ};
}

std::string unusedName(const std::map<std::string, Described>& tables, const std::string& name) {
  std::string candidate = name;
  for (int n = 2; tables.count(candidate); n++) candidate = name + "_" + std::to_string(n);
  return candidate;
}

// Files directly in the prefix are one table named after the prefix when they are parts
// of one (one format, the same columns); otherwise each is a table named after its file,
// so lake://curated/orders.parquet becomes curated.orders.
void addLooseFiles(const CrawlScope& s, const std::string& prefix, const std::string& prefix_name,
                   const std::vector<LooseFile>& files, std::map<std::string, Described>& tables) {
  if (files.empty()) return;
  Found all{prefix, "", {}, {}, static_cast<int64_t>(files.size())};
  for (const auto& file : files) all.formats[file.format]++;
  if (all.formats.size() == 1 && !tables.count(prefix_name)) {
    all.pattern = "*." + extensionOf(all.formats.begin()->first);  // not the folders' files
    Described parts = describe(s, prefix_name, all);
    if (!parts.columns_differ) {
      tables.emplace(prefix_name, std::move(parts));
      return;
    }
  }
  for (const auto& file : files) {
    std::string name = unusedName(tables, sanitize(file.name.substr(0, file.name.rfind('.'))));
    tables.emplace(name, describe(s, name, Found{prefix, file.name, {{file.format, 1}}, {}, 1}));
  }
}

}  // namespace

std::string tableReadExpression(const state::CatalogTable& table, lake::ObjectStore& store) {
  json spec = table.options;
  spec.erase("pattern");
  spec.erase("union_by_name");
  spec["path"] = readPath(table);
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

  std::map<std::string, Found> folders;  // by table name
  std::vector<LooseFile> loose;
  store.forEachObject(bucket, prefix, [&](const lake::ObjectInfo& o) {
    std::string rel = o.key.substr(prefix.size());
    std::string file = rel.substr(rel.rfind('/') + 1);  // npos + 1 == 0
    std::string format = formatOfKey(o.key);
    if (format.empty() || file.empty() || file[0] == '_' || file[0] == '.') return;
    size_t slash = rel.find('/');
    if (slash == std::string::npos) {
      loose.push_back({file, format});
      return;
    }
    Found& f = folders[sanitize(rel.substr(0, slash))];
    f.location_key = prefix + rel.substr(0, slash + 1);
    f.formats[format]++;
    f.objects++;
    auto keys = partitionKeysOf(rel.substr(slash + 1, rel.size() - slash - 1 - file.size()));
    if (keys.size() > f.partition_keys.size()) f.partition_keys = keys;
  });

  CrawlScope scope{conn, store, bucket, database};
  std::map<std::string, Described> tables;
  for (const auto& [name, f] : folders) tables.emplace(name, describe(scope, name, f));
  std::string base = prefix.empty() ? bucket : prefix.substr(0, prefix.size() - 1);
  addLooseFiles(scope, prefix, sanitize(base.substr(base.rfind('/') + 1)), loose, tables);

  std::vector<CrawledTable> report;
  for (const auto& [name, d] : tables) {
    const state::CatalogTable& t = d.table;
    CrawledTable r{t.qualifiedName(), "created", {}, d.objects};
    if (auto old = catalog.getTable(database, name)) {
      r.changes = diffColumns(old->columns, t.columns);
      if (readPath(*old) != readPath(t))
        r.changes.push_back("location " + readPath(*old) + " -> " + readPath(t));
      if (old->partition_keys != t.partition_keys) r.changes.push_back("partition keys changed");
      r.status = r.changes.empty() ? "unchanged" : "updated";
    }
    catalog.putTable(t);
    report.push_back(r);
  }
  // Tables an earlier crawl found here whose objects are gone (declared ones stay).
  const std::string crawled_location = "lake://" + bucket + "/" + prefix;
  for (const auto& old : catalog.listTables(database)) {
    if (old.origin != "crawled" || tables.count(old.name) ||
        old.location.compare(0, crawled_location.size(), crawled_location) != 0)
      continue;
    catalog.dropTable(database, old.name);
    report.push_back({old.qualifiedName(), "removed", {}, 0});
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
