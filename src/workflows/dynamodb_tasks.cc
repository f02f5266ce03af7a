#include "workflows/dynamodb_tasks.h"

#include <cctype>

#include "core/error.h"
#include "state/item_store.h"
#include "workflows/dynamodb_json.h"

namespace sluice::workflows {

using nlohmann::json;

namespace {

[[noreturn]] void validation(const std::string& why) {
  throw Error("DynamoDB.ValidationException", why);
}

// Expression text with #names and :values resolved through the request's maps.
class Expr {
 public:
  Expr(const std::string& text, const json& params)
      : t_(text),
        names_(params.value("ExpressionAttributeNames", json::object())),
        values_(params.value("ExpressionAttributeValues", json::object())) {}

  void skip() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) i_++;
  }
  bool done() {
    skip();
    return i_ >= t_.size();
  }
  bool accept(const std::string& word) {
    skip();
    if (t_.compare(i_, word.size(), word) != 0) return false;
    bool alpha = std::isalpha(static_cast<unsigned char>(word[0]));
    if (alpha && i_ + word.size() < t_.size() &&
        (std::isalnum(static_cast<unsigned char>(t_[i_ + word.size()])) ||
         t_[i_ + word.size()] == '_'))
      return false;
    i_ += word.size();
    return true;
  }
  bool acceptUpper(const std::string& word) {
    skip();
    if (t_.size() - i_ < word.size()) return false;
    for (size_t k = 0; k < word.size(); k++)
      if (std::toupper(static_cast<unsigned char>(t_[i_ + k])) != word[k]) return false;
    if (i_ + word.size() < t_.size() &&
        std::isalnum(static_cast<unsigned char>(t_[i_ + word.size()])))
      return false;
    i_ += word.size();
    return true;
  }
  void expect(const std::string& s) {
    if (!accept(s))
      validation("expected '" + s + "' at position " + std::to_string(i_) + " of '" + t_ + "'");
  }
  std::string token() {
    skip();
    size_t start = i_;
    while (i_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '_' ||
                              t_[i_] == '#' || t_[i_] == ':' || t_[i_] == '.' || t_[i_] == '-'))
      i_++;
    if (start == i_)
      validation("unexpected text at position " + std::to_string(i_) + " of '" + t_ + "'");
    return t_.substr(start, i_ - start);
  }
  std::string name() {
    std::string tok = token();
    if (tok[0] == '#') {
      if (!names_.contains(tok)) validation("ExpressionAttributeNames has no " + tok);
      return names_[tok];
    }
    if (tok[0] == ':') validation("expected an attribute name, got " + tok);
    return tok;
  }
  json value() {
    std::string tok = token();
    if (tok[0] != ':') validation("expected a :value, got " + tok);
    if (!values_.contains(tok)) validation("ExpressionAttributeValues has no " + tok);
    return fromAttributeValue(values_[tok]);
  }
  // An update operand: :v, a path, or if_not_exists(path, operand).
  json operand(const json& item) {
    skip();
    if (accept("if_not_exists")) {
      expect("(");
      std::string n = name();
      expect(",");
      json fallback = operand(item);
      expect(")");
      return item.contains(n) ? item[n] : fallback;
    }
    if (i_ < t_.size() && t_[i_] == ':') return value();
    std::string n = name();
    if (!item.contains(n)) validation("the attribute " + n + " does not exist");
    return item[n];
  }

 private:
  std::string t_;
  json names_, values_;
  size_t i_ = 0;
};

const std::string& tableName(const json& p) {
  if (!p.contains("TableName") || !p["TableName"].is_string()) validation("TableName is required");
  return p["TableName"].get_ref<const std::string&>();
}

state::TableSchema schemaOf(state::ItemStore& items, const std::string& table) {
  auto schema = items.describeTable(table);
  if (!schema)
    throw Error("DynamoDB.ResourceNotFoundException",
                "Requested resource not found: Table: " + table + " not found");
  return *schema;
}

json keyOf(const state::TableSchema& schema, const json& item) {
  json key = {{schema.partition_key.name, item.at(schema.partition_key.name)}};
  if (schema.sort_key) key[schema.sort_key->name] = item.at(schema.sort_key->name);
  return key;
}

// attribute_exists(a) / attribute_not_exists(a), joined by AND.
void checkCondition(const json& p, const std::optional<json>& existing) {
  if (!p.contains("ConditionExpression")) return;
  Expr e(p["ConditionExpression"].get<std::string>(), p);
  do {
    bool want_exists;
    if (e.accept("attribute_not_exists"))
      want_exists = false;
    else if (e.accept("attribute_exists"))
      want_exists = true;
    else
      validation(
          "sluice supports attribute_exists and attribute_not_exists in ConditionExpression");
    e.expect("(");
    std::string n = e.name();
    e.expect(")");
    bool exists = existing && existing->contains(n);
    if (exists != want_exists)
      throw Error("DynamoDB.ConditionalCheckFailedException", "The conditional request failed");
  } while (e.acceptUpper("AND"));
  if (!e.done()) validation("unsupported ConditionExpression");
}

json putItem(const json& p, state::ItemStore& items) {
  const std::string& table = tableName(p);
  auto schema = schemaOf(items, table);
  json item = fromAttributeMap(p.at("Item"));
  checkCondition(p, items.get(table, keyOf(schema, item)));
  items.put(table, item);
  return json::object();
}

json getItem(const json& p, state::ItemStore& items) {
  const std::string& table = tableName(p);
  schemaOf(items, table);
  auto item = items.get(table, fromAttributeMap(p.at("Key")));
  if (!item) return json::object();
  return {{"Item", toAttributeMap(*item)}};
}

json deleteItem(const json& p, state::ItemStore& items) {
  const std::string& table = tableName(p);
  schemaOf(items, table);
  json key = fromAttributeMap(p.at("Key"));
  checkCondition(p, items.get(table, key));
  items.remove(table, key);
  return json::object();
}

json updateItem(const json& p, state::ItemStore& items) {
  const std::string& table = tableName(p);
  schemaOf(items, table);
  json key = fromAttributeMap(p.at("Key"));
  auto existing = items.get(table, key);
  checkCondition(p, existing);
  json item = existing ? *existing : key;
  const json before = item;
  Expr e(p.value("UpdateExpression", ""), p);
  while (!e.done()) {
    if (e.acceptUpper("SET")) {
      do {
        std::string target = e.name();
        e.expect("=");
        json v = e.operand(before);
        for (int sign : {+1, -1}) {
          if (!e.accept(sign > 0 ? "+" : "-")) continue;
          json rhs = e.operand(before);
          if (!v.is_number() || !rhs.is_number())
            validation("'+' and '-' need numbers in SET " + target);
          if (v.is_number_integer() && rhs.is_number_integer())
            v = v.get<int64_t>() + sign * rhs.get<int64_t>();
          else
            v = v.get<double>() + sign * rhs.get<double>();
          break;
        }
        item[target] = v;
      } while (e.accept(","));
    } else if (e.acceptUpper("REMOVE")) {
      do item.erase(e.name());
      while (e.accept(","));
    } else {
      validation("sluice supports SET and REMOVE in UpdateExpression");
    }
  }
  items.put(table, item);
  const std::string ret = p.value("ReturnValues", "NONE");
  if (ret == "ALL_NEW") return {{"Attributes", toAttributeMap(item)}};
  if (ret == "ALL_OLD" && existing) return {{"Attributes", toAttributeMap(*existing)}};
  return json::object();
}

json query(const json& p, state::ItemStore& items) {
  const std::string& table = tableName(p);
  auto schema = schemaOf(items, table);
  state::ItemQuery q;
  q.table = table;
  q.descending = !p.value("ScanIndexForward", true);
  q.limit = p.value("Limit", 0);
  Expr e(p.value("KeyConditionExpression", ""), p);
  bool have_partition = false;
  do {
    if (e.accept("begins_with")) {
      e.expect("(");
      e.name();
      e.expect(",");
      q.sort =
          state::SortKeyCondition{state::SortKeyCondition::Op::kBeginsWith, e.value(), nullptr};
      e.expect(")");
      continue;
    }
    std::string attr = e.name();
    using Op = state::SortKeyCondition::Op;
    if (attr == schema.partition_key.name) {
      e.expect("=");
      q.partition_value = e.value();
      have_partition = true;
    } else if (e.acceptUpper("BETWEEN")) {
      json lo = e.value();
      if (!e.acceptUpper("AND")) validation("BETWEEN needs AND");
      q.sort = state::SortKeyCondition{Op::kBetween, lo, e.value()};
    } else {
      Op op = e.accept("<=")   ? Op::kLe
              : e.accept(">=") ? Op::kGe
              : e.accept("<")  ? Op::kLt
              : e.accept(">")  ? Op::kGt
              : e.accept("=")  ? Op::kEq
                               : (validation("unsupported key condition"), Op::kEq);
      q.sort = state::SortKeyCondition{op, e.value(), nullptr};
    }
  } while (e.acceptUpper("AND"));
  if (!have_partition)
    validation("KeyConditionExpression must fix the partition key " + schema.partition_key.name);
  json list = json::array();
  for (const auto& item : items.query(q)) list.push_back(toAttributeMap(item));
  return {{"Items", list}, {"Count", list.size()}, {"ScannedCount", list.size()}};
}

}  // namespace

json runDynamoDbTask(const std::string& action, const json& parameters, state::ItemStore& items) {
  try {
    if (action == "putItem") return putItem(parameters, items);
    if (action == "getItem") return getItem(parameters, items);
    if (action == "deleteItem") return deleteItem(parameters, items);
    if (action == "updateItem") return updateItem(parameters, items);
    if (action == "query") return query(parameters, items);
  } catch (const nlohmann::json::exception& e) {
    validation(std::string("malformed request: ") + e.what());
  } catch (const Error& e) {
    if (e.code().rfind("DynamoDB.", 0) == 0) throw;
    throw Error("DynamoDB." + e.code(), e.what());
  }
  throw Error("States.Runtime", "unsupported DynamoDB action '" + action + "'");
}

}  // namespace sluice::workflows
