#include "state/sqlite_item_store.h"

#include "core/error.h"

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

void SqliteItemStore::createTable(const TableSchema& s) {
  validateTableSchema(s);
  std::lock_guard lock(mu_);
  SqliteTransaction tx(db_);
  auto exists = db_.prepare("SELECT 1 FROM item_tables WHERE name = ?1");
  if (exists.bind(1, s.name).step())
    throw Error(errc::kResourceInUse, "table '" + s.name + "' already exists");
  auto st = db_.prepare(
      "INSERT INTO item_tables(name, pk_name, pk_type, sk_name, sk_type, created_ns) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st.bind(1, s.name)
      .bind(2, s.partition_key.name)
      .bind(3, std::string_view(toString(s.partition_key.type)));
  if (s.sort_key) {
    st.bind(4, s.sort_key->name).bind(5, std::string_view(toString(s.sort_key->type)));
  } else {
    st.bindNull(4).bindNull(5);
  }
  st.bind(6, static_cast<int64_t>(clock_.now())).run();
  tx.commit();
}

void SqliteItemStore::deleteTable(const std::string& table) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("DELETE FROM item_tables WHERE name = ?1");
  st.bind(1, table).run();
  if (db_.changes() == 0)
    throw Error(errc::kResourceNotFound, "table '" + table + "' does not exist");
}

std::optional<TableSchema> SqliteItemStore::describeTable(const std::string& table) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT name, pk_name, pk_type, sk_name, sk_type FROM item_tables WHERE name = ?1");
  if (!st.bind(1, table).step()) return std::nullopt;
  TableSchema s{st.text(0), {st.text(1), parseKeyType(st.text(2))}, std::nullopt};
  if (!st.isNull(3)) s.sort_key = KeyAttribute{st.text(3), parseKeyType(st.text(4))};
  return s;
}

std::vector<TableSchema> SqliteItemStore::listTables() {
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

TableSchema SqliteItemStore::requireTable(const std::string& table) {
  auto s = describeTable(table);
  if (!s) throw Error(errc::kResourceNotFound, "table '" + table + "' does not exist");
  return *s;
}

void SqliteItemStore::put(const std::string& table, const json& item) {
  TableSchema schema = requireTable(table);
  ItemKey key = extractItemKey(schema, item, false);
  std::lock_guard lock(mu_);
  auto st =
      db_.prepare("INSERT OR REPLACE INTO items(table_name, pk, sk, doc) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, table).bind(2, key.partition);
  bindSortValue(st, 3, key.sort);
  st.bind(4, item.dump()).run();
}

// Runs `sql` (with ?1 table, ?2 partition key, ?3 sort key) for the item `key_json` names.
template <typename Fn>
auto SqliteItemStore::withItemKey(const std::string& table, const json& key_json, const char* sql,
                                  Fn fn) {
  ItemKey key = extractItemKey(requireTable(table), key_json, true);
  std::lock_guard lock(mu_);
  auto st = db_.prepare(sql);
  st.bind(1, table).bind(2, key.partition);
  bindSortValue(st, 3, key.sort);
  return fn(st);
}

std::optional<json> SqliteItemStore::get(const std::string& table, const json& key_json) {
  return withItemKey(table, key_json,
                     "SELECT doc FROM items WHERE table_name = ?1 AND pk = ?2 AND sk = ?3",
                     [](SqliteStatement& st) -> std::optional<json> {
                       if (!st.step()) return std::nullopt;
                       return json::parse(st.text(0));
                     });
}

bool SqliteItemStore::remove(const std::string& table, const json& key_json) {
  return withItemKey(table, key_json,
                     "DELETE FROM items WHERE table_name = ?1 AND pk = ?2 AND sk = ?3",
                     [this](SqliteStatement& st) {
                       st.run();
                       return db_.changes() > 0;
                     });
}

std::vector<json> SqliteItemStore::query(const ItemQuery& q) {
  TableSchema schema = requireTable(q.table);
  json pk_probe = {{schema.partition_key.name, q.partition_value}};
  std::string partition =
      extractItemKey(TableSchema{schema.name, schema.partition_key, std::nullopt}, pk_probe, true)
          .partition;
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
      case Op::kEq:
        sql += " AND sk = ?3";
        break;
      case Op::kLt:
        sql += " AND sk < ?3";
        break;
      case Op::kLe:
        sql += " AND sk <= ?3";
        break;
      case Op::kGt:
        sql += " AND sk > ?3";
        break;
      case Op::kGe:
        sql += " AND sk >= ?3";
        break;
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

}  // namespace sluice::state
