#include "state/item_store.h"

#include <cmath>

#include "core/error.h"

namespace sluice::state {

using nlohmann::json;

const char* toString(KeyType t) { return t == KeyType::kString ? "S" : "N"; }

KeyType parseKeyType(const std::string& s) {
  if (s == "S" || s == "string") return KeyType::kString;
  if (s == "N" || s == "number") return KeyType::kNumber;
  throw Error(errc::kValidation, "unknown key type '" + s + "' (expected S or N)");
}

void validateTableSchema(const TableSchema& schema) {
  if (schema.name.size() < 3 || schema.name.size() > 255)
    throw Error(errc::kValidation, "table name '" + schema.name + "' must be 3 to 255 characters");
  for (char c : schema.name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      throw Error(errc::kValidation, "table name '" + schema.name +
                                         "' may hold only letters, digits, '_', '.' and '-'");
  }
  if (schema.partition_key.name.empty())
    throw Error(errc::kValidation, "table '" + schema.name + "' needs a partition key name");
  if (schema.sort_key && schema.sort_key->name == schema.partition_key.name)
    throw Error(errc::kValidation,
                "table '" + schema.name + "': sort key and partition key must differ");
}

namespace {
json keyValue(const TableSchema& schema, const KeyAttribute& attr, const json& item) {
  auto it = item.find(attr.name);
  if (it == item.end())
    throw Error(errc::kValidation,
                "item for table '" + schema.name + "' lacks key attribute '" + attr.name + "'");
  if (attr.type == KeyType::kString) {
    if (!it->is_string() || it->get<std::string>().empty())
      throw Error(errc::kValidation, "key attribute '" + attr.name + "' of table '" + schema.name +
                                         "' must be a non-empty string");
  } else if (!it->is_number() || !std::isfinite(it->get<double>())) {
    throw Error(errc::kValidation, "key attribute '" + attr.name + "' of table '" + schema.name +
                                       "' must be a number");
  }
  return *it;
}

// Numbers equal in value are the same key whatever their spelling (1, 1.0).
std::string canonicalText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  double d = v.get<double>();
  if (d == std::floor(d) && std::fabs(d) < 9.0e15) return std::to_string(static_cast<int64_t>(d));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}
}  // namespace

ItemKey extractItemKey(const TableSchema& schema, const json& item, bool key_only) {
  if (!item.is_object())
    throw Error(errc::kValidation, "an item of table '" + schema.name + "' must be a JSON object");
  ItemKey key;
  key.partition = canonicalText(keyValue(schema, schema.partition_key, item));
  if (schema.sort_key) key.sort = keyValue(schema, *schema.sort_key, item);
  if (key_only && item.size() != (schema.sort_key ? 2u : 1u))
    throw Error(errc::kValidation,
                "a key of table '" + schema.name + "' must hold only its key attributes");
  return key;
}

}  // namespace sluice::state
