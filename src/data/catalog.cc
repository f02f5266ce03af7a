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

// A table the crawl found: the objects one read expression over `location_key` covers.
struct Found {
  std::string location_key;                 // key prefix of the table, ending in '/'
  std::string glob = "**/*";                // its files: glob + their commonest suffix
  std::map<std::string, int64_t> suffixes;  // files by NamedFormat::suffix
  std::vector<std::string> partition_keys;
  int64_t objects = 0;
};

// A data file of the crawled prefix's own table: directly in it, or in its Hive
// partition folders (key=value/…).
struct PrefixFile {
  std::string path;  // relative to the prefix
  std::string suffix;
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
  return t.location + t.options.value("pattern", "**/*." + t.format);
}

// Whether a table still has objects to read: its one file, or any data file below it.
bool hasObjects(lake::ObjectStore& store, const state::CatalogTable& t) {
  const LakeUrl location = parseLakeUrl(readPath(t));
  const std::string pattern = t.options.value("pattern", "");
  if (!pattern.empty() && pattern.find_first_of("*?[") == std::string::npos)
    return store.find(location.bucket, location.key).has_value();
  const std::string folder = t.location.substr(("lake://" + location.bucket + "/").size());
  bool found = false;
  store.forEachObject(location.bucket, folder, [&](const lake::ObjectInfo& o) {
    found = found || formatOfName(o.key).has_value();
  });
  return found;
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
};

Described describe(const CrawlScope& s, const std::string& name, const Found& f) {
  state::CatalogTable t;
  t.database = s.database;
  t.name = name;
  t.location = "lake://" + s.bucket + "/" + f.location_key;
  const std::string suffix =
      std::max_element(f.suffixes.begin(), f.suffixes.end(), [](auto& a, auto& b) {
        return a.second < b.second;
      })->first;
  t.format = formatOfName(suffix)->format;
  t.options["pattern"] = f.glob + suffix;
  if (readPath(t) == t.location + "**/*." + t.format) t.options.erase("pattern");  // the default
  t.partition_keys = f.partition_keys;
  t.origin = "crawled";
  t.columns = inferColumns(s.conn, tableReadExpression(t, s.store));
  if (t.format == "parquet" || t.format == "csv") {
    state::CatalogTable all_files = t;
    all_files.options["union_by_name"] = true;
    auto union_columns = inferColumns(s.conn, tableReadExpression(all_files, s.store));
    if (union_columns != t.columns) {
      t.options["union_by_name"] = true;
      t.columns = union_columns;
    }
  }
  return {t, f.objects};
}

// Files directly in a crawled folder, and those in its key=value folders, are its table,
// named after it (not reading the files of its other folders). At a bucket's root, which
// is the database, each file directly there is a table named after it:
// lake://curated/orders.parquet becomes curated.orders.
void addPrefixTables(const CrawlScope& s, const std::string& prefix,
                     const std::vector<PrefixFile>& files,
                     std::map<std::string, Described>& tables) {
  Found own{prefix, "*", {}, {}, 0};
  for (const auto& file : files) {
    const size_t slash = file.path.rfind('/');
    if (prefix.empty() && slash == std::string::npos) {
      std::string stem = file.path.substr(0, file.path.size() - file.suffix.size());
      std::string name = tables.count(sanitize(stem)) ? sanitize(file.path) : sanitize(stem);
      tables.emplace(name, describe(s, name, Found{prefix, stem, {{file.suffix, 1}}, {}, 1}));
      continue;
    }
    own.suffixes[file.suffix]++;
    own.objects++;
    if (slash == std::string::npos) continue;
    own.glob = "**/*";
    auto keys = partitionKeysOf(file.path.substr(0, slash + 1));
    if (keys.size() > own.partition_keys.size()) own.partition_keys = keys;
  }
  if (own.objects == 0) return;
  const std::string folder = prefix.empty() ? s.bucket : prefix.substr(0, prefix.size() - 1);
  std::string name = sanitize(folder.substr(folder.rfind('/') + 1));  // npos + 1 == 0
  if (tables.count(name)) name = sanitize(folder);                    // a folder below has the name
  tables.emplace(name, describe(s, name, own));
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
  std::vector<PrefixFile> own_files;
  store.forEachObject(bucket, prefix, [&](const lake::ObjectInfo& o) {
    std::string rel = o.key.substr(prefix.size());
    std::string file = rel.substr(rel.rfind('/') + 1);  // npos + 1 == 0
    const auto named = formatOfName(file);
    if (file.empty() || file[0] == '_' || file[0] == '.' || !named) return;
    const size_t slash = rel.find('/');
    const size_t eq = rel.find('=');
    if (slash == std::string::npos || (eq > 0 && eq < slash)) {  // the prefix's own
      own_files.push_back({rel, named->suffix});
      return;
    }
    Found& f = folders[sanitize(rel.substr(0, slash))];
    f.location_key = prefix + rel.substr(0, slash + 1);
    f.suffixes[named->suffix]++;
    f.objects++;
    auto keys = partitionKeysOf(rel.substr(slash + 1, rel.size() - slash - 1 - file.size()));
    if (keys.size() > f.partition_keys.size()) f.partition_keys = keys;
  });

  CrawlScope scope{conn, store, bucket, database};
  std::map<std::string, Described> tables;
  for (const auto& [name, f] : folders) tables.emplace(name, describe(scope, name, f));
  addPrefixTables(scope, prefix, own_files, tables);

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
        old.location.compare(0, crawled_location.size(), crawled_location) != 0 ||
        hasObjects(store, old))
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
