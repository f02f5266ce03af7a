#include "state/sqlite_state_store.h"

#include "core/error.h"
#include "state/sqlite_schema.h"

namespace sluice::state {

using nlohmann::json;

namespace {

void bindSortValue(SqliteStatement& st, int index, const json& v) {
  if (v.is_null()) {
    st.bind(index, std::string_view(""));
  } else if (v.is_string()) {
    st.bind(index, v.get<std::string>());
  } else if (v.is_number_integer()) {
    st.bind(index, v.get<int64_t>());
  } else {
    st.bind(index, v.get<double>());
  }
}

}  // namespace

SqliteStateStore::SqliteStateStore(const std::string& path, SecretBox secrets,
                                   const core::Clock& clock)
    : db_(path), secrets_(std::move(secrets)), clock_(clock), executions_(db_, mu_, clock_) {
  migrate();
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
  auto st = db_.prepare("PRAGMA user_version");
  st.step();
  int version = static_cast<int>(st.int64(0));
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

// ---- parameters ------------------------------------------------------------------------

Parameter SqliteStateStore::readParameter(SqliteStatement& row) {
  Parameter p;
  p.name = row.text(0);
  p.version = row.int64(1);
  p.type = parseParameterType(row.text(2));
  p.value = row.text(3);
  if (p.type == ParameterType::kSecureString) p.value = secrets_.open(p.value);
  p.description = row.text(4);
  p.last_modified = row.int64(5);
  return p;
}

int64_t SqliteStateStore::put(const PutParameterRequest& r) {
  validateParameterName(r.name);
  if (r.value.empty()) throw Error(errc::kValidation, "parameter '" + r.name + "' needs a value");
  if (r.value.size() > 8192)
    throw Error(errc::kValidation, "parameter '" + r.name + "' value is over 8 KiB");
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto latest = db_.prepare("SELECT MAX(version) FROM parameters WHERE name = ?1");
  latest.bind(1, r.name).step();
  int64_t version = latest.isNull(0) ? 0 : latest.int64(0);
  if (version > 0 && !r.overwrite)
    throw Error(errc::kParameterAlreadyExists,
                "parameter '" + r.name + "' already exists (use overwrite to add a version)");
  std::string stored = r.type == ParameterType::kSecureString ? secrets_.seal(r.value) : r.value;
  auto ins = db_.prepare(
      "INSERT INTO parameters(name, version, type, value, description, modified_ns) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  ins.bind(1, r.name).bind(2, version + 1).bind(3, std::string_view(toString(r.type)));
  ins.bindBlob(4, stored).bind(5, r.description).bind(6, static_cast<int64_t>(clock_.now()));
  ins.run();
  tx.commit();
  return version + 1;
}

Parameter SqliteStateStore::get(const std::string& selector) {
  std::string name = selector;
  int64_t version = 0;
  if (size_t colon = selector.rfind(':'); colon != std::string::npos) {
    name = selector.substr(0, colon);
    try {
      version = std::stoll(selector.substr(colon + 1));
    } catch (...) {
      throw Error(errc::kValidation, "'" + selector + "': a version selector must be a number");
    }
  }
  validateParameterName(name);
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      version > 0 ? "SELECT name, version, type, value, description, modified_ns FROM parameters "
                    "WHERE name = ?1 AND version = ?2"
                  : "SELECT name, version, type, value, description, modified_ns FROM parameters "
                    "WHERE name = ?1 ORDER BY version DESC LIMIT 1");
  st.bind(1, name);
  if (version > 0) st.bind(2, version);
  if (!st.step()) {
    if (version > 0)
      throw Error(errc::kParameterVersionNotFound,
                  "parameter '" + name + "' has no version " + std::to_string(version));
    throw Error(errc::kParameterNotFound, "parameter '" + name + "' does not exist");
  }
  return readParameter(st);
}

std::vector<Parameter> SqliteStateStore::listByPath(const std::string& path, bool recursive) {
  if (path.empty() || path.front() != '/')
    throw Error(errc::kValidation, "parameter path '" + path + "' must begin with '/'");
  if (path != "/") validateParameterName(path);
  const std::string lower = path == "/" ? "/" : path + "/";
  // Names below `lower` sort before lower with its last '/' bumped to '0'.
  const std::string upper = lower.substr(0, lower.size() - 1) + "0";
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT p.name, p.version, p.type, p.value, p.description, p.modified_ns FROM parameters p "
      "WHERE p.name >= ?1 AND p.name < ?2 AND "
      "p.version = (SELECT MAX(version) FROM parameters q WHERE q.name = p.name) ORDER BY p.name");
  st.bind(1, lower).bind(2, upper);
  std::vector<Parameter> out;
  while (st.step()) {
    Parameter p = readParameter(st);
    if (!recursive && p.name.find('/', lower.size()) != std::string::npos) continue;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Parameter> SqliteStateStore::history(const std::string& name) {
  validateParameterName(name);
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT name, version, type, value, description, modified_ns FROM parameters "
      "WHERE name = ?1 ORDER BY version");
  st.bind(1, name);
  std::vector<Parameter> out;
  while (st.step()) out.push_back(readParameter(st));
  if (out.empty()) throw Error(errc::kParameterNotFound, "parameter '" + name + "' does not exist");
  return out;
}

void SqliteStateStore::remove(const std::string& name) {
  validateParameterName(name);
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM parameters WHERE name = ?1");
  st.bind(1, name).run();
  if (db_.changes() == 0)
    throw Error(errc::kParameterNotFound, "parameter '" + name + "' does not exist");
}

// ---- item tables -----------------------------------------------------------------------

void SqliteStateStore::createTable(const TableSchema& s) {
  validateTableSchema(s);
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto exists = db_.prepare("SELECT 1 FROM item_tables WHERE name = ?1");
  if (exists.bind(1, s.name).step())
    throw Error(errc::kResourceInUse, "table '" + s.name + "' already exists");
  auto st = db_.prepare(
      "INSERT INTO item_tables(name, pk_name, pk_type, sk_name, sk_type, created_ns) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st.bind(1, s.name).bind(2, s.partition_key.name).bind(3, std::string_view(toString(s.partition_key.type)));
  if (s.sort_key) {
    st.bind(4, s.sort_key->name).bind(5, std::string_view(toString(s.sort_key->type)));
  } else {
    st.bindNull(4).bindNull(5);
  }
  st.bind(6, static_cast<int64_t>(clock_.now())).run();
  tx.commit();
}

void SqliteStateStore::deleteTable(const std::string& table) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM item_tables WHERE name = ?1");
  st.bind(1, table).run();
  if (db_.changes() == 0)
    throw Error(errc::kResourceNotFound, "table '" + table + "' does not exist");
}

std::optional<TableSchema> SqliteStateStore::describeTable(const std::string& table) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT name, pk_name, pk_type, sk_name, sk_type FROM item_tables WHERE name = ?1");
  if (!st.bind(1, table).step()) return std::nullopt;
  TableSchema s{st.text(0), {st.text(1), parseKeyType(st.text(2))}, std::nullopt};
  if (!st.isNull(3)) s.sort_key = KeyAttribute{st.text(3), parseKeyType(st.text(4))};
  return s;
}

std::vector<TableSchema> SqliteStateStore::listTables() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    auto st = db_.prepare("SELECT name FROM item_tables ORDER BY name");
    while (st.step()) names.push_back(st.text(0));
  }
  std::vector<TableSchema> out;
  for (const auto& n : names)
    if (auto s = describeTable(n)) out.push_back(*s);
  return out;
}

TableSchema SqliteStateStore::requireTable(const std::string& table) {
  auto s = describeTable(table);
  if (!s) throw Error(errc::kResourceNotFound, "table '" + table + "' does not exist");
  return *s;
}

void SqliteStateStore::put(const std::string& table, const json& item) {
  TableSchema schema = requireTable(table);
  ItemKey key = extractItemKey(schema, item, false);
  std::lock_guard lock(mu_);
  auto st = db_.prepare("INSERT OR REPLACE INTO items(table_name, pk, sk, doc) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, table).bind(2, key.partition);
  bindSortValue(st, 3, key.sort);
  st.bind(4, item.dump()).run();
}

// Runs `sql` (with ?1 table, ?2 partition key, ?3 sort key) for the item `key_json` names.
template <typename Fn>
auto SqliteStateStore::withItemKey(const std::string& table, const json& key_json, const char* sql, Fn fn) {
  ItemKey key = extractItemKey(requireTable(table), key_json, true);
  std::lock_guard lock(mu_);
  auto st = db_.prepare(sql);
  st.bind(1, table).bind(2, key.partition);
  bindSortValue(st, 3, key.sort);
  return fn(st);
}

std::optional<json> SqliteStateStore::get(const std::string& table, const json& key_json) {
  return withItemKey(table, key_json, "SELECT doc FROM items WHERE table_name = ?1 AND pk = ?2 AND sk = ?3",
                     [](SqliteStatement& st) -> std::optional<json> {
                       if (!st.step()) return std::nullopt;
                       return json::parse(st.text(0));
                     });
}

bool SqliteStateStore::remove(const std::string& table, const json& key_json) {
  return withItemKey(table, key_json, "DELETE FROM items WHERE table_name = ?1 AND pk = ?2 AND sk = ?3",
                     [this](SqliteStatement& st) {
                       st.run();
                       return db_.changes() > 0;
                     });
}

std::vector<json> SqliteStateStore::query(const ItemQuery& q) {
  TableSchema schema = requireTable(q.table);
  json pk_probe = {{schema.partition_key.name, q.partition_value}};
  std::string partition = extractItemKey(
      TableSchema{schema.name, schema.partition_key, std::nullopt}, pk_probe, true).partition;
  std::string sql = "SELECT doc FROM items WHERE table_name = ?1 AND pk = ?2";
  if (q.sort) {
    if (!schema.sort_key)
      throw Error(errc::kValidation, "table '" + q.table + "' has no sort key to query on");
    // The condition's values must have the sort key's type.
    auto check = [&](const json& v) {
      json probe = {{schema.partition_key.name, q.partition_value}, {schema.sort_key->name, v}};
      extractItemKey(schema, probe, true);
    };
    check(q.sort->value);
    using Op = SortKeyCondition::Op;
    switch (q.sort->op) {
      case Op::kEq: sql += " AND sk = ?3"; break;
      case Op::kLt: sql += " AND sk < ?3"; break;
      case Op::kLe: sql += " AND sk <= ?3"; break;
      case Op::kGt: sql += " AND sk > ?3"; break;
      case Op::kGe: sql += " AND sk >= ?3"; break;
      case Op::kBetween:
        check(q.sort->upper);
        sql += " AND sk >= ?3 AND sk <= ?4";
        break;
      case Op::kBeginsWith:
        if (schema.sort_key->type != KeyType::kString)
          throw Error(errc::kValidation, "begins_with needs a string sort key");
        sql += " AND substr(sk, 1, length(?3)) = ?3";
        break;
    }
  }
  sql += q.descending ? " ORDER BY sk DESC" : " ORDER BY sk";
  if (q.limit > 0) sql += " LIMIT " + std::to_string(q.limit);
  std::lock_guard lock(mu_);
  auto st = db_.prepare(sql);
  st.bind(1, q.table).bind(2, partition);
  if (q.sort) {
    bindSortValue(st, 3, q.sort->value);
    if (q.sort->op == SortKeyCondition::Op::kBetween) bindSortValue(st, 4, q.sort->upper);
  }
  std::vector<json> out;
  while (st.step()) out.push_back(json::parse(st.text(0)));
  return out;
}

// ---- invocations -----------------------------------------------------------------------

namespace {
constexpr const char* kInvocationColumns =
    "SELECT request_id, function, start_ns, duration_ns, status, error_type, error_message "
    "FROM invocations ";

InvocationRecord readInvocation(SqliteStatement& st) {
  return {st.text(0), st.text(1), st.int64(2), st.int64(3), st.text(4), st.text(5), st.text(6)};
}
}  // namespace

void SqliteStateStore::begin(const InvocationRecord& r) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT INTO invocations(request_id, function, start_ns, status) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, r.request_id).bind(2, r.function).bind(3, static_cast<int64_t>(r.start)).bind(4, r.status).run();
}

void SqliteStateStore::finish(const InvocationRecord& r) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "UPDATE invocations SET duration_ns = ?2, status = ?3, error_type = ?4, error_message = ?5 "
      "WHERE request_id = ?1");
  st.bind(1, r.request_id).bind(2, r.duration_ns).bind(3, r.status).bind(4, r.error_type);
  st.bind(5, r.error_message).run();
}

void SqliteStateStore::appendLog(const std::string& request_id, const InvocationLogLine& line) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT INTO invocation_logs(request_id, seq, time_ns, line) VALUES (?1, "
      "(SELECT COALESCE(MAX(seq), 0) + 1 FROM invocation_logs WHERE request_id = ?1), ?2, ?3)");
  st.bind(1, request_id).bind(2, static_cast<int64_t>(line.time)).bind(3, line.line).run();
}

std::optional<InvocationRecord> SqliteStateStore::find(const std::string& request_id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(std::string(kInvocationColumns) + "WHERE request_id = ?1");
  if (!st.bind(1, request_id).step()) return std::nullopt;
  return readInvocation(st);
}

std::vector<InvocationRecord> SqliteStateStore::recent(const std::string& function, int limit) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(std::string(kInvocationColumns) +
                        (function.empty() ? "" : "WHERE function = ?1 ") +
                        "ORDER BY start_ns DESC LIMIT " + std::to_string(limit > 0 ? limit : 100));
  if (!function.empty()) st.bind(1, function);
  std::vector<InvocationRecord> out;
  while (st.step()) out.push_back(readInvocation(st));
  return out;
}

std::vector<InvocationLogLine> SqliteStateStore::logs(const std::string& request_id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT time_ns, line FROM invocation_logs WHERE request_id = ?1 ORDER BY seq");
  st.bind(1, request_id);
  std::vector<InvocationLogLine> out;
  while (st.step()) out.push_back({st.int64(0), st.text(1)});
  return out;
}

// ---- catalog ---------------------------------------------------------------------------

namespace {
json tableToJson(const CatalogTable& t) {
  json cols = json::array();
  for (const auto& c : t.columns) cols.push_back({{"name", c.name}, {"type", c.type}});
  return {{"location", t.location}, {"format", t.format}, {"columns", cols},
          {"partition_keys", t.partition_keys}, {"options", t.options}, {"origin", t.origin}};
}

CatalogTable tableFromRow(SqliteStatement& st) {
  json d = json::parse(st.text(2));
  CatalogTable t;
  t.database = st.text(0);
  t.name = st.text(1);
  t.location = d.value("location", "");
  t.format = d.value("format", "");
  for (const auto& c : d.value("columns", json::array())) t.columns.push_back({c["name"], c["type"]});
  t.partition_keys = d.value("partition_keys", std::vector<std::string>{});
  t.options = d.value("options", json::object());
  t.origin = d.value("origin", "declared");
  t.updated = st.int64(3);
  return t;
}
}  // namespace

void SqliteStateStore::putTable(const CatalogTable& t) {
  validateCatalogName(t.database, "database name");
  validateCatalogName(t.name, "table name");
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "INSERT OR REPLACE INTO catalog_tables(database_name, table_name, definition, updated_ns) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, t.database).bind(2, t.name).bind(3, tableToJson(t).dump()).bind(4, static_cast<int64_t>(clock_.now())).run();
}

std::optional<CatalogTable> SqliteStateStore::getTable(const std::string& database, const std::string& name) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT database_name, table_name, definition, updated_ns FROM catalog_tables "
      "WHERE database_name = ?1 AND table_name = ?2");
  if (!st.bind(1, database).bind(2, name).step()) return std::nullopt;
  return tableFromRow(st);
}

std::vector<CatalogTable> SqliteStateStore::listTables(const std::string& database) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(std::string("SELECT database_name, table_name, definition, updated_ns FROM catalog_tables ") +
                        (database.empty() ? "" : "WHERE database_name = ?1 ") + "ORDER BY database_name, table_name");
  if (!database.empty()) st.bind(1, database);
  std::vector<CatalogTable> out;
  while (st.step()) out.push_back(tableFromRow(st));
  return out;
}

bool SqliteStateStore::dropTable(const std::string& database, const std::string& name) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM catalog_tables WHERE database_name = ?1 AND table_name = ?2");
  st.bind(1, database).bind(2, name).run();
  return db_.changes() > 0;
}

}  // namespace sluice::state
