#pragma once
// Item tables in the manner of DynamoDB: a partition key, an optional sort key, and
// items that are JSON objects carrying those keys. Values are plain JSON (the
// workflow engine converts DynamoDB's typed AttributeValue form at its edge).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sluice::state {

enum class KeyType { kString, kNumber };

struct KeyAttribute {
  std::string name;
  KeyType type = KeyType::kString;
};

struct TableSchema {
  std::string name;
  KeyAttribute partition_key;
  std::optional<KeyAttribute> sort_key;
};

struct SortKeyCondition {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kEq;
  nlohmann::json value;
  nlohmann::json upper;  // for kBetween (inclusive)
};

struct ItemQuery {
  std::string table;
  nlohmann::json partition_value;
  std::optional<SortKeyCondition> sort;
  bool descending = false;
  int limit = 0;  // 0: no limit
};

class ItemStore {
 public:
  virtual ~ItemStore() = default;
  virtual void createTable(const TableSchema& schema) = 0;  // ResourceInUseException if present
  virtual void deleteTable(const std::string& table) = 0;
  virtual std::optional<TableSchema> describeTable(const std::string& table) = 0;
  virtual std::vector<TableSchema> listTables() = 0;

  // Replaces the item with the same key.
  virtual void put(const std::string& table, const nlohmann::json& item) = 0;
  // `key` holds the key attributes (extra attributes are an error).
  virtual std::optional<nlohmann::json> get(const std::string& table,
                                            const nlohmann::json& key) = 0;
  virtual bool remove(const std::string& table, const nlohmann::json& key) = 0;
  // Items of one partition in sort-key order.
  virtual std::vector<nlohmann::json> query(const ItemQuery& query) = 0;
};

// The key values of `item` under `schema` in canonical form, validated: the partition
// key as text, the sort key as JSON (string or number). Shared by every store so that
// all backends accept and reject the same items.
struct ItemKey {
  std::string partition;
  nlohmann::json sort;  // null when the table has no sort key
};
ItemKey extractItemKey(const TableSchema& schema, const nlohmann::json& item, bool key_only);
void validateTableSchema(const TableSchema& schema);
const char* toString(KeyType t);             // "S" or "N"
KeyType parseKeyType(const std::string& s);  // accepts S/N, string/number

}  // namespace sluice::state
